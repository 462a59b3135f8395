// Kernel configurations beyond Microkit's: the named presets (sel4test's root-task kernels) and any
// gen_config.json, whose syscalls, labels and fault tags are numbered from invocations.json. The
// numbering must reproduce every table a real build of the same configuration produced.
import { describe, expect, test } from "vitest";
import { abiForKernelConfig, kernelAbi, presetAbi, readAbiFile, type KernelAbi } from "../../kernel/abi.js";
import { invocationLabels, syscallNumbers } from "../../kernel/abi-numbering.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const genConfig = (name: string): Json => readAbiFile(`kernel-configs/${name}.json`) as Json;
const board = (name: string): Json => ((readAbiFile("boards.json") as Json)["boards"] as Json[]).find((b) => b["name"] === name)!;
const faultLabels = (abi: KernelAbi): Record<string, number> => Object.fromEntries(Object.entries(abi.faults).map(([k, v]) => [k, v.label]));

describe.each(["sel4test-aarch64", "sel4test-riscv64"])("the %s kernel", (name) => {
  const preset = presetAbi(name);
  const derived = abiForKernelConfig(genConfig(name), "gen_config.json");

  test("numbered from its gen_config.json, it has the measured build's syscalls, labels and fault tags", () => {
    expect(derived.syscalls).toEqual(preset.syscalls);
    expect(derived.labels).toEqual(preset.labels);
    expect(faultLabels(derived)).toEqual(faultLabels(preset));
  });

  test("it gets the measured object sizes and user address-space top", () => {
    expect(derived.objectBits).toEqual(preset.objectBits);
    expect(derived.userTop).toBe(preset.userTop);
    expect(derived.userVSpaceTop).toBe(preset.userVSpaceTop);
    expect(derived.vm.hypervisor).toBe(false);
  });

  test("the label count and group ends are the measured enum's", () => {
    const raw = (readAbiFile(`configs/${name}.json`) as Json)["invocation_labels"];
    const n = invocationLabels(preset.arch, genConfig(name));
    expect(Object.keys(n.labels)).toHaveLength(raw["count"]);
    expect(n.groupEnds["global"]).toBe(raw["nInvocationLabels"]);
    expect(n.groupEnds["arch"]).toBe(raw["nArchInvocationLabels"]);
  });
});

test("sel4test's AArch64 kernel is at EL1: no VCPU labels, no breakpoint labels, IRQAckIRQ 27, 2^11-byte TCBs", () => {
  const abi = presetAbi("sel4test-aarch64");
  expect(abi.labels["IRQAckIRQ"]).toBe(27);
  expect(abi.labels["ARMVCPUSetTCB"]).toBeUndefined();
  expect(abi.labels["TCBSetBreakpoint"]).toBeUndefined();
  expect(abi.objectBits["seL4_TCBBits"]).toBe(11);
  expect(abi.userVSpaceTop).toBe(0x7fff_ffff_ffffn);
  expect(abi.faults["seL4_Fault_VCPUFault"]).toBeUndefined();
});

describe.each(["aarch64", "riscv64"] as const)("Microkit's %s board configurations from their gen_config.json", (arch) => {
  const ref = arch === "aarch64" ? "qemu_virt_aarch64" : "qemu_virt_riscv64";
  test.each(["debug", "release", "benchmark"] as const)("%s numbers as the measured tables do", (config) => {
    const gen = { ...genConfig(`${ref}-debug`), ...(config === "debug" ? {} : board(ref)["gen_config_other_configs_diff_vs_debug"][config]) };
    const derived = abiForKernelConfig(gen, config);
    const measured = kernelAbi(arch, config);
    expect(derived.syscalls).toEqual(measured.syscalls);
    expect(derived.labels).toEqual(measured.labels);
    expect(derived.userVSpaceTop).toBe(measured.userVSpaceTop);
    expect(derived.objectBits["seL4_TCBBits"]).toBe(measured.objectBits["seL4_TCBBits"]);
    expect(derived.objectBits["seL4_VSpaceBits"]).toBe(measured.objectBits["seL4_VSpaceBits"]);
  });
});

test("qemu_virt_aarch64_el1: the hypervisor off drops the VCPU labels and moves the user top to 2^47 - 1", () => {
  const derived = abiForKernelConfig(genConfig("qemu_virt_aarch64_el1-debug"), "el1");
  const facts = board("qemu_virt_aarch64_el1");
  expect(Object.keys(derived.labels)).toHaveLength(facts["invocation_labels"]["count_debug"]);
  for (const [label, [, el1]] of Object.entries(facts["invocation_labels"]["differs_from_reference_debug"] as Record<string, [number, number | null]>)) {
    expect(derived.labels[label]).toBe(el1 ?? undefined);
  }
  expect(derived.userVSpaceTop).toBe(BigInt(facts["vm"]["seL4_UserVSpaceTop"]));
  expect(derived.objectBits["seL4_VSpaceBits"]).toBe(facts["vm"]["seL4_VSpaceBits"]);
  expect(derived.objectBits["seL4_VSpaceIndexBits"]).toBe(9);
  expect(derived.vm.hypervisor).toBe(false);
});

test("syscalls that a configuration lacks keep their places: DebugPutChar is -12 with or without the debug build's others", () => {
  const release = syscallNumbers({ KERNEL_MCS: true, PRINTING: true });
  expect(release["seL4_SysDebugPutChar"]).toBe(-12);
  expect(release["seL4_SysDebugHalt"]).toBeUndefined();
  expect(syscallNumbers({ KERNEL_MCS: false })["seL4_SysReply"]).toBe(-6);
});

test.each([
  [{ SEL4_ARCH: "x86_64", KERNEL_MCS: true }, /SEL4_ARCH is "x86_64"/],
  [{ SEL4_ARCH: "aarch64", KERNEL_MCS: false }, /KERNEL_MCS is off/],
  [{ SEL4_ARCH: "aarch64", KERNEL_MCS: true, ARM_HYPERVISOR_SUPPORT: true, ARM_PA_SIZE_BITS_40: false, ARM_PA_SIZE_BITS_44: false }, /no measured aarch64 build/],
])("an unsupported configuration is refused with the reason", (gen, message) => {
  expect(() => abiForKernelConfig(gen, "x")).toThrow(message);
});

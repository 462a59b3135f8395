// microkit-emu boot: a root task (tests/roottasks/bootinfo) reads what the kernel handed it and
// prints it; every line must match the boot plan, which tests/kernel/boot-plan.test.ts holds to the
// real kernel's BootInfo. Also the kernel configurations, --ram, and bad input.
import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { readAbiFile } from "../../kernel/abi.js";
import { bootRootTask, prepareBoot, type BootOptions } from "../../emulator/boot.js";
import { main } from "../../emulator/cli.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const GIB = 1n << 30n;
const elf = (name: string, config: string) => `build/test-roottasks/${name}/${config}/${name}.elf`;
const hex = (v: bigint) => v.toString(16);

/**
 * The cap type tags seL4_DebugCapIdentify returns for slots 0..15 (structures.bf capType); slot 15
 * holds the SMC cap (25) where the kernel allows SMC calls.
 */
const SLOT_CAP_TAGS = (arch: string, smc: boolean) => [0, 12, 10, arch === "aarch64" ? 9 : 3, 14, 11, 13, 0, 0, 1, 1, 20, 0, 0, 22, smc ? 25 : 0];

/** What tests/roottasks/bootinfo prints for this boot. */
function expectedBootInfo(o: BootOptions): string {
  const { plan, dtb, abi } = prepareBoot(o);
  const s = plan.slots;
  const r = (name: string, x: { start: number; end: number }) => `${name} [${x.start}, ${x.end})`;
  return [
    `bootinfo at 0x${hex(plan.entryArgs.bootInfo)}, ipcBuffer 0x${hex(plan.entryArgs.ipcBuffer)}`,
    `nodeID 0 numNodes 1 numIOPTLevels 0 cnodeBits ${plan.rootCNodeBits} domain 0 extraLen ${16 + dtb.length}`,
    r("empty", s.empty), r("sharedFrames", { start: 0, end: 0 }), r("userImageFrames", s.userImageFrames), r("userImagePaging", s.userImagePaging),
    r("ioSpaceCaps", { start: 0, end: 0 }), r("extraBIPages", s.extraBIPages), r("schedcontrol", s.schedcontrol), r("untyped", s.untyped),
    ...plan.untypeds.map((u) => `untyped ${hex(u.paddr)} ${u.sizeBits} ${u.isDevice ? 1 : 0}`),
    `chunk id 6 len ${16 + dtb.length}, fdt magic d00dfeed size ${dtb.length}`,
    `caps: ${SLOT_CAP_TAGS(abi.arch, abi.kernelConfig["ALLOW_SMC_CALLS"] === true).join(" ")}`,
    "listed caps: paging 3 extra 1 schedcontrol 24 frame 1 untyped 2 empty 0",
    "ok: seL4_GetIPCBuffer()->userData == 0x5a5a",
    "main returned 0",
  ].map((l) => `${l}\n`).join("");
}

describe.each(["aarch64", "riscv64"] as const)("booting a root task on %s", (arch) => {
  const o: BootOptions = { elf: elf("bootinfo", `sel4test-${arch}`), board: `qemu_virt_${arch}`, config: `sel4test-${arch}` };

  test("the root task sees BootInfo, its untypeds, the device tree and its caps where the kernel puts them", () => {
    const r = bootRootTask(o);
    expect(r.output).toBe(expectedBootInfo(o));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("the debug kernel's boot log names the RAM and the reserved kernel, DTB and image regions", () => {
    const r = bootRootTask(o);
    const { plan } = prepareBoot(o);
    expect(r.diagnostics[0]).toBe("Bootstrapping kernel");
    expect(r.diagnostics.slice(1, 1 + plan.bootLog.length)).toEqual(plan.bootLog);
    expect(r.diagnostics[1 + plan.bootLog.length]).toBe("Booting all finished, dropped to user space");
  });

  test("--ram resizes the machine: more RAM, more untyped memory, up to the new end", () => {
    const more = { ...o, ramBytes: (arch === "aarch64" ? 3n : 4n) * GIB };
    const base = prepareBoot(o).plan;
    const bigger = prepareBoot(more).plan;
    const ramEnd = (p: typeof base) => p.untypeds.filter((u) => !u.isDevice).reduce((m, u) => (u.paddr + (1n << BigInt(u.sizeBits)) > m ? u.paddr + (1n << BigInt(u.sizeBits)) : m), 0n);
    expect(ramEnd(bigger) - ramEnd(base)).toBe(GIB);
    expect(bootRootTask(more).output).toBe(expectedBootInfo(more));
  });
});

test.each(["aarch64", "riscv64"])("a sel4test preset boots by default on the machine its kernel was built for (%s: -m 2G, 3G) and gets the RAM its real kernel reported", (arch) => {
  const { platform } = prepareBoot({ elf: elf("bootinfo", `sel4test-${arch}`), board: `qemu_virt_${arch}`, config: `sel4test-${arch}` });
  const c = (readAbiFile("boot.json") as Json)["sel4test_concrete"][arch];
  expect(platform.memory.map((m) => `${hex(m.start)}..${hex(m.end)}`)).toEqual(c["available_phys_memory"]);
  expect(platform.ram.end - platform.ram.start).toBe((arch === "aarch64" ? 2n : 3n) * GIB);
});

test("Microkit's hypervisor kernel: a 2^17-slot root CNode, the stage-2 VSpace, RAM from 0x60000000", () => {
  const o: BootOptions = { elf: elf("bootinfo", "sel4test-aarch64"), board: "qemu_virt_aarch64", config: "debug" };
  const r = bootRootTask(o);
  expect(r.output).toBe(expectedBootInfo(o));
  expect(r.output).toContain("cnodeBits 17");
  expect(r.output).toContain("caps: 0 12 10 9 14 11 13 0 0 1 1 20 0 0 22 25\n");
  expect(prepareBoot(o).plan.slots.userImagePaging.end - prepareBoot(o).plan.slots.userImagePaging.start).toBe(2);
  expect(r.diagnostics[2]).toBe("  [60000000..c0000000)");
});

test("--kernel-config takes a seL4 build's gen_config.json", () => {
  const file = "../shared/abi/kernel-configs/sel4test-aarch64.json";
  const o: BootOptions = { elf: elf("bootinfo", "sel4test-aarch64"), board: "qemu_virt_aarch64", kernelConfigFile: file };
  expect(bootRootTask(o).output).toBe(expectedBootInfo({ elf: o.elf, board: o.board, config: "sel4test-aarch64" }));
});

test("the CLI runs a root task: its output on stdout, the kernel's lines and a summary on stderr, exit 0", () => {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  let status: number;
  try {
    status = main(["boot", elf("ipc", "sel4test-riscv64"), "--board", "qemu_virt_riscv64", "--config", "sel4test-riscv64", "--json"]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  expect(status).toBe(0);
  expect(out.join("")).toContain("root: waited, badge 5\n");
  const text = err.join("");
  expect(text).toContain("Bootstrapping kernel");
  const summary = JSON.parse(text.trim().split("\n").pop()!) as { stop: string; protectionDomains: string[] };
  expect(summary.stop).toBe("idle");
  expect(summary.protectionDomains).toEqual(["rootserver"]);
});

describe("bad input is one clear line, exit status 1", () => {
  // Microkit's smp-debug configuration of qemu_virt_aarch64, as a gen_config.json.
  const board = ((readAbiFile("boards.json") as Json)["boards"] as Json[]).find((b) => b["name"] === "qemu_virt_aarch64")!;
  writeFileSync("build/roottask-smp.json", JSON.stringify({ ...(readAbiFile("kernel-configs/qemu_virt_aarch64-debug.json") as Json), ...board["gen_config_other_configs_diff_vs_debug"]["smp-debug"] }));
  const run = (...args: string[]) => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stderr.write;
    try {
      return { status: main(["boot", ...args]), text: lines.join("") };
    } finally {
      process.stderr.write = write;
    }
  };
  const a64 = elf("bootinfo", "sel4test-aarch64");
  test.each([
    [[a64, "--board", "qemu_virt_aarch64"], /needs a kernel configuration/],
    [[a64, "--board", "qemu_virt_aarch64", "--config", "nope"], /unknown config 'nope'/],
    [[a64, "--board", "qemu_virt_riscv64", "--config", "sel4test-riscv64"], /is a aarch64 ELF, but board qemu_virt_riscv64 is riscv64/],
    [[a64, "--board", "qemu_virt_riscv64", "--config", "sel4test-aarch64"], /kernel is aarch64, but board qemu_virt_riscv64 is riscv64/],
    [[a64, "--board", "qemu_virt_aarch64", "--config", "sel4test-aarch64", "--ram", "1x"], /--ram takes a size/],
    [[a64, "--board", "qemu_virt_aarch64", "--config", "debug", "--ram", "256M"], /leaves the kernel no memory/],
    [[a64, "--board", "qemu_virt_aarch64", "--kernel-config", "package.json"], /no measured aarch64 build|SEL4_ARCH/],
    [["missing.elf", "--board", "qemu_virt_aarch64", "--config", "sel4test-aarch64"], /missing.elf: no such file/],
    [[a64, "--board", "qemu_virt_aarch64", "--kernel-config", "build/roottask-smp.json"], /an SMP build \(MAX_NUM_NODES 4\); only single-core kernels/],
    [["package.json", "--board", "qemu_virt_aarch64", "--config", "sel4test-aarch64"], /not an ELF file/],
  ])("%o", (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(1);
    expect(r.text).toMatch(message);
    expect(r.text.trim().split("\n")).toHaveLength(1);
  });
});

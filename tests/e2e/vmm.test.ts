// End-to-end: a VMM PD (tests/pds/vmm/vmm.c) makes every microkit_vcpu_* call and the raw ARMVCPU*
// invocations with bad arguments on its VM's vCPU 0; the values are those seL4 (1326364b, AArch64
// hypervisor, QEMU virt GICv2 with 4 list registers, maxIRQ 159) replies with, see
// src/arch/arm/object/vcpu.c. No guest code runs: starting the vCPU thread is reported and undone.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";
import { refusals } from "./refusals.js";

const run = (board: string) =>
  runSystem({ systemFile: `tests/pds/vmm/vmm-${board}.system`, board, searchPaths: [`build/test-pds/vmm/${board}/debug`] });

describe("a VMM PD on qemu_virt_aarch64", () => {
  test("every vCPU call is answered as seL4 answers it", () => {
    const r = run("qemu_virt_aarch64");
    expect(r.output).toBe([
      "vmm: SCTLR of a new vCPU = 0x34d58820", // SCTLR_EL1_VM (armv_vcpu_init)
      "vmm: TTBR0 = 0x0, after writing 0x40001000: 0x40001000",
      "vmm: CNTKCTL_EL1 (the last register) = 0xffffffffffffffff",
      "vmm: injected virq 33 into list register 0",
      "vmm: injected virq 34 over the pending one", // only an active list register answers DeleteFirst
      "vmm: injected virq 1023 into list register 3",
      "vmm: acked VPPI 27 (virtual timer)",
      "vmm: inject into list register 4: error 4, MRs 0 3", // seL4_RangeError 0..gic_vcpu_num_list_regs-1
      "vmm: inject virq 1024: error 4, MRs 0 1023",
      "vmm: inject priority 32: error 4, MRs 0 31",
      "vmm: inject group 2: error 4, MRs 0 1",
      "vmm: inject with no MR: error 7", // seL4_TruncatedMessage
      "vmm: ack VPPI 28: error 1, MRs 0", // seL4_InvalidArgument, argument 0
      "vmm: ack VPPI 1000: error 4, MRs 0 159", // Arch_checkIRQ: 0..maxIRQ
      "vmm: read register 24: error 1, MRs 1", // field >= seL4_VCPUReg_Num: argument 1
      "vmm: write register 99: error 1, MRs 1",
      "vmm: write register with one MR: error 7",
      "vmm: read SCTLR: error 0, MRs 886409248",
      "vmm: SetTCB with no cap: error 7",
      "vmm: SetTCB with the VCPU cap: error 3", // seL4_IllegalOperation
      "vmm: SetTCB with the vCPU thread: error 0",
      "vmm: TCB label on the VCPU cap: error 3",
      "vmm: VCPU label on the vCPU thread: error 3",
      "vmm: stopped vCPU 0",
      "vmm: restarted vCPU 0 at 0x40000000",
      "vmm: stopped vCPU 0 again",
      "vmm: done",
      "",
    ].join("\n"));
    // The VM (priority 150) preempts its VMM (100) when restarted; the emulator reports and suspends it.
    expect(r.diagnostics.at(-1)).toBe(
      "vCPU 0 of VM 'linux' (VMM 'vmm') was started at 0x40000000, but guest code is not emulated: the vCPU thread is suspended again",
    );
    // Before it, the debug kernel's reason for each refused vCPU call, in order.
    expect(refusals(r.diagnostics)).toEqual([
      "ARMVCPUInjectIRQ RangeError",
      "ARMVCPUInjectIRQ RangeError",
      "ARMVCPUInjectIRQ RangeError",
      "ARMVCPUInjectIRQ RangeError",
      "ARMVCPUInjectIRQ TruncatedMessage",
      "ARMVCPUAckVPPI InvalidArgument",
      "ARMVCPUAckVPPI RangeError",
      "ARMVCPUReadReg InvalidArgument",
      "ARMVCPUWriteReg InvalidArgument",
      "ARMVCPUWriteReg TruncatedMessage",
      "ARMVCPUSetTCB TruncatedMessage",
      "ARMVCPUSetTCB IllegalOperation",
      "TCBSuspend IllegalOperation",
      "ARMVCPUReadReg IllegalOperation",
    ]);
    expect(r.diagnostics).toHaveLength(15);
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });
});

describe("the same PD on qemu_virt_riscv64", () => {
  test("has no vCPU calls and says so", () => {
    const r = run("qemu_virt_riscv64");
    expect(r.output).toBe("vmm: this kernel is not a hypervisor: skipped\n");
    expect(r.diagnostics).toEqual([]);
  });
});

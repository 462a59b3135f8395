// The ARM VCPU invocations a VMM makes (microkit.json api_to_sel4 microkit_vcpu_arm_*), against seL4
// src/arch/arm/object/vcpu.c decodeARMVCPUInvocation and the invokeVCPU* functions: every error and
// its reply MRs, and every effect on the VCPU object. The expected numbers come from the ABI JSON
// and from seL4's sources as cited; nothing is taken from kernel/objects/vcpu.ts.
import { describe, expect, it } from "vitest";
import { decodeVirq, tcbVCPU, VCPU, vgicPlatform, VIRQ_TYPE } from "../../../kernel/objects/vcpu.js";
import { abiJson, archJson, errorNumber, invocationLabel, msgInfo, Notification, notificationCap, Sim, slot, TCB } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const arch = "aarch64" as const;
const VCPU_CAP = slot("BASE_VCPU_CAP"); // vcpu id 0
const VM_TCB = slot("BASE_VM_TCB_CAP");
const REG: Record<string, number> = archJson(arch)["boot"]["vcpu_registers"];
const NUM_REGS = BigInt(REG["seL4_VCPUReg_Num"]!);
/** qemu_virt_aarch64: maxIRQ from boards.json; QEMU's GICv2 has 4 list registers; vtimer PPI = INTID 27. */
const MAX_IRQ = BigInt(
  (abiJson("boards.json")["boards"] as { name: string; irq: { kernel_irq_constants_debug: { maxIRQ: number } } }[])
    .find((b) => b.name === "qemu_virt_aarch64")!.irq.kernel_irq_constants_debug.maxIRQ,
);
const VTIMER_IRQ = 27n;

/** InjectIRQ's MR0 as libsel4 packs it (marshalling.json: virq 0..15, priority 16..23, group 24..31, index 32..39). */
const injectWord = (virq: bigint, priority: bigint, group: bigint, index: bigint): bigint => virq | (priority << 16n) | (group << 24n) | (index << 32n);

function vmm() {
  const sim = new Sim(arch);
  const platform = vgicPlatform("qemu_virt_aarch64");
  if (platform === undefined) throw new Error("no VGIC facts for qemu_virt_aarch64");
  const pd = sim.thread("vmm", { priority: 100 });
  const vcpu = new VCPU(platform);
  sim.give(pd, VCPU_CAP, { type: "vcpu", object: vcpu });
  const guest = new TCB("guest", sim.abi.userContext.length);
  sim.give(pd, VM_TCB, { type: "tcb", object: guest });
  sim.start(pd);
  return { sim, pd, vcpu, guest, platform };
}

describe("VCPU object (aarch64 hypervisor)", () => {
  it("the VGIC facts of qemu_virt_aarch64: 4 list registers, maxIRQ from boards.json, vtimer PPI 27", () => {
    const board = vgicPlatform("qemu_virt_aarch64")!;
    expect(board.numListRegs).toBe(4);
    expect(BigInt(board.maxIrq)).toBe(MAX_IRQ);
    expect(BigInt(board.vtimerIrq)).toBe(VTIMER_IRQ);
    expect(vgicPlatform("qemu_virt_riscv64")).toBeUndefined();
  });

  it("a new VCPU: SCTLR = SCTLR_EL1_VM (0x34d58820), every other register 0, list registers invalid, nothing masked", () => {
    const { vcpu } = vmm();
    expect(vcpu.regs.length).toBe(Number(NUM_REGS));
    // armv8-a/64/armv/vcpu.h: 0x30d00800 | CP15BEN | nTWI | nTWE | UCT | UCI
    expect(vcpu.regs[REG["seL4_VCPUReg_SCTLR"]!]).toBe(0x34d58820n);
    expect([...vcpu.regs].filter((v) => v !== 0n)).toEqual([0x34d58820n]);
    expect(vcpu.lr).toEqual([0n, 0n, 0n, 0n]);
    expect(vcpu.vppiMasked).toEqual([false]);
    expect(vcpu.hcr).toBe(1); // VGIC_HCR_EN
  });

  it("an unknown label on a VCPU cap is an illegal operation", () => {
    const { sim, pd } = vmm();
    call(sim, pd, VCPU_CAP, "TCBSuspend");
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_IllegalOperation"));
  });
});

describe("ARMVCPU invocations in a combined syscall", () => {
  it("a VCPU cap may be the send half of NBSendRecv (arch caps skip the first-phase check)", () => {
    const { sim, pd, vcpu } = vmm();
    const ntfn = new Notification();
    sim.give(pd, 20n, notificationCap(ntfn));
    const ttbr1 = BigInt(REG["seL4_VCPUReg_TTBR1"]!);
    sim.trap(pd, "seL4_SysNBSendRecv", {
      nbSendRecvDest: VCPU_CAP, cap: 20n, reply: slot("REPLY_CAP"),
      info: msgInfo(arch, { label: invocationLabel(arch, "ARMVCPUWriteReg"), length: 2 }), mrs: [ttbr1, 0x1234n],
    });
    expect(vcpu.regs[Number(ttbr1)]).toBe(0x1234n);
    expect(pd.tcb.state).toBe("BlockedOnNotification");
  });
});

describe("ARMVCPUReadReg / ARMVCPUWriteReg", () => {
  it("ReadReg replies with the register in MR0 (label 0, length 1, badge 0)", () => {
    const { sim, pd } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [BigInt(REG["seL4_VCPUReg_SCTLR"]!)]);
    expect(reply(sim, pd)).toEqual(success(0x34d58820n));
    expect(sim.badge(pd)).toBe(0n);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: 0n, length: 1 }));
  });

  it("WriteReg stores the value; ReadReg returns it; other registers are untouched", () => {
    const { sim, pd, vcpu } = vmm();
    const ttbr0 = BigInt(REG["seL4_VCPUReg_TTBR0"]!);
    call(sim, pd, VCPU_CAP, "ARMVCPUWriteReg", [ttbr0, 0x4000_1000n]);
    expect(reply(sim, pd)).toEqual(success());
    expect(vcpu.regs[Number(ttbr0)]).toBe(0x4000_1000n);
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [ttbr0]);
    expect(reply(sim, pd)).toEqual(success(0x4000_1000n));
    const cntvoff = BigInt(REG["seL4_VCPUReg_CNTVOFF"]!);
    call(sim, pd, VCPU_CAP, "ARMVCPUWriteReg", [cntvoff, (1n << 64n) - 1n]);
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [cntvoff]);
    expect(reply(sim, pd)).toEqual(success((1n << 64n) - 1n));
  });

  it("the last register (seL4_VCPUReg_Num - 1) is valid; seL4_VCPUReg_Num is InvalidArgument 1", () => {
    const { sim, pd } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [NUM_REGS - 1n]);
    expect(reply(sim, pd)).toEqual(success(0n));
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [NUM_REGS]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 1n));
  });

  it("WriteReg of a register out of range is InvalidArgument 1 and writes nothing", () => {
    const { sim, pd, vcpu } = vmm();
    const before = [...vcpu.regs];
    call(sim, pd, VCPU_CAP, "ARMVCPUWriteReg", [NUM_REGS + 100n, 7n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 1n));
    expect([...vcpu.regs]).toEqual(before);
  });

  it("ReadReg with no MR and WriteReg with one MR are truncated messages", () => {
    const { sim, pd } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUReadReg", [], [], 0);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, pd, VCPU_CAP, "ARMVCPUWriteReg", [0n], [], 1);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("ReadReg by Send (no reply) still reads; the caller runs on", () => {
    const { sim, pd } = vmm();
    sim.trap(pd, "seL4_SysSend", { cap: VCPU_CAP, info: msgInfo(arch, { label: invocationLabel(arch, "ARMVCPUReadReg"), length: 1 }), mrs: [0n] });
    expect(pd.tcb.state).toBe("Running");
  });
});

describe("ARMVCPUInjectIRQ", () => {
  it("writes a pending virq into the list register: group, 5-bit priority, EOI interrupt enabled, virtual ID", () => {
    const { sim, pd, vcpu } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [injectWord(33n, 0x1fn, 1n, 3n)]);
    expect(reply(sim, pd)).toEqual(success());
    expect(decodeVirq(vcpu.lr[3]!)).toEqual({ type: VIRQ_TYPE.pending, group: 1n, priority: 0x1fn, eoiIrqEn: 1n, irq: 33n });
    // GICH_LR bits: Grp1 30, State 28-29 (pending = 1), Priority 23-27, EOI 19, VirtualID 0-9.
    expect(vcpu.lr[3]).toBe((1n << 30n) | (1n << 28n) | (0x1fn << 23n) | (1n << 19n) | 33n);
    expect(vcpu.lr.slice(0, 3)).toEqual([0n, 0n, 0n]);
  });

  it("a pending interrupt in the list register is overwritten (only an active one blocks)", () => {
    const { sim, pd, vcpu } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [injectWord(40n, 0n, 0n, 0n)]);
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [injectWord(41n, 2n, 0n, 0n)]);
    expect(reply(sim, pd)).toEqual(success());
    expect(decodeVirq(vcpu.lr[0]!).irq).toBe(41n);
  });

  it("an active interrupt in the list register: DeleteFirst, nothing written", () => {
    const { sim, pd, vcpu } = vmm();
    const active = (VIRQ_TYPE.active << 28n) | 50n;
    vcpu.lr[2] = active; // as vcpu_save would leave it after the guest acknowledged IRQ 50
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [injectWord(33n, 0n, 0n, 2n)]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_DeleteFirst"));
    expect(vcpu.lr[2]).toBe(active);
  });

  it("range errors in seL4's order: virtual ID 0..1023, priority 0..31, group 0..1, index 0..3", () => {
    const { sim, pd, vcpu } = vmm();
    const cases: [bigint, bigint, bigint][] = [
      [injectWord(1024n, 0n, 0n, 0n), 0n, 1023n],
      [injectWord(0xffffn, 32n, 2n, 9n), 0n, 1023n], // the virtual ID is checked first
      [injectWord(1023n, 32n, 0n, 0n), 0n, 31n],
      [injectWord(0n, 0xffn, 2n, 9n), 0n, 31n],
      [injectWord(0n, 31n, 2n, 0n), 0n, 1n],
      [injectWord(0n, 0n, 0xffn, 9n), 0n, 1n],
      [injectWord(0n, 0n, 1n, 4n), 0n, 3n], // list register index out of range
      [injectWord(0n, 0n, 0n, 0xffn), 0n, 3n],
    ];
    for (const [word, min, max] of cases) {
      call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [word]);
      expect(reply(sim, pd), `0x${word.toString(16)}`).toEqual(err(arch, "seL4_RangeError", min, max));
    }
    expect(vcpu.lr).toEqual([0n, 0n, 0n, 0n]);
  });

  it("bits above the index byte are ignored (the stub packs a seL4_Uint8); no MR is truncated", () => {
    const { sim, pd, vcpu } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [injectWord(5n, 1n, 0n, 1n) | (0xffn << 40n)]);
    expect(reply(sim, pd)).toEqual(success());
    expect(decodeVirq(vcpu.lr[1]!).irq).toBe(5n);
    call(sim, pd, VCPU_CAP, "ARMVCPUInjectIRQ", [], [], 0);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });
});

describe("ARMVCPUAckVPPI", () => {
  it("the virtual timer's PPI unmasks the VPPI", () => {
    const { sim, pd, vcpu } = vmm();
    vcpu.vppiMasked[0] = true; // as VPPIEvent leaves it after delivering the timer event
    call(sim, pd, VCPU_CAP, "ARMVCPUAckVPPI", [VTIMER_IRQ]);
    expect(reply(sim, pd)).toEqual(success());
    expect(vcpu.vppiMasked).toEqual([false]);
  });

  it("another IRQ within 0..maxIRQ is InvalidArgument 0; maxIRQ is still in range", () => {
    const { sim, pd, vcpu } = vmm();
    vcpu.vppiMasked[0] = true;
    for (const irq of [0n, 26n, 28n, 33n, MAX_IRQ]) {
      call(sim, pd, VCPU_CAP, "ARMVCPUAckVPPI", [irq]);
      expect(reply(sim, pd), String(irq)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    }
    expect(vcpu.vppiMasked).toEqual([true]);
  });

  it("an IRQ above maxIRQ is RangeError 0..maxIRQ (Arch_checkIRQ); no MR is truncated", () => {
    const { sim, pd } = vmm();
    for (const irq of [MAX_IRQ + 1n, 1n << 63n]) {
      call(sim, pd, VCPU_CAP, "ARMVCPUAckVPPI", [irq]);
      expect(reply(sim, pd)).toEqual(err(arch, "seL4_RangeError", 0n, MAX_IRQ));
    }
    call(sim, pd, VCPU_CAP, "ARMVCPUAckVPPI", [], [], 0);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });
});

describe("ARMVCPUSetTCB", () => {
  it("binds the thread; rebinding moves it and drops both old partners", () => {
    const { sim, pd, vcpu, guest, platform } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUSetTCB", [], [VM_TCB]);
    expect(reply(sim, pd)).toEqual(success());
    expect(vcpu.tcb).toBe(guest);
    expect(tcbVCPU(guest)).toBe(vcpu);
    // A second VCPU bound to the same thread takes it over.
    const other = new VCPU(platform);
    sim.give(pd, VCPU_CAP + 1n, { type: "vcpu", object: other });
    call(sim, pd, VCPU_CAP + 1n, "ARMVCPUSetTCB", [], [VM_TCB]);
    expect(reply(sim, pd)).toEqual(success());
    expect(tcbVCPU(guest)).toBe(other);
    expect(other.tcb).toBe(guest);
    expect(vcpu.tcb).toBeUndefined();
    // And the first VCPU can be bound to another thread (the VMM's own, here).
    sim.give(pd, 40n, { type: "tcb", object: pd.tcb });
    call(sim, pd, VCPU_CAP, "ARMVCPUSetTCB", [], [40n]);
    expect(reply(sim, pd)).toEqual(success());
    expect(vcpu.tcb).toBe(pd.tcb);
    expect(tcbVCPU(pd.tcb)).toBe(vcpu);
  });

  it("no extra cap is a truncated message; a cap that is not a TCB (or an empty slot) is an illegal operation", () => {
    const { sim, pd, vcpu } = vmm();
    call(sim, pd, VCPU_CAP, "ARMVCPUSetTCB");
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, pd, VCPU_CAP, "ARMVCPUSetTCB", [], [VCPU_CAP]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, pd, VCPU_CAP, "ARMVCPUSetTCB", [], [41n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_IllegalOperation"));
    expect(vcpu.tcb).toBeUndefined();
  });
});

describe("error numbers used above", () => {
  it("match libsel4 errors.h as recorded in aarch64.json", () => {
    expect([errorNumber(arch, "seL4_InvalidArgument"), errorNumber(arch, "seL4_RangeError"), errorNumber(arch, "seL4_DeleteFirst")]).toEqual([1n, 4n, 8n]);
  });
});

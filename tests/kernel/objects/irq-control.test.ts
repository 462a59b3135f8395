// IRQ control (seL4 decodeIRQControlInvocation, Arch_decodeIRQControlInvocation, Arch_checkIRQ,
// invokeIRQControl) and IRQSetIRQHandler: Get and GetTrigger issue a handler cap for a line without
// one, the kernel's IRQ table records it, the controller is told to deliver it (with the trigger
// asked for); deleting the last handler cap gives the line back. maxIRQ is the reference boards'
// (boards.json: qemu_virt_aarch64 159, qemu_virt_riscv64 96); AArch64 accepts 0..maxIRQ, RISC-V
// 1..maxIRQ (0 is irqInvalid).
import { describe, expect, it } from "vitest";
import { insertOriginalCap } from "../../../kernel/cspace.js";
import { handleInterrupt } from "../../../kernel/interrupt.js";
import { Notification } from "../../../kernel/objects/notification.js";
import { CN, CNodeWorld, PD_BITS, rightsWord } from "../cnode-world.js";
import { ARCHES, abiJson, notificationCap, rights } from "../harness.js";

const D = BigInt(PD_BITS);
const CONTROL = 40n;
const NTFN = 41n;

function world(arch: (typeof ARCHES)[number]) {
  const w = new CNodeWorld(arch);
  // An original, as the boot code makes it.
  insertOriginalCap({ cnode: w.pd.cnode, index: Number(CONTROL) }, { type: "irq_control" });
  return w;
}

const maxIrq = (arch: string): bigint => {
  const board = (abiJson("boards.json")["boards"] as { name: string; irq: { kernel_irq_constants_debug: { maxIRQ: number } } }[])
    .find((b) => b.name === `qemu_virt_${arch}`)!;
  return BigInt(board.irq.kernel_irq_constants_debug.maxIRQ);
};

describe.each(ARCHES)("IRQControl (%s)", (arch) => {
  const getTrigger = arch === "aarch64" ? "ARMIRQIssueIRQHandlerTrigger" : "RISCVIRQIssueIRQHandlerTrigger";
  const max = maxIrq(arch);

  it("the reference boards' maxIRQ", () => {
    expect(max).toBe(arch === "aarch64" ? 159n : 96n);
  });

  it("Get issues a handler cap as the control cap's child; the line is enabled with its trigger unchanged", () => {
    const w = world(arch);
    w.invoke("IRQIssueIRQHandler", { cap: CONTROL, args: { irq: 33n, root: CN, index: 60n, depth: D } });
    w.expectSuccess();
    const cap = w.at(60n);
    expect(cap).toMatchObject({ type: "irq_handler", object: { irq: 33 } });
    expect(w.sim.k.irqs.isActive(33)).toBe(true);
    expect(w.sim.host.irqStates).toEqual(["enable 33 unchanged"]);
    // Bound to a notification with IRQSetIRQHandler, the line signals it.
    const ntfn = new Notification();
    w.put(NTFN, notificationCap(ntfn, 0x40n));
    w.invoke("IRQSetIRQHandler", { cap: 60n, args: { notification: NTFN } });
    w.expectSuccess();
    handleInterrupt(w.sim.k, w.sim.k.irqs, 33);
    expect(ntfn.word).toBe(0x40n);
    // Revoking the control cap deletes the handler: the line is inactive again and masked.
    w.invoke("CNodeRevoke", { args: { index: CONTROL, depth: D } });
    w.expectSuccess();
    expect(w.at(60n).type).toBe("null");
    expect(w.sim.k.irqs.isActive(33)).toBe(false);
    expect(w.sim.host.irqStates).toEqual(["enable 33 unchanged", "disable 33"]);
  });

  it("GetTrigger sets the trigger: non-zero is edge", () => {
    const w = world(arch);
    w.invoke(getTrigger, { cap: CONTROL, args: { irq: 10n, trigger: 1n, root: CN, index: 60n, depth: D } });
    w.expectSuccess();
    w.invoke(getTrigger, { cap: CONTROL, args: { irq: 11n, trigger: 0n, root: CN, index: 61n, depth: D } });
    w.expectSuccess();
    expect(w.sim.host.irqStates).toEqual(["enable 10 edge", "enable 11 level"]);
  });

  it("errors in seL4's order: truncated, out of range, already taken (RevokeFirst), bad slot", () => {
    const w = world(arch);
    const get = (irq: bigint, index = 60n, o: { length?: number; extraCaps?: number } = {}) =>
      w.invoke("IRQIssueIRQHandler", { cap: CONTROL, args: { irq, root: CN, index, depth: D }, ...o });
    get(5n, 60n, { length: 2 });
    w.expectError("seL4_TruncatedMessage");
    get(5n, 60n, { extraCaps: 0 });
    w.expectError("seL4_TruncatedMessage");
    w.invoke(getTrigger, { cap: CONTROL, args: { irq: 5n, trigger: 0n, root: CN, index: 60n, depth: D }, length: 3 });
    w.expectError("seL4_TruncatedMessage");
    const min = arch === "aarch64" ? 0n : 1n;
    get(max + 1n);
    w.expectError("seL4_RangeError", [min, max]);
    get(max, 62n);
    w.expectSuccess();
    get(0n, 63n);
    if (arch === "riscv64") w.expectError("seL4_RangeError", [1n, max]);
    else w.expectSuccess();
    get(max);
    w.expectError("seL4_RevokeFirst");
    get(7n, 62n); // occupied
    w.expectError("seL4_DeleteFirst");
    w.invoke("IRQIssueIRQHandler", { cap: CONTROL, args: { irq: 7n, root: CN, index: 60n, depth: 0n } });
    w.expectError("seL4_RangeError", [1n, 64n]);
    w.invoke("IRQAckIRQ", { cap: CONTROL, args: {} });
    w.expectError("seL4_IllegalOperation");
  });

  it("the control cap cannot be copied; a handler can, and deleting a copy keeps the line", () => {
    const w = world(arch);
    w.invoke("CNodeCopy", { args: { dest_index: 60n, dest_depth: D, src_root: CN, src_index: CONTROL, src_depth: D, rights: rightsWord(arch, rights({ read: true, write: true, grant: true, grantReply: true })) } });
    w.expectError("seL4_IllegalOperation");
    w.invoke("IRQIssueIRQHandler", { cap: CONTROL, args: { irq: 20n, root: CN, index: 60n, depth: D } });
    w.invoke("CNodeCopy", { args: { dest_index: 61n, dest_depth: D, src_root: CN, src_index: 60n, src_depth: D, rights: rightsWord(arch, { read: true }) } });
    w.expectSuccess();
    w.invoke("CNodeDelete", { args: { index: 61n, depth: D } });
    expect(w.sim.k.irqs.isActive(20)).toBe(true);
    w.invoke("CNodeDelete", { args: { index: 60n, depth: D } });
    expect(w.sim.k.irqs.isActive(20)).toBe(false);
  });

  it("IRQSetIRQHandler needs a notification the caller may signal", () => {
    const w = world(arch);
    w.invoke("IRQIssueIRQHandler", { cap: CONTROL, args: { irq: 20n, root: CN, index: 60n, depth: D } });
    w.put(NTFN, notificationCap(new Notification(), 0n, rights({ read: true })));
    w.invoke("IRQSetIRQHandler", { cap: 60n, args: { notification: NTFN } });
    w.expectError("seL4_InvalidCapability", [0n]);
    w.invoke("IRQSetIRQHandler", { cap: 60n, args: { notification: CONTROL } });
    w.expectError("seL4_InvalidCapability", [0n]);
    w.invoke("IRQSetIRQHandler", { cap: 60n, args: { notification: NTFN }, extraCaps: 0 });
    w.expectError("seL4_TruncatedMessage");
  });

  it("DebugCapIdentify: IRQ control is capType 14", () => {
    const w = world(arch);
    w.sim.trap(w.pd, "seL4_SysDebugCapIdentify", { cap: CONTROL });
    expect(w.sim.badge(w.pd)).toBe(14n);
  });
});

// AArch64 VSpace cache maintenance (seL4 decodeARMVSpaceRootInvocation): the range is checked as
// seL4 checks it (end after start, inside user space, a valid root whose ASID still names it, within
// one frame) and then nothing is done: the emulated machine has no caches. A range starting where
// nothing is mapped succeeds silently. The EL1 (non-hypervisor) kernel also refuses to invalidate
// through a mapping without write right; that config is reached by switching the hypervisor flag.
import { describe, expect, it } from "vitest";
import { kernelAbi } from "../../../kernel/abi.js";
import { Kernel } from "../../../kernel/kernel.js";
import { decodeVSpaceRootInvocation } from "../../../kernel/objects/vspace-root.js";
import type { InvocationContext } from "../../../kernel/invocation.js";
import { rightsWord } from "../cnode-world.js";
import { RecordingHost, invocationLabel } from "../harness.js";
import { VS, VSpaceWorld } from "../vspace-world.js";

const VA = 0x20_0000_0000n;
const OPS = ["VSpaceClean_Data", "VSpaceInvalidate_Data", "VSpaceCleanInvalidate_Data", "VSpaceUnify_Instruction"];

function mapped(): VSpaceWorld & { frame: bigint } {
  const w = new VSpaceWorld("aarch64");
  w.newTable(VA);
  w.newTable(VA);
  const frame = w.retype(w.typeName("small"));
  w.pageMap(frame, VA);
  w.expectSuccess();
  return Object.assign(w, { frame });
}

describe.each(OPS)("ARM%s", (op) => {
  it("succeeds within one mapped frame, and where nothing is mapped; the machine is not told anything", () => {
    const w = mapped();
    w.backend.take();
    w.call(op, VS, { start: VA + 0x10n, end: VA + 0x1000n });
    w.expectSuccess();
    w.call(op, VS, { start: 0x30_0000_0000n, end: 0x30_0010_0000n });
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
  });

  it("errors in seL4's order: truncated, empty range, beyond user top, bad root, lost ASID, across frames", () => {
    const w = mapped();
    w.call(op, VS, { start: VA, end: VA + 8n }, { length: 1 });
    w.expectError("seL4_TruncatedMessage");
    w.call(op, VS, { start: VA + 8n, end: VA + 8n });
    w.expectError("seL4_InvalidArgument", [1n]);
    // end may be the last user address 0xffffffffff but not beyond it; checked before the root.
    w.call(op, VS, { start: VA, end: 0x100_0000_0000n });
    w.expectError("seL4_IllegalOperation");
    const unassigned = w.retype(w.typeName("vspace"));
    w.call(op, unassigned, { start: VA, end: VA + 8n });
    w.expectError("seL4_InvalidCapability", [0n]);
    // Ends one byte into the next (unmapped) page of the same walk: the frame at start bounds it.
    w.call(op, VS, { start: VA + 0xff8n, end: VA + 0x1001n });
    w.expectError("seL4_RangeError", [VA + 0xff8n, VA + 0xfffn]);
    w.sim.k.asidTable[0] = undefined;
    w.call(op, VS, { start: VA, end: VA + 8n });
    w.expectFailedLookup("InvalidRoot");
  });
});

describe("VSpace cache maintenance at EL1 (no hypervisor)", () => {
  it("Invalidate_Data needs a read-write mapping; the other operations do not", () => {
    const w = mapped();
    w.pageMap(w.frame, VA, rightsWord("aarch64", { read: true })); // remap read-only
    w.expectSuccess();
    const hyp = w.sim.abi;
    const el1 = Object.freeze({ ...hyp, vm: Object.freeze({ ...hyp.vm, hypervisor: false }) });
    const k = new Kernel(el1, new RecordingHost());
    k.asidTable[0] = w.sim.k.asidTable[0];
    const cap = w.at(VS);
    if (cap.type !== "vspace") throw new Error("no VSpace cap");
    // Decode reads start and end from MR0 and MR1 (the registers).
    const ctx = (label: string): InvocationContext => {
      w.sim.setReg(w.pd, w.sim.roles.mrs[0]!, VA);
      w.sim.setReg(w.pd, w.sim.roles.mrs[1]!, VA + 0x40n);
      return { thread: w.pd.tcb, label: invocationLabel("aarch64", label), length: 2, isBlocking: true, isCall: true, canDonate: true, firstPhase: false, extraCaps: [], slot: { cnode: w.pd.cnode, index: Number(VS) } };
    };
    expect(decodeVSpaceRootInvocation(k, ctx("ARMVSpaceInvalidate_Data"), cap)).toEqual({ ok: false, error: { type: "seL4_IllegalOperation" } });
    expect(decodeVSpaceRootInvocation(k, ctx("ARMVSpaceClean_Data"), cap)).toEqual({ ok: true, invocation: { kind: "VSpaceFlush" } });
    expect(decodeVSpaceRootInvocation(w.sim.k, ctx("ARMVSpaceInvalidate_Data"), cap)).toEqual({ ok: true, invocation: { kind: "VSpaceFlush" } });
    expect(kernelAbi("aarch64").vm.hypervisor).toBe(true);
  });
});

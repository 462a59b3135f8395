// The debug kernel's line for a refused invocation (kernel/user-error.ts): seL4's frame around our
// words, the thread's tcb_t pointer, name and pc; nothing from a kernel built without printing.
import { describe, expect, test } from "vitest";
import { describeError } from "../../kernel/user-error.js";
import { recordObjectRegion } from "../../kernel/objects/untyped.js";
import { CNode } from "../../kernel/objects/cnode.js";
import { IRQHandler } from "../../kernel/objects/interrupt.js";
import { ARCHES, Sim, invocationLabel, msgInfo } from "./harness.js";

test("each error says what went wrong and names seL4's error", () => {
  expect(describeError({ type: "seL4_InvalidArgument", argument: 2 }, "tcb")).toBe("argument 2 is invalid (InvalidArgument)");
  expect(describeError({ type: "seL4_RangeError", min: 0n, max: 0x7fff_ffffn }, "sched_control")).toBe("an argument is outside 0..0x7fffffff (RangeError)");
  expect(describeError({ type: "seL4_NotEnoughMemory", memoryLeft: 4096n }, "untyped")).toBe("the untyped has only 4096 bytes free (NotEnoughMemory)");
  expect(describeError({ type: "seL4_FailedLookup", source: true, lookup: { type: "DepthMismatch", bitsLeft: 12, bitsFound: 9 } }, "cnode"))
    .toBe("a source lookup failed: the depth does not match the CNodes on the way (12 bits left, a CNode of 9 bits found) (FailedLookup)");
});

describe.each(ARCHES)("a refused invocation (%s)", (arch) => {
  const CAP = 20n;

  test("a Call with a TCB label on an IRQ handler cap: the line names the object, label, thread and pc", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("client");
    recordObjectRegion(pd.tcb, { base: 0x4100_0000n, sizeBits: 11 });
    sim.give(pd, CAP, { type: "irq_handler", object: new IRQHandler(40) });
    sim.start(pd);
    const pc = sim.pc(pd);
    sim.trap(pd, "seL4_SysCall", { cap: CAP, info: msgInfo(arch, { label: invocationLabel(arch, "TCBSuspend"), length: 0 }) });
    expect(sim.host.lines).toHaveLength(1);
    expect(sim.host.lines[0]).toMatch(new RegExp(`^<<seL4\\(CPU 0\\) \\[TCBSuspend T0x[0-9a-f]+ "client" @${pc.toString(16)}\\]: illegal on an irq_handler cap, or in its state \\(IllegalOperation\\)>>$`));
  });

  test("invoking an empty slot says so, with the cptr", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("client");
    sim.start(pd);
    sim.trap(pd, "seL4_SysCall", { cap: CAP, info: msgInfo(arch, { label: invocationLabel(arch, "TCBSuspend"), length: 0 }) });
    expect(sim.host.lines).toEqual([`<<seL4(CPU 0) [invocation T0 "client" @${(sim.pc(pd) - 4n).toString(16)}]: cap 20 is an empty slot (InvalidCapability)>>`]);
  });

  test("a CNode invocation with too short a message names the CNode method and TruncatedMessage", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("client");
    sim.give(pd, CAP, { type: "cnode", object: new CNode(4), guard: 0n, guardSize: 0 });
    sim.start(pd);
    sim.trap(pd, "seL4_SysCall", { cap: CAP, info: msgInfo(arch, { label: invocationLabel(arch, "CNodeCopy"), length: 0 }) });
    expect(sim.host.lines.at(-1)).toMatch(/\[CNodeCopy T.*\(TruncatedMessage\)>>$/);
  });
});

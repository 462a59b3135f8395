// Deleting the last cap to a thread or a scheduling context (seL4 src/object/objecttype.c
// finaliseCap: schedContext_unbindTCB and suspend both take the thread out of the release queue).
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import type { Cap } from "../../kernel/cap.js";
import { cteDelete, insertOriginalCap } from "../../kernel/cspace.js";
import { ARCHES, Sim } from "./harness.js";
import { timedThread } from "./time-world.js";

/** high (100 us every 1000 us) has used its budget and waits in the release queue; low runs. */
function waitingForRefill(arch: Arch) {
  const sim = new Sim(arch);
  const high = timedThread(sim, "high", 200, 100n, 1000n);
  const low = timedThread(sim, "low", 100, 1000n, 1000n);
  expect(sim.start(high, low)).toBe(high.tcb);
  expect(sim.k.kernelEntry(sim.k.timerDeadlineNs()!, false)).toBe(false);
  expect(sim.k.schedule()).toBe(low.tcb);
  expect(sim.k.releaseQueue).toEqual([high.tcb]);
  return { sim, high, low };
}

/** Puts `cap` as an original in a CNode nobody else uses and deletes it: the last cap to its object. */
function deleteLast(sim: Sim, cap: Cap): void {
  const cnode = sim.thread("holder").cnode;
  insertOriginalCap({ cnode, index: 5 }, cap);
  cteDelete(sim.k, { cnode, index: 5 });
}

describe.each(ARCHES)("deleting a thread or SC that waits for a refill (%s)", (arch) => {
  it("the last SC cap: the thread leaves the release queue and the scheduler goes on", () => {
    const { sim, high, low } = waitingForRefill(arch);
    const sc = high.own;
    deleteLast(sim, { type: "sched_context", object: sc });
    expect([high.tcb.sc, sc.tcb, high.tcb.inReleaseQueue]).toEqual([undefined, undefined, false]);
    expect(sim.k.releaseQueue).toEqual([]);
    expect(sim.k.nextReleaseNs()).toBeUndefined();
    expect(sim.k.kernelEntry(500_000n, false)).toBe(true);
    expect(sim.k.schedule()).toBe(low.tcb);
  });

  it("the last TCB cap: the thread is suspended, out of the release queue, its SC unbound", () => {
    const { sim, high, low } = waitingForRefill(arch);
    deleteLast(sim, { type: "tcb", object: high.tcb });
    expect([high.tcb.state, high.tcb.sc, high.own.tcb, high.tcb.inReleaseQueue]).toEqual(["Inactive", undefined, undefined, false]);
    expect(sim.k.releaseQueue).toEqual([]);
    expect(sim.k.kernelEntry(500_000n, false)).toBe(true);
    expect(sim.k.schedule()).toBe(low.tcb);
  });
});

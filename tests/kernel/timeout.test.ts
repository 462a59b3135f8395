// Timeout faults (MCS; seL4 src/kernel/thread.c endTimeslice, src/kernel/faulthandler.c
// handleTimeout / sendFaultIPC, src/api/faults.c setMRs_fault and handleFaultReply for
// seL4_Fault_Timeout, src/kernel/thread.c doReplyTransfer). Label, length and MR names come from
// <arch>.json faults.types.seL4_Fault_Timeout and faults.timeout_reply_registers.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { ARCHES, Endpoint, Sim, archJson, endpointCap, faultType, msgInfo, rights } from "./harness.js";
import { INPUT, REPLY, ns, precision, ticks, timedThread } from "./time-world.js";

const SC_BADGE = 0x142n;
const EP_BADGE = 0x99n;

describe.each(ARCHES)("timeout faults (%s)", (arch: Arch) => {
  const timeout = faultType(arch, "seL4_Fault_Timeout");

  /** t: 100 us per 1000 us with a timeout endpoint (or not); handler waits on it; idle is a round-robin filler. */
  function world(o: { roundRobin?: boolean; timeoutEndpoint?: boolean } = {}) {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const handler = sim.thread("handler", { priority: 250 });
    sim.give(handler, INPUT, endpointCap(ep));
    const t = o.roundRobin === true ? timedThread(sim, "t", 200, 100n, 100n, SC_BADGE) : timedThread(sim, "t", 200, 100n, 1000n, SC_BADGE);
    if (o.timeoutEndpoint ?? true) t.tcb.timeoutHandler = endpointCap(ep, EP_BADGE, rights({ write: true, grantReply: true }));
    const filler = timedThread(sim, "filler", 1, 1000n, 1000n);
    expect(sim.start(handler, t, filler)).toBe(handler.tcb);
    expect(sim.trap(handler, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(t.tcb);
    const end = ticks(arch, 100n) - precision(arch);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, end));
    return { sim, handler, t, filler, end };
  }

  it("a sporadic thread that uses up its budget sends Timeout: SC badge, consumed microseconds", () => {
    const { sim, handler, t, end } = world();
    expect(sim.k.kernelEntry(ns(arch, end), false)).toBe(false);
    expect(sim.k.schedule()).toBe(handler.tcb);
    expect(timeout.mrs).toEqual({ "0": "Data", "1": "Consumed" });
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: timeout.label, length: 2 }));
    expect(sim.badge(handler)).toBe(EP_BADGE);
    // 100 us on AArch64; RISC-V's deadline comes 1 us early, at 99 us.
    expect(sim.fastMrs(handler).slice(0, 2)).toEqual([SC_BADGE, { aarch64: 100n, riscv64: 99n }[arch]]);
    expect(t.tcb.state).toBe("BlockedOnReply");
    expect(t.tcb.inReleaseQueue).toBe(false);
    // Reading Consumed reset the SC's count.
    expect(t.own.consumed).toBe(0n);
  });

  it("a reply with label 0 restarts the thread at the MR0 pc with MR1 in the next user-context register; without budget it waits for its refill", () => {
    const { sim, handler, t, filler, end } = world();
    sim.k.kernelEntry(ns(arch, end), false);
    expect(sim.k.schedule()).toBe(handler.tcb);
    const second = archJson(arch)["registers"]["seL4_UserContext"][1] as string; // sp on AArch64, ra on RISC-V
    expect(archJson(arch)["faults"]["timeout_reply_registers"]["0"]).toBe("FaultIP");
    const next = sim.trap(handler, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: 0n, length: 2 }), mrs: [0x4000n, 0x8000n] });
    expect(t.tcb.state).toBe("Restart");
    expect(t.tcb.restartPc).toBe(0x4000n);
    expect(sim.k.getReg(t.tcb, second)).toBe(0x8000n);
    // Its refill is a period away: no second timeout fault for a timeout reply, it is postponed.
    expect(t.tcb.inReleaseQueue).toBe(true);
    expect(next).toBe(filler.tcb);
  });

  it("a round-robin thread with a timeout endpoint gets no fault: it is refilled and requeued", () => {
    const { sim, handler, t } = world({ roundRobin: true });
    const end = ticks(arch, 100n) - precision(arch);
    expect(sim.k.kernelEntry(ns(arch, end), false)).toBe(false);
    expect(sim.k.schedule()).toBe(t.tcb);
    expect(handler.tcb.state).toBe("BlockedOnReceive");
    expect(t.tcb.pendingFault).toBeUndefined();
  });

  it("a sporadic thread without a timeout endpoint waits in the release queue, no message", () => {
    const { sim, handler, t, filler, end } = world({ timeoutEndpoint: false });
    expect(sim.k.kernelEntry(ns(arch, end), false)).toBe(false);
    expect(sim.k.schedule()).toBe(filler.tcb);
    expect(handler.tcb.state).toBe("BlockedOnReceive");
    expect(t.tcb.inReleaseQueue).toBe(true);
  });

  it("Yield never raises a timeout fault", () => {
    const { sim, handler, t, filler } = world();
    expect(sim.k.kernelEntry(10_000n, true)).toBe(true);
    expect(sim.trap(t, "seL4_SysYield")).toBe(filler.tcb);
    expect(handler.tcb.state).toBe("BlockedOnReceive");
    expect(t.tcb.inReleaseQueue).toBe(true);
  });
});

// MCS budgets: refills, the release queue and round robin (seL4 src/kernel/sporadic.c
// refill_budget_check / refill_unblock_check, src/kernel/thread.c chargeBudget / endTimeslice /
// postpone / awaken / setNextInterrupt, include/kernel/thread.h updateTimestamp / checkBudget /
// commitTime). The machine's part is played by hand: each kernel entry comes at a virtual time (ns),
// and a thread runs until the timer deadline the kernel programmed. Expected times and refills are
// worked out from the algorithm in the comments, in ticks of each board's timer.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { SchedContext } from "../../kernel/objects/schedcontext.js";
import { performSchedControlInvocation } from "../../kernel/objects/schedcontrol.js";
import { bindNotification } from "../../kernel/objects/notification.js";
import { ARCHES, Endpoint, Sim, archJson, endpointCap, notificationCap, rights, slot } from "./harness.js";
import { INPUT, OUT, minBudget, ns, precision, refillPairs, ticks, timedThread } from "./time-world.js";

const signal = (sim: Sim, pd: Parameters<Sim["trap"]>[0]) => sim.trap(pd, "seL4_SysSend", { cap: OUT, info: 0n });

describe.each(ARCHES)("time units (%s)", (arch: Arch) => {
  it("the timer frequency, MIN_BUDGET and precision the expectations below use", () => {
    const expected = { aarch64: [62_500_000n, 1250n, 0n], riscv64: [10_000_000n, 200n, 10n] }[arch];
    expect([BigInt(archJson(arch)["source"]["kernel_config_debug"]["TIMER_FREQUENCY"] as string), minBudget(arch), precision(arch)]).toEqual(expected);
  });
});

describe.each(ARCHES)("round robin (%s)", (arch: Arch) => {
  it("two equal-priority threads take turns of one budget each; the head is refilled, nothing is released later", () => {
    const sim = new Sim(arch);
    const a = timedThread(sim, "a", 100, 1000n, 1000n);
    const b = timedThread(sim, "b", 100, 1000n, 1000n);
    // The last thread made runnable is queued at the head (tcbSchedEnqueue).
    expect(sim.start(b, a)).toBe(a.tcb);
    const slice = ticks(arch, 1000n) - precision(arch);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, slice)); // 1 000 000 ns on AArch64, 999 000 on RISC-V
    expect(sim.k.kernelEntry(ns(arch, slice), false)).toBe(false); // head used up: chargeBudget
    expect(sim.k.schedule()).toBe(b.tcb);
    expect(sim.k.isQueued(a.tcb)).toBe(true);
    // Round robin: head := head + tail, the tail emptied; released at boot (0) as ever.
    expect(refillPairs(a.own)).toEqual([[0n, ticks(arch, 1000n)], [0n, 0n]]);
    expect(a.own.scPeriod).toBe(0n);
    expect(a.own.consumed).toBe(slice);
    expect(sim.k.releaseQueue).toEqual([]);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, 2n * slice));
    expect(sim.k.kernelEntry(ns(arch, 2n * slice), false)).toBe(false);
    expect(sim.k.schedule()).toBe(a.tcb);
  });

  it("a thread that blocks keeps what is left of its head for its next turn (commitTime)", () => {
    const sim = new Sim(arch);
    const a = timedThread(sim, "a", 100, 1000n, 1000n);
    const b = timedThread(sim, "b", 50, 1000n, 1000n);
    sim.give(b, OUT, notificationCap(a.ntfn, 1n, rights({ write: true })));
    expect(sim.start(a, b)).toBe(a.tcb);
    expect(sim.k.kernelEntry(300_000n, true)).toBe(true);
    expect(sim.trap(a, "seL4_SysWait", { cap: INPUT })).toBe(b.tcb);
    // 300 us moved from the head to the tail.
    expect(refillPairs(a.own)).toEqual([[0n, ticks(arch, 700n)], [0n, ticks(arch, 300n)]]);
    expect(sim.k.kernelEntry(500_000n, true)).toBe(true);
    expect(signal(sim, b)).toBe(a.tcb);
    // a may run 700 us from 500 us on (less the timer's precision).
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, ticks(arch, 1200n) - precision(arch)));
  });
});

describe.each(ARCHES)("sporadic budget and the release queue (%s)", (arch: Arch) => {
  /** high: 100 us every 1000 us; low: round robin. */
  function world() {
    const sim = new Sim(arch);
    const high = timedThread(sim, "high", 200, 100n, 1000n);
    const low = timedThread(sim, "low", 100, 1000n, 1000n);
    sim.give(low, OUT, notificationCap(high.ntfn, 1n, rights({ write: true })));
    return { sim, high, low };
  }

  it("a used-up SC waits in the release queue for its refill, then preempts the lower thread", () => {
    const { sim, high, low } = world();
    expect(sim.start(high, low)).toBe(high.tcb);
    expect(refillPairs(high.own)).toEqual([[0n, ticks(arch, 100n)]]);
    expect(high.own.scPeriod).toBe(ticks(arch, 1000n));
    // Deadline: 0 + head amount - precision.
    const end = { aarch64: 6250n, riscv64: 990n }[arch];
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, end));
    expect(sim.k.kernelEntry(ns(arch, end), false)).toBe(false);
    // AArch64: the whole head (6250) was used: it moves a period on, to 62500.
    // RISC-V: 990 of 1000 used: the head keeps 10 at 990 and 990 come back at 0 + 10000; 10 < MIN_BUDGET,
    // so the head merges into the next refill, which starts 10 earlier: 1000 at 9990.
    const refill = { aarch64: [[62_500n, 6250n]], riscv64: [[9990n, 1000n]] }[arch];
    expect(refillPairs(high.own)).toEqual(refill);
    expect(high.tcb.inReleaseQueue).toBe(true);
    expect(sim.k.releaseQueue).toEqual([high.tcb]);
    expect(sim.k.isSchedulable(high.tcb)).toBe(false);
    expect(sim.k.schedule()).toBe(low.tcb);
    const release = { aarch64: 1_000_000n, riscv64: 999_000n }[arch];
    expect(sim.k.nextReleaseNs()).toBe(release);
    // The release comes before low's budget ends, so it is the next timer deadline, less the
    // precision: on RISC-V the interrupt comes 1 us early, finds nothing released, and fires again
    // at once (the next tick) until the release time.
    const fire = { aarch64: 62_500n, riscv64: 9980n }[arch];
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, fire));
    if (precision(arch) > 0n) {
      expect(sim.k.kernelEntry(ns(arch, fire), false)).toBe(true);
      expect(sim.k.schedule()).toBe(low.tcb);
      expect(high.tcb.inReleaseQueue).toBe(true);
      expect(sim.k.timerDeadlineNs()).toBe(ns(arch, fire + 1n));
    }
    expect(sim.k.kernelEntry(release, false)).toBe(true);
    expect(sim.k.schedule()).toBe(high.tcb);
    expect(high.tcb.inReleaseQueue).toBe(false);
    expect(sim.k.isQueued(low.tcb)).toBe(true);
    // low ran from `end` to `release`: billed to its round-robin refills.
    const lowUsed = { aarch64: 56_250n, riscv64: 9000n }[arch];
    expect(refillPairs(low.own)).toEqual([[0n, ticks(arch, 1000n) - lowUsed], [0n, lowUsed]]);
    // high runs its 100 us from the release on.
    expect(sim.k.timerDeadlineNs()).toBe({ aarch64: 1_100_000n, riscv64: 1_098_000n }[arch]);
  });

  it("blocking splits the head: the used part returns a period after it began (refill_budget_check)", () => {
    const { sim, high, low } = world();
    expect(sim.start(high, low)).toBe(high.tcb);
    expect(sim.k.kernelEntry(30_000n, true)).toBe(true);
    expect(sim.trap(high, "seL4_SysWait", { cap: INPUT })).toBe(low.tcb);
    // 30 us used from a head released at 0: head (30 us, 70 us), used (1000 us, 30 us).
    expect(refillPairs(high.own)).toEqual([[ticks(arch, 30n), ticks(arch, 70n)], [ticks(arch, 1000n), ticks(arch, 30n)]]);
    expect(sim.k.kernelEntry(500_000n, true)).toBe(true);
    expect(signal(sim, low)).toBe(high.tcb);
    // refill_unblock_check: the ready head starts now; the later refill does not overlap it.
    expect(refillPairs(high.own)).toEqual([[ticks(arch, 500n), ticks(arch, 70n)], [ticks(arch, 1000n), ticks(arch, 30n)]]);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, ticks(arch, 570n) - precision(arch)));
  });

  it("Yield gives up the rest of the head: the thread waits a period, its consumed time counts only what it ran", () => {
    const { sim, high, low } = world();
    expect(sim.start(high, low)).toBe(high.tcb);
    expect(sim.k.kernelEntry(40_000n, true)).toBe(true);
    expect(sim.trap(high, "seL4_SysYield")).toBe(low.tcb);
    expect(refillPairs(high.own)).toEqual([[ticks(arch, 1000n), ticks(arch, 100n)]]);
    expect(high.tcb.inReleaseQueue).toBe(true);
    expect(high.own.consumed).toBe(ticks(arch, 40n));
    expect(sim.k.nextReleaseNs()).toBe(1_000_000n);
  });

  it("a syscall made with less than MIN_BUDGET left is not performed: the thread restarts it after its refill", () => {
    const { sim, high, low } = world();
    expect(sim.start(high, low)).toBe(high.tcb);
    // 90 of 100 us used: 10 us < MIN_BUDGET (20 us) left.
    expect(sim.k.kernelEntry(90_000n, true)).toBe(false);
    expect(high.tcb.state).toBe("Restart");
    expect(high.tcb.inReleaseQueue).toBe(true);
    expect(sim.k.schedule()).toBe(low.tcb);
  });
});

describe.each(ARCHES)("SchedControlConfigureFlags refills (%s)", (arch: Arch) => {
  const configure = (sim: Sim, sc: SchedContext, budget: bigint, period: bigint, extra = 0) =>
    performSchedControlInvocation(sim.k, { kind: "SchedControlConfigureFlags", sc, budget, period, maxRefills: 2 + extra, badge: 7n, flags: 0n });

  it("budget == period: round robin, scPeriod 0, head and empty tail released now", () => {
    const sim = new Sim(arch);
    sim.k.updateTimestamp(2_000_000n);
    const sc = new SchedContext(0n, 0n, 0n);
    configure(sim, sc, 500n, 500n, 3);
    const now = ticks(arch, 2000n);
    expect([sc.scPeriod, sc.refillMax, refillPairs(sc)]).toEqual([0n, 2, [[now, ticks(arch, 500n)], [now, 0n]]]);
  });

  it("budget < period: one refill of the whole budget from now, up to 2 + extra refills", () => {
    const sim = new Sim(arch);
    sim.k.updateTimestamp(2_000_000n);
    const sc = new SchedContext(0n, 0n, 0n);
    configure(sim, sc, 300n, 5000n, 3);
    expect([sc.scPeriod, sc.refillMax, refillPairs(sc)]).toEqual([ticks(arch, 5000n), 5, [[ticks(arch, 2000n), ticks(arch, 300n)]]]);
  });

  it("a running thread's SC keeps its window: the part of a bigger budget not in the head comes a period later (refill_update)", () => {
    const sim = new Sim(arch);
    const t = timedThread(sim, "t", 100, 100n, 1000n);
    expect(sim.start(t)).toBe(t.tcb);
    configure(sim, t.own, 300n, 2000n);
    expect(refillPairs(t.own)).toEqual([[0n, ticks(arch, 100n)], [ticks(arch, 2000n), ticks(arch, 200n)]]);
  });
});

describe.each(ARCHES)("a sporadic SC woken by IPC starts its ready head now (refill_unblock_check) (%s)", (arch: Arch) => {
  const EP = 30n;
  /** high: 100 us every 1000 us, scSporadic; it runs 30 us, then blocks as `block` makes it; low wakes it at 500 us with `wake`. */
  function wokenAt500us(block: (sim: Sim, high: ReturnType<typeof timedThread>) => void, wake: (sim: Sim, low: ReturnType<typeof timedThread>) => void) {
    const sim = new Sim(arch);
    const high = timedThread(sim, "high", 200, 100n, 1000n);
    high.own.sporadic = true;
    const low = timedThread(sim, "low", 100, 1000n, 1000n);
    const ep = new Endpoint();
    sim.give(high, EP, endpointCap(ep));
    sim.give(low, EP, endpointCap(ep));
    sim.give(low, OUT, notificationCap(high.ntfn, 1n, rights({ write: true })));
    expect(sim.start(high, low)).toBe(high.tcb);
    expect(sim.k.kernelEntry(30_000n, true)).toBe(true);
    block(sim, high);
    expect(sim.k.current).toBe(low.tcb);
    expect(refillPairs(high.own)).toEqual([[ticks(arch, 30n), ticks(arch, 70n)], [ticks(arch, 1000n), ticks(arch, 30n)]]);
    expect(sim.k.kernelEntry(500_000n, true)).toBe(true);
    wake(sim, low);
    expect(refillPairs(high.own)).toEqual([[ticks(arch, 500n), ticks(arch, 70n)], [ticks(arch, 1000n), ticks(arch, 30n)]]);
  }

  it("a signal to the notification it waits on", () => {
    wokenAt500us((sim, high) => sim.trap(high, "seL4_SysWait", { cap: INPUT }), (sim, low) => signal(sim, low));
  });

  it("a message to the endpoint it receives on", () => {
    wokenAt500us((sim, high) => sim.trap(high, "seL4_SysRecv", { cap: EP, reply: slot("REPLY_CAP") }), (sim, low) => sim.trap(low, "seL4_SysSend", { cap: EP, info: 0n }));
  });

  it("a receiver taking the message it was blocked sending", () => {
    wokenAt500us((sim, high) => sim.trap(high, "seL4_SysSend", { cap: EP, info: 0n }), (sim, low) => sim.trap(low, "seL4_SysRecv", { cap: EP, reply: slot("REPLY_CAP") }));
  });

  it("a signal to its bound notification while it receives on an endpoint", () => {
    wokenAt500us((sim, high) => {
      bindNotification(high.tcb, high.ntfn);
      sim.trap(high, "seL4_SysRecv", { cap: EP, reply: slot("REPLY_CAP") });
    }, (sim, low) => signal(sim, low));
  });
});

// The domain scheduler (MCS; seL4 src/kernel/thread.c schedule / scheduleChooseNewThread /
// nextDomain / setDomain / setNextInterrupt, include/kernel/thread.h updateTimestamp /
// checkDomainTime / checkBudget, src/object/domain.c). Durations are timer ticks, as ksDomSchedule
// holds them in the MCS kernel. The debug config has 16 domains (<arch>.json kernel_config_debug).
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { ARCHES, Sim, archJson } from "./harness.js";
import { ns, precision, ticks, timedThread } from "./time-world.js";

describe.each(ARCHES)("domains (%s)", (arch: Arch) => {
  it("the debug config has more than one domain, so domain time is accounted", () => {
    expect(archJson(arch)["source"]["kernel_config_debug"]["NUM_DOMAINS"]).toBe("16");
    expect(new Sim(arch).k.numDomains).toBe(16);
  });

  it("without a schedule every thread is in domain 0, which lasts 2^56 - 1 ticks: the deadline is the budget's", () => {
    const sim = new Sim(arch);
    const a = timedThread(sim, "a", 100, 1000n, 1000n);
    expect(sim.start(a)).toBe(a.tcb);
    expect([a.tcb.domain, sim.k.curDomain]).toEqual([0, 0]);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, ticks(arch, 1000n) - precision(arch)));
  });

  /** a in domain 0, b in domain 1, same priority; schedule 0 for 1000 us, 1 for 2000 us. */
  function world() {
    const sim = new Sim(arch);
    const a = timedThread(sim, "a", 100, 1000n, 1000n);
    const b = timedThread(sim, "b", 100, 1000n, 1000n);
    sim.k.setDomain(b.tcb, 1);
    sim.k.setDomainSchedule([{ domain: 0, duration: ticks(arch, 1000n) }, { domain: 1, duration: ticks(arch, 2000n) }]);
    return { sim, a, b };
  }

  it("only the current domain's threads run; the schedule switches when a domain's time is used", () => {
    const { sim, a, b } = world();
    expect(sim.start(a, b)).toBe(a.tcb);
    expect(sim.k.curDomain).toBe(0);
    // The budget and the domain both end after 1000 us (less the precision).
    const t1 = ticks(arch, 1000n) - precision(arch);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, t1));
    // Elapsed + MIN_BUDGET >= what is left of the domain: its time is over.
    expect(sim.k.kernelEntry(ns(arch, t1), false)).toBe(false);
    expect(sim.k.schedule()).toBe(b.tcb);
    expect(sim.k.curDomain).toBe(1);
    expect(sim.k.domainTime).toBe(ticks(arch, 2000n));
    expect(sim.k.isQueued(a.tcb)).toBe(true);
    // b's budget ends first (1000 us); alone in domain 1, it goes on after its refill.
    const t2 = t1 + ticks(arch, 1000n) - precision(arch);
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, t2));
    expect(sim.k.kernelEntry(ns(arch, t2), false)).toBe(false);
    expect(sim.k.schedule()).toBe(b.tcb);
    expect(sim.k.domainTime).toBe(ticks(arch, 2000n) - (t2 - t1));
    // Next: b's budget again or domain 1's end (2000 us after it began), whichever is first, less the
    // precision. Both at 3000 us on AArch64; on RISC-V the budget (2997 us), and with 2 us of domain
    // left (< elapsed + MIN_BUDGET) domain 1 is over there too.
    const t3 = arch === "aarch64" ? ticks(arch, 3000n) : ticks(arch, 2997n);
    expect(t3).toBe(t2 + ticks(arch, 1000n) - precision(arch) < t1 + ticks(arch, 2000n) - precision(arch) ? t2 + ticks(arch, 1000n) - precision(arch) : t1 + ticks(arch, 2000n) - precision(arch));
    expect(sim.k.timerDeadlineNs()).toBe(ns(arch, t3));
    sim.k.kernelEntry(ns(arch, t3), false);
    expect(sim.k.schedule()).toBe(a.tcb);
    expect(sim.k.curDomain).toBe(0);
  });

  it("a syscall with less than MIN_BUDGET of domain time left is not performed: it restarts in the domain's next turn", () => {
    const { sim, a, b } = world();
    expect(sim.start(a, b)).toBe(a.tcb);
    // 990 us of 1000: 10 us left < MIN_BUDGET (20 us).
    expect(sim.k.kernelEntry(990_000n, true)).toBe(false);
    expect(a.tcb.state).toBe("Restart");
    expect(sim.k.schedule()).toBe(b.tcb);
    expect(sim.k.isQueued(a.tcb)).toBe(true);
  });

  it("a thread of another domain woken up is queued, not switched to; setDomain on the current thread reschedules", () => {
    const { sim, a, b } = world();
    expect(sim.start(a)).toBe(a.tcb);
    sim.k.makeRunnable(b.tcb);
    expect(sim.k.schedule()).toBe(a.tcb);
    expect(sim.k.isQueued(b.tcb)).toBe(true);
    sim.k.setDomain(a.tcb, 1);
    expect(sim.k.schedule()).toBeUndefined();
    expect(sim.k.hasPendingThreads()).toBe(true);
  });
});

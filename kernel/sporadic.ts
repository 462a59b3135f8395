// Sporadic-server refills of a scheduling context (seL4 src/kernel/sporadic.c, include/kernel/sporadic.h).
// A refill is an amount of budget (timer ticks) usable from a release time (timer ticks). The head
// refill is what the SC's thread runs on; used budget comes back one period after it was used. A
// round-robin SC (scPeriod 0, configured with budget == period) has exactly MIN_REFILLS refills: the
// head (left) and the tail (used), and is simply refilled when its time slice ends.
//
// seL4 keeps the refills in a circular buffer behind sched_context_t; here they are an array whose
// first element is the head and last the tail (refill_size = length, refill_full = length == scRefillMax).
import type { Kernel } from "./kernel.js";
import { threadFacts } from "./marshalling.js";
import type { SchedContext } from "./objects/schedcontext.js";
import { MIN_REFILLS, schedLimits, usToTicks } from "./objects/schedcontext.js";

export interface Refill {
  /** rTime: when the amount may be used (timer ticks). */
  rTime: bigint;
  /** rAmount: timer ticks of budget. */
  rAmount: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

// --- virtual time <-> timer ticks ------------------------------------------------------------

/**
 * Nanoseconds per tick when the frequency divides 10^9 (both QEMU boards' timers), else 0: then the
 * conversions below are one multiplication or division, as exact as the general formulas. The
 * kernel converts on every entry, so the last frequency's answer is kept.
 */
let factorHz = 0n;
let factor = 0n;
function nsPerTick(hz: bigint): bigint {
  if (hz !== factorHz) {
    factor = 1_000_000_000n % hz === 0n ? 1_000_000_000n / hz : 0n;
    factorHz = hz;
  }
  return factor;
}

/** The timer's count at virtual time `ns` (a counter at the timer frequency, started at 0 ns). */
export function nsToTicks(hz: bigint, ns: bigint): bigint {
  const f = nsPerTick(hz);
  if (f !== 0n && ns >= 0n) return ns / f;
  return (ns * hz) / 1_000_000_000n;
}

/** The first virtual time (ns) at which the timer's count reaches `ticks`. */
export function ticksToNs(hz: bigint, ticks: bigint): bigint {
  const f = nsPerTick(hz);
  if (f !== 0n && ticks >= 0n) return ticks * f;
  return (ticks * 1_000_000_000n + hz - 1n) / hz;
}

// --- limits (include/kernel/sporadic.h) --------------------------------------------------------

/** MIN_BUDGET in ticks. */
export function minBudget(k: Kernel): bigint {
  return schedLimits(k).minBudgetTicks;
}

/** MAX_RELEASE_TIME = UINT64_MAX - 5 * MAX_PERIOD_TICKS. */
function maxReleaseTime(k: Kernel): bigint {
  return U64_MAX - 5n * usToTicks(threadFacts(k.abi), schedLimits(k).maxPeriodUs);
}

// --- the refill queue --------------------------------------------------------------------------

/**
 * The SC's refills. An SC built configured (by the system builder, or a test) gets them on first
 * use from its budget and period in microseconds, released at boot (time 0), as refill_new would
 * have made them when the initial task configured it at boot.
 */
export function refills(k: Kernel, sc: SchedContext): Refill[] {
  if (sc.refills.length === 0 && sc.active) {
    const f = threadFacts(k.abi);
    const budget = usToTicks(f, sc.budget);
    const period = usToTicks(f, sc.period);
    const rr = budget === period;
    initRefills(sc, rr ? MIN_REFILLS : sc.refillMax, budget, rr ? 0n : period, 0n);
  }
  return sc.refills;
}

function head(k: Kernel, sc: SchedContext): Refill {
  return refills(k, sc)[0]!;
}

function tail(sc: SchedContext): Refill {
  return sc.refills[sc.refills.length - 1]!;
}

function full(sc: SchedContext): boolean {
  return sc.refills.length === sc.refillMax;
}

function single(sc: SchedContext): boolean {
  return sc.refills.length === 1;
}

/** isRoundRobin: scPeriod == 0. */
export function isRoundRobin(sc: SchedContext): boolean {
  return sc.scPeriod === 0n;
}

/** refill_head(sc)->rTime. */
export function headTime(k: Kernel, sc: SchedContext): bigint {
  return head(k, sc).rTime;
}

/** refill_head(sc)->rAmount. */
export function headAmount(k: Kernel, sc: SchedContext): bigint {
  return head(k, sc).rAmount;
}

/** refill_capacity: what is left of the head after `usage`. */
export function refillCapacity(k: Kernel, sc: SchedContext, usage: bigint): bigint {
  const amount = head(k, sc).rAmount;
  return usage > amount ? 0n : amount - usage;
}

/** refill_sufficient: at least MIN_BUDGET left of the head after `usage`. */
export function refillSufficient(k: Kernel, sc: SchedContext, usage: bigint): boolean {
  return refillCapacity(k, sc, usage) >= minBudget(k);
}

/** refill_ready: the head may be used now. */
export function refillReady(k: Kernel, sc: SchedContext): boolean {
  return head(k, sc).rTime <= k.curTime;
}

/** sc_released: active and its head ready. */
export function scReleased(k: Kernel, sc: SchedContext): boolean {
  return sc.active && refillReady(k, sc);
}

/** Sum of all refills (the SC's budget). */
export function refillSum(k: Kernel, sc: SchedContext): bigint {
  return refills(k, sc).reduce((s, r) => s + r.rAmount, 0n);
}

function maybeAddEmptyTail(sc: SchedContext): void {
  if (isRoundRobin(sc)) sc.refills.push({ rTime: sc.refills[0]!.rTime, rAmount: 0n });
}

function initRefills(sc: SchedContext, maxRefills: number, budget: bigint, period: bigint, now: bigint): void {
  sc.scPeriod = period;
  sc.refillMax = maxRefills;
  sc.refills = [{ rTime: now, rAmount: budget }];
  maybeAddEmptyTail(sc);
}

/** refill_new: the full budget is available from now. */
export function refillNew(k: Kernel, sc: SchedContext, maxRefills: number, budget: bigint, period: bigint): void {
  initRefills(sc, maxRefills, budget, period, k.curTime);
}

/** refill_update: new parameters for an SC in use, without exceeding the new budget in any window. */
export function refillUpdate(k: Kernel, sc: SchedContext, newPeriod: bigint, newBudget: bigint, newMaxRefills: number): void {
  const h = { ...head(k, sc) };
  sc.refills = [h];
  sc.refillMax = newMaxRefills;
  sc.scPeriod = newPeriod;
  if (h.rTime <= k.curTime) h.rTime = k.curTime;
  if (h.rAmount >= newBudget) {
    h.rAmount = newBudget;
    maybeAddEmptyTail(sc);
  } else {
    sc.refills.push({ rAmount: newBudget - h.rAmount, rTime: h.rTime + newPeriod });
  }
}

/** schedule_used: add a used amount at the tail, merging with the tail when they touch or the queue is full. */
function scheduleUsed(sc: SchedContext, used: Refill): void {
  const t = tail(sc);
  if (t.rTime + t.rAmount >= used.rTime) {
    t.rAmount += used.rAmount;
  } else if (!full(sc)) {
    sc.refills.push(used);
  } else {
    t.rTime = used.rTime - t.rAmount;
    t.rAmount += used.rAmount;
  }
}

/** refill_budget_check: charge `usage` ticks to a sporadic SC's refills (the head first). */
export function refillBudgetCheck(k: Kernel, sc: SchedContext, usage: bigint): void {
  if (isRoundRobin(sc)) throw new Error("refillBudgetCheck on a round-robin scheduling context");
  const limit = maxReleaseTime(k);
  // handle_overrun: whole head refills are charged and scheduled a period later.
  for (let h = head(k, sc); h.rAmount <= usage && h.rTime < limit; h = head(k, sc)) {
    usage -= h.rAmount;
    if (single(sc)) {
      h.rTime += sc.scPeriod;
    } else {
      const old = sc.refills.shift()!;
      scheduleUsed(sc, { rTime: old.rTime + sc.scPeriod, rAmount: old.rAmount });
    }
  }
  const h = head(k, sc);
  if (usage > 0n && h.rTime < limit) {
    const used = { rAmount: usage, rTime: h.rTime + sc.scPeriod };
    h.rAmount -= usage;
    h.rTime += usage;
    scheduleUsed(sc, used);
  }
  // The head must hold at least MIN_BUDGET: merge following refills into it (merge_nonoverlapping_head_refill).
  const min = minBudget(k);
  while (head(k, sc).rAmount < min) {
    const old = sc.refills.shift()!;
    const next = head(k, sc);
    next.rAmount += old.rAmount;
    next.rTime -= old.rAmount;
  }
}

/** refill_unblock_check: an SC whose head is ready starts it now and merges the refills that overlap it. */
export function refillUnblockCheck(k: Kernel, sc: SchedContext): void {
  if (isRoundRobin(sc)) return;
  if (!refillReady(k, sc)) return;
  head(k, sc).rTime = k.curTime;
  k.reprogram = true;
  while (!single(sc)) {
    const h = sc.refills[0]!;
    const next = sc.refills[1]!;
    if (next.rTime > h.rTime + h.rAmount) break;
    sc.refills.shift();
    next.rTime = h.rTime;
    next.rAmount += h.rAmount;
  }
}

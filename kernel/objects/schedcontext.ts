// Scheduling contexts (MCS): the right to run for `budget` per `period` (seL4 src/object/schedcontext.c,
// include/kernel/sporadic.h). `budget` and `period` record the microseconds the SC was configured
// with; what the scheduler uses are the refills (kernel/sporadic.ts) and scPeriod, in timer ticks, as
// seL4 keeps them. `consumed` is in timer ticks, as seL4's scConsumed is, and is converted to
// microseconds when a thread asks for it.
import { replyFromKernel } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import { threadFacts, type ThreadFacts } from "../marshalling.js";
import { refillReady, refillSufficient, refillUnblockCheck, type Refill } from "../sporadic.js";
import type { Notification } from "./notification.js";
import type { Reply } from "./reply.js";
import type { TCB } from "./tcb.js";

/** seL4 include/object/structures.h MIN_REFILLS: a round-robin SC has exactly this many refills. */
export const MIN_REFILLS = 2;

/**
 * getKernelWcetUs(): 10 µs on both Microkit qemu_virt boards (seL4 src/plat/qemu-arm-virt/config.cmake
 * KERNEL_WCET, include/arch/riscv/arch/machine/timer.h). Not in ../shared/abi, which has only the scale.
 */
const KERNEL_WCET_US = 10n;

export class SchedContext {
  tcb: TCB | undefined;
  notification: Notification | undefined;
  /** Timer ticks charged to this SC and not yet reported by SchedContextConsumed / YieldTo (scConsumed). */
  consumed = 0n;
  /** scRefillMax: 0 until configured (sc_active), MIN_REFILLS for round robin, else 1 + extra refills + 1. */
  refillMax: number;
  /** seL4_SchedContext_Sporadic was set by the last SchedControlConfigureFlags (scSporadic). */
  sporadic = false;
  /** scPeriod in timer ticks; 0 for a round-robin SC. Set with the refills (kernel/sporadic.ts). */
  scPeriod = 0n;
  /** The refill queue, head first; empty until configured in ticks (see sporadic.ts refills()). */
  refills: Refill[] = [];
  /** The thread that yielded to this SC's thread with SchedContextYieldTo and awaits its reply (scYieldFrom). */
  yieldFrom: TCB | undefined;
  /** The newest reply on this SC's call stack (scReply; kernel/objects/reply.ts). */
  reply: Reply | undefined;
  constructor(
    public budget: bigint,
    public period: bigint,
    public badge: bigint,
    /** Object size (capSCSizeBits); undefined means the size Microkit allocates. */
    readonly sizeBits?: number,
  ) {
    this.refillMax = budget > 0n ? MIN_REFILLS : 0;
  }

  /** sc_active: configured by SchedControlConfigureFlags (or built configured). */
  get active(): boolean {
    return this.refillMax > 0;
  }
}

// --- time (include/arch/{arm,riscv}/arch/machine/timer.h, include/kernel/sporadic.h) ----------

const U64_MAX = (1n << 64n) - 1n;

/** ARM divides through kHz when the timer is not a whole number of MHz (USE_KHZ); RISC-V never needs to. */
function useKhz(f: ThreadFacts): boolean {
  return f.timerFrequencyHz % 1_000_000n !== 0n;
}

export function usToTicks(f: ThreadFacts, us: bigint): bigint {
  if (useKhz(f)) return BigInt.asUintN(64, us * (f.timerFrequencyHz / 1000n)) / 1000n;
  return BigInt.asUintN(64, us * (f.timerFrequencyHz / 1_000_000n));
}

export function ticksToUs(f: ThreadFacts, ticks: bigint): bigint {
  if (useKhz(f)) return BigInt.asUintN(64, ticks * 1000n) / (f.timerFrequencyHz / 1000n);
  return ticks / (f.timerFrequencyHz / 1_000_000n);
}

function maxTicksToUs(f: ThreadFacts): bigint {
  return useKhz(f) ? U64_MAX / (f.timerFrequencyHz / 1000n) : U64_MAX;
}

function maxUsToTicks(f: ThreadFacts): bigint {
  return useKhz(f) ? U64_MAX / (f.timerFrequencyHz / 1000n) : U64_MAX / (f.timerFrequencyHz / 1_000_000n);
}

export interface SchedLimits {
  readonly minBudgetUs: bigint;
  readonly minBudgetTicks: bigint;
  readonly maxPeriodUs: bigint;
}

/** Computed once per ABI: the budget checks of every kernel entry read them. */
const limits = new WeakMap<Kernel["abi"], SchedLimits>();

/** The limits SchedControlConfigureFlags checks (MIN_BUDGET_US, MIN_BUDGET, MAX_PERIOD_US). */
let lastLimits: { readonly abi: Kernel["abi"]; readonly limits: SchedLimits } | undefined;

export function schedLimits(k: Kernel): SchedLimits {
  if (lastLimits?.abi === k.abi) return lastLimits.limits;
  let l = limits.get(k.abi);
  if (l === undefined) {
    const f = threadFacts(k.abi);
    l = Object.freeze({
      minBudgetUs: 2n * KERNEL_WCET_US * f.kernelWcetScale,
      minBudgetTicks: 2n * usToTicks(f, KERNEL_WCET_US) * f.kernelWcetScale,
      maxPeriodUs: f.staticMaxPeriodUs !== 0n ? f.staticMaxPeriodUs : maxUsToTicks(f) / 8n,
    });
    limits.set(k.abi, l);
  }
  lastLimits = { abi: k.abi, limits: l };
  return l;
}

/** refill_absolute_max: how many refills fit in the SC object after sched_context_t. */
export function refillAbsoluteMax(k: Kernel, sc: SchedContext): number {
  const f = threadFacts(k.abi);
  const bits = sc.sizeBits ?? f.microkitSchedContextSizeBits;
  return Math.floor((2 ** bits - f.coreSchedContextBytes) / f.refillSizeBytes);
}

/** scConsumed += ticks (what commitTime and chargeBudget add). */
export function chargeConsumed(sc: SchedContext, ticks: bigint): void {
  sc.consumed += ticks;
}

/** schedContext_resume: a schedulable thread whose SC cannot run now waits in the release queue. */
export function schedContextResume(k: Kernel, sc: SchedContext | undefined): void {
  const tcb = sc?.tcb;
  if (sc === undefined || tcb === undefined || !k.isSchedulable(tcb)) return;
  if (!(refillReady(k, sc) && refillSufficient(k, sc, 0n))) k.postpone(sc);
}

/** schedContext_updateConsumed: report at most what fits in microseconds and keep the rest. */
export function updateConsumed(k: Kernel, sc: SchedContext): bigint {
  const f = threadFacts(k.abi);
  const max = maxTicksToUs(f);
  if (sc.consumed >= max) {
    sc.consumed -= max;
    return ticksToUs(f, max);
  }
  const us = ticksToUs(f, sc.consumed);
  sc.consumed = 0n;
  return us;
}

/** setConsumed: take the consumed time and, if asked, reply it to `thread` in MR0 (replyFromKernel_consumed). */
export function setConsumed(k: Kernel, sc: SchedContext, thread: TCB, writeMsg: boolean): void {
  const us = updateConsumed(k, sc);
  if (writeMsg) replyFromKernel(k, thread, 0n, [us]);
}

// --- binding ----------------------------------------------------------------------------------

/** schedContext_bindTCB: the thread runs on the SC from now on; a runnable one is queued. */
export function schedContextBindTCB(k: Kernel, sc: SchedContext, tcb: TCB): void {
  if (sc.tcb !== undefined || tcb.sc !== undefined) throw new Error("schedContextBindTCB: SC or TCB already bound");
  tcb.sc = sc;
  sc.tcb = tcb;
  if (sc.sporadic && sc.active && sc !== k.curSC) refillUnblockCheck(k, sc);
  schedContextResume(k, sc);
  if (k.isSchedulable(tcb)) {
    k.enqueue(tcb);
    k.rescheduleRequired();
  }
}

/** schedContext_unbindTCB: the thread loses its SC and leaves the ready queues. */
export function schedContextUnbindTCB(k: Kernel, sc: SchedContext): void {
  const tcb = sc.tcb;
  if (tcb === undefined) throw new Error("schedContextUnbindTCB: SC not bound to a TCB");
  if (tcb === k.current) k.rescheduleRequired();
  k.dequeue(tcb);
  k.releaseRemove(tcb);
  tcb.sc = undefined;
  sc.tcb = undefined;
}

export function schedContextBindNtfn(sc: SchedContext, ntfn: Notification): void {
  ntfn.sc = sc;
  sc.notification = ntfn;
}

export function schedContextUnbindNtfn(sc: SchedContext): void {
  if (sc.notification !== undefined) {
    sc.notification.sc = undefined;
    sc.notification = undefined;
  }
}

/** schedContext_unbindReply: the SC's call stack is cut off from it; its replies stay linked to each other. */
export function schedContextUnbindReply(sc: SchedContext): void {
  if (sc.reply !== undefined) {
    sc.reply.next = undefined;
    sc.reply = undefined;
  }
}

/** schedContext_cancelYieldTo: forget a pending YieldTo of `tcb` (suspend, SC or TCB deletion). */
export function cancelYieldTo(tcb: TCB): void {
  if (tcb.yieldTo !== undefined) {
    tcb.yieldTo.yieldFrom = undefined;
    tcb.yieldTo = undefined;
  }
}

/** schedContext_completeYieldTo: the yielder runs again and gets the consumed time of the SC it yielded to. */
export function completeYieldTo(k: Kernel, yielder: TCB): void {
  if (yielder.yieldTo === undefined) return;
  setConsumed(k, yielder.yieldTo, yielder, true);
  cancelYieldTo(yielder);
}

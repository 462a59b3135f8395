// SchedControl (MCS; seL4 src/object/schedcontrol.c): configures a scheduling context's budget,
// period, refills, badge and flags. One SchedControl cap exists per core.
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { methodLayout } from "../abi.js";
import { capArg, messageArg, threadFacts } from "../marshalling.js";
import { refillNew, refillUpdate } from "../sporadic.js";
import { MIN_REFILLS, refillAbsoluteMax, schedContextResume, schedLimits, usToTicks, type SchedContext } from "./schedcontext.js";
import { labelName } from "./tcb-invocation.js";

export class SchedControl {
  constructor(readonly core: number) {}
}

export interface SchedControlInvocation {
  readonly kind: "SchedControlConfigureFlags";
  readonly sc: SchedContext;
  /** Microseconds, as given. */
  readonly budget: bigint;
  readonly period: bigint;
  readonly maxRefills: number;
  readonly badge: bigint;
  readonly flags: bigint;
}

type Decoded = { readonly ok: true; readonly invocation: SchedControlInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });

export function decodeSchedControlInvocation(k: Kernel, ctx: InvocationContext, _control: SchedControl): Decoded {
  if (labelName(k, ctx.label) !== "SchedControlConfigureFlags") return fail({ type: "seL4_IllegalOperation" });
  const m = methodLayout(k.abi.arch, "SchedControlConfigureFlags");
  const target = invocationExtraCaps(ctx)[capArg(m, "schedcontext")];
  if (target === undefined || ctx.length < m.msgLength) return fail({ type: "seL4_TruncatedMessage" });
  const buffer = k.ipcBuffer(ctx.thread, false);
  const mr = (i: number): bigint => k.getMR(ctx.thread, buffer, i);
  const f = threadFacts(k.abi);
  const lim = schedLimits(k);
  const range = (max: bigint): Decoded => fail({ type: "seL4_RangeError", min: lim.minBudgetUs, max });
  const budget = messageArg(m, "budget", mr);
  if (budget > lim.maxPeriodUs) return range(lim.maxPeriodUs);
  const period = messageArg(m, "period", mr);
  if (period > lim.maxPeriodUs) return range(lim.maxPeriodUs);
  const budgetTicks = usToTicks(f, budget);
  const periodTicks = usToTicks(f, period);
  if (budgetTicks < lim.minBudgetTicks || periodTicks < lim.minBudgetTicks) return range(lim.maxPeriodUs);
  if (budgetTicks > periodTicks) return range(period);
  if (target.type !== "sched_context") return fail({ type: "seL4_InvalidCapability", cap: 1 });
  const extra = messageArg(m, "extra_refills", mr);
  const maxExtra = BigInt.asUintN(64, BigInt(refillAbsoluteMax(k, target.object) - MIN_REFILLS));
  if (extra > maxExtra) return fail({ type: "seL4_RangeError", min: 0n, max: maxExtra });
  return {
    ok: true,
    invocation: {
      kind: "SchedControlConfigureFlags", sc: target.object, budget, period, maxRefills: Number(extra) + MIN_REFILLS,
      badge: messageArg(m, "badge", mr), flags: messageArg(m, "flags", mr),
    },
  };
}

/**
 * invokeSchedControl_ConfigureFlags: budget == period (in ticks) makes a round-robin SC (scPeriod 0,
 * MIN_REFILLS refills); an SC in use keeps its bandwidth (refill_update); otherwise the refills
 * start afresh from now (refill_new).
 */
export function performSchedControlInvocation(k: Kernel, inv: SchedControlInvocation): void {
  const sc = inv.sc;
  const thread = sc.tcb;
  if (thread !== undefined) {
    k.releaseRemove(thread);
    k.dequeue(thread);
    // Bill what the current SC used so far before changing its parameters (commitTime).
    if (k.curSC === sc) k.commitCurrent();
  }
  const f = threadFacts(k.abi);
  const budget = usToTicks(f, inv.budget);
  const period = usToTicks(f, inv.period);
  sc.budget = inv.budget;
  sc.period = inv.period;
  if (budget === period) refillNew(k, sc, MIN_REFILLS, budget, 0n);
  else if (sc.active && thread !== undefined && thread.runnable) refillUpdate(k, sc, period, budget, inv.maxRefills);
  else refillNew(k, sc, inv.maxRefills, budget, period);
  if (thread !== undefined) {
    schedContextResume(k, sc);
    if (thread.runnable && thread !== k.current) k.possibleSwitchTo(thread);
    if (thread === k.current) k.rescheduleRequired();
  }
  sc.badge = inv.badge;
  sc.sporadic = (inv.flags & f.schedContextSporadic) !== 0n;
}

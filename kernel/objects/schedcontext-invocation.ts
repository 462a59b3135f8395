// SchedContext invocations (MCS; seL4 src/object/schedcontext.c decodeSchedContextInvocation):
// Bind and UnbindObject take a TCB or notification cap, Unbind drops every binding, Consumed and
// YieldTo reply with the time the SC has consumed (in microseconds) and reset it.
import type { Cap } from "../cap.js";
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { methodLayout } from "../abi.js";
import { capArg } from "../marshalling.js";
import type { Notification } from "./notification.js";
import {
  completeYieldTo, schedContextBindNtfn, schedContextBindTCB, schedContextUnbindNtfn, schedContextUnbindReply, schedContextUnbindTCB, setConsumed,
  type SchedContext,
} from "./schedcontext.js";
import { labelName, scReleased } from "./tcb-invocation.js";
import type { TCB } from "./tcb.js";

export type SchedContextInvocation =
  | { readonly kind: "SchedContextConsumed"; readonly sc: SchedContext; readonly caller: TCB; readonly call: boolean }
  | { readonly kind: "SchedContextBind"; readonly sc: SchedContext; readonly to: { readonly tcb: TCB } | { readonly ntfn: Notification } }
  | { readonly kind: "SchedContextUnbindObject"; readonly sc: SchedContext; readonly from: { readonly tcb: TCB } | { readonly ntfn: Notification } }
  | { readonly kind: "SchedContextUnbind"; readonly sc: SchedContext }
  | { readonly kind: "SchedContextYieldTo"; readonly sc: SchedContext; readonly caller: TCB; readonly call: boolean };

type Decoded = { readonly ok: true; readonly invocation: SchedContextInvocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: SchedContextInvocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };

function isBlocked(tcb: TCB): boolean {
  return tcb.state === "BlockedOnReceive" || tcb.state === "BlockedOnSend" || tcb.state === "BlockedOnNotification" || tcb.state === "BlockedOnReply";
}

function firstExtraCap(k: Kernel, ctx: InvocationContext, label: string): Cap | undefined {
  return invocationExtraCaps(ctx)[capArg(methodLayout(k.abi.arch, label), "cap")];
}

export function decodeSchedContextInvocation(k: Kernel, ctx: InvocationContext, sc: SchedContext): Decoded {
  const cur = ctx.thread;
  switch (labelName(k, ctx.label)) {
    case "SchedContextConsumed":
      return ok({ kind: "SchedContextConsumed", sc, caller: cur, call: ctx.isCall });
    case "SchedContextBind": {
      const cap = firstExtraCap(k, ctx, "SchedContextBind");
      if (cap === undefined) return fail(TRUNCATED);
      if (cap.type === "tcb") {
        if (sc.tcb !== undefined || cap.object.sc !== undefined) return fail(ILLEGAL);
        if (isBlocked(cap.object) && !scReleased(k, sc)) return fail(ILLEGAL);
        return ok({ kind: "SchedContextBind", sc, to: { tcb: cap.object } });
      }
      if (cap.type === "notification") {
        if (sc.notification !== undefined || cap.object.sc !== undefined) return fail(ILLEGAL);
        return ok({ kind: "SchedContextBind", sc, to: { ntfn: cap.object } });
      }
      return fail({ type: "seL4_InvalidCapability", cap: 1 });
    }
    case "SchedContextUnbindObject": {
      const cap = firstExtraCap(k, ctx, "SchedContextUnbindObject");
      if (cap === undefined) return fail(TRUNCATED);
      if (cap.type === "tcb") {
        if (sc.tcb !== cap.object || sc.tcb === cur) return fail(ILLEGAL);
        return ok({ kind: "SchedContextUnbindObject", sc, from: { tcb: cap.object } });
      }
      if (cap.type === "notification") {
        if (sc.notification !== cap.object) return fail(ILLEGAL);
        return ok({ kind: "SchedContextUnbindObject", sc, from: { ntfn: cap.object } });
      }
      return fail({ type: "seL4_InvalidCapability", cap: 1 });
    }
    case "SchedContextUnbind":
      if (sc.tcb === cur) return fail(ILLEGAL);
      return ok({ kind: "SchedContextUnbind", sc });
    case "SchedContextYieldTo": {
      const tcb = sc.tcb;
      if (tcb === undefined || tcb === cur) return fail(ILLEGAL);
      if (tcb.priority > cur.mcp) return fail(ILLEGAL);
      if (cur.yieldTo !== undefined) return fail(ILLEGAL);
      return ok({ kind: "SchedContextYieldTo", sc, caller: cur, call: ctx.isCall });
    }
    default:
      return fail(ILLEGAL);
  }
}

export function performSchedContextInvocation(k: Kernel, inv: SchedContextInvocation): void {
  const sc = inv.sc;
  switch (inv.kind) {
    case "SchedContextConsumed":
      setConsumed(k, sc, inv.caller, inv.call);
      k.setThreadState(inv.caller, "Running");
      break;
    case "SchedContextBind":
      if ("tcb" in inv.to) schedContextBindTCB(k, sc, inv.to.tcb);
      else schedContextBindNtfn(sc, inv.to.ntfn);
      break;
    case "SchedContextUnbindObject":
      if ("tcb" in inv.from) schedContextUnbindTCB(k, sc);
      else schedContextUnbindNtfn(sc);
      break;
    case "SchedContextUnbind":
      // invokeSchedContext_Unbind
      if (sc.tcb !== undefined) schedContextUnbindTCB(k, sc);
      schedContextUnbindNtfn(sc);
      schedContextUnbindReply(sc);
      break;
    case "SchedContextYieldTo":
      yieldTo(k, sc, inv.caller, inv.call);
      break;
  }
}

/**
 * invokeSchedContext_YieldTo: a lower-priority target is just queued and the caller answered now;
 * otherwise the target runs first, ahead of the caller, which gets its answer when it runs again.
 */
function yieldTo(k: Kernel, sc: SchedContext, caller: TCB, call: boolean): void {
  if (sc.yieldFrom !== undefined) completeYieldTo(k, sc.yieldFrom);
  const tcb = sc.tcb!;
  let returnNow = true;
  if (k.isSchedulable(tcb)) {
    if (tcb.priority < caller.priority) {
      k.dequeue(tcb);
      k.enqueue(tcb);
    } else {
      caller.yieldTo = sc;
      sc.yieldFrom = caller;
      k.dequeue(tcb);
      k.enqueue(caller);
      k.enqueue(tcb);
      k.rescheduleRequired();
      returnNow = false;
    }
  }
  if (returnNow) {
    setConsumed(k, sc, caller, call);
    k.setThreadState(caller, "Running");
  }
}

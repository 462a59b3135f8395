// Invoking a capability (seL4 src/object/objecttype.c decodeInvocation / performInvocation).
// Decode checks the cap, label and arguments and mutates nothing; perform cannot fail.
import type { Cap } from "./cap.js";
import type { SyscallError } from "./errors.js";
import { doReplyTransfer, sendIPC, sendSignal } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { IRQHandler } from "./objects/interrupt.js";
import type { Notification } from "./objects/notification.js";
import type { Reply } from "./objects/reply.js";
import { decodeTCBInvocation, performTCBInvocation, type TCBInvocation } from "./objects/tcb-invocation.js";
import type { TCB } from "./objects/tcb.js";

/** One syscall's view of the invocation: who, with which message and flags. */
export interface InvocationContext {
  readonly thread: TCB;
  readonly label: bigint;
  readonly length: number;
  readonly isBlocking: boolean;
  readonly isCall: boolean;
  readonly canDonate: boolean;
  /** The send half of ReplyRecv, NBSendRecv or NBSendWait (MCS firstPhase). */
  readonly firstPhase: boolean;
}

export type Invocation =
  | { readonly kind: "EndpointSend"; readonly ep: Endpoint; readonly badge: bigint; readonly canGrant: boolean; readonly canGrantReply: boolean }
  | { readonly kind: "NotificationSignal"; readonly ntfn: Notification; readonly badge: bigint }
  | { readonly kind: "Reply"; readonly reply: Reply }
  | { readonly kind: "IRQAckIRQ"; readonly handler: IRQHandler }
  | { readonly kind: "IRQClearIRQHandler"; readonly handler: IRQHandler }
  | { readonly kind: "TCB"; readonly tcb: TCBInvocation };

export type Decoded = { readonly ok: true; readonly invocation: Invocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: Invocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };

export function decodeInvocation(k: Kernel, ctx: InvocationContext, cap: Cap): Decoded {
  switch (cap.type) {
    case "endpoint":
      if (!cap.rights.write) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      return ok({ kind: "EndpointSend", ep: cap.object, badge: cap.badge, canGrant: cap.rights.grant, canGrantReply: cap.rights.grantReply });
    case "notification":
      if (!cap.rights.write) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      return ok({ kind: "NotificationSignal", ntfn: cap.object, badge: cap.badge });
    case "reply":
      return ok({ kind: "Reply", reply: cap.object });
    case "irq_handler":
      return decodeIRQHandlerInvocation(k, ctx, cap.object);
    case "tcb": {
      // MCS decodeInvocation: thread caps cannot be invoked in the first phase of a combined syscall.
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeTCBInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "TCB", tcb: d.invocation }) : d;
    }
    default:
      return fail({ type: "seL4_InvalidCapability", cap: 0 });
  }
}

function decodeIRQHandlerInvocation(k: Kernel, ctx: InvocationContext, handler: IRQHandler): Decoded {
  const labels = k.abi.labels;
  if (ctx.label === BigInt(labels["IRQAckIRQ"] ?? -1)) return ok({ kind: "IRQAckIRQ", handler });
  if (ctx.label === BigInt(labels["IRQClearIRQHandler"] ?? -1)) return ok({ kind: "IRQClearIRQHandler", handler });
  return fail(ILLEGAL);
}

export function performInvocation(k: Kernel, ctx: InvocationContext, inv: Invocation): void {
  const thread = ctx.thread;
  switch (inv.kind) {
    case "EndpointSend":
      sendIPC(k, thread, inv.ep, {
        blocking: ctx.isBlocking, isCall: ctx.isCall, badge: inv.badge,
        canGrant: inv.canGrant, canGrantReply: inv.canGrantReply, canDonate: ctx.canDonate,
      });
      break;
    case "NotificationSignal":
      sendSignal(k, inv.ntfn, inv.badge);
      break;
    case "Reply":
      doReplyTransfer(k, thread, inv.reply);
      break;
    case "IRQAckIRQ":
      k.host.ackIrq(inv.handler.irq);
      break;
    case "IRQClearIRQHandler":
      inv.handler.notification = { type: "null" };
      break;
    case "TCB":
      performTCBInvocation(k, inv.tcb);
      break;
  }
}

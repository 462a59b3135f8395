// Invoking a capability (seL4 src/object/objecttype.c decodeInvocation / performInvocation).
// Decode checks the cap, label and arguments and mutates nothing; perform cannot fail.
import type { Cap } from "./cap.js";
import type { SyscallError } from "./errors.js";
import { actor } from "./events.js";
import { doReplyTransfer, sendIPC, sendSignal } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import type { Slot } from "./objects/cnode.js";
import { decodeDomainInvocation, performDomainInvocation, type DomainInvocation } from "./objects/domain.js";
import { decodeCNodeInvocation, performCNodeInvocation, type CNodeInvocation } from "./objects/cnode-invocation.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { IRQHandler } from "./objects/interrupt.js";
import type { Notification } from "./objects/notification.js";
import type { Reply } from "./objects/reply.js";
import { decodeSchedContextInvocation, performSchedContextInvocation, type SchedContextInvocation } from "./objects/schedcontext-invocation.js";
import { decodeSchedControlInvocation, performSchedControlInvocation, type SchedControlInvocation } from "./objects/schedcontrol.js";
import { decodeTCBInvocation, performTCBInvocation, type TCBInvocation } from "./objects/tcb-invocation.js";
import type { TCB } from "./objects/tcb.js";
import { decodeSMCInvocation, performSMCInvocation, type SMCInvocation } from "./objects/smc.js";
import { decodeVCPUInvocation, performVCPUInvocation, type VCPUInvocation } from "./objects/vcpu.js";
import { decodeUntypedInvocation, performUntypedInvocation, type UntypedInvocation } from "./objects/untyped-invocation.js";

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
  /** The slots of the extra caps the message names (lookupExtraCaps; a slot may be empty). */
  readonly extraCaps: readonly Slot[];
  /** The slot of the invoked cap (decodeInvocation's slot): Retype makes the untyped's children. */
  readonly slot: Slot;
}

export type Invocation =
  | { readonly kind: "EndpointSend"; readonly ep: Endpoint; readonly badge: bigint; readonly canGrant: boolean; readonly canGrantReply: boolean }
  | { readonly kind: "NotificationSignal"; readonly ntfn: Notification; readonly badge: bigint }
  | { readonly kind: "Reply"; readonly reply: Reply; readonly canGrant: boolean }
  | { readonly kind: "IRQAckIRQ"; readonly handler: IRQHandler }
  | { readonly kind: "IRQClearIRQHandler"; readonly handler: IRQHandler }
  | { readonly kind: "TCB"; readonly tcb: TCBInvocation }
  | { readonly kind: "SchedContext"; readonly sc: SchedContextInvocation }
  | { readonly kind: "SchedControl"; readonly control: SchedControlInvocation }
  | { readonly kind: "CNode"; readonly cnode: CNodeInvocation }
  | { readonly kind: "Untyped"; readonly untyped: UntypedInvocation }
  | { readonly kind: "Domain"; readonly domain: DomainInvocation }
  | { readonly kind: "VCPU"; readonly vcpu: VCPUInvocation }
  | { readonly kind: "SMC"; readonly smc: SMCInvocation };

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
      return ok({ kind: "Reply", reply: cap.object, canGrant: cap.canGrant });
    case "irq_handler":
      return decodeIRQHandlerInvocation(k, ctx, cap.object);
    case "tcb": {
      // MCS decodeInvocation: thread caps cannot be invoked in the first phase of a combined syscall.
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeTCBInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "TCB", tcb: d.invocation }) : d;
    }
    case "sched_context": {
      // MCS decodeInvocation: nor scheduling-context or SchedControl caps.
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeSchedContextInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "SchedContext", sc: d.invocation }) : d;
    }
    case "sched_control": {
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeSchedControlInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "SchedControl", control: d.invocation }) : d;
    }
    case "domain": {
      // MCS decodeInvocation: nor the domain cap.
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeDomainInvocation(k, ctx);
      return d.ok ? ok({ kind: "Domain", domain: d.invocation }) : d;
    }
    case "cnode": {
      // MCS decodeInvocation: nor CNode caps.
      if (ctx.firstPhase) return fail({ type: "seL4_InvalidCapability", cap: 0 });
      const d = decodeCNodeInvocation(k, ctx, cap);
      return d.ok ? ok({ kind: "CNode", cnode: d.invocation }) : d;
    }
    case "untyped": {
      const d = decodeUntypedInvocation(k, ctx, cap, ctx.slot);
      return d.ok ? ok({ kind: "Untyped", untyped: d.invocation }) : d;
    }
    case "vcpu": {
      // An arch cap (Arch_decodeInvocation): decoded before, and without, the first-phase check.
      const d = decodeVCPUInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "VCPU", vcpu: d.invocation }) : d;
    }
    case "smc": {
      // An arch cap too: no first-phase check.
      const d = decodeSMCInvocation(k, ctx, cap.badge);
      return d.ok ? ok({ kind: "SMC", smc: d.invocation }) : d;
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
      sendSignal(k, inv.ntfn, inv.badge, thread);
      break;
    case "Reply":
      doReplyTransfer(k, thread, inv.reply, inv.canGrant);
      break;
    case "IRQAckIRQ":
      k.events?.emit({ type: "irq_ack", ...actor(thread), irq: inv.handler.irq });
      k.host.ackIrq(inv.handler.irq);
      break;
    case "IRQClearIRQHandler":
      inv.handler.notification = { type: "null" };
      break;
    case "TCB":
      performTCBInvocation(k, inv.tcb);
      break;
    case "SchedContext":
      performSchedContextInvocation(k, inv.sc);
      break;
    case "SchedControl":
      performSchedControlInvocation(k, inv.control);
      break;
    case "CNode":
      performCNodeInvocation(k, inv.cnode);
      break;
    case "Untyped":
      performUntypedInvocation(k, inv.untyped);
      break;
    case "Domain":
      performDomainInvocation(k, inv.domain);
      break;
    case "VCPU":
      performVCPUInvocation(k, inv.vcpu);
      break;
    case "SMC":
      performSMCInvocation(k, inv.smc);
      break;
  }
}

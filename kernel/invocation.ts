// Invoking a capability (seL4 src/object/objecttype.c decodeInvocation / performInvocation).
// Decode checks the cap, label and arguments and mutates nothing; perform cannot fail.
import type { Cap } from "./cap.js";
import type { SyscallError } from "./errors.js";
import { actor } from "./events.js";
import { doReplyTransfer, sendIPC, sendSignal } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { slotCap, type Slot } from "./objects/cnode.js";
import { decodeCNodeInvocation, performCNodeInvocation, type CNodeInvocation } from "./objects/cnode-invocation.js";
import type { Endpoint } from "./objects/endpoint.js";
import { decodeDomainInvocation, performDomainInvocation, type DomainInvocation } from "./objects/domain.js";
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
import { decodeASIDControlInvocation, performASIDControlInvocation, type ASIDControlInvocation } from "./objects/asid-control.js";
import { decodeASIDPoolInvocation, performASIDPoolInvocation, type ASIDPoolInvocation } from "./objects/asid-pool.js";
import { decodeFrameInvocation, performFrameInvocation, type FrameInvocation } from "./objects/frame.js";
import { decodePageTableInvocation, performPageTableInvocation, type PageTableInvocation } from "./objects/page-table.js";
import { decodeVSpaceRootInvocation } from "./objects/vspace-root.js";
import { decodeIRQControlInvocation, performIRQControlInvocation, type IRQControlInvocation } from "./objects/irq-control.js";

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
  | { readonly kind: "IRQSetIRQHandler"; readonly handler: IRQHandler; readonly notification: Cap }
  | { readonly kind: "IRQClearIRQHandler"; readonly handler: IRQHandler }
  | { readonly kind: "IRQControl"; readonly control: IRQControlInvocation }
  | { readonly kind: "Domain"; readonly domain: DomainInvocation }
  | { readonly kind: "TCB"; readonly tcb: TCBInvocation }
  | { readonly kind: "SchedContext"; readonly sc: SchedContextInvocation }
  | { readonly kind: "SchedControl"; readonly control: SchedControlInvocation }
  | { readonly kind: "CNode"; readonly cnode: CNodeInvocation }
  | { readonly kind: "Untyped"; readonly untyped: UntypedInvocation }
  | { readonly kind: "VCPU"; readonly vcpu: VCPUInvocation }
  | { readonly kind: "Frame"; readonly frame: FrameInvocation }
  | { readonly kind: "PageTable"; readonly pageTable: PageTableInvocation }
  /** An AArch64 VSpace cache operation that passed its checks: nothing to do on a cacheless machine. */
  | { readonly kind: "VSpaceFlush" }
  | { readonly kind: "ASIDControl"; readonly control: ASIDControlInvocation }
  | { readonly kind: "ASIDPool"; readonly pool: ASIDPoolInvocation }
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
    case "irq_control": {
      const d = decodeIRQControlInvocation(k, ctx);
      return d.ok ? ok({ kind: "IRQControl", control: d.invocation }) : d;
    }
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
    // Arch caps (Arch_decodeInvocation) are decoded before, and without, the first-phase check.
    case "vcpu": {
      const d = decodeVCPUInvocation(k, ctx, cap.object);
      return d.ok ? ok({ kind: "VCPU", vcpu: d.invocation }) : d;
    }
    case "frame": {
      const d = decodeFrameInvocation(k, ctx, cap);
      return d.ok ? ok({ kind: "Frame", frame: d.invocation }) : d;
    }
    case "page_table": {
      const d = decodePageTableInvocation(k, ctx, cap);
      return d.ok ? ok({ kind: "PageTable", pageTable: d.invocation }) : d;
    }
    case "vspace": {
      const d = decodeVSpaceRootInvocation(k, ctx, cap);
      return d.ok ? ok({ kind: "VSpaceFlush" }) : d;
    }
    case "asid_control": {
      const d = decodeASIDControlInvocation(k, ctx);
      return d.ok ? ok({ kind: "ASIDControl", control: d.invocation }) : d;
    }
    case "asid_pool": {
      const d = decodeASIDPoolInvocation(k, ctx, cap);
      return d.ok ? ok({ kind: "ASIDPool", pool: d.invocation }) : d;
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
  if (ctx.label === BigInt(labels["IRQSetIRQHandler"] ?? -1)) {
    // The notification must be one the caller may signal.
    const slot = ctx.extraCaps[0];
    if (slot === undefined) return fail({ type: "seL4_TruncatedMessage" });
    const notification = slotCap(slot);
    if (notification.type !== "notification" || !notification.rights.write) return fail({ type: "seL4_InvalidCapability", cap: 0 });
    return ok({ kind: "IRQSetIRQHandler", handler, notification });
  }
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
    case "IRQSetIRQHandler":
      inv.handler.notification = inv.notification;
      break;
    case "IRQClearIRQHandler":
      inv.handler.notification = { type: "null" };
      break;
    case "IRQControl":
      performIRQControlInvocation(k, inv.control);
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
    case "Frame":
      performFrameInvocation(k, inv.frame);
      break;
    case "PageTable":
      performPageTableInvocation(k, inv.pageTable);
      break;
    case "VSpaceFlush":
      break;
    case "ASIDControl":
      performASIDControlInvocation(k, inv.control);
      break;
    case "ASIDPool":
      performASIDPoolInvocation(k, inv.pool);
      break;
    case "SMC":
      performSMCInvocation(k, inv.smc);
      break;
  }
}

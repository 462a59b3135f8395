// Message passing: endpoints, notifications, replies and fault delivery
// (seL4 src/object/endpoint.c, notification.c, reply.c, src/kernel/thread.c, faulthandler.c).
import { sanitiseRegister, userRegister } from "./user-registers.js";
import type { Cap } from "./cap.js";
import { lookupExtraCaps, transferCaps } from "./cap-transfer.js";
import { actor, faultDetails } from "./events.js";
import { faultMessage, faultReplyRegisters, type Fault } from "./faults.js";
import { kernelThreadPointer, noFaultHandlerReport } from "./fault-report.js";
import type { Kernel } from "./kernel.js";
import { decodeMessageInfo, encodeMessageInfo, infoExtraCaps, infoLength, plainMessageInfo } from "./message-info.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { Notification } from "./objects/notification.js";
import type { Reply } from "./objects/reply.js";
import { schedContextResume, updateConsumed, type SchedContext } from "./objects/schedcontext.js";
import { refillReady, refillSufficient, refillUnblockCheck } from "./sporadic.js";
import { tcbAppend, type TCB } from "./objects/tcb.js";

// --- message transfer ---------------------------------------------------------------------

/**
 * Copies a message (or the sender's pending fault) into the receiver (doIPCTransfer). With `grant`
 * the sender's extra caps go too; a cap to `endpoint` (the one the message crosses; none for a
 * reply) is unwrapped to its badge.
 */
export function doIPCTransfer(k: Kernel, sender: TCB, endpoint: Endpoint | undefined, badge: bigint, grant: boolean, receiver: TCB): void {
  const abi = k.abi;
  if (sender.pendingFault !== undefined) {
    const msg = faultMessage(abi, sender.pendingFault, sender.restartPc, (name) => userRegister(k, sender, k.reg(name)));
    // setMRs_fault, seL4_Fault_Timeout: the badge, then the consumed time if the thread has an SC.
    const mrs = sender.pendingFault.type === "Timeout" && sender.sc !== undefined ? [...msg.mrs, updateConsumed(k, sender.sc)] : msg.mrs;
    const length = k.setMRs(receiver, mrs);
    k.setReg(receiver, abi.roles.info, encodeMessageInfo(abi, { label: msg.label, capsUnwrapped: 0, extraCaps: 0, length }));
    k.setReg(receiver, abi.roles.cap, badge);
    k.events?.emit({ type: "fault_delivered", ...actor(sender), fault: sender.pendingFault.type, ...to(receiver), badge, label: msg.label, length });
    return;
  }
  const word = sender.context[k.roleIndex.info]!;
  const fast = abi.roles.mrs.length;
  const plainLength = Math.min(infoLength(abi, word), abi.ipcBuffer.msgMaxLength);
  if (plainLength <= fast && !(grant && infoExtraCaps(abi, word) > 0) && k.events === undefined) {
    // The message fits the registers and takes no caps: what the lines below do, by index (and
    // without the event, so only while nobody listens).
    const mrs = k.roleIndex.mrs;
    for (let i = 0; i < plainLength; i++) receiver.context[mrs[i]!] = sender.context[mrs[i]!]!;
    receiver.context[k.roleIndex.info] = plainMessageInfo(abi, word, plainLength);
    receiver.context[k.roleIndex.cap] = badge;
    return;
  }
  const info = decodeMessageInfo(abi, word);
  let length = Math.min(info.length, abi.ipcBuffer.msgMaxLength);
  const withCaps = grant && info.extraCaps > 0;
  const senderBuffer = length > fast || withCaps ? k.ipcBuffer(sender, false) : undefined;
  const receiverBuffer = length > fast || withCaps ? k.ipcBuffer(receiver, true) : undefined;
  if (senderBuffer === undefined || receiverBuffer === undefined) length = Math.min(length, fast);
  for (let i = 0; i < length; i++) k.setMR(receiver, receiverBuffer, i, k.getMR(sender, senderBuffer, i));
  let caps = { extraCaps: 0, capsUnwrapped: 0 };
  if (withCaps && receiverBuffer !== undefined) {
    // doNormalTransfer: extra caps that fail to look up are dropped, not reported.
    const extra = lookupExtraCaps(k, sender, senderBuffer, info.extraCaps);
    if (extra.ok && extra.slots.length > 0) caps = transferCaps(k, extra.slots, endpoint, receiver, receiverBuffer);
  }
  k.setReg(receiver, abi.roles.info, encodeMessageInfo(abi, { label: info.label, capsUnwrapped: caps.capsUnwrapped, extraCaps: caps.extraCaps, length }));
  k.setReg(receiver, abi.roles.cap, badge);
  k.events?.emit({
    type: "ipc", kind: endpoint === undefined ? "reply" : "send", ...from(sender), ...to(receiver),
    badge, label: info.label, length, caps: caps.extraCaps, unwrapped: caps.capsUnwrapped,
  });
}

/** `{ from, from_pd }` and `{ to, to_pd }` of event fields. */
function from(tcb: TCB): { from: string; from_pd?: string } {
  return tcb.pd === undefined ? { from: tcb.name } : { from: tcb.name, from_pd: tcb.pd };
}

function to(tcb: TCB): { to: string; to_pd?: string } {
  return tcb.pd === undefined ? { to: tcb.name } : { to: tcb.name, to_pd: tcb.pd };
}

/** A kernel reply to a Call: label = error (0 on success), badge 0 (replyFromKernel_*). */
export function replyFromKernel(k: Kernel, thread: TCB, label: bigint, mrs: readonly bigint[]): void {
  const length = k.setMRs(thread, mrs);
  k.setReg(thread, k.abi.roles.cap, 0n);
  k.setReg(thread, k.abi.roles.info, encodeMessageInfo(k.abi, { label, capsUnwrapped: 0, extraCaps: 0, length }));
}

// --- scheduling-context donation ------------------------------------------------------------

/** schedContext_donate (the caller handles rescheduling). */
function donate(k: Kernel, sc: SchedContext, dest: TCB): void {
  const owner = sc.tcb;
  if (owner !== undefined) {
    k.dequeue(owner);
    k.releaseRemove(owner);
    owner.sc = undefined;
  }
  sc.tcb = dest;
  dest.sc = sc;
  k.events?.emit({ type: "sc_donated", ...(owner === undefined ? {} : { from: owner.name }), ...to(dest) });
}

/**
 * A passive thread woken by a notification borrows the notification's SC, which waits for its
 * refill if it has none ready (maybeDonateSchedContext, with schedContext_resume).
 */
function maybeDonateSchedContext(k: Kernel, tcb: TCB, ntfn: Notification): void {
  if (tcb.sc === undefined && ntfn.sc !== undefined && ntfn.sc.tcb === undefined) {
    donate(k, ntfn.sc, tcb);
    schedContextResume(k, ntfn.sc);
  }
}

/**
 * A thread woken from blocking whose SC is sporadic and not the one running: the SC's ready head
 * refill starts now (the sc_sporadic ... refill_unblock_check of seL4's wake-up paths).
 */
export function unblockSporadic(k: Kernel, sc: SchedContext | undefined): void {
  if (sc !== undefined && sc.sporadic && sc !== k.curSC) refillUnblockCheck(k, sc);
}

/** A thread about to wait gives back the SC it borrowed from the notification (maybeReturnSchedContext). */
function maybeReturnSchedContext(k: Kernel, ntfn: Notification, tcb: TCB): void {
  const sc = ntfn.sc;
  if (sc === undefined || sc !== tcb.sc) return;
  tcb.sc = undefined;
  sc.tcb = undefined;
  k.events?.emit({ type: "sc_donated", from: tcb.name });
  if (tcb === k.current) k.rescheduleRequired();
}

// --- replies ------------------------------------------------------------------------------

/**
 * reply_push: the caller waits on `reply` for the callee's answer; when the call may lend the
 * caller's SC to a callee without one, the reply goes on top of that SC's call stack and the SC
 * moves to the callee.
 */
function replyPush(k: Kernel, caller: TCB, callee: TCB, reply: Reply, canDonate: boolean): void {
  const sc = caller.sc;
  reply.tcb = caller;
  caller.reply = reply;
  k.setThreadState(caller, "BlockedOnReply");
  if (sc !== undefined && callee.sc === undefined && canDonate) {
    const older = sc.reply;
    if (older !== undefined) older.next = { reply };
    reply.prev = older;
    sc.reply = reply;
    reply.next = { sc };
    donate(k, sc, callee);
  }
}

/** reply_unlink: the reply and its thread part; the thread stops (its caller decides what next). */
function replyUnlink(k: Kernel, reply: Reply, tcb: TCB): void {
  reply.tcb = undefined;
  tcb.reply = undefined;
  k.setThreadState(tcb, "Inactive");
}

/**
 * reply_pop: the head of an SC's call stack is answered: the reply below becomes the head and the SC
 * goes back to the caller, unless the caller got another SC while it waited.
 */
function replyPop(k: Kernel, reply: Reply, tcb: TCB, sc: SchedContext): void {
  const prev = reply.prev;
  sc.reply = prev;
  if (prev !== undefined) prev.next = reply.next;
  reply.next = undefined;
  if (tcb.sc === undefined) donate(k, sc, tcb);
  reply.prev = undefined;
  replyUnlink(k, reply, tcb);
}

/**
 * reply_remove: `tcb`, blocked on `reply`, stops waiting for it. The head of a call stack is popped;
 * a reply deeper in the stack breaks the stack there.
 */
export function replyRemove(k: Kernel, reply: Reply, tcb: TCB): void {
  const next = reply.next;
  if (next !== undefined && "sc" in next) {
    replyPop(k, reply, tcb, next.sc);
    return;
  }
  if (next !== undefined) next.reply.prev = undefined;
  if (reply.prev !== undefined) reply.prev.next = undefined;
  reply.prev = undefined;
  reply.next = undefined;
  replyUnlink(k, reply, tcb);
}

/** reply_remove_tcb: a thread blocked on a reply is cancelled; its reply leaves the call stack, which keeps its SC. */
function replyRemoveTcb(k: Kernel, tcb: TCB): void {
  const reply = tcb.reply!;
  const next = reply.next;
  if (next !== undefined) {
    if ("sc" in next) next.sc.reply = undefined;
    else next.reply.prev = undefined;
  }
  if (reply.prev !== undefined) reply.prev.next = undefined;
  reply.prev = undefined;
  reply.next = undefined;
  replyUnlink(k, reply, tcb);
}

/** Answers the caller waiting on `reply`; `grant` (the reply cap's) lets caps go with the answer (doReplyTransfer). */
export function doReplyTransfer(k: Kernel, sender: TCB, reply: Reply, grant = false): void {
  const receiver = reply.tcb;
  if (receiver === undefined || receiver.state !== "BlockedOnReply") return;
  replyRemove(k, reply, receiver);
  unblockSporadic(k, receiver.sc);
  const fault = receiver.pendingFault;
  if (fault === undefined) {
    doIPCTransfer(k, sender, undefined, 0n, grant, receiver);
    k.setThreadState(receiver, "Running");
  } else {
    const restart = handleFaultReply(k, receiver, sender, fault);
    k.events?.emit({ type: "fault_reply", ...actor(receiver), fault: fault.type, ...from(sender), resume: restart });
    receiver.pendingFault = undefined;
    k.setThreadState(receiver, restart ? "Restart" : "Inactive");
  }
  // MCS: a receiver whose SC cannot run now gets a timeout fault (unless this answered one) or waits for its refill.
  const sc = receiver.sc;
  if (sc !== undefined && sc.active && receiver.runnable) {
    if (refillReady(k, sc) && refillSufficient(k, sc, 0n)) {
      k.possibleSwitchTo(receiver);
    } else if (receiver.timeoutHandler.type === "endpoint" && fault?.type !== "Timeout") {
      handleTimeout(k, receiver, { type: "Timeout", badge: sc.badge });
    } else {
      k.postpone(sc);
    }
  }
}

/**
 * Whether a reply to a fault resumes the thread; a reply to an UnknownSyscall or UserException
 * fault also writes its MRs back into the registers the fault message carried (seL4
 * src/api/faults.c handleFaultReply, copyMRsFaultReply; Arch_handleFaultReply for VM and VCPU faults).
 */
function handleFaultReply(k: Kernel, receiver: TCB, sender: TCB, fault: Fault): boolean {
  const tag = decodeMessageInfo(k.abi, k.getReg(sender, k.abi.roles.info));
  switch (fault.type) {
    case "CapFault":
    case "VMFault":
    case "VCPUFault":
      return true;
    case "UnknownSyscall":
    case "UserException":
    case "Timeout":
      copyMRsFaultReply(k, sender, receiver, faultReplyRegisters(k.abi, fault.type), tag.length);
      return tag.label === 0n;
  }
}

/** Register i of `regs` := the sender's MR i, for i < length; MRs past 3 only if it has an IPC buffer. */
function copyMRsFaultReply(k: Kernel, sender: TCB, receiver: TCB, regs: readonly string[], length: number): void {
  const n = Math.min(length, regs.length);
  const fast = k.abi.roles.mrs.length;
  const buffer = n > fast ? k.ipcBuffer(sender, false) : undefined;
  const count = buffer === undefined ? Math.min(n, fast) : n;
  for (let i = 0; i < count; i++) {
    const v = k.getMR(sender, buffer, i);
    // FaultIP is where a Restart thread resumes (activateThread); the other names are user registers.
    if (regs[i] === "FaultIP") receiver.restartPc = v;
    else {
      const r = k.reg(regs[i]!);
      receiver.context[r] = sanitiseRegister(k, receiver, r, BigInt.asUintN(64, v));
    }
  }
}

// --- endpoints ------------------------------------------------------------------------------

export interface SendOptions {
  readonly blocking: boolean;
  readonly isCall: boolean;
  readonly badge: bigint;
  readonly canGrant: boolean;
  readonly canGrantReply: boolean;
  readonly canDonate: boolean;
}

export function sendIPC(k: Kernel, thread: TCB, ep: Endpoint, o: SendOptions): void {
  if (ep.state === "Recv") {
    const dest = ep.queue.shift()!;
    dest.blocking = undefined;
    doIPCTransfer(k, thread, ep, o.badge, o.canGrant, dest);
    const reply = dest.reply;
    dest.reply = undefined;
    if (reply !== undefined) reply.tcb = undefined;
    if (o.isCall || thread.pendingFault !== undefined) {
      if (reply !== undefined && (o.canGrant || o.canGrantReply)) replyPush(k, thread, dest, reply, o.canDonate);
      else k.setThreadState(thread, "Inactive");
      if (thread === k.current) k.rescheduleRequired();
    } else if (o.canDonate && dest.sc === undefined && thread.sc !== undefined) {
      donate(k, thread.sc, dest);
    }
    k.setThreadState(dest, "Running");
    unblockSporadic(k, dest.sc);
    k.possibleSwitchTo(dest);
  } else if (o.blocking) {
    thread.blocking = { object: ep, badge: o.badge, canGrant: o.canGrant, canGrantReply: o.canGrantReply, isCall: o.isCall };
    k.setThreadState(thread, "BlockedOnSend");
    tcbAppend(ep.queue, thread);
  }
}

export function receiveIPC(k: Kernel, thread: TCB, ep: Endpoint, isBlocking: boolean, reply: Reply | undefined): void {
  // A reply object still bound to an earlier caller is taken from it (MCS receiveIPC).
  if (reply !== undefined && reply.tcb !== undefined && reply.tcb !== thread) cancelIPC(k, reply.tcb);
  const ntfn = thread.boundNotification;
  if (ntfn !== undefined && ntfn.active) {
    completeSignal(k, ntfn, thread);
    // Only an SC that came with the notification is unblocked (completeSignal).
    if (thread.sc === ntfn.sc) unblockSporadic(k, thread.sc);
    return;
  }
  if (ntfn !== undefined && isBlocking) maybeReturnSchedContext(k, ntfn, thread);
  if (ep.state === "Send") {
    const sender = ep.queue.shift()!;
    const b = sender.blocking!;
    sender.blocking = undefined;
    doIPCTransfer(k, sender, ep, b.badge, b.canGrant, thread);
    unblockSporadic(k, sender.sc);
    if (b.isCall || sender.pendingFault !== undefined) {
      // A blocked sender lends its SC if it has one, unless it reports running out of it.
      const canDonate = sender.sc !== undefined && sender.pendingFault?.type !== "Timeout";
      if (reply !== undefined && (b.canGrant || b.canGrantReply)) replyPush(k, sender, thread, reply, canDonate);
      else k.setThreadState(sender, "Inactive");
    } else {
      k.setThreadState(sender, "Running");
      k.possibleSwitchTo(sender);
    }
    return;
  }
  if (isBlocking) {
    thread.blocking = { object: ep, badge: 0n, canGrant: false, canGrantReply: false, isCall: false };
    thread.reply = reply;
    if (reply !== undefined) reply.tcb = thread;
    k.setThreadState(thread, "BlockedOnReceive");
    tcbAppend(ep.queue, thread);
  } else {
    k.setReg(thread, k.abi.roles.cap, 0n); // doNBRecvFailedTransfer
  }
}

/** Takes a thread out of whatever IPC it is blocked in; it becomes Inactive (cancelIPC). */
export function cancelIPC(k: Kernel, tcb: TCB): void {
  const b = tcb.blocking;
  if (b !== undefined) {
    const i = b.object.queue.indexOf(tcb);
    if (i >= 0) b.object.queue.splice(i, 1);
    tcb.blocking = undefined;
  }
  if (tcb.state === "BlockedOnReceive" && tcb.reply !== undefined) {
    tcb.reply.tcb = undefined;
    tcb.reply = undefined;
  } else if (tcb.state === "BlockedOnReply" && tcb.reply !== undefined) {
    replyRemoveTcb(k, tcb);
  }
  tcb.pendingFault = undefined;
  if (tcb.state !== "Running" && tcb.state !== "Restart") k.setThreadState(tcb, "Inactive");
}

// --- notifications --------------------------------------------------------------------------

function completeSignal(k: Kernel, ntfn: Notification, tcb: TCB): void {
  k.events?.emit({ type: "signal_received", ...actor(tcb), word: ntfn.word });
  k.setReg(tcb, k.abi.roles.cap, ntfn.word);
  ntfn.word = 0n;
  ntfn.active = false;
  maybeDonateSchedContext(k, tcb, ntfn);
}

/** Signals `ntfn` with `badge`; `sender` is the signalling thread (none for an interrupt). */
export function sendSignal(k: Kernel, ntfn: Notification, badge: bigint, sender?: TCB): void {
  if (k.events !== undefined) emitSignal(k, ntfn, badge, sender);
  switch (ntfn.state) {
    case "Idle": {
      const tcb = ntfn.boundTCB;
      if (tcb !== undefined && tcb.state === "BlockedOnReceive") {
        cancelIPC(k, tcb);
        k.setThreadState(tcb, "Running");
        k.setReg(tcb, k.abi.roles.cap, badge);
        maybeDonateSchedContext(k, tcb, ntfn);
        k.possibleSwitchTo(tcb);
        unblockSporadic(k, tcb.sc);
      } else {
        ntfn.word = badge;
        ntfn.active = true;
      }
      break;
    }
    case "Waiting": {
      const dest = ntfn.queue.shift()!;
      dest.blocking = undefined;
      k.setThreadState(dest, "Running");
      k.setReg(dest, k.abi.roles.cap, badge);
      maybeDonateSchedContext(k, dest, ntfn);
      k.possibleSwitchTo(dest);
      unblockSporadic(k, dest.sc);
      break;
    }
    case "Active":
      ntfn.word |= badge;
      break;
  }
}

/** The signal event, from the state before the signal: whom it wakes, or the word it leaves. */
function emitSignal(k: Kernel, ntfn: Notification, badge: bigint, sender: TCB | undefined): void {
  const bound = ntfn.boundTCB;
  const woken = ntfn.state === "Waiting" ? ntfn.queue[0]
    : ntfn.state === "Idle" && bound !== undefined && bound.state === "BlockedOnReceive" ? bound : undefined;
  k.events!.emit({
    type: "signal", ...(sender === undefined ? {} : actor(sender)), badge,
    ...(bound === undefined ? {} : { bound: bound.name }),
    ...(woken === undefined ? {} : woken.pd === undefined ? { woken: woken.name } : { woken: woken.name, woken_pd: woken.pd }),
    word: woken !== undefined ? 0n : ntfn.state === "Active" ? ntfn.word | badge : badge,
  });
}

export function receiveSignal(k: Kernel, thread: TCB, ntfn: Notification, isBlocking: boolean): void {
  if (ntfn.active) {
    completeSignal(k, ntfn, thread);
    // An SC donated to a thread that was not running (ReplyRecv, NBSendRecv) becomes active.
    unblockSporadic(k, thread.sc);
  } else if (isBlocking) {
    thread.blocking = { object: ntfn, badge: 0n, canGrant: false, canGrantReply: false, isCall: false };
    k.setThreadState(thread, "BlockedOnNotification");
    tcbAppend(ntfn.queue, thread);
    maybeReturnSchedContext(k, ntfn, thread);
  } else {
    k.setReg(thread, k.abi.roles.cap, 0n);
  }
}

// --- faults ---------------------------------------------------------------------------------

/** Delivers a fault to the thread's handler, or stops the thread when it has none (handleFault). */
export function handleFault(k: Kernel, tcb: TCB, fault: Fault): void {
  k.faultsRaised++;
  const handler: Cap = tcb.faultHandler;
  if (handler.type === "endpoint" && handler.rights.write && (handler.rights.grant || handler.rights.grantReply)) {
    k.events?.emit({ type: "fault", ...actor(tcb), fault: fault.type, pc: tcb.restartPc, details: faultDetails(fault), handler: "endpoint", badge: handler.badge });
    tcb.pendingFault = fault;
    // MCS handleFault: the faulting thread lends its SC to a passive handler, as a Call would.
    sendIPC(k, tcb, handler.object, {
      blocking: true, isCall: true, badge: handler.badge,
      canGrant: handler.rights.grant, canGrantReply: handler.rights.grantReply, canDonate: tcb.sc !== undefined,
    });
    return;
  }
  k.events?.emit({ type: "fault", ...actor(tcb), fault: fault.type, pc: tcb.restartPc, details: faultDetails(fault), handler: "none" });
  for (const line of noFaultHandlerReport(k, tcb, fault, (t) => kernelThreadPointer(k.abi, t))) k.host.debugPrint(line);
  k.setThreadState(tcb, "Inactive");
}

/**
 * handleTimeout: the fault goes to the timeout endpoint; the thread's SC is not lent to the handler
 * (sendFaultIPC with can_donate false). Called only with a timeout endpoint (validTimeoutHandler).
 */
export function handleTimeout(k: Kernel, tcb: TCB, fault: Fault & { readonly type: "Timeout" }): void {
  const handler = tcb.timeoutHandler;
  if (handler.type !== "endpoint") throw new Error(`handleTimeout: ${tcb.name} has no timeout endpoint`);
  k.faultsRaised++;
  // Not a faulting instruction: the pc where the budget ran out.
  k.events?.emit({ type: "fault", ...actor(tcb), fault: fault.type, pc: k.getReg(tcb, "pc"), details: faultDetails(fault), handler: "endpoint", badge: handler.badge });
  tcb.pendingFault = fault;
  sendIPC(k, tcb, handler.object, {
    blocking: true, isCall: true, badge: handler.badge,
    canGrant: handler.rights.grant, canGrantReply: handler.rights.grantReply, canDonate: false,
  });
}

// Fast paths for the syscalls a Microkit system makes all the time: a Call, Send or reply on an
// endpoint, notification or reply cap without extra caps (seL4_Call, seL4_Signal, the reply half of
// seL4_ReplyRecv), and a Recv on an endpoint with a reply cap. seL4 has fastpath_call and
// fastpath_reply_recv for the same reason; these are written for this model.
//
// Invariant: a fast path either returns false having changed nothing (the general path in
// kernel/syscall.ts then runs as if it had not been tried), or it does exactly what the general path
// does for that case. It only skips steps that cannot matter there: decoding an invocation whose
// kind the cap type already fixes, looking up zero extra caps, and reading a message-info word into
// an object. The IPC itself is done by the same functions of kernel/ipc.ts. tests/e2e/fastpath.test.ts
// runs whole systems with the fast paths on and off and compares output and kernel trace.
import type { Cap } from "./cap.js";
import { doReplyTransfer, receiveIPC, replyFromKernel, sendIPC, sendSignal } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { infoExtraCaps } from "./message-info.js";
import { capAtAddress } from "./objects/cnode.js";
import type { TCB } from "./objects/tcb.js";


/** The cap `cptr` names in the thread's CSpace, or undefined when the lookup fails (lookupCap). */
function lookup(thread: TCB, cptr: bigint): Cap | undefined {
  return capAtAddress(thread.cspaceRoot, cptr);
}

/**
 * handleInvocation for an endpoint, notification or reply cap when the message names no extra
 * caps. Those invocations decode to one outcome per cap type (an endpoint or notification cap
 * without write right is an error reply: left to the general path), and with no extra caps there
 * is nothing to look up that could fault.
 */
export function fastInvocation(k: Kernel, thread: TCB, isCall: boolean, isBlocking: boolean, canDonate: boolean, cptr: bigint): boolean {
  if (infoExtraCaps(k.abi, thread.context[k.roleIndex.info]!) !== 0) return false;
  const cap = lookup(thread, cptr);
  if (cap === undefined) return false;
  switch (cap.type) {
    case "endpoint":
      if (!cap.rights.write) return false;
      k.setThreadState(thread, "Restart");
      sendIPC(k, thread, cap.object, {
        blocking: isBlocking, isCall, badge: cap.badge, canGrant: cap.rights.grant, canGrantReply: cap.rights.grantReply, canDonate,
      });
      break;
    case "notification":
      if (!cap.rights.write) return false;
      k.setThreadState(thread, "Restart");
      sendSignal(k, cap.object, cap.badge);
      break;
    case "reply":
      k.setThreadState(thread, "Restart");
      doReplyTransfer(k, thread, cap.object, cap.canGrant);
      break;
    default:
      return false;
  }
  if (thread.state === "Restart") {
    if (isCall) replyFromKernel(k, thread, 0n, []);
    k.setThreadState(thread, "Running");
  }
  k.fastpathsTaken++;
  return true;
}

/** handleRecv on an endpoint cap with read right, with a reply cap when the syscall takes one. */
export function fastRecv(k: Kernel, thread: TCB, isBlocking: boolean, canReply: boolean): boolean {
  const l = k.roleIndex;
  const cap = lookup(thread, thread.context[l.cap]!);
  if (cap === undefined || cap.type !== "endpoint" || !cap.rights.read) return false;
  let reply;
  if (canReply) {
    const r = lookup(thread, thread.context[l.reply]!);
    if (r === undefined || r.type !== "reply") return false;
    reply = r.object;
  }
  receiveIPC(k, thread, cap.object, isBlocking, reply);
  k.fastpathsTaken++;
  return true;
}

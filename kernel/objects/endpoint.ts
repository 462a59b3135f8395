// Endpoints: a queue of threads all waiting to send or all waiting to receive (seL4 src/object/endpoint.c).
import { unblockSporadic } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import type { TCB } from "./tcb.js";

export class Endpoint {
  readonly queue: TCB[] = [];
  /** Idle when the queue is empty; otherwise what every queued thread waits to do. */
  get state(): "Idle" | "Send" | "Recv" {
    const head = this.queue[0];
    if (head === undefined) return "Idle";
    return head.state === "BlockedOnSend" ? "Send" : "Recv";
  }
}

/**
 * A thread taken off a queue by a deletion or CancelBadgedSends re-runs its syscall, unless it was
 * delivering a fault: then it stays stopped (MCS restart_thread_if_no_fault).
 */
export function restartThreadIfNoFault(k: Kernel, tcb: TCB): void {
  tcb.blocking = undefined;
  if (tcb.pendingFault === undefined) {
    k.setThreadState(tcb, "Restart");
    unblockSporadic(k, tcb.sc);
    k.possibleSwitchTo(tcb);
  } else {
    k.setThreadState(tcb, "Inactive");
  }
}

/** The endpoint's last cap is gone: every queued thread is restarted (cancelAllIPC). */
export function cancelAllIPC(k: Kernel, ep: Endpoint): void {
  if (ep.queue.length === 0) return;
  for (const tcb of ep.queue.splice(0)) {
    // removeAndRestartEPQueuedThread: a receiver lets go of its reply object.
    if (tcb.state === "BlockedOnReceive" && tcb.reply !== undefined) {
      tcb.reply.tcb = undefined;
      tcb.reply = undefined;
    }
    restartThreadIfNoFault(k, tcb);
  }
  k.rescheduleRequired();
}

/** Restarts the senders blocked with `badge` (cancelBadgedSends); receivers are left waiting. */
export function cancelBadgedSends(k: Kernel, ep: Endpoint, badge: bigint): void {
  if (ep.state !== "Send") return;
  for (const tcb of [...ep.queue]) {
    if (tcb.blocking?.badge !== badge) continue;
    ep.queue.splice(ep.queue.indexOf(tcb), 1);
    restartThreadIfNoFault(k, tcb);
  }
  k.rescheduleRequired();
}

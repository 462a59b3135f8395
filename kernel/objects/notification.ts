// Notifications: a word of badge bits plus the threads waiting for it (seL4 src/object/notification.c).
import { unblockSporadic } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import type { SchedContext } from "./schedcontext.js";
import type { TCB } from "./tcb.js";

export class Notification {
  readonly queue: TCB[] = [];
  /** Accumulated badges while Active. */
  word = 0n;
  active = false;
  boundTCB: TCB | undefined;
  /** A scheduling context bound to the notification, lent to a passive waiter (MCS). */
  sc: SchedContext | undefined;

  get state(): "Idle" | "Waiting" | "Active" {
    if (this.active) return "Active";
    return this.queue.length > 0 ? "Waiting" : "Idle";
  }
}

/** The notification's last cap is gone: every waiting thread re-runs its Wait (cancelAllSignals). */
export function cancelAllSignals(k: Kernel, ntfn: Notification): void {
  if (ntfn.state !== "Waiting") return;
  for (const tcb of ntfn.queue.splice(0)) {
    // removeAndRestartNTFNQueuedThread
    tcb.blocking = undefined;
    k.setThreadState(tcb, "Restart");
    unblockSporadic(k, tcb.sc);
    k.possibleSwitchTo(tcb);
  }
  k.rescheduleRequired();
}

/** bindNotification: signals to `ntfn` now also wake `tcb` while it waits on an endpoint. */
export function bindNotification(tcb: TCB, ntfn: Notification): void {
  ntfn.boundTCB = tcb;
  tcb.boundNotification = ntfn;
}

/** unbindNotification: undo TCBBindNotification; an SC bound to the notification stays bound to it. */
export function unbindNotification(tcb: TCB): void {
  const ntfn = tcb.boundNotification;
  if (ntfn === undefined) return;
  ntfn.boundTCB = undefined;
  tcb.boundNotification = undefined;
}

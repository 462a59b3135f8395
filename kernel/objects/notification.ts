// Notifications: a word of badge bits plus the threads waiting for it (seL4 src/object/notification.c).
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

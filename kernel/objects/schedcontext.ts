// Scheduling contexts (MCS): the right to run for `budget` per `period` (seL4 src/object/schedcontext.c).
import type { Notification } from "./notification.js";
import type { TCB } from "./tcb.js";

export class SchedContext {
  tcb: TCB | undefined;
  notification: Notification | undefined;
  constructor(
    public budget: bigint,
    public period: bigint,
    public badge: bigint,
  ) {}
}

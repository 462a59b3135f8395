// Reply objects (MCS): bind a caller to the thread that will answer it (seL4 src/object/reply.c).
import type { SchedContext } from "./schedcontext.js";
import type { TCB } from "./tcb.js";

export class Reply {
  /** The caller blocked on this reply, or the receiver waiting with it. */
  tcb: TCB | undefined;
  /** The caller's scheduling context, when the call lent it to a passive callee. */
  donated: SchedContext | undefined;
}

// Reply objects (MCS): bind a caller to the thread that will answer it (seL4 src/object/reply.c).
//
// Replies whose calls lent a scheduling context form that SC's call stack: the SC's `reply` is the
// newest one; each reply's `prev` is the reply of the call before it (the one the SC goes back to
// after this one is answered), and its `next` the reply of the call after it, or for the newest,
// the SC itself (seL4's replyPrev, replyNext and its isHead bit).
import type { SchedContext } from "./schedcontext.js";
import type { TCB } from "./tcb.js";

/** replyNext: the later call's reply, or the SC at the head of the stack. */
export type CallStackNext = { readonly reply: Reply } | { readonly sc: SchedContext };

export class Reply {
  /** The caller blocked on this reply, or the receiver waiting with it (replyTCB). */
  tcb: TCB | undefined;
  /** replyPrev: the reply below this one on the call stack. */
  prev: Reply | undefined;
  /** replyNext: the reply above this one, or the SC when this reply heads its stack. */
  next: CallStackNext | undefined;
}

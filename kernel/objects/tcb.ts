// Thread control blocks (seL4 include/object/structures.h tcb_t, src/object/tcb.c).
import type { Cap } from "../cap.js";
import { NULL_CAP } from "../cap.js";
import type { Fault } from "../faults.js";
import type { Endpoint } from "./endpoint.js";
import type { Notification } from "./notification.js";
import type { Reply } from "./reply.js";
import type { SchedContext } from "./schedcontext.js";

export type ThreadState =
  | "Inactive"
  | "Running"
  | "Restart"
  | "BlockedOnReceive"
  | "BlockedOnSend"
  | "BlockedOnReply"
  | "BlockedOnNotification";

/** What a thread's address space shows the kernel: a live view of user memory, if mapped. */
export interface UserMemory {
  /** Bytes at [va, va+length) within one page, or undefined when not mapped with those rights. */
  bytes(va: bigint, length: number, write: boolean): Uint8Array | undefined;
}

/** seL4's thread_state fields for a blocked thread. */
export interface Blocking {
  readonly object: Endpoint | Notification;
  readonly badge: bigint;
  readonly canGrant: boolean;
  readonly canGrantReply: boolean;
  readonly isCall: boolean;
}

export class TCB {
  state: ThreadState = "Inactive";
  priority = 0;
  mcp = 0;
  /** seL4_UserContext, in the ABI's register order. */
  readonly context: BigUint64Array;
  cspaceRoot: Cap = NULL_CAP;
  vspace: UserMemory | undefined;
  /** The frame that backs the IPC buffer is taken from the vspace at this address. */
  ipcBuffer = 0n;
  /** MCS keeps a copy of the fault endpoint cap in the TCB (TCBConfigure / SetSpace). */
  faultHandler: Cap = NULL_CAP;
  /** The timeout fault endpoint (MCS TCBSetTimeoutEndpoint): where budget exhaustion is reported. */
  timeoutHandler: Cap = NULL_CAP;
  /** tcbDomain: the scheduler runs the thread only while its domain is the current one. */
  domain = 0;
  /** tcbInReleaseQueue: waiting in the release queue for its SC's next refill. */
  inReleaseQueue = false;
  /** The VSpace root cap installed by TCBSetSpace / TCBConfigure (tcbVTable); `vspace` is the memory view. */
  vspaceRoot: Cap = NULL_CAP;
  /** tcbFlags (seL4_TCBFlag_*, TCBSetFlags). */
  flags = 0n;
  /** The SC this thread yielded to with SchedContextYieldTo, until it runs again (tcbYieldTo). */
  yieldTo: SchedContext | undefined;
  boundNotification: Notification | undefined;
  sc: SchedContext | undefined;
  blocking: Blocking | undefined;
  /** The reply object this thread receives with, or waits on while BlockedOnReply. */
  reply: Reply | undefined;
  pendingFault: Fault | undefined;
  /** Where a thread in Restart resumes: the trapping or faulting instruction (seL4 FaultIP). */
  restartPc = 0n;
  /** Set by the debug config's DebugNameThread, or by the system builder. */
  name: string;
  /** The protection domain the thread belongs to, set by the system builder (for events and reports). */
  pd: string | undefined;
  /** Anything the host attaches (the emulator keeps its engine binding here). */
  host: unknown;

  constructor(name: string, contextSize: number) {
    this.name = name;
    this.context = new BigUint64Array(contextSize);
  }

  get runnable(): boolean {
    return this.state === "Running" || this.state === "Restart";
  }
}

/**
 * Queues a thread on an endpoint or notification by priority: ahead of every lower-priority thread,
 * behind those of equal or higher priority (MCS tcbAppend, seL4 include/object/tcb.h).
 */
export function tcbAppend(queue: TCB[], tcb: TCB): void {
  const i = queue.findIndex((t) => t.priority < tcb.priority);
  if (i < 0) queue.push(tcb);
  else queue.splice(i, 0, tcb);
}

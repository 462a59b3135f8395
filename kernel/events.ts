// Kernel events: each action of the kernel that a thread or an observer could see, as plain data
// (strings, numbers, bigints), for traces, debuggers and timelines. The kernel holds an EventHub
// only while someone listens; every emission site is `k.events?.emit({...})`, which builds nothing
// when k.events is undefined. The machine reports device accesses through the same hub. The
// fields are named as the JSON trace writes them (docs/trace.md); bump TRACE_VERSION on any change
// a reader could notice (a field renamed, removed or given another meaning; a new event type or
// field is compatible and keeps the version).
import type { Fault } from "./faults.js";
import type { TCB, ThreadState } from "./objects/tcb.js";

export const TRACE_VERSION = 1;

/** The thread an event is about: its name, and its protection domain's when it belongs to one. */
export interface Actor {
  readonly thread: string;
  readonly pd?: string;
}

/** Fault fields by fault type (words as bigints); see faultDetails. */
export type FaultDetails = Readonly<Record<string, bigint | boolean | number | string>>;

export type SyscallResult = "ok" | "error" | "fault" | "dropped";

/** Why the scheduler chose: a thread woken by this kernel entry runs at once, or the best ready thread was picked. */
export type ScheduleReason = "woken" | "choose";

export type KernelEventBody =
  /** A thread's syscall, as the kernel begins handling it (budget permitting). */
  | (Actor & { readonly type: "syscall"; readonly syscall: string; readonly number: number; readonly cap: bigint; readonly pc: bigint })
  /** How the syscall ended for its thread: `error` names the seL4_Error of a failed invocation. */
  | (Actor & { readonly type: "syscall_result"; readonly syscall: string; readonly result: SyscallResult; readonly error?: string; readonly state: ThreadState })
  /** A cap the thread invoked: its cptr, the object type, the message label and, for kernel objects, the invocation's name. */
  | (Actor & { readonly type: "invocation"; readonly cptr: bigint; readonly object: string; readonly label: bigint; readonly method?: string })
  /** A message copied from one thread to another (a send meeting a receive, or a reply). */
  | { readonly type: "ipc"; readonly kind: "send" | "reply"; readonly from: string; readonly from_pd?: string; readonly to: string; readonly to_pd?: string;
      readonly badge: bigint; readonly label: bigint; readonly length: number; readonly caps: number; readonly unwrapped: number }
  /** A notification signalled: by a thread (absent for an interrupt), waking `woken` or leaving the badge in `word`. */
  | { readonly type: "signal"; readonly thread?: string; readonly pd?: string; readonly badge: bigint; readonly bound?: string;
      readonly woken?: string; readonly woken_pd?: string; readonly word: bigint }
  /** A thread took the badges a notification had accumulated (a Wait, Poll or Recv that did not block). */
  | (Actor & { readonly type: "signal_received"; readonly word: bigint })
  /** A fault raised by a thread, and whether a fault endpoint will take it or the thread stops. */
  | (Actor & { readonly type: "fault"; readonly fault: Fault["type"]; readonly pc: bigint; readonly details: FaultDetails;
      readonly handler: "endpoint" | "none"; readonly badge?: bigint })
  /** A fault message handed to the handler thread that received it. */
  | (Actor & { readonly type: "fault_delivered"; readonly fault: Fault["type"]; readonly to: string; readonly to_pd?: string;
      readonly badge: bigint; readonly label: bigint; readonly length: number })
  /** The handler's reply to a fault: whether the faulted thread resumes. */
  | (Actor & { readonly type: "fault_reply"; readonly fault: Fault["type"]; readonly from: string; readonly from_pd?: string; readonly resume: boolean })
  | (Actor & { readonly type: "thread_state"; readonly from: ThreadState; readonly to: ThreadState })
  /** seL4_DebugNameThread: the thread (under its old name) is called `name` from now on. */
  | (Actor & { readonly type: "thread_named"; readonly name: string })
  /** A scheduling decision; no thread means the idle thread. `from` is the thread that ran before. */
  | { readonly type: "schedule"; readonly thread?: string; readonly pd?: string; readonly reason: ScheduleReason; readonly from?: string; readonly domain: number }
  /** The current thread's head refill could not cover the time it used: its time slice ends. */
  | (Actor & { readonly type: "budget_exhausted"; readonly consumed_ns: number })
  /** The thread waits in the release queue for its scheduling context's next refill. */
  | (Actor & { readonly type: "sc_postponed"; readonly release_ns: number })
  /** Its refill became ready: the thread leaves the release queue. */
  | (Actor & { readonly type: "sc_released" })
  /**
   * A scheduling context moved between threads (a call to a passive server, a reply, a passive
   * thread woken by a notification); without `to` it went back to the notification it is bound to.
   */
  | { readonly type: "sc_donated"; readonly from?: string; readonly to?: string; readonly to_pd?: string }
  /** The domain schedule moved on. */
  | { readonly type: "domain"; readonly domain: number; readonly duration_ns: number }
  /** The kernel timer fired (end of a budget, a release, or a domain slot). */
  | { readonly type: "timer" }
  /** An interrupt line the controller delivered; `handled` if a handler's notification was signalled. */
  | { readonly type: "irq"; readonly irq: number; readonly handled: boolean }
  | (Actor & { readonly type: "irq_ack"; readonly irq: number })
  /** An ARMSMCCall handed to the board's secure firmware: the function id, x0 of the answer. */
  | (Actor & { readonly type: "smc"; readonly function_id: bigint; readonly result: bigint })
  /** Reported by the machine: a thread's access to a memory-mapped device register. */
  | { readonly type: "mmio"; readonly thread?: string; readonly pd?: string; readonly device: string; readonly register: string;
      readonly access: "read" | "write"; readonly value: bigint }
  /** Reported by the machine: a system register a device answers (the AArch64 generic timer). */
  | (Actor & { readonly type: "sysreg"; readonly register: string; readonly access: "read" | "write"; readonly value: bigint });

export type KernelEventType = KernelEventBody["type"];

/** An event as subscribers get it: virtual time (ns) stamped after the type. */
export type KernelEvent = KernelEventBody & { readonly time_ns: number };

export type EventListener = (event: KernelEvent) => void;

/** The subscribers of one kernel; `clock` is the virtual time of an event emitted now. */
export class EventHub {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly clock: () => bigint) {}

  get empty(): boolean {
    return this.listeners.length === 0;
  }

  add(listener: EventListener): void {
    this.listeners.push(listener);
  }

  remove(listener: EventListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  emit(body: KernelEventBody): void {
    this.emitAt(this.clock(), body);
  }

  /** For the machine: an event at a time it knows better than the kernel (mid-run device accesses). */
  emitAt(timeNs: bigint, body: KernelEventBody): void {
    // type first, then time, then the rest: the order the JSON trace shows.
    const event: KernelEvent = Object.assign({ type: body.type, time_ns: Number(timeNs) }, body);
    for (const l of this.listeners) l(event);
  }
}

/** `{ thread, pd }` of a thread, pd left out when it belongs to none. */
export function actor(tcb: TCB): Actor {
  return tcb.pd === undefined ? { thread: tcb.name } : { thread: tcb.name, pd: tcb.pd };
}

/** The fault's own fields, named as in the trace. */
export function faultDetails(f: Fault): FaultDetails {
  switch (f.type) {
    case "CapFault": {
      const l = f.lookup;
      const lookup: Record<string, bigint | number | string> = { lookup: l.type };
      if (l.type !== "InvalidRoot") lookup["bits_left"] = l.bitsLeft;
      if (l.type === "DepthMismatch" || l.type === "GuardMismatch") lookup["bits_found"] = l.bitsFound;
      if (l.type === "GuardMismatch") lookup["guard_found"] = l.guardFound;
      return { address: f.address, receive_phase: f.inReceivePhase, ...lookup };
    }
    case "UnknownSyscall":
      return { number: f.number };
    case "UserException":
      return { number: f.number, code: f.code };
    case "VMFault":
      return { address: f.address, instruction: f.instruction, fsr: f.fsr };
    case "VCPUFault":
      return { hsr: f.hsr };
    case "Timeout":
      return { badge: f.badge };
  }
}

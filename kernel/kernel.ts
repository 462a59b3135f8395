// The kernel's state: threads, the scheduler (seL4 src/kernel/thread.c) and the host interfaces it
// reports through. Objects and syscalls live in their own modules and act on a Kernel.
import type { KernelAbi } from "./abi.js";
import { completeYieldTo } from "./objects/schedcontext.js";
import { tcbAppend, type TCB } from "./objects/tcb.js";

/** What the kernel asks of the machine around it (console, interrupt controller, diagnostics). */
export interface KernelHost {
  /** seL4_DebugPutChar. */
  putChar(byte: number): void;
  /** A line the debug kernel would print on its console (faults without handler, bad invocations). */
  debugPrint(line: string): void;
  /** IRQAckIRQ: unmask the line at the interrupt controller. */
  ackIrq(irq: number): void;
  /** seL4_DebugHalt. */
  halt(): void;
}

const NUM_PRIORITIES = 256;

type SchedulerAction = "ResumeCurrentThread" | "ChooseNewThread" | TCB;

export class Kernel {
  readonly abi: KernelAbi;
  readonly host: KernelHost;
  /** The thread that trapped into the kernel, or that runs next. */
  current: TCB | undefined;
  private action: SchedulerAction = "ResumeCurrentThread";
  private readonly queues: TCB[][] = Array.from({ length: NUM_PRIORITIES }, () => []);
  private readonly regIndex: ReadonlyMap<string, number>;
  private readonly msgOffset: number;

  constructor(abi: KernelAbi, host: KernelHost) {
    this.abi = abi;
    this.host = host;
    this.regIndex = new Map(abi.userContext.map((name, i) => [name, i]));
    const msg = abi.ipcBuffer.fields["msg"];
    if (msg === undefined) throw new Error("ABI tables lack the IPC buffer msg field");
    this.msgOffset = msg.offset;
  }

  // --- registers --------------------------------------------------------------------------

  /** Index of a register in seL4_UserContext (by lower-case name; AArch64 `spsr` is the flags word). */
  reg(name: string): number {
    // Exact names first: the hot path passes the ABI's own lower-case names.
    const i = this.regIndex.get(name) ?? this.regIndex.get(name.toLowerCase()) ?? this.regIndex.get(ALIASES[name.toLowerCase()] ?? "");
    if (i === undefined) throw new Error(`no register ${name} in the ${this.abi.arch} user context`);
    return i;
  }

  getReg(tcb: TCB, name: string): bigint {
    return tcb.context[this.reg(name)]!;
  }

  setReg(tcb: TCB, name: string, value: bigint): void {
    tcb.context[this.reg(name)] = BigInt.asUintN(64, value);
  }

  // --- IPC buffer -------------------------------------------------------------------------

  /** The thread's IPC buffer, if mapped (seL4 lookupIPCBuffer; the receiver needs it writable). */
  ipcBuffer(tcb: TCB, write: boolean): DataView | undefined {
    if (tcb.vspace === undefined || tcb.ipcBuffer === 0n) return undefined;
    const bytes = tcb.vspace.bytes(tcb.ipcBuffer, 1 << 10, write);
    return bytes === undefined ? undefined : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Message register i (i >= 4 lives in the IPC buffer). */
  getMR(tcb: TCB, buffer: DataView | undefined, i: number): bigint {
    const mrs = this.abi.roles.mrs;
    if (i < mrs.length) return this.getReg(tcb, mrs[i]!);
    return buffer === undefined ? 0n : buffer.getBigUint64(this.msgOffset + 8 * i, true);
  }

  setMR(tcb: TCB, buffer: DataView | undefined, i: number, value: bigint): void {
    const mrs = this.abi.roles.mrs;
    if (i < mrs.length) this.setReg(tcb, mrs[i]!, value);
    else if (buffer !== undefined) buffer.setBigUint64(this.msgOffset + 8 * i, BigInt.asUintN(64, value), true);
  }

  /** Writes MRs from 0 and returns how many fit (seL4 setMRs: registers, then the buffer if any). */
  setMRs(tcb: TCB, values: readonly bigint[]): number {
    const buffer = values.length > this.abi.roles.mrs.length ? this.ipcBuffer(tcb, true) : undefined;
    const fit = buffer === undefined ? Math.min(values.length, this.abi.roles.mrs.length) : Math.min(values.length, this.abi.ipcBuffer.msgMaxLength);
    for (let i = 0; i < fit; i++) this.setMR(tcb, buffer, i, values[i]!);
    return fit;
  }

  // --- scheduling -------------------------------------------------------------------------

  setThreadState(tcb: TCB, state: TCB["state"]): void {
    tcb.state = state;
    if (tcb === this.current && !tcb.runnable) this.rescheduleRequired();
  }

  /** Schedulable: runnable with an active scheduling context (MCS isSchedulable). */
  isSchedulable(tcb: TCB): boolean {
    return tcb.runnable && tcb.sc !== undefined && tcb.sc.active;
  }

  /** In a ready queue (seL4's tcbQueued bit). */
  isQueued(tcb: TCB): boolean {
    return this.queues[tcb.priority]!.includes(tcb);
  }

  /**
   * setPriority (MCS): a queued or current thread is requeued at its new priority and the scheduler
   * asked to choose again; a thread blocked on an endpoint or notification moves in that queue.
   */
  setPriority(tcb: TCB, priority: number): void {
    switch (tcb.state) {
      case "Running":
      case "Restart":
        if (this.isQueued(tcb) || tcb === this.current) {
          this.dequeue(tcb);
          tcb.priority = priority;
          if (this.isSchedulable(tcb)) this.enqueue(tcb);
          this.rescheduleRequired();
        } else {
          tcb.priority = priority;
        }
        break;
      case "BlockedOnReceive":
      case "BlockedOnSend":
      case "BlockedOnNotification": {
        tcb.priority = priority;
        const queue = tcb.blocking?.object.queue;
        if (queue !== undefined) {
          // reorderEP / reorderNTFN: out of the queue and back in by the new priority.
          const i = queue.indexOf(tcb);
          if (i >= 0) queue.splice(i, 1);
          tcbAppend(queue, tcb);
        }
        break;
      }
      default:
        tcb.priority = priority;
    }
  }

  /** Head of its priority queue (tcbSchedEnqueue). */
  enqueue(tcb: TCB): void {
    const q = this.queues[tcb.priority]!;
    if (!q.includes(tcb)) q.unshift(tcb);
  }

  /** Tail of its priority queue (tcbSchedAppend). */
  append(tcb: TCB): void {
    const q = this.queues[tcb.priority]!;
    if (!q.includes(tcb)) q.push(tcb);
  }

  dequeue(tcb: TCB): void {
    const q = this.queues[tcb.priority]!;
    const i = q.indexOf(tcb);
    if (i >= 0) q.splice(i, 1);
  }

  rescheduleRequired(): void {
    if (typeof this.action === "object" && this.isSchedulable(this.action)) this.enqueue(this.action);
    this.action = "ChooseNewThread";
  }

  /** A thread became runnable: run it now if it should preempt, else queue it (possibleSwitchTo). */
  possibleSwitchTo(target: TCB): void {
    if (!this.isSchedulable(target)) return;
    if (this.action !== "ResumeCurrentThread") {
      this.rescheduleRequired();
      this.enqueue(target);
    } else {
      this.action = target;
    }
  }

  /** Makes a thread runnable and schedulable from outside a syscall (start-up, Resume). */
  makeRunnable(tcb: TCB): void {
    this.setThreadState(tcb, "Running");
    if (tcb !== this.current) this.possibleSwitchTo(tcb);
  }

  /**
   * Yield, or the end of a round-robin time slice: to the back of its priority queue, then choose
   * again (MCS chargeBudget: endTimeslice appends, rescheduleRequired keeps a pending candidate).
   */
  yieldCurrent(): void {
    const cur = this.current;
    if (cur === undefined) return;
    this.append(cur);
    this.rescheduleRequired();
    this.current = undefined;
  }

  private highestReady(): TCB | undefined {
    for (let p = NUM_PRIORITIES - 1; p >= 0; p--) {
      const q = this.queues[p]!;
      while (q.length > 0) {
        const t = q[0]!;
        if (this.isSchedulable(t)) return t;
        q.shift(); // stale entry: the thread blocked or lost its SC while queued
      }
    }
    return undefined;
  }

  /** Decides which thread runs next (seL4 schedule()); undefined means the system is idle. */
  schedule(): TCB | undefined {
    const cur = this.current;
    if (this.action !== "ResumeCurrentThread") {
      const wasRunnable = cur !== undefined && this.isSchedulable(cur);
      if (wasRunnable) this.enqueue(cur);
      if (this.action === "ChooseNewThread") {
        this.switchTo(this.highestReady());
      } else {
        const candidate = this.action;
        const fastFail = cur === undefined || !wasRunnable || candidate.priority < cur.priority;
        const best = this.highestReady();
        if (fastFail && best !== undefined && best.priority > candidate.priority) {
          this.enqueue(candidate);
          this.switchTo(this.highestReady());
        } else if (wasRunnable && cur !== undefined && candidate.priority === cur.priority) {
          this.append(candidate);
          this.switchTo(this.highestReady());
        } else {
          this.switchTo(candidate);
        }
      }
      this.action = "ResumeCurrentThread";
    } else if (cur !== undefined && !this.isSchedulable(cur)) {
      this.switchTo(this.highestReady());
    }
    // activateThread (MCS): a thread that yielded to another SC gets that SC's consumed time on its way out.
    const next = this.current;
    if (next?.yieldTo !== undefined) completeYieldTo(this, next);
    return this.current;
  }

  private switchTo(tcb: TCB | undefined): void {
    if (tcb !== undefined) this.dequeue(tcb);
    this.current = tcb;
  }
}

/** Names the ABI's fault-message tables use for registers that the user context names otherwise. */
const ALIASES: Readonly<Record<string, string>> = { lr: "x30", faultip: "pc" };

// The kernel's state: threads, the scheduler (seL4 src/kernel/thread.c), MCS time accounting
// (include/kernel/thread.h updateTimestamp/checkBudget/commitTime), the release queue
// (src/object/tcb.c tcbReleaseEnqueue), the domain scheduler (src/object/domain.c) and the host
// interfaces it reports through. Objects and syscalls live in their own modules and act on a Kernel.
//
// Time: the kernel sees the timer's count (ticks at the ABI's TIMER_FREQUENCY), as seL4 does; the
// machine hands it virtual time in nanoseconds at each kernel entry (updateTimestamp) and reads back
// the timer deadline the kernel programmed (timerDeadlineNs), both converted exactly.
import { platformFacts, type KernelAbi } from "./abi.js";
import { actor, EventHub, type EventListener, type ScheduleReason } from "./events.js";
import { handleTimeout } from "./ipc.js";
import { kernelConfig, threadFacts } from "./marshalling.js";
import { completeYieldTo, type SchedContext } from "./objects/schedcontext.js";
import { tcbAppend, type TCB } from "./objects/tcb.js";
import type { ASIDPool, VSpaceBackend } from "./vspace.js";
import { IrqTable } from "./interrupt.js";
import {
  headAmount, headTime, isRoundRobin, minBudget, nsToTicks, refillBudgetCheck, refillReady, refills, refillSufficient,
  refillUnblockCheck, ticksToNs,
} from "./sporadic.js";

/** What the kernel asks of the machine around it (console, interrupt controller, diagnostics). */
export interface KernelHost {
  /** seL4_DebugPutChar. */
  putChar(byte: number): void;
  /** A line the debug kernel would print on its console (faults without handler, bad invocations). */
  debugPrint(line: string): void;
  /** IRQAckIRQ: unmask the line at the interrupt controller. */
  ackIrq(irq: number): void;
  /**
   * IRQControl issued a handler for the line (setIRQState IRQSignal, and setIRQTrigger when a trigger
   * is given): the controller delivers it from now on. Without a trigger the line keeps its own.
   */
  enableIrq(irq: number, trigger: "level" | "edge" | undefined): void;
  /** The line's last handler was deleted (deletedIRQHandler): the controller masks it. */
  disableIrq(irq: number): void;
  /** seL4_DebugHalt. */
  halt(): void;
  /** The machine's address spaces and memory, told of every change to a live translation (absent: no machine). */
  readonly vspace?: VSpaceBackend | undefined;
  /**
   * ARMSMCCall: the board's secure firmware answers x0-x7 with x0-x7. Without a firmware (no
   * method, or undefined) the call is answered as SMCCC answers an unknown function: x0 = -1.
   */
  smc?(args: readonly bigint[]): readonly bigint[] | undefined;
}

const NUM_PRIORITIES = 256;

/** include/object/domain.h: an entry's duration has 56 bits (DSCHED_MAX_DURATION). */
export const DSCHED_MAX_DURATION = (1n << 56n) - 1n;

/** One entry of the domain schedule (ksDomSchedule): run `domain` for `duration` timer ticks. */
export interface DomainScheduleEntry {
  readonly domain: number;
  readonly duration: bigint;
}

/**
 * getTimerPrecision(), subtracted from every deadline: 0 on the ARM generic timer of qemu-arm-virt
 * (seL4 config.cmake CONFIGURE_TIMER_PRECISION default 0, TIMER_OVERHEAD_TICKS 0), usToTicks(1) on
 * RISC-V (include/arch/riscv/arch/machine/timer.h). Not in ../shared/abi.
 */
const TIMER_PRECISION_US: Readonly<Record<KernelAbi["arch"], bigint>> = { aarch64: 0n, riscv64: 1n };

type SchedulerAction = "ResumeCurrentThread" | "ChooseNewThread" | TCB;

export class Kernel {
  readonly abi: KernelAbi;
  readonly host: KernelHost;
  /** Kernel event subscribers (kernel/events.ts); undefined while nobody listens, so emitting costs nothing. */
  events: EventHub | undefined;
  /** Virtual time (ns) of the latest kernel entry: the time of the events it emits. */
  nowNs = 0n;
  /**
   * Whether the common IPC syscalls take kernel/fastpath.ts. The results are the same either way
   * (tests compare them); off, every syscall takes the general path.
   */
  fastpath = true;
  /** How many invocations and receives the fast paths handled (for tests and the benchmark). */
  fastpathsTaken = 0;
  /** Faults raised (handleFault, handleTimeout): exceptions, cap faults, unknown syscalls, timeouts. */
  faultsRaised = 0;
  /** The thread that trapped into the kernel, or that runs next (ksCurThread; undefined is idle). */
  current: TCB | undefined;
  private action: SchedulerAction = "ResumeCurrentThread";
  /** Ready queues, per domain and priority (ksReadyQueues[domain * 256 + priority]). */
  private readonly queues: TCB[][] = [];
  /**
   * Which ready queues are not empty (seL4's ksReadyQueuesL1Bitmap/L2Bitmap): bit i % 32 of word
   * i / 32 for queue i, kept with every change to a queue, so choosing a thread need not look at all
   * 256 priorities.
   */
  private readonly readyBits: Uint32Array;
  private readonly regIndex: ReadonlyMap<string, number>;
  /** Context indices of the registers with an IPC role (abi.roles), for the IPC hot path. */
  readonly roleIndex: { readonly cap: number; readonly info: number; readonly reply: number; readonly mrs: readonly number[] };
  private readonly msgOffset: number;

  // --- MCS time (ticks of the kernel timer) ---
  /** ksCurTime: the timer's count at the last kernel entry. */
  curTime = 0n;
  /** ksConsumed: ticks used since the last commit to the current SC. */
  consumed = 0n;
  /** ksCurSC: the SC the current thread runs on (undefined while idle). */
  curSC: SchedContext | undefined;
  /** ksReprogram: the timer deadline must be recomputed at the end of schedule(). */
  reprogram = true;
  /** ksReleaseQueue: threads waiting for their SC's head refill, by release time. */
  readonly releaseQueue: TCB[] = [];
  /** The deadline last programmed into the timer (setNextInterrupt), in ticks. */
  private deadline: bigint | undefined;
  /** ns(deadline), kept with it: the machine asks for it before every run. */
  private deadlineNs: bigint | undefined;
  private readonly timerHz: bigint;
  private readonly timerPrecision: bigint;

  /** Which interrupt lines have handlers. */
  readonly irqs = new IrqTable();
  /**
   * The debug kernel's list of threads (ksDebugTCBs), newest first: each TCB joins when it is made
   * (tcbDebugAppend prepends) and leaves when it is finalised. DebugSnapshot walks it;
   * DebugDumpScheduler lists it.
   */
  readonly debugThreads: TCB[] = [];
  /** The highest IRQ number IRQControl accepts (maxIRQ of the board's kernel build). */
  readonly maxIrq: number;

  /** The ASID table (armKSASIDTable, riscvKSASIDTable): the pool of each high ASID part, if made. */
  readonly asidTable: (ASIDPool | undefined)[];

  // --- domains ---
  /** numDomains (CONFIG_NUM_DOMAINS). */
  readonly numDomains: number;
  /** ksDomSchedule: CONFIG_NUM_DOMAIN_SCHEDULES entries; {0, 0} is an end marker. */
  private readonly domSchedule: DomainScheduleEntry[];
  private domScheduleIdx = 0;
  /** ksDomScheduleStart: where the schedule starts again after its end marker. */
  domainScheduleStart = 0;
  /** ksCurDomain. */
  curDomain = 0;
  /** ksDomainTime: ticks left of the current domain's slot. */
  domainTime = DSCHED_MAX_DURATION;

  constructor(abi: KernelAbi, host: KernelHost, platform: { readonly maxIrq: number; readonly reservedIrqs?: readonly number[] } = referencePlatform(abi)) {
    this.abi = abi;
    this.host = host;
    this.maxIrq = platform.maxIrq;
    for (const irq of platform.reservedIrqs ?? []) this.irqs.reserve(irq);
    this.regIndex = new Map(abi.userContext.map((name, i) => [name, i]));
    const r = abi.roles;
    this.roleIndex = { cap: this.reg(r.cap), info: this.reg(r.info), reply: this.reg(r.reply), mrs: r.mrs.map((n) => this.reg(n)) };
    const msg = abi.ipcBuffer.fields["msg"];
    if (msg === undefined) throw new Error("ABI tables lack the IPC buffer msg field");
    this.msgOffset = msg.offset;
    const f = threadFacts(abi);
    this.timerHz = f.timerFrequencyHz;
    // usToTicks(TIMER_PRECISION); both boards' frequencies are whole MHz.
    this.timerPrecision = TIMER_PRECISION_US[abi.arch] * (f.timerFrequencyHz / 1_000_000n);
    const config = kernelConfig(abi);
    this.numDomains = Number(config["NUM_DOMAINS"] ?? "1");
    const length = Number(config["NUM_DOMAIN_SCHEDULES"] ?? "1");
    // boot.c: domain 0 for as long as a schedule entry can last, then the end marker.
    this.domSchedule = Array.from({ length: Math.max(length, 2) }, () => ({ domain: 0, duration: 0n }));
    this.domSchedule[0] = { domain: 0, duration: DSCHED_MAX_DURATION };
    this.asidTable = new Array<ASIDPool | undefined>(2 ** abi.vm.asidHighBits);
    this.readyBits = new Uint32Array((Math.max(this.numDomains, 1) * NUM_PRIORITIES) / 32);
  }

  // --- events -----------------------------------------------------------------------------

  /** Adds a listener to the kernel's events; returns the function that removes it again. */
  subscribe(listener: EventListener): () => void {
    const hub = this.events ?? new EventHub(() => this.nowNs);
    hub.add(listener);
    this.events = hub;
    return () => {
      hub.remove(listener);
      if (hub.empty && this.events === hub) this.events = undefined;
    };
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
    if (this.events !== undefined && tcb.state !== state) this.events.emit({ type: "thread_state", ...actor(tcb), from: tcb.state, to: state });
    tcb.state = state;
    if (tcb === this.current && !tcb.runnable) this.rescheduleRequired();
  }

  /** Schedulable: runnable with an active scheduling context, not waiting for a refill (MCS isSchedulable). */
  isSchedulable(tcb: TCB): boolean {
    return tcb.runnable && tcb.sc !== undefined && tcb.sc.active && !tcb.inReleaseQueue;
  }

  private queue(tcb: TCB): TCB[] {
    const i = tcb.domain * NUM_PRIORITIES + tcb.priority;
    let q = this.queues[i];
    if (q === undefined) {
      q = [];
      this.queues[i] = q;
    }
    return q;
  }

  /** In a ready queue (seL4's tcbQueued bit). */
  isQueued(tcb: TCB): boolean {
    return this.queue(tcb).includes(tcb);
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

  /** setDomain: the thread moves to the ready queues of `domain`. */
  setDomain(tcb: TCB, domain: number): void {
    this.dequeue(tcb);
    tcb.domain = domain;
    if (this.isSchedulable(tcb)) this.enqueue(tcb);
    if (tcb === this.current) this.rescheduleRequired();
  }

  /** Records whether queue `i` is empty in readyBits. */
  private mark(i: number, q: TCB[]): void {
    const bit = 1 << (i & 31);
    if (q.length > 0) this.readyBits[i >>> 5]! |= bit;
    else this.readyBits[i >>> 5]! &= ~bit;
  }

  /** Head of its priority queue (tcbSchedEnqueue). */
  enqueue(tcb: TCB): void {
    const q = this.queue(tcb);
    if (!q.includes(tcb)) q.unshift(tcb);
    this.mark(tcb.domain * NUM_PRIORITIES + tcb.priority, q);
  }

  /** Tail of its priority queue (tcbSchedAppend). */
  append(tcb: TCB): void {
    const q = this.queue(tcb);
    if (!q.includes(tcb)) q.push(tcb);
    this.mark(tcb.domain * NUM_PRIORITIES + tcb.priority, q);
  }

  dequeue(tcb: TCB): void {
    const q = this.queue(tcb);
    const i = q.indexOf(tcb);
    // shift() for the head (the usual case): splice would allocate the removed elements' array.
    if (i === 0) q.shift();
    else if (i > 0) q.splice(i, 1);
    this.mark(tcb.domain * NUM_PRIORITIES + tcb.priority, q);
  }

  rescheduleRequired(): void {
    if (typeof this.action === "object" && this.isSchedulable(this.action)) this.enqueue(this.action);
    this.action = "ChooseNewThread";
  }

  /** A thread became runnable: run it now if it should preempt, else queue it (possibleSwitchTo). */
  possibleSwitchTo(target: TCB): void {
    if (!this.isSchedulable(target)) return;
    if (target.domain !== this.curDomain) {
      this.enqueue(target);
    } else if (this.action !== "ResumeCurrentThread") {
      this.rescheduleRequired();
      this.enqueue(target);
    } else {
      this.action = target;
    }
  }


  /** Makes a thread runnable and schedulable from outside a syscall (start-up, Resume). */
  makeRunnable(tcb: TCB): void {
    this.setThreadState(tcb, "Running");
    if (tcb.sc !== undefined && tcb.sc.active) {
      // schedContext_resume: an SC without a ready refill sends its thread to the release queue.
      if (!tcb.inReleaseQueue && !(refillReady(this, tcb.sc) && refillSufficient(this, tcb.sc, 0n))) this.postpone(tcb.sc);
    }
    if (tcb !== this.current) this.possibleSwitchTo(tcb);
  }

  /**
   * seL4_Yield (MCS handleYield): the rest of the head refill is given up, as if used, and the
   * thread goes to the back of its priority queue, or waits for its next refill; the SC's consumed
   * time counts only what was really used.
   */
  yieldCurrent(): void {
    const sc = this.curSC;
    if (sc === undefined) return;
    const used = sc.consumed + this.consumed;
    this.chargeBudget(headAmount(this, sc), false);
    sc.consumed = used;
  }

  // --- MCS time accounting -----------------------------------------------------------------

  private ticks(ns: bigint): bigint {
    return nsToTicks(this.timerHz, ns);
  }

  private ns(ticks: bigint): bigint {
    return ticksToNs(this.timerHz, ticks);
  }

  /** seL4 numDomains > 1: domain time is accounted and bounds the timer deadline. */
  private get domainsActive(): boolean {
    return this.numDomains > 1;
  }

  /**
   * updateTimestamp, at every kernel entry that can bill a thread: the timer now reads ticks(nowNs);
   * the time since the last entry is consumed by the current SC and by the current domain.
   */
  updateTimestamp(nowNs: bigint): void {
    const prev = this.curTime;
    const now = this.ticks(nowNs);
    this.nowNs = nowNs;
    if (now < prev) throw new Error(`virtual time went back: ${now} < ${prev} ticks`);
    this.curTime = now;
    const used = now - prev;
    this.consumed += used;
    if (this.domainsActive) {
      if (used + minBudget(this) >= this.domainTime) this.domainTime = 0n;
      else this.domainTime -= used;
    }
  }

  /** The programmed timer deadline has passed: the kernel timer interrupt is pending (ackDeadlineIRQ sets ksReprogram). */
  timerDue(): boolean {
    return this.deadline !== undefined && this.curTime >= this.deadline;
  }

  /**
   * checkBudget: whether the current thread (and domain) may go on with this kernel entry; a head
   * refill too small to cover what was consumed ends the thread's time slice (chargeBudget).
   */
  checkBudget(): boolean {
    const sc = this.curSC;
    if (sc === undefined || !sc.active || refillSufficient(this, sc, this.consumed)) {
      return !(this.domainsActive && this.domainTime === 0n);
    }
    const cur = this.current;
    if (cur !== undefined) this.events?.emit({ type: "budget_exhausted", ...actor(cur), consumed_ns: Number(this.ns(this.consumed)) });
    this.chargeBudget(this.consumed, true);
    return false;
  }

  /** checkBudgetRestart: as checkBudget; a thread that may not go on restarts its syscall later. */
  checkBudgetRestart(): boolean {
    const ok = this.checkBudget();
    const cur = this.current;
    if (!ok && cur !== undefined && cur.runnable) this.setThreadState(cur, "Restart");
    return ok;
  }

  /**
   * A kernel entry at virtual time `nowNs` (handleSyscall's MCS_DO_IF_BUDGET, handleInterruptEntry):
   * updateTimestamp, the kernel timer interrupt if due, then checkBudget (checkBudgetRestart for a
   * syscall or fault, `restart`). Returns whether the entry's work may be done now.
   */
  kernelEntry(nowNs: bigint, restart: boolean): boolean {
    this.updateTimestamp(nowNs);
    if (this.timerDue()) {
      this.reprogram = true;
      this.events?.emit({ type: "timer" });
    }
    return restart ? this.checkBudgetRestart() : this.checkBudget();
  }

  /** commitTime, for SchedControlConfigureFlags on the current SC. */
  commitCurrent(): void {
    this.commitTime();
  }

  /** commitTime: bill ksConsumed to the current SC's refills and scConsumed. */
  private commitTime(): void {
    const sc = this.curSC;
    if (sc !== undefined && sc.active) {
      if (this.consumed > 0n) {
        if (!refillSufficient(this, sc, this.consumed)) throw new Error("commitTime: head refill cannot cover the consumed time");
        if (isRoundRobin(sc)) {
          const r = refills(this, sc);
          r[0]!.rAmount -= this.consumed;
          r[r.length - 1]!.rAmount += this.consumed;
        } else {
          refillBudgetCheck(this, sc, this.consumed);
        }
      }
      sc.consumed += this.consumed;
    }
    this.consumed = 0n;
  }

  /**
   * chargeBudget: the current SC's head refill is used up: a round-robin SC is refilled at once, a
   * sporadic one charged `used`; a schedulable thread's time slice ends.
   */
  chargeBudget(used: bigint, canTimeoutFault: boolean): void {
    const sc = this.curSC;
    if (sc !== undefined) {
      const r = refills(this, sc);
      if (isRoundRobin(sc)) {
        r[0]!.rAmount += r[r.length - 1]!.rAmount;
        r[r.length - 1]!.rAmount = 0n;
      } else {
        refillBudgetCheck(this, sc, used);
      }
      sc.consumed += used;
    }
    this.consumed = 0n;
    const cur = this.current;
    if (cur !== undefined && this.isSchedulable(cur)) {
      this.endTimeslice(cur, canTimeoutFault);
      this.rescheduleRequired();
      this.reprogram = true;
    }
  }

  /**
   * endTimeslice: a thread with a timeout endpoint and a sporadic SC gets a timeout fault; otherwise
   * it goes to the back of its queue if its SC can run again now, or waits in the release queue.
   */
  private endTimeslice(cur: TCB, canTimeoutFault: boolean): void {
    const sc = this.curSC!;
    if (canTimeoutFault && !isRoundRobin(sc) && cur.timeoutHandler.type === "endpoint") {
      handleTimeout(this, cur, { type: "Timeout", badge: sc.badge });
    } else if (refillReady(this, sc) && refillSufficient(this, sc, 0n)) {
      this.append(cur);
    } else {
      this.postpone(sc);
    }
  }

  /** postpone: the SC's thread leaves the ready queues for the release queue. */
  postpone(sc: SchedContext): void {
    const tcb = sc.tcb;
    if (tcb === undefined) throw new Error("postpone: SC has no thread");
    this.dequeue(tcb);
    this.releaseEnqueue(tcb);
    this.reprogram = true;
    this.events?.emit({ type: "sc_postponed", ...actor(tcb), release_ns: Number(this.ns(headTime(this, sc))) });
  }

  /** tcbReleaseEnqueue: ordered by head refill time; equal times keep their arrival order. */
  private releaseEnqueue(tcb: TCB): void {
    if (tcb.inReleaseQueue) throw new Error(`releaseEnqueue: ${tcb.name} is already in the release queue`);
    const time = headTime(this, tcb.sc!);
    const q = this.releaseQueue;
    const i = q.findIndex((t) => headTime(this, t.sc!) > time);
    if (i < 0) q.push(tcb);
    else q.splice(i, 0, tcb);
    tcb.inReleaseQueue = true;
    if (q[0] === tcb) this.reprogram = true;
  }

  /** tcbReleaseRemove. */
  releaseRemove(tcb: TCB): void {
    if (!tcb.inReleaseQueue) return;
    const q = this.releaseQueue;
    if (q[0] === tcb) this.reprogram = true;
    q.splice(q.indexOf(tcb), 1);
    tcb.inReleaseQueue = false;
  }

  /** tcbDebugAppend: a new thread goes at the head of the debug list. */
  tcbDebugAppend(tcb: TCB): void {
    this.debugThreads.unshift(tcb);
  }

  /** tcbDebugRemove: a thread whose last cap is gone leaves the list. */
  tcbDebugRemove(tcb: TCB): void {
    const i = this.debugThreads.indexOf(tcb);
    if (i >= 0) this.debugThreads.splice(i, 1);
  }

  /** awaken: threads whose head refill is now ready leave the release queue. */
  private awaken(): void {
    const q = this.releaseQueue;
    while (q.length > 0 && refillReady(this, q[0]!.sc!)) {
      const t = q.shift()!;
      t.inReleaseQueue = false;
      this.events?.emit({ type: "sc_released", ...actor(t) });
      this.possibleSwitchTo(t);
    }
  }

  // --- domains ------------------------------------------------------------------------------

  /** invokeDomainScheduleConfigure: entry `index` := (domain, duration ticks); (0, 0) is an end marker. */
  configureDomainSchedule(index: number, domain: number, duration: bigint): void {
    if (index < 0 || index >= this.domSchedule.length - 1) throw new Error(`domain schedule index ${index} out of range`);
    if (domain < 0 || domain >= this.numDomains) throw new Error(`domain ${domain} out of range (${this.numDomains} domains)`);
    if (duration > DSCHED_MAX_DURATION || (duration === 0n && domain !== 0)) throw new Error(`bad domain schedule duration ${duration}`);
    this.domSchedule[index] = { domain, duration };
  }

  /** invokeDomainScheduleSetStart: the schedule restarts at `index` at the next scheduling decision. */
  setDomainScheduleStart(index: number): void {
    const e = this.domSchedule[index];
    if (e === undefined || e.duration === 0n) throw new Error(`domain schedule start ${index} is not an entry`);
    this.domainScheduleStart = index;
    this.domainTime = 0n;
    this.domScheduleIdx = this.domSchedule.length - 2;
    this.rescheduleRequired();
  }

  /** CONFIG_NUM_DOMAIN_SCHEDULES: entries in the schedule, the final end marker included. */
  get domainScheduleLength(): number {
    return this.domSchedule.length;
  }

  /** dschedule_is_end_marker: entry `index` has no duration. */
  isDomainScheduleEnd(index: number): boolean {
    return this.domSchedule[index]!.duration === 0n;
  }

  /** A whole static schedule (what a system description's domain schedule sets up), started from entry 0. */
  setDomainSchedule(entries: readonly DomainScheduleEntry[]): void {
    if (entries.length === 0 || entries.length > this.domSchedule.length - 1) throw new Error(`a domain schedule has 1 to ${this.domSchedule.length - 1} entries`);
    entries.forEach((e, i) => this.configureDomainSchedule(i, e.domain, e.duration));
    for (let i = entries.length; i < this.domSchedule.length; i++) this.domSchedule[i] = { domain: 0, duration: 0n };
    this.setDomainScheduleStart(0);
  }

  /** nextDomain: the next entry of the schedule (after the last, the start entry). */
  private nextDomain(): void {
    this.domScheduleIdx++;
    const isEnd = (i: number): boolean => {
      const e = this.domSchedule[i];
      return e === undefined || (e.domain === 0 && e.duration === 0n);
    };
    if (isEnd(this.domScheduleIdx)) this.domScheduleIdx = this.domainScheduleStart;
    this.reprogram = true;
    const e = this.domSchedule[this.domScheduleIdx]!;
    this.curDomain = e.domain;
    this.domainTime = e.duration;
    this.events?.emit({ type: "domain", domain: e.domain, duration_ns: Number(this.ns(e.duration)) });
  }

  // --- choosing -------------------------------------------------------------------------------

  private highestReady(): TCB | undefined {
    const dom = this.domainsActive ? this.curDomain : 0;
    const first = (dom * NUM_PRIORITIES) / 32;
    // The non-empty queues of the domain, highest priority first.
    for (let w = first + NUM_PRIORITIES / 32 - 1; w >= first; w--) {
      for (let bits = this.readyBits[w]!; bits !== 0; bits = this.readyBits[w]!) {
        const i = w * 32 + 31 - Math.clz32(bits);
        const q = this.queues[i]!;
        while (q.length > 0) {
          const t = q[0]!;
          if (this.isSchedulable(t)) return t;
          q.shift(); // stale entry: the thread blocked or lost its SC while queued
        }
        this.mark(i, q);
      }
    }
    return undefined;
  }

  private scheduleChooseNewThread(): void {
    if (this.domainTime === 0n) this.nextDomain();
    this.switchTo(this.highestReady(), "choose");
  }

  /** Decides which thread runs next (seL4 schedule()); undefined means the system is idle. */
  schedule(): TCB | undefined {
    this.awaken();
    if (this.domainsActive && this.domainTime === 0n) {
      // checkDomainTime
      this.reprogram = true;
      this.rescheduleRequired();
    }
    const cur = this.current;
    if (this.action !== "ResumeCurrentThread") {
      const wasRunnable = cur !== undefined && this.isSchedulable(cur);
      if (wasRunnable) this.enqueue(cur);
      if (this.action === "ChooseNewThread") {
        this.scheduleChooseNewThread();
      } else {
        const candidate = this.action;
        const fastFail = cur === undefined || !wasRunnable || candidate.priority < cur.priority;
        const best = this.highestReady();
        if (fastFail && best !== undefined && best.priority > candidate.priority) {
          this.enqueue(candidate);
          this.scheduleChooseNewThread();
        } else if (wasRunnable && cur !== undefined && candidate.priority === cur.priority) {
          this.append(candidate);
          this.scheduleChooseNewThread();
        } else {
          this.switchTo(candidate, "woken");
        }
      }
      this.action = "ResumeCurrentThread";
    } else if (cur !== undefined && !this.isSchedulable(cur)) {
      this.scheduleChooseNewThread();
    }
    this.switchSchedContext();
    if (this.reprogram) {
      this.setNextInterrupt();
      this.reprogram = false;
    }
    // activateThread (MCS): a thread that yielded to another SC gets that SC's consumed time on its way out.
    const next = this.current;
    if (next?.yieldTo !== undefined) completeYieldTo(this, next);
    return this.current;
  }

  /** switchSchedContext: a new SC is unblocked (constant bandwidth) and the old one billed. */
  private switchSchedContext(): void {
    const sc = this.current?.sc;
    if (sc !== this.curSC) {
      this.reprogram = true;
      if (sc !== undefined && !sc.sporadic) refillUnblockCheck(this, sc);
    }
    if (this.reprogram) this.commitTime();
    this.curSC = sc;
  }

  /** setNextInterrupt: the end of the current head refill, the next release, or the domain's end, less the timer's precision. */
  private setNextInterrupt(): void {
    const sc = this.current?.sc;
    let next = sc !== undefined && sc.active ? this.curTime + headAmount(this, sc) : undefined;
    const min = (t: bigint): void => {
      if (next === undefined || t < next) next = t;
    };
    if (this.domainsActive) min(this.curTime + this.domainTime);
    const head = this.releaseQueue[0];
    if (head !== undefined) min(headTime(this, head.sc!));
    this.deadline = next === undefined ? undefined : next - this.timerPrecision;
    this.deadlineNs = this.deadline === undefined ? undefined : this.ns(this.deadline);
  }

  private switchTo(tcb: TCB | undefined, reason: ScheduleReason): void {
    if (tcb !== undefined) this.dequeue(tcb);
    if (this.events !== undefined) {
      const from = this.current === undefined ? {} : { from: this.current.name };
      this.events.emit({ type: "schedule", ...(tcb === undefined ? {} : actor(tcb)), reason, ...from, domain: this.curDomain });
    }
    this.current = tcb;
  }

  // --- what the machine reads (virtual time in nanoseconds) ----------------------------------

  /**
   * When the kernel timer interrupt fires (the programmed deadline), if one is programmed. A deadline
   * already passed fires at once; the kernel cannot tell that from the next tick, so it is reported
   * as the next tick (re-entering within the same tick would change nothing).
   */
  timerDeadlineNs(): bigint | undefined {
    if (this.deadline === undefined) return undefined;
    return this.deadline > this.curTime ? this.deadlineNs : this.ns(this.curTime + 1n);
  }

  /** When the first thread in the release queue gets its refill. */
  nextReleaseNs(): bigint | undefined {
    const head = this.releaseQueue[0];
    return head === undefined ? undefined : this.ns(headTime(this, head.sc!));
  }

  /** Nanoseconds `tcb` (the current thread) may still run at `nowNs` before its head refill is used up. */
  budgetLeftNs(tcb: TCB, nowNs: bigint): bigint {
    const sc = tcb.sc;
    if (sc === undefined || !sc.active) return 0n;
    const end = this.curTime + headAmount(this, sc) - (sc === this.curSC ? this.consumed : 0n);
    const left = this.ns(end) - nowNs;
    return left > 0n ? left : 0n;
  }

  /**
   * Whether some thread could still run without an outside event: a thread queued in any domain
   * while another domain runs, or one waiting for a refill. When not, an idle machine stays idle.
   */
  hasPendingThreads(): boolean {
    if (this.releaseQueue.length > 0) return true;
    return this.queues.some((q) => q !== undefined && q.some((t) => this.isSchedulable(t)));
  }
}

/** The platform facts of the arch's reference board (qemu_virt_aarch64, qemu_virt_riscv64), for kernels built without a board. */
function referencePlatform(abi: KernelAbi): { readonly maxIrq: number } {
  const facts = platformFacts(abi.arch === "aarch64" ? "qemu_virt_aarch64" : "qemu_virt_riscv64");
  if (facts === undefined) throw new Error(`boards.json has no reference board for ${abi.arch}`);
  return facts;
}

/** Names the ABI's fault-message tables use for registers that the user context names otherwise. */
const ALIASES: Readonly<Record<string, string>> = { lr: "x30", faultip: "pc" };

// The machine loop: the kernel model picks a thread, its address space's engine runs it until it
// traps, faults, or reaches the next deadline (the kernel timer the kernel programmed for the end of
// the thread's budget, the next release or the domain's end; or a device's), and the kernel handles
// what happened. Virtual time advances by one nanosecond per retired instruction and jumps ahead to
// the next deadline while every thread is blocked, so every run of the same system is the same.
import { actor } from "../kernel/events.js";
import type { Kernel } from "../kernel/kernel.js";
import type { TCB } from "../kernel/objects/tcb.js";
import { handleFault } from "../kernel/ipc.js";
import { activateThread, handleSyscall } from "../kernel/syscall.js";
import type { HostProgram } from "../microkit/monitor.js";
import { isGuestVcpu } from "../microkit/virtual-machine.js";
import { suspend } from "../kernel/objects/tcb-invocation.js";
import { AddressSpace } from "./address-space.js";
import { Cpu, type Arch } from "./cpu.js";
import { exitToFault } from "./exceptions.js";
import { walkLevel } from "../kernel/vspace.js";
import { ThreadFpus } from "./fpu.js";
import { threadFacts } from "../kernel/marshalling.js";
import { decodeSysregAccess, SysregBus } from "./sysregs.js";

/** Engine register names for the seL4_UserContext entries that the engine calls otherwise. */
const ENGINE_NAME: Readonly<Record<Arch, Readonly<Record<string, string>>>> = {
  aarch64: { spsr: "nzcv" },
  riscv64: {},
};

function isHostProgram(host: unknown): host is HostProgram {
  return typeof host === "object" && host !== null && typeof (host as HostProgram).next === "function";
}

/** QEMU's EXCP_UDEF: how the engine reports an undefined or trapped instruction on AArch64. */
const ARM64_EXCP_UDEF = 1;

/** Virtual instructions per microsecond of virtual time: a 1 GHz, one-instruction-per-cycle core. */
export const INSTRUCTIONS_PER_US = 1000n;

/** Virtual nanoseconds per instruction (a whole number: 1 at 1000 instructions per microsecond). */
const NS_PER_INSTRUCTION = 1000 / Number(INSTRUCTIONS_PER_US);

/** The longest single run when nothing bounds it (no deadline, no limit): one second of virtual time. */
const MAX_RUN = 1_000_000_000;

/**
 * The machine counts virtual time and instructions in doubles, which are exact below 2^53 (104 days
 * of virtual time): the loop runs once per kernel entry, and BigInt arithmetic there costs more than
 * the kernel's fast paths. A limit beyond 2^53 becomes an unreachable one.
 */
function toCount(v: bigint | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

export type StopReason = "idle" | "halted" | "instruction-limit" | "time-limit";

/** Devices with deadlines on virtual time (timers, RTCs). */
export interface Timed {
  nextDeadline(now: bigint): bigint | undefined;
  advance(now: bigint): void;
}

export interface RunLimits {
  readonly maxInstructions?: bigint;
  /** Virtual time (ns) at which the run stops. */
  readonly stopAt?: bigint;
  /**
   * Tie virtual time to the host clock: waiting for a device deadline takes that long in real time
   * (for interactive use; runs are then no longer reproducible in their timing).
   */
  readonly realtime?: boolean;
  /** Called with the run's state about every `everyMs` of host time (a progress display). */
  readonly progress?: { readonly everyMs: number; report(p: RunProgress): void };
  /**
   * Virtual time (ns) each kernel entry takes (syscall, fault, interrupt), billed to the thread that
   * entered as seL4 bills its scheduling context. 0 by default: kernel work takes no time.
   */
  readonly kernelEntryNs?: number;
}

/** Where a run has got to, for a progress display. */
export interface RunProgress {
  readonly virtualTimeNs: number;
  readonly instructions: number;
  readonly syscalls: number;
}

/** Blocks the host thread for `ns` nanoseconds (only with RunLimits.realtime). */
function sleepNs(ns: bigint): void {
  const ms = Number(ns / 1_000_000n);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface MachineStats {
  instructions: bigint;
  syscalls: number;
  /** Faults the kernel raised: CPU exceptions, cap faults, unknown syscalls, timeout faults. */
  faults: number;
  switches: number;
  /** Invocations and receives the kernel's fast paths handled (kernel/fastpath.ts). */
  fastpaths: number;
}

export class Machine {
  readonly stats: MachineStats = { instructions: 0n, syscalls: 0, faults: 0, switches: 0, fastpaths: 0 };
  private readonly ids: Int32Array;
  private readonly pcIndex: number;
  private halted = false;
  private last: TCB | undefined;
  /** Virtual time in nanoseconds. */
  private time = 0;
  /** What each kernel entry adds to it (RunLimits.kernelEntryNs). */
  private entryCost = 0;
  /** Instructions retired; stats.instructions is brought up to date when run() returns. */
  private instructions = 0;
  /** System registers answered by device models (AArch64). */
  readonly sysregs = new SysregBus();
  /**
   * Devices whose deadlines the loop honours. A device changes state only when time reaches its
   * next deadline or when a PD accesses it (device register or system register): between those,
   * advance() would change nothing and nextDeadline() would say the same, so the loop calls them
   * only when one of those happened since it last did.
   */
  readonly timed: Timed[] = [];
  /** Cpu.deviceAccesses + sysregAccesses when the devices were last advanced, and their deadline then. */
  private devicesSeen = -1;
  private devicesNext: number | undefined;
  private sysregAccesses = 0;
  /**
   * The interrupt controller had nothing to deliver when last asked, and since then no device was
   * advanced or accessed, no input arrived and no line was unmasked: asking again would give the
   * same answer.
   */
  private interruptsQuiet = false;
  /** Host input for the console UART, if a PD drives it. */
  input: { feed(): void; waitForMore(): boolean } | undefined;
  /** The interrupt controller's next deliverable line, and what the kernel does with it. */
  interrupts: { take(): number | undefined; deliver(irq: number): void } | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly arch: Arch,
    probe: AddressSpace,
  ) {
    const names = kernel.abi.userContext.map((n) => ENGINE_NAME[arch][n] ?? n);
    this.ids = probe.cpu.regIds(names);
    this.pcIndex = kernel.reg("pc");
    this.fpus = new ThreadFpus(threadFacts(kernel.abi).tcbFlags["seL4_TCBFlag_fpuDisabled"] ?? 0n);
  }

  /** Each thread's FP/SIMD registers and whether its FPU is enabled. */
  private readonly fpus: ThreadFpus;

  /** The engine running now. */
  private running: AddressSpace["cpu"] | undefined;

  /**
   * Virtual time in nanoseconds: one instruction takes one nanosecond; idle time is skipped to the
   * next event. During a run (a device register access) it includes the instructions run so far,
   * counted per translated block.
   */
  get now(): bigint {
    const r = this.running;
    return BigInt(r === undefined ? this.time : this.time + r.running * NS_PER_INSTRUCTION);
  }

  halt(): void {
    this.halted = true;
  }

  /**
   * The engine of the VSpace a thread runs in (its VSpace root cap, so TCBSetSpace moves it), if the
   * system resolves them; a thread it does not resolve runs in the engine bound to it (tcb.host).
   */
  addressSpaceOf: ((tcb: TCB) => AddressSpace | undefined) | undefined;

  private space(tcb: TCB): AddressSpace {
    const space = this.addressSpaceOf?.(tcb) ?? (tcb.host as AddressSpace | undefined);
    if (space === undefined) throw new Error(`thread ${tcb.name} has no address space`);
    return space;
  }

  /** Runs until the system is idle for good, halts, or reaches a limit. */
  run(limits: RunLimits = {}): StopReason {
    try {
      return this.loop(limits);
    } finally {
      this.stats.instructions = BigInt(this.instructions);
      this.stats.fastpaths = this.kernel.fastpathsTaken;
      this.stats.faults = this.kernel.faultsRaised;
    }
  }

  private loop(limits: RunLimits): StopReason {
    const k = this.kernel;
    const hostStart = process.hrtime.bigint() - BigInt(this.time);
    const maxInstructions = toCount(limits.maxInstructions);
    const stopAt = toCount(limits.stopAt);
    const progress = limits.progress;
    this.entryCost = limits.kernelEntryNs ?? 0;
    let nextReport = progress === undefined ? Infinity : performance.now() + progress.everyMs;
    for (;;) {
      if (this.halted) return "halted";
      if (progress !== undefined && performance.now() >= nextReport) {
        progress.report({ virtualTimeNs: this.time, instructions: this.instructions, syscalls: this.stats.syscalls });
        nextReport = performance.now() + progress.everyMs;
      }
      const instructionsLeft = maxInstructions === undefined ? undefined : maxInstructions - this.instructions;
      if (instructionsLeft !== undefined && instructionsLeft <= 0) return "instruction-limit";
      if (stopAt !== undefined && this.time >= stopAt) return "time-limit";
      this.serviceDevices();
      const tcb = k.schedule();
      const devices = this.timed.length === 0 ? undefined : this.nextDeadline();
      const timer = this.timerDeadline();
      if (tcb === undefined) {
        // The kernel timer only matters while some thread waits for a refill or another domain.
        const kernelNext = timer !== undefined && k.hasPendingThreads() ? timer : undefined;
        const deadline = earliest(devices, kernelNext);
        if (deadline === undefined) {
          // Idle unless input can still arrive for a PD to read.
          if (this.input?.waitForMore() === true) continue;
          return "idle";
        }
        // Nothing can run: virtual time jumps to the next event (or the stop time).
        this.time = stopAt !== undefined && stopAt < deadline ? stopAt : deadline;
        if (limits.realtime === true) sleepNs(BigInt(this.time) - (process.hrtime.bigint() - hostStart));
        continue;
      }
      // The run ends at the first of: the instruction limit, the kernel timer, a device deadline,
      // the stop time (at least one instruction runs); MAX_RUN when none is set.
      let budget = instructionsLeft;
      if (timer !== undefined) budget = earliest(budget, Math.floor((timer - this.time) / NS_PER_INSTRUCTION));
      if (devices !== undefined) budget = earliest(budget, devices - this.time);
      if (stopAt !== undefined) budget = earliest(budget, stopAt - this.time);
      this.runThread(tcb, budget === undefined ? MAX_RUN : budget > 0 ? budget : 1);
    }
  }

  /** Executes one instruction of the thread the kernel would run next (for a debugger). */
  step(): TCB | undefined {
    this.serviceDevices();
    const tcb = this.kernel.schedule();
    if (tcb !== undefined) this.runThread(tcb, 1);
    this.stats.instructions = BigInt(this.instructions);
    this.stats.fastpaths = this.kernel.fastpathsTaken;
    return tcb;
  }

  /** The kernel timer's deadline (virtual ns), if the kernel programmed one. */
  private timerDeadline(): number | undefined {
    return toCount(this.kernel.timerDeadlineNs());
  }

  /**
   * Lets devices catch up with virtual time, then enters the kernel for due interrupts — the kernel
   * timer's or devices' (handleInterruptEntry: the time is billed first, then the lines handled).
   */
  private serviceDevices(): void {
    this.input?.feed();
    const epoch = Cpu.deviceAccesses + this.sysregAccesses;
    if (epoch !== this.devicesSeen || (this.devicesNext !== undefined && this.time >= this.devicesNext)) {
      const now = BigInt(this.time);
      for (const d of this.timed) d.advance(now);
      this.devicesNext = this.earliestDeviceDeadline(now);
      this.devicesSeen = epoch;
      this.interruptsQuiet = false;
    }
    // Input reaches a UART, which may raise its line.
    if (this.input !== undefined) this.interruptsQuiet = false;
    const ic = this.interrupts;
    let irq = ic === undefined || this.interruptsQuiet ? undefined : ic.take();
    this.interruptsQuiet = irq === undefined;
    const timer = this.timerDeadline();
    if (irq === undefined && (timer === undefined || timer > this.time)) return;
    this.enterKernel(false);
    for (; irq !== undefined; irq = ic!.take()) {
      ic!.deliver(irq);
    }
    this.interruptsQuiet = true;
  }

  /** A kernel entry: it takes its cost in virtual time, then the kernel bills and checks the budget. */
  private enterKernel(restart: boolean): boolean {
    this.time += this.entryCost;
    return this.kernel.kernelEntry(BigInt(this.time), restart);
  }

  /** A line was unmasked (IRQAckIRQ): the interrupt controller may have one to deliver again. */
  interruptsChanged(): void {
    this.interruptsQuiet = false;
  }

  /** The devices' next deadline (virtual ns), not before now. */
  private nextDeadline(): number | undefined {
    const next = this.devicesNext;
    return next === undefined ? undefined : next > this.time ? next : this.time;
  }

  private earliestDeviceDeadline(now: bigint): number | undefined {
    let next: bigint | undefined;
    for (const d of this.timed) {
      const t = d.nextDeadline(now);
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return toCount(next);
  }

  /** Runs a thread for at most `budget` instructions, then enters the kernel for what stopped it. */
  private runThread(tcb: TCB, budget: number): void {
    const k = this.kernel;
    activateThread(k, tcb);
    if (tcb !== this.last) this.stats.switches++;
    this.last = tcb;
    const host = tcb.host;
    // PD threads first: the checks below would look for properties an address space lacks.
    if (host instanceof AddressSpace) return this.runUserThread(tcb, (this.addressSpaceOf?.(tcb) ?? host).cpu, budget);
    if (isHostProgram(tcb.host)) {
      // TypeScript user code (the monitor): it leaves its next syscall in its registers.
      tcb.host.next(k, tcb);
      this.stats.syscalls++;
      if (this.enterKernel(true)) handleSyscall(k, tcb, tcb.restartPc);
      return;
    }
    if (isGuestVcpu(tcb.host)) {
      // A VM's vCPU thread that its VMM started: seL4 would enter the guest here, but guest code is
      // not emulated (microkit/virtual-machine.ts). Say so, and stop the thread where it is.
      k.host.debugPrint(tcb.host.notEmulated(k.getReg(tcb, "pc")));
      suspend(k, tcb);
      return;
    }
    this.runUserThread(tcb, this.space(tcb).cpu, budget);
  }

  /** Runs PD machine code on its engine, then enters the kernel for what stopped it. */
  private runUserThread(tcb: TCB, cpu: AddressSpace["cpu"], budget: number): void {
    const k = this.kernel;
    if (!cpu.hasContext) cpu.useContext(this.ids, this.pcIndex);
    this.fpus.prepare(tcb, cpu);
    this.running = cpu;
    const exit = cpu.runContext(tcb.context, budget);
    this.running = undefined;
    const ran = cpu.ran;
    this.instructions += ran;
    this.time += ran * NS_PER_INSTRUCTION;
    switch (exit.kind) {
      case "syscall": {
        this.stats.syscalls++;
        // svc and ecall are both 4 bytes. Without budget left the syscall is restarted later.
        const trapPc = exit.pc - 4n;
        tcb.restartPc = trapPc;
        if (this.enterKernel(true)) handleSyscall(k, tcb, trapPc);
        break;
      }
      case "budget":
        // Stopped at a deadline or a run limit: the thread stays where it is. A due kernel timer or
        // device interrupt enters the kernel at the top of the loop (serviceDevices). As at every
        // kernel entry, FaultIP is where the thread stopped: a timeout fault it may get there
        // restarts it at that pc.
        tcb.restartPc = exit.pc;
        break;
      default: {
        if (exit.kind === "exception" && this.emulateSysreg(tcb, exit.code, exit.pc)) break;
        const f = exitToFault(this.kernel.abi, exit, (pc) => this.insnAt(tcb, pc), (va) => walkLevel(k, tcb.vspaceRoot, va));
        k.setReg(tcb, "pc", f.pc);
        tcb.restartPc = f.pc;
        // Without budget left the thread restarts at the faulting instruction later.
        if (this.enterKernel(true)) handleFault(k, tcb, f.fault);
      }
    }
  }

  private insnAt(tcb: TCB, pc: bigint): number | undefined {
    const bytes = this.space(tcb).bytes(pc, 4, false);
    return bytes === undefined ? undefined : new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  /** Answers an EL0 MRS/MSR that a device models; the thread then goes on after it. */
  private emulateSysreg(tcb: TCB, code: number, pc: bigint): boolean {
    if (this.arch !== "aarch64" || code !== ARM64_EXCP_UDEF) return false;
    const insn = this.insnAt(tcb, pc);
    const access = insn === undefined ? undefined : decodeSysregAccess(insn);
    if (access === undefined) return false;
    const k = this.kernel;
    const xzr = access.rt === 31;
    this.sysregAccesses++;
    const operand = xzr ? 0n : k.getReg(tcb, `x${access.rt}`);
    const value = this.sysregs.access(access, this.now, operand);
    if (value === undefined) return false;
    k.events?.emitAt(this.now, { type: "sysreg", ...actor(tcb), register: this.sysregs.name(access), access: access.read ? "read" : "write", value: access.read ? value : operand });
    if (access.read && !xzr) k.setReg(tcb, `x${access.rt}`, value);
    k.setReg(tcb, "pc", pc + 4n);
    return true;
  }
}

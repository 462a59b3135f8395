// Each thread's FP/SIMD registers, as seL4 keeps them per TCB: an engine's FP registers belong to
// one thread at a time (its owner); before another thread runs there, the owner's registers are
// saved and the thread's own loaded (seL4 lazyFPURestore, switchLocalFpuOwner). A thread whose TCB
// flags disable the FPU runs with FP instructions trapping, its registers saved first (fpuRelease).
// A new thread's registers are zero, as in a freshly retyped TCB.
import type { TCB } from "../kernel/objects/tcb.js";
import type { Cpu } from "./cpu.js";

interface SavedFpu {
  readonly state: Uint8Array;
  /** The engine whose FP registers hold the thread's state now (it is their owner), if any. */
  live: Cpu | undefined;
}

export class ThreadFpus {
  private readonly saved = new WeakMap<TCB, SavedFpu>();

  /** `fpuDisabled`: seL4_TCBFlag_fpuDisabled. */
  constructor(private readonly fpuDisabled: bigint) {}

  /** Before `tcb` runs on `cpu`: the FPU set as its flags say, and its own registers in place. */
  prepare(tcb: TCB, cpu: Cpu): void {
    const on = (tcb.flags & this.fpuDisabled) === 0n;
    if (on && cpu.fpuOwner === tcb && cpu.fpuEnabled) return;
    if (!on) {
      if (cpu.fpuEnabled) {
        this.release(cpu);
        cpu.setFpu(false);
      }
      return;
    }
    if (!cpu.fpuEnabled) cpu.setFpu(true);
    this.release(cpu);
    const mine = this.entry(tcb, cpu);
    // Its registers may be live in another engine (it ran in another VSpace last): fetch them.
    if (mine.live !== undefined && mine.live.fpuOwner === tcb) this.release(mine.live);
    cpu.loadFpu(mine.state);
    cpu.fpuOwner = tcb;
    mine.live = cpu;
  }

  /** The engine's owner, if any, gets its registers saved and the engine no owner. */
  private release(cpu: Cpu): void {
    const owner = cpu.fpuOwner as TCB | undefined;
    if (owner === undefined) return;
    const saved = this.entry(owner, cpu);
    cpu.saveFpu(saved.state);
    saved.live = undefined;
    cpu.fpuOwner = undefined;
  }

  private entry(tcb: TCB, cpu: Cpu): SavedFpu {
    let e = this.saved.get(tcb);
    if (e === undefined) {
      e = { state: new Uint8Array(cpu.fpuStateBytes), live: undefined };
      this.saved.set(tcb, e);
    }
    return e;
  }
}

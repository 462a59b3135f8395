// The Amlogic Meson "ISA" timer block of the S905X3 (ODROID-C4): eight 16-bit down-counters (A-D
// under ISA_TIMER_MUX, F-I under ISA_TIMER_MUX1), each with its own interrupt, and timer E, a 64-bit
// up-counter used as a timestamp. Register names, offsets and fields are the datasheet's as
// Fuchsia's aml-hrtimer-regs.h spells them (ISA_TIMER_MUX = CBUS word 0x3c50, i.e. byte 0x140 of
// the page at 0xffd0f000; seL4 util_libs odroidc4 odroid_timer.h gives the same base and offset);
// bits as Linux drivers/clocksource/meson6_timer.c and util_libs meson_timer.h define them.
//
// Behaviour on the virtual clock (ns):
// - A countdown timer holds a starting count (bits 15:0) and a current count (bits 31:16, read
//   only). Writing ISA_TIMERx loads both; while enabled it counts down one per timebase tick (1 us,
//   10 us, 100 us or 1 ms, from its 2-bit MUX field) and expires when it reaches 0, that is N ticks
//   after the load, as Amlogic's own code (`writel(10, P_ISA_TIMERA)` for 10 ms at 1 ms) and the
//   seL4/Microkit/sDDF drivers use it. In periodic mode (MODE bit) it reloads the starting count and
//   runs on; in one-shot mode it stops at 0 with its EN bit still set (Linux clears EN itself).
//   Clearing EN freezes the count; setting it again resumes from the frozen count. A count of 0
//   never expires, so enabling a timer before loading it (the upstream Microkit example does) does
//   not interrupt. The datasheet is not public in the sources we read; these are our choices where
//   it is silent, each consistent with every driver we read.
// - Timer E counts up in the timebase of MUX bits 10:8 (1 us, 10 us, 100 us, 1 ms). Selection 0
//   (the system clock, clk81, whose rate we do not model) and the reserved 5-7 hold the count.
//   Writing ISA_TIMERE resets it to 0 (util_libs: "writing anything to it reset it to 0"). Reading
//   ISA_TIMERE latches the upper half into ISA_TIMERE_HI (Fuchsia's driver: "Must read lower 32 bits
//   first"), so a low-then-high read pair is consistent.
// - Interrupt line of each countdown timer: high from its expiry until the driver rewrites its
//   ISA_TIMERx or its MUX register (ISA_TIMER_MUX for A-D, ISA_TIMER_MUX1 for F-I). Each further
//   expiry while it is still high (periodic mode) drops it and raises it again, a fresh edge. The
//   hardware's line is a pulse and the device tree wires it edge-triggered; with this model an
//   edge-triggered line is delivered exactly once per expiry whatever the driver does, and a
//   level-triggered one exactly once per expiry if the driver rewrites TIMER_x or the MUX before
//   acknowledging the interrupt (otherwise the level stays high and is delivered again).
// - Reset values: every register 0 (all timers stopped); the drivers we read program everything
//   they use before use.
import { NO_LINE, RegisterBank, RegisterDevice, type AccessSize, type Clock, type InterruptLine, type Register } from "./device.js";

export type CountdownName = "A" | "B" | "C" | "D" | "F" | "G" | "H" | "I";

const NS_PER_US = 1_000n;
const MASK16 = 0xffffn;
const MASK32 = 0xffff_ffffn;
const MASK64 = (1n << 64n) - 1n;

/** Countdown timebases, MUX fields [1:0] [3:2] [5:4] [7:6]: 1 us, 10 us, 100 us, 1 ms. */
const COUNTDOWN_TIMEBASE_NS = [1n, 10n, 100n, 1_000n].map((us) => us * NS_PER_US);
/** Timer E timebase, MUX bits [10:8]: 0 is the system clock, 5-7 are reserved (both hold). */
const TIMER_E_TIMEBASE_NS: readonly (bigint | undefined)[] = [undefined, 1n, 10n, 100n, 1_000n, undefined, undefined, undefined]
  .map((us) => (us === undefined ? undefined : us * NS_PER_US));
const TIMER_E_INPUT_SHIFT = 8n;
/** ISA_TIMER_MUX: A-D enable [19:16], mode [15:12], timer E input [10:8], A-D inputs [7:0]. */
const MUX_BITS = 0x000f_f7ffn;
/** ISA_TIMER_MUX1: F-I enable [19:16], mode [15:12], F-I inputs [7:0]. */
const MUX1_BITS = 0x000f_f0ffn;

/** One countdown timer: its register, its MUX (0 or 1) and its index under that MUX. */
const COUNTDOWNS: readonly { readonly name: CountdownName; readonly register: string; readonly offset: number; readonly mux: 0 | 1; readonly index: number }[] = [
  { name: "A", register: "ISA_TIMERA", offset: 0x144, mux: 0, index: 0 },
  { name: "B", register: "ISA_TIMERB", offset: 0x148, mux: 0, index: 1 },
  { name: "C", register: "ISA_TIMERC", offset: 0x14c, mux: 0, index: 2 },
  { name: "D", register: "ISA_TIMERD", offset: 0x150, mux: 0, index: 3 },
  { name: "F", register: "ISA_TIMERF", offset: 0x194, mux: 1, index: 0 },
  { name: "G", register: "ISA_TIMERG", offset: 0x198, mux: 1, index: 1 },
  { name: "H", register: "ISA_TIMERH", offset: 0x19c, mux: 1, index: 2 },
  { name: "I", register: "ISA_TIMERI", offset: 0x1a0, mux: 1, index: 3 },
];

const enableBit = (index: number): bigint => 1n << BigInt(16 + index);
const modeBit = (index: number): bigint => 1n << BigInt(12 + index);
const inputField = (mux: bigint, index: number): number => Number((mux >> BigInt(2 * index)) & 3n);

/** A countdown timer's state. */
interface Countdown {
  /** Starting count, ISA_TIMERx bits 15:0. */
  start: bigint;
  /** Current count while stopped (while running it is derived from `expiresAt`). */
  count: bigint;
  /** Virtual time of the next expiry while running. */
  expiresAt: bigint | undefined;
  /** The interrupt line is high (from expiry until the driver rewrites TIMER_x or the MUX). */
  pending: boolean;
  /** A further expiry happened while the line was high: drop and raise it (a new edge). */
  repulse: boolean;
}

export class MesonTimer extends RegisterDevice<MesonTimer> {
  protected readonly stateFields = ["mux", "mux1", "timerE", "timerEAt", "timerEHi"] as const;
  readonly name = "meson-timer";
  readonly compatible = ["amlogic,meson6-timer"];
  readonly size = 0x1000;
  protected readonly bank: RegisterBank<MesonTimer>;
  mux = 0n;
  mux1 = 0n;
  /** Timer E's count at virtual time `timerEAt`; it counts on from there in its timebase. */
  timerE = 0n;
  timerEAt = 0n;
  /** ISA_TIMERE_HI as latched by the last ISA_TIMERE read. */
  timerEHi = 0n;
  private countdowns: Countdown[] = COUNTDOWNS.map(() => ({ start: 0n, count: 0n, expiresAt: undefined, pending: false, repulse: false }));
  private readonly lines: readonly InterruptLine[];

  /** `lines` maps a countdown timer (A-D, F-I) to its interrupt line; missing ones are unwired. */
  constructor(private readonly clock: Clock, lines: Partial<Record<CountdownName, InterruptLine>> = {}, stray: (m: string) => void = () => {}) {
    super();
    this.lines = COUNTDOWNS.map((c) => lines[c.name] ?? NO_LINE);
    const countdownRegisters = Object.fromEntries(COUNTDOWNS.map((c, i): [string, Register<MesonTimer>] => [c.register, {
      offset: c.offset,
      read: (d) => d.readCountdown(i),
      write: (d, v) => d.loadCountdown(i, v),
    }]));
    this.bank = new RegisterBank<MesonTimer>({
      ISA_TIMER_MUX: { offset: 0x140, read: (d) => d.mux, write: (d, v) => d.setMux(0, v) },
      ...countdownRegisters,
      ISA_TIMERE: { offset: 0x188, read: (d) => d.readTimerE(), write: (d) => d.resetTimerE() },
      ISA_TIMERE_HI: { offset: 0x18c, read: (d) => d.timerEHi },
      ISA_TIMER_MUX1: { offset: 0x190, read: (d) => d.mux1, write: (d, v) => d.setMux(1, v) },
    }, (m) => stray(`meson-timer: ${m}`));
  }

  // Every access first lets time pass up to now, so a read sees the interrupts already raised.
  override read(offset: number, size: AccessSize): bigint {
    this.advance(this.clock());
    return super.read(offset, size);
  }

  override write(offset: number, size: AccessSize, value: bigint): void {
    this.advance(this.clock());
    super.write(offset, size, value);
  }

  private muxOf(i: number): bigint {
    return COUNTDOWNS[i]!.mux === 0 ? this.mux : this.mux1;
  }

  private enabled(i: number, mux = this.muxOf(i)): boolean {
    return (mux & enableBit(COUNTDOWNS[i]!.index)) !== 0n;
  }

  private timebase(i: number, mux = this.muxOf(i)): bigint {
    return COUNTDOWN_TIMEBASE_NS[inputField(mux, COUNTDOWNS[i]!.index)]!;
  }

  /** The current count: ticks left until the next expiry while running, else the frozen count. */
  private currentCount(i: number, now: bigint): bigint {
    const t = this.countdowns[i]!;
    if (t.expiresAt === undefined) return t.count;
    const base = this.timebase(i);
    return (t.expiresAt - now + base - 1n) / base;
  }

  private readCountdown(i: number): bigint {
    return (this.currentCount(i, this.clock()) << 16n) | this.countdowns[i]!.start;
  }

  /** Writing ISA_TIMERx loads the starting and current count (bits 31:16 are read-only). */
  private loadCountdown(i: number, value: bigint): void {
    const t = this.countdowns[i]!;
    t.start = value & MASK16;
    t.count = t.start;
    t.pending = false;
    t.expiresAt = this.enabled(i) ? this.expiry(t.count, this.timebase(i)) : undefined;
    this.updateIrq();
  }

  private expiry(count: bigint, base: bigint): bigint | undefined {
    return count === 0n ? undefined : this.clock() + count * base;
  }

  private setMux(which: 0 | 1, value: bigint): void {
    const now = this.clock();
    const old = which === 0 ? this.mux : this.mux1;
    const next = value & (which === 0 ? MUX_BITS : MUX1_BITS);
    COUNTDOWNS.forEach((c, i) => {
      if (c.mux !== which) return;
      const t = this.countdowns[i]!;
      t.pending = false;
      const wasOn = this.enabled(i, old);
      const isOn = this.enabled(i, next);
      const baseChanged = this.timebase(i, old) !== this.timebase(i, next);
      if (wasOn && isOn && !baseChanged) return; // keeps counting towards the same expiry
      if (wasOn) t.count = this.currentCount(i, now);
      t.expiresAt = isOn ? this.expiry(t.count, this.timebase(i, next)) : undefined;
    });
    if (which === 0) {
      if (((old ^ next) >> TIMER_E_INPUT_SHIFT) & 7n) {
        this.timerE = this.timerECount(now);
        this.timerEAt = now;
      }
      this.mux = next;
    } else {
      this.mux1 = next;
    }
    this.updateIrq();
  }

  private timerECount(now: bigint): bigint {
    const base = TIMER_E_TIMEBASE_NS[Number((this.mux >> TIMER_E_INPUT_SHIFT) & 7n)];
    return base === undefined ? this.timerE : (this.timerE + (now - this.timerEAt) / base) & MASK64;
  }

  /** Reading the low half latches the high half (a read with a side effect, as Fuchsia's driver relies on). */
  private readTimerE(): bigint {
    const count = this.timerECount(this.clock());
    this.timerEHi = count >> 32n;
    return count & MASK32;
  }

  private resetTimerE(): void {
    this.timerE = 0n;
    this.timerEAt = this.clock();
  }

  /** Each countdown timer's line follows its `pending` flag; a repeated expiry is a new edge. */
  updateIrq(): void {
    this.countdowns.forEach((t, i) => {
      const line = this.lines[i]!;
      if (t.repulse) {
        line.set(false);
        t.repulse = false;
      }
      line.set(t.pending);
    });
  }

  override nextDeadline(): bigint | undefined {
    let next: bigint | undefined;
    for (const t of this.countdowns) if (t.expiresAt !== undefined && (next === undefined || t.expiresAt < next)) next = t.expiresAt;
    return next;
  }

  override advance(now: bigint): void {
    let changed = false;
    this.countdowns.forEach((t, i) => {
      while (t.expiresAt !== undefined && t.expiresAt <= now) {
        if (t.pending) t.repulse = true;
        t.pending = true;
        changed = true;
        const periodic = (this.muxOf(i) & modeBit(COUNTDOWNS[i]!.index)) !== 0n;
        if (periodic && t.start !== 0n) {
          t.expiresAt += t.start * this.timebase(i);
        } else {
          t.expiresAt = undefined;
          t.count = 0n;
        }
      }
    });
    if (changed) this.updateIrq();
  }

  protected override saveExtra(): Record<string, unknown> {
    return { countdowns: this.countdowns.map((t) => ({ ...t })) };
  }

  protected override restoreExtra(state: Record<string, unknown>): void {
    this.countdowns = (state["countdowns"] as Countdown[]).map((t) => ({ ...t }));
  }
}

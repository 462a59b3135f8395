// The Armv8 performance monitors as EL0 sees them once the kernel sets PMUSERENR_EL0.EN (seL4 does
// with KernelArmExportPMUUser, which Microkit's benchmark config and sel4bench turn on): the cycle
// counter and six event counters (a Cortex-A53 has six), with their enable, overflow, select and
// type registers. Encodings and fields are the Arm ARM's (D17.5, PMU registers).
//
// On the virtual clock one instruction takes one nanosecond, and the cycle counter counts at 1 GHz
// as QEMU's does, so it counts nanoseconds of user time; kernel work takes none. Event counters count
// the events the model knows, CPU_CYCLES (0x11) and INST_RETIRED (0x08), which are equal here; any
// other event stays at its value. PMCR_EL0.D (count every 64 cycles) is honoured; there are no
// overflow interrupts, only the overflow flags.
import type { SysregEncoding, SysregHandler } from "./arm-generic-timer.js";

const enc = (crn: number, crm: number, op2: number): SysregEncoding => ({ op0: 3, op1: 3, crn, crm, op2 });

/** Event counters: PMCR_EL0.N of a Cortex-A53. */
export const PMU_EVENT_COUNTERS = 6;
const CYCLE_BIT = 31;
/** The PMCNTEN bits that name a counter: the event counters and the cycle counter. */
const IMPLEMENTED = ((1n << BigInt(PMU_EVENT_COUNTERS)) - 1n) | (1n << BigInt(CYCLE_BIT));
const EVENT_INST_RETIRED = 0x08n;
const EVENT_CPU_CYCLES = 0x11n;
// PMCR_EL0: E (enable), P (event counters reset), C (cycle counter reset), D (divide by 64), X, DP, LC;
// N in bits 15:11, IMP 0x41 (Arm) in 31:24, IDCODE 0x03 (Cortex-A53) in 23:16.
const PMCR_E = 1n;
const PMCR_P = 2n;
const PMCR_C = 4n;
const PMCR_D = 8n;
const PMCR_WRITABLE = PMCR_E | PMCR_D | 0x10n | 0x20n | 0x40n;
const PMCR_ID = (0x41n << 24n) | (0x03n << 16n) | (BigInt(PMU_EVENT_COUNTERS) << 11n);
const MASK32 = 0xffff_ffffn;
const MASK64 = (1n << 64n) - 1n;
/** PMUSERENR_EL0 as seL4 writes it: EN. */
const PMUSERENR_EN = 1n;

/** A counter holds `base` at time `since`, and counts on from there while it runs. */
interface Counter {
  base: bigint;
  since: bigint;
  /** The event it counts (PMEVTYPER evtCount); the cycle counter counts cycles. */
  event: bigint;
  width: bigint;
}

export class ArmPmu {
  private pmcr = 0n;
  private enabled = 0n;
  private overflow = 0n;
  private select = 0n;
  private readonly counters: Counter[];
  readonly registers: readonly SysregHandler[];

  constructor() {
    const fresh = (event: bigint, width: bigint): Counter => ({ base: 0n, since: 0n, event, width });
    this.counters = [...Array.from({ length: PMU_EVENT_COUNTERS }, () => fresh(0n, 32n))];
    this.counters[CYCLE_BIT] = fresh(EVENT_CPU_CYCLES, 64n);
    const selected = (): number => Number(this.select & 0x1fn);
    this.registers = [
      { name: "PMCR_EL0", encoding: enc(9, 12, 0), read: () => this.pmcr | PMCR_ID, write: (now, v) => this.writePmcr(now, v) },
      { name: "PMCNTENSET_EL0", encoding: enc(9, 12, 1), read: () => this.enabled, write: (now, v) => this.setEnabled(now, this.enabled | (v & IMPLEMENTED)) },
      { name: "PMCNTENCLR_EL0", encoding: enc(9, 12, 2), read: () => this.enabled, write: (now, v) => this.setEnabled(now, this.enabled & ~v) },
      { name: "PMOVSCLR_EL0", encoding: enc(9, 12, 3), read: (now) => this.overflows(now), write: (now, v) => void (this.overflow = this.overflows(now) & ~v) },
      { name: "PMSWINC_EL0", encoding: enc(9, 12, 4), write: () => {} },
      { name: "PMSELR_EL0", encoding: enc(9, 12, 5), read: () => this.select, write: (_, v) => void (this.select = v & 0x1fn) },
      // The events counted: bit n of PMCEID0 is event n.
      { name: "PMCEID0_EL0", encoding: enc(9, 12, 6), read: () => (1n << EVENT_INST_RETIRED) | (1n << EVENT_CPU_CYCLES) },
      { name: "PMCEID1_EL0", encoding: enc(9, 12, 7), read: () => 0n },
      { name: "PMCCNTR_EL0", encoding: enc(9, 13, 0), read: (now) => this.value(CYCLE_BIT, now), write: (now, v) => this.set(CYCLE_BIT, now, v) },
      { name: "PMXEVTYPER_EL0", encoding: enc(9, 13, 1), read: () => this.typeOf(selected()), write: (now, v) => this.setType(selected(), now, v) },
      { name: "PMXEVCNTR_EL0", encoding: enc(9, 13, 2), read: (now) => this.value(selected(), now), write: (now, v) => this.set(selected(), now, v) },
      { name: "PMUSERENR_EL0", encoding: enc(9, 14, 0), read: () => PMUSERENR_EN },
      { name: "PMOVSSET_EL0", encoding: enc(9, 14, 3), read: (now) => this.overflows(now), write: (now, v) => void (this.overflow = this.overflows(now) | (v & IMPLEMENTED)) },
      { name: "PMCCFILTR_EL0", encoding: enc(14, 15, 7), read: () => 0n, write: () => {} },
      ...Array.from({ length: PMU_EVENT_COUNTERS }, (_, n): SysregHandler[] => [
        { name: `PMEVCNTR${n}_EL0`, encoding: enc(14, 8 | (n >> 3), n & 7), read: (now) => this.value(n, now), write: (now, v) => this.set(n, now, v) },
        { name: `PMEVTYPER${n}_EL0`, encoding: enc(14, 12 | (n >> 3), n & 7), read: () => this.typeOf(n), write: (now, v) => this.setType(n, now, v) },
      ]).flat(),
    ];
  }

  private counting(n: number): boolean {
    const c = this.counters[n];
    return c !== undefined && (this.pmcr & PMCR_E) !== 0n && ((this.enabled >> BigInt(n)) & 1n) === 1n &&
      (c.event === EVENT_CPU_CYCLES || c.event === EVENT_INST_RETIRED);
  }

  /** Counts since `since`, not yet wrapped to the counter's width. */
  private raw(n: number, now: bigint): bigint {
    const c = this.counters[n];
    if (c === undefined) return 0n;
    if (!this.counting(n)) return c.base;
    const elapsed = now - c.since;
    return c.base + (n === CYCLE_BIT && (this.pmcr & PMCR_D) !== 0n ? elapsed / 64n : elapsed);
  }

  private value(n: number, now: bigint): bigint {
    const c = this.counters[n];
    return c === undefined ? 0n : this.raw(n, now) & (c.width === 64n ? MASK64 : MASK32);
  }

  /** The overflow flags, up to date at `now` (counters that wrapped since they were folded set theirs). */
  private overflows(now: bigint): bigint {
    this.fold(now);
    return this.overflow;
  }

  private set(n: number, now: bigint, v: bigint): void {
    const c = this.counters[n];
    if (c === undefined) return;
    c.base = v & (c.width === 64n ? MASK64 : MASK32);
    c.since = now;
  }

  /** Freezes every counter's value at `now`, before what decides whether they count changes. */
  private fold(now: bigint): void {
    this.counters.forEach((c, n) => {
      if (c === undefined) return;
      const raw = this.raw(n, now);
      if (raw >> c.width !== 0n) this.overflow |= 1n << BigInt(n);
      this.set(n, now, raw);
    });
  }

  private writePmcr(now: bigint, v: bigint): void {
    this.fold(now);
    this.pmcr = v & PMCR_WRITABLE;
    if ((v & PMCR_P) !== 0n) for (let n = 0; n < PMU_EVENT_COUNTERS; n++) this.set(n, now, 0n);
    if ((v & PMCR_C) !== 0n) this.set(CYCLE_BIT, now, 0n);
  }

  private setEnabled(now: bigint, bits: bigint): void {
    this.fold(now);
    this.enabled = bits;
  }

  private typeOf(n: number): bigint {
    return n < PMU_EVENT_COUNTERS ? (this.counters[n]?.event ?? 0n) : 0n;
  }

  private setType(n: number, now: bigint, v: bigint): void {
    const c = this.counters[n];
    if (c === undefined || n === CYCLE_BIT) return;
    this.fold(now);
    c.event = v & 0xffffn;
  }
}

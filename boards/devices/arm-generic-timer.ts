// The Arm generic timer as EL0 sees it on Microkit's AArch64 boards: the physical counter and the
// physical timer are exported to user mode (KernelArmExportPCNTUser / KernelArmExportPTMRUser);
// the virtual counter and timer are not, so accesses to them trap. Register names, encodings and
// bit fields are the Arm ARM's (D13.8, "Generic Timer registers").

/** System-register encoding (op0, op1, CRn, CRm, op2). */
export interface SysregEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

export interface SysregHandler {
  readonly name: string;
  readonly encoding: SysregEncoding;
  /** Value for MRS at virtual time `now` (ns); undefined if the register cannot be read. */
  read?(now: bigint): bigint;
  write?(now: bigint, value: bigint): void;
}

const CTL_ENABLE = 1n;
const CTL_IMASK = 2n;
const CTL_ISTATUS = 4n;
const NS_PER_S = 1_000_000_000n;

const enc = (op0: number, op1: number, crn: number, crm: number, op2: number): SysregEncoding => ({ op0, op1, crn, crm, op2 });

export class ArmGenericTimer {
  /** CNTP_CTL_EL0 ENABLE and IMASK as written; ISTATUS is derived. */
  private ctl = 0n;
  private cval = 0n;
  readonly registers: readonly SysregHandler[];

  constructor(readonly frequencyHz: bigint, private readonly setIrq: (level: boolean) => void = () => {}) {
    this.registers = [
      { name: "CNTFRQ_EL0", encoding: enc(3, 3, 14, 0, 0), read: () => this.frequencyHz },
      { name: "CNTPCT_EL0", encoding: enc(3, 3, 14, 0, 1), read: (now) => this.counter(now) },
      {
        name: "CNTP_TVAL_EL0", encoding: enc(3, 3, 14, 2, 0),
        read: (now) => BigInt.asUintN(64, BigInt.asIntN(32, this.cval - this.counter(now))),
        write: (now, v) => this.setCval(now, BigInt.asUintN(64, this.counter(now) + BigInt.asIntN(32, v))),
      },
      {
        name: "CNTP_CTL_EL0", encoding: enc(3, 3, 14, 2, 1),
        read: (now) => this.ctl | (this.fired(now) ? CTL_ISTATUS : 0n),
        write: (now, v) => {
          this.ctl = v & (CTL_ENABLE | CTL_IMASK);
          this.updateIrq(now);
        },
      },
      { name: "CNTP_CVAL_EL0", encoding: enc(3, 3, 14, 2, 2), read: () => this.cval, write: (now, v) => this.setCval(now, v) },
    ];
  }

  /** The physical count at virtual time `now`. */
  counter(now: bigint): bigint {
    return (now * this.frequencyHz) / NS_PER_S;
  }

  private fired(now: bigint): boolean {
    return this.counter(now) >= this.cval;
  }

  private setCval(now: bigint, v: bigint): void {
    this.cval = v;
    this.updateIrq(now);
  }

  /** The timer's interrupt line: enabled, not masked, and the compare value reached. */
  updateIrq(now: bigint): void {
    this.setIrq((this.ctl & CTL_ENABLE) !== 0n && (this.ctl & CTL_IMASK) === 0n && this.fired(now));
  }

  /** Lets time pass up to `now`. */
  advance(now: bigint): void {
    this.updateIrq(now);
  }

  /** Virtual time (ns) at which the line will rise, if it is armed and has not yet. */
  nextDeadline(now: bigint): bigint | undefined {
    if ((this.ctl & CTL_ENABLE) === 0n || (this.ctl & CTL_IMASK) !== 0n || this.fired(now)) return undefined;
    return (this.cval * NS_PER_S + this.frequencyHz - 1n) / this.frequencyHz;
  }
}

// What every device model offers the machine: register access by offset, an interrupt line
// raised and lowered in one place, the next virtual time it needs to act, and a snapshot of its
// state by named fields.

export type AccessSize = 1 | 2 | 4 | 8;

/** Virtual time in nanoseconds, supplied by the machine. */
export type Clock = () => bigint;

export interface InterruptLine {
  set(level: boolean): void;
}

export const NO_LINE: InterruptLine = { set: () => {} };

export interface Device {
  /** Model name and the device-tree compatible strings it answers to. */
  readonly name: string;
  readonly compatible: readonly string[];
  /** Size of its MMIO window in bytes. */
  readonly size: number;
  read(offset: number, size: AccessSize): bigint;
  write(offset: number, size: AccessSize, value: bigint): void;
  /** Virtual time (ns) at which the device must be looked at again, if any. */
  nextDeadline(now: bigint): bigint | undefined;
  /** Lets time pass up to `now`: raise interrupts whose time has come. */
  advance(now: bigint): void;
  save(): Record<string, unknown>;
  restore(state: Record<string, unknown>): void;
}

export interface Register<D> {
  readonly offset: number;
  readonly read?: (d: D) => bigint;
  readonly write?: (d: D, value: bigint) => void;
}

/**
 * A device's register map: name -> register. An access to an offset with no register, or in a
 * direction the register does not support, reads 0 / is ignored and is reported once to `stray`.
 */
export class RegisterBank<D> {
  private readonly byOffset = new Map<number, [string, Register<D>]>();
  private readonly reported = new Set<string>();

  constructor(registers: Readonly<Record<string, Register<D>>>, private readonly stray: (message: string) => void) {
    for (const [name, r] of Object.entries(registers)) this.byOffset.set(r.offset, [name, r]);
  }

  read(device: D, offset: number): bigint {
    const r = this.byOffset.get(offset);
    if (r?.[1].read === undefined) {
      this.once(`read of ${r === undefined ? "unknown offset" : `write-only ${r[0]} at`} 0x${offset.toString(16)}`);
      return 0n;
    }
    return r[1].read(device);
  }

  write(device: D, offset: number, value: bigint): void {
    const r = this.byOffset.get(offset);
    if (r?.[1].write === undefined) {
      this.once(`write of 0x${value.toString(16)} to ${r === undefined ? "unknown offset" : `read-only ${r[0]} at`} 0x${offset.toString(16)}`);
      return;
    }
    r[1].write(device, value);
  }

  private once(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.stray(message);
  }
}

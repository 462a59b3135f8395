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
  /** The datasheet name of the register at an offset, for traces. */
  registerName(offset: number): string | undefined;
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

  nameAt(offset: number): string | undefined {
    return this.byOffset.get(offset)?.[0];
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

/**
 * The common shape of a register-mapped device: accesses go through its RegisterBank, its state is
 * the named fields listed in `stateFields` (plus whatever saveExtra/restoreExtra add), and it has no
 * deadlines unless it says otherwise.
 */
export abstract class RegisterDevice<D extends RegisterDevice<D>> implements Device {
  abstract readonly name: string;
  abstract readonly compatible: readonly string[];
  abstract readonly size: number;
  protected abstract readonly bank: RegisterBank<D>;
  protected abstract readonly stateFields: readonly (keyof D & string)[];

  read(offset: number, _size: AccessSize): bigint {
    return this.bank.read(this as unknown as D, offset);
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    this.bank.write(this as unknown as D, offset, value);
  }

  registerName(offset: number): string | undefined {
    return this.bank.nameAt(offset);
  }

  nextDeadline(_now: bigint): bigint | undefined {
    return undefined;
  }

  advance(_now: bigint): void {}

  abstract updateIrq(): void;

  save(): Record<string, unknown> {
    const self = this as unknown as Record<string, unknown>;
    return { ...Object.fromEntries(this.stateFields.map((f) => [f, self[f]])), ...this.saveExtra() };
  }

  restore(state: Record<string, unknown>): void {
    const self = this as unknown as Record<string, unknown>;
    for (const f of this.stateFields) self[f] = state[f];
    this.restoreExtra(state);
    this.updateIrq();
  }

  protected saveExtra(): Record<string, unknown> {
    return {};
  }

  protected restoreExtra(_state: Record<string, unknown>): void {}
}

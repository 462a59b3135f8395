// Guest-physical memory: each RAM range of the board is one host mapping (reserved, committed as
// touched), so a frame shared by two address spaces, or read by a device, is one set of bytes.
// Every engine maps each range once, at its physical address (emulator/address-space.ts).
import { hostAlloc, hostFree, type Pointer } from "./unicorn/ffi.js";
import { hex } from "./cpu.js";

export interface PhysicalRange {
  readonly base: bigint;
  readonly size: bigint;
}

interface Backed extends PhysicalRange {
  readonly ptr: Pointer;
  readonly bytes: Uint8Array;
}

export class PhysicalMemory {
  private readonly ranges: Backed[];

  constructor(ram: readonly PhysicalRange[]) {
    this.ranges = ram.map((r) => ({ ...r, ...hostAlloc(Number(r.size)) }));
  }

  close(): void {
    for (const r of this.ranges) hostFree(r.ptr, Number(r.size));
    this.ranges.length = 0;
  }

  get ram(): readonly PhysicalRange[] {
    return this.ranges.map(({ base, size }) => ({ base, size }));
  }

  private find(pa: bigint, length: bigint): Backed | undefined {
    return this.ranges.find((r) => pa >= r.base && pa + length <= r.base + r.size);
  }

  /** [pa, pa+length) lies in one RAM range. */
  isRam(pa: bigint, length: bigint): boolean {
    return this.find(pa, length) !== undefined;
  }

  /** Host address of [pa, pa+length), which must lie in one RAM range. */
  hostPointer(pa: bigint, length: bigint): Pointer {
    const r = this.find(pa, length);
    if (r === undefined) throw new Error(`physical range ${hex(pa)}+${hex(length)} is not RAM`);
    return r.ptr + (pa - r.base);
  }

  /** A live view of [pa, pa+length), or undefined if that is not RAM. */
  view(pa: bigint, length: number): Uint8Array | undefined {
    const r = this.find(pa, BigInt(length));
    if (r === undefined) return undefined;
    const offset = Number(pa - r.base);
    return r.bytes.subarray(offset, offset + length);
  }

  write(pa: bigint, bytes: Uint8Array): void {
    const v = this.view(pa, bytes.length);
    if (v === undefined) throw new Error(`physical range ${hex(pa)}+${hex(bytes.length)} is not RAM`);
    v.set(bytes);
  }
}

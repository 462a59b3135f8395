// Where everything the system builder creates lives in guest-physical memory: memory regions at
// their fixed phys_addr or placed in board RAM, and PD images, stacks and IPC buffers in RAM.
// Upstream's tool places regions from the kernel's untyped list, so our addresses for regions
// without phys_addr differ from a real boot; fixed ones are exact.
import type { MemoryRegion } from "./sdf/model.js";

export interface PhysicalRange {
  readonly base: bigint;
  readonly size: bigint;
}

export class BuildError extends Error {}

export const PAGE = 4096n;
export const roundDown = (v: bigint, a: bigint): bigint => v - (v % a);
export const roundUp = (v: bigint, a: bigint): bigint => roundDown(v + a - 1n, a);

const overlaps = (a: PhysicalRange, b: PhysicalRange): boolean => a.base < b.base + b.size && b.base < a.base + a.size;

/** Hands out aligned guest-physical memory from the board's RAM, lowest first, around reserved ranges. */
export class FrameAllocator {
  private readonly reserved: PhysicalRange[] = [];
  private index = 0;
  private next: bigint;

  constructor(private readonly ram: readonly PhysicalRange[]) {
    this.next = ram[0]?.base ?? 0n;
  }

  /** Keeps a fixed range (a memory region with phys_addr inside RAM) out of later allocations. */
  reserve(range: PhysicalRange): void {
    this.reserved.push(range);
  }

  isRam(range: PhysicalRange): boolean {
    return this.ram.some((r) => range.base >= r.base && range.base + range.size <= r.base + r.size);
  }

  alloc(size: bigint, align = PAGE): bigint {
    const bytes = roundUp(size, PAGE);
    for (;;) {
      const r = this.ram[this.index];
      if (r === undefined) throw new BuildError(`the system needs more RAM than the board has (${bytes} more bytes)`);
      const pa = roundUp(this.next, align);
      const want = { base: pa, size: bytes };
      const clash = this.reserved.find((x) => overlaps(x, want));
      if (clash !== undefined) {
        this.next = clash.base + clash.size;
      } else if (pa + bytes <= r.base + r.size) {
        this.next = pa + bytes;
        return pa;
      } else {
        this.index++;
        this.next = this.ram[this.index]?.base ?? 0n;
      }
    }
  }
}

export interface PlacedRegion {
  readonly mr: MemoryRegion;
  readonly pa: bigint;
  /** True when the region is RAM; false for device memory at a fixed address. */
  readonly ram: boolean;
}

/** Places every memory region: fixed ones where they say, the rest in RAM aligned to their page size. */
export function placeRegions(regions: readonly MemoryRegion[], frames: FrameAllocator): Map<string, PlacedRegion> {
  const placed = new Map<string, PlacedRegion>();
  for (const mr of regions) {
    if (mr.physAddr === undefined) continue;
    const range = { base: mr.physAddr, size: mr.size };
    const ram = frames.isRam(range);
    if (ram) frames.reserve(range);
    placed.set(mr.name, { mr, pa: mr.physAddr, ram });
  }
  for (const mr of regions) {
    if (mr.physAddr !== undefined) continue;
    placed.set(mr.name, { mr, pa: frames.alloc(mr.size, mr.pageSize), ram: true });
  }
  return placed;
}

// The guest-physical address space of one engine: RAM ranges and device windows as engine regions
// at their physical addresses, plus "cover" regions over every gap. Unicorn 2.0.1 looks each
// virtual address up in its region list before the MMU translates it (qemu/accel/tcg/cputlb.c,
// load_helper/store_helper call memory_mapping(uc, addr) with the virtual address; fixed upstream in
// 2.1): an address outside every region is reported through the invalid-memory hook, with the pc
// of the block's first instruction, instead of faulting in the MMU. So every address of the 64-bit
// space lies in some region, all with every permission (the region's permissions are checked
// against the virtual address too), and only the page tables decide. Covers are MMIO regions
// without callbacks (no host memory); no page table points into them.
//
// Unmapping a region costs ~0.6 µs per 4 KiB page of it (qemu/softmmu/memory.c, memory_unmap
// flushes the TLB page by page), so a cover is never split where it is large: the layout known up
// front is attached before any cover is mapped, and the window where regions come and go later
// (`dynamic`) is covered by regions that grow in size away from its start, where allocation
// happens. Covers left over by a later split grow in size away from the new region likewise.
import type { MmioHandler } from "./cpu.js";
import { UC_PROT_ALL } from "./unicorn/constants.js";
import { check, ffi, MmioRead, MmioWrite, registerCallback, type Pointer } from "./unicorn/ffi.js";

/**
 * The engine aborts the process past ~1,023 regions (ENGINE-FACTS.md); we refuse well before. The
 * count does not grow with mappings (those are page-table entries): regions are the RAM ranges,
 * the device windows, the page-table pool and the covers between them.
 */
export const MAX_ENGINE_REGIONS = 1000;

const TOP = 1n << 64n;
/** Largest region one call maps: uc_mem_map takes a size_t, so 2^64 needs two. */
const MAX_REGION = 1n << 63n;
/** Size of the cover next to a region; each one after it is GROWTH times larger. */
const FIRST_COVER = 0x1_0000n;
const GROWTH = 4n;
/** Largest cover a later attachment may split (~40 ms of page-by-page TLB flushing). */
const MAX_SPLIT = 256n << 20n;

export interface RamRange {
  readonly base: bigint;
  readonly size: bigint;
  /** The host memory behind it. */
  readonly host: Pointer;
}

export interface MmioRange {
  readonly base: bigint;
  readonly size: bigint;
  readonly handler: MmioHandler;
}

export interface PhysicalLayout {
  readonly ram: readonly RamRange[];
  readonly mmio: readonly MmioRange[];
  /** Where regions will be attached later, from the bottom up. */
  readonly dynamic: { readonly base: bigint; readonly end: bigint };
}

export interface PhysicalRegion {
  readonly base: bigint;
  readonly size: bigint;
  readonly kind: "ram" | "mmio";
  readonly host?: Pointer;
}

interface Span {
  readonly base: bigint;
  readonly end: bigint;
}

// One pair of JavaScript callbacks serves every MMIO region of every engine; the region's user
// data is its handler's number here.
const handlers = new Map<number, MmioHandler>();
let nextHandler = 1;
let callbacks: { read: Pointer; write: Pointer } | undefined;

function mmioCallbacks(): { read: Pointer; write: Pointer } {
  callbacks ??= {
    read: registerCallback(((_uc: Pointer, offset: bigint | number, width: number, user: bigint) =>
      handlers.get(Number(user))!.read(Number(offset), width)) as never, MmioRead),
    write: registerCallback(((_uc: Pointer, offset: bigint | number, width: number, value: bigint | number, user: bigint) =>
      handlers.get(Number(user))!.write(Number(offset), width, BigInt(value))) as never, MmioWrite),
  };
  return callbacks;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** [base, end) cut into pieces that grow in size from the `small` end on, up to one region each. */
function growing(base: bigint, end: bigint, small: "low" | "high"): Span[] {
  const out: Span[] = [];
  let size = FIRST_COVER;
  for (let low = base, high = end; low < high; size = size < MAX_REGION / GROWTH ? size * GROWTH : MAX_REGION) {
    if (high - low <= size) {
      out.push({ base: low, end: high });
      break;
    }
    if (small === "low") {
      out.push({ base: low, end: low + size });
      low += size;
    } else {
      out.push({ base: high - size, end: high });
      high -= size;
    }
  }
  return out.sort((a, b) => (a.base < b.base ? -1 : 1));
}

/** [base, end) in pieces no larger than one engine region. */
function plain(base: bigint, end: bigint): Span[] {
  const out: Span[] = [];
  for (let at = base; at < end; at += MAX_REGION) out.push({ base: at, end: end - at > MAX_REGION ? at + MAX_REGION : end });
  return out;
}

export class EngineMemory {
  private readonly regions: PhysicalRegion[] = []; // sorted by base
  private readonly covers: Span[] = []; // sorted by base
  private readonly ownHandlers: number[] = [];

  constructor(
    private readonly uc: Pointer,
    layout: PhysicalLayout,
  ) {
    // At most two plain covers per gap, and the dynamic window's growing ones.
    const fixed = layout.ram.length + layout.mmio.length;
    if (fixed + 2 * (fixed + 1) + 64 > MAX_ENGINE_REGIONS) {
      throw new Error(`address space needs more than ${MAX_ENGINE_REGIONS} separate engine regions (${fixed} physical ranges)`);
    }
    const all = [...layout.ram, ...layout.mmio].sort((a, b) => (a.base < b.base ? -1 : 1));
    all.forEach((r, i) => {
      const next = all[i + 1];
      if (next !== undefined && r.base + r.size > next.base) throw new Error(`physical ranges ${hex(r.base)}+${hex(r.size)} and ${hex(next.base)}+${hex(next.size)} overlap`);
    });
    for (const r of layout.ram) this.mapRam(r.base, r.size, r.host);
    for (const m of layout.mmio) this.mapMmio(m.base, m.size, m.handler);
    // Cover the gaps: plainly, except the dynamic window.
    const d = layout.dynamic;
    let at = 0n;
    for (const r of [...this.regions, { base: TOP, size: 0n }]) {
      if (r.base > at) {
        const inside = d.base >= at && d.end <= r.base;
        if (!inside) {
          if (d.base < r.base && d.end > at) throw new Error(`physical range ${hex(r.base)}+${hex(r.size)} overlaps the engine's private window`);
          this.cover(plain(at, r.base));
        } else {
          this.cover(plain(at, d.base));
          this.cover(growing(d.base, d.end, "low"));
          this.cover(plain(d.end, r.base));
        }
      }
      at = r.base + r.size;
    }
  }

  close(): void {
    for (const id of this.ownHandlers) handlers.delete(id);
    this.ownHandlers.length = 0;
  }

  /** Engine regions in use, covers included. */
  get count(): number {
    return this.regions.length + this.covers.length;
  }

  /** Adds RAM later; costs ~0.6 µs per page of the cover it splits (cheap in the dynamic window). */
  attachRam(base: bigint, size: bigint, host: Pointer): void {
    this.carve(base, size);
    this.mapRam(base, size, host);
  }

  /** Adds device registers later (offsets from base reach `handler`); costs as attachRam. */
  attachMmio(base: bigint, size: bigint, handler: MmioHandler): void {
    this.carve(base, size);
    this.mapMmio(base, size, handler);
  }

  /** The attached region holding all of [pa, pa+size), if one does. */
  regionAt(pa: bigint, size = 1n): PhysicalRegion | undefined {
    return this.regions.find((r) => pa >= r.base && pa + size <= r.base + r.size);
  }

  /** The guest-physical address of host memory [host, host+size) if an attached RAM range holds it. */
  physicalOf(host: Pointer, size: bigint): bigint | undefined {
    for (const r of this.regions) {
      if (r.host !== undefined && host >= r.host && host + size <= r.host + r.size) return r.base + (host - r.host);
    }
    return undefined;
  }

  private mapRam(base: bigint, size: bigint, host: Pointer): void {
    check(ffi.uc_mem_map_ptr(this.uc, base, size, UC_PROT_ALL, host) as number, `map RAM ${hex(base)}+${hex(size)}`);
    this.insert({ base, size, kind: "ram", host });
  }

  private mapMmio(base: bigint, size: bigint, handler: MmioHandler): void {
    const id = nextHandler++;
    handlers.set(id, handler);
    this.ownHandlers.push(id);
    const cb = mmioCallbacks();
    check(ffi.uc_mmio_map(this.uc, base, size, cb.read, BigInt(id), cb.write, BigInt(id)) as number, `map MMIO ${hex(base)}+${hex(size)}`);
    // Executable too: a user address equal to this physical one may hold code elsewhere.
    check(ffi.uc_mem_protect(this.uc, base, size, UC_PROT_ALL) as number, `protect MMIO ${hex(base)}+${hex(size)}`);
    this.insert({ base, size, kind: "mmio" });
  }

  private insert(r: PhysicalRegion): void {
    const at = this.regions.findIndex((x) => x.base > r.base);
    this.regions.splice(at < 0 ? this.regions.length : at, 0, r);
  }

  /** Takes [base, base+size) out of the covers, which must hold all of it. */
  private carve(base: bigint, size: bigint): void {
    const end = base + size;
    if (size <= 0n || end > TOP) throw new Error(`physical range ${hex(base)}+${hex(size)} is empty or beyond 2^64`);
    const hit = this.covers.filter((c) => c.base < end && c.end > base);
    let covered = 0n;
    for (const c of hit) covered += (c.end < end ? c.end : end) - (c.base > base ? c.base : base);
    if (covered !== size) {
      const r = this.regions.find((x) => x.base < end && x.base + x.size > base)!;
      throw new Error(`physical range ${hex(base)}+${hex(size)} overlaps ${r.kind} at ${hex(r.base)}+${hex(r.size)}`);
    }
    const first = hit[0]!;
    const last = hit[hit.length - 1]!;
    const unmapped = last.end - first.base;
    if (unmapped > MAX_SPLIT) {
      throw new Error(`attaching physical ${hex(base)}+${hex(size)} would unmap a ${hex(unmapped)}-byte cover (~${unmapped / 4096n * 6n / 10_000n} ms): ` +
        "give ranges outside the engine's private window to it at construction");
    }
    const left = first.base < base ? growing(first.base, base, "high") : [];
    const right = last.end > end ? growing(end, last.end, "low") : [];
    if (this.count + 1 - hit.length + left.length + right.length > MAX_ENGINE_REGIONS) {
      throw new Error(`address space needs more than ${MAX_ENGINE_REGIONS} separate engine regions (at physical ${hex(base)})`);
    }
    for (const c of hit) {
      check(ffi.uc_mem_unmap(this.uc, c.base, c.end - c.base) as number, `unmap cover ${hex(c.base)}`);
      this.covers.splice(this.covers.indexOf(c), 1);
    }
    this.cover(left);
    this.cover(right);
  }

  private cover(spans: readonly Span[]): void {
    for (const s of spans) {
      check(ffi.uc_mmio_map(this.uc, s.base, s.end - s.base, null, null, null, null) as number, `map cover ${hex(s.base)}`);
      check(ffi.uc_mem_protect(this.uc, s.base, s.end - s.base, UC_PROT_ALL) as number, `protect cover ${hex(s.base)}`);
      const i = this.covers.findIndex((c) => c.base > s.base);
      this.covers.splice(i < 0 ? this.covers.length : i, 0, s);
    }
  }
}

// Stage-1 translation tables for the engine's own MMU: what a user address space maps, in the
// format the hardware walks, so that the engine raises translation and permission faults as
// architectural exceptions with an exact pc. AArch64: VMSAv8-64, 4 KiB granule, 48-bit input
// addresses, four levels from TTBR0_EL1 (Arm ARM D8.3, "Translation table descriptor formats").
// RISC-V: Sv39, three levels from satp (Privileged Architecture 4.4). The emulator writes the
// tables into a private pool of guest-physical memory that no user mapping reaches; the tables
// are also the only record of what is mapped, read back by lookup().
import type { Arch, Rights } from "./cpu.js";

export const PAGE = 4096n;
const ENTRIES = 512;
const INDEX_BITS = 9n;

export interface Translation {
  readonly pa: bigint;
  readonly rights: Rights;
}

interface PteFormat {
  readonly levels: number;
  /** User virtual addresses are those below this (the half of the input range user mode owns). */
  readonly userTop: bigint;
  table(pa: bigint): bigint;
  leaf(pa: bigint, rights: Rights): bigint;
  valid(pte: bigint): boolean;
  /** A valid entry above the last level that points to the next table (not a block or leaf). */
  isTable(pte: bigint): boolean;
  address(pte: bigint): bigint;
  rights(pte: bigint): Rights;
}

// VMSAv8-64 descriptor bits (Arm ARM D8.3.1/D8.3.2, stage 1).
const A64 = {
  VALID: 1n << 0n,
  TABLE_OR_PAGE: 1n << 1n,
  ATTR_INDX_SHIFT: 2n, // MAIR_EL1 attribute 0: Normal, write-back (cpu.ts writes MAIR)
  AP_SHIFT: 6n,
  AP_EL1_RW: 0b00n, // EL0: no access (execution is UXN's to decide)
  AP_EL0_RW: 0b01n,
  AP_EL0_RO: 0b11n,
  SH_INNER: 0b11n << 8n,
  AF: 1n << 10n,
  NG: 1n << 11n,
  PXN: 1n << 53n,
  UXN: 1n << 54n,
  OA_MASK: ((1n << 48n) - 1n) & ~(PAGE - 1n),
} as const;

const aarch64: PteFormat & { kernelLeaf(pa: bigint): bigint } = {
  levels: 4,
  userTop: 1n << 48n, // TCR_EL1.T0SZ = 16
  table: (pa) => pa | A64.TABLE_OR_PAGE | A64.VALID,
  leaf(pa, r) {
    // Write implies read here: VMSAv8-64 has no write-only encoding. User pages never execute at
    // EL1 (PXN).
    const ap = r.write ? A64.AP_EL0_RW : r.read ? A64.AP_EL0_RO : A64.AP_EL1_RW;
    return pa | A64.VALID | A64.TABLE_OR_PAGE | (0n << A64.ATTR_INDX_SHIFT) | (ap << A64.AP_SHIFT) | A64.SH_INNER | A64.AF |
      A64.NG | A64.PXN | (r.execute ? 0n : A64.UXN);
  },
  /** EL1 only, executable at EL1 (the trampoline that turns the MMU on); EL0 may not read it. */
  kernelLeaf: (pa) => pa | A64.VALID | A64.TABLE_OR_PAGE | (A64.AP_EL1_RW << A64.AP_SHIFT) | A64.SH_INNER | A64.AF,
  valid: (pte) => (pte & A64.VALID) !== 0n,
  isTable: (pte) => (pte & (A64.VALID | A64.TABLE_OR_PAGE)) === (A64.VALID | A64.TABLE_OR_PAGE),
  address: (pte) => pte & A64.OA_MASK,
  rights(pte) {
    const ap = (pte >> A64.AP_SHIFT) & 0b11n;
    return { read: ap === A64.AP_EL0_RW || ap === A64.AP_EL0_RO, write: ap === A64.AP_EL0_RW, execute: (pte & A64.UXN) === 0n };
  },
};

// Sv39 PTE bits (Privileged Architecture 4.4.1, Figure "Sv39 page table entry").
const SV39 = { V: 1n << 0n, R: 1n << 1n, W: 1n << 2n, X: 1n << 3n, U: 1n << 4n, A: 1n << 6n, D: 1n << 7n, PPN_SHIFT: 10n, PPN_BITS: 44n } as const;
const sv39Ppn = (pa: bigint): bigint => (pa >> 12n) << SV39.PPN_SHIFT;

const riscv64: PteFormat = {
  levels: 3,
  userTop: 1n << 38n, // addresses with bit 38 set belong to the supervisor half
  table: (pa) => sv39Ppn(pa) | SV39.V,
  leaf(pa, r) {
    // A and D preset, so the engine never writes a table entry. W without R is reserved: write
    // implies read. A page without rights is a supervisor page (U clear), so every user access
    // faults and the walk still finds a leaf.
    const rw = r.write ? SV39.R | SV39.W : r.read ? SV39.R : 0n;
    const any = r.read || r.write || r.execute;
    return sv39Ppn(pa) | SV39.V | SV39.A | SV39.D | (any ? SV39.U | rw | (r.execute ? SV39.X : 0n) : SV39.R);
  },
  valid: (pte) => (pte & SV39.V) !== 0n,
  isTable: (pte) => (pte & (SV39.V | SV39.R | SV39.W | SV39.X)) === SV39.V,
  address: (pte) => ((pte >> SV39.PPN_SHIFT) & ((1n << SV39.PPN_BITS) - 1n)) << 12n,
  rights(pte) {
    const user = (pte & SV39.U) !== 0n;
    return { read: user && (pte & SV39.R) !== 0n, write: user && (pte & SV39.W) !== 0n, execute: user && (pte & SV39.X) !== 0n };
  },
};

export const PTE_FORMATS = { aarch64, riscv64 } as const satisfies Readonly<Record<Arch, PteFormat>>;

/** Guest-physical memory for tables: host memory the engine maps at `base`. */
export interface TableChunk {
  readonly base: bigint;
  readonly bytes: Uint8Array;
}

/**
 * Pages of guest-physical memory for tables, in chunks: the first one given, more from `grow` when
 * it is used up. (Small chunks: a JavaScript view of host memory counts towards the garbage
 * collector's external-memory budget, so a large one per engine makes collections frequent.)
 */
export class TablePool {
  private readonly chunks: { readonly base: bigint; readonly end: bigint; readonly bytes: Uint8Array; readonly view: DataView }[] = [];
  private next: number;

  constructor(
    first: TableChunk,
    firstPage: number,
    private readonly grow: () => TableChunk,
  ) {
    this.add(first);
    this.next = firstPage;
  }

  /** A zeroed table. */
  alloc(): bigint {
    let chunk = this.chunks[this.chunks.length - 1]!;
    if ((this.next + 1) * Number(PAGE) > chunk.bytes.byteLength) {
      chunk = this.add(this.grow());
      this.next = 0;
    }
    const offset = this.next++ * Number(PAGE);
    chunk.bytes.fill(0, offset, offset + Number(PAGE));
    return chunk.base + BigInt(offset);
  }

  get(table: bigint, index: number): bigint {
    const c = this.chunk(table);
    return c.view.getBigUint64(Number(table - c.base) + index * 8, true);
  }

  set(table: bigint, index: number, value: bigint): void {
    const c = this.chunk(table);
    c.view.setBigUint64(Number(table - c.base) + index * 8, value, true);
  }

  private add(c: TableChunk): (typeof this.chunks)[number] {
    const chunk = { base: c.base, end: c.base + BigInt(c.bytes.byteLength), bytes: c.bytes, view: new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) };
    this.chunks.push(chunk);
    return chunk;
  }

  private chunk(table: bigint): (typeof this.chunks)[number] {
    for (const c of this.chunks) if (table >= c.base && table < c.end) return c;
    throw new Error(`0x${table.toString(16)} is not a page-table page`);
  }
}

/** One address space's tables. Changes take effect once the caller flushes the engine's TLB. */
export class PageTable {
  readonly root: bigint;
  private readonly format: PteFormat;

  constructor(
    readonly arch: Arch,
    private readonly pool: TablePool,
  ) {
    this.format = PTE_FORMATS[arch];
    this.root = pool.alloc();
  }

  get userTop(): bigint {
    return this.format.userTop;
  }

  /**
   * Maps [va, va+size) to [pa, pa+size) with `rights`, page by page. Returns whether it replaced a
   * valid entry (which the engine's TLB may still hold).
   */
  map(va: bigint, pa: bigint, size: bigint, rights: Rights): boolean {
    let replaced = false;
    this.forEachLeaf(va, size, true, (table, index, offset) => {
      replaced ||= this.format.valid(this.pool.get(table, index));
      this.pool.set(table, index, this.format.leaf(pa + offset, rights));
    });
    return replaced;
  }

  /** Removes the pages of [va, va+size); returns whether any was mapped. */
  unmap(va: bigint, size: bigint): boolean {
    let removed = false;
    this.forEachLeaf(va, size, false, (table, index) => {
      removed ||= this.format.valid(this.pool.get(table, index));
      this.pool.set(table, index, 0n);
    });
    return removed;
  }

  /** AArch64: an EL1-only executable page (the trampoline); cleared again with unmap(). */
  mapKernel(va: bigint, pa: bigint): void {
    if (this.arch !== "aarch64") throw new Error("kernel pages are only needed on AArch64");
    this.forEachLeaf(va, PAGE, true, (table, index) => this.pool.set(table, index, aarch64.kernelLeaf(pa)));
  }

  /** What the tables map va to, as the hardware walk would find it. */
  lookup(va: bigint): Translation | undefined {
    if (va < 0n || va >= this.format.userTop) return undefined;
    const table = this.leafTable(va, false);
    if (typeof table !== "bigint") return undefined;
    const pte = this.pool.get(table, this.index(va, this.format.levels - 1));
    if (!this.format.valid(pte)) return undefined;
    return { pa: this.format.address(pte) + (va & (PAGE - 1n)), rights: this.format.rights(pte) };
  }

  private index(va: bigint, level: number): number {
    return Number((va >> (12n + INDEX_BITS * BigInt(this.format.levels - 1 - level))) & BigInt(ENTRIES - 1));
  }

  /**
   * The last-level table that holds va's entry, creating the tables on the way if asked; if there
   * is none, how many bytes of addresses from va's aligned block on have none either.
   */
  private leafTable(va: bigint, create: boolean): bigint | { readonly missing: bigint } {
    let table = this.root;
    for (let level = 0; level < this.format.levels - 1; level++) {
      const index = this.index(va, level);
      const pte = this.pool.get(table, index);
      if (this.format.isTable(pte)) {
        table = this.format.address(pte);
      } else if (this.format.valid(pte)) {
        throw new Error(`page tables hold a block entry at level ${level} for 0x${va.toString(16)}`); // never written
      } else {
        if (!create) return { missing: PAGE << (INDEX_BITS * BigInt(this.format.levels - 1 - level)) };
        const next = this.pool.alloc();
        this.pool.set(table, index, this.format.table(next));
        table = next;
      }
    }
    return table;
  }

  private forEachLeaf(va: bigint, size: bigint, create: boolean, visit: (table: bigint, index: number, offset: bigint) => void): void {
    if (va % PAGE !== 0n || size % PAGE !== 0n || size <= 0n || va < 0n || va + size > this.format.userTop) {
      throw new Error(`page mapping 0x${va.toString(16)}+0x${size.toString(16)} is not page-aligned user memory`);
    }
    let table = 0n;
    let index = ENTRIES;
    for (let offset = 0n; offset < size;) {
      if (index === ENTRIES) {
        // Entering the range of another last-level table (or the first one).
        const found = this.leafTable(va + offset, create);
        if (typeof found !== "bigint") {
          // Nothing mapped in the missing table's whole range: on to the next one.
          offset = ((va + offset) / found.missing + 1n) * found.missing - va;
          continue;
        }
        table = found;
        index = this.index(va + offset, this.format.levels - 1);
      }
      visit(table, index, offset);
      index++;
      offset += PAGE;
    }
  }
}

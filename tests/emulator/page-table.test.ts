// The page tables the engine's MMU walks, checked entry by entry against the architectures'
// descriptor formats (Arm ARM D8.3 for VMSAv8-64 stage 1, 4 KiB granule; RISC-V Privileged
// Architecture 4.4 for Sv39), with the expected values written out by hand.
import { describe, expect, test } from "vitest";
import type { Rights } from "../../emulator/cpu.js";
import { PageTable, TablePool } from "../../emulator/page-table.js";

const PAGE = 0x1000n;
const POOL_BASE = 0xff_0000_0000n;

const NONE: Rights = { read: false, write: false, execute: false };
const R: Rights = { read: true, write: false, execute: false };
const RW: Rights = { read: true, write: true, execute: false };
const RX: Rights = { read: true, write: false, execute: true };
const X: Rights = { read: false, write: false, execute: true };
const W: Rights = { read: false, write: true, execute: false };

/** A pool of `pages` tables in plain memory; further chunks of the same size follow it. */
function pool(pages = 16): { pool: TablePool; chunks: bigint[] } {
  const chunks = [POOL_BASE];
  const p = new TablePool({ base: POOL_BASE, bytes: new Uint8Array(pages * 4096) }, 0, () => {
    const base = POOL_BASE + BigInt(chunks.length) * 0x100_0000n;
    chunks.push(base);
    return { base, bytes: new Uint8Array(pages * 4096) };
  });
  return { pool: p, chunks };
}

/** The entries on the way to va: one per level, the leaf last. */
function walk(p: TablePool, root: bigint, va: bigint, levels: number, next: (pte: bigint) => bigint): bigint[] {
  const out: bigint[] = [];
  let table = root;
  for (let level = 0; level < levels; level++) {
    const index = Number((va >> (12n + 9n * BigInt(levels - 1 - level))) & 511n);
    const pte = p.get(table, index);
    out.push(pte);
    table = next(pte);
  }
  return out;
}

describe("AArch64 (VMSAv8-64, 4 KiB granule, 48-bit input, TTBR0_EL1)", () => {
  const next = (pte: bigint): bigint => pte & 0x0000_ffff_ffff_f000n;

  test("page descriptors: AP from read/write, UXN from execute, PXN, AF, SH inner, nG, AttrIndx 0", () => {
    const { pool: p } = pool();
    const t = new PageTable("aarch64", p);
    const PA = 0x4000_1000n;
    // 0b11 page | AP[7:6] | SH[9:8] = 0b11 | AF (bit 10) | nG (bit 11) | PXN (bit 53) | UXN (bit 54)
    const cases: [Rights, bigint][] = [
      [RW, 0x0060_0000_4000_1f43n], // AP 01: EL0 read-write
      [R, 0x0060_0000_4000_1fc3n], // AP 11: EL0 read-only
      [RX, 0x0020_0000_4000_1fc3n], // read-only, UXN clear
      [X, 0x0020_0000_4000_1f03n], // AP 00: no EL0 data access; executable
      [NONE, 0x0060_0000_4000_1f03n],
      [W, 0x0060_0000_4000_1f43n], // write implies read
    ];
    cases.forEach(([rights, descriptor], i) => {
      const va = 0x40_0000n + BigInt(i) * PAGE;
      expect(t.map(va, PA, PAGE, rights)).toBe(false);
      expect(walk(p, t.root, va, 4, next)[3]).toBe(descriptor);
      expect(t.lookup(va + 0x123n)).toEqual({ pa: PA + 0x123n, rights: rights === W ? RW : rights });
    });
  });

  test("table descriptors (0b11) link the four levels; VA bits 47:39, 38:30, 29:21, 20:12 index them", () => {
    const { pool: p } = pool();
    const t = new PageTable("aarch64", p);
    const va = 0x7f_ffff_e000n; // L0 0, L1 511, L2 511, L3 510
    t.map(va, 0x4000_0000n, PAGE, RW);
    const [l0, l1, l2] = walk(p, t.root, va, 4, next);
    expect(t.root).toBe(POOL_BASE);
    expect([l0, l1, l2]).toEqual([POOL_BASE + 0x1003n, POOL_BASE + 0x2003n, POOL_BASE + 0x3003n]);
    expect(p.get(POOL_BASE + 0x3000n, 510)).toBe(0x0060_0000_4000_0f43n);
    expect(p.get(POOL_BASE + 0x2000n, 511)).toBe(POOL_BASE + 0x3003n);
  });

  test("the trampoline's page: EL1 only, executable at EL1 (AP 00, PXN and UXN clear)", () => {
    const { pool: p } = pool();
    const t = new PageTable("aarch64", p);
    t.mapKernel(POOL_BASE, POOL_BASE);
    expect(walk(p, t.root, POOL_BASE, 4, next)[3]).toBe(POOL_BASE | 0x703n);
  });
});

describe("RISC-V Sv39", () => {
  const next = (pte: bigint): bigint => ((pte >> 10n) & ((1n << 44n) - 1n)) << 12n;

  test("leaf PTEs: PPN at bit 10, V, R/W/X from the rights, U, A and D preset; no rights is a supervisor page", () => {
    const { pool: p } = pool();
    const t = new PageTable("riscv64", p);
    const PA = 0x8020_1000n; // PPN 0x80201 -> 0x20080400 at bit 10
    // V 0x01, R 0x02, W 0x04, X 0x08, U 0x10, A 0x40, D 0x80
    const cases: [Rights, bigint][] = [
      [RW, 0x2008_04d7n],
      [R, 0x2008_04d3n],
      [RX, 0x2008_04dbn],
      [X, 0x2008_04d9n], // execute-only
      [NONE, 0x2008_04c3n], // U clear: every user access faults
      [W, 0x2008_04d7n], // W without R is reserved: write implies read
    ];
    cases.forEach(([rights, pte], i) => {
      const va = 0x40_0000n + BigInt(i) * PAGE;
      t.map(va, PA, PAGE, rights);
      expect(walk(p, t.root, va, 3, next)[2]).toBe(pte);
      expect(t.lookup(va)).toEqual({ pa: PA, rights: rights === W ? RW : rights });
    });
  });

  test("non-leaf PTEs are V only; VA bits 38:30, 29:21, 20:12 index the three levels", () => {
    const { pool: p } = pool();
    const t = new PageTable("riscv64", p);
    const va = 0x3f_ffff_f000n; // the last user page: 255, 511, 511
    t.map(va, 0x8000_0000n, PAGE, RW);
    expect(walk(p, t.root, va, 3, next)).toEqual([
      ((POOL_BASE + 0x1000n) >> 12n << 10n) | 1n,
      ((POOL_BASE + 0x2000n) >> 12n << 10n) | 1n,
      0x2000_00d7n,
    ]);
    expect(p.get(t.root, 255)).toBe(((POOL_BASE + 0x1000n) >> 12n << 10n) | 1n);
  });
});

describe.each(["aarch64", "riscv64"] as const)("PageTable on %s", (arch) => {
  test("map reports a replaced entry, unmap a removed one; ranges without tables are skipped", () => {
    const { pool: p } = pool();
    const t = new PageTable(arch, p);
    expect(t.map(0x10_0000n, 0x8000_0000n, 4n * PAGE, RW)).toBe(false);
    expect(t.map(0x10_2000n, 0x9000_0000n, PAGE, R)).toBe(true);
    expect(t.lookup(0x10_2000n)).toEqual({ pa: 0x9000_0000n, rights: R });
    expect(t.lookup(0x10_3000n)).toEqual({ pa: 0x8000_3000n, rights: RW });
    // Across 1 GiB of addresses with no tables, and the mapped pages in the middle.
    expect(t.unmap(0x4000_0000n, 0x4000_0000n)).toBe(false);
    expect(t.unmap(0x0n, 0x4000_0000n)).toBe(true);
    expect(t.lookup(0x10_0000n)).toBeUndefined();
    expect(t.unmap(0x10_0000n, PAGE)).toBe(false);
  });

  test("tables come from further pool chunks once the first is used up", () => {
    const { pool: p, chunks } = pool(4);
    const t = new PageTable(arch, p);
    // Pages 1 GiB apart: a new table or two for each.
    for (let i = 0n; i < 8n; i++) t.map(i << 30n, 0x8000_0000n + i * PAGE, PAGE, RW);
    expect(chunks.length).toBeGreaterThan(1);
    for (let i = 0n; i < 8n; i++) expect(t.lookup((i << 30n) + 8n)).toEqual({ pa: 0x8000_0008n + i * PAGE, rights: RW });
  });

  test("only page-aligned user addresses map", () => {
    const t = new PageTable(arch, pool().pool);
    const top = arch === "aarch64" ? 1n << 48n : 1n << 38n;
    expect(() => t.map(0x1001n, 0n, PAGE, RW)).toThrow("page mapping 0x1001+0x1000 is not page-aligned user memory");
    expect(() => t.map(top - PAGE, 0n, 2n * PAGE, RW)).toThrow(`page mapping 0x${(top - PAGE).toString(16)}+0x2000 is not page-aligned user memory`);
    expect(t.lookup(top)).toBeUndefined();
  });
});

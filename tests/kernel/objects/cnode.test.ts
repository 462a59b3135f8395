import { describe, expect, it } from "vitest";
import type { Cap } from "../../../kernel/cap.js";
import { capAtAddress, CNode, resolveAddressBits, slotCap } from "../../../kernel/objects/cnode.js";
import { lookupCap } from "../../../kernel/syscall.js";
import { Endpoint, Sim, endpointCap, microkitJson } from "../harness.js";

// resolveAddressBits (seL4 src/kernel/cspace.c): per level, check the guard (GuardMismatch with the
// cap's guard and guard size), then that radix+guard fits the bits left (DepthMismatch with
// levelBits), index by the next radix bits; stop when the bits run out or the slot is no CNode.

const shape = microkitJson()["cspace"]["shape"];
const DEPTH: number = shape["resolution_depth_bits"]; // 64
const ROOT_BITS: number = shape["root_cnode"]["size_bits"]; // 6
const PD_BITS: number = shape["microkit_cnode"]["size_bits"]; // 9
const PD_GUARD: number = shape["microkit_cnode"]["guard_size"]; // 49

describe("the Microkit CSpace shape", () => {
  it("covers the whole 64-bit cptr: root radix + PD guard + PD radix", () => {
    expect([DEPTH, ROOT_BITS, PD_GUARD, PD_BITS]).toEqual([64, 6, 49, 9]);
    expect(ROOT_BITS + PD_GUARD + PD_BITS).toBe(DEPTH);
  });
});

describe("resolveAddressBits on a Microkit CSpace", () => {
  const sim = new Sim("aarch64");
  const pd = sim.thread("pd");
  const root = pd.tcb.cspaceRoot;

  it.each([0n, 1n, 4n, 10n, 74n, 138n, 511n])("cptr %s < 512 names slot N of the PD CNode", (n) => {
    const r = resolveAddressBits(root, n, DEPTH);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.slot.cnode).toBe(pd.cnode);
    expect(r.slot.index).toBe(Number(n));
    expect(r.bitsRemaining).toBe(0);
  });

  it("cptr 512 fails the 49-bit zero guard of the second level", () => {
    // After the root level 64 - 6 = 58 bits are left; the PD CNode cap's guard is 49 bits of 0.
    expect(resolveAddressBits(root, 512n, DEPTH)).toEqual({ ok: false, fault: { type: "GuardMismatch", bitsLeft: 58, guardFound: 0n, bitsFound: 49 } });
  });

  it("a set bit anywhere in the guard (bit 57) is a guard mismatch", () => {
    expect(resolveAddressBits(root, 1n << 57n, DEPTH)).toEqual({ ok: false, fault: { type: "GuardMismatch", bitsLeft: 58, guardFound: 0n, bitsFound: 49 } });
  });

  it("cptr k << 58 names root slot k (microkit.json cptr_of_root_slot_k), leaving 58 bits unresolved", () => {
    const tcbCap: Cap = { type: "tcb", object: pd.tcb };
    pd.root.slots[3] = tcbCap;
    const r = resolveAddressBits(root, 3n << 58n, DEPTH);
    expect(r).toEqual({ ok: true, slot: { cnode: pd.root, index: 3 }, bitsRemaining: 58 });
    if (r.ok) expect(slotCap(r.slot)).toBe(tcbCap);
    // lookupCap ignores the bits left, as seL4's lookupSlot does.
    expect(lookupCap(pd.tcb, 3n << 58n)).toEqual({ ok: true, cap: tcbCap });
  });

  it("a CNode in a root slot whose radix+guard exceeds the bits left is a depth mismatch", () => {
    const deep = new CNode(9);
    pd.root.slots[5] = { type: "cnode", object: deep, guard: 0n, guardSize: 50 };
    // 58 bits left; the guard (50 bits, all zero in 5 << 58) passes, then 9 + 50 = 59 > 58.
    expect(resolveAddressBits(root, 5n << 58n, DEPTH)).toEqual({ ok: false, fault: { type: "DepthMismatch", bitsLeft: 58, bitsFound: 59 } });
  });

  it("an empty slot resolves; lookupCap then yields the null cap rather than failing", () => {
    expect(lookupCap(pd.tcb, 300n)).toEqual({ ok: true, cap: { type: "null" } });
  });
});

describe("resolveAddressBits with explicit depths and guards", () => {
  const ep = new Endpoint();

  it("a single level resolved with depth = radix indexes by the low bits", () => {
    const node = new CNode(6);
    const cap = endpointCap(ep, 7n);
    node.slots[5] = cap;
    const r = resolveAddressBits({ type: "cnode", object: node, guard: 0n, guardSize: 0 }, 5n, 6);
    expect(r).toEqual({ ok: true, slot: { cnode: node, index: 5 }, bitsRemaining: 0 });
  });

  it("depth smaller than the level is a depth mismatch", () => {
    const node = new CNode(6);
    expect(resolveAddressBits({ type: "cnode", object: node, guard: 0n, guardSize: 0 }, 5n, 3)).toEqual({ ok: false, fault: { type: "DepthMismatch", bitsLeft: 3, bitsFound: 6 } });
  });

  it("a guard longer than the depth is a guard mismatch", () => {
    const node = new CNode(9);
    expect(resolveAddressBits({ type: "cnode", object: node, guard: 0n, guardSize: 49 }, 0n, 20)).toEqual({ ok: false, fault: { type: "GuardMismatch", bitsLeft: 20, guardFound: 0n, bitsFound: 49 } });
  });

  it("a non-zero guard must match the bits above the index", () => {
    const node = new CNode(4);
    const root: Cap = { type: "cnode", object: node, guard: 0xan, guardSize: 4 };
    expect(resolveAddressBits(root, 0xa3n, 8)).toEqual({ ok: true, slot: { cnode: node, index: 3 }, bitsRemaining: 0 });
    expect(resolveAddressBits(root, 0xb3n, 8)).toEqual({ ok: false, fault: { type: "GuardMismatch", bitsLeft: 8, guardFound: 0xan, bitsFound: 4 } });
  });

  it("a root that is not a CNode cap is an invalid root", () => {
    expect(resolveAddressBits({ type: "null" }, 1n, 64)).toEqual({ ok: false, fault: { type: "InvalidRoot" } });
    expect(resolveAddressBits(endpointCap(ep), 1n, 64)).toEqual({ ok: false, fault: { type: "InvalidRoot" } });
  });

  it("walks three levels, consuming guard and radix bits at each", () => {
    const l1 = new CNode(2);
    const l2 = new CNode(3);
    const l3 = new CNode(4);
    l1.slots[2] = { type: "cnode", object: l2, guard: 1n, guardSize: 1 };
    l2.slots[6] = { type: "cnode", object: l3, guard: 0n, guardSize: 2 };
    const cap = endpointCap(ep, 1n);
    l3.slots[9] = cap;
    // Top 12 of 16 bits: [10][1][110][00][1001] -> l1 slot 2, guard 1, l2 slot 6, guard 00, l3 slot 9;
    // the endpoint in l3 slot 9 ends the walk with the low 4 bits unresolved.
    const cptr = 0b10_1_110_00_1001n << 4n;
    const r = resolveAddressBits({ type: "cnode", object: l1, guard: 0n, guardSize: 0 }, cptr, 16);
    expect(r).toEqual({ ok: true, slot: { cnode: l3, index: 9 }, bitsRemaining: 4 });
    // The same path with guard bit 0 at the second level.
    const bad = 0b10_0_110_00_1001n << 4n;
    expect(resolveAddressBits({ type: "cnode", object: l1, guard: 0n, guardSize: 0 }, bad, 16)).toEqual({ ok: false, fault: { type: "GuardMismatch", bitsLeft: 14, guardFound: 1n, bitsFound: 1 } });
  });
});

describe("capAtAddress (the fast paths' lookup) agrees with resolveAddressBits over 64 bits", () => {
  const ep = new Endpoint();
  /** A deterministic pseudo-random stream (xorshift), so a failure names a reproducible case. */
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  /** Two levels: a root of radix r1 and guard g1, its slots mixing endpoints, nulls and a child CNode. */
  function cspace(): Cap {
    const childRadix = 1 + rand(9);
    const child = new CNode(childRadix);
    for (let i = 0; i < child.slots.length; i++) child.slots[i] = rand(3) === 0 ? { type: "null" } : endpointCap(ep, BigInt(i));
    const radix = 1 + rand(7);
    const root = new CNode(radix);
    const guardSize = rand(3) === 0 ? 0 : rand(64 - radix);
    const childGuardSize = rand(2) === 0 ? 64 - radix - guardSize - childRadix : rand(60);
    for (let i = 0; i < root.slots.length; i++) {
      root.slots[i] = rand(2) === 0
        ? { type: "cnode", object: child, guard: BigInt(rand(2) === 0 ? 0 : rand(8)), guardSize: Math.max(childGuardSize, 0) }
        : endpointCap(ep, BigInt(100 + i));
    }
    const guard = guardSize === 0 ? BigInt(rand(3) === 0 ? 1 : 0) : BigInt(rand(2) === 0 ? 0 : rand(4));
    return { type: "cnode", object: root, guard, guardSize };
  }
  const cptrs = (): bigint[] => [
    0n, 1n, BigInt(rand(512)), BigInt(rand(1 << 16)), BigInt(rand(2 ** 31)) * 2n + 1n, 0xffff_ffffn, 0x1_0000_0000n,
    BigInt(rand(64)) << 58n, (BigInt(rand(64)) << 58n) | BigInt(rand(1 << 20)), (1n << 64n) - 1n, BigInt(rand(4)) << BigInt(rand(64)),
  ];

  it("on random two-level CSpaces and cptrs, small and large", () => {
    const seen = { found: 0, deep: 0, failed: 0 };
    for (let n = 0; n < 300; n++) {
      const root = cspace();
      for (const cptr of cptrs()) {
        const r = resolveAddressBits(root, cptr, 64);
        expect(capAtAddress(root, cptr), `cptr 0x${cptr.toString(16)}`).toBe(r.ok ? slotCap(r.slot) : undefined);
        if (!r.ok) seen.failed++;
        else if (r.slot.cnode === (root as Cap & { type: "cnode" }).object) seen.found++;
        else seen.deep++;
      }
    }
    // The cases cover lookups that stop in the root, go on into the child, and fault.
    expect(seen.found).toBeGreaterThan(50);
    expect(seen.deep).toBeGreaterThan(50);
    expect(seen.failed).toBeGreaterThan(50);
  });

  it("on the Microkit CSpace shape", () => {
    const sim = new Sim("aarch64");
    const pd = sim.thread("pd");
    for (const cptr of [0n, 4n, 74n, 511n, 512n, 1n << 57n, 3n << 58n, 5n << 58n]) {
      const r = resolveAddressBits(pd.tcb.cspaceRoot, cptr, 64);
      expect(capAtAddress(pd.tcb.cspaceRoot, cptr)).toBe(r.ok ? slotCap(r.slot) : undefined);
    }
  });
});

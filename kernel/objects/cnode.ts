// CNodes and capability addressing (seL4 src/object/cnode.c, src/kernel/cspace.c).
import type { Cap } from "../cap.js";
import { NULL_CAP } from "../cap.js";
import type { MdbNode } from "../cspace.js";

export class CNode {
  readonly slots: Cap[];
  /** The derivation-tree node of each slot, kept by kernel/cspace.ts; absent for a slot never linked. */
  readonly mdb: (MdbNode | undefined)[];
  constructor(readonly radix: number) {
    this.slots = new Array<Cap>(2 ** radix).fill(NULL_CAP);
    this.mdb = [];
  }
}

export interface Slot {
  readonly cnode: CNode;
  readonly index: number;
}

/** Why a capability address failed to resolve (seL4 lookup_fault). */
export type LookupFault =
  | { readonly type: "InvalidRoot" }
  | { readonly type: "MissingCapability"; readonly bitsLeft: number }
  | { readonly type: "DepthMismatch"; readonly bitsLeft: number; readonly bitsFound: number }
  | { readonly type: "GuardMismatch"; readonly bitsLeft: number; readonly guardFound: bigint; readonly bitsFound: number };

export type Resolved =
  | { readonly ok: true; readonly slot: Slot; readonly bitsRemaining: number }
  | { readonly ok: false; readonly fault: LookupFault };

/** 2^bits - 1 for bits 0..64, made once (a lookup runs on every syscall). */
const MASKS: readonly bigint[] = Array.from({ length: 65 }, (_, bits) => (1n << BigInt(bits)) - 1n);
const SHIFTS: readonly bigint[] = Array.from({ length: 65 }, (_, bits) => BigInt(bits));
const mask = (bits: number): bigint => MASKS[bits]!;

/** Walks the CSpace from `root` translating `depth` bits of `cptr` (resolveAddressBits). */
export function resolveAddressBits(root: Cap, cptr: bigint, depth: number): Resolved {
  if (root.type !== "cnode") return { ok: false, fault: { type: "InvalidRoot" } };
  let cap: Cap = root;
  let nBits = depth;
  for (;;) {
    if (cap.type !== "cnode") throw new Error("unreachable: resolve continues only through CNode caps");
    const { radix } = cap.object;
    const levelBits = radix + cap.guardSize;
    if (cap.guardSize > nBits || (cap.guardSize === 0 ? 0n : (cptr >> SHIFTS[nBits - cap.guardSize]!) & mask(cap.guardSize)) !== cap.guard) {
      return { ok: false, fault: { type: "GuardMismatch", bitsLeft: nBits, guardFound: cap.guard, bitsFound: cap.guardSize } };
    }
    if (levelBits > nBits) return { ok: false, fault: { type: "DepthMismatch", bitsLeft: nBits, bitsFound: levelBits } };
    const index = Number((cptr >> SHIFTS[nBits - levelBits]!) & mask(radix));
    const slot = { cnode: cap.object, index };
    if (nBits === levelBits) return { ok: true, slot, bitsRemaining: 0 };
    nBits -= levelBits;
    const next = cap.object.slots[index] as Cap;
    if (next.type !== "cnode") return { ok: true, slot, bitsRemaining: nBits };
    cap = next;
  }
}

const POW2: readonly number[] = Array.from({ length: 65 }, (_, i) => 2 ** i);

/**
 * The cap a full-word lookup of `cptr` from `root` finds (resolveAddressBits(root, cptr, 64), then
 * the slot's cap), or undefined where that lookup faults. The IPC fast paths look up a cap on every
 * syscall: for a cptr below 2^32 this walks in doubles (exact there) without building results.
 */
export function capAtAddress(root: Cap, cptr: bigint): Cap | undefined {
  if (cptr > 0xffff_ffffn) {
    const r = resolveAddressBits(root, cptr, 64);
    return r.ok ? slotCap(r.slot) : undefined;
  }
  const c = Number(cptr);
  /** Bits [lo, lo + width) of c, which has none above bit 31. */
  const bits = (lo: number, width: number): number => {
    if (lo >= 32) return 0;
    const v = Math.floor(c / POW2[lo]!);
    return width >= 32 ? v : v % POW2[width]!;
  };
  if (root.type !== "cnode") return undefined;
  let cap: Cap = root;
  let nBits = 64;
  for (;;) {
    if (cap.type !== "cnode") return undefined;
    const radix = cap.object.radix;
    const levelBits = radix + cap.guardSize;
    if (cap.guardSize > nBits) return undefined;
    // A guard above 2^32 cannot equal bits of c, and its double is above 2^32 too.
    if (cap.guardSize !== 0 && Number(cap.guard) !== bits(nBits - cap.guardSize, cap.guardSize)) return undefined;
    if (cap.guardSize === 0 && cap.guard !== 0n) return undefined;
    if (levelBits > nBits) return undefined;
    const next = cap.object.slots[bits(nBits - levelBits, radix)] as Cap;
    if (nBits === levelBits) return next;
    nBits -= levelBits;
    if (next.type !== "cnode") return next;
    cap = next;
  }
}

export function slotCap(slot: Slot): Cap {
  return slot.cnode.slots[slot.index] as Cap;
}

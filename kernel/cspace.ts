// The capability derivation tree (seL4's mapping database, MDB) and the operations that keep it:
// cteInsert, cteMove, cteSwap, cteDelete, cteRevoke, isMDBParentOf, isFinalCapability (seL4
// src/object/cnode.c), and slot lookup for CNode operations (src/kernel/cspace.c).
//
// As in seL4 every slot carries an MDB node: a link to the previous and next slot of one list in
// which each cap is followed by the caps derived from it, plus `revocable` (this cap may revoke
// the caps after it) and `firstBadged` (the first cap with its badge). The nodes live beside the
// caps (CNode.mdb[i] for CNode.slots[i]), so the slots stay a plain array of caps.
//
// A cap written into a slot directly, as the system builder does, has no recorded node. It stands
// for a cap the capDL initialiser derived from an original it keeps in its own CSpace: it is
// revocable when it carries a badge, and it is never the final cap to its object, so deleting it
// leaves the object alone. A builder-placed untyped cap is an original, as the boot code's are, so
// it is revocable. insertOriginalCap records an original; insertNewCap a cap Retype made.
import { NULL_CAP, WORD_BITS, deriveCap, isCapRevocable, sameObjectAs, sameRegionAs, type Cap, type Derived } from "./cap.js";
import type { SyscallError } from "./errors.js";
import { cancelIPC, replyRemove } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { resolveAddressBits, slotCap, type CNode, type Slot } from "./objects/cnode.js";
import { cancelAllIPC } from "./objects/endpoint.js";
import { cancelAllSignals } from "./objects/notification.js";
import { completeYieldTo, schedContextUnbindNtfn, schedContextUnbindReply, schedContextUnbindTCB } from "./objects/schedcontext.js";
import { suspend } from "./objects/tcb-invocation.js";
import type { TCB } from "./objects/tcb.js";
import { objectTypes } from "./objects/untyped.js";
import { deleteASID, deleteASIDPool, findVSpaceForASID, unmapPage, unmapPageTable } from "./vspace.js";

export interface MdbNode {
  prev: Slot | undefined;
  next: Slot | undefined;
  revocable: boolean;
  firstBadged: boolean;
  /** A builder-placed cap whose original lives outside the model: never final. */
  external: boolean;
}

/** Two references to one slot (seL4 compares cte pointers). */
export const sameSlot = (a: Slot | undefined, b: Slot | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.cnode === b.cnode && a.index === b.index);

export { slotCap };

/** The slot's MDB node as recorded, or the node a builder-placed cap stands for. Never mutate the result. */
export function mdbNode(slot: Slot): Readonly<MdbNode> {
  const n = slot.cnode.mdb[slot.index];
  if (n !== undefined) return n;
  const cap = slotCap(slot);
  const badged = (cap.type === "endpoint" || cap.type === "notification" || cap.type === "smc") && cap.badge !== 0n;
  return { prev: undefined, next: undefined, revocable: badged || cap.type === "untyped", firstBadged: badged, external: cap.type !== "null" };
}

/** The slot's node, recorded so that it can be changed. */
function ownNode(slot: Slot): MdbNode {
  let n = slot.cnode.mdb[slot.index];
  if (n === undefined) {
    n = { ...mdbNode(slot) };
    slot.cnode.mdb[slot.index] = n;
  }
  return n;
}

function setNode(slot: Slot, n: MdbNode | undefined): void {
  slot.cnode.mdb[slot.index] = n;
}

function setNext(slot: Slot | undefined, next: Slot | undefined): void {
  if (slot !== undefined) ownNode(slot).next = next;
}

function setPrev(slot: Slot | undefined, prev: Slot | undefined): void {
  if (slot !== undefined) ownNode(slot).prev = prev;
}

/** Places the cap of a newly created object, the root of its derivation tree (insertNewCap without parent). */
export function insertOriginalCap(slot: Slot, cap: Cap): void {
  if (slotCap(slot).type !== "null") throw new Error("insertOriginalCap into an occupied slot");
  slot.cnode.slots[slot.index] = cap;
  setNode(slot, { prev: undefined, next: undefined, revocable: true, firstBadged: true, external: false });
}

/**
 * Places the cap of an object Retype just made from the untyped in `parent`, right after it: the
 * new cap is its own original and the untyped's child (insertNewCap).
 */
export function insertNewCap(parent: Slot, slot: Slot, cap: Cap): void {
  if (slotCap(slot).type !== "null") throw new Error("insertNewCap into an occupied slot");
  const parentNode = ownNode(parent);
  const next = parentNode.next;
  slot.cnode.slots[slot.index] = cap;
  setNode(slot, { prev: parent, next, revocable: true, firstBadged: true, external: false });
  parentNode.next = slot;
  setPrev(next, slot);
}

/**
 * The cap a copy of `cap` (read from `slot`, perhaps re-badged or masked) may place (deriveCap):
 * an untyped cap with children cannot be copied, RevokeFirst; otherwise cap.ts deriveCap.
 */
export function deriveSlotCap(slot: Slot, cap: Cap): Derived {
  if (cap.type === "untyped") {
    const error = ensureNoChildren(slot);
    if (error !== undefined) return { ok: false, error };
  }
  return deriveCap(cap);
}

// --- inserting and moving -------------------------------------------------------------------

/**
 * `newCap`, derived from the cap in `src`, goes into the empty `dest` right after it (cteInsert).
 * A copy of an untyped cap marks the source full (setUntypedCapAsFull): only the copy allocates
 * from the region, and once both are free again a Retype through either clears all of it.
 */
export function cteInsert(k: Kernel, newCap: Cap, src: Slot, dest: Slot): void {
  if (slotCap(dest).type !== "null") throw new Error("cteInsert to a non-empty slot");
  const srcNode = ownNode(src);
  const srcCap = slotCap(src);
  const revocable = isCapRevocable(newCap, srcCap);
  if (srcCap.type === "untyped" && newCap.type === "untyped" && srcCap.object.paddr === newCap.object.paddr && srcCap.object.sizeBits === newCap.object.sizeBits) {
    const full = 1n << BigInt(srcCap.object.sizeBits - objectTypes(k.abi).minUntypedBits);
    src.cnode.slots[src.index] = { ...srcCap, freeIndex: full };
  }
  const next = srcNode.next;
  dest.cnode.slots[dest.index] = newCap;
  setNode(dest, { prev: src, next, revocable, firstBadged: revocable, external: false });
  srcNode.next = dest;
  setPrev(next, dest);
}

/** The cap in `src`, possibly changed to `newCap`, moves to the empty `dest` with its place in the tree (cteMove). */
export function cteMove(newCap: Cap, src: Slot, dest: Slot): void {
  if (slotCap(dest).type !== "null") throw new Error("cteMove to a non-empty slot");
  const node = ownNode(src);
  dest.cnode.slots[dest.index] = newCap;
  src.cnode.slots[src.index] = NULL_CAP;
  setNode(dest, node);
  setNode(src, undefined);
  setNext(node.prev, dest);
  setPrev(node.next, dest);
}

/** Exchanges two slots' caps (as cap1, cap2) and their places in the tree (cteSwap). */
export function cteSwap(cap1: Cap, slot1: Slot, cap2: Cap, slot2: Slot): void {
  const n1 = ownNode(slot1);
  const n2 = ownNode(slot2);
  slot1.cnode.slots[slot1.index] = cap2;
  slot2.cnode.slots[slot2.index] = cap1;
  setNext(n1.prev, slot2);
  setPrev(n1.next, slot2);
  setNode(slot1, n2);
  setNode(slot2, n1);
  setNext(n2.prev, slot1);
  setPrev(n2.next, slot1);
}

// --- the tree -------------------------------------------------------------------------------

/**
 * Whether the cap in `b` was derived from the cap in `a` (isMDBParentOf): `a` must be revocable
 * and cover the same region; a badged endpoint or notification cap is parent only of copies
 * with its badge that are not themselves the first with that badge.
 */
export function isMDBParentOf(a: Slot, b: Slot): boolean {
  const na = mdbNode(a);
  if (!na.revocable) return false;
  const capA = slotCap(a);
  const capB = slotCap(b);
  if (!sameRegionAs(capA, capB)) return false;
  if ((capA.type === "endpoint" || capA.type === "notification" || capA.type === "smc") && capA.badge !== 0n) {
    return capA.badge === (capB as typeof capA).badge && !mdbNode(b).firstBadged;
  }
  return true;
}

/** No other cap to the same object sits next to this one in the tree (isFinalCapability). */
export function isFinalCapability(slot: Slot): boolean {
  const n = mdbNode(slot);
  if (n.external) return false;
  const cap = slotCap(slot);
  if (n.prev !== undefined && sameObjectAs(slotCap(n.prev), cap)) return false;
  return n.next === undefined || !sameObjectAs(cap, slotCap(n.next));
}

/** DeleteFirst unless the slot is empty (ensureEmptySlot). */
export function ensureEmptySlot(slot: Slot): SyscallError | undefined {
  return slotCap(slot).type === "null" ? undefined : { type: "seL4_DeleteFirst" };
}

/** RevokeFirst if caps were derived from this one (ensureNoChildren). */
export function ensureNoChildren(slot: Slot): SyscallError | undefined {
  const next = mdbNode(slot).next;
  return next !== undefined && isMDBParentOf(slot, next) ? { type: "seL4_RevokeFirst" } : undefined;
}

// --- deleting -------------------------------------------------------------------------------

/**
 * Removes the cap in `slot`; if it was the last cap to its object, the object is finalised first:
 * waiting threads restarted, bindings undone, a CNode's own slots deleted (cteDelete). seL4 does
 * the CNode and TCB cases through Zombie caps and preemption points; here they run to the end.
 */
export function cteDelete(k: Kernel, slot: Slot): void {
  deleteSlot(k, slot, new Set());
}

function deleteSlot(k: Kernel, slot: Slot, finalising: Set<CNode>): void {
  const cap = slotCap(slot);
  if (cap.type === "null") return;
  finaliseCap(k, cap, isFinalCapability(slot), finalising);
  emptySlot(slot);
}

/** Deletes every cap derived from the one in `slot`, the nearest first (cteRevoke). */
export function cteRevoke(k: Kernel, slot: Slot): void {
  for (let next = mdbNode(slot).next; next !== undefined && isMDBParentOf(slot, next); next = mdbNode(slot).next) {
    cteDelete(k, next);
  }
}

/** Unlinks the slot; the next cap inherits its first-badged mark (emptySlot). */
function emptySlot(slot: Slot): void {
  if (slotCap(slot).type === "null") return;
  const n = mdbNode(slot);
  setNext(n.prev, n.next);
  if (n.next !== undefined) {
    const next = ownNode(n.next);
    next.prev = n.prev;
    next.firstBadged = next.firstBadged || n.firstBadged;
  }
  slot.cnode.slots[slot.index] = NULL_CAP;
  setNode(slot, undefined);
}

/**
 * What deleting a cap does to its object (finaliseCap): most caps act only when they are the last one
 * to their object (`final`); a frame cap takes its own mapping with it either way.
 */
function finaliseCap(k: Kernel, cap: Cap, final: boolean, finalising: Set<CNode>): void {
  if (cap.type === "frame" || cap.type === "page_table" || cap.type === "vspace" || cap.type === "asid_pool") {
    archFinaliseCap(k, cap, final);
    return;
  }
  if (!final) return;
  switch (cap.type) {
    case "endpoint":
      cancelAllIPC(k, cap.object);
      break;
    case "notification": {
      const ntfn = cap.object;
      // schedContextMaybeUnbindNtfn, unbindMaybeNotification, cancelAllSignals
      if (ntfn.sc !== undefined) {
        ntfn.sc.notification = undefined;
        ntfn.sc = undefined;
      }
      if (ntfn.boundTCB !== undefined) {
        ntfn.boundTCB.boundNotification = undefined;
        ntfn.boundTCB = undefined;
      }
      cancelAllSignals(k, ntfn);
      break;
    }
    case "reply": {
      const tcb = cap.object.tcb;
      if (tcb?.state === "BlockedOnReply") {
        replyRemove(k, cap.object, tcb);
      } else if (tcb?.state === "BlockedOnReceive") {
        cancelIPC(k, tcb);
      }
      break;
    }
    case "cnode": {
      // The Zombie a final CNode cap becomes empties the slots from the last to the first (reduceZombie).
      const node = cap.object;
      if (finalising.has(node)) break;
      finalising.add(node);
      for (let i = node.slots.length - 1; i >= 0; i--) deleteSlot(k, { cnode: node, index: i }, finalising);
      finalising.delete(node);
      break;
    }
    case "tcb":
      finaliseThread(k, cap.object);
      break;
    case "sched_context": {
      // schedContext_unbindAllTCBs, _unbindNtfn, _unbindReply, completing a pending YieldTo; then
      // the SC is marked invalid (scRefillMax 0, not sporadic).
      const sc = cap.object;
      if (sc.tcb !== undefined) schedContextUnbindTCB(k, sc);
      schedContextUnbindNtfn(sc);
      schedContextUnbindReply(sc);
      if (sc.yieldFrom !== undefined) completeYieldTo(k, sc.yieldFrom);
      sc.refillMax = 0;
      sc.sporadic = false;
      break;
    }
    case "irq_handler":
      // deletingIRQHandler: the notification the IRQ signalled is deleted with it; deletedIRQHandler:
      // the line is inactive, masked, and may be issued again.
      cap.object.notification = NULL_CAP;
      k.irqs.remove(cap.object.irq);
      k.host.disableIrq(cap.object.irq);
      break;
    case "irq_control":
    case "domain":
    case "untyped":
    case "arch_object":
    case "asid_control":
    case "smc":
    case "null":
      break;
  }
}

/** Arch_finaliseCap for the paging caps: unmap what the cap mapped, or give up the ASIDs it held. */
function archFinaliseCap(k: Kernel, cap: Extract<Cap, { type: "frame" | "page_table" | "vspace" | "asid_pool" }>, final: boolean): void {
  switch (cap.type) {
    case "frame":
      if (cap.mappedAsid !== 0n) unmapPage(k, cap.object.sizeBits, cap.mappedAsid, cap.mappedAddress, cap.object.paddr);
      break;
    case "page_table":
      if (!final || !cap.isMapped) break;
      // On RISC-V the table may be a VSpace root, whose ASID goes with it.
      if (findVSpaceForASID(k, cap.mappedAsid) === cap.object) deleteASID(k, cap.mappedAsid, cap.object);
      else unmapPageTable(k, cap.mappedAsid, cap.mappedAddress, cap.object);
      break;
    case "vspace":
      if (final && cap.isMapped) deleteASID(k, cap.mappedAsid, cap.object);
      break;
    case "asid_pool":
      if (final) deleteASIDPool(k, cap.asidBase, cap.object);
      break;
  }
}

/**
 * The last cap to a thread is gone: unbind its notification and SC, suspend it, and empty the caps
 * it holds (finaliseCap for thread caps; its CSpace root and fault endpoint are TCB fields here,
 * outside the derivation tree, so emptying them deletes nothing further).
 */
function finaliseThread(k: Kernel, tcb: TCB): void {
  const ntfn = tcb.boundNotification;
  if (ntfn !== undefined) {
    ntfn.boundTCB = undefined;
    tcb.boundNotification = undefined;
  }
  const sc = tcb.sc;
  if (sc !== undefined) {
    schedContextUnbindTCB(k, sc);
    if (sc.yieldFrom !== undefined) completeYieldTo(k, sc.yieldFrom);
  }
  suspend(k, tcb);
  k.debugRemove(tcb);
  tcb.cspaceRoot = NULL_CAP;
  tcb.faultHandler = NULL_CAP;
}

// --- lookup for CNode operations ------------------------------------------------------------

export type SlotLookup = { readonly ok: true; readonly slot: Slot } | { readonly ok: false; readonly error: SyscallError };

/**
 * A slot named by (root, index, depth) for a CNode operation (lookupSlotForCNodeOp): the root must
 * be a CNode cap, depth 1..64, and the address must resolve exactly `depth` bits; failures are
 * FailedLookup errors carrying whether the source (or pivot) or the destination failed.
 */
export function lookupSlotForCNodeOp(isSource: boolean, root: Cap, cptr: bigint, depth: bigint): SlotLookup {
  if (root.type !== "cnode") return { ok: false, error: { type: "seL4_FailedLookup", source: isSource, lookup: { type: "InvalidRoot" } } };
  if (depth < 1n || depth > BigInt(WORD_BITS)) return { ok: false, error: { type: "seL4_RangeError", min: 1n, max: BigInt(WORD_BITS) } };
  const r = resolveAddressBits(root, cptr, Number(depth));
  if (!r.ok) return { ok: false, error: { type: "seL4_FailedLookup", source: isSource, lookup: r.fault } };
  if (r.bitsRemaining !== 0) {
    return { ok: false, error: { type: "seL4_FailedLookup", source: isSource, lookup: { type: "DepthMismatch", bitsLeft: r.bitsRemaining, bitsFound: 0 } } };
  }
  return { ok: true, slot: r.slot };
}

export const lookupSourceSlot = (root: Cap, cptr: bigint, depth: bigint): SlotLookup => lookupSlotForCNodeOp(true, root, cptr, depth);
export const lookupTargetSlot = (root: Cap, cptr: bigint, depth: bigint): SlotLookup => lookupSlotForCNodeOp(false, root, cptr, depth);
export const lookupPivotSlot = (root: Cap, cptr: bigint, depth: bigint): SlotLookup => lookupSlotForCNodeOp(true, root, cptr, depth);

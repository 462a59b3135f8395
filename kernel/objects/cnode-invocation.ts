// CNode invocations (seL4 src/object/cnode.c decodeCNodeInvocation, invokeCNode*). Decode checks,
// in seL4's order, the label, the message length, the destination slot, the extra caps, the source
// (and pivot) slot and what the new cap would be; it changes nothing. Perform cannot fail. MCS has
// no CNodeSaveCaller. Argument positions come from marshalling.json.
import {
  hasCancelSendRights, maskCapRights, rightsFromWord, updateCapData, type Cap,
} from "../cap.js";
import {
  cteDelete, cteInsert, cteMove, cteRevoke, cteSwap, deriveSlotCap, ensureEmptySlot, lookupPivotSlot, lookupSourceSlot,
  lookupTargetSlot, sameSlot, slotCap,
} from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import type { Slot } from "./cnode.js";
import { cancelBadgedSends, type Endpoint } from "./endpoint.js";

export type CNodeInvocation =
  /** Copy and Mint: a derived cap into an empty slot, a child of the source in the derivation tree. */
  | { readonly kind: "CNodeInsert"; readonly cap: Cap; readonly src: Slot; readonly dest: Slot }
  /** Move and Mutate: the source cap, perhaps with new data, takes the destination slot. */
  | { readonly kind: "CNodeMove"; readonly cap: Cap; readonly src: Slot; readonly dest: Slot }
  /** src -> pivot and pivot -> dest in one step; with src = dest a swap. */
  | { readonly kind: "CNodeRotate"; readonly srcCap: Cap; readonly pivotCap: Cap; readonly src: Slot; readonly pivot: Slot; readonly dest: Slot }
  | { readonly kind: "CNodeRevoke"; readonly target: Slot }
  | { readonly kind: "CNodeDelete"; readonly target: Slot }
  | { readonly kind: "CNodeCancelBadgedSends"; readonly ep: Endpoint; readonly badge: bigint };

type Decoded = { readonly ok: true; readonly invocation: CNodeInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };

const labelNames = new WeakMap<object, ReadonlyMap<bigint, string>>();

/** The CNode invocation a label number names in this kernel's table, if any. */
function cnodeLabel(k: Kernel, label: bigint): string | undefined {
  let names = labelNames.get(k.abi.labels);
  if (names === undefined) {
    names = new Map(Object.entries(k.abi.labels).filter(([n]) => n.startsWith("CNode")).map(([n, v]) => [BigInt(v), n]));
    labelNames.set(k.abi.labels, names);
  }
  return names.get(label);
}

/** A source (or pivot) slot that resolves but holds nothing: FailedLookup, missing capability. */
const missing = (source: boolean, depth: bigint): SyscallError =>
  ({ type: "seL4_FailedLookup", source, lookup: { type: "MissingCapability", bitsLeft: Number(depth) } });

export function decodeCNodeInvocation(k: Kernel, ctx: InvocationContext, cnodeCap: Cap): Decoded {
  // Every label outside the CNode range is an illegal operation on a CNode cap.
  const label = cnodeLabel(k, ctx.label);
  if (label === undefined) return fail(ILLEGAL);
  const args = new InvocationArgs(k, ctx, label);
  // Every CNode method starts with the target slot's index and depth (named index/depth where
  // there is no source).
  const [indexArg, depthArg] = "index" in args.layout.params ? ["index", "depth"] : ["dest_index", "dest_depth"];
  if (ctx.length < args.lengthFor(depthArg)) return fail(TRUNCATED);
  const target = lookupTargetSlot(cnodeCap, args.word(indexArg), args.word(depthArg));
  if (!target.ok) return target;
  const dest = target.slot;

  switch (label) {
    case "CNodeCopy":
    case "CNodeMint":
    case "CNodeMove":
    case "CNodeMutate": {
      const rootIndex = args.capIndex("src_root");
      const srcRoot = ctx.extraCaps[rootIndex];
      if (ctx.length < args.lengthFor("src_depth") || srcRoot === undefined) return fail(TRUNCATED);
      const occupied = ensureEmptySlot(dest);
      if (occupied !== undefined) return fail(occupied);
      const srcDepth = args.word("src_depth");
      const found = lookupSourceSlot(slotCap(srcRoot), args.word("src_index"), srcDepth);
      if (!found.ok) return found;
      const src = found.slot;
      const srcCap = slotCap(src);
      if (srcCap.type === "null") return fail(missing(true, srcDepth));
      let newCap: Cap;
      switch (label) {
        case "CNodeCopy": {
          if (ctx.length < args.lengthFor("rights")) return fail(TRUNCATED);
          const d = deriveSlotCap(src, maskCapRights(rightsFromWord(k.abi, args.word("rights")), srcCap));
          if (!d.ok) return d;
          newCap = d.cap;
          break;
        }
        case "CNodeMint": {
          if (ctx.length < Math.max(args.lengthFor("rights"), args.lengthFor("badge"))) return fail(TRUNCATED);
          const masked = maskCapRights(rightsFromWord(k.abi, args.word("rights")), srcCap);
          const d = deriveSlotCap(src, updateCapData(k.abi, false, args.word("badge"), masked));
          if (!d.ok) return d;
          newCap = d.cap;
          break;
        }
        case "CNodeMove":
          newCap = srcCap;
          break;
        default: // CNodeMutate
          if (ctx.length < args.lengthFor("badge")) return fail(TRUNCATED);
          newCap = updateCapData(k.abi, true, args.word("badge"), srcCap);
      }
      // A badge on a badged cap, or a guard too long for the CNode, leaves no cap to place.
      if (newCap.type === "null") return fail(ILLEGAL);
      const move = label === "CNodeMove" || label === "CNodeMutate";
      return { ok: true, invocation: { kind: move ? "CNodeMove" : "CNodeInsert", cap: newCap, src, dest } };
    }
    case "CNodeRevoke":
      return { ok: true, invocation: { kind: "CNodeRevoke", target: dest } };
    case "CNodeDelete":
      return { ok: true, invocation: { kind: "CNodeDelete", target: dest } };
    case "CNodeCancelBadgedSends": {
      const cap = slotCap(dest);
      if (!hasCancelSendRights(cap) || cap.type !== "endpoint") return fail(ILLEGAL);
      return { ok: true, invocation: { kind: "CNodeCancelBadgedSends", ep: cap.object, badge: cap.badge } };
    }
    case "CNodeRotate":
      return decodeRotate(k, ctx, args, dest);
    default:
      throw new Error(`CNode invocation ${label} in the label table but not decoded`);
  }
}

/**
 * Rotate: the source cap moves to the pivot slot (re-badged with pivot_badge) and the pivot's cap
 * to the destination (re-badged with dest_badge). Both are Mutates: an endpoint or notification
 * cap cannot take new data this way, so rotating one is an illegal operation, as in seL4.
 */
function decodeRotate(k: Kernel, ctx: InvocationContext, args: InvocationArgs, dest: Slot): Decoded {
  const pivotRoot = ctx.extraCaps[args.capIndex("pivot_root")];
  const srcRoot = ctx.extraCaps[args.capIndex("src_root")];
  if (ctx.length < args.lengthFor("src_depth") || pivotRoot === undefined || srcRoot === undefined) return fail(TRUNCATED);
  const srcDepth = args.word("src_depth");
  const pivotDepth = args.word("pivot_depth");
  const srcFound = lookupSourceSlot(slotCap(srcRoot), args.word("src_index"), srcDepth);
  if (!srcFound.ok) return srcFound;
  const pivotFound = lookupPivotSlot(slotCap(pivotRoot), args.word("pivot_index"), pivotDepth);
  if (!pivotFound.ok) return pivotFound;
  const src = srcFound.slot;
  const pivot = pivotFound.slot;
  if (sameSlot(pivot, src) || sameSlot(pivot, dest)) return fail(ILLEGAL);
  if (!sameSlot(src, dest)) {
    const occupied = ensureEmptySlot(dest);
    if (occupied !== undefined) return fail(occupied);
  }
  if (slotCap(src).type === "null") return fail(missing(true, srcDepth));
  if (slotCap(pivot).type === "null") return fail(missing(false, pivotDepth));
  const srcCap = updateCapData(k.abi, true, args.word("pivot_badge"), slotCap(src));
  const pivotCap = updateCapData(k.abi, true, args.word("dest_badge"), slotCap(pivot));
  if (srcCap.type === "null" || pivotCap.type === "null") return fail(ILLEGAL);
  return { ok: true, invocation: { kind: "CNodeRotate", srcCap, pivotCap, src, pivot, dest } };
}

export function performCNodeInvocation(k: Kernel, inv: CNodeInvocation): void {
  switch (inv.kind) {
    case "CNodeInsert":
      cteInsert(k, inv.cap, inv.src, inv.dest);
      break;
    case "CNodeMove":
      cteMove(inv.cap, inv.src, inv.dest);
      break;
    case "CNodeRotate":
      if (sameSlot(inv.src, inv.dest)) {
        cteSwap(inv.srcCap, inv.src, inv.pivotCap, inv.pivot);
      } else {
        cteMove(inv.pivotCap, inv.pivot, inv.dest);
        cteMove(inv.srcCap, inv.src, inv.pivot);
      }
      break;
    case "CNodeRevoke":
      cteRevoke(k, inv.target);
      break;
    case "CNodeDelete":
      cteDelete(k, inv.target);
      break;
    case "CNodeCancelBadgedSends":
      // A badge of 0 names the unbadged senders, which this invocation leaves alone.
      if (inv.badge !== 0n) cancelBadgedSends(k, inv.ep, inv.badge);
      break;
  }
}

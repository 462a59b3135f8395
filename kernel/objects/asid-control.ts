// The ASID control cap (seL4 decodeARMMMUInvocation / decodeRISCVMMUInvocation, cap_asid_control_cap;
// performASIDControlInvocation): MakePool turns an untyped of exactly seL4_ASIDPoolBits, with no
// children, into the ASID pool of the first free slot of the ASID table. The untyped is used up
// whole: its watermark goes to the end, and the pool cap becomes its child.
import type { Cap } from "../cap.js";
import { cteInsert, ensureEmptySlot, ensureNoChildren, lookupTargetSlot } from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { archLabel, archLabelName, ASIDPool } from "../vspace.js";
import { slotCap, type Slot } from "./cnode.js";
import { objectTypes, recordObjectRegion } from "./untyped.js";

export type ASIDControlInvocation = {
  readonly kind: "ASIDControlMakePool";
  /** The untyped's slot: the pool cap becomes its child. */
  readonly untyped: Slot;
  readonly dest: Slot;
  /** The first ASID of the new pool (its ASID-table index shifted by asidLowBits). */
  readonly asidBase: bigint;
};

type Decoded = { readonly ok: true; readonly invocation: ASIDControlInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });

export function decodeASIDControlInvocation(k: Kernel, ctx: InvocationContext): Decoded {
  if (ctx.label !== archLabel(k, "ASIDControlMakePool")) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, archLabelName(k, "ASIDControlMakePool"));
  const untypedSlot = ctx.extraCaps[args.capIndex("untyped")];
  const rootSlot = ctx.extraCaps[args.capIndex("root")];
  if (ctx.length < args.layout.msgLength || untypedSlot === undefined || rootSlot === undefined) return fail({ type: "seL4_TruncatedMessage" });
  const index = args.word("index");
  const depth = args.word("depth");
  const free = k.asidTable.findIndex((pool) => pool === undefined);
  if (free < 0) return fail({ type: "seL4_DeleteFirst" });
  const untyped = slotCap(untypedSlot);
  const vm = k.abi.vm;
  if (untyped.type !== "untyped" || untyped.object.sizeBits !== vm.asidPoolBits || untyped.object.isDevice) {
    return fail({ type: "seL4_InvalidCapability", cap: 1 });
  }
  const children = ensureNoChildren(untypedSlot);
  if (children !== undefined) return fail(children);
  const dest = lookupTargetSlot(slotCap(rootSlot), index, depth);
  if (!dest.ok) return dest;
  const occupied = ensureEmptySlot(dest.slot);
  if (occupied !== undefined) return fail(occupied);
  return { ok: true, invocation: { kind: "ASIDControlMakePool", untyped: untypedSlot, dest: dest.slot, asidBase: BigInt(free) << BigInt(vm.asidLowBits) } };
}

export function performASIDControlInvocation(k: Kernel, inv: ASIDControlInvocation): void {
  const untyped = slotCap(inv.untyped);
  if (untyped.type !== "untyped") throw new Error("ASIDControlMakePool: the untyped cap left its slot between decode and perform");
  const minBits = BigInt(objectTypes(k.abi).minUntypedBits);
  // MAX_FREE_INDEX: the whole block is used.
  inv.untyped.cnode.slots[inv.untyped.index] = { ...untyped, freeIndex: 1n << (BigInt(untyped.object.sizeBits) - minBits) };
  const pool = new ASIDPool(k.abi.vm.asidLowBits);
  recordObjectRegion(pool, { base: untyped.object.paddr, sizeBits: untyped.object.sizeBits });
  const cap: Cap = { type: "asid_pool", object: pool, asidBase: inv.asidBase };
  cteInsert(k, cap, inv.untyped, inv.dest);
  k.asidTable[Number(inv.asidBase >> BigInt(k.abi.vm.asidLowBits))] = pool;
}

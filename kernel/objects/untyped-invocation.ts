// Untyped invocations (seL4 src/object/untyped.c decodeUntypedInvocation, invokeUntyped_Retype;
// src/object/objecttype.c createObject, createNewObjects). Decode checks, in seL4's order, the label,
// the message, the object type and size, the destination CNode and window, the empty slots, the
// memory left and device memory; it changes nothing. Perform cannot fail: it moves the watermark,
// makes the objects and inserts their caps as children of the untyped.
//
// The watermark (capFreeIndex) counts 2^seL4_MinUntypedBits-byte units from the start of the block.
// An untyped with no children starts again from its base (the kernel resets it, clearing RAM); one
// with children allocates from its watermark, each object aligned to its own size.
import { ALL_RIGHTS, type Cap } from "../cap.js";
import { ensureEmptySlot, ensureNoChildren, insertNewCap, lookupTargetSlot, slotCap } from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { CNode, type Slot } from "./cnode.js";
import { Endpoint } from "./endpoint.js";
import { Frame } from "./frame.js";
import { Notification } from "./notification.js";
import { Reply } from "./reply.js";
import { SchedContext } from "./schedcontext.js";
import { TCB } from "./tcb.js";
import { ArchObject, Untyped, getObjectSize, objectTypes, recordObjectRegion, type ObjectType } from "./untyped.js";
import { PageTable } from "../vspace.js";

export type UntypedCap = Extract<Cap, { readonly type: "untyped" }>;

export type UntypedInvocation = {
  readonly kind: "UntypedRetype";
  /** The invoked untyped cap's slot: the new caps become its children. */
  readonly slot: Slot;
  /** No children: the watermark goes back to the base first (resetUntypedCap). */
  readonly reset: boolean;
  /** Where the first object goes: the free region's start aligned up to the object size. */
  readonly retypeBase: bigint;
  readonly type: ObjectType;
  readonly userSize: number;
  /** log2 of each object's bytes (getObjectSize). */
  readonly objectSize: number;
  readonly dest: CNode;
  readonly offset: number;
  readonly count: number;
  readonly isDevice: boolean;
  /** The invoking thread's name: a new TCB is named "child of: '<name>'" in the debug kernel. */
  readonly creator: string;
};

type Decoded = { readonly ok: true; readonly invocation: UntypedInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const invalidArgument = (argument: number): Decoded => fail({ type: "seL4_InvalidArgument", argument });
const rangeError = (min: bigint, max: bigint): Decoded => fail({ type: "seL4_RangeError", min, max });

/** seL4 wordBits: a size of this many bits or more is rejected before anything else. */
const WORD_BITS = 64n;

/** (value + 2^bits - 1) rounded down to a multiple of 2^bits (alignUp). */
const alignUp = (value: bigint, bits: bigint): bigint => (value + (1n << bits) - 1n) & ~((1n << bits) - 1n);

export function decodeUntypedInvocation(k: Kernel, ctx: InvocationContext, cap: UntypedCap, slot: Slot): Decoded {
  if (ctx.label !== BigInt(k.abi.labels["UntypedRetype"] ?? -1)) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, "UntypedRetype");
  const rootSlot = ctx.extraCaps[args.capIndex("root")];
  if (ctx.length < args.layout.msgLength || rootSlot === undefined) return fail({ type: "seL4_TruncatedMessage" });
  const types = objectTypes(k.abi);
  const newType = args.word("type");
  const userObjSize = args.word("size_bits");
  const nodeIndex = args.word("node_index");
  const nodeDepth = args.word("node_depth");
  const nodeOffset = args.word("node_offset");
  const nodeWindow = args.word("num_objects");

  const type = types.byId.get(newType);
  if (newType >= types.count || type === undefined) return invalidArgument(0);
  const objectSize = getObjectSize(types, type, userObjSize);
  // A size word of 64 or more is nonsense for every type, even those of fixed size.
  if (userObjSize >= WORD_BITS || objectSize > BigInt(types.maxUntypedBits)) return rangeError(0n, BigInt(types.maxUntypedBits));
  if (type.kind === "cnode" && userObjSize === 0n) return invalidArgument(1);
  if (type.kind === "untyped" && userObjSize < BigInt(types.minUntypedBits)) return invalidArgument(1);
  if (type.kind === "sched_context" && userObjSize < BigInt(types.minSchedContextBits)) return invalidArgument(1);

  // The destination CNode: the root itself at depth 0, else the cap at (node_index, node_depth) in it.
  let nodeCap: Cap;
  if (nodeDepth === 0n) {
    nodeCap = slotCap(rootSlot);
  } else {
    const found = lookupTargetSlot(slotCap(rootSlot), nodeIndex, nodeDepth);
    if (!found.ok) return found;
    nodeCap = slotCap(found.slot);
  }
  if (nodeCap.type !== "cnode") {
    return fail({ type: "seL4_FailedLookup", source: false, lookup: { type: "MissingCapability", bitsLeft: Number(nodeDepth) } });
  }

  const nodeSize = 1n << BigInt(nodeCap.object.radix);
  if (nodeOffset > nodeSize - 1n) return rangeError(0n, nodeSize - 1n);
  if (nodeWindow < 1n || nodeWindow > types.fanOutLimit) return rangeError(1n, types.fanOutLimit);
  if (nodeWindow > nodeSize - nodeOffset) return rangeError(1n, nodeSize - nodeOffset);
  const dest = nodeCap.object;
  const offset = Number(nodeOffset);
  const count = Number(nodeWindow);
  for (let i = offset; i < offset + count; i++) {
    const occupied = ensureEmptySlot({ cnode: dest, index: i });
    if (occupied !== undefined) return fail(occupied);
  }

  // With children the untyped allocates from its watermark; without, from its base again.
  const hasChildren = ensureNoChildren(slot) !== undefined;
  const freeIndex = hasChildren ? cap.freeIndex : 0n;
  const usedBytes = freeIndex << BigInt(types.minUntypedBits);
  const freeRef = cap.object.paddr + usedBytes;
  // Alignment needs no room of its own here: the block is aligned to its size, so whatever fits
  // after the watermark also fits after the watermark aligned up.
  const untypedFreeBytes = (1n << BigInt(cap.object.sizeBits)) - usedBytes;
  if (untypedFreeBytes >> objectSize < nodeWindow) return fail({ type: "seL4_NotEnoughMemory", memoryLeft: untypedFreeBytes });

  if (cap.object.isDevice && !type.isFrame && type.kind !== "untyped") return invalidArgument(1);

  return {
    ok: true,
    invocation: {
      kind: "UntypedRetype", slot, reset: !hasChildren, retypeBase: alignUp(freeRef, objectSize), type,
      userSize: Number(userObjSize), objectSize: Number(objectSize), dest, offset, count,
      isDevice: cap.object.isDevice, creator: ctx.thread.name,
    },
  };
}

export function performUntypedInvocation(k: Kernel, inv: UntypedInvocation): void {
  const cap = slotCap(inv.slot);
  if (cap.type !== "untyped") throw new Error("UntypedRetype: the untyped cap left its slot between decode and perform");
  const types = objectTypes(k.abi);
  // resetUntypedCap: what the old children used is cleared (device memory is left as it is), so
  // every new object, frames included, starts zeroed.
  const used = cap.freeIndex << BigInt(types.minUntypedBits);
  if (inv.reset && !inv.isDevice && used > 0n) k.host.vspace?.zero(cap.object.paddr, used);
  const freeRef = inv.retypeBase + (BigInt(inv.count) << BigInt(inv.objectSize));
  inv.slot.cnode.slots[inv.slot.index] = { ...cap, freeIndex: (freeRef - cap.object.paddr) >> BigInt(types.minUntypedBits) };
  // createNewObjects: object i at retypeBase + i * 2^objectSize, its cap after the untyped's.
  for (let i = 0; i < inv.count; i++) {
    const base = inv.retypeBase + (BigInt(i) << BigInt(inv.objectSize));
    const newCap = createObject(k, inv.type, base, inv.userSize, inv.objectSize, inv.isDevice, inv.creator);
    insertNewCap(inv.slot, { cnode: inv.dest, index: inv.offset + i }, newCap);
  }
}

/**
 * A new object of type `t` at `base` and the original cap to it (createObject, Arch_createObject):
 * every object in its initial state (frames read-write and unmapped, tables empty and unmapped); a
 * VCPU as a placeholder.
 */
export function createObject(k: Kernel, t: ObjectType, base: bigint, userSize: number, objectSize: number, isDevice: boolean, creator: string): Cap {
  const placed = <T extends object>(object: T): T => {
    recordObjectRegion(object, { base, sizeBits: objectSize });
    return object;
  };
  switch (t.kind) {
    case "untyped":
      return { type: "untyped", object: new Untyped(base, userSize, isDevice), freeIndex: 0n };
    case "tcb": {
      // Inactive, priority and MCP 0, registers zero; the debug kernel names it after its creator
      // and adds it to its list of threads.
      const tcb = placed(new TCB(`child of: '${creator}'`, k.abi.userContext.length));
      k.debugAppend(tcb);
      return { type: "tcb", object: tcb };
    }
    case "endpoint":
      return { type: "endpoint", object: placed(new Endpoint()), badge: 0n, rights: ALL_RIGHTS };
    case "notification":
      return { type: "notification", object: placed(new Notification()), badge: 0n, rights: ALL_RIGHTS };
    case "cnode":
      return { type: "cnode", object: placed(new CNode(userSize)), guard: 0n, guardSize: 0 };
    case "sched_context":
      // Unconfigured (no budget) until SchedControlConfigureFlags; capSCSizeBits is the size asked for.
      return { type: "sched_context", object: placed(new SchedContext(0n, 0n, 0n, userSize)) };
    case "reply":
      return { type: "reply", object: placed(new Reply()), canGrant: true };
    case "frame":
      return { type: "frame", object: new Frame(base, objectSize, isDevice), rights: "ReadWrite", mappedAsid: 0n, mappedAddress: 0n };
    case "page_table":
      return { type: "page_table", object: placed(new PageTable(k.abi.vm.ptIndexBits)), isMapped: false, mappedAsid: 0n, mappedAddress: 0n };
    case "vspace":
      return { type: "vspace", object: placed(new PageTable(k.abi.vm.rootIndexBits)), isMapped: false, mappedAsid: 0n };
    case "vcpu":
      return { type: "arch_object", object: new ArchObject(t.name, t.kind, base, objectSize, isDevice) };
  }
}

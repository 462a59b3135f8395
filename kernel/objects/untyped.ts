// Untyped memory and the object types it can become (seL4 src/object/untyped.c, include/object/untyped.h,
// src/object/objecttype.c getObjectSize, src/arch/{arm/64,riscv}/object/objecttype.c Arch_getObjectSize,
// Arch_isFrameType). Type ids and sizes come from the ABI tables (`objects` of <arch>.json); this file
// only says which size constant each type uses. Decode and perform of UntypedRetype are in
// untyped-invocation.ts.
//
// seL4 keeps an object's address in its cap (capEPPtr, capTCBPtr, ...); sameRegionAs compares those
// addresses to find what was carved from an untyped. The model's caps point at objects, so the address
// and size each Retype gave an object are recorded beside it (objectRegion). An object the system
// builder made has no address: it lies in no untyped.
import { abiFacts, type KernelAbi } from "../abi.js";
import type { Cap } from "../cap.js";

/**
 * A block of 2^sizeBits bytes of physical memory at `paddr` (untyped_cap capPtr, capBlockSize,
 * capIsDevice). How much of it is used is the cap's business (capFreeIndex), as in seL4: copies of an
 * untyped cap each keep their own watermark.
 */
export class Untyped {
  constructor(
    readonly paddr: bigint,
    readonly sizeBits: number,
    /** Device memory: only frames and untypeds may be made from it, and it is never cleared. */
    readonly isDevice: boolean,
  ) {}
}

/** The seL4 cap of an architecture object Retype makes without modelling it: vcpu_cap. */
export type ArchCapType = "vcpu";

/**
 * A VCPU made by Retype. The model gives it no behaviour (a VCPU needs the board's VGIC facts, which
 * the kernel model does not have); the cap records what seL4's would: the object type, where it lives
 * and how big it is.
 */
export class ArchObject {
  constructor(
    /** The seL4 object type name (seL4_ARM_SmallPageObject, seL4_RISCV_PageTableObject, ...). */
    readonly objectType: string,
    readonly capType: ArchCapType,
    readonly paddr: bigint,
    readonly sizeBits: number,
    /** A frame made from device memory (capFIsDevice). */
    readonly isDevice: boolean,
  ) {}
}

/** What an object of each type becomes in the model. */
export type ObjectKind = "untyped" | "tcb" | "endpoint" | "notification" | "cnode" | "sched_context" | "reply" | "frame" | "page_table" | "vspace" | ArchCapType;

/**
 * How big an object of a type is (getObjectSize): a fixed seL4_*Bits constant, the caller's size
 * (untyped, scheduling context), or 2^size slots of 2^seL4_SlotBits bytes (CNode).
 */
type SizeRule = { readonly bits: string } | "user" | "slots";

interface TypeRule {
  readonly kind: ObjectKind;
  readonly size: SizeRule;
}

/**
 * Every object type of the two architectures, by its libsel4 name. The size constants are the ones
 * getObjectSize and Arch_getObjectSize return (RISC-V sizes a page table by seL4_PageBits).
 */
const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  seL4_UntypedObject: { kind: "untyped", size: "user" },
  seL4_TCBObject: { kind: "tcb", size: { bits: "seL4_TCBBits" } },
  seL4_EndpointObject: { kind: "endpoint", size: { bits: "seL4_EndpointBits" } },
  seL4_NotificationObject: { kind: "notification", size: { bits: "seL4_NotificationBits" } },
  seL4_CapTableObject: { kind: "cnode", size: "slots" },
  seL4_SchedContextObject: { kind: "sched_context", size: "user" },
  seL4_ReplyObject: { kind: "reply", size: { bits: "seL4_ReplyBits" } },
  seL4_ARM_SmallPageObject: { kind: "frame", size: { bits: "seL4_PageBits" } },
  seL4_ARM_LargePageObject: { kind: "frame", size: { bits: "seL4_LargePageBits" } },
  seL4_ARM_HugePageObject: { kind: "frame", size: { bits: "seL4_HugePageBits" } },
  seL4_ARM_PageTableObject: { kind: "page_table", size: { bits: "seL4_PageTableBits" } },
  seL4_ARM_VSpaceObject: { kind: "vspace", size: { bits: "seL4_VSpaceBits" } },
  seL4_ARM_VCPUObject: { kind: "vcpu", size: { bits: "seL4_VCPUBits" } },
  seL4_RISCV_4K_Page: { kind: "frame", size: { bits: "seL4_PageBits" } },
  seL4_RISCV_Mega_Page: { kind: "frame", size: { bits: "seL4_LargePageBits" } },
  seL4_RISCV_Giga_Page: { kind: "frame", size: { bits: "seL4_HugePageBits" } },
  seL4_RISCV_PageTableObject: { kind: "page_table", size: { bits: "seL4_PageBits" } },
};

export interface ObjectType {
  readonly id: bigint;
  readonly name: string;
  readonly kind: ObjectKind;
  /** The size of every object of the type, or undefined when the caller chooses it. */
  readonly fixedBits: number | undefined;
  /** Arch_isFrameType: may be made from device memory. */
  readonly isFrame: boolean;
}

/** The object types and size limits of one kernel configuration. */
export interface ObjectTypes {
  readonly byId: ReadonlyMap<bigint, ObjectType>;
  readonly byName: ReadonlyMap<string, ObjectType>;
  /** seL4_ObjectTypeCount: ids at or above it are invalid. */
  readonly count: bigint;
  readonly slotBits: number;
  readonly minUntypedBits: number;
  readonly maxUntypedBits: number;
  readonly minSchedContextBits: number;
  /** CONFIG_RETYPE_FAN_OUT_LIMIT: the most objects one Retype makes. */
  readonly fanOutLimit: bigint;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const typesCache = new WeakMap<KernelAbi, ObjectTypes>();

/** The object types of the kernel `abi` describes (<arch>.json `objects`, sizes for its config). */
export function objectTypes(abi: KernelAbi): ObjectTypes {
  const known = typesCache.get(abi);
  if (known !== undefined) return known;
  const objects = abiFacts(abi)["objects"] as Json;
  const bits = abi.objectBits;
  const size = (name: string): number => {
    const v = bits[name];
    if (v === undefined) throw new Error(`${abi.factsFile} objects.size_bits has no ${name}`);
    return v;
  };
  const byId = new Map<bigint, ObjectType>();
  const byName = new Map<string, ObjectType>();
  let count: bigint | undefined;
  for (const [name, id] of Object.entries(objects["type_ids"] as Record<string, number>)) {
    if (name === "seL4_ObjectTypeCount") count = BigInt(id);
    if (name.endsWith("Count")) continue; // seL4_NonArchObjectTypeCount, seL4_ModeObjectTypeCount: markers
    const rule = TYPE_RULES[name];
    if (rule === undefined) throw new Error(`${abi.factsFile} names object type ${name}, which the model has no size rule for`);
    const t: ObjectType = {
      id: BigInt(id), name, kind: rule.kind,
      fixedBits: typeof rule.size === "object" ? size(rule.size.bits) : undefined,
      isFrame: rule.kind === "frame",
    };
    byId.set(t.id, t);
    byName.set(name, t);
  }
  if (count === undefined) throw new Error(`${abi.factsFile} objects.type_ids has no seL4_ObjectTypeCount`);
  for (let id = 0n; id < count; id++) if (!byId.has(id)) throw new Error(`${abi.factsFile} has no object type with id ${id}`);
  const fanOut = abi.kernelConfig["RETYPE_FAN_OUT_LIMIT"];
  const types: ObjectTypes = {
    byId, byName, count,
    slotBits: size("seL4_SlotBits"),
    minUntypedBits: size("seL4_MinUntypedBits"),
    maxUntypedBits: size("seL4_MaxUntypedBits"),
    minSchedContextBits: size("seL4_MinSchedContextBits"),
    fanOutLimit: BigInt(fanOut as string),
  };
  typesCache.set(abi, types);
  return types;
}

/**
 * log2 of the bytes an object of type `t` takes (getObjectSize): the fixed size, the caller's size,
 * or for a CNode seL4_SlotBits plus the radix. Computed on words as the kernel does; the caller
 * checks the result against seL4_MaxUntypedBits.
 */
export function getObjectSize(types: ObjectTypes, t: ObjectType, userObjSize: bigint): bigint {
  if (t.fixedBits !== undefined) return BigInt(t.fixedBits);
  return t.kind === "cnode" ? BigInt(types.slotBits) + userObjSize : userObjSize;
}

// --- where objects live ---------------------------------------------------------------------

/** A naturally aligned block of physical memory: 2^sizeBits bytes at base. */
export interface Region {
  readonly base: bigint;
  readonly sizeBits: number;
}

const placement = new WeakMap<object, Region>();

/** Records where Retype put a kernel object (its capPtr and capSizeBits in seL4). */
export function recordObjectRegion(object: object, region: Region): void {
  placement.set(object, region);
}

/** Where Retype (or boot) put an object, if it did. */
export function objectRegion(object: object): Region | undefined {
  return placement.get(object);
}

/**
 * The memory a cap's object occupies (cap_get_capIsPhysical, cap_get_capPtr, cap_get_capSizeBits),
 * or undefined for a cap to no memory (null, IRQ, SchedControl) or to an object no Retype made.
 */
export function capRegion(cap: Cap): Region | undefined {
  switch (cap.type) {
    case "untyped":
    case "arch_object":
    case "frame":
      return { base: cap.object.paddr, sizeBits: cap.object.sizeBits };
    case "endpoint":
    case "notification":
    case "reply":
    case "cnode":
    case "tcb":
    case "sched_context":
    case "page_table":
    case "vspace":
    case "asid_pool":
      return placement.get(cap.object);
    default:
      return undefined;
  }
}

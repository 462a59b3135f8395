// Capabilities: what a CNode slot holds. Field names follow seL4's cap types (structures_64.bf).
import type { BitField, KernelAbi } from "./abi.js";
import type { SyscallError } from "./errors.js";
import type { CNode } from "./objects/cnode.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { IRQHandler } from "./objects/interrupt.js";
import type { Notification } from "./objects/notification.js";
import type { Reply } from "./objects/reply.js";
import type { SchedContext } from "./objects/schedcontext.js";
import type { SchedControl } from "./objects/schedcontrol.js";
import type { TCB } from "./objects/tcb.js";
import type { VCPU } from "./objects/vcpu.js";
import type { Frame } from "./objects/frame.js";
import { capRegion, type ArchCapType, type ArchObject, type Untyped } from "./objects/untyped.js";
import { maskVMRights, type ASIDPool, type PageTable, type VMRights } from "./vspace.js";

export interface CapRights {
  readonly write: boolean;
  readonly read: boolean;
  readonly grant: boolean;
  readonly grantReply: boolean;
}

export const ALL_RIGHTS: CapRights = Object.freeze({ write: true, read: true, grant: true, grantReply: true });

export type Cap =
  | { readonly type: "null" }
  | { readonly type: "endpoint"; readonly object: Endpoint; readonly badge: bigint; readonly rights: CapRights }
  | { readonly type: "notification"; readonly object: Notification; readonly badge: bigint; readonly rights: CapRights }
  | { readonly type: "reply"; readonly object: Reply; readonly canGrant: boolean }
  | { readonly type: "cnode"; readonly object: CNode; readonly guard: bigint; readonly guardSize: number }
  | { readonly type: "tcb"; readonly object: TCB }
  | { readonly type: "sched_context"; readonly object: SchedContext }
  /** The right to configure scheduling contexts of one core (MCS sched_control_cap). */
  | { readonly type: "sched_control"; readonly object: SchedControl }
  | { readonly type: "irq_handler"; readonly object: IRQHandler }
  /** The right to take interrupt lines (irq_control_cap). */
  | { readonly type: "irq_control" }
  /** The right to move threads between scheduling domains and set the domain schedule (domain_cap). */
  | { readonly type: "domain" }
  /** An ARM hypervisor virtual CPU (vcpu_cap). */
  | { readonly type: "vcpu"; readonly object: VCPU }
  /**
   * A frame (frame_cap). Each cap records the one mapping made through it: mappedAsid 0 (asidInvalid)
   * means none; the rights are the most any mapping through it may have (capFVMRights).
   */
  | { readonly type: "frame"; readonly object: Frame; readonly rights: VMRights; readonly mappedAsid: bigint; readonly mappedAddress: bigint }
  /** A page table below the root (page_table_cap); on RISC-V also a VSpace root, mapped at address 0. */
  | { readonly type: "page_table"; readonly object: PageTable; readonly isMapped: boolean; readonly mappedAsid: bigint; readonly mappedAddress: bigint }
  /** An AArch64 VSpace root (vspace_cap); mapped once an ASID pool has given it an ASID. */
  | { readonly type: "vspace"; readonly object: PageTable; readonly isMapped: boolean; readonly mappedAsid: bigint }
  /** The right to make ASID pools (asid_control_cap). */
  | { readonly type: "asid_control" }
  /** An ASID pool of 2^asidLowBits ASIDs from asidBase (asid_pool_cap). */
  | { readonly type: "asid_pool"; readonly object: ASIDPool; readonly asidBase: bigint }
  /** The right to make SMC calls to the secure firmware (AArch64 smc_cap); a badge restricts it to one function id. */
  | { readonly type: "smc"; readonly badge: bigint }
  /** Untyped memory (untyped_cap); freeIndex is capFreeIndex, in units of 2^seL4_MinUntypedBits bytes. */
  | { readonly type: "untyped"; readonly object: Untyped; readonly freeIndex: bigint }
  /** A VCPU made by Retype: not modelled beyond type, address and size (no VGIC platform here). */
  | { readonly type: "arch_object"; readonly object: ArchObject };

export type CapType = Cap["type"];

export const NULL_CAP: Cap = Object.freeze({ type: "null" });

// --- cap arithmetic (seL4 src/object/objecttype.c) -------------------------------------------
// Pure functions of cap values: what deriving, masking and re-badging make of a cap, and which
// caps name the same object. The derivation tree that uses them is kernel/cspace.ts.

/** The word a seL4_CapRights_t is passed as, read with the ABI's bit layout (rightsFromWord). */
export function rightsFromWord(abi: KernelAbi, word: bigint): CapRights {
  const bit = (f: BitField): boolean => ((word >> BigInt(f.offset)) & 1n) === 1n;
  const r = abi.capRights;
  return { write: bit(r.capAllowWrite), read: bit(r.capAllowRead), grant: bit(r.capAllowGrant), grantReply: bit(r.capAllowGrantReply) };
}

/**
 * Rights can only be removed (maskCapRights): notifications keep grant bits they do not use; a reply
 * keeps only grant; a frame's mapping rights are masked as a mapping's are (Arch_maskCapRights).
 */
export function maskCapRights(r: CapRights, cap: Cap): Cap {
  switch (cap.type) {
    case "endpoint":
      return { ...cap, rights: { write: cap.rights.write && r.write, read: cap.rights.read && r.read, grant: cap.rights.grant && r.grant, grantReply: cap.rights.grantReply && r.grantReply } };
    case "notification":
      return { ...cap, rights: { ...cap.rights, write: cap.rights.write && r.write, read: cap.rights.read && r.read } };
    case "reply":
      return { ...cap, canGrant: cap.canGrant && r.grant };
    case "frame":
      return { ...cap, rights: maskVMRights(cap.rights, r) };
    default:
      return cap;
  }
}

/**
 * A cap with new badge or guard data (updateCapData). An endpoint or notification takes a badge only
 * when unbadged and not `preserve` (Mint); otherwise the result is the null cap, which the caller
 * reports as IllegalOperation. A CNode cap takes guard and guard size from the word unless they
 * would resolve more than a word's bits. Other caps are unchanged.
 */
export function updateCapData(abi: KernelAbi, preserve: boolean, data: bigint, cap: Cap): Cap {
  switch (cap.type) {
    case "endpoint":
    case "notification":
    case "smc":
      return !preserve && cap.badge === 0n ? { ...cap, badge: BigInt.asUintN(64, data) } : NULL_CAP;
    case "cnode": {
      const f = abi.cnodeCapData;
      const field = (b: BitField): bigint => (data >> BigInt(b.offset)) & ((1n << BigInt(b.width)) - 1n);
      const guardSize = Number(field(f.guardSize));
      if (guardSize + cap.object.radix > WORD_BITS) return NULL_CAP;
      const guard = field(f.guard) & ((1n << BigInt(guardSize)) - 1n);
      return { ...cap, guard, guardSize };
    }
    default:
      return cap;
  }
}

export type Derived = { readonly ok: true; readonly cap: Cap } | { readonly ok: false; readonly error: SyscallError };

/**
 * The cap a copy or transfer may place (deriveCap, Arch_deriveCap): a frame cap's copy has no
 * mapping; a page table or VSpace cap may be copied only while mapped (IllegalOperation). Every
 * other cap modelled derives to itself (the MCS reply cap included), except IRQControl, which derives
 * to null; seL4's other exception, the zombie, is not modelled. An untyped with children fails with
 * RevokeFirst: that needs the derivation tree, so callers use deriveSlotCap (kernel/cspace.ts),
 * which checks it first.
 */
export function deriveCap(cap: Cap): Derived {
  switch (cap.type) {
    case "frame":
      // AArch64 keeps capFMappedAddress, RISC-V zeroes it; with no ASID neither is ever read.
      return { ok: true, cap: { ...cap, mappedAsid: 0n, mappedAddress: 0n } };
    case "page_table":
    case "vspace":
      return cap.isMapped ? { ok: true, cap } : { ok: false, error: { type: "seL4_IllegalOperation" } };
    case "irq_control":
      // There is one IRQ control cap; a copy attempt places nothing.
      return { ok: true, cap: NULL_CAP };
    default:
      return { ok: true, cap };
  }
}

/** Both caps cover the same object or region (sameRegionAs). */
export function sameRegionAs(a: Cap, b: Cap): boolean {
  switch (a.type) {
    case "null":
      return false;
    case "smc":
      // Every SMC cap covers the whole firmware interface (Arch_sameRegionAs).
      return b.type === "smc";
    case "irq_handler":
      return b.type === "irq_handler" && a.object.irq === b.object.irq;
    case "irq_control":
      // Every handler was issued from it.
      return b.type === "irq_control" || b.type === "irq_handler";
    case "cnode":
      return b.type === "cnode" && a.object === b.object && a.object.radix === b.object.radix;
    case "frame": {
      // Arch_sameRegionAs: b's frame lies within a's.
      if (b.type !== "frame") return false;
      const aTop = a.object.paddr + (1n << BigInt(a.object.sizeBits)) - 1n;
      const bTop = b.object.paddr + (1n << BigInt(b.object.sizeBits)) - 1n;
      return a.object.paddr <= b.object.paddr && aTop >= bTop && b.object.paddr <= bTop;
    }
    case "asid_control":
      return b.type === "asid_control";
    case "untyped": {
      // Every cap to memory inside the untyped's block, the untyped caps carved from it included.
      const r = capRegion(b);
      if (r === undefined) return false;
      const aBase = a.object.paddr;
      const aTop = aBase + (1n << BigInt(a.object.sizeBits)) - 1n;
      const bTop = r.base + (1n << BigInt(r.sizeBits)) - 1n;
      return aBase <= r.base && bTop <= aTop && r.base <= bTop;
    }
    case "domain":
      return b.type === "domain";
    default:
      return a.type === b.type && a.object === (b as typeof a).object;
  }
}

/**
 * Both caps name the same object (sameObjectAs): sameRegionAs, except that an untyped is no object
 * and two frame caps must agree on base, size and device memory (Arch_sameObjectAs).
 */
export function sameObjectAs(a: Cap, b: Cap): boolean {
  if (a.type === "untyped") return false;
  if (a.type === "irq_control" && b.type === "irq_handler") return false;
  if (a.type === "frame" && b.type === "frame") {
    return a.object.paddr === b.object.paddr && a.object.sizeBits === b.object.sizeBits && a.object.isDevice === b.object.isDevice;
  }
  return sameRegionAs(a, b);
}

/**
 * A derived cap that is the first with its badge may revoke the caps copied from it, and so may every
 * copy of an untyped cap and a handler issued from IRQ control (isCapRevocable).
 */
export function isCapRevocable(derived: Cap, src: Cap): boolean {
  switch (derived.type) {
    case "untyped":
      return true;
    case "irq_handler":
      return src.type === "irq_control";
    case "endpoint":
    case "notification":
    case "smc":
      return derived.badge !== (src as typeof derived).badge;
    default:
      return false;
  }
}

/** Only an endpoint cap with all four rights may cancel badged sends (hasCancelSendRights). */
export function hasCancelSendRights(cap: Cap): boolean {
  return cap.type === "endpoint" && cap.rights.write && cap.rights.read && cap.rights.grant && cap.rights.grantReply;
}

/** seL4 wordBits: the most bits a CSpace address resolves. */
export const WORD_BITS = 64;

// --- type tags (seL4_DebugCapIdentify, DebugSnapshot) -----------------------------------------

/**
 * The capType tag of each cap (seL4 include/arch/arm/arch/64/mode/object/structures.bf and
 * include/arch/riscv/arch/64/mode/object/structures.bf, `tagged_union cap capType`); the arch caps
 * share their tags on both (RISC-V has no vspace_cap: its VSpace root is a page_table_cap).
 */
const CAP_TYPE_TAGS: Readonly<Record<Exclude<CapType, "arch_object" | "vcpu" | "smc">, bigint>> = {
  null: 0n, untyped: 2n, endpoint: 4n, notification: 6n, reply: 8n, cnode: 10n, tcb: 12n, irq_control: 14n, irq_handler: 16n, domain: 20n, sched_context: 22n,
  sched_control: 24n, frame: 1n, page_table: 3n, vspace: 9n, asid_control: 11n, asid_pool: 13n,
};

/** The same tags for the architecture objects Retype makes but the model does not give behaviour. */
const ARCH_CAP_TYPE_TAGS: Readonly<Record<ArchCapType, bigint>> = { vcpu: 15n };

/** smc_cap's tag (AArch64 only, with ALLOW_SMC_CALLS; include/arch/arm/arch/64/mode/object/structures.bf). */
const SMC_CAP_TAG = 25n;

/** The capType tag of a cap's seL4 representation. */
export function capTypeTag(cap: Cap): bigint {
  if (cap.type === "arch_object") return ARCH_CAP_TYPE_TAGS[cap.object.capType];
  if (cap.type === "vcpu") return ARCH_CAP_TYPE_TAGS.vcpu;
  if (cap.type === "smc") return SMC_CAP_TAG;
  return CAP_TYPE_TAGS[cap.type];
}

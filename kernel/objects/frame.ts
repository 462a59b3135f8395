// Frames and their invocations (seL4 src/arch/arm/64/kernel/vspace.c decodeARMFrameInvocation,
// src/arch/riscv/kernel/vspace.c decodeRISCVFrameInvocation): Map (a first mapping, or a remap of the
// same cap at the same address with new rights and attributes), Unmap, GetAddress, and on AArch64
// the four cache-maintenance calls, which are checked as seL4 checks them and then do nothing (the
// emulated machine has no caches). Decode checks in seL4's order and changes nothing.
import { rightsFromWord, type Cap } from "../cap.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import { replyFromKernel } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import {
  archLabel, archLabelName, findVSpaceForASID, isValidVTableRoot, lookupPTSlot, maskVMRights, PageTable, unmapPage, vmAttributes, vspaceRootOf, writeLeaf,
  type Leaf,
} from "../vspace.js";
import { slotCap, type Slot } from "./cnode.js";
import type { TCB } from "./tcb.js";

/** 2^sizeBits bytes of physical memory at paddr (the object behind a frame_cap). */
export class Frame {
  constructor(
    readonly paddr: bigint,
    /** seL4_PageBits, seL4_LargePageBits or seL4_HugePageBits (pageBitsForSize(capFSize)). */
    readonly sizeBits: number,
    /** Made from device memory (capFIsDevice): never cleared, no IPC buffer. */
    readonly isDevice: boolean,
  ) {}
}

export type FrameCap = Extract<Cap, { readonly type: "frame" }>;

export type FrameInvocation =
  /** The cap in `slot` becomes `cap` (mapping recorded) and the slot of the VSpace gets `leaf` (or is invalidated). */
  | { readonly kind: "PageMap"; readonly slot: Slot; readonly cap: FrameCap; readonly table: PageTable; readonly index: number; readonly leaf: Leaf | undefined }
  | { readonly kind: "PageUnmap"; readonly slot: Slot }
  /** A cache-maintenance call that passed its checks: nothing to do. */
  | { readonly kind: "PageFlush" }
  | { readonly kind: "PageGetAddress"; readonly paddr: bigint; readonly caller: TCB; readonly call: boolean };

type Decoded = { readonly ok: true; readonly invocation: FrameInvocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: FrameInvocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };
const invalidCap = (cap: number): Decoded => fail({ type: "seL4_InvalidCapability", cap });
const invalidArg = (argument: number): Decoded => fail({ type: "seL4_InvalidArgument", argument });
/** findVSpaceForASID failed: the lookup fault it leaves is InvalidRoot. */
const NO_VSPACE: SyscallError = { type: "seL4_FailedLookup", source: false, lookup: { type: "InvalidRoot" } };

const FLUSHES = ["PageClean_Data", "PageInvalidate_Data", "PageCleanInvalidate_Data", "PageUnify_Instruction"] as const;

/**
 * The top of the AArch64 hypervisor kernel's physical memory window (PADDR_TOP = PPTR_TOP - PPTR_BASE
 * + PADDR_BASE = (2^40 - 2^30) - (2^40 - 2^39) + 0, seL4 include/arch/arm/arch/64/mode/hardware.h):
 * page flushes there go through the window, so they may not reach past it. Not in ../shared/abi.
 */
const ARM_HYP_PADDR_TOP = (1n << 39n) - (1n << 30n);

export function decodeFrameInvocation(k: Kernel, ctx: InvocationContext, cap: FrameCap): Decoded {
  const label = ctx.label;
  if (label === archLabel(k, "PageMap")) return decodePageMap(k, ctx, cap);
  if (label === archLabel(k, "PageUnmap")) return ok({ kind: "PageUnmap", slot: ctx.slot });
  if (label === archLabel(k, "PageGetAddress")) return ok({ kind: "PageGetAddress", paddr: cap.object.paddr, caller: ctx.thread, call: ctx.isCall });
  if (k.abi.arch === "aarch64") {
    const flush = FLUSHES.find((f) => label === archLabel(k, f));
    if (flush !== undefined) return decodePageFlush(k, ctx, cap, flush);
  }
  return fail(ILLEGAL);
}

function decodePageMap(k: Kernel, ctx: InvocationContext, cap: FrameCap): Decoded {
  const vm = k.abi.vm;
  const args = new InvocationArgs(k, ctx, archLabelName(k, "PageMap"));
  const rootSlot = ctx.extraCaps[args.capIndex("vspace")];
  if (ctx.length < args.layout.msgLength || rootSlot === undefined) return fail(TRUNCATED);
  const vaddr = args.word("vaddr");
  const rightsMask = rightsFromWord(k.abi, args.word("rights"));
  const attr = vmAttributes(vm, args.word("attr"));
  const rootCap = slotCap(rootSlot);
  const frameBits = cap.object.sizeBits;
  const size = 1n << BigInt(frameBits);

  if (!isValidVTableRoot(k, rootCap)) return invalidCap(1);
  const { root, asid } = vspaceRootOf(rootCap);
  const found = findVSpaceForASID(k, asid);
  if (found === undefined) return fail(NO_VSPACE);
  if (found !== root) return invalidCap(1);

  const remap = cap.mappedAsid !== 0n;
  const aligned = (vaddr & (size - 1n)) === 0n;
  if (k.abi.arch === "aarch64") {
    if (!aligned) return fail({ type: "seL4_AlignmentError" });
    if (remap) {
      if (cap.mappedAsid !== asid) return invalidCap(1);
      if (cap.mappedAddress !== vaddr) return invalidArg(0);
    } else if (BigInt.asUintN(64, vaddr + size - 1n) > vm.userTop) {
      return invalidArg(0);
    }
  } else {
    if (BigInt.asUintN(64, vaddr + size - 1n) >= vm.userTop) return invalidArg(0);
    if (!aligned) return fail({ type: "seL4_AlignmentError" });
  }

  const slot = lookupPTSlot(k, root, vaddr);
  if (slot.bitsLeft !== frameBits) {
    return fail({ type: "seL4_FailedLookup", source: false, lookup: { type: "MissingCapability", bitsLeft: slot.bitsLeft } });
  }
  if (k.abi.arch === "riscv64") {
    const present = slot.table.entries[slot.index];
    if (remap) {
      if (cap.mappedAsid !== asid) return invalidCap(1);
      if (cap.mappedAddress !== vaddr) return invalidArg(0);
      // lookupPTSlot never stops on a table entry above the last level, so this cannot hold; seL4 checks anyway.
      if (present instanceof PageTable) return fail({ type: "seL4_DeleteFirst" });
    } else if (present !== undefined) {
      return fail({ type: "seL4_DeleteFirst" });
    }
  }

  const rights = maskVMRights(cap.rights, rightsMask);
  // RISC-V makeUserPTE: a mapping that allows nothing is an invalid entry.
  const nothing = k.abi.arch === "riscv64" && rights === "KernelOnly" && !attr.executable;
  const leaf: Leaf | undefined = nothing ? undefined : { paddr: cap.object.paddr, sizeBits: frameBits, rights, executable: attr.executable, cacheable: attr.cacheable };
  return ok({ kind: "PageMap", slot: ctx.slot, cap: { ...cap, mappedAsid: asid, mappedAddress: vaddr }, table: slot.table, index: slot.index, leaf });
}

function decodePageFlush(k: Kernel, ctx: InvocationContext, cap: FrameCap, flush: (typeof FLUSHES)[number]): Decoded {
  const args = new InvocationArgs(k, ctx, archLabelName(k, flush));
  if (ctx.length < args.layout.msgLength) return fail(TRUNCATED);
  if (cap.mappedAsid === 0n) return fail(ILLEGAL);
  const root = findVSpaceForASID(k, cap.mappedAsid);
  if (root === undefined) return fail(NO_VSPACE);
  const start = args.word("start_offset");
  const end = args.word("end_offset");
  if (end <= start) return invalidArg(1);
  const pageSize = 1n << BigInt(cap.object.sizeBits);
  if (start >= pageSize || end > pageSize) return invalidArg(0);
  const pstart = cap.object.paddr + start;
  if (k.abi.vm.hypervisor) {
    // Flushed through the kernel's window onto physical memory (PADDR_BASE is 0).
    if (end - start + pstart > ARM_HYP_PADDR_TOP) return fail(ILLEGAL);
  } else {
    // At EL1 the flush goes through the user mapping, which the cap must still describe.
    const slot = lookupPTSlot(k, root, cap.mappedAddress);
    const e = slot.table.entries[slot.index];
    if (slot.bitsLeft !== cap.object.sizeBits || e === undefined || e instanceof PageTable || e.paddr !== cap.object.paddr) return invalidCap(0);
    // DC IVAC at EL1 needs write permission.
    if (flush === "PageInvalidate_Data" && e.rights !== "ReadWrite") return fail(ILLEGAL);
  }
  return ok({ kind: "PageFlush" });
}

export function performFrameInvocation(k: Kernel, inv: FrameInvocation): void {
  switch (inv.kind) {
    case "PageMap":
      inv.slot.cnode.slots[inv.slot.index] = inv.cap;
      writeLeaf(k, inv.table, inv.index, inv.leaf);
      break;
    case "PageUnmap": {
      const cap = slotCap(inv.slot);
      if (cap.type !== "frame") throw new Error("PageUnmap: the frame cap left its slot between decode and perform");
      if (cap.mappedAsid !== 0n) unmapPage(k, cap.object.sizeBits, cap.mappedAsid, cap.mappedAddress, cap.object.paddr);
      inv.slot.cnode.slots[inv.slot.index] = { ...cap, mappedAsid: 0n, mappedAddress: 0n };
      break;
    }
    case "PageFlush":
      break;
    case "PageGetAddress":
      // performPageGetAddress: the address is the reply's only MR; the caller runs on without another reply.
      if (inv.call) replyFromKernel(k, inv.caller, 0n, [inv.paddr]);
      k.setThreadState(inv.caller, "Running");
      break;
  }
}

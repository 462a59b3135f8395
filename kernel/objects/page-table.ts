// Page-table invocations (seL4 src/arch/arm/64/kernel/vspace.c decodeARMPageTableInvocation,
// src/arch/riscv/kernel/vspace.c decodeRISCVPageTableInvocation): Map links an unmapped table into
// a VSpace at the first level where the walk for vaddr finds no table; Unmap takes it out again and
// clears it. The table object itself is kernel/vspace.ts PageTable.
import type { Cap } from "../cap.js";
import { isFinalCapability } from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import {
  archLabel, archLabelName, clearTable, findVSpaceForASID, isValidVTableRoot, linkTable, lookupPTSlot, unmapPageTable, vspaceRootOf,
  type PageTable,
} from "../vspace.js";
import { slotCap, type Slot } from "./cnode.js";

export type PageTableCap = Extract<Cap, { readonly type: "page_table" }>;

export type PageTableInvocation =
  /** The cap in `slot` becomes `cap` (mapped) and `parent`'s entry `index` links the table. */
  | { readonly kind: "PageTableMap"; readonly slot: Slot; readonly cap: PageTableCap; readonly parent: PageTable; readonly index: number }
  | { readonly kind: "PageTableUnmap"; readonly slot: Slot };

type Decoded = { readonly ok: true; readonly invocation: PageTableInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const invalidCap = (cap: number): Decoded => fail({ type: "seL4_InvalidCapability", cap });

export function decodePageTableInvocation(k: Kernel, ctx: InvocationContext, cap: PageTableCap): Decoded {
  const vm = k.abi.vm;
  if (ctx.label === archLabel(k, "PageTableUnmap")) {
    if (!isFinalCapability(ctx.slot)) return fail({ type: "seL4_RevokeFirst" });
    // RISC-V: a VSpace root is a page table, and it cannot be unmapped this way.
    if (k.abi.arch === "riscv64" && cap.isMapped && findVSpaceForASID(k, cap.mappedAsid) === cap.object) return fail({ type: "seL4_RevokeFirst" });
    return { ok: true, invocation: { kind: "PageTableUnmap", slot: ctx.slot } };
  }
  if (ctx.label !== archLabel(k, "PageTableMap")) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, archLabelName(k, "PageTableMap"));
  const rootSlot = ctx.extraCaps[args.capIndex("vspace")];
  if (ctx.length < args.layout.msgLength || rootSlot === undefined) return fail({ type: "seL4_TruncatedMessage" });
  if (cap.isMapped) return invalidCap(0);
  const vaddr = args.word("vaddr");
  const rootCap = slotCap(rootSlot);
  if (!isValidVTableRoot(k, rootCap)) return invalidCap(1);
  const { root, asid } = vspaceRootOf(rootCap);
  // USER_TOP is the last user address on AArch64, the first kernel one on RISC-V.
  if (k.abi.arch === "aarch64" ? vaddr > vm.userTop : vaddr >= vm.userTop) return fail({ type: "seL4_InvalidArgument", argument: 0 });
  const found = findVSpaceForASID(k, asid);
  if (found === undefined) return fail({ type: "seL4_FailedLookup", source: false, lookup: { type: "InvalidRoot" } });
  if (found !== root) return invalidCap(1);
  const slot = lookupPTSlot(k, root, vaddr);
  // Down to the last level, or something (a frame) already there: nowhere for a table.
  if (slot.bitsLeft === vm.frameBits[0] || slot.table.entries[slot.index] !== undefined) return fail({ type: "seL4_DeleteFirst" });
  const mappedAddress = vaddr & ~((1n << BigInt(slot.bitsLeft)) - 1n);
  return {
    ok: true,
    invocation: { kind: "PageTableMap", slot: ctx.slot, cap: { ...cap, isMapped: true, mappedAsid: asid, mappedAddress }, parent: slot.table, index: slot.index },
  };
}

export function performPageTableInvocation(k: Kernel, inv: PageTableInvocation): void {
  switch (inv.kind) {
    case "PageTableMap":
      inv.slot.cnode.slots[inv.slot.index] = inv.cap;
      linkTable(k, inv.parent, inv.index, inv.cap.object);
      break;
    case "PageTableUnmap": {
      const cap = slotCap(inv.slot);
      if (cap.type !== "page_table") throw new Error("PageTableUnmap: the page-table cap left its slot between decode and perform");
      if (cap.isMapped) {
        unmapPageTable(k, cap.mappedAsid, cap.mappedAddress, cap.object);
        clearTable(k, cap.object);
      }
      inv.slot.cnode.slots[inv.slot.index] = { ...cap, isMapped: false };
      break;
    }
  }
}

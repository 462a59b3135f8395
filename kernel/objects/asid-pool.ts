// ASID pool invocations (seL4 decodeARMMMUInvocation / decodeRISCVMMUInvocation, cap_asid_pool_cap;
// performASIDPoolInvocation): Assign gives an unassigned VSpace root the pool's first free ASID
// (never ASID 0), after which threads can run in it and paging calls accept it.
import type { Cap } from "../cap.js";
import type { SyscallError } from "../errors.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { archLabel, assignASID, type ASIDPool } from "../vspace.js";
import { slotCap, type Slot } from "./cnode.js";

export type ASIDPoolCap = Extract<Cap, { readonly type: "asid_pool" }>;

export type ASIDPoolInvocation = {
  readonly kind: "ASIDPoolAssign";
  readonly pool: ASIDPool;
  readonly asid: bigint;
  /** The slot of the VSpace root cap, which becomes mapped under `asid`. */
  readonly vspace: Slot;
};

type Decoded = { readonly ok: true; readonly invocation: ASIDPoolInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });

export function decodeASIDPoolInvocation(k: Kernel, ctx: InvocationContext, cap: ASIDPoolCap): Decoded {
  if (ctx.label !== archLabel(k, "ASIDPoolAssign")) return fail({ type: "seL4_IllegalOperation" });
  const vspaceSlot = ctx.extraCaps[0];
  if (vspaceSlot === undefined) return fail({ type: "seL4_TruncatedMessage" });
  const root = slotCap(vspaceSlot);
  // An AArch64 root is a vspace_cap, a RISC-V one a page_table_cap; either not yet assigned.
  const rootType = k.abi.arch === "aarch64" ? "vspace" : "page_table";
  if ((root.type !== "vspace" && root.type !== "page_table") || root.type !== rootType || root.isMapped) {
    return fail({ type: "seL4_InvalidCapability", cap: 1 });
  }
  const low = BigInt(k.abi.vm.asidLowBits);
  const pool = k.asidTable[Number(cap.asidBase >> low)];
  if (pool === undefined) return fail({ type: "seL4_FailedLookup", source: false, lookup: { type: "InvalidRoot" } });
  if (pool !== cap.object) return fail({ type: "seL4_InvalidCapability", cap: 0 });
  const free = pool.roots.findIndex((r, i) => r === undefined && cap.asidBase + BigInt(i) !== 0n);
  if (free < 0) return fail({ type: "seL4_DeleteFirst" });
  return { ok: true, invocation: { kind: "ASIDPoolAssign", pool, asid: cap.asidBase + BigInt(free), vspace: vspaceSlot } };
}

export function performASIDPoolInvocation(k: Kernel, inv: ASIDPoolInvocation): void {
  const cap = slotCap(inv.vspace);
  if (cap.type !== "vspace" && cap.type !== "page_table") throw new Error("ASIDPoolAssign: the VSpace cap left its slot between decode and perform");
  // RISC-V records the root as mapped at address 0 (capPTMappedAddress).
  inv.vspace.cnode.slots[inv.vspace.index] = cap.type === "vspace"
    ? { ...cap, isMapped: true, mappedAsid: inv.asid }
    : { ...cap, isMapped: true, mappedAsid: inv.asid, mappedAddress: 0n };
  assignASID(k, inv.pool, inv.asid, cap.object);
}

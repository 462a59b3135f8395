// AArch64 VSpace-root invocations (seL4 src/arch/arm/64/kernel/vspace.c decodeARMVSpaceRootInvocation):
// cache maintenance over a virtual range of one address space. The range is checked as seL4 checks
// it (inside user space, within one mapped frame); the emulated machine has no caches, so a call that
// passes does nothing more. A range over no mapping succeeds silently, as in seL4.
import type { Cap } from "../cap.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { archLabel, archLabelName, findVSpaceForASID, isValidVTableRoot, lookupPTSlot, PageTable } from "../vspace.js";

export type VSpaceCap = Extract<Cap, { readonly type: "vspace" }>;

/** A flush that passed its checks: nothing to do. */
export type VSpaceRootInvocation = { readonly kind: "VSpaceFlush" };

type Decoded = { readonly ok: true; readonly invocation: VSpaceRootInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const FLUSH: Decoded = { ok: true, invocation: { kind: "VSpaceFlush" } };
const OPERATIONS = ["VSpaceClean_Data", "VSpaceInvalidate_Data", "VSpaceCleanInvalidate_Data", "VSpaceUnify_Instruction"] as const;

export function decodeVSpaceRootInvocation(k: Kernel, ctx: InvocationContext, cap: VSpaceCap): Decoded {
  const op = OPERATIONS.find((o) => ctx.label === archLabel(k, o));
  if (op === undefined) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, archLabelName(k, op));
  if (ctx.length < args.layout.msgLength) return fail({ type: "seL4_TruncatedMessage" });
  const start = args.word("start");
  const end = args.word("end");
  if (end <= start) return fail({ type: "seL4_InvalidArgument", argument: 1 });
  // Applications may not flush kernel regions.
  if (end > k.abi.vm.userTop) return fail({ type: "seL4_IllegalOperation" });
  if (!isValidVTableRoot(k, cap)) return fail({ type: "seL4_InvalidCapability", cap: 0 });
  const found = findVSpaceForASID(k, cap.mappedAsid);
  if (found === undefined) return fail({ type: "seL4_FailedLookup", source: false, lookup: { type: "InvalidRoot" } });
  if (found !== cap.object) return fail({ type: "seL4_InvalidCapability", cap: 0 });
  const slot = lookupPTSlot(k, found, start);
  const e = slot.table.entries[slot.index];
  // Nothing mapped at start: no stale cache lines for this address space, so no error either.
  if (e === undefined || e instanceof PageTable) return FLUSH;
  const frameMask = (1n << BigInt(slot.bitsLeft)) - 1n;
  const frameStart = start & ~frameMask;
  if (frameStart !== ((end - 1n) & ~frameMask)) return fail({ type: "seL4_RangeError", min: start, max: frameStart + frameMask });
  // At EL1 DC IVAC needs a writable mapping.
  if (!k.abi.vm.hypervisor && op === "VSpaceInvalidate_Data" && e.rights !== "ReadWrite") return fail({ type: "seL4_IllegalOperation" });
  return FLUSH;
}

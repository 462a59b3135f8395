// seL4 syscall errors (libsel4 errors.h) and the MRs an error reply carries (error_reply_mrs).
import type { KernelAbi } from "./abi.js";
import { lookupFailureWords } from "./faults.js";
import type { LookupFault } from "./objects/cnode.js";

export type SyscallError =
  | { readonly type: "seL4_InvalidArgument"; readonly argument: number }
  | { readonly type: "seL4_InvalidCapability"; readonly cap: number }
  | { readonly type: "seL4_IllegalOperation" }
  | { readonly type: "seL4_RangeError"; readonly min: bigint; readonly max: bigint }
  | { readonly type: "seL4_AlignmentError" }
  | { readonly type: "seL4_FailedLookup"; readonly source: boolean; readonly lookup: LookupFault }
  | { readonly type: "seL4_TruncatedMessage" }
  | { readonly type: "seL4_DeleteFirst" }
  | { readonly type: "seL4_RevokeFirst" }
  | { readonly type: "seL4_NotEnoughMemory"; readonly memoryLeft: bigint };

export type SyscallErrorType = SyscallError["type"];

/** The reply label and MRs for an error (seL4 setMRs_syscall_error). */
export function errorReply(abi: KernelAbi, e: SyscallError): { label: bigint; mrs: bigint[] } {
  const label = abi.errors[e.type];
  if (label === undefined) throw new Error(`error ${e.type} missing from the ABI tables`);
  const mrs = ((): bigint[] => {
    switch (e.type) {
      case "seL4_InvalidArgument":
        return [BigInt(e.argument)];
      case "seL4_InvalidCapability":
        return [BigInt(e.cap)];
      case "seL4_RangeError":
        return [e.min, e.max];
      case "seL4_FailedLookup":
        return [e.source ? 1n : 0n, ...lookupFailureWords(e.lookup)];
      case "seL4_NotEnoughMemory":
        return [e.memoryLeft];
      default:
        return [];
    }
  })();
  return { label: BigInt(label), mrs };
}

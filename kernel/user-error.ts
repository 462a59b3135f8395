// The line a debug kernel prints when it refuses an invocation (seL4's userError): the same frame
// as seL4's, "<<seL4(CPU 0) [where T<tcb> "<thread>" @<pc>]: <why>>>", with the invocation's name
// for where (seL4 gives its C function and line) and our own words for why, built from the error
// the invocation returns. Printed only by kernels built with printing (CONFIG_PRINTING).
import type { SyscallError } from "./errors.js";
import { kernelThreadPointer, pointer } from "./fault-report.js";
import type { Kernel } from "./kernel.js";
import type { LookupFault } from "./objects/cnode.js";
import type { TCB } from "./objects/tcb.js";

function lookupWhy(f: LookupFault): string {
  switch (f.type) {
    case "InvalidRoot":
      return "the CSpace root given is not a CNode cap";
    case "MissingCapability":
      return `nothing there, ${f.bitsLeft} bits of the address left`;
    case "DepthMismatch":
      return `the depth does not match the CNodes on the way (${f.bitsLeft} bits left, a CNode of ${f.bitsFound} bits found)`;
    case "GuardMismatch":
      return `the address does not match a CNode's guard (${f.bitsLeft} bits left, guard 0x${f.guardFound.toString(16)} of ${f.bitsFound} bits)`;
  }
}

/** A number as a person reads it: small ones in decimal, addresses and masks in hex. */
const num = (v: bigint): string => (v < 0x10000n ? v.toString() : `0x${v.toString(16)}`);

/** Why an invocation on a `capType` cap failed, in a few words, from the error it returns. */
export function describeError(e: SyscallError, capType: string): string {
  switch (e.type) {
    case "seL4_InvalidArgument":
      return `argument ${e.argument} is invalid (InvalidArgument)`;
    case "seL4_InvalidCapability":
      return `cap ${e.cap} is not one this invocation takes (InvalidCapability)`;
    case "seL4_IllegalOperation":
      // Often a method of another object's: name the cap it was tried on.
      return `illegal on ${/^[aeiou]/.test(capType) ? "an" : "a"} ${capType} cap, or in its state (IllegalOperation)`;
    case "seL4_RangeError":
      return `an argument is outside ${num(e.min)}..${num(e.max)} (RangeError)`;
    case "seL4_AlignmentError":
      return "an address or size is not aligned as it must be (AlignmentError)";
    case "seL4_FailedLookup":
      return `a ${e.source ? "source" : "destination"} lookup failed: ${lookupWhy(e.lookup)} (FailedLookup)`;
    case "seL4_TruncatedMessage":
      return "the message has fewer words or extra caps than the invocation needs (TruncatedMessage)";
    case "seL4_DeleteFirst":
      return "the destination is in use (a cap in the slot, or a mapping there) (DeleteFirst)";
    case "seL4_RevokeFirst":
      return "the cap has children or its object is in use; revoke it first (RevokeFirst)";
    case "seL4_NotEnoughMemory":
      return `the untyped has only ${num(e.memoryLeft)} bytes free (NotEnoughMemory)`;
  }
}

/** Prints the debug kernel's line for an invocation `where` refused by `thread`, if the kernel prints. */
export function userError(k: Kernel, thread: TCB, where: string, why: string): void {
  if (k.abi.kernelConfig["PRINTING"] !== true) return;
  const tcb = pointer(kernelThreadPointer(k.abi, thread));
  k.host.debugPrint(`<<seL4(CPU 0) [${where} T${tcb} "${thread.name}" @${thread.restartPc.toString(16)}]: ${why}>>`);
}

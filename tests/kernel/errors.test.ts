// errorReply against <arch>.json `errors` and `error_reply_mrs` (seL4 src/api/syscall.c
// setMRs_syscall_error; src/api/faults.c setMRs_lookup_failure from offset 1).
import { describe, expect, it } from "vitest";
import { errorReply, type SyscallError } from "../../kernel/errors.js";
import { ARCHES, archJson, lookupFailureType, Sim } from "./harness.js";

describe.each(ARCHES)("errorReply (%s)", (arch) => {
  const abi = new Sim(arch).abi;
  const errors = archJson(arch)["errors"] as Record<string, number>;
  const layouts = archJson(arch)["error_reply_mrs"] as Record<string, string[]>;
  const lf = (name: string): bigint => lookupFailureType(arch, name);

  const cases: readonly [SyscallError, bigint[]][] = [
    [{ type: "seL4_InvalidArgument", argument: 3 }, [3n]],
    [{ type: "seL4_InvalidCapability", cap: 1 }, [1n]],
    [{ type: "seL4_IllegalOperation" }, []],
    [{ type: "seL4_RangeError", min: 2n, max: 0xffn }, [2n, 0xffn]],
    [{ type: "seL4_AlignmentError" }, []],
    [{ type: "seL4_FailedLookup", source: true, lookup: { type: "GuardMismatch", bitsLeft: 58, guardFound: 0n, bitsFound: 49 } }, [1n, lf("seL4_GuardMismatch"), 58n, 0n, 49n]],
    [{ type: "seL4_TruncatedMessage" }, []],
    [{ type: "seL4_DeleteFirst" }, []],
    [{ type: "seL4_RevokeFirst" }, []],
    [{ type: "seL4_NotEnoughMemory", memoryLeft: 4096n }, [4096n]],
  ];

  it("covers every error the ABI lists besides NoError", () => {
    const listed = Object.keys(errors).filter((e) => e !== "seL4_NoError" && e !== "seL4_NumErrors").sort();
    expect(cases.map(([e]) => e.type).sort()).toEqual(listed);
  });

  it.each(cases)("$0.type: label from `errors`, MRs in the `error_reply_mrs` layout", (error, mrs) => {
    const r = errorReply(abi, error);
    expect(r.label).toBe(BigInt(errors[error.type]!));
    expect(r.mrs).toEqual(mrs);
    expect(r.mrs).toHaveLength(layouts[error.type]!.length); // each case uses the longest form
  });

  it("FailedLookup carries the shorter lookup-failure forms after the was-source word", () => {
    expect(errorReply(abi, { type: "seL4_FailedLookup", source: false, lookup: { type: "InvalidRoot" } }).mrs).toEqual([0n, lf("seL4_InvalidRoot")]);
    expect(errorReply(abi, { type: "seL4_FailedLookup", source: false, lookup: { type: "MissingCapability", bitsLeft: 7 } }).mrs).toEqual([0n, lf("seL4_MissingCapability"), 7n]);
    expect(errorReply(abi, { type: "seL4_FailedLookup", source: true, lookup: { type: "DepthMismatch", bitsLeft: 58, bitsFound: 59 } }).mrs).toEqual([1n, lf("seL4_DepthMismatch"), 58n, 59n]);
  });
});

import { describe, expect, it } from "vitest";
import { kernelAbi } from "../../kernel/abi.js";
import { decodeMessageInfo, encodeMessageInfo } from "../../kernel/message-info.js";
import { ARCHES, archJson } from "./harness.js";

// Bit layout of seL4_MessageInfo_t in aarch64.json message_info (identical on riscv64.json):
// length bits 0-6, extraCaps bits 7-8, capsUnwrapped bits 9-11, label bits 12-63.
describe("message-info layout", () => {
  it("the ABI tables give the seL4_MessageInfo_t layout both architectures share", () => {
    for (const arch of ARCHES) {
      expect(archJson(arch)["message_info"]["fields"]).toEqual({
        length: { offset: 0, width: 7 },
        extraCaps: { offset: 7, width: 2 },
        capsUnwrapped: { offset: 9, width: 3 },
        label: { offset: 12, width: 52 },
      });
    }
  });
});

describe.each(ARCHES)("message-info (%s)", (arch) => {
  const abi = kernelAbi(arch, "debug");

  it("encodes the IRQ ack libmicrokit sends (README cross-check: label IRQAckIRQ << 12)", () => {
    const label = BigInt(archJson(arch)["invocation_labels"]["labels"]["IRQAckIRQ"] as number);
    const word = encodeMessageInfo(abi, { label, capsUnwrapped: 0, extraCaps: 0, length: 0 });
    // README: 0x1f000 on aarch64 debug (label 31), 0x1b000 on riscv64 (label 27).
    expect(word).toBe(arch === "aarch64" ? 0x1f000n : 0x1b000n);
  });

  it("puts each field at its own bits", () => {
    expect(encodeMessageInfo(abi, { label: 0n, capsUnwrapped: 0, extraCaps: 0, length: 127 })).toBe(0x7fn);
    expect(encodeMessageInfo(abi, { label: 0n, capsUnwrapped: 0, extraCaps: 3, length: 0 })).toBe(0x180n);
    expect(encodeMessageInfo(abi, { label: 0n, capsUnwrapped: 7, extraCaps: 0, length: 0 })).toBe(0xe00n);
    expect(encodeMessageInfo(abi, { label: (1n << 52n) - 1n, capsUnwrapped: 0, extraCaps: 0, length: 0 })).toBe(0xfffffffffffff000n);
    expect(encodeMessageInfo(abi, { label: 0x1234n, capsUnwrapped: 1, extraCaps: 2, length: 5 })).toBe(0x1234305n);
  });

  it("decodes every field of an all-ones word", () => {
    expect(decodeMessageInfo(abi, 0xffffffffffffffffn)).toEqual({ label: (1n << 52n) - 1n, capsUnwrapped: 7, extraCaps: 3, length: 127 });
  });

  it("decodes fields independently", () => {
    expect(decodeMessageInfo(abi, 0x1234305n)).toEqual({ label: 0x1234n, capsUnwrapped: 1, extraCaps: 2, length: 5 });
    expect(decodeMessageInfo(abi, 0x80n)).toEqual({ label: 0n, capsUnwrapped: 0, extraCaps: 1, length: 0 });
    expect(decodeMessageInfo(abi, 0x1000n)).toEqual({ label: 1n, capsUnwrapped: 0, extraCaps: 0, length: 0 });
  });

  it("round-trips words built from the JSON offsets", () => {
    const f = archJson(arch)["message_info"]["fields"] as Record<string, { offset: number }>;
    for (const [label, caps, extra, length] of [[0n, 0, 0, 0], [7n, 0, 1, 4], [0xdeadbeefn, 5, 3, 120]] as const) {
      const word = (label << BigInt(f["label"]!.offset)) | (BigInt(caps) << BigInt(f["capsUnwrapped"]!.offset)) | (BigInt(extra) << BigInt(f["extraCaps"]!.offset)) | (BigInt(length) << BigInt(f["length"]!.offset));
      const decoded = decodeMessageInfo(abi, word);
      expect(decoded).toEqual({ label, capsUnwrapped: caps, extraCaps: extra, length });
      expect(encodeMessageInfo(abi, decoded)).toBe(word);
    }
  });
});

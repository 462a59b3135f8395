// The number forms upstream's tool reads, kept exactly because they decide what it accepts.
import { describe, expect, it } from "vitest";
import { parseDecimalI64, parseDecimalU64, parseHexI64, parseSdfNumber, size } from "../../../microkit/sdf/numbers.js";

const value = (r: ReturnType<typeof parseSdfNumber>): bigint | string => (r.ok ? r.value : r.problem);

describe("sdf_parse_number", () => {
  it.each([
    ["4096", 4096n],
    ["0x1000", 0x1000n],
    ["0xDEAD_beef", 0xdeadbeefn],
    ["1_000_000", 1000000n],
    ["_1_", 1n],
    ["+12", 12n],
    ["0x+10", 0x10n],
    ["00010", 10n],
    ["18446744073709551615", 18446744073709551615n],
    ["0xffff_ffff_ffff_ffff", 0xffffffffffffffffn],
  ] as const)("reads %s", (text, expected) => {
    expect(value(parseSdfNumber(text))).toBe(expected);
  });
  it.each([
    ["", "it is empty"],
    ["_", "it is empty"],
    ["0x", "it is empty"],
    ["0X10", "it has a character that is not a decimal digit"],
    ["+0x10", "it has a character that is not a decimal digit"],
    ["-1", "it has a character that is not a decimal digit"],
    ["+", "a sign must be followed by digits"],
    ["12 ", "it has a character that is not a decimal digit"],
    ["0x1g", "it has a character that is not a hex digit"],
    ["18446744073709551616", "it is larger than 18446744073709551615"],
  ] as const)("refuses %j: %s", (text, problem) => {
    expect(value(parseSdfNumber(text))).toBe(problem);
  });
});

describe("Rust's str::parse, as upstream reads ids", () => {
  it("reads i64 decimals with either sign and refuses hex and '_'", () => {
    expect(value(parseDecimalI64("-5"))).toBe(-5n);
    expect(value(parseDecimalI64("+5"))).toBe(5n);
    expect(value(parseDecimalI64("0x5"))).toBe("it has a character that is not a decimal digit");
    expect(value(parseDecimalI64("1_0"))).toBe("it has a character that is not a decimal digit");
    expect(value(parseDecimalI64("9223372036854775808"))).toBe("it is larger than 9223372036854775807");
    expect(value(parseDecimalI64("-9223372036854775808"))).toBe(-9223372036854775808n);
  });
  it("reads u64 decimals with an optional '+' only", () => {
    expect(value(parseDecimalU64("+7"))).toBe(7n);
    expect(value(parseDecimalU64("-0"))).toBe("it has a character that is not a decimal digit");
  });
  it("reads PCI parts as trimmed, signed hex without 0x", () => {
    expect(value(parseHexI64(" 1f "))).toBe(0x1fn);
    expect(value(parseHexI64("-1"))).toBe(-1n);
    expect(value(parseHexI64("0x1"))).toBe("it has a character that is not a hex digit");
  });
});

describe("sizes in messages", () => {
  it("show the unit when the size is a whole number of them", () => {
    expect(size(0x200000n)).toBe("0x200000 (2 MiB)");
    expect(size(0x1000n)).toBe("0x1000 (4 KiB)");
    expect(size(0x1800n)).toBe("0x1800 (6 KiB)");
    expect(size(0x801n)).toBe("0x801");
  });
});

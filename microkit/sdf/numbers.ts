// The number forms the upstream tool reads (tool/microkit/src/sdf.rs at the pinned commit), kept
// exactly, because they decide what is accepted:
// - most attributes go through `sdf_parse_number`: every '_' is dropped, then "0x" selects hex
//   (lower-case x only), else decimal; an unsigned 64-bit value; Rust's parser allows one leading '+'.
// - channel/IRQ/ioport ids, irq numbers, vcpu ids, I/O APIC and MSI fields use Rust's plain
//   `str::parse` for i64 or u64: decimal only, no '_', an optional sign ('-' only for i64).
// - PCI bus/device/function are `i64::from_str_radix(part.trim(), 16)`: hex without "0x", sign allowed.

export type NumberResult = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly problem: string };

export const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const fail = (problem: string): NumberResult => ({ ok: false, problem });

/** Rust's `from_str_radix` on the text after the optional prefix. */
function fromStrRadix(text: string, radix: 10 | 16, signed: boolean, min: bigint, max: bigint): NumberResult {
  if (text === "") return fail("it is empty");
  let digits = text;
  let negative = false;
  if (text[0] === "+" || (signed && text[0] === "-")) {
    digits = text.slice(1);
    negative = text[0] === "-";
    if (digits === "") return fail("a sign must be followed by digits");
  }
  const ok = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (!ok.test(digits)) return fail(radix === 16 ? "it has a character that is not a hex digit" : "it has a character that is not a decimal digit");
  const magnitude = BigInt(radix === 16 ? `0x${digits}` : digits);
  const value = negative ? -magnitude : magnitude;
  if (value > max) return fail(`it is larger than ${max}`);
  if (value < min) return fail(`it is smaller than ${min}`);
  return { ok: true, value };
}

/** sdf_parse_number: decimal, or hex after "0x"; '_' anywhere is ignored. */
export function parseSdfNumber(text: string): NumberResult {
  const stripped = text.replace(/_/g, "");
  if (stripped.startsWith("0x")) return fromStrRadix(stripped.slice(2), 16, false, 0n, U64_MAX);
  return fromStrRadix(stripped, 10, false, 0n, U64_MAX);
}

/** `str::parse::<i64>()`: decimal with an optional sign. */
export function parseDecimalI64(text: string): NumberResult {
  return fromStrRadix(text, 10, true, I64_MIN, I64_MAX);
}

/** `str::parse::<u64>()`: decimal with an optional '+'. */
export function parseDecimalU64(text: string): NumberResult {
  return fromStrRadix(text, 10, false, 0n, U64_MAX);
}

/** `i64::from_str_radix(s.trim(), 16)`, as the PCI address parser uses it. */
export function parseHexI64(text: string): NumberResult {
  return fromStrRadix(text.trim(), 16, true, I64_MIN, I64_MAX);
}

export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** Sizes for messages: 0x200000 (2 MiB). */
export function size(v: bigint): string {
  const units: readonly [bigint, string][] = [[1n << 30n, "GiB"], [1n << 20n, "MiB"], [1n << 10n, "KiB"]];
  for (const [unit, label] of units) {
    if (v >= unit && v % unit === 0n) return `${hex(v)} (${v / unit} ${label})`;
  }
  return hex(v);
}

// The shared machinery of every element reader: collecting located errors and warnings, upstream's
// check_attributes / checked_lookup, and reading attribute values in the exact forms upstream reads
// them. Messages name the element (with its name attribute when it has one), the attribute, the bad
// value and what was expected; they point at the attribute when the attribute is at fault.
import type { SdfBoard } from "./board.js";
import type { SdfError, SdfWarning } from "./model.js";
import { parseDecimalI64, parseDecimalU64, parseSdfNumber, type NumberResult } from "./numbers.js";
import type { Location, XmlAttribute, XmlElement } from "./xml.js";

/** How parseSystem reads prefill files; the default reads the host file system. */
export interface SdfFiles {
  /** The bytes of the file, or a reason it cannot be read. */
  read(path: string): Uint8Array | { readonly problem: string };
  exists(path: string): boolean;
}

export const at = (loc: Location): string => `${loc.line}:${loc.column}`;

/** The element each model object was read from, so checks made after reading can point at an attribute. */
const sources = new WeakMap<object, XmlElement>();

/** Records that `obj` was built from `el`. */
export function remember<T extends object>(obj: T, el: XmlElement): T {
  sources.set(obj, el);
  return obj;
}

/** The place of attribute `name` of a remembered object, else the object's own place. */
export const placeOf = (obj: { readonly loc: Location }, name: string): Location => {
  const el = sources.get(obj);
  return (el === undefined ? undefined : attr(el, name)?.loc) ?? obj.loc;
};

/** A plain (not namespaced) attribute, as roxmltree's attribute(name) finds it. */
export const attr = (el: XmlElement, name: string): XmlAttribute | undefined => el.attributes.find((a) => a.name === name && a.namespace === undefined);

/** The attribute that identifies an element in messages, where it is not `name`. */
const KEY_ATTRIBUTE: Readonly<Record<string, string>> = {
  map: "mr", iomap: "mr", end: "pd", cap_tcb: "pd", cap_sc: "pd", cap_vspace: "pd", schedule_entry: "domain", setvar: "symbol",
};

/** `<protection_domain name="x">`, `<map mr="y">` or `<irq>`: how messages name an element. */
export function tag(el: XmlElement): string {
  const key = attr(el, KEY_ATTRIBUTE[el.name] ?? "name");
  return key === undefined ? `<${el.name}>` : `<${el.name} ${key.name}="${key.value}">`;
}

/** `size="0x10"` */
export const shown = (a: XmlAttribute): string => `${a.name}="${a.value}"`;

export function listOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The known name the unknown one is probably a typo or abbreviation of, if any. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const names = [...known];
  if (name.length >= 3) {
    const prefixed = names.find((k) => k.startsWith(name));
    if (prefixed !== undefined) return prefixed;
  }
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const k of names) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** "; did you mean 'x'?" when there is a likely intended name, else "". */
export function suggest(name: string, known: Iterable<string>): string {
  const best = closest(name, known);
  return best === undefined ? "" : `; did you mean '${best}'?`;
}

/** "a 'name'" or "an 'id'". */
export const quotedWithArticle = (word: string): string => `${/^[aeiou]/.test(word) ? "an" : "a"} '${word}'`;

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

export class Checker {
  readonly errors: SdfError[] = [];
  readonly warnings: SdfWarning[] = [];

  constructor(
    readonly file: string,
    readonly board: SdfBoard,
    readonly files: SdfFiles,
    readonly searchPaths: readonly string[],
  ) {}

  error(loc: Location, message: string): void {
    this.errors.push({ file: loc.file, line: loc.line, column: loc.column, message });
  }

  warn(loc: Location, message: string): void {
    this.warnings.push({ file: loc.file, line: loc.line, column: loc.column, message });
  }

  /** Upstream check_attributes: only the listed attributes may appear. */
  attributes(el: XmlElement, allowed: readonly string[], explain?: (name: string) => string | undefined): void {
    for (const a of el.attributes) {
      if (allowed.includes(a.name)) continue;
      const why = explain?.(a.name);
      const best = closest(a.name, allowed);
      const expected = allowed.length === 0 ? `<${el.name}> takes no attributes` : `${best === undefined ? "" : `did you mean '${best}'? `}allowed: ${allowed.join(", ")}`;
      this.error(a.loc, `${tag(el)} has no attribute '${a.name}'${why === undefined ? `; ${expected}` : `: ${why}`}`);
    }
  }

  /** Upstream checked_lookup: the attribute must be present. */
  required(el: XmlElement, name: string, what = ""): XmlAttribute | undefined {
    const a = attr(el, name);
    if (a === undefined) {
      const prefixed = el.attributes.some((x) => x.name === name && x.namespace !== undefined);
      this.error(el.loc, `${tag(el)} needs ${quotedWithArticle(name)} attribute${what}${prefixed ? `; one with a namespace prefix is a different attribute` : ""}`);
    }
    return a;
  }

  /** Child elements upstream never looks at: accepted, but said. */
  ignoredChildren(el: XmlElement): void {
    for (const child of el.children) {
      this.warn(child.loc, `<${child.name}> inside ${tag(el)} is ignored: <${el.name}> takes no child elements`);
    }
  }

  /** Text upstream never looks at (it refuses text only directly inside <system>). */
  ignoredText(el: XmlElement): void {
    for (const t of el.text) this.warn(t.loc, `text '${abbreviate(t.value)}' inside ${tag(el)} is ignored`);
  }

  private numberProblem(el: XmlElement, a: XmlAttribute, r: NumberResult & { ok: false }, form: string): undefined {
    this.error(a.loc, `${tag(el)} ${shown(a)} is not ${form}: ${r.problem}`);
    return undefined;
  }

  /** sdf_parse_number. */
  number(el: XmlElement, a: XmlAttribute | undefined): bigint | undefined {
    if (a === undefined) return undefined;
    const r = parseSdfNumber(a.value);
    if (r.ok) return r.value;
    return this.numberProblem(el, a, r, "a number (decimal digits, or 0x and hex digits; '_' may separate digits)");
  }

  /** `str::parse::<i64>()` (signed) or `::<u64>()`: decimal only, as upstream reads ids. */
  decimal(el: XmlElement, a: XmlAttribute | undefined, signed: boolean): bigint | undefined {
    if (a === undefined) return undefined;
    const r = signed ? parseDecimalI64(a.value) : parseDecimalU64(a.value);
    if (r.ok) return r.value;
    return this.numberProblem(el, a, r, `a decimal integer (the Microkit tool reads ${a.name} in decimal only, without '_' or 0x)`);
  }

  /** A number that must lie in min..max (inclusive); `unit` describes the range in the message. */
  inRange(el: XmlElement, a: XmlAttribute, value: bigint | undefined, min: bigint, max: bigint, why = ""): bigint | undefined {
    if (value === undefined) return undefined;
    if (value < min || value > max) {
      this.error(a.loc, `${tag(el)} ${shown(a)} is out of range: expected ${min}..${max}${why}`);
      return undefined;
    }
    return value;
  }

  /** str_to_bool: exactly 'true' or 'false'. */
  bool(el: XmlElement, name: string, fallback: boolean): boolean {
    const a = attr(el, name);
    if (a === undefined) return fallback;
    if (a.value === "true") return true;
    if (a.value === "false") return false;
    this.error(a.loc, `${tag(el)} ${shown(a)} must be 'true' or 'false'`);
    return fallback;
  }

  /** One of a fixed set of words. */
  choice<T extends string>(el: XmlElement, name: string, options: readonly T[], fallback: T): T {
    const a = attr(el, name);
    if (a === undefined) return fallback;
    if ((options as readonly string[]).includes(a.value)) return a.value as T;
    this.error(a.loc, `${tag(el)} ${shown(a)} must be ${listOr(options.map((o) => `'${o}'`))}`);
    return fallback;
  }
}

const abbreviate = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);

/** Domains a protection domain may name: those of the <domains> element read before it, if any. */
export interface DeclaredDomains {
  readonly loc: Location;
  readonly ids: ReadonlyMap<string, number>;
}

/** State the element readers share while the file is read in document order, as upstream reads it. */
export interface ReadContext {
  readonly c: Checker;
  readonly board: SdfBoard;
  /** Set once a <domains> element has been read; protection domains after it must name a domain. */
  domains: DeclaredDomains | undefined;
  /** A <domains> element had errors: domain attributes are not checked further (they would only echo them). */
  domainsBroken: boolean;
  /** The first <domains> element of the file, to explain a domain attribute that comes before it. */
  readonly firstDomains: Location | undefined;
}

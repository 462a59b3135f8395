// Reads a System Description File into a SystemDescription, checking it as upstream's tool does
// (tool/microkit/src/sdf.rs at the pinned commit): per-element attributes and values first, then
// rules across the whole system. Every problem found is reported with its place.
import { readAbiFile } from "../../kernel/abi.js";
import type { Channel, ChannelEnd, ProgramImage, ProtectionDomain, SdfError, SystemDescription } from "./model.js";
import { parseXml, XmlError, type Location, type XmlAttribute, type XmlElement } from "./xml.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sdfFacts = (): Json => (readAbiFile("microkit.json") as Json)["sdf"];
const limits = (): Json => (readAbiFile("microkit.json") as Json)["cspace"]["limits"];

/** Elements of the full SDF that this version reads but cannot build yet. */
const NOT_YET = new Set(["memory_region", "map", "irq", "setvar", "virtual_machine", "domains", "io_address_space", "ioport", "cspace"]);

class Checker {
  readonly errors: SdfError[] = [];
  constructor(readonly file: string) {}

  error(loc: Location, message: string): void {
    this.errors.push({ file: loc.file, line: loc.line, column: loc.column, message });
  }

  /** Upstream check_attributes: only the listed attributes may appear. */
  attributes(el: XmlElement, allowed: readonly string[]): void {
    for (const a of el.attributes) {
      if (!allowed.includes(a.name)) {
        this.error(a.loc, `<${el.name}> has no attribute '${a.name}' (allowed: ${allowed.join(", ")})`);
      }
    }
  }

  noText(el: XmlElement): void {
    for (const t of el.text) this.error(t.loc, `unexpected text '${t.value}' inside <${el.name}>`);
  }

  required(el: XmlElement, name: string): XmlAttribute | undefined {
    const a = el.attributes.find((x) => x.name === name);
    if (a === undefined) this.error(el.loc, `<${el.name}> is missing the required attribute '${name}'`);
    return a;
  }

  /** Numbers as upstream reads them: decimal or 0x hex, with '_' separators allowed. */
  number(el: XmlElement, a: XmlAttribute | undefined, min: bigint, max: bigint | undefined): bigint | undefined {
    if (a === undefined) return undefined;
    const text = a.value.replace(/_/g, "");
    const ok = /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text);
    if (!ok) {
      this.error(a.loc, `<${el.name}> ${a.name}="${a.value}" is not a number (decimal, or hex with 0x; '_' may separate digits)`);
      return undefined;
    }
    const v = BigInt(text);
    if (v < min || (max !== undefined && v > max)) {
      this.error(a.loc, `<${el.name}> ${a.name}=${a.value} is out of range: expected ${min}..${max ?? "2^64-1"}`);
      return undefined;
    }
    return v;
  }

  boolean(el: XmlElement, a: XmlAttribute | undefined, fallback: boolean): boolean {
    if (a === undefined) return fallback;
    if (a.value === "true") return true;
    if (a.value === "false") return false;
    this.error(a.loc, `<${el.name}> ${a.name}="${a.value}" must be true or false`);
    return fallback;
  }
}

const attr = (el: XmlElement, name: string): XmlAttribute | undefined => el.attributes.find((a) => a.name === name);

const PD_ATTRS = ["name", "priority", "budget", "period", "passive", "stack_size", "smc", "cpu", "fpu", "domain"] as const;

function parseProtectionDomain(c: Checker, el: XmlElement, index: number): ProtectionDomain | undefined {
  const facts = sdfFacts()["protection_domain"];
  c.attributes(el, PD_ATTRS);
  c.noText(el);
  const name = c.required(el, "name")?.value;
  const priority = c.number(el, attr(el, "priority"), 0n, BigInt(facts["priority"]["max"])) ?? BigInt(facts["priority"]["default"]);
  const budget = c.number(el, attr(el, "budget"), 1n, undefined) ?? BigInt(facts["budget_us"]["default"]);
  const period = c.number(el, attr(el, "period"), 1n, undefined) ?? budget;
  if (budget > period) c.error(attr(el, "budget")?.loc ?? el.loc, `<protection_domain> budget (${budget} us) must not exceed its period (${period} us)`);
  const stackAttr = attr(el, "stack_size");
  const stack = c.number(el, stackAttr, BigInt(facts["stack_size"]["min"]), BigInt(facts["stack_size"]["max"])) ?? BigInt(facts["stack_size"]["default"]);
  const multiple = BigInt(facts["stack_size"]["multiple_of"]);
  if (stack % multiple !== 0n) c.error(stackAttr!.loc, `<protection_domain> stack_size=${stackAttr!.value} must be a multiple of ${multiple}`);
  const cpu = c.number(el, attr(el, "cpu"), 0n, undefined) ?? BigInt(facts["cpu"]["default"]);
  if (cpu !== 0n) c.error(attr(el, "cpu")!.loc, `<protection_domain> cpu=${cpu}: this emulator models single-core configurations only (cpu 0)`);
  const passive = c.boolean(el, attr(el, "passive"), facts["passive"]["default"]);
  const fpu = c.boolean(el, attr(el, "fpu"), facts["fpu"]["default"]);
  if (attr(el, "smc") !== undefined) c.boolean(el, attr(el, "smc"), false);
  let programImage: ProgramImage | undefined;
  for (const child of el.children) {
    if (child.name === "program_image") {
      c.attributes(child, ["path", "path_for_symbols"]);
      c.noText(child);
      if (programImage !== undefined) {
        c.error(child.loc, `<protection_domain name="${name}"> has a second <program_image> (the first is at line ${programImage.loc.line})`);
        continue;
      }
      const path = c.required(child, "path")?.value;
      if (path !== undefined) programImage = { path, pathForSymbols: attr(child, "path_for_symbols")?.value, loc: child.loc };
    } else if (child.name === "protection_domain") {
      c.error(child.loc, `child <protection_domain> elements are not supported by this version of microkit-emu yet`);
    } else if (NOT_YET.has(child.name)) {
      c.error(child.loc, `<${child.name}> is valid Microkit but not supported by this version of microkit-emu yet`);
    } else {
      c.error(child.loc, `<protection_domain> cannot contain <${child.name}> (expected program_image, map, irq, setvar, protection_domain, virtual_machine, ioport or cspace)`);
    }
  }
  if (programImage === undefined) {
    c.error(el.loc, `<protection_domain${name === undefined ? "" : ` name="${name}"`}> has no <program_image>`);
    return undefined;
  }
  if (name === undefined) return undefined;
  return {
    name, index, priority: Number(priority), budgetUs: budget, periodUs: period, passive,
    stackSize: stack, fpu, cpu: Number(cpu), programImage, loc: el.loc,
  };
}

function parseChannel(c: Checker, el: XmlElement): Channel | undefined {
  c.attributes(el, []);
  c.noText(el);
  const facts = sdfFacts()["channel_end"];
  const ends: ChannelEnd[] = [];
  for (const child of el.children) {
    if (child.name !== "end") {
      c.error(child.loc, `<channel> may contain only <end> elements, not <${child.name}>`);
      continue;
    }
    c.attributes(child, ["pd", "id", "pp", "notify", "setvar_id"]);
    c.noText(child);
    if (attr(child, "setvar_id") !== undefined) c.error(attr(child, "setvar_id")!.loc, "setvar_id is not supported by this version of microkit-emu yet");
    const pd = c.required(child, "pd")?.value;
    const id = c.number(child, c.required(child, "id"), BigInt(facts["id"]["min"]), BigInt(facts["id"]["max"]));
    const pp = c.boolean(child, attr(child, "pp"), facts["pp"]["default"]);
    const notify = c.boolean(child, attr(child, "notify"), facts["notify"]["default"]);
    if (pd !== undefined && id !== undefined) ends.push({ pd, id: Number(id), pp, notify, loc: child.loc });
  }
  if (el.children.length !== 2) {
    c.error(el.loc, `<channel> must have exactly two <end> elements, found ${el.children.length}`);
    return undefined;
  }
  if (ends.length !== 2) return undefined;
  const [a, b] = ends as [ChannelEnd, ChannelEnd];
  if (a.pp && b.pp) c.error(b.loc, "pp=\"true\" is set on both ends of the <channel>: protected procedure calls may go one way only");
  return { ends: [a, b], loc: el.loc };
}

/** Whole-system rules: names, channel ids, pp direction. */
function checkSystem(c: Checker, pds: readonly ProtectionDomain[], channels: readonly Channel[]): void {
  const byName = new Map<string, ProtectionDomain>();
  const monitor = (readAbiFile("microkit.json") as Json)["sdf"]["monitor"]["name"] as string;
  for (const pd of pds) {
    const other = byName.get(pd.name);
    if (other !== undefined) c.error(pd.loc, `duplicate protection_domain name '${pd.name}' (first defined at line ${other.loc.line})`);
    else byName.set(pd.name, pd);
    if (pd.name === monitor) c.error(pd.loc, `the name '${monitor}' is reserved for the Microkit monitor`);
    if (new TextEncoder().encode(pd.name).length > Number(limits()["MICROKIT_PD_NAME_LENGTH"]) - 1) {
      c.error(pd.loc, `protection_domain name '${pd.name}' is longer than ${Number(limits()["MICROKIT_PD_NAME_LENGTH"]) - 1} bytes`);
    }
  }
  const maxPds = Number(limits()["MAX_PDS"]);
  if (pds.length > maxPds) c.error(pds[maxPds]!.loc, `too many protection domains: ${pds.length}, at most ${maxPds}`);
  const used = new Map<string, ChannelEnd>();
  for (const ch of channels) {
    for (const [i, end] of ch.ends.entries()) {
      const pd = byName.get(end.pd);
      if (pd === undefined) {
        c.error(end.loc, `<end pd="${end.pd}">: no protection_domain has that name`);
        continue;
      }
      const key = `${end.pd}/${end.id}`;
      const prior = used.get(key);
      if (prior !== undefined) c.error(end.loc, `channel id ${end.id} of '${end.pd}' is already used (line ${prior.loc.line})`);
      else used.set(key, end);
      const peer = byName.get(ch.ends[1 - i]!.pd);
      if (end.pp && peer !== undefined && peer.priority <= pd.priority) {
        c.error(end.loc, `pp="true" lets '${pd.name}' (priority ${pd.priority}) call '${peer.name}' (priority ${peer.priority}): the callee's priority must be strictly higher`);
      }
    }
  }
}

export type ParseResult = { readonly ok: true; readonly system: SystemDescription } | { readonly ok: false; readonly errors: readonly SdfError[] };

export function parseSystem(file: string, source: string): ParseResult {
  let root: XmlElement;
  try {
    root = parseXml(file, source);
  } catch (e) {
    if (e instanceof XmlError) return { ok: false, errors: [{ ...e.loc, message: `malformed XML: ${e.message}` }] };
    throw e;
  }
  const c = new Checker(file);
  if (root.name !== "system") {
    c.error(root.loc, `the root element must be <system>, not <${root.name}>`);
    return { ok: false, errors: c.errors };
  }
  c.attributes(root, []);
  c.noText(root);
  const pds: ProtectionDomain[] = [];
  const channels: Channel[] = [];
  for (const el of root.children) {
    if (el.name === "protection_domain") {
      const pd = parseProtectionDomain(c, el, pds.length);
      if (pd !== undefined) pds.push(pd);
    } else if (el.name === "channel") {
      const ch = parseChannel(c, el);
      if (ch !== undefined) channels.push(ch);
    } else if (NOT_YET.has(el.name)) {
      c.error(el.loc, `<${el.name}> is valid Microkit but not supported by this version of microkit-emu yet`);
    } else {
      c.error(el.loc, `<system> cannot contain <${el.name}> (expected protection_domain, memory_region, channel, virtual_machine, domains or io_address_space)`);
    }
  }
  checkSystem(c, pds, channels);
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  return { ok: true, system: { file, protectionDomains: pds, channels } };
}

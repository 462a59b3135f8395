// Reads a System Description File into a SystemDescription, checking it as upstream's tool does
// (tool/microkit/src/sdf.rs at the pinned commit) and accepting exactly what it accepts. Stages, as
// upstream: elements in document order (protection domains with their children, memory regions, IO
// address spaces, domains), then channels (they name protection domains), then rules across the
// system, then page-size promotion. Unlike upstream, which stops at the first problem, every
// independent problem is reported, each at its place; later stages skip what an earlier error broke.
import { existsSync, readFileSync, statSync } from "node:fs";
import { defaultSdfBoard, type SdfBoard } from "./board.js";
import { readChannel, type ChannelDraft } from "./channel.js";
import { at, Checker, suggest, type ReadContext, type SdfFiles } from "./checker.js";
import { checkSystem, flatten, type FlatPd, type Regions } from "./checks.js";
import { readDomains } from "./domains.js";
import { readIoAddressSpace, type IoSpaceRegistry } from "./io-address-space.js";
import { readMemoryRegion, type MrDraft } from "./memory-region.js";
import type { CapMap, Channel, ChannelEnd, DomainSchedule, IoAddressSpace, ProtectionDomain, SdfError, SdfWarning, SystemDescription } from "./model.js";
import { finishRegions } from "./promote.js";
import { addSetvar, readProtectionDomain, type PdDraft } from "./protection-domain.js";
import { parseXml, XmlError, type Location, type XmlElement } from "./xml.js";

export interface SdfOptions {
  /** The board and configuration to check against; the AArch64 reference board, debug, if absent. */
  readonly board?: SdfBoard | undefined;
  /** Folders searched, in order, for prefill files; the current directory if absent (upstream adds it last). */
  readonly searchPaths?: readonly string[] | undefined;
  /** How files are read; the host file system if absent. */
  readonly files?: SdfFiles | undefined;
}

export type ParseResult =
  | { readonly ok: true; readonly system: SystemDescription; readonly warnings: readonly SdfWarning[] }
  | { readonly ok: false; readonly errors: readonly SdfError[]; readonly warnings: readonly SdfWarning[] };

export const hostFiles: SdfFiles = {
  exists: (path) => existsSync(path),
  read: (path) => {
    try {
      if (statSync(path).isDirectory()) return { problem: "it is a directory" };
      return new Uint8Array(readFileSync(path));
    } catch (e) {
      // Host I/O failures (permissions, a file removed meanwhile) are the user's to fix, not ours.
      if (e instanceof Error && "code" in e) return { problem: e.message };
      throw e;
    }
  },
};

const TOP_LEVEL = "<protection_domain>, <memory_region>, <channel>, <domains> or <io_address_space>";

function decode(file: string, source: string | Uint8Array): string | SdfError {
  if (typeof source === "string") return source;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(source);
  } catch {
    return { file, line: 1, column: 1, message: "the file is not UTF-8 text; is it a binary file rather than a system description?" };
  }
}

function readRoot(c: Checker, root: XmlElement): void {
  for (const a of root.attributes) c.warn(a.loc, `<system> takes no attributes; ${a.name}="${a.value}" is ignored`);
  // sdf.rs check_no_text: the one place upstream refuses stray text.
  for (const t of root.text) c.error(t.loc, `unexpected text '${t.value.length > 40 ? `${t.value.slice(0, 37)}...` : t.value}' directly inside <system>; only elements and comments belong here`);
}

function toModel(
  c: Checker,
  file: string,
  flat: readonly FlatPd[],
  channels: readonly ChannelDraft[],
  capMaps: ReadonlyMap<PdDraft, CapMap[]>,
  regions: Regions,
  mrs: readonly MrDraft[],
  domains: DomainSchedule | undefined,
  spaces: readonly IoAddressSpace[],
): SystemDescription {
  const pds: ProtectionDomain[] = flat.map(({ draft: d, index, parent, children }) => Object.freeze({
    name: d.name!, index, priority: d.priority, budgetUs: d.budgetUs, periodUs: d.periodUs, passive: d.passive,
    stackSize: d.stackSize, smc: d.smc, fpu: d.fpu, cpu: d.cpu, domain: d.domain, domainName: d.domainName,
    programImage: d.programImage!, maps: d.maps, irqs: d.irqs, ioports: d.ioports, setvars: d.setvars.map((e) => e.setvar),
    capMaps: capMaps.get(d) ?? [], virtualMachine: d.vm, parent, childId: d.childId, setvarId: d.setvarId,
    children, loc: d.el.loc,
  }));
  const regionDrafts = mrs.map((m) => regions.byName.get(m.name!)!);
  const endOf = (e: ChannelDraft["ends"][number]): ChannelEnd => ({ pd: e.pd.name!, pdIndex: e.pdIndex, id: e.id, pp: e.pp, notify: e.notify, setvarId: e.setvarId, loc: e.el.loc });
  const chans: Channel[] = channels.map((ch) => ({ ends: [endOf(ch.ends[0]), endOf(ch.ends[1])], loc: ch.loc }));
  return Object.freeze({
    file,
    arch: c.board.arch,
    protectionDomains: pds,
    memoryRegions: finishRegions(c.board, regionDrafts, pds, spaces),
    channels: chans,
    domains,
    ioAddressSpaces: spaces,
  });
}

export function parseSystem(file: string, source: string | Uint8Array, options: SdfOptions = {}): ParseResult {
  const text = decode(file, source);
  if (typeof text !== "string") return { ok: false, errors: [text], warnings: [] };
  let root: XmlElement;
  try {
    root = parseXml(file, text);
  } catch (e) {
    if (e instanceof XmlError) return { ok: false, errors: [{ ...e.loc, message: e.syntax ? `malformed XML: ${e.message}` : e.message }], warnings: [] };
    throw e;
  }
  const board = options.board ?? defaultSdfBoard();
  const c = new Checker(file, board, options.files ?? hostFiles, options.searchPaths ?? [process.cwd()]);
  if (root.name !== "system") {
    c.error(root.loc, `the root element must be <system>, not <${root.name}>`);
    return { ok: false, errors: c.errors, warnings: c.warnings };
  }
  readRoot(c, root);

  const ctx: ReadContext = { c, board, domains: undefined, domainsBroken: false, firstDomains: root.children.find((e) => e.name === "domains")?.loc };
  const roots: PdDraft[] = [];
  const mrs: MrDraft[] = [];
  const spaces: IoAddressSpace[] = [];
  const registry: IoSpaceRegistry = { names: new Map(), domainIds: new Map(), devices: [] };
  const channelEls: XmlElement[] = [];
  let domains: DomainSchedule | undefined;
  let domainsEl: XmlElement | undefined;
  for (const el of root.children) {
    switch (el.name) {
      case "protection_domain":
        roots.push(readProtectionDomain(ctx, el, undefined));
        break;
      case "channel":
        channelEls.push(el);
        break;
      case "memory_region":
        mrs.push(readMemoryRegion(ctx, el));
        break;
      case "io_address_space": {
        const space = readIoAddressSpace(ctx, el, registry);
        if (space !== undefined) spaces.push(space);
        break;
      }
      case "virtual_machine":
        c.error(el.loc, `<virtual_machine> must be inside the <protection_domain> that runs its VMM, not directly inside <system>`);
        break;
      case "domains": {
        // Upstream refuses a second <domains> only once one has declared a domain.
        if (domainsEl !== undefined && (ctx.domainsBroken || (ctx.domains?.ids.size ?? 0) > 0)) {
          c.error(el.loc, `a system has one <domains>; the first is at ${at(domainsEl.loc)}`);
          break;
        }
        domainsEl = el;
        const read = readDomains(ctx, el);
        ctx.domains = { loc: el.loc, ids: read.ids };
        ctx.domainsBroken = read.schedule === undefined;
        domains = read.schedule;
        break;
      }
      default:
        c.error(el.loc, `<system> cannot contain <${el.name}>; expected ${TOP_LEVEL}`);
    }
  }

  const flat = flatten(c, roots);
  const byName = new Map<string, { pd: PdDraft; index: number }>();
  for (const { draft, index } of flat) if (draft.name !== undefined && !byName.has(draft.name)) byName.set(draft.name, { pd: draft, index });

  const channels: ChannelDraft[] = [];
  for (const el of channelEls) {
    const ch = readChannel(ctx, el, byName);
    if (ch === undefined) continue;
    channels.push(ch);
    for (const end of ch.ends) {
      const a = end.el.attributes.find((x) => x.name === "setvar_id");
      if (a !== undefined) addSetvar(c, end.pd, a.value, { kind: "id", id: end.id }, a.loc, "setvar_id of <end>");
    }
  }

  const capMaps = new Map<PdDraft, CapMap[]>();
  for (const { draft } of flat) {
    const resolved: CapMap[] = [];
    for (const m of draft.capMaps) {
      const target = byName.get(m.pd);
      if (target === undefined) c.error(m.pdLoc, `<cap_${m.type} pd="${m.pd}">: no protection domain has that name${suggest(m.pd, byName.keys())}`);
      else resolved.push({ type: m.type, pd: m.pd, pdIndex: target.index, slot: m.slot, loc: m.loc });
    }
    capMaps.set(draft, resolved);
  }

  const regions: Regions = {
    byName: new Map(mrs.flatMap((m) => (m.region === undefined ? [] : [[m.region.name, m.region] as const]))),
    broken: new Set(mrs.flatMap((m) => (m.region === undefined && m.name !== undefined ? [m.name] : []))),
  };
  checkSystem(c, root.loc, flat, mrs, regions, channels, spaces);
  if (c.errors.length === 0) warnUnused(c, mrs, flat, spaces);

  const warnings = inFileOrder(c.warnings);
  if (c.errors.length > 0) return { ok: false, errors: inFileOrder(c.errors), warnings };
  return { ok: true, system: toModel(c, file, flat, channels, capMaps, regions, mrs, domains, spaces), warnings };
}

const inFileOrder = (list: readonly SdfError[]): SdfError[] =>
  [...list].sort((a, b) => a.line - b.line || a.column - b.column);

/** Upstream prints "WARNING: unused memory region" for a region no <map> names (iomaps do not count). */
function warnUnused(c: Checker, mrs: readonly MrDraft[], flat: readonly FlatPd[], spaces: readonly IoAddressSpace[]): void {
  const mapped = new Set(flat.flatMap(({ draft }) => [...draft.maps, ...(draft.vm?.maps ?? [])].map((m) => m.mr)));
  const deviceMapped = new Set(spaces.flatMap((s) => s.iomaps.map((m) => m.mr)));
  for (const mr of mrs) {
    if (mr.name === undefined || mapped.has(mr.name)) continue;
    const loc: Location = mr.el.loc;
    c.warn(loc, `memory region '${mr.name}' is not mapped by any protection domain or virtual machine${deviceMapped.has(mr.name) ? " (only by an <iomap>)" : ""}`);
  }
}

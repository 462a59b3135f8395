// <protection_domain> and what only it contains: <program_image>, <setvar>, child protection
// domains, and the dispatch to <map>, <irq>, <ioport>, <virtual_machine> and <cspace>
// (sdf.rs ProtectionDomain::from_xml). A child has two more attributes, id and setvar_id.
import { describeBoard } from "./board.js";
import { at, attr, shown, suggest, tag, type Checker, type ReadContext } from "./checker.js";
import { readCSpace, type CapMapDraft } from "./cspace.js";
import { readIoPort, readIrq } from "./irq.js";
import { sdfLimits } from "./limits.js";
import { readMap } from "./map.js";
import type { IoPort, Irq, Mapping, ProgramImage, SetVar, SetVarValue, VirtualMachine } from "./model.js";
import { hex, size } from "./numbers.js";
import { readBudgetPeriod, readCpu, readVirtualMachine } from "./virtual-machine.js";
import type { Location, XmlElement } from "./xml.js";

const PD_ATTRS = ["name", "priority", "budget", "period", "passive", "stack_size", "smc", "cpu", "domain", "fpu"] as const;
const CHILD_ATTRS = [...PD_ATTRS, "id", "setvar_id"] as const;
const CHILD_ELEMENTS = "<program_image>, <map>, <irq>, <setvar>, <protection_domain>, <virtual_machine>, <ioport> or <cspace>";
const SYSTEM_ELEMENTS = ["memory_region", "channel", "domains", "io_address_space"];

export interface SetVarEntry {
  readonly setvar: SetVar;
  /** The attribute that asked for it, e.g. `setvar_vaddr of <map>`. */
  readonly what: string;
}

/** A protection domain as read, before the tree is flattened and cross-references are resolved. */
export interface PdDraft {
  readonly el: XmlElement;
  readonly name: string | undefined;
  readonly priority: number;
  /** False when the priority attribute was bad: checks that compare priorities skip this PD. */
  readonly priorityKnown: boolean;
  readonly budgetUs: bigint;
  readonly periodUs: bigint;
  readonly passive: boolean;
  readonly stackSize: bigint;
  readonly smc: boolean;
  readonly fpu: boolean;
  readonly cpu: number;
  readonly domain: number | undefined;
  readonly domainName: string | undefined;
  programImage: ProgramImage | undefined;
  readonly maps: readonly Mapping[];
  readonly irqs: readonly Irq[];
  readonly ioports: readonly IoPort[];
  readonly setvars: SetVarEntry[];
  readonly capMaps: readonly CapMapDraft[];
  vm: VirtualMachine | undefined;
  readonly children: readonly PdDraft[];
  readonly childId: number | undefined;
  readonly childIdLoc: Location | undefined;
  readonly setvarId: string | undefined;
  /** First virtual address a map may not reach: the bottom of the stack. */
  readonly mapLimit: bigint;
}

/** upstream checked_add_setvar: a symbol is patched at most once per protection domain. */
export function addSetvar(c: Checker, pd: PdDraft, symbol: string, value: SetVarValue, loc: Location, what: string): void {
  const prior = pd.setvars.find((e) => e.setvar.symbol === symbol);
  if (prior !== undefined) {
    c.error(loc, `symbol '${symbol}' of protection domain '${pd.name ?? "?"}' would be patched twice: by this ${what} and by the ${prior.what} at ${at(prior.setvar.loc)}`);
    return;
  }
  pd.setvars.push({ setvar: { symbol, value, loc }, what });
}

/** Where the stack, and so the limit for maps, starts (upstream Config::pd_stack_bottom). */
export function stackBottom(userVSpaceTop: bigint, stackSize: bigint, smallPage: bigint): bigint {
  const ipcBuffer = userVSpaceTop - (userVSpaceTop % smallPage);
  return ipcBuffer - smallPage - stackSize;
}

function readStackSize(ctx: ReadContext, el: XmlElement): bigint {
  const { c, board } = ctx;
  const limits = sdfLimits();
  const a = attr(el, "stack_size");
  const v = c.number(el, a);
  if (v === undefined || a === undefined) return limits.stackDefault;
  if (v < limits.stackMin || v > limits.stackMax) {
    c.error(a.loc, `${tag(el)} ${shown(a)} is out of range: expected ${size(limits.stackMin)} to ${size(limits.stackMax)}`);
    return limits.stackDefault;
  }
  const page = board.pageSizes[0]!;
  if (v % page !== 0n) {
    c.error(a.loc, `${tag(el)} ${shown(a)} is not a multiple of the ${hex(page)}-byte page size`);
    return limits.stackDefault;
  }
  return v;
}

function readSmc(ctx: ReadContext, el: XmlElement): boolean {
  const smc = ctx.c.bool(el, "smc", false);
  const a = attr(el, "smc");
  if (!smc || a === undefined) return smc;
  if (ctx.board.armSmc === undefined) ctx.c.error(a.loc, `${tag(el)} ${shown(a)}: SMC calls exist only on AArch64, and ${describeBoard(ctx.board)} is not`);
  else if (!ctx.board.armSmc) ctx.c.error(a.loc, `${tag(el)} ${shown(a)} needs a kernel that forwards SMC calls (KernelAllowSMCCalls), which ${describeBoard(ctx.board)} lacks`);
  return smc;
}

/** domain: required after a <domains> with domains, refused before one (upstream reads in document order). */
function readDomain(ctx: ReadContext, el: XmlElement): { id: number | undefined; name: string | undefined } {
  const { c } = ctx;
  const a = attr(el, "domain");
  const none = { id: undefined, name: undefined };
  if (ctx.domainsBroken) return none;
  const declared = ctx.domains;
  if (declared !== undefined && declared.ids.size > 0) {
    if (a === undefined) {
      c.error(el.loc, `${tag(el)} needs a 'domain' attribute: the <domains> at ${at(declared.loc)} sets a domain schedule, so every protection_domain after it names its domain`);
      return none;
    }
    const id = declared.ids.get(a.value);
    if (id === undefined) {
      c.error(a.loc, `${tag(el)} ${shown(a)} is not declared in the <domains> at ${at(declared.loc)}${suggest(a.value, declared.ids.keys())}`);
      return none;
    }
    return { id, name: a.value };
  }
  if (a !== undefined) {
    const later = ctx.firstDomains;
    if (declared !== undefined) c.error(a.loc, `${tag(el)} ${shown(a)}: the <domains> at ${at(declared.loc)} declares no <domain>`);
    else if (later !== undefined && (later.line > el.loc.line || (later.line === el.loc.line && later.column > el.loc.column))) {
      c.error(a.loc, `${tag(el)} ${shown(a)} comes before the <domains> at ${at(later)}; the Microkit tool reads the file in order, so <domains> must come before the protection domains that name a domain`);
    } else c.error(a.loc, `${tag(el)} ${shown(a)} names a domain, but the system has no <domains> element with a domain schedule`);
  }
  return none;
}

function readChildId(ctx: ReadContext, el: XmlElement, parentName: string | undefined): number | undefined {
  const { c } = ctx;
  const limits = sdfLimits();
  const a = c.required(el, "id", ` (its id within '${parentName ?? "?"}')`);
  const v = c.number(el, a);
  if (v === undefined || a === undefined) return undefined;
  const slot = limits.childTcbBase + v;
  if (slot >= limits.pdCNodeSlots) {
    // capdl/builder.rs puts the child's TCB at parent CNode slot BASE_TCB_CAP + id and asserts it fits.
    c.error(a.loc, `${tag(el)} ${shown(a)} is too large: the child's TCB goes to slot ${limits.childTcbBase} + id of the parent's ${limits.pdCNodeSlots}-slot CNode, so ids stop at ${limits.pdCNodeSlots - limits.childTcbBase - 1n}`);
    return undefined;
  }
  if (v >= limits.childTcbSlots) {
    c.warn(a.loc, `${tag(el)} ${shown(a)}: the child's TCB goes to slot ${slot} of the parent's CNode, past the ${limits.childTcbSlots} slots kept for child TCBs from BASE_TCB_CAP (${limits.childTcbBase}), among the capabilities kept for vcpus and I/O ports`);
  }
  return Number(v);
}

export function readProtectionDomain(ctx: ReadContext, el: XmlElement, parent: PdDraft | undefined): PdDraft {
  const { c, board } = ctx;
  const limits = sdfLimits();
  c.attributes(el, parent === undefined ? PD_ATTRS : CHILD_ATTRS, (n) =>
    parent === undefined && (n === "id" || n === "setvar_id") ? `only a protection_domain inside another one has ${n === "id" ? "an id" : "a setvar_id"}` : undefined,
  );
  c.ignoredText(el);
  const name = c.required(el, "name", " (a name unique among protection domains)")?.value;
  const childId = parent === undefined ? undefined : readChildId(ctx, el, parent.name);
  const { budgetUs, periodUs } = readBudgetPeriod(ctx, el);
  const passive = c.bool(el, "passive", false);
  const stackSize = readStackSize(ctx, el);
  const smc = readSmc(ctx, el);
  const cpu = attr(el, "cpu") === undefined ? 0 : readCpu(ctx, el) ?? 0;
  const domain = readDomain(ctx, el);
  const priorityAttr = attr(el, "priority");
  const priorityValue = c.inRange(el, priorityAttr!, c.number(el, priorityAttr), 0n, limits.priorityMax, ` (${limits.monitorPriority} is the monitor's)`);
  const priority = Number(priorityValue ?? limits.priorityDefault);
  const priorityKnown = priorityAttr === undefined || priorityValue !== undefined;
  const fpu = c.bool(el, "fpu", true);
  const mapLimit = stackBottom(board.userVSpaceTop, stackSize, board.pageSizes[0]!);

  const maps: Mapping[] = [];
  const irqs: Irq[] = [];
  const ioports: IoPort[] = [];
  const capMaps: CapMapDraft[] = [];
  const children: PdDraft[] = [];
  let programImageEl: XmlElement | undefined;
  let vmEl: XmlElement | undefined;
  let cspaceEl: XmlElement | undefined;
  const draft: PdDraft = {
    el, name, priority, priorityKnown, budgetUs, periodUs, passive, stackSize, smc, fpu, cpu, domain: domain.id, domainName: domain.name,
    programImage: undefined,
    maps, irqs, ioports, setvars: [], capMaps,
    vm: undefined,
    children, childId, childIdLoc: attr(el, "id")?.loc, setvarId: parent === undefined ? undefined : attr(el, "setvar_id")?.value, mapLimit,
  };

  for (const child of el.children) {
    switch (child.name) {
      case "program_image": {
        c.attributes(child, ["path", "path_for_symbols"]);
        c.ignoredChildren(child);
        c.ignoredText(child);
        if (programImageEl !== undefined) {
          c.error(child.loc, `${tag(el)} has a second <program_image>; the first is at ${at(programImageEl.loc)}`);
          break;
        }
        programImageEl = child;
        const path = c.required(child, "path", " (the ELF file of the protection domain)");
        if (path !== undefined) draft.programImage = { path: path.value, pathForSymbols: attr(child, "path_for_symbols")?.value, loc: child.loc };
        break;
      }
      case "map": {
        const m = readMap(ctx, child, { setvars: true, maxVaddr: mapLimit, limit: `where the protection domain's ${size(stackSize)} stack begins` });
        if (m === undefined) break;
        maps.push(m.mapping);
        for (const a of m.setvars) {
          const value: SetVarValue = a.name === "setvar_vaddr" ? { kind: "vaddr", address: m.mapping.vaddr }
            : a.name === "setvar_size" ? { kind: "size", mr: m.mapping.mr } : { kind: "prefill_size", mr: m.mapping.mr };
          addSetvar(c, draft, a.value, value, a.loc, `${a.name} of <map>`);
        }
        break;
      }
      case "irq": {
        const irq = readIrq(ctx, child);
        if (irq === undefined) break;
        irqs.push(irq);
        if (irq.setvarId !== undefined) addSetvar(c, draft, irq.setvarId, { kind: "id", id: irq.id }, attr(child, "setvar_id")!.loc, "setvar_id of <irq>");
        break;
      }
      case "ioport": {
        const port = readIoPort(ctx, child);
        if (port === undefined) break;
        ioports.push(port);
        if (port.setvarId !== undefined) addSetvar(c, draft, port.setvarId, { kind: "id", id: port.id }, attr(child, "setvar_id")!.loc, "setvar_id of <ioport>");
        if (port.setvarAddr !== undefined) addSetvar(c, draft, port.setvarAddr, { kind: "ioport_addr", address: port.addr }, attr(child, "setvar_addr")!.loc, "setvar_addr of <ioport>");
        break;
      }
      case "setvar": {
        c.attributes(child, ["symbol", "region_paddr"]);
        c.ignoredChildren(child);
        c.ignoredText(child);
        const symbol = c.required(child, "symbol", " (the symbol to patch)");
        const region = c.required(child, "region_paddr", " (the memory region whose physical address the symbol receives)");
        if (symbol !== undefined && region !== undefined) addSetvar(c, draft, symbol.value, { kind: "paddr", region: region.value }, child.loc, "<setvar>");
        break;
      }
      case "protection_domain": {
        const sub = readProtectionDomain(ctx, child, draft);
        children.push(sub);
        if (sub.setvarId !== undefined && sub.childId !== undefined) {
          addSetvar(c, draft, sub.setvarId, { kind: "id", id: sub.childId }, attr(child, "setvar_id")!.loc, "setvar_id of child <protection_domain>");
        }
        break;
      }
      case "virtual_machine": {
        if (!board.hypervisor) c.error(child.loc, `<virtual_machine> needs a kernel built as a hypervisor, and ${describeBoard(board)} is not one`);
        if (vmEl !== undefined) {
          c.error(child.loc, `${tag(el)} has a second <virtual_machine>; the first is at ${at(vmEl.loc)}`);
          break;
        }
        vmEl = child;
        draft.vm = readVirtualMachine(ctx, child, { priority, budgetUs, periodUs, cpu });
        break;
      }
      case "cspace": {
        if (cspaceEl !== undefined) {
          c.error(child.loc, `${tag(el)} has a second <cspace>; the first is at ${at(cspaceEl.loc)}`);
          break;
        }
        cspaceEl = child;
        capMaps.push(...readCSpace(ctx, child));
        break;
      }
      default:
        if (SYSTEM_ELEMENTS.includes(child.name)) c.error(child.loc, `<${child.name}> belongs directly inside <system>, not inside ${tag(el)}`);
        else c.error(child.loc, `${tag(el)} cannot contain <${child.name}>; expected ${CHILD_ELEMENTS}`);
    }
  }
  if (programImageEl === undefined) c.error(el.loc, `${tag(el)} has no <program_image>; every protection domain needs one`);
  return draft;
}

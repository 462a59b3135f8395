// Rules across the whole system, made once every element is read (the second half of sdf.rs
// parse(), plus the few SDF-only conditions upstream only meets later, in capdl/builder.rs and
// symbols.rs, where it stops with a panic). Each finding names both places involved.
import { describeBoard } from "./board.js";
import { at, attr, placeOf, suggest, type Checker } from "./checker.js";
import type { ChannelDraft } from "./channel.js";
import { pciText } from "./io-address-space.js";
import { CAPDL_MAX_IOVA, sdfLimits } from "./limits.js";
import type { MrDraft, RegionDraft } from "./memory-region.js";
import { irqNumber, type IoAddressSpace, type Location } from "./model.js";
import { hex, U64_MAX } from "./numbers.js";
import type { PdDraft } from "./protection-domain.js";

/** A protection domain in upstream's flattened order: each parent followed by its subtree. */
export interface FlatPd {
  readonly draft: PdDraft;
  readonly index: number;
  readonly parent: number | undefined;
  readonly children: number[];
}

/** The memory regions by name: complete ones, and the names of those that had errors. */
export interface Regions {
  readonly byName: ReadonlyMap<string, RegionDraft>;
  readonly broken: ReadonlySet<string>;
}

/** sdf.rs pd_flatten / pd_tree_to_list, with its checks on child ids. */
export function flatten(c: Checker, roots: readonly PdDraft[]): FlatPd[] {
  const all: FlatPd[] = [];
  const visit = (draft: PdDraft, parent: number | undefined): void => {
    const me: FlatPd = { draft, index: all.length, parent, children: [] };
    all.push(me);
    const ids = new Map<number, PdDraft>();
    for (const child of draft.children) {
      if (child.childId === undefined) continue;
      const prior = ids.get(child.childId);
      const where = child.childIdLoc ?? child.el.loc;
      if (prior !== undefined) {
        c.error(where, `child id ${child.childId} of protection domain '${draft.name ?? "?"}' is already used by the <protection_domain> at ${at(prior.el.loc)}`);
      } else ids.set(child.childId, child);
      const vcpu = draft.vm?.vcpus.find((v) => v.id === child.childId);
      if (vcpu !== undefined) {
        c.error(where, `child id ${child.childId} of protection domain '${draft.name ?? "?"}' is also the id of the <vcpu> at ${at(vcpu.loc)} of its virtual machine '${draft.vm!.name}'`);
      }
    }
    for (const child of draft.children) {
      me.children.push(all.length);
      visit(child, me.index);
    }
  };
  for (const root of roots) visit(root, undefined);
  return all;
}

function checkNames(c: Checker, pds: readonly FlatPd[], mrs: readonly MrDraft[], root: Location): void {
  const limits = sdfLimits();
  if (pds.length === 0) c.error(root, `<system> has no <protection_domain>; a system needs at least one`);
  if (pds.length > limits.maxPds) {
    c.error(pds[limits.maxPds]!.draft.el.loc, `too many protection domains: the system has ${pds.length}, children included, and at most ${limits.maxPds} are allowed`);
  }
  const pdNames = new Map<string, PdDraft>();
  for (const { draft } of pds) {
    if (draft.name === undefined) continue;
    const nameLoc = attr(draft.el, "name")!.loc;
    const prior = pdNames.get(draft.name);
    if (prior !== undefined) c.error(nameLoc, `protection domain name '${draft.name}' is already used by the <protection_domain> at ${at(prior.el.loc)}`);
    else pdNames.set(draft.name, draft);
    if (draft.name === limits.monitorName) c.error(nameLoc, `the name '${limits.monitorName}' is reserved for the Microkit monitor`);
    const bytes = new TextEncoder().encode(draft.name).length;
    if (bytes > limits.nameBytes) {
      c.warn(nameLoc, `protection domain name '${draft.name}' is ${bytes} bytes long; the monitor and libmicrokit keep only the first ${limits.nameBytes}`);
    }
  }
  const mrNames = new Map<string, MrDraft>();
  for (const mr of mrs) {
    if (mr.name === undefined) continue;
    const prior = mrNames.get(mr.name);
    if (prior !== undefined) c.error(attr(mr.el, "name")!.loc, `memory region name '${mr.name}' is already used by the <memory_region> at ${at(prior.el.loc)}`);
    else mrNames.set(mr.name, mr);
  }
  const vmNames = new Map<string, Location>();
  let vcpus = 0;
  for (const { draft } of pds) {
    const vm = draft.vm;
    if (vm === undefined) continue;
    const prior = vmNames.get(vm.name);
    if (prior !== undefined) c.error(placeOf(vm, "name"), `virtual machine name '${vm.name}' is already used by the <virtual_machine> at ${at(prior)}`);
    else vmNames.set(vm.name, vm.loc);
    for (const v of vm.vcpus) {
      // symbols.rs writes one monitor name entry per vcpu into a table of MAX_VMS + 1 entries.
      if (++vcpus === limits.monitorVmNames + 1) c.error(v.loc, `too many vcpus: the monitor's table names at most ${limits.monitorVmNames} vcpus across all virtual machines`);
    }
  }
}

interface IdUse {
  readonly what: string;
  readonly loc: Location;
}

function checkIdsAndIrqs(c: Checker, pds: readonly FlatPd[], channels: readonly ChannelDraft[], x86: boolean): void {
  const irqNumbers = new Map<bigint, { pd: string; loc: Location }>();
  const ids = pds.map(() => new Map<number, IdUse>());
  for (const { draft, index } of pds) {
    for (const irq of draft.irqs) {
      const n = irqNumber(irq);
      const what = irq.kind === "conventional" ? `irq ${n}` : `vector ${n}`;
      const place = placeOf(irq, irq.kind === "conventional" ? "irq" : "vector");
      const prior = irqNumbers.get(n);
      if (prior !== undefined) c.error(place, `${what} is already taken by protection domain '${prior.pd}' (the <irq> at ${at(prior.loc)}); an interrupt has one handler`);
      else irqNumbers.set(n, { pd: draft.name ?? "?", loc: irq.loc });
      const used = ids[index]!.get(irq.id);
      if (used !== undefined) c.error(placeOf(irq, "id"), `channel id ${irq.id} of protection domain '${draft.name ?? "?"}' is already used by the ${used.what} at ${at(used.loc)}`);
      else ids[index]!.set(irq.id, { what: "<irq>", loc: irq.loc });
    }
  }
  for (const ch of channels) {
    // sdf.rs checks both ends against earlier ids before recording either.
    for (const end of ch.ends) {
      const used = ids[end.pdIndex]!.get(end.id);
      if (used !== undefined) c.error(attr(end.el, "id")!.loc, `channel id ${end.id} of protection domain '${end.pd.name ?? "?"}' is already used by the ${used.what} at ${at(used.loc)}`);
    }
    const [a, b] = ch.ends;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      if (!from.pp) continue;
      const ppLoc = attr(from.el, "pp")!.loc;
      if (from.pd.priorityKnown && to.pd.priorityKnown && from.pd.priority >= to.pd.priority) {
        c.error(ppLoc, `pp="true" lets '${from.pd.name}' (priority ${from.pd.priority}) call '${to.pd.name}' (priority ${to.pd.priority}): protected procedure calls go only to a strictly higher priority`);
      }
      if (x86 && to.pd.vm !== undefined) {
        c.error(ppLoc, `pp="true" lets '${from.pd.name}' call '${to.pd.name}', which has a virtual machine: on x86_64 a protection domain with a vcpu cannot receive protected procedure calls`);
      }
    }
    for (const end of ch.ends) {
      if (!ids[end.pdIndex]!.has(end.id)) ids[end.pdIndex]!.set(end.id, { what: "<end>", loc: end.el.loc });
    }
  }
}

function checkIoPorts(c: Checker, pds: readonly FlatPd[]): void {
  const seen: { pd: string; id: number; start: bigint; end: bigint; loc: Location }[] = [];
  for (const { draft } of pds) {
    const ids = new Map<number, Location>();
    for (const port of draft.ioports) {
      const prior = ids.get(port.id);
      if (prior !== undefined) c.error(placeOf(port, "id"), `I/O port id ${port.id} of protection domain '${draft.name ?? "?"}' is already used by the <ioport> at ${at(prior)}`);
      else ids.set(port.id, port.loc);
      const start = port.addr;
      const end = port.addr + port.size;
      const other = seen.find((s) => start < s.end && s.start < end);
      if (other !== undefined) {
        c.error(placeOf(port, "addr"), `I/O ports [${hex(start)}..${hex(end)}) of '${draft.name ?? "?"}' overlap ports [${hex(other.start)}..${hex(other.end)}) of '${other.pd}' (the <ioport> at ${at(other.loc)})`);
      }
      seen.push({ pd: draft.name ?? "?", id: port.id, start, end, loc: port.loc });
    }
  }
}

interface Placed {
  readonly mr: string;
  readonly addr: bigint;
  readonly loc: Location;
  readonly obj: { readonly loc: Location };
}

/** sdf.rs check_maps: region exists, aligned to its pages, inside [0, maxEnd), no overlap in the space. */
function checkMaps(c: Checker, regions: Regions, maps: readonly Placed[], element: string, addrName: string, space: string, maxEnd: bigint, limit: string): void {
  const done: { mr: string; start: bigint; end: bigint; loc: Location }[] = [];
  for (const m of maps) {
    const mr = regions.byName.get(m.mr);
    if (mr === undefined) {
      if (!regions.broken.has(m.mr)) c.error(placeOf(m.obj, "mr"), `<${element} mr="${m.mr}">: no memory region has that name${suggest(m.mr, [...regions.byName.keys(), ...regions.broken])}`);
      continue;
    }
    const addrLoc = placeOf(m.obj, addrName);
    if (m.addr % mr.pageSize !== 0n) {
      c.error(addrLoc, `<${element} mr="${m.mr}"> ${addrName}=${hex(m.addr)} is not a multiple of the region's page size ${hex(mr.pageSize)}`);
    }
    const start = m.addr;
    const end = m.addr + mr.size;
    if (end > U64_MAX) {
      c.error(addrLoc, `<${element} mr="${m.mr}"> at ${hex(start)} with size ${hex(mr.size)} runs past the end of the 64-bit address space`);
      continue;
    }
    if (end > maxEnd) {
      c.error(addrLoc, `<${element} mr="${m.mr}"> covers [${hex(start)}..${hex(end)}), which goes past ${hex(maxEnd)}, ${limit}`);
    }
    const other = done.find((d) => start < d.end && d.start < end);
    if (other !== undefined) {
      c.error(addrLoc, `<${element} mr="${m.mr}"> covers [${hex(start)}..${hex(end)}), which overlaps the map of '${other.mr}' [${hex(other.start)}..${hex(other.end)}) at ${at(other.loc)} in ${space}`);
    }
    done.push({ mr: m.mr, start, end, loc: m.loc });
  }
}

function checkAllMaps(c: Checker, pds: readonly FlatPd[], regions: Regions, spaces: readonly IoAddressSpace[]): void {
  const { userVSpaceTop, pageSizes } = c.board;
  for (const { draft } of pds) {
    const placed = draft.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, loc: m.loc, obj: m }));
    checkMaps(c, regions, placed, "map", "vaddr", `protection domain '${draft.name ?? "?"}'`, draft.mapLimit, "where the stack of the protection domain begins");
    const vm = draft.vm;
    if (vm !== undefined) {
      const vmPlaced = vm.maps.map((m) => ({ mr: m.mr, addr: m.vaddr, loc: m.loc, obj: m }));
      checkMaps(c, regions, vmPlaced, "map", "vaddr", `virtual machine '${vm.name}'`, userVSpaceTop + 1n, "the top of a virtual machine's address space");
    }
  }
  for (const space of spaces) {
    for (const m of space.iomaps) {
      const mr = regions.byName.get(m.mr);
      if (mr !== undefined && mr.pageSize !== pageSizes[0]) {
        c.error(placeOf(m, "mr"), `<iomap mr="${m.mr}">: memory region '${m.mr}' has ${hex(mr.pageSize)}-byte pages, but seL4's IOMMU support maps only ${hex(pageSizes[0]!)}-byte pages`);
      }
    }
    const placed = space.iomaps.map((m) => ({ mr: m.mr, addr: m.iovaddr, loc: m.loc, obj: m }));
    checkMaps(c, regions, placed, "iomap", "iovaddr", `the IO address space of PCI device ${pciText(space.peripheral)}`, CAPDL_MAX_IOVA + 1n, "the top of an IO address space");
  }
}

function checkCapMaps(c: Checker, pds: readonly FlatPd[]): void {
  for (const { draft } of pds) {
    const slots = new Map<number, Location>();
    for (const cap of draft.capMaps) {
      const prior = slots.get(cap.slot);
      if (prior !== undefined) c.error(cap.slotLoc, `slot ${cap.slot} of the CSpace of '${draft.name ?? "?"}' is already filled by the capability at ${at(prior)}`);
      else slots.set(cap.slot, cap.loc);
    }
  }
}

function checkPhysicalOverlaps(c: Checker, mrs: readonly MrDraft[]): void {
  const done: { name: string; start: bigint; end: bigint; loc: Location }[] = [];
  for (const { region } of mrs) {
    if (region?.physAddr === undefined) continue;
    const start = region.physAddr;
    const end = start + region.size;
    const other = done.find((d) => start < d.end && d.start < end);
    if (other !== undefined) {
      c.error(placeOf(region, "phys_addr"), `memory region '${region.name}' [${hex(start)}..${hex(end)}) overlaps memory region '${other.name}' [${hex(other.start)}..${hex(other.end)}) at ${at(other.loc)} in physical memory`);
    }
    done.push({ name: region.name, start, end, loc: region.loc });
  }
}

function checkSetvars(c: Checker, pds: readonly FlatPd[], regions: Regions, x86: boolean): void {
  for (const { draft } of pds) {
    for (const { setvar, what } of draft.setvars) {
      const v = setvar.value;
      if (v.kind === "prefill_size") {
        const mr = regions.byName.get(v.mr);
        if (mr !== undefined && mr.prefill === undefined) {
          c.error(setvar.loc, `${what} asks for the prefill size of memory region '${v.mr}', but that region (at ${at(mr.loc)}) has no prefill_path`);
        }
      } else if (v.kind === "paddr") {
        const mr = regions.byName.get(v.region);
        if (mr === undefined) {
          // symbols.rs indexes the regions by this name and panics when it is missing.
          if (!regions.broken.has(v.region)) c.error(setvar.loc, `<setvar region_paddr="${v.region}">: no memory region has that name${suggest(v.region, regions.byName.keys())}`);
        } else if (x86 && mr.physAddr === undefined) {
          c.error(setvar.loc, `<setvar region_paddr="${v.region}">: on x86_64 the physical memory layout is known only at boot, so memory region '${v.region}' (at ${at(mr.loc)}) needs a phys_addr`);
        }
      }
    }
  }
}

export function checkSystem(
  c: Checker,
  root: Location,
  pds: readonly FlatPd[],
  mrs: readonly MrDraft[],
  regions: Regions,
  channels: readonly ChannelDraft[],
  spaces: readonly IoAddressSpace[],
): void {
  const board = c.board;
  const x86 = board.arch === "x86_64";
  checkNames(c, pds, mrs, root);
  if (x86) {
    for (const { draft } of pds) {
      if (draft.vm !== undefined && draft.children.length > 0) {
        c.error(draft.vm.loc, `on x86_64 a protection domain with a virtual machine cannot also have child protection domains ('${draft.name ?? "?"}' has both, ${describeBoard(board)})`);
      }
    }
  }
  checkIdsAndIrqs(c, pds, channels, x86);
  checkIoPorts(c, pds);
  checkAllMaps(c, pds, regions, spaces);
  checkCapMaps(c, pds);
  checkPhysicalOverlaps(c, mrs);
  checkSetvars(c, pds, regions, x86);
}

// <io_address_space> with its <iomap>s: the IOMMU address space of one device (sdf.rs
// IOAddressSpace::from_xml, SysIOMap::from_xml). Devices are PCI bus:device.function on x86_64, the
// only architecture where the Microkit tool supports an IOMMU; elsewhere the element is refused.
import { describeBoard } from "./board.js";
import { at, attr, remember, shown, tag, type ReadContext } from "./checker.js";
import { readPciDevice } from "./irq.js";
import { CAPDL_MAX_IOVA } from "./limits.js";
import type { IoAddressSpace, IoMap, PciDevice } from "./model.js";
import { hex } from "./numbers.js";
import type { Location, XmlElement } from "./xml.js";

/** What must be unique across all <io_address_space> elements. */
export interface IoSpaceRegistry {
  readonly names: Map<string, Location>;
  readonly domainIds: Map<bigint, Location>;
  readonly devices: { readonly device: PciDevice; readonly loc: Location }[];
}

const pciText = (d: PciDevice): string =>
  `${d.bus.toString(16).padStart(2, "0")}:${d.device.toString(16).padStart(2, "0")}.${d.function.toString(16)}`;

function readIoMap(ctx: ReadContext, el: XmlElement): IoMap | undefined {
  const { c } = ctx;
  c.attributes(el, ["mr", "iovaddr", "perms"]);
  c.ignoredChildren(el);
  c.ignoredText(el);
  const mr = c.required(el, "mr", " (the memory region to map)");
  const iovaAttr = c.required(el, "iovaddr", " (the IO virtual address the device sees)");
  let iovaddr = c.number(el, iovaAttr);
  if (iovaddr !== undefined && iovaddr > CAPDL_MAX_IOVA) {
    c.error(iovaAttr!.loc, `${tag(el)} ${shown(iovaAttr!)} is too high: IO virtual addresses are below ${hex(CAPDL_MAX_IOVA + 1n)}`);
    iovaddr = undefined;
  }
  let perms = { read: true, write: true };
  const permsAttr = attr(el, "perms");
  if (permsAttr !== undefined) {
    if (/^[rw]+$/.test(permsAttr.value)) perms = { read: permsAttr.value.includes("r"), write: permsAttr.value.includes("w") };
    else {
      c.error(permsAttr.loc, `${tag(el)} ${shown(permsAttr)}: a device mapping's perms are r, w or rw`);
      return undefined;
    }
  }
  if (mr === undefined || iovaddr === undefined) return undefined;
  return remember({ mr: mr.value, iovaddr, perms, loc: el.loc }, el);
}

export function readIoAddressSpace(ctx: ReadContext, el: XmlElement, registry: IoSpaceRegistry): IoAddressSpace | undefined {
  const { c, board } = ctx;
  c.attributes(el, ["name", "peripheral_id", "domain_id"]);
  c.ignoredText(el);
  if (!board.iommu) {
    c.error(el.loc, `<io_address_space> needs a kernel with IOMMU support, and ${describeBoard(board)} has none`);
    return undefined;
  }
  const name = c.required(el, "name", " (a name unique among IO address spaces)");
  if (name !== undefined) {
    const prior = registry.names.get(name.value);
    if (prior !== undefined) c.error(name.loc, `${tag(el)}: another <io_address_space> at ${at(prior)} has the name '${name.value}'`);
    else registry.names.set(name.value, el.loc);
  }
  let domainId: bigint | undefined = 0n;
  if (board.arch === "x86_64") {
    const a = c.required(el, "domain_id", " (the IOMMU domain, unique per device)");
    domainId = c.number(el, a);
    if (domainId !== undefined) {
      const prior = registry.domainIds.get(domainId);
      if (prior !== undefined) {
        c.error(a!.loc, `${tag(el)} ${shown(a!)}: the <io_address_space> at ${at(prior)} already uses domain id ${domainId}; each device needs its own`);
        domainId = undefined;
      } else registry.domainIds.set(domainId, el.loc);
    }
  }
  const idAttr = c.required(el, "peripheral_id", " (the device, as the IOMMU identifies it)");
  let device: PciDevice | undefined;
  if (idAttr !== undefined) {
    if (board.arch !== "x86_64") {
      c.error(idAttr.loc, `${tag(el)} ${shown(idAttr)}: the Microkit tool knows IOMMU device identifiers only on x86_64 (PCI bus:device.function), not on ${board.arch}`);
    } else {
      device = readPciDevice(c, el, idAttr);
      const d = device;
      const prior = d === undefined ? undefined : registry.devices.find((x) => x.device.bus === d.bus && x.device.device === d.device && x.device.function === d.function);
      if (prior !== undefined) {
        c.error(idAttr.loc, `${tag(el)} ${shown(idAttr)}: PCI device ${pciText(prior.device)} already has the <io_address_space> at ${at(prior.loc)}`);
        device = undefined;
      } else if (d !== undefined) registry.devices.push({ device: d, loc: el.loc });
    }
  }
  const iomaps: IoMap[] = [];
  for (const child of el.children) {
    if (child.name !== "iomap") {
      c.error(child.loc, `${tag(el)} cannot contain <${child.name}>; expected <iomap>`);
      continue;
    }
    const m = readIoMap(ctx, child);
    if (m !== undefined) iomaps.push(m);
  }
  if (name === undefined || domainId === undefined || device === undefined) return undefined;
  return { name: name.value, peripheral: device, domainId, iomaps, loc: el.loc };
}

export { pciText };

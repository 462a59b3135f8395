// <map>: a memory region in a protection domain's or a virtual machine's address space
// (sdf.rs SysMap::from_xml). Whether the region exists, alignment and overlaps are checked once all
// regions are known (checks.ts).
import { attr, remember, shown, tag, type ReadContext } from "./checker.js";
import type { MapPerms, Mapping } from "./model.js";
import { hex } from "./numbers.js";
import type { XmlAttribute, XmlElement } from "./xml.js";

const MAP_ATTRS = ["mr", "vaddr", "perms", "cached"] as const;
export const MAP_SETVAR_ATTRS = ["setvar_vaddr", "setvar_size", "setvar_prefill_size"] as const;

export interface MapPlace {
  /** setvar_* attributes are allowed (protection domains; virtual machines have no image to patch). */
  readonly setvars: boolean;
  /** First virtual address a map may not start at. */
  readonly maxVaddr: bigint;
  /** Why that is the limit, for the message. */
  readonly limit: string;
}

export interface MapRead {
  readonly mapping: Mapping;
  readonly setvars: readonly XmlAttribute[];
}

/** perms: any combination of r, w and x; write-only is refused (seL4 cannot map it on any architecture). */
function perms(ctx: ReadContext, el: XmlElement): MapPerms {
  const a = attr(el, "perms");
  if (a === undefined) return { read: true, write: true, execute: false };
  if (!/^[rwx]*$/.test(a.value)) {
    ctx.c.error(a.loc, `${tag(el)} ${shown(a)} may contain only the letters r, w and x`);
    return { read: true, write: true, execute: false };
  }
  const p = { read: a.value.includes("r"), write: a.value.includes("w"), execute: a.value.includes("x") };
  if (p.write && !p.read && !p.execute) ctx.c.error(a.loc, `${tag(el)} ${shown(a)} would be a write-only mapping, which seL4 cannot make; use perms="rw"`);
  if (a.value === "") ctx.c.warn(a.loc, `${tag(el)} perms="" maps the region with no access at all`);
  return p;
}

export function readMap(ctx: ReadContext, el: XmlElement, place: MapPlace): MapRead | undefined {
  const { c } = ctx;
  c.attributes(el, place.setvars ? [...MAP_ATTRS, ...MAP_SETVAR_ATTRS] : MAP_ATTRS, (name) =>
    !place.setvars && (MAP_SETVAR_ATTRS as readonly string[]).includes(name)
      ? "a virtual machine has no program image whose symbols could be patched"
      : undefined,
  );
  c.ignoredChildren(el);
  c.ignoredText(el);
  const mr = c.required(el, "mr", " (the memory region to map)");
  const vaddrAttr = c.required(el, "vaddr", " (the virtual address to map the region at)");
  let vaddr = c.number(el, vaddrAttr);
  if (vaddr !== undefined && vaddr >= place.maxVaddr) {
    c.error(vaddrAttr!.loc, `${tag(el)} ${shown(vaddrAttr!)} is too high: a map must start below ${hex(place.maxVaddr)}, ${place.limit}`);
    vaddr = undefined;
  }
  const p = perms(ctx, el);
  const cached = c.bool(el, "cached", true);
  // Upstream adds them in this order whatever the order of the attributes.
  const setvars = place.setvars ? MAP_SETVAR_ATTRS.flatMap((n) => attr(el, n) ?? []) : [];
  if (mr === undefined || vaddr === undefined) return undefined;
  return { mapping: remember({ mr: mr.value, vaddr, perms: p, cached, loc: el.loc }, el), setvars };
}

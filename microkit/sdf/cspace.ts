// <cspace>: other protection domains' TCB, scheduling context or VSpace capabilities placed in this
// protection domain's root CNode (sdf.rs CSpace::from_xml, CapMap::from_xml). The named PD is
// resolved once every PD is known (parse.ts).
import { shown, tag, type ReadContext } from "./checker.js";
import { sdfLimits } from "./limits.js";
import type { CapMapType } from "./model.js";
import type { Location, XmlElement } from "./xml.js";

export interface CapMapDraft {
  readonly type: CapMapType;
  readonly pd: string;
  readonly pdLoc: Location;
  readonly slot: number;
  readonly slotLoc: Location;
  readonly loc: Location;
}

const CAP_ELEMENTS: Readonly<Record<string, CapMapType>> = { cap_tcb: "tcb", cap_sc: "sc", cap_vspace: "vspace" };

export function readCSpace(ctx: ReadContext, el: XmlElement): CapMapDraft[] {
  const { c } = ctx;
  const limit = sdfLimits().capSlotLimit;
  const rootSlots = sdfLimits().rootCNodeSlots;
  c.attributes(el, []);
  c.ignoredText(el);
  const maps: CapMapDraft[] = [];
  for (const child of el.children) {
    const type = CAP_ELEMENTS[child.name];
    if (type === undefined) {
      const kinds = Object.keys(CAP_ELEMENTS).map((k) => `<${k}>`).join(", ");
      if (child.name.startsWith("cap_")) c.error(child.loc, `<${child.name}>: capability type '${child.name.slice(4)}' is not supported; expected ${kinds}`);
      else c.error(child.loc, `<cspace> cannot contain <${child.name}>; expected ${kinds}`);
      continue;
    }
    c.attributes(child, ["slot", "pd"]);
    c.ignoredChildren(child);
    c.ignoredText(child);
    const pd = c.required(child, "pd", " (the protection domain the capability comes from)");
    const slotAttr = c.required(child, "slot", " (the slot in this protection domain's CSpace)");
    let slot = c.number(child, slotAttr);
    if (slot !== undefined && slot === 0n) {
      c.error(slotAttr!.loc, `${tag(child)} ${shown(slotAttr!)}: slot 0 holds the Microkit CNode; use 1..${limit - 1n}`);
      slot = undefined;
    } else if (slot !== undefined && slot >= limit) {
      c.error(slotAttr!.loc, `${tag(child)} ${shown(slotAttr!)} is out of range: the slots available are 1..${limit - 1n}`);
      slot = undefined;
    } else if (slot !== undefined && slot >= rootSlots) {
      c.warn(slotAttr!.loc, `${tag(child)} ${shown(slotAttr!)}: the Microkit tool accepts slots up to ${limit - 1n}, but the root CNode has ${rootSlots} slots and microkit_cspace_root_slot_to_cptr(${slot}) returns seL4_CapNull`);
    }
    if (pd !== undefined && slot !== undefined) maps.push({ type, pd: pd.value, pdLoc: pd.loc, slot: Number(slot), slotLoc: slotAttr!.loc, loc: child.loc });
  }
  return maps;
}

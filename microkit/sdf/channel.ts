// <channel> with its two <end>s (sdf.rs Channel::from_xml, ChannelEnd::from_xml). Channels are read
// after every protection domain, children included, because an end names one.
import { attr, suggest, tag, type ReadContext } from "./checker.js";
import { readId } from "./irq.js";
import type { PdDraft } from "./protection-domain.js";
import type { Location, XmlElement } from "./xml.js";

const END_ATTRS = ["pd", "id", "pp", "notify", "setvar_id"] as const;

export interface EndDraft {
  readonly pd: PdDraft;
  readonly pdIndex: number;
  readonly id: number;
  readonly pp: boolean;
  readonly notify: boolean;
  readonly setvarId: string | undefined;
  readonly el: XmlElement;
}

export interface ChannelDraft {
  readonly ends: readonly [EndDraft, EndDraft];
  readonly loc: Location;
}

/** `pds` are all protection domains by name, in flattened order (index), first of each name. */
export function readChannel(ctx: ReadContext, el: XmlElement, pds: ReadonlyMap<string, { pd: PdDraft; index: number }>): ChannelDraft | undefined {
  const { c } = ctx;
  c.attributes(el, []);
  c.ignoredText(el);
  const ends: EndDraft[] = [];
  let complete = true;
  for (const child of el.children) {
    if (child.name !== "end") {
      c.error(child.loc, `<channel> cannot contain <${child.name}>; it has exactly two <end> elements`);
      complete = false;
      continue;
    }
    c.attributes(child, END_ATTRS);
    c.ignoredChildren(child);
    c.ignoredText(child);
    const pdAttr = c.required(child, "pd", " (the protection domain at this end)");
    const id = readId(c, child, c.required(child, "id", " (the channel id within that protection domain)"), "channel");
    const notify = c.bool(child, "notify", true);
    const pp = c.bool(child, "pp", false);
    const target = pdAttr === undefined ? undefined : pds.get(pdAttr.value);
    if (pdAttr !== undefined && target === undefined) {
      c.error(pdAttr.loc, `${tag(child)}: no protection domain has that name${suggest(pdAttr.value, pds.keys())}`);
    }
    if (target === undefined || id === undefined) {
      complete = false;
      continue;
    }
    ends.push({ pd: target.pd, pdIndex: target.index, id, pp, notify, setvarId: attr(child, "setvar_id")?.value, el: child });
  }
  const count = el.children.filter((e) => e.name === "end").length;
  if (count !== 2 && count === el.children.length) {
    c.error(el.loc, `<channel> has ${count === 0 ? "no" : count} <end> element${count === 1 ? "" : "s"}; a channel has exactly two`);
    return undefined;
  }
  if (!complete || count !== 2 || ends.length !== 2) return undefined;
  const [a, b] = ends as [EndDraft, EndDraft];
  if (a.pp && b.pp) {
    c.error(attr(b.el, "pp")!.loc, `pp="true" is set on both ends of the <channel>: a protected procedure call goes one way, so only the caller's end has pp="true"`);
    return undefined;
  }
  return { ends: [a, b], loc: el.loc };
}

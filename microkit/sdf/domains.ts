// <domains>: named seL4 scheduling domains and the kernel's domain schedule (sdf.rs Domains::from_xml
// and its helpers). Ids not given are handed out lowest-free-first; upstream iterates a hash map to
// do so, so its assignment order varies from run to run; here it is document order.
import { describeBoard } from "./board.js";
import { at, attr, shown, suggest, tag, type ReadContext } from "./checker.js";
import type { Domain, DomainSchedule, ScheduleEntry } from "./model.js";
import { parseSdfNumber } from "./numbers.js";
import type { Location, XmlElement } from "./xml.js";

export interface DomainsRead {
  /** Every declared name with its id (undefined when none could be given), for the PDs that follow. */
  readonly ids: ReadonlyMap<string, number>;
  /** The complete schedule, or undefined after an error. */
  readonly schedule: DomainSchedule | undefined;
}

function readSchedule(ctx: ReadContext, el: XmlElement, domains: readonly Domain[], names: ReadonlySet<string>): Omit<DomainSchedule, "domains" | "loc"> | undefined {
  const { c, board } = ctx;
  c.attributes(el, ["index_shift", "start_index"]);
  c.ignoredText(el);
  const startAttr = attr(el, "start_index");
  const startIndex = c.number(el, startAttr);
  const shiftAttr = attr(el, "index_shift");
  const indexShift = c.number(el, shiftAttr);
  let complete = (startAttr === undefined || startIndex !== undefined) && (shiftAttr === undefined || indexShift !== undefined);
  const schedule: ScheduleEntry[] = [];
  let count = 0;
  for (const child of el.children) {
    if (child.name === "schedule_end_marker") {
      count++;
      c.attributes(child, []);
      c.ignoredChildren(child);
      c.ignoredText(child);
      schedule.push({ kind: "end_marker", loc: child.loc });
    } else if (child.name === "schedule_entry") {
      count++;
      c.attributes(child, ["domain", "duration"]);
      c.ignoredChildren(child);
      c.ignoredText(child);
      const domainAttr = c.required(child, "domain", " (the domain to run)");
      const durationAttr = c.required(child, "duration", " (how long it runs, e.g. '1000 us' or '50 ticks')");
      let domain: Domain | undefined;
      if (domainAttr !== undefined && !names.has(domainAttr.value)) {
        c.error(domainAttr.loc, `${tag(child)}: no <domain> of this <domains> has that name${suggest(domainAttr.value, names)}`);
      } else if (domainAttr !== undefined) {
        domain = domains.find((d) => d.name === domainAttr.value);
      }
      const duration = durationAttr === undefined ? undefined : readDuration(ctx, child, durationAttr.value, durationAttr.loc);
      if (domain === undefined || duration === undefined) {
        complete = false;
        continue;
      }
      schedule.push({ kind: "entry", domain: domain.id, domainName: domain.name, duration: duration.value, unit: duration.unit, loc: child.loc });
    } else {
      c.error(child.loc, `<domain_schedule> cannot contain <${child.name}>; expected <schedule_entry> or <schedule_end_marker>`);
      complete = false;
    }
  }
  const max = BigInt(board.numDomainSchedules);
  const len = BigInt(count);
  if (len >= max) {
    c.error(el.loc, `<domain_schedule> has ${count} entries; the kernel holds at most ${max - 1n} (KernelNumDomainSchedules is ${max}, ${describeBoard(board)})`);
    complete = false;
  }
  const start = startIndex ?? 0n;
  if ((startAttr === undefined || startIndex !== undefined) && start >= len) {
    if (count === 0) c.error(el.loc, `<domain_schedule> has no <schedule_entry>; a schedule needs at least one`);
    else c.error(startAttr!.loc, `<domain_schedule> ${shown(startAttr!)} is past the end of the schedule: with ${count} entr${count === 1 ? "y" : "ies"} it must be 0..${len - 1n}`);
    complete = false;
  }
  if (indexShift !== undefined && indexShift + len >= max) {
    c.error(shiftAttr!.loc, `<domain_schedule> ${shown(shiftAttr!)} plus the ${count} entries of the schedule reaches ${indexShift + len}, beyond the kernel's ${max - 1n} schedule slots (KernelNumDomainSchedules is ${max})`);
    complete = false;
  }
  if (!complete) return undefined;
  return { schedule, startIndex: start, indexShift };
}

function readDuration(ctx: ReadContext, el: XmlElement, text: string, loc: Location): { value: bigint; unit: "us" | "ticks" } | undefined {
  const { c } = ctx;
  const space = text.indexOf(" ");
  const shownText = `duration="${text}"`;
  if (space < 0) {
    c.error(loc, `${tag(el)} ${shownText} needs a number, one space and a unit, e.g. '1000 us' or '50 ticks'`);
    return undefined;
  }
  const raw = text.slice(0, space);
  const unit = text.slice(space + 1);
  const parsed = parseSdfNumber(raw);
  if (!parsed.ok) {
    c.error(loc, `${tag(el)} ${shownText}: '${raw}' is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): ${parsed.problem}`);
    return undefined;
  }
  const value = parsed.value;
  if (value === 0n) {
    c.error(loc, `${tag(el)} ${shownText} is zero; a domain must run for some time`);
    return undefined;
  }
  if (unit !== "us" && unit !== "ticks") {
    c.error(loc, `${tag(el)} ${shownText} has the unit '${unit}'; expected 'us' or 'ticks' after exactly one space`);
    return undefined;
  }
  return { value, unit };
}

export function readDomains(ctx: ReadContext, el: XmlElement): DomainsRead {
  const { c, board } = ctx;
  c.attributes(el, []);
  c.ignoredText(el);
  let complete = true;
  if (board.cores !== 1) {
    // Upstream stops here; the domain and schedule limits of an SMP kernel would only repeat the point.
    c.error(el.loc, `<domains>: seL4's domain scheduler works only on a single-core kernel, and ${describeBoard(board)} has ${board.cores} cores`);
    return { ids: new Map(), schedule: undefined };
  }
  const declared: { name: string; id: number | undefined; el: XmlElement }[] = [];
  let scheduleEl: XmlElement | undefined;
  for (const child of el.children) {
    if (child.name === "domain") {
      c.attributes(child, ["name", "id"]);
      c.ignoredChildren(child);
      c.ignoredText(child);
      const name = c.required(child, "name", " (the name protection domains use)")?.value;
      const idAttr = attr(child, "id");
      let id = c.number(child, idAttr);
      if (id !== undefined && id >= BigInt(board.numDomains)) {
        c.error(idAttr!.loc, `${tag(child)} ${shown(idAttr!)} is out of range: the kernel has ${board.numDomains} domains (KernelNumDomains), so ids are 0..${board.numDomains - 1}`);
        id = undefined;
      }
      if (name === undefined || (idAttr !== undefined && id === undefined)) complete = false;
      if (name === undefined) continue;
      const sameName = declared.find((d) => d.name === name);
      if (sameName !== undefined) {
        c.error(child.loc, `domain '${name}' is declared twice; the first <domain> is at ${at(sameName.el.loc)}`);
        complete = false;
        continue;
      }
      const sameId = id === undefined ? undefined : declared.find((d) => d.id === Number(id));
      if (sameId !== undefined) {
        c.error(idAttr!.loc, `${tag(child)} ${shown(idAttr!)}: id ${id} already belongs to domain '${sameId.name}' at ${at(sameId.el.loc)}`);
        complete = false;
        continue;
      }
      declared.push({ name, id: id === undefined ? undefined : Number(id), el: child });
    } else if (child.name === "domain_schedule") {
      if (scheduleEl !== undefined) {
        c.error(child.loc, `<domains> has a second <domain_schedule>; the first is at ${at(scheduleEl.loc)}`);
        complete = false;
      } else scheduleEl = child;
    } else {
      c.error(child.loc, `<domains> cannot contain <${child.name}>; expected <domain> or <domain_schedule>`);
      complete = false;
    }
  }
  if (scheduleEl === undefined) {
    c.error(el.loc, `<domains> has no <domain_schedule>; it needs exactly one`);
    complete = false;
  }

  // sdf.rs tries ids 0..=KernelNumDomains: one more than the kernel has, so one domain can end up out of range.
  const taken = new Set(declared.flatMap((d) => (d.id === undefined ? [] : [d.id])));
  const domains: Domain[] = [];
  const ids = new Map<string, number>();
  for (const d of declared) {
    let id = d.id;
    if (id === undefined) {
      for (let i = 0; i <= board.numDomains; i++) {
        if (!taken.has(i)) {
          id = i;
          taken.add(i);
          break;
        }
      }
      if (id === undefined) {
        c.error(d.el.loc, `${tag(d.el)} gets no id: <domains> declares ${declared.length} domains, more than the ${board.numDomains + 1} ids the Microkit tool hands out (KernelNumDomains is ${board.numDomains})`);
        complete = false;
        continue;
      }
      if (id >= board.numDomains) {
        c.warn(d.el.loc, `${tag(d.el)} is given id ${id}, outside the kernel's 0..${board.numDomains - 1} (KernelNumDomains is ${board.numDomains}): the Microkit tool allows one id too many here, and seL4 will refuse it when the system starts`);
      }
    }
    domains.push({ name: d.name, id, idGiven: d.id !== undefined, loc: d.el.loc });
    ids.set(d.name, id);
  }
  const names = new Set(declared.map((d) => d.name));
  const rest = scheduleEl === undefined ? undefined : readSchedule(ctx, scheduleEl, domains, names);
  if (!complete || rest === undefined) return { ids, schedule: undefined };
  return { ids, schedule: { domains, ...rest, loc: el.loc } };
}

// <virtual_machine> with its <vcpu>s and <map>s (sdf.rs VirtualMachine::from_xml). Only a
// protection domain may hold one, and only on a kernel built as a hypervisor (checked by the caller).
import { describeBoard } from "./board.js";
import { at, attr, remember, shown, tag, type ReadContext } from "./checker.js";
import { sdfLimits } from "./limits.js";
import { readMap } from "./map.js";
import type { Mapping, VirtualCpu, VirtualMachine } from "./model.js";
import { hex } from "./numbers.js";
import type { XmlElement } from "./xml.js";

/** What a virtual machine takes from the protection domain that holds it. */
export interface VmOwner {
  readonly priority: number;
  readonly budgetUs: bigint;
  readonly periodUs: bigint;
  readonly cpu: number;
}

/** A core number: sdf_parse_number, below the configuration's core count. */
export function readCpu(ctx: ReadContext, el: XmlElement): number | undefined {
  const a = attr(el, "cpu");
  const v = ctx.c.number(el, a);
  if (v === undefined || a === undefined) return undefined;
  const cores = ctx.board.cores;
  if (v >= BigInt(cores)) {
    ctx.c.error(a.loc, `${tag(el)} ${shown(a)} is out of range: ${describeBoard(ctx.board)} has ${cores === 1 ? "1 core, so cpu must be 0" : `${cores} cores, so cpu is 0..${cores - 1}`}`);
    return undefined;
  }
  return Number(v);
}

/** budget and period in microseconds; period defaults to the budget and may not be shorter. */
export function readBudgetPeriod(ctx: ReadContext, el: XmlElement): { budgetUs: bigint; periodUs: bigint } {
  const { c } = ctx;
  const budgetAttr = attr(el, "budget");
  const periodAttr = attr(el, "period");
  const budget = c.number(el, budgetAttr);
  const period = c.number(el, periodAttr);
  const budgetUs = budget ?? (budgetAttr === undefined ? sdfLimits().budgetDefault : undefined);
  const periodUs = period ?? (periodAttr === undefined ? budgetUs : undefined);
  if (budgetUs !== undefined && periodUs !== undefined && budgetUs > periodUs) {
    const where = budgetAttr ?? periodAttr!;
    const budgetText = budgetAttr === undefined ? `the default budget of ${budgetUs} us` : `budget ${budgetUs} us`;
    c.error(where.loc, `${tag(el)} ${budgetText} is longer than its period of ${periodUs} us; the budget must not exceed the period`);
  }
  return { budgetUs: budgetUs ?? sdfLimits().budgetDefault, periodUs: periodUs ?? budgetUs ?? sdfLimits().budgetDefault };
}

export function readVirtualMachine(ctx: ReadContext, el: XmlElement, owner: VmOwner): VirtualMachine | undefined {
  const { c, board } = ctx;
  const limits = sdfLimits();
  const ownScheduling = board.arch !== "x86_64";
  c.attributes(el, ownScheduling ? ["name", "budget", "period", "priority"] : ["name"], (n) =>
    !ownScheduling && ["budget", "period", "priority"].includes(n)
      ? `on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's ${n}`
      : n === "setvar_id" ? "the symbol for a vcpu's id goes on its <vcpu>" : undefined,
  );
  c.ignoredText(el);
  const name = c.required(el, "name", " (a name unique among virtual machines)")?.value;
  let scheduling = { priority: owner.priority, budgetUs: owner.budgetUs, periodUs: owner.periodUs };
  if (ownScheduling) {
    const prioAttr = attr(el, "priority");
    let priority = Number(limits.priorityDefault);
    const p = c.number(el, prioAttr);
    if (p !== undefined) {
      // sdf.rs keeps `priority as u8` with no range check: the tool accepts any value and truncates it.
      priority = Number(p & 0xffn);
      if (p > limits.priorityMax) {
        c.warn(prioAttr!.loc, `${tag(el)} ${shown(prioAttr!)} is above ${limits.priorityMax}: the Microkit tool keeps only the low 8 bits, so the virtual machine runs at priority ${priority}`);
      }
    }
    scheduling = { priority, ...readBudgetPeriod(ctx, el) };
  }

  const vcpus: VirtualCpu[] = [];
  const maps: Mapping[] = [];
  const seen = new Map<bigint, XmlElement>();
  let vcpuCount = 0;
  for (const child of el.children) {
    if (child.name === "vcpu") {
      vcpuCount++;
      c.attributes(child, ["id", "setvar_id", "cpu"]);
      c.ignoredChildren(child);
      c.ignoredText(child);
      const idAttr = c.required(child, "id", " (the vcpu id the VMM uses)");
      let id = c.decimal(child, idAttr, false);
      if (id !== undefined && id > limits.maxVcpuId) {
        c.error(idAttr!.loc, `${tag(child)} ${shown(idAttr!)} is out of range: vcpu ids are 0..${limits.maxVcpuId}`);
        id = undefined;
      }
      if (id !== undefined) {
        const prior = seen.get(id);
        if (prior !== undefined) c.error(idAttr!.loc, `vcpu id ${id} of virtual machine '${name ?? "?"}' is already used by the <vcpu> at ${at(prior.loc)}`);
        else seen.set(id, child);
      }
      const setvar = attr(child, "setvar_id");
      if (setvar !== undefined) {
        // sdf.rs reads the vcpu's setvar_id from the <virtual_machine> node, where it is not allowed.
        c.warn(setvar.loc, `${tag(child)} ${shown(setvar)} has no effect: the Microkit tool at this version looks for setvar_id on the <virtual_machine> instead, so '${setvar.value}' is never patched`);
      }
      const cpu = attr(child, "cpu") === undefined ? owner.cpu : readCpu(ctx, child);
      if (board.arch === "x86_64" && vcpuCount === 2) {
        c.error(child.loc, `virtual machine '${name ?? "?"}' has a second <vcpu>: on x86_64 a virtual machine has exactly one`);
      }
      if (id !== undefined && cpu !== undefined) vcpus.push(remember({ id: Number(id), cpu, loc: child.loc }, child));
    } else if (child.name === "map") {
      const top = board.userVSpaceTop + 1n;
      const m = readMap(ctx, child, { setvars: false, maxVaddr: top, limit: `the top of a virtual machine's address space (seL4_UserVSpaceTop is ${hex(board.userVSpaceTop)})` });
      if (m !== undefined) maps.push(m.mapping);
    } else {
      c.error(child.loc, `${tag(el)} cannot contain <${child.name}>; expected <vcpu> or <map>`);
    }
  }
  if (vcpuCount === 0) c.error(el.loc, `${tag(el)} has no <vcpu>; a virtual machine needs at least one`);
  if (name === undefined) return undefined;
  return remember({ name, ...scheduling, sharesParentScheduling: !ownScheduling, vcpus, maps, loc: el.loc }, el);
}

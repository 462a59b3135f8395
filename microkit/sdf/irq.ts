// <irq> in its three forms and <ioport> (sdf.rs ProtectionDomain::from_xml, "irq" and "ioport"
// arms): the ARM/RISC-V form (irq), the x86 I/O APIC form (pin, vector) and the x86 MSI form
// (pcidev, handle, vector). Each form is read fully, then refused on a board of the wrong
// architecture. Ids and the I/O APIC/MSI fields are decimal only, as upstream parses them.
import { describeBoard } from "./board.js";
import { attr, remember, shown, tag, type Checker, type ReadContext } from "./checker.js";
import { sdfLimits, PCI_MAX } from "./limits.js";
import type { Irq, IrqTrigger, IoPort, PciDevice } from "./model.js";
import { hex, parseHexI64 } from "./numbers.js";
import type { XmlAttribute, XmlElement } from "./xml.js";

const CONVENTIONAL_ATTRS = ["irq", "id", "setvar_id", "trigger"] as const;
const IOAPIC_ATTRS = ["id", "setvar_id", "ioapic", "pin", "trigger", "polarity", "vector"] as const;
const MSI_ATTRS = ["id", "setvar_id", "pcidev", "handle", "vector"] as const;
const IOPORT_ATTRS = ["id", "setvar_id", "setvar_addr", "addr", "size"] as const;
const TRIGGERS: readonly IrqTrigger[] = ["level", "edge"];

/** A channel/IRQ/ioport id: decimal, 0..61 (sdf.rs PD_MAX_ID). */
export function readId(c: Checker, el: XmlElement, a: XmlAttribute | undefined, what: string): number | undefined {
  const max = sdfLimits().maxId;
  const v = c.decimal(el, a, true);
  if (v === undefined || a === undefined) return undefined;
  if (v < 0n || v > max) {
    c.error(a.loc, `${tag(el)} ${shown(a)} is out of range: ${what} ids are 0..${max}`);
    return undefined;
  }
  return Number(v);
}

/** A decimal i64 that must not be negative (ioapic, pin, handle). */
function nonNegative(c: Checker, el: XmlElement, a: XmlAttribute | undefined): bigint | undefined {
  const v = c.decimal(el, a, true);
  if (v !== undefined && v < 0n) {
    c.error(a!.loc, `${tag(el)} ${shown(a!)} must not be negative`);
    return undefined;
  }
  return v;
}

function vector(ctx: ReadContext, el: XmlElement): number | undefined {
  const a = ctx.c.required(el, "vector", " (the CPU vector the interrupt is delivered on)");
  const v = ctx.c.inRange(el, a!, ctx.c.decimal(el, a, true), 0n, BigInt(ctx.board.x86VectorMax));
  return v === undefined ? undefined : Number(v);
}

/** PCI bus:device.function in hex (sdf.rs PciDevice::from_str); undefined after reporting. */
export function readPciDevice(c: Checker, el: XmlElement, a: XmlAttribute): PciDevice | undefined {
  const [bus, rest] = splitOnce(a.value, ":");
  const [device, fn] = rest === undefined ? [undefined, undefined] : splitOnce(rest, ".");
  if (device === undefined || fn === undefined) {
    c.error(a.loc, `${tag(el)} ${shown(a)} is not a PCI address: expected bus:device.function in hex, e.g. 01:1f.2`);
    return undefined;
  }
  const parts: readonly [string, string, bigint][] = [["bus", bus, PCI_MAX.bus], ["device", device, PCI_MAX.device], ["function", fn, PCI_MAX.function]];
  const values: number[] = [];
  for (const [what, text, max] of parts) {
    const r = parseHexI64(text);
    if (!r.ok) {
      c.error(a.loc, `${tag(el)} ${shown(a)}: the PCI ${what} '${text}' is not a hex number`);
      return undefined;
    }
    if (r.value < 0n || r.value > max) {
      c.error(a.loc, `${tag(el)} ${shown(a)}: the PCI ${what} ${r.value < 0n ? r.value : hex(r.value)} is out of range 0..${hex(max)}`);
      return undefined;
    }
    values.push(Number(r.value));
  }
  return { bus: values[0]!, device: values[1]!, function: values[2]! };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export function readIrq(ctx: ReadContext, el: XmlElement): Irq | undefined {
  const { c, board } = ctx;
  c.ignoredChildren(el);
  c.ignoredText(el);
  const id = readId(c, el, c.required(el, "id", " (the channel id the protection domain is notified on)"), "channel");
  const setvarId = attr(el, "setvar_id")?.value;
  const irqAttr = attr(el, "irq");
  const pinAttr = attr(el, "pin");
  const pciAttr = attr(el, "pcidev");
  const x86 = board.arch === "x86_64";
  if (irqAttr !== undefined) {
    if (x86) {
      c.error(irqAttr.loc, `${tag(el)} ${shown(irqAttr)} is the ARM/RISC-V form of <irq>, but ${describeBoard(board)} needs the I/O APIC form (pin, vector) or the MSI form (pcidev, handle, vector)`);
    }
    c.attributes(el, CONVENTIONAL_ATTRS, (n) => (IOAPIC_ATTRS as readonly string[]).includes(n) || (MSI_ATTRS as readonly string[]).includes(n)
      ? `an <irq> with an irq number is the ARM/RISC-V form, which has no ${n}`
      : undefined);
    const irq = c.decimal(el, irqAttr, false);
    const trigger = c.choice(el, "trigger", TRIGGERS, "level");
    if (irq !== undefined && board.irqRange !== undefined && !x86 && (irq < BigInt(board.irqRange.min) || irq > BigInt(board.irqRange.max))) {
      c.warn(irqAttr.loc, `${tag(el)} ${shown(irqAttr)} is outside ${board.irqRange.min}..${board.irqRange.max}, the interrupts seL4 has on ${describeBoard(board)}: the Microkit tool does not check this, but the kernel will refuse it when the system starts`);
    }
    if (id === undefined || irq === undefined || x86) return undefined;
    return remember<Irq>({ kind: "conventional", id, irq, trigger, setvarId, loc: el.loc }, el);
  }
  if (pinAttr !== undefined) {
    if (!x86) c.error(pinAttr.loc, `${tag(el)} ${shown(pinAttr)} is the x86 I/O APIC form of <irq>, but ${describeBoard(board)} needs the form irq="<number>"`);
    c.attributes(el, IOAPIC_ATTRS, (n) => (MSI_ATTRS as readonly string[]).includes(n) ? `an <irq> with a pin is the I/O APIC form, which has no ${n}` : undefined);
    const ioapicAttr = attr(el, "ioapic");
    const ioapic = ioapicAttr === undefined ? 0n : nonNegative(c, el, ioapicAttr);
    const pin = nonNegative(c, el, pinAttr);
    const trigger = c.choice(el, "trigger", TRIGGERS, "level");
    const polarity = c.choice(el, "polarity", ["high", "low"] as const, "high");
    const vec = vector(ctx, el);
    if (id === undefined || ioapic === undefined || pin === undefined || vec === undefined || !x86) return undefined;
    return remember<Irq>({ kind: "ioapic", id, ioapic, pin, trigger, polarity, vector: vec, setvarId, loc: el.loc }, el);
  }
  if (pciAttr !== undefined) {
    if (!x86) c.error(pciAttr.loc, `${tag(el)} ${shown(pciAttr)} is the x86 MSI form of <irq>, but ${describeBoard(board)} needs the form irq="<number>"`);
    c.attributes(el, MSI_ATTRS);
    const pciDevice = readPciDevice(c, el, pciAttr);
    const handle = nonNegative(c, el, c.required(el, "handle", " (the value programmed into the MSI data)"));
    const vec = vector(ctx, el);
    if (id === undefined || pciDevice === undefined || handle === undefined || vec === undefined || !x86) return undefined;
    return remember<Irq>({ kind: "msi", id, pciDevice, handle, vector: vec, setvarId, loc: el.loc }, el);
  }
  if (x86) c.error(el.loc, `${tag(el)} needs 'pin' and 'vector' (an I/O APIC interrupt) or 'pcidev', 'handle' and 'vector' (an MSI)`);
  else c.error(el.loc, `${tag(el)} needs an 'irq' attribute (the interrupt number)`);
  return undefined;
}

export function readIoPort(ctx: ReadContext, el: XmlElement): IoPort | undefined {
  const { c, board } = ctx;
  if (board.arch !== "x86_64") c.error(el.loc, `<ioport> exists only on x86_64, but ${describeBoard(board)} has no I/O ports`);
  c.attributes(el, IOPORT_ATTRS);
  c.ignoredChildren(el);
  c.ignoredText(el);
  const id = readId(c, el, c.required(el, "id", " (the I/O port id)"), "I/O port");
  const addr = c.number(el, c.required(el, "addr", " (the first port)"));
  const sizeAttr = c.required(el, "size", " (the number of ports)");
  let size = c.decimal(el, sizeAttr, true);
  if (size !== undefined && size <= 0n) {
    c.error(sizeAttr!.loc, `${tag(el)} ${shown(sizeAttr!)} must be at least 1`);
    size = undefined;
  }
  if (id === undefined || addr === undefined || size === undefined || board.arch !== "x86_64") return undefined;
  return remember({ id, addr, size, setvarId: attr(el, "setvar_id")?.value, setvarAddr: attr(el, "setvar_addr")?.value, loc: el.loc }, el);
}

// IRQ control (seL4 src/object/interrupt.c decodeIRQControlInvocation, invokeIRQControl;
// src/arch/{arm,riscv}/object/interrupt.c Arch_decodeIRQControlInvocation, Arch_checkIRQ): issues a
// handler cap for an interrupt line the kernel does not use and no handler cap names yet. Both
// architectures' controllers can set a line's trigger (HAVE_SET_TRIGGER: GICv2, PLIC).
import { ensureEmptySlot, insertNewCap, lookupTargetSlot, slotCap } from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { IrqTable } from "../interrupt.js";
import type { Kernel } from "../kernel.js";
import type { Slot } from "./cnode.js";
import { labelName } from "./tcb-invocation.js";

export interface IRQControlInvocation {
  readonly kind: "IRQIssueIRQHandler";
  readonly table: IrqTable;
  readonly irq: number;
  /** Edge-triggered (the Trigger variants' non-zero trigger word); level otherwise. */
  readonly edge: boolean;
  readonly control: Slot;
  readonly dest: Slot;
}

type Decoded = { readonly ok: true; readonly invocation: IRQControlInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });

/** The per-architecture IssueIRQHandlerTrigger label. */
const TRIGGER_LABELS = ["ARMIRQIssueIRQHandlerTrigger", "RISCVIRQIssueIRQHandlerTrigger"];

export function decodeIRQControlInvocation(k: Kernel, ctx: InvocationContext, table: IrqTable): Decoded {
  const label = labelName(k, ctx.label);
  if (label !== "IRQIssueIRQHandler" && (label === undefined || !TRIGGER_LABELS.includes(label))) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, label);
  const root = ctx.extraCaps[args.capIndex("root")];
  if (ctx.length < args.layout.msgLength || root === undefined) return fail({ type: "seL4_TruncatedMessage" });
  const irqWord = args.word("irq");
  const edge = label === "IRQIssueIRQHandler" ? false : args.word("trigger") !== 0n;
  const { min, max } = table.range;
  if (irqWord > BigInt(max) || irqWord < BigInt(min)) return fail({ type: "seL4_RangeError", min: BigInt(min), max: BigInt(max) });
  const irq = Number(irqWord);
  if (table.isActive(irq)) return fail({ type: "seL4_RevokeFirst" });
  const target = lookupTargetSlot(slotCap(root), args.word("index"), args.word("depth"));
  if (!target.ok) return target;
  const occupied = ensureEmptySlot(target.slot);
  if (occupied !== undefined) return fail(occupied);
  return { ok: true, invocation: { kind: "IRQIssueIRQHandler", table, irq, edge, control: ctx.slot, dest: target.slot } };
}

/** invokeIRQControl: the line becomes IRQSignal, unmasked with its trigger, and its handler cap a child of the control cap. */
export function performIRQControlInvocation(k: Kernel, inv: IRQControlInvocation): void {
  const handler = inv.table.handler(inv.irq);
  k.host.enableIrq?.(inv.irq, inv.edge);
  insertNewCap(inv.control, inv.dest, { type: "irq_handler", object: handler });
}

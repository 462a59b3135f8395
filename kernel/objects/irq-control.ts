// The IRQ control cap (seL4 src/object/interrupt.c decodeIRQControlInvocation, invokeIRQControl;
// src/arch/arm/object/interrupt.c and src/arch/riscv/object/interrupt.c Arch_decodeIRQControlInvocation,
// Arch_checkIRQ): Get (IRQIssueIRQHandler) and GetTrigger (ARM/RISCVIRQIssueIRQHandlerTrigger) put an
// IRQHandler cap for a line that has none into a slot; the line is then the kernel's, unmasked at the
// controller (with the trigger asked for). Both boards' controllers can set triggers (GICv2, the PLIC:
// seL4 HAVE_SET_TRIGGER). ARMIRQIssueSGISignal (SGI signal caps) is not modelled.
import type { Cap } from "../cap.js";
import { cteInsert, ensureEmptySlot, lookupTargetSlot } from "../cspace.js";
import type { SyscallError } from "../errors.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { archLabelName } from "../vspace.js";
import { slotCap, type Slot } from "./cnode.js";

export type IRQControlInvocation = {
  readonly kind: "IRQControlIssue";
  readonly irq: number;
  /** GetTrigger's: edge (trigger word non-zero) or level; Get leaves the line's trigger as it is. */
  readonly trigger: "level" | "edge" | undefined;
  readonly dest: Slot;
  /** The IRQ control cap's slot: the handler cap becomes its child. */
  readonly control: Slot;
};

type Decoded = { readonly ok: true; readonly invocation: IRQControlInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });

export function decodeIRQControlInvocation(k: Kernel, ctx: InvocationContext): Decoded {
  const get = "IRQIssueIRQHandler";
  const getTrigger = archLabelName(k, "IRQIssueIRQHandlerTrigger");
  const label = [get, getTrigger].find((l) => ctx.label === BigInt(k.abi.labels[l] ?? -1));
  if (label === undefined) return fail({ type: "seL4_IllegalOperation" });
  const args = new InvocationArgs(k, ctx, label);
  const rootSlot = ctx.extraCaps[args.capIndex("root")];
  if (ctx.length < args.layout.msgLength || rootSlot === undefined) return fail({ type: "seL4_TruncatedMessage" });
  const irq = args.word("irq");
  const trigger = label === get ? undefined : args.word("trigger") !== 0n ? "edge" : "level";
  // Arch_checkIRQ: AArch64 takes 0..maxIRQ; RISC-V 1..maxIRQ (0 is irqInvalid).
  const min = k.abi.arch === "riscv64" ? 1n : 0n;
  if (irq > BigInt(k.maxIrq) || irq < min) return fail({ type: "seL4_RangeError", min, max: BigInt(k.maxIrq) });
  if (k.irqs.isActive(Number(irq))) return fail({ type: "seL4_RevokeFirst" });
  const dest = lookupTargetSlot(slotCap(rootSlot), args.word("index"), args.word("depth"));
  if (!dest.ok) return dest;
  const occupied = ensureEmptySlot(dest.slot);
  if (occupied !== undefined) return fail(occupied);
  return { ok: true, invocation: { kind: "IRQControlIssue", irq: Number(irq), trigger, dest: dest.slot, control: ctx.slot } };
}

export function performIRQControlInvocation(k: Kernel, inv: IRQControlInvocation): void {
  const handler = k.irqs.handler(inv.irq);
  k.host.enableIrq(inv.irq, inv.trigger);
  const cap: Cap = { type: "irq_handler", object: handler };
  cteInsert(k, cap, inv.control, inv.dest);
}

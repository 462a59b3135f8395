// Interrupt delivery (seL4 src/kernel/interrupt... handleInterrupt in src/object/interrupt.c): an
// interrupt the controller hands over is signalled to the notification of its IRQ handler; the line
// stays masked until the handler is acked (IRQAckIRQ reaches KernelHost.ackIrq).
import { sendSignal } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { IRQHandler } from "./objects/interrupt.js";

/**
 * The kernel's IRQ table: which lines have handlers (seL4 intStateIRQTable / irqNodes). A line with a
 * handler is IRQSignal, any other IRQInactive.
 */
export class IrqTable {
  private readonly handlers = new Map<number, IRQHandler>();
  /** IRQTimer and IRQReserved lines (init_irqs): the kernel's own, never issued. */
  private readonly reserved = new Set<number>();

  /** The kernel keeps the line for itself (its timer, the hypervisor's VGIC maintenance and virtual timer). */
  reserve(irq: number): void {
    this.reserved.add(irq);
  }

  /** The handler object for a line, created on first issue (IRQControl Get). */
  handler(irq: number): IRQHandler {
    let h = this.handlers.get(irq);
    if (h === undefined) {
      h = new IRQHandler(irq);
      this.handlers.set(irq, h);
    }
    return h;
  }

  /** isIRQActive: the kernel's own line, or one a handler was issued for and not deleted since. */
  isActive(irq: number): boolean {
    return this.reserved.has(irq) || this.handlers.has(irq);
  }

  /** deletedIRQHandler: the line is inactive again. */
  remove(irq: number): void {
    this.handlers.delete(irq);
  }

  lines(): number[] {
    return [...this.handlers.keys()];
  }

  get(irq: number): IRQHandler | undefined {
    return this.handlers.get(irq);
  }
}

/**
 * The controller delivered `irq` (already masked there). Signals the handler's notification with
 * the cap's badge; with no handler or no notification the interrupt is dropped, still masked, as
 * seL4 does after reporting it in debug builds.
 */
export function handleInterrupt(k: Kernel, table: IrqTable, irq: number): void {
  const cap = table.get(irq)?.notification;
  k.events?.emit({ type: "irq", irq, handled: cap?.type === "notification" });
  if (cap === undefined || cap.type !== "notification") {
    k.host.debugPrint(`interrupt ${irq} has no handler with a notification: left masked`);
    return;
  }
  sendSignal(k, cap.object, cap.badge);
}

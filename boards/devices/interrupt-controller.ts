// Interrupt delivery as the kernel sees GICv2 and the PLIC on the boards we model: each line has a
// level (or latched edge); the kernel masks a line when it delivers it and unmasks it on
// IRQAckIRQ, so a level still high after the ack is delivered again. Equal priorities everywhere
// (seL4 programs them so): the lowest pending number goes first.
import type { InterruptLine } from "./device.js";

export type Trigger = "level" | "edge";

export class InterruptController {
  private readonly level = new Map<number, boolean>();
  private readonly latched = new Set<number>();
  private readonly trigger = new Map<number, Trigger>();
  /** Lines the kernel listens to (an IRQ handler exists), unmasked until delivered. */
  private readonly enabled = new Set<number>();
  private readonly masked = new Set<number>();

  constructor(readonly name: string, readonly maxIrq: number) {}

  /** The wire a device drives. */
  line(irq: number): InterruptLine {
    this.check(irq);
    return {
      set: (high) => {
        const was = this.level.get(irq) ?? false;
        this.level.set(irq, high);
        if (high && !was && this.trigger.get(irq) === "edge") this.latched.add(irq);
      },
    };
  }

  /** The kernel takes the line (IRQControl Get/GetTrigger); without a trigger it keeps its own (level after reset). */
  enable(irq: number, trigger?: Trigger): void {
    this.check(irq);
    this.trigger.set(irq, trigger ?? this.trigger.get(irq) ?? "level");
    this.enabled.add(irq);
  }

  /** The kernel lets the line go (its handler was deleted): masked until taken again. */
  disable(irq: number): void {
    this.check(irq);
    this.enabled.delete(irq);
    this.masked.delete(irq);
  }

  unmask(irq: number): void {
    this.masked.delete(irq);
  }

  private pending(irq: number): boolean {
    return this.trigger.get(irq) === "edge" ? this.latched.has(irq) : this.level.get(irq) === true;
  }

  /** The next interrupt to deliver, masked as it is taken; undefined if none is due. */
  take(): number | undefined {
    let best: number | undefined;
    for (const irq of this.enabled) {
      if (!this.masked.has(irq) && this.pending(irq) && (best === undefined || irq < best)) best = irq;
    }
    if (best !== undefined) {
      this.masked.add(best);
      this.latched.delete(best);
    }
    return best;
  }

  private check(irq: number): void {
    if (!Number.isInteger(irq) || irq < 0 || irq > this.maxIrq) throw new Error(`${this.name}: IRQ ${irq} out of range 0..${this.maxIrq}`);
  }
}

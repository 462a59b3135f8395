// IRQ handlers: deliver an interrupt line to a notification and re-arm it on ack
// (seL4 src/object/interrupt.c).
import type { Cap } from "../cap.js";
import { NULL_CAP } from "../cap.js";

export class IRQHandler {
  /** Notification cap the interrupt signals (IRQSetIRQHandler). */
  notification: Cap = NULL_CAP;
  constructor(readonly irq: number) {}
}

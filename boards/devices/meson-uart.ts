// The Amlogic Meson UART as the S905X3's always-on UART_AO (the ODROID-C4's console). Register
// offsets and bits are Linux drivers/tty/serial/meson_uart.c's (AML_UART_*), cross-checked with
// sDDF drivers/serial/meson/include/uart.h, which cites the S905X3 datasheet section 13.5.4:
// WFIFO 0x00, RFIFO 0x04, CONTROL 0x08, STATUS 0x0c, MISC 0x10 (IRQ thresholds), REG5 0x14 (baud).
//
// Model: transmission is instant while TX_EN is set; with TX_EN clear written bytes wait in the
// 64-entry TX FIFO (Linux's default fifo-size; the device tree gives UART_AO none) and leave when
// TX_EN is set again; a write to a full FIFO is dropped and sets TX_FIFO_WERR. Host input enters the
// 64-entry RX FIFO only while RX_EN is set and the FIFO has room (the host holds it otherwise, so
// nothing is lost). There are no line errors, so PARITY_ERR, FRAME_ERR and the overflow bit stay 0,
// as do the busy bits. CONTROL's TX_RST, RX_RST and CLEAR_ERR act while written as 1 and read back
// as written (Linux: "It doesn't clear to 0 automatically").
//
// Interrupt (one line, level from state; the device tree wires it edge-rising): RX when RX_INT_EN
// and the RX FIFO holds at least MISC RECV_IRQ bytes (at least 1); TX when TX_INT_EN and the TX FIFO
// holds fewer than MISC XMIT_IRQ bytes.
//
// CONTROL starts with TX_EN and RX_EN set: UART_AO is the boot console, enabled before seL4 runs.
import { NO_LINE, RegisterBank, RegisterDevice, type InterruptLine } from "./device.js";
import { UartCore, type ConsoleSink } from "./uart.js";

// AML_UART_CONTROL
const TX_EN = 1n << 12n;
const RX_EN = 1n << 13n;
const TX_RST = 1n << 22n;
const RX_RST = 1n << 23n;
const CLEAR_ERR = 1n << 24n;
const RX_INT_EN = 1n << 27n;
const TX_INT_EN = 1n << 28n;
// AML_UART_STATUS
const RX_CNT_SHIFT = 0n; // bits 6:0
const TX_CNT_SHIFT = 8n; // bits 14:8
const TX_FIFO_WERR = 1n << 18n;
const RX_FULL = 1n << 19n;
const RX_EMPTY = 1n << 20n;
const TX_FULL = 1n << 21n;
const TX_EMPTY = 1n << 22n;
// AML_UART_MISC: RECV_IRQ count bits 7:0, XMIT_IRQ count bits 15:8.
const RECV_IRQ = (misc: bigint): number => Number(misc & 0xffn);
const XMIT_IRQ = (misc: bigint): number => Number((misc >> 8n) & 0xffn);

const FIFO_DEPTH = 64;
const MASK32 = 0xffff_ffffn;

export class MesonUart extends RegisterDevice<MesonUart> {
  protected readonly stateFields = ["control", "misc", "reg5", "errors"] as const;
  readonly name = "meson-uart";
  readonly compatible = ["amlogic,meson-g12a-uart", "amlogic,meson-gx-uart", "amlogic,meson-ao-uart"];
  readonly size = 0x1000;
  private readonly core: UartCore;
  protected readonly bank: RegisterBank<MesonUart>;
  private tx: number[] = [];
  control = TX_EN | RX_EN;
  misc = 0n;
  reg5 = 0n;
  /** Sticky STATUS error bits (only TX_FIFO_WERR can happen here). */
  errors = 0n;

  constructor(sink: ConsoleSink, private readonly irq: InterruptLine = NO_LINE, stray: (m: string) => void = () => {}) {
    super();
    this.core = new UartCore(sink, FIFO_DEPTH);
    this.bank = new RegisterBank<MesonUart>({
      AML_UART_WFIFO: { offset: 0x00, write: (d, v) => d.writeFifo(Number(v & 0xffn)) },
      AML_UART_RFIFO: { offset: 0x04, read: (d) => d.readFifo() },
      AML_UART_CONTROL: { offset: 0x08, read: (d) => d.control, write: (d, v) => d.setControl(v & MASK32) },
      AML_UART_STATUS: { offset: 0x0c, read: (d) => d.status() },
      AML_UART_MISC: { offset: 0x10, read: (d) => d.misc, write: (d, v) => { d.misc = v & MASK32; d.updateIrq(); } },
      AML_UART_REG5: { offset: 0x14, read: (d) => d.reg5, write: (d, v) => { d.reg5 = v & MASK32; } },
    }, (m) => stray(`meson-uart: ${m}`));
  }

  /** Host input: false while the receiver is off or the RX FIFO is full (offer the byte again later). */
  receive(byte: number): boolean {
    if ((this.control & RX_EN) === 0n || !this.core.receive(byte, true)) return false;
    this.updateIrq();
    return true;
  }

  private writeFifo(byte: number): void {
    if ((this.control & TX_EN) !== 0n) {
      this.core.transmit(byte);
    } else if (this.tx.length < FIFO_DEPTH) {
      this.tx.push(byte);
    } else {
      this.errors |= TX_FIFO_WERR;
    }
    this.updateIrq();
  }

  /** Reading RFIFO pops the RX FIFO (a read with a side effect); empty reads 0. */
  private readFifo(): bigint {
    const byte = this.core.pop();
    this.updateIrq();
    return BigInt(byte ?? 0);
  }

  private setControl(v: bigint): void {
    this.control = v;
    if ((v & TX_RST) !== 0n) this.tx.length = 0;
    if ((v & RX_RST) !== 0n) this.core.clearRx();
    if ((v & CLEAR_ERR) !== 0n) this.errors = 0n;
    if ((v & TX_EN) !== 0n) for (const b of this.tx.splice(0)) this.core.transmit(b);
    this.updateIrq();
  }

  private status(): bigint {
    const rx = this.core.rxCount;
    const tx = this.tx.length;
    return (BigInt(rx) << RX_CNT_SHIFT) | (BigInt(tx) << TX_CNT_SHIFT) | this.errors |
      (rx >= FIFO_DEPTH ? RX_FULL : 0n) | (rx === 0 ? RX_EMPTY : 0n) |
      (tx >= FIFO_DEPTH ? TX_FULL : 0n) | (tx === 0 ? TX_EMPTY : 0n);
  }

  updateIrq(): void {
    const rx = (this.control & RX_INT_EN) !== 0n && this.core.rxCount >= Math.max(RECV_IRQ(this.misc), 1);
    const tx = (this.control & TX_INT_EN) !== 0n && this.tx.length < XMIT_IRQ(this.misc);
    this.irq.set(rx || tx);
  }

  protected override saveExtra(): Record<string, unknown> {
    return { rx: this.core.save(), tx: [...this.tx] };
  }

  protected override restoreExtra(state: Record<string, unknown>): void {
    this.core.restore(state["rx"] as number[]);
    this.tx = [...(state["tx"] as number[])];
  }
}

// Arm PrimeCell UART (PL011), as in the Arm TRM DDI 0183 and QEMU's model: register names and bits
// are the TRM's. Transmission is instant (the TX FIFO never fills); received bytes queue in the RX
// FIFO (16 entries, or 1 with FIFOs off).
import { NO_LINE, RegisterBank, RegisterDevice, type InterruptLine } from "./device.js";
import { UartCore, type ConsoleSink } from "./uart.js";

// UARTFR (BUSY, bit 3, and TXFF, bit 5, stay clear)
const FR_RXFE = 1n << 4n;
const FR_RXFF = 1n << 6n;
const FR_TXFE = 1n << 7n;
// UARTLCR_H
const LCR_FEN = 1n << 4n;
// Interrupt bits (UARTIMSC, UARTRIS, UARTMIS, UARTICR)
const INT_RX = 1n << 4n;
const INT_TX = 1n << 5n;
const INT_RT = 1n << 6n;
const INT_ALL = 0x7ffn;
// UARTCR reset value: TXE and RXE set.
const CR_RESET = 0x300n;
// UARTIFLS RXIFLSEL (bits 5:3): 1/8, 1/4, 1/2, 3/4, 7/8 of 16 entries.
const RX_TRIGGER = [2, 4, 8, 12, 14];
// Peripheral and PrimeCell identification, UARTPeriphID0-3 and UARTPCellID0-3.
const ID_BYTES = [0x11n, 0x10n, 0x14n, 0x00n, 0x0dn, 0xf0n, 0x05n, 0xb1n];

export class Pl011 extends RegisterDevice<Pl011> {
  protected readonly stateFields = ["imsc", "ris", "cr", "lcrH", "ifls", "ibrd", "fbrd", "dmacr", "ilpr"] as const;
  readonly name = "pl011";
  readonly compatible = ["arm,pl011", "arm,primecell"];
  readonly size = 0x1000;
  private readonly core: UartCore;
  protected readonly bank: RegisterBank<Pl011>;
  imsc = 0n;
  ris = 0n;
  cr = CR_RESET;
  lcrH = 0n;
  ifls = 0x12n;
  ibrd = 0n;
  fbrd = 0n;
  dmacr = 0n;
  ilpr = 0n;

  constructor(sink: ConsoleSink, private readonly irq: InterruptLine = NO_LINE, stray: (m: string) => void = () => {}) {
    super();
    this.core = new UartCore(sink);
    const ids = Object.fromEntries(ID_BYTES.map((v, i) => [i < 4 ? `UARTPeriphID${i}` : `UARTPCellID${i - 4}`, { offset: 0xfe0 + 4 * i, read: () => v }]));
    this.bank = new RegisterBank<Pl011>({
      UARTDR: { offset: 0x000, read: (d) => d.readData(), write: (d, v) => d.transmit(v) },
      UARTRSR: { offset: 0x004, read: () => 0n, write: () => {} },
      UARTFR: { offset: 0x018, read: (d) => d.flags() },
      UARTILPR: { offset: 0x020, read: (d) => d.ilpr, write: (d, v) => { d.ilpr = v & 0xffn; } },
      UARTIBRD: { offset: 0x024, read: (d) => d.ibrd, write: (d, v) => { d.ibrd = v & 0xffffn; } },
      UARTFBRD: { offset: 0x028, read: (d) => d.fbrd, write: (d, v) => { d.fbrd = v & 0x3fn; } },
      UARTLCR_H: { offset: 0x02c, read: (d) => d.lcrH, write: (d, v) => d.setLcrH(v) },
      UARTCR: { offset: 0x030, read: (d) => d.cr, write: (d, v) => { d.cr = v & 0xff87n; } },
      UARTIFLS: { offset: 0x034, read: (d) => d.ifls, write: (d, v) => { d.ifls = v & 0x3fn; d.updateRx(); } },
      UARTIMSC: { offset: 0x038, read: (d) => d.imsc, write: (d, v) => { d.imsc = v & INT_ALL; d.updateIrq(); } },
      UARTRIS: { offset: 0x03c, read: (d) => d.ris },
      UARTMIS: { offset: 0x040, read: (d) => d.ris & d.imsc },
      UARTICR: { offset: 0x044, write: (d, v) => { d.ris &= ~v & INT_ALL; d.updateIrq(); } },
      UARTDMACR: { offset: 0x048, read: (d) => d.dmacr, write: (d, v) => { d.dmacr = v & 7n; } },
      ...ids,
    }, (m) => stray(`pl011: ${m}`));
  }

  private get fifoEnabled(): boolean {
    return (this.lcrH & LCR_FEN) !== 0n;
  }

  /** Host input: false if the RX FIFO is full (offer the byte again later). */
  receive(byte: number): boolean {
    if (!this.core.receive(byte, this.fifoEnabled)) return false;
    this.updateRx();
    return true;
  }

  private transmit(v: bigint): void {
    this.core.transmit(Number(v & 0xffn));
    // The byte leaves at once, so the TX FIFO is at or below any trigger level.
    this.ris |= INT_TX;
    this.updateIrq();
  }

  /** Reading UARTDR pops the RX FIFO (a read with a side effect, as the TRM specifies). */
  private readData(): bigint {
    const byte = this.core.pop();
    this.updateRx();
    return BigInt(byte ?? 0);
  }

  private flags(): bigint {
    const n = this.core.rxCount;
    const full = n >= (this.fifoEnabled ? this.core.depth : 1);
    // Transmission is instant: BUSY and TXFF never read as set.
    return FR_TXFE | (n === 0 ? FR_RXFE : 0n) | (full ? FR_RXFF : 0n);
  }

  private setLcrH(v: bigint): void {
    if (((v ^ this.lcrH) & LCR_FEN) !== 0n) this.core.clearRx(); // toggling FEN flushes the FIFOs
    this.lcrH = v & 0xffn;
    this.updateRx();
  }

  /** RX raises when the FIFO reaches its trigger level, RT (timeout) while anything waits below it. */
  private updateRx(): void {
    const n = this.core.rxCount;
    const trigger = this.fifoEnabled ? RX_TRIGGER[Number((this.ifls >> 3n) & 7n)] ?? 8 : 1;
    this.ris &= ~(INT_RX | INT_RT);
    if (n >= trigger) this.ris |= INT_RX;
    else if (n > 0) this.ris |= INT_RT;
    this.updateIrq();
  }

  updateIrq(): void {
    this.irq.set((this.ris & this.imsc) !== 0n);
  }

  protected override saveExtra(): Record<string, unknown> {
    return { rx: this.core.save() };
  }

  protected override restoreExtra(state: Record<string, unknown>): void {
    this.core.restore(state["rx"] as number[]);
  }
}

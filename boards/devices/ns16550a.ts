// The 16550A UART of QEMU's RISC-V virt machine (registers one byte apart), as in the National
// Semiconductor PC16550D datasheet: names and bits are the datasheet's. Transmission is instant.
import { NO_LINE, RegisterBank, RegisterDevice, type InterruptLine } from "./device.js";
import { UartCore, type ConsoleSink } from "./uart.js";

// LSR
const LSR_DR = 1n;
const LSR_THRE = 1n << 5n;
const LSR_TEMT = 1n << 6n;
// IER
const IER_ERBFI = 1n;
const IER_ETBEI = 2n;
// IIR: bit 0 set = nothing pending; causes in bits 3:1; bits 7:6 = FIFOs enabled.
const IIR_NONE = 1n;
const IIR_THRE = 0x2n;
const IIR_RDA = 0x4n;
const IIR_TIMEOUT = 0xcn;
const IIR_FIFO = 0xc0n;
// FCR
const FCR_ENABLE = 1n;
const FCR_CLEAR_RX = 2n;
// LCR
const LCR_DLAB = 1n << 7n;
// FCR RX trigger (bits 7:6): 1, 4, 8, 14 bytes.
const RX_TRIGGER = [1, 4, 8, 14];

export class Ns16550a extends RegisterDevice<Ns16550a> {
  protected readonly stateFields = ["ier", "lcr", "mcr", "scr", "fcr", "dll", "dlm", "threPending"] as const;
  readonly name = "ns16550a";
  readonly compatible = ["ns16550a"];
  readonly size = 0x100;
  private readonly core: UartCore;
  protected readonly bank: RegisterBank<Ns16550a>;
  ier = 0n;
  lcr = 0n;
  mcr = 0n;
  scr = 0n;
  fcr = 0n;
  dll = 0n;
  dlm = 0n;
  /** The THR-empty interrupt is pending until IIR reports it or THR is written. */
  threPending = false;

  constructor(sink: ConsoleSink, private readonly irq: InterruptLine = NO_LINE, stray: (m: string) => void = () => {}) {
    super();
    this.core = new UartCore(sink);
    this.bank = new RegisterBank<Ns16550a>({
      RBR_THR: {
        offset: 0,
        read: (d) => (d.dlab ? d.dll : d.readRbr()),
        write: (d, v) => {
          if (d.dlab) d.dll = v & 0xffn;
          else d.transmit(v);
        },
      },
      IER: { offset: 1, read: (d) => d.dlab ? d.dlm : d.ier, write: (d, v) => d.setIer(v) },
      IIR_FCR: { offset: 2, read: (d) => d.readIir(), write: (d, v) => d.setFcr(v) },
      LCR: { offset: 3, read: (d) => d.lcr, write: (d, v) => { d.lcr = v & 0xffn; } },
      MCR: { offset: 4, read: (d) => d.mcr, write: (d, v) => { d.mcr = v & 0x1fn; } },
      LSR: { offset: 5, read: (d) => d.lsr() },
      MSR: { offset: 6, read: () => 0n },
      SCR: { offset: 7, read: (d) => d.scr, write: (d, v) => { d.scr = v & 0xffn; } },
    }, (m) => stray(`ns16550a: ${m}`));
  }

  private get dlab(): boolean {
    return (this.lcr & LCR_DLAB) !== 0n;
  }

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR_ENABLE) !== 0n;
  }

  receive(byte: number): boolean {
    if (!this.core.receive(byte, this.fifoEnabled)) return false;
    this.updateIrq();
    return true;
  }

  private transmit(v: bigint): void {
    this.core.transmit(Number(v & 0xffn));
    this.threPending = true;
    this.updateIrq();
  }

  /** Reading RBR pops the receive FIFO (a side effect the datasheet specifies). */
  private readRbr(): bigint {
    const byte = this.core.pop();
    this.updateIrq();
    return BigInt(byte ?? 0);
  }

  private setIer(v: bigint): void {
    if (this.dlab) {
      this.dlm = v & 0xffn;
      return;
    }
    const enablingThre = (v & IER_ETBEI) !== 0n && (this.ier & IER_ETBEI) === 0n;
    this.ier = v & 0xfn;
    if (enablingThre) this.threPending = true; // the transmitter is empty, so THRE is due at once
    this.updateIrq();
  }

  private setFcr(v: bigint): void {
    if ((v & FCR_CLEAR_RX) !== 0n) this.core.clearRx();
    this.fcr = v & 0xc9n;
    this.updateIrq();
  }

  private rxTrigger(): number {
    return this.fifoEnabled ? RX_TRIGGER[Number((this.fcr >> 6n) & 3n)]! : 1;
  }

  private cause(): bigint {
    const n = this.core.rxCount;
    if ((this.ier & IER_ERBFI) !== 0n && n > 0) return n >= this.rxTrigger() ? IIR_RDA : IIR_TIMEOUT;
    if ((this.ier & IER_ETBEI) !== 0n && this.threPending) return IIR_THRE;
    return IIR_NONE;
  }

  /** Reading IIR while it reports THRE clears that interrupt (datasheet table 7). */
  private readIir(): bigint {
    const cause = this.cause();
    if (cause === IIR_THRE) {
      this.threPending = false;
      this.updateIrq();
    }
    return cause | (this.fifoEnabled ? IIR_FIFO : 0n);
  }

  private lsr(): bigint {
    return LSR_THRE | LSR_TEMT | (this.core.rxCount > 0 ? LSR_DR : 0n);
  }

  updateIrq(): void {
    this.irq.set(this.cause() !== IIR_NONE);
  }

  protected override saveExtra(): Record<string, unknown> {
    return { rx: this.core.save() };
  }

  protected override restoreExtra(state: Record<string, unknown>): void {
    this.core.restore(state["rx"] as number[]);
  }
}

// The part every UART model shares: bytes out to a console sink, bytes in through a receive FIFO
// filled from the host's input as the guest drains it.

/** Where transmitted bytes go. */
export type ConsoleSink = (byte: number) => void;

export class UartCore {
  private readonly rx: number[] = [];

  constructor(
    private readonly sink: ConsoleSink,
    /** FIFO depth when enabled (PL011 and 16550A both have 16 entries). */
    readonly depth = 16,
  ) {}

  transmit(byte: number): void {
    this.sink(byte & 0xff);
  }

  /** Offers one host byte; false when the FIFO is full (the host keeps it for later). */
  receive(byte: number, fifoEnabled: boolean): boolean {
    if (this.rx.length >= (fifoEnabled ? this.depth : 1)) return false;
    this.rx.push(byte & 0xff);
    return true;
  }

  pop(): number | undefined {
    return this.rx.shift();
  }

  get rxCount(): number {
    return this.rx.length;
  }

  clearRx(): void {
    this.rx.length = 0;
  }

  save(): number[] {
    return [...this.rx];
  }

  restore(rx: readonly number[]): void {
    this.rx.splice(0, this.rx.length, ...rx);
  }
}

// Arm PrimeCell real-time clock (PL031), Arm TRM DDI 0224: a seconds counter with one match
// interrupt. Seconds are counted on virtual time from the load value.
import { NO_LINE, RegisterBank, RegisterDevice, type Clock, type InterruptLine } from "./device.js";

const NS_PER_S = 1_000_000_000n;
const MASK32 = 0xffffffffn;
// Peripheral and PrimeCell identification (RTCPeriphID0-3, RTCPCellID0-3).
const ID_BYTES = [0x31n, 0x10n, 0x14n, 0x00n, 0x0dn, 0xf0n, 0x05n, 0xb1n];

export class Pl031 extends RegisterDevice<Pl031> {
  protected readonly stateFields = ["load", "loadedAt", "match", "armed", "imsc", "ris"] as const;
  readonly name = "pl031";
  readonly compatible = ["arm,pl031", "arm,primecell"];
  readonly size = 0x1000;
  protected readonly bank: RegisterBank<Pl031>;
  /** RTCDR = load + whole seconds since `loadedAt`. */
  load = 0n;
  loadedAt = 0n;
  match = 0n;
  /** A match value was written and not yet reached: the reset value 0 of RTCMR raises nothing (QEMU pl031_set_alarm). */
  armed = false;
  imsc = 0n;
  ris = 0n;

  constructor(private readonly clock: Clock, private readonly irq: InterruptLine = NO_LINE, stray: (m: string) => void = () => {}) {
    super();
    const ids = Object.fromEntries(ID_BYTES.map((v, i) => [i < 4 ? `RTCPeriphID${i}` : `RTCPCellID${i - 4}`, { offset: 0xfe0 + 4 * i, read: () => v }]));
    this.bank = new RegisterBank<Pl031>({
      RTCDR: { offset: 0x000, read: (d) => d.seconds(d.clock()) },
      RTCMR: { offset: 0x004, read: (d) => d.match, write: (d, v) => { d.match = v & MASK32; d.armed = true; d.advance(d.clock()); } },
      RTCLR: { offset: 0x008, read: (d) => d.load, write: (d, v) => { d.load = v & MASK32; d.loadedAt = d.clock(); } },
      RTCCR: { offset: 0x00c, read: () => 1n, write: () => {} }, // the counter always runs (RTCStart)
      RTCIMSC: { offset: 0x010, read: (d) => d.imsc, write: (d, v) => { d.imsc = v & 1n; d.updateIrq(); } },
      RTCRIS: { offset: 0x014, read: (d) => d.ris },
      RTCMIS: { offset: 0x018, read: (d) => d.ris & d.imsc },
      RTCICR: { offset: 0x01c, write: (d, v) => { d.ris &= ~v & 1n; d.updateIrq(); } },
      ...ids,
    }, (m) => stray(`pl031: ${m}`));
  }

  private seconds(now: bigint): bigint {
    return (this.load + (now - this.loadedAt) / NS_PER_S) & MASK32;
  }

  updateIrq(): void {
    this.irq.set((this.ris & this.imsc) !== 0n);
  }

  /** When RTCDR next equals RTCMR (the counter wraps at 2^32 seconds). */
  override nextDeadline(now: bigint): bigint | undefined {
    const ahead = (this.match - this.seconds(now)) & MASK32;
    if (!this.armed || ahead === 0n) return undefined;
    const elapsed = now - this.loadedAt;
    return this.loadedAt + (elapsed / NS_PER_S + ahead) * NS_PER_S;
  }

  override advance(now: bigint): void {
    if (this.armed && this.seconds(now) === this.match) {
      this.armed = false;
      this.ris |= 1n;
      this.updateIrq();
    }
  }
}

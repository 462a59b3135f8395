// The Goldfish RTC of QEMU's RISC-V virt machine (QEMU hw/rtc/goldfish_rtc.c, register names from
// the Android emulator's goldfish spec): a nanosecond clock with one alarm, used by RISC-V timer
// drivers. Time is the machine's virtual time.
import { NO_LINE, RegisterBank, RegisterDevice, type Clock, type InterruptLine } from "./device.js";

const MASK32 = 0xffffffffn;

export class GoldfishRtc extends RegisterDevice<GoldfishRtc> {
  protected readonly stateFields = ["timeHigh", "alarmHigh", "alarm", "irqEnabled", "irqPending"] as const;
  readonly name = "goldfish-rtc";
  readonly compatible = ["google,goldfish-rtc"];
  readonly size = 0x1000;
  protected readonly bank: RegisterBank<GoldfishRtc>;
  /** TIME_HIGH as latched by the last TIME_LOW read. */
  timeHigh = 0n;
  alarmHigh = 0n;
  alarm: bigint | undefined;
  irqEnabled = 0n;
  irqPending = false;

  constructor(private readonly clock: Clock, private readonly irq: InterruptLine = NO_LINE, stray: (m: string) => void = () => {}) {
    super();
    this.bank = new RegisterBank<GoldfishRtc>({
      TIME_LOW: { offset: 0x00, read: (d) => d.readTimeLow() },
      TIME_HIGH: { offset: 0x04, read: (d) => d.timeHigh },
      ALARM_LOW: { offset: 0x08, read: (d) => (d.alarm ?? 0n) & MASK32, write: (d, v) => d.setAlarm((d.alarmHigh << 32n) | (v & MASK32)) },
      ALARM_HIGH: { offset: 0x0c, read: (d) => d.alarmHigh, write: (d, v) => { d.alarmHigh = v & MASK32; } },
      IRQ_ENABLED: { offset: 0x10, read: (d) => d.irqEnabled, write: (d, v) => { d.irqEnabled = v & 1n; d.updateIrq(); } },
      CLEAR_ALARM: { offset: 0x14, write: (d) => { d.alarm = undefined; } },
      ALARM_STATUS: { offset: 0x18, read: (d) => (d.alarm !== undefined ? 1n : 0n) },
      CLEAR_INTERRUPT: { offset: 0x1c, write: (d) => { d.irqPending = false; d.updateIrq(); } },
    }, (m) => stray(`goldfish-rtc: ${m}`));
  }

  /** Reading TIME_LOW latches the high half, so a LOW-then-HIGH read pair is consistent. */
  private readTimeLow(): bigint {
    const now = this.clock();
    this.timeHigh = now >> 32n;
    return now & MASK32;
  }

  private setAlarm(at: bigint): void {
    this.alarm = at;
    this.advance(this.clock());
  }

  updateIrq(): void {
    this.irq.set(this.irqPending && this.irqEnabled !== 0n);
  }

  override nextDeadline(): bigint | undefined {
    return this.alarm;
  }

  override advance(now: bigint): void {
    if (this.alarm !== undefined && now >= this.alarm) {
      this.alarm = undefined;
      this.irqPending = true;
      this.updateIrq();
    }
  }
}

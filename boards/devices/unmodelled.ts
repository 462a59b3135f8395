// A range of the physical map where the real board has devices that we do not model (I2C, SPI,
// PWM, ... on a peripheral bus). On hardware an access there reaches some device and does not
// abort, so a driver that maps more of the bus than it uses (the upstream Microkit odroidc4 timer
// example maps 64 KiB from 0xffd0f000) must not fault: reads give 0, writes are ignored, and each
// offset touched is reported once as a stray access.
import { RegisterBank, RegisterDevice } from "./device.js";

export class UnmodelledDevices extends RegisterDevice<UnmodelledDevices> {
  protected readonly stateFields = [] as const;
  readonly compatible: readonly string[] = [];
  protected readonly bank: RegisterBank<UnmodelledDevices>;

  /** `name` says what the range is (e.g. "cbus"), for stray-access reports. */
  constructor(readonly name: string, readonly size: number, stray: (m: string) => void = () => {}) {
    super();
    this.bank = new RegisterBank<UnmodelledDevices>({}, (m) => stray(`${name} (not modelled): ${m}`));
  }

  /** Nothing here interrupts. */
  updateIrq(): void {}
}

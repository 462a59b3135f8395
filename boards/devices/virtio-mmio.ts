// An empty virtio-mmio transport slot, as QEMU's virt machines leave them when no device is
// attached: the magic value and version are there, DeviceID 0 says "no device" (virtio 1.2, 4.2.2).
import { RegisterBank, RegisterDevice } from "./device.js";

const MAGIC = 0x74726976n; // "virt"
const LEGACY_VERSION = 1n; // QEMU's default for virtio-mmio (force-legacy)
const VENDOR_QEMU = 0x554d4551n; // "QEMU"

export class VirtioMmioSlot extends RegisterDevice<VirtioMmioSlot> {
  protected readonly stateFields = [] as const;
  readonly name = "virtio-mmio";
  readonly compatible = ["virtio,mmio"];
  protected readonly bank: RegisterBank<VirtioMmioSlot>;

  constructor(readonly size: number, stray: (m: string) => void = () => {}) {
    super();
    this.bank = new RegisterBank<VirtioMmioSlot>({
      MagicValue: { offset: 0x000, read: () => MAGIC },
      Version: { offset: 0x004, read: () => LEGACY_VERSION },
      DeviceID: { offset: 0x008, read: () => 0n },
      VendorID: { offset: 0x00c, read: () => VENDOR_QEMU },
    }, (m) => stray(`virtio-mmio: ${m}`));
  }

  /** An empty slot never interrupts. */
  updateIrq(): void {}
}

// An empty virtio-mmio transport slot, as QEMU's virt machines leave them when no device is
// attached: the magic value and version are there, DeviceID 0 says "no device" (virtio 1.2, 4.2.2).
import { RegisterBank, RegisterDevice, type Device, type InterruptLine } from "./device.js";
import { VirtioBlk, type DmaMemory } from "./virtio-blk.js";

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

/** Where a machine's virtio-mmio transports are: the first's base, the distance between them, their count and first IRQ. */
export interface VirtioLayout {
  readonly base: bigint;
  readonly stride: number;
  readonly count: number;
  readonly firstIrq: number;
}

/**
 * The machine's virtio-mmio transports: empty slots, and a block device on the last one when a disk
 * is given. QEMU creates the transports so that the first -device finds the one with the highest
 * address (hw/arm/virt.c, hw/riscv/virt.c), which is where a one-disk machine has it.
 */
export function virtioTransports(
  v: VirtioLayout, line: (irq: number) => InterruptLine, stray: (m: string) => void, disk?: { readonly bytes: Uint8Array; readonly memory: DmaMemory },
): { readonly base: bigint; readonly device: Device }[] {
  return Array.from({ length: v.count }, (_, i) => ({
    base: v.base + BigInt(i * v.stride),
    device: i === v.count - 1 && disk !== undefined
      ? new VirtioBlk(v.stride, disk.bytes, disk.memory, line(v.firstIrq + i), stray)
      : new VirtioMmioSlot(v.stride, stray),
  }));
}

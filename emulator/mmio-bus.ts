// Guest-physical device space: which device model answers which physical address, looked up by
// 4 KiB page (as v86's mmap table does) so an access costs one map lookup.
import type { AccessSize, Device } from "../boards/devices/device.js";
import type { MmioHandler } from "./cpu.js";

const PAGE_SHIFT = 12n;

export class MmioBus {
  private readonly pages = new Map<bigint, { readonly base: bigint; readonly device: Device }>();

  constructor(devices: readonly { readonly base: bigint; readonly device: Device }[]) {
    for (const d of devices) {
      const first = d.base >> PAGE_SHIFT;
      const last = (d.base + BigInt(d.device.size) - 1n) >> PAGE_SHIFT;
      for (let p = first; p <= last; p++) this.pages.set(p, d);
    }
  }

  /** The device at a physical address, if one is modelled there. */
  at(pa: bigint): { readonly base: bigint; readonly device: Device } | undefined {
    return this.pages.get(pa >> PAGE_SHIFT);
  }

  /** Every physical page in [pa, pa+size) is backed by a device model. */
  covers(pa: bigint, size: bigint): boolean {
    for (let p = pa >> PAGE_SHIFT; p <= (pa + size - 1n) >> PAGE_SHIFT; p++) if (!this.pages.has(p)) return false;
    return true;
  }

  /** A handler for a mapping of [pa, pa+size) that dispatches each access to its device. */
  handler(pa: bigint): MmioHandler {
    return {
      read: (offset, size) => {
        const at = pa + BigInt(offset);
        const d = this.at(at);
        return d === undefined ? 0n : d.device.read(Number(at - d.base), size as AccessSize);
      },
      write: (offset, size, value) => {
        const at = pa + BigInt(offset);
        const d = this.at(at);
        d?.device.write(Number(at - d.base), size as AccessSize, value);
      },
    };
  }
}

// Guest-physical device space: which device model answers which physical address, looked up by
// 4 KiB page (as v86's mmap table does) so an access costs one map lookup. A page may hold several
// devices (QEMU virt's virtio-mmio slots are 0x200 bytes apart): each is found by its own range.
import type { AccessSize, Device } from "../boards/devices/device.js";
import type { MmioHandler } from "./cpu.js";

/** Observes every access (for kernel events): the device, the register's offset, direction and value. */
export type MmioObserver = (device: Device, offset: number, access: "read" | "write", value: bigint) => void;

const PAGE_SHIFT = 12n;

type Placed = { readonly base: bigint; readonly device: Device };

export class MmioBus {
  /** The devices with registers in each page. */
  private readonly pages = new Map<bigint, Placed[]>();

  constructor(devices: readonly Placed[]) {
    for (const d of devices) {
      const first = d.base >> PAGE_SHIFT;
      const last = (d.base + BigInt(d.device.size) - 1n) >> PAGE_SHIFT;
      for (let p = first; p <= last; p++) {
        const here = this.pages.get(p);
        if (here === undefined) this.pages.set(p, [d]);
        else here.push(d);
      }
    }
  }

  /** The device at a physical address, if one is modelled there. */
  at(pa: bigint): Placed | undefined {
    const here = this.pages.get(pa >> PAGE_SHIFT);
    if (here === undefined) return undefined;
    if (here.length === 1) return here[0];
    return here.find((d) => pa >= d.base && pa < d.base + BigInt(d.device.size));
  }

  /** Every physical page in [pa, pa+size) is backed by a device model. */
  covers(pa: bigint, size: bigint): boolean {
    for (let p = pa >> PAGE_SHIFT; p <= (pa + size - 1n) >> PAGE_SHIFT; p++) if (!this.pages.has(p)) return false;
    return true;
  }

  /** The pages that hold device registers, as maximal runs of whole pages. */
  windows(): { readonly base: bigint; readonly size: bigint }[] {
    const pages = [...this.pages.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: { base: bigint; size: bigint }[] = [];
    for (const p of pages) {
      const last = out[out.length - 1];
      if (last !== undefined && last.base + last.size === p << PAGE_SHIFT) last.size += 1n << PAGE_SHIFT;
      else out.push({ base: p << PAGE_SHIFT, size: 1n << PAGE_SHIFT });
    }
    return out;
  }

  observer: MmioObserver | undefined;

  /** A handler for a mapping of [pa, pa+size) that dispatches each access to its device. */
  handler(pa: bigint): MmioHandler {
    const report = (d: { base: bigint; device: Device }, offset: number, access: "read" | "write", value: bigint): void =>
      this.observer?.(d.device, offset, access, value);
    return {
      read: (offset, size) => {
        const at = pa + BigInt(offset);
        const d = this.at(at);
        if (d === undefined) return 0n;
        const value = d.device.read(Number(at - d.base), size as AccessSize);
        report(d, Number(at - d.base), "read", value);
        return value;
      },
      write: (offset, size, value) => {
        const at = pa + BigInt(offset);
        const d = this.at(at);
        if (d === undefined) return;
        d.device.write(Number(at - d.base), size as AccessSize, value);
        report(d, Number(at - d.base), "write", value);
      },
    };
  }
}

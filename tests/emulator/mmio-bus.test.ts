// The physical device space: accesses reach the device whose registers hold the address, with the
// offset from its own base, also when several devices share a page (QEMU virt's virtio-mmio slots).
import { expect, test } from "vitest";
import type { AccessSize, Device } from "../../boards/devices/device.js";
import { MmioBus } from "../../emulator/mmio-bus.js";

/** A device that answers a read with its id and the offset, and records writes. */
function probe(id: number, size: number): Device & { writes: [number, bigint][] } {
  const writes: [number, bigint][] = [];
  return {
    name: `probe${id}`, compatible: [], size, writes,
    read: (offset: number, _size: AccessSize) => BigInt(id * 0x10000 + offset),
    write: (offset: number, _size: AccessSize, value: bigint) => void writes.push([offset, value]),
    registerName: () => undefined, nextDeadline: () => undefined, advance: () => {}, save: () => ({}), restore: () => {},
  };
}

test("eight 0x200-byte devices in one page each answer for their own range, at their own offsets", () => {
  const devices = Array.from({ length: 8 }, (_, i) => ({ base: 0xa000000n + BigInt(i * 0x200), device: probe(i, 0x200) }));
  const bus = new MmioBus(devices);
  const page = bus.handler(0xa000000n);
  expect(page.read(0x000, 4)).toBe(0x00000n);
  expect(page.read(0x270, 4)).toBe(0x10070n);
  expect(page.read(0xffc, 4)).toBe(0x701fcn);
  page.write(0x408, 4, 5n);
  expect(devices[2]!.device.writes).toEqual([[8, 5n]]);
  expect(devices.filter((d) => d.device.writes.length > 0)).toHaveLength(1);
  expect(bus.windows()).toEqual([{ base: 0xa000000n, size: 0x1000n }]);
});

test("a device larger than a page is found from every page it spans; an address beside the devices finds none", () => {
  const bus = new MmioBus([{ base: 0x9000000n, device: probe(1, 0x2000) }, { base: 0x9003000n, device: probe(2, 0x100) }]);
  expect(bus.at(0x9001ff8n)?.device.name).toBe("probe1");
  expect(bus.at(0x9002000n)).toBeUndefined();
  expect(bus.at(0x9003080n)?.device.name).toBe("probe2");
  expect(bus.covers(0x9000000n, 0x2000n)).toBe(true);
  expect(bus.covers(0x9000000n, 0x3000n)).toBe(false);
});

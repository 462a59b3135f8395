// The virtio-blk model against a driver that gets things wrong: a descriptor outside the table,
// rings outside RAM, a request past the end of the disk. The device fails or answers an error;
// nothing escapes the guest's memory.
import { expect, test } from "vitest";
import { VirtioBlk } from "../../boards/devices/virtio-blk.js";

const RAM = 0x1000n;
function device(diskBytes = 1024) {
  const ram = new Uint8Array(0x1000);
  const stray: string[] = [];
  const dev = new VirtioBlk(0x200, new Uint8Array(diskBytes), {
    view: (pa, length) => (pa >= RAM && pa + BigInt(length) <= RAM + 0x1000n ? ram.subarray(Number(pa - RAM), Number(pa - RAM) + length) : undefined),
  }, undefined, (m) => stray.push(m));
  const w = (off: number, v: bigint | number) => dev.write(off, 4, BigInt(v));
  const r = (off: number) => dev.read(off, 4);
  const view = new DataView(ram.buffer);
  // Queue of 4: descriptors at RAM+0, driver ring at +0x100, device ring at +0x200.
  const ready = (desc = RAM, avail = RAM + 0x100n, used = RAM + 0x200n) => {
    w(0x070, 0);
    w(0x070, 1 | 2 | 8);
    w(0x038, 4);
    w(0x080, desc);
    w(0x090, avail);
    w(0x0a0, used);
    w(0x044, 1);
    w(0x070, 1 | 2 | 8 | 4);
  };
  const descriptor = (i: number, addr: bigint, len: number, flags: number, next: number) => {
    view.setBigUint64(16 * i, addr, true);
    view.setUint32(16 * i + 8, len, true);
    view.setUint16(16 * i + 12, flags, true);
    view.setUint16(16 * i + 14, next, true);
  };
  const offer = (head: number) => {
    const idx = view.getUint16(0x102, true);
    view.setUint16(0x104 + 2 * (idx % 4), head, true);
    view.setUint16(0x102, idx + 1, true);
    w(0x050, 0);
  };
  return { dev, ram, view, stray, w, r, ready, descriptor, offer };
}

test("a chain naming a descriptor outside the table fails the device, which then serves nothing", () => {
  const d = device();
  d.ready();
  d.descriptor(0, RAM + 0x300n, 16, 1, 9);
  d.offer(0);
  expect(d.r(0x070) & 0x80n).toBe(0x80n);
  expect(d.stray).toEqual(["virtio-blk: descriptor 9 is out of the table or not in RAM; the device stops"]);
  expect(d.view.getUint16(0x202, true)).toBe(0);
  expect(d.r(0x060)).toBe(0n);
});

test("a read past the end of the disk completes with IOERR; a device ring outside RAM fails the device", () => {
  const d = device(1024);
  d.ready();
  d.view.setUint32(0x300, 0, true); // read
  d.view.setBigUint64(0x308, 2n, true); // sector 2 of a 2-sector disk
  d.descriptor(0, RAM + 0x300n, 16, 1, 1);
  d.descriptor(1, RAM + 0x400n, 512, 1 | 2, 2);
  d.descriptor(2, RAM + 0x310n, 1, 2, 0);
  d.offer(0);
  expect(d.ram[0x310]).toBe(1);
  expect(d.view.getUint16(0x202, true)).toBe(1);
  expect(d.r(0x060)).toBe(1n);
  d.w(0x064, 1);
  expect(d.r(0x060)).toBe(0n);

  const e = device();
  e.ready(RAM, RAM + 0x100n, 0x9000_0000n);
  e.view.setUint32(0x300, 8, true); // GET_ID
  e.descriptor(0, RAM + 0x300n, 16, 1, 1);
  e.descriptor(1, RAM + 0x310n, 1, 2, 0);
  e.offer(0);
  expect(e.stray).toEqual(["virtio-blk: the device ring at 0x90000000 is not RAM; the device stops"]);
});

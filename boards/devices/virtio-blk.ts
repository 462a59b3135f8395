// A virtio block device on a virtio-mmio transport, as QEMU's virt machines give one for
// `-drive if=none,file=F -device virtio-blk-device` with virtio-mmio.force-legacy=false (sDDF's
// setting): transport version 2, one split virtqueue, requests served when the driver notifies.
// Register offsets, status bits, features and request layout are the virtio 1.2 specification's
// (4.2.2 MMIO registers, 2.7 split virtqueues, 5.2 block device).
//
// The disk is a host buffer; writes change it for the run only. Requests complete at once: the used
// ring is written and the interrupt raised during the notify, and the line stays high until the
// driver acknowledges it (InterruptACK).
import { NO_LINE, RegisterBank, RegisterDevice, type InterruptLine } from "./device.js";

/** Guest-physical memory as a DMA-capable device sees it. */
export interface DmaMemory {
  /** `length` bytes at `pa`, or undefined when that is not RAM. */
  view(pa: bigint, length: number): Uint8Array | undefined;
}

const MAGIC = 0x74726976n; // "virt"
const VERSION = 2n;
const DEVICE_BLOCK = 2n;
const VENDOR_QEMU = 0x554d4551n; // "QEMU"
const SECTOR = 512;
const QUEUE_NUM_MAX = 256;
/** Feature bits offered: VIRTIO_F_VERSION_1 (32) and nothing block-specific. */
const FEATURES = 1n << 32n;
// Descriptor flags, request types and status values (5.2.6).
const DESC_NEXT = 1;
const DESC_WRITE = 2;
const REQ_IN = 0;
const REQ_OUT = 1;
const REQ_FLUSH = 4;
const REQ_GET_ID = 8;
const STATUS_OK = 0;
const STATUS_IOERR = 1;
const STATUS_UNSUPP = 2;
/** Device status: FAILED. Writing 0 resets the device. */
const STATUS_FAILED = 0x80n;
const INT_USED_BUFFER = 1n;

interface Descriptor {
  readonly addr: bigint;
  readonly len: number;
  readonly flags: number;
  readonly next: number;
}

export class VirtioBlk extends RegisterDevice<VirtioBlk> {
  protected readonly stateFields = ["status", "driverFeatures", "queueNum", "ready", "descTable", "availRing", "usedRing", "lastAvail", "interrupt"] as const;
  readonly name = "virtio-blk";
  readonly compatible = ["virtio,mmio"];
  protected readonly bank: RegisterBank<VirtioBlk>;
  // Transport state (the names of the virtio specification's fields, without the queue index).
  status = 0n;
  deviceFeaturesSel = 0n;
  driverFeaturesSel = 0n;
  driverFeatures = 0n;
  queueNum = 0;
  ready = false;
  /** Descriptor table, driver (available) ring and device (used) ring, as guest-physical addresses. */
  descTable = 0n;
  availRing = 0n;
  usedRing = 0n;
  lastAvail = 0;
  interrupt = 0n;

  constructor(
    readonly size: number,
    private readonly disk: Uint8Array,
    private readonly memory: DmaMemory,
    private readonly line: InterruptLine = NO_LINE,
    private readonly stray: (m: string) => void = () => {},
  ) {
    super();
    const half = (get: (d: VirtioBlk) => bigint, set: (d: VirtioBlk, v: bigint) => void, high: boolean) => ({
      read: (d: VirtioBlk) => (high ? get(d) >> 32n : get(d) & 0xffff_ffffn),
      write: (d: VirtioBlk, v: bigint) => set(d, high ? (get(d) & 0xffff_ffffn) | (v << 32n) : (get(d) & ~0xffff_ffffn) | v),
    });
    const capacity = BigInt(Math.floor(disk.length / SECTOR));
    this.bank = new RegisterBank<VirtioBlk>({
      MagicValue: { offset: 0x000, read: () => MAGIC },
      Version: { offset: 0x004, read: () => VERSION },
      DeviceID: { offset: 0x008, read: () => DEVICE_BLOCK },
      VendorID: { offset: 0x00c, read: () => VENDOR_QEMU },
      DeviceFeatures: { offset: 0x010, read: (d) => (FEATURES >> (32n * d.deviceFeaturesSel)) & 0xffff_ffffn },
      DeviceFeaturesSel: { offset: 0x014, write: (d, v) => void (d.deviceFeaturesSel = v & 1n) },
      DriverFeatures: { offset: 0x020, write: (d, v) => void (d.driverFeatures |= (v & 0xffff_ffffn) << (32n * d.driverFeaturesSel)) },
      DriverFeaturesSel: { offset: 0x024, write: (d, v) => void (d.driverFeaturesSel = v & 1n) },
      QueueSel: { offset: 0x030, write: () => {} }, // one queue: every selection names queue 0
      QueueNumMax: { offset: 0x034, read: () => BigInt(QUEUE_NUM_MAX) },
      QueueNum: { offset: 0x038, write: (d, v) => void (d.queueNum = Number(v & 0xffffn)) },
      QueueReady: { offset: 0x044, read: (d) => (d.ready ? 1n : 0n), write: (d, v) => void (d.ready = (v & 1n) === 1n) },
      QueueNotify: { offset: 0x050, write: (d) => d.serve() },
      InterruptStatus: { offset: 0x060, read: (d) => d.interrupt },
      InterruptACK: { offset: 0x064, write: (d, v) => { d.interrupt &= ~v; d.updateIrq(); } },
      Status: { offset: 0x070, read: (d) => d.status, write: (d, v) => d.setStatus(v) },
      QueueDescLow: { offset: 0x080, ...half((d) => d.descTable, (d, v) => void (d.descTable = v), false) },
      QueueDescHigh: { offset: 0x084, ...half((d) => d.descTable, (d, v) => void (d.descTable = v), true) },
      QueueDriverLow: { offset: 0x090, ...half((d) => d.availRing, (d, v) => void (d.availRing = v), false) },
      QueueDriverHigh: { offset: 0x094, ...half((d) => d.availRing, (d, v) => void (d.availRing = v), true) },
      QueueDeviceLow: { offset: 0x0a0, ...half((d) => d.usedRing, (d, v) => void (d.usedRing = v), false) },
      QueueDeviceHigh: { offset: 0x0a4, ...half((d) => d.usedRing, (d, v) => void (d.usedRing = v), true) },
      ConfigGeneration: { offset: 0x0fc, read: () => 0n },
      // virtio_blk_config: capacity in 512-byte sectors (le64).
      CapacityLow: { offset: 0x100, read: () => capacity & 0xffff_ffffn },
      CapacityHigh: { offset: 0x104, read: () => capacity >> 32n },
      // The rest belongs to features not offered (SIZE_MAX, SEG_MAX, GEOMETRY, BLK_SIZE): 0, as
      // drivers may still read them.
      SizeMax: { offset: 0x108, read: () => 0n },
      SegMax: { offset: 0x10c, read: () => 0n },
      GeometryCylinders: { offset: 0x110, read: () => 0n },
      GeometryHeads: { offset: 0x112, read: () => 0n },
      GeometrySectors: { offset: 0x113, read: () => 0n },
      BlkSize: { offset: 0x114, read: () => 0n },
    }, (m) => stray(`virtio-blk: ${m}`));
  }

  private setStatus(v: bigint): void {
    if (v !== 0n) {
      this.status = v & 0xffn;
      return;
    }
    // A write of 0 resets the device (4.2.3.1).
    this.status = 0n;
    this.driverFeatures = 0n;
    this.queueNum = 0;
    this.ready = false;
    this.descTable = this.availRing = this.usedRing = 0n;
    this.lastAvail = 0;
    this.interrupt = 0n;
    this.updateIrq();
  }

  updateIrq(): void {
    this.line.set(this.interrupt !== 0n);
  }

  private bytes(pa: bigint, length: number): Uint8Array | undefined {
    return this.memory.view(pa, length);
  }

  private u16(pa: bigint): number | undefined {
    const b = this.bytes(pa, 2);
    return b === undefined ? undefined : b[0]! | (b[1]! << 8);
  }

  private descriptor(i: number): Descriptor | undefined {
    const b = this.bytes(this.descTable + BigInt(16 * i), 16);
    if (b === undefined) return undefined;
    const v = new DataView(b.buffer, b.byteOffset, 16);
    return { addr: v.getBigUint64(0, true), len: v.getUint32(8, true), flags: v.getUint16(12, true), next: v.getUint16(14, true) };
  }

  /** A device error the driver caused: the device needs a reset (DEVICE_NEEDS_RESET is not modelled). */
  private fail(why: string): void {
    this.stray(`virtio-blk: ${why}; the device stops`);
    this.status |= STATUS_FAILED;
  }

  /** QueueNotify: serves every request the driver has made available since the last. */
  private serve(): void {
    if (!this.ready || this.queueNum === 0 || (this.status & STATUS_FAILED) !== 0n) return;
    const availIdx = this.u16(this.availRing + 2n);
    if (availIdx === undefined) return this.fail(`the driver ring at 0x${this.availRing.toString(16)} is not RAM`);
    let served = 0;
    while (this.lastAvail !== availIdx) {
      const head = this.u16(this.availRing + 4n + BigInt(2 * (this.lastAvail % this.queueNum)));
      if (head === undefined) return this.fail("the driver ring is not RAM");
      const written = this.request(head);
      if (written === undefined) return;
      const used = this.bytes(this.usedRing, 4 + 8 * this.queueNum);
      if (used === undefined) return this.fail(`the device ring at 0x${this.usedRing.toString(16)} is not RAM`);
      const v = new DataView(used.buffer, used.byteOffset, used.byteLength);
      const usedIdx = v.getUint16(2, true);
      v.setUint32(4 + 8 * (usedIdx % this.queueNum), head, true);
      v.setUint32(8 + 8 * (usedIdx % this.queueNum), written, true);
      v.setUint16(2, (usedIdx + 1) & 0xffff, true);
      this.lastAvail = (this.lastAvail + 1) & 0xffff;
      served++;
    }
    if (served > 0) {
      this.interrupt |= INT_USED_BUFFER;
      this.updateIrq();
    }
  }

  /** Performs the request whose chain starts at `head`; returns the bytes written into the driver's buffers. */
  private request(head: number): number | undefined {
    const chain: Descriptor[] = [];
    for (let i: number | undefined = head; i !== undefined && chain.length <= this.queueNum;) {
      const d: Descriptor | undefined = i < this.queueNum ? this.descriptor(i) : undefined;
      if (d === undefined) return void this.fail(`descriptor ${i} is out of the table or not in RAM`);
      chain.push(d);
      i = (d.flags & DESC_NEXT) !== 0 ? d.next : undefined;
    }
    const header = chain[0] === undefined || chain[0].len < 16 ? undefined : this.bytes(chain[0].addr, 16);
    const statusDesc = chain[chain.length - 1]!;
    const status = chain.length < 2 || (statusDesc.flags & DESC_WRITE) === 0 ? undefined : this.bytes(statusDesc.addr, 1);
    if (header === undefined || status === undefined) return void this.fail("a request without a readable header and a writable status byte");
    const h = new DataView(header.buffer, header.byteOffset, 16);
    const type = h.getUint32(0, true);
    let offset = Number(h.getBigUint64(8, true)) * SECTOR;
    let written = 1;
    let result = STATUS_OK;
    for (const d of chain.slice(1, -1)) {
      const buffer = this.bytes(d.addr, d.len);
      const fits = offset + d.len <= this.disk.length;
      if (buffer === undefined) result = STATUS_IOERR;
      else if (type === REQ_IN && (d.flags & DESC_WRITE) !== 0 && fits) {
        buffer.set(this.disk.subarray(offset, offset + d.len));
        written += d.len;
      } else if (type === REQ_OUT && (d.flags & DESC_WRITE) === 0 && fits) {
        this.disk.set(buffer, offset);
      } else if (type === REQ_GET_ID && (d.flags & DESC_WRITE) !== 0) {
        const id = new TextEncoder().encode("microkit-emu").subarray(0, Math.min(20, d.len));
        buffer.fill(0);
        buffer.set(id);
        written += d.len;
      } else if (type === REQ_IN || type === REQ_OUT) {
        result = STATUS_IOERR;
      }
      offset += d.len;
    }
    if (type !== REQ_IN && type !== REQ_OUT && type !== REQ_FLUSH && type !== REQ_GET_ID) result = STATUS_UNSUPP;
    status[0] = result;
    return written;
  }
}

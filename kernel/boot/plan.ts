// Where seL4 puts everything when it starts a root task (seL4 src/kernel/boot.c, src/arch/{arm,riscv}/
// kernel/boot.c try_init_kernel and arch_init_freemem, src/arch/arm/64/kernel/vspace.c and
// src/arch/riscv/kernel/vspace.c create_it_address_space): the initial thread's virtual layout, the
// memory of its kernel objects, the order of the caps in its CNode, and the untyped memory it gets.
// Pure arithmetic on physical ranges; kernel/boot/root-task.ts makes the objects this plan places.
import { readAbiFile, type KernelAbi } from "../abi.js";
import { levelShift } from "../vspace.js";

/** A physical (or virtual) range [start, end). */
export interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

/** seL4_SlotRegion: CNode slots [start, end). */
export interface SlotRegion {
  readonly start: number;
  readonly end: number;
}

/** seL4_UntypedDesc. */
export interface UntypedDesc {
  readonly paddr: bigint;
  readonly sizeBits: number;
  readonly isDevice: boolean;
}

/** What the elfloader hands the kernel, and what the kernel knows of the platform. */
export interface BootInput {
  /** RAM the kernel may use (its avail_p_regs), ascending, disjoint. */
  readonly memory: readonly Range[];
  /** Physical ranges the kernel keeps for its own devices (never given to user level). */
  readonly kernelDevices: readonly Range[];
  /** The kernel image, and the end of its boot-only part (reclaimed as untyped memory after boot). */
  readonly kernelImage: Range & { readonly bootEnd: bigint };
  /** The device tree the elfloader passed, if any. */
  readonly dtb?: { readonly paddr: bigint; readonly size: bigint };
  /** The root task image: physical range and the virtual address its first byte has. */
  readonly userImage: Range & { readonly vstart: bigint };
}

/** One page-table object the kernel made to map the initial thread's image, in CNode slot order. */
export interface PagingObject {
  readonly paddr: bigint;
  readonly vaddr: bigint;
  /** log2 of the virtual range one table of this level covers. */
  readonly coverBits: number;
}

/** A 4 KiB frame mapped into the initial thread's address space. */
export interface MappedFrame {
  readonly vaddr: bigint;
  readonly paddr: bigint;
}

export interface BootPlan {
  /** The root task image's virtual range (ui_v_reg) and the whole initial address space (it_v_reg). */
  readonly userImageV: Range;
  readonly initialV: Range;
  readonly entryArgs: { readonly ipcBuffer: bigint; readonly bootInfo: bigint; readonly extraBootInfo: bigint };
  /** Bytes of extra boot info (the FDT chunk: header + DTB), and log2 of its region (0 if none). */
  readonly extraLen: bigint;
  readonly extraBiSizeBits: number;
  /** Physical addresses of the root server objects (create_rootserver_objects). */
  readonly objects: {
    readonly cnode: bigint;
    readonly vspace: bigint;
    readonly asidPool: bigint;
    readonly ipcBuffer: bigint;
    readonly bootInfo: bigint;
    readonly extraBootInfo: bigint | undefined;
    readonly tcb: bigint;
    readonly schedContext: bigint;
  };
  readonly rootserverRegion: Range;
  readonly paging: readonly PagingObject[];
  readonly extraBootInfoFrames: readonly MappedFrame[];
  readonly imageFrames: readonly MappedFrame[];
  readonly untypeds: readonly UntypedDesc[];
  /** The BootInfo slot regions. */
  readonly slots: {
    readonly userImagePaging: SlotRegion;
    readonly extraBIPages: SlotRegion;
    readonly schedcontrol: SlotRegion;
    readonly userImageFrames: SlotRegion;
    readonly untyped: SlotRegion;
    readonly empty: SlotRegion;
  };
  readonly rootCNodeBits: number;
  readonly numNodes: number;
  /** What the debug kernel prints while booting: available RAM, then reserved kernel-virtual regions. */
  readonly bootLog: readonly string[];
}

export class BootError extends Error {}

/** The kernel's 1:1 window onto physical memory (PPTR_BASE, PPTR_TOP; PADDR_BASE is 0). */
interface KernelWindow {
  readonly base: bigint;
  readonly top: bigint;
}

/**
 * Typed from seL4 include/arch/arm/arch/64/mode/hardware.h (PPTR_BASE, PPTR_TOP for hypervisor and
 * EL1 kernels) and include/arch/riscv/arch/64/mode/hardware.h (Sv39); not in ../shared/abi.
 */
function kernelWindow(abi: KernelAbi): KernelWindow {
  if (abi.arch === "riscv64") return { base: 0xffff_ffc0_0000_0000n, top: 0xffff_ffff_8000_0000n };
  return abi.vm.hypervisor ? { base: 0x0000_0080_0000_0000n, top: 0x0000_00ff_c000_0000n } : { base: 0xffff_ff80_0000_0000n, top: 0xffff_ffff_c000_0000n };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** boot.json: BootInfo layouts and the fixed CNode slots, the same for every configuration. */
export function bootFacts(): { headerBytes: bigint; bootInfoFrameBits: number; numInitialCaps: number; raw: Json } {
  const raw = readAbiFile("boot.json") as Json;
  return {
    headerBytes: BigInt(raw["seL4_BootInfoHeader"]["size"]),
    bootInfoFrameBits: raw["seL4_BootInfoFrameBits"],
    numInitialCaps: raw["initial_cnode_slots"]["seL4_NumInitialCaps"],
    raw,
  };
}

const WORD = 1n << 64n;

/** The kernel-window address (pptr) of physical address `paddr` (paddr_to_pptr). */
export function kernelVirtual(abi: KernelAbi, paddr: bigint): bigint {
  return (paddr + kernelWindow(abi).base) % WORD;
}
const bit = (n: number | bigint): bigint => 1n << BigInt(n);
const roundDown = (v: bigint, bits: number): bigint => v & ~(bit(bits) - 1n);
const roundUp = (v: bigint, bits: number): bigint => roundDown(v + bit(bits) - 1n, bits);
/** Index of the highest set bit (seL4_WordBits - 1 - clzl). */
const log2 = (v: bigint): number => v.toString(2).length - 1;
/** Trailing zero bits (ctzl). */
const ctz = (v: bigint): number => {
  let n = 0;
  while (((v >> BigInt(n)) & 1n) === 0n) n++;
  return n;
};

function configNumber(abi: KernelAbi, key: string): number {
  const v = abi.kernelConfig[key];
  if (v === undefined) throw new BootError(`the kernel configuration has no ${key}`);
  return Number(v);
}

function bits(abi: KernelAbi, name: string): number {
  const v = abi.objectBits[name];
  if (v === undefined) throw new BootError(`the ABI tables give no ${name} for this kernel`);
  return v;
}

/**
 * log2 of the virtual range one paging structure below the VSpace root covers, per level, top
 * first (arch_get_n_paging): what one entry of its parent maps. AArch64 has PUDs, PDs and PTs, or
 * with a hypervisor's stage-2 root starting at level 1 only PDs and PTs; RISC-V the CONFIG_PT_LEVELS
 * - 1 levels under the root.
 */
function pagingLevels(abi: KernelAbi): number[] {
  return Array.from({ length: abi.vm.levels - 1 }, (_, level) => levelShift(abi.vm, level));
}

/** calculate_extra_bi_size_bits: 0 without extra boot info, else a power of two of at least a page. */
function extraBiSizeBits(extraSize: bigint, pageBits: number): number {
  if (extraSize === 0n) return 0;
  let msb = log2(roundUp(extraSize, pageBits));
  if (extraSize > bit(msb)) msb++;
  return msb;
}

/**
 * create_untypeds_for_region: cut [start, end) (kernel-virtual, possibly wrapping past 2^64) into
 * the largest naturally aligned blocks, dropping those below seL4_MinUntypedBits.
 */
function untypedBlocks(reg: Range, isDevice: boolean, window: KernelWindow, minBits: number, maxBits: number): UntypedDesc[] {
  const out: UntypedDesc[] = [];
  let start = reg.start;
  const end = reg.end;
  while (start !== end) {
    let size = Math.min(log2((end - start + WORD) % WORD), maxBits);
    if (start !== 0n) size = Math.min(size, ctz(start));
    if (size >= minBits) out.push({ paddr: (start - window.base + WORD) % WORD, sizeBits: size, isDevice });
    start = (start + bit(size)) % WORD;
  }
  return out;
}

/** Adds [start, end) to the sorted, merged list of reserved physical ranges (reserve_region). */
function reserve(list: Range[], r: Range): void {
  if (r.start === r.end) return;
  list.push(r);
  list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < list.length;) {
    if (list[i - 1]!.end >= list[i]!.start) {
      list[i - 1] = { start: list[i - 1]!.start, end: list[i]!.end > list[i - 1]!.end ? list[i]!.end : list[i - 1]!.end };
      list.splice(i, 1);
    } else {
      i++;
    }
  }
}

const hex = (v: bigint): string => v.toString(16);

/**
 * The boot of the kernel `abi` describes with these images on this platform. Throws BootError with
 * the kernel's reason when it would not boot (image beyond the user top, no room for the root server).
 */
export function planBoot(abi: KernelAbi, input: BootInput): BootPlan {
  const window = kernelWindow(abi);
  const pageBits = bits(abi, "seL4_PageBits");
  const ptBits = bits(abi, "seL4_PageTableBits");
  const rootCNodeBits = configNumber(abi, "ROOT_CNODE_SIZE_BITS");
  const numNodes = configNumber(abi, "MAX_NUM_NODES");
  const maxBootUntypeds = configNumber(abi, "MAX_NUM_BOOTINFO_UNTYPED_CAPS");
  const mcs = abi.kernelConfig["KERNEL_MCS"] === true;
  const toPptr = (p: bigint): bigint => (p + window.base) % WORD;

  // try_init_kernel: the virtual layout of the initial thread.
  const pvOffset = input.userImage.start - input.userImage.vstart;
  const userImageV = { start: input.userImage.start - pvOffset, end: input.userImage.end - pvOffset };
  const ipcBuffer = userImageV.end;
  const bootInfo = ipcBuffer + bit(pageBits);
  const facts = bootFacts();
  const extraBootInfo = bootInfo + bit(facts.bootInfoFrameBits);
  const extraLen = input.dtb === undefined || input.dtb.size === 0n ? 0n : facts.headerBytes + input.dtb.size;
  const extraBits = extraBiSizeBits(extraLen, pageBits);
  const initialV = { start: userImageV.start, end: extraBootInfo + (extraBits > 0 ? bit(extraBits) : 0n) };
  if (initialV.end >= abi.userTop) {
    throw new BootError(`userland image virt [${hex(initialV.start)}..${hex(initialV.end)}) exceeds USER_TOP (${hex(abi.userTop)})`);
  }

  // arch_init_freemem / init_freemem: RAM in the kernel window, less the kernel image, the DTB and
  // the user image, is free memory.
  const paddrTop = window.top - window.base;
  const available = input.memory.filter((r) => r.start < paddrTop).map((r) => ({ start: r.start, end: r.end < paddrTop ? r.end : paddrTop }));
  if (available.length === 0) throw new BootError("no available memory within the kernel window");
  const reservedImages: Range[] = [{ start: input.kernelImage.start, end: input.kernelImage.end }];
  if (input.dtb !== undefined && input.dtb.size > 0n) reservedImages.push({ start: input.dtb.paddr, end: input.dtb.paddr + input.dtb.size });
  reservedImages.push({ start: input.userImage.start, end: input.userImage.end });
  reservedImages.sort((a, b) => (a.start < b.start ? -1 : 1));
  const reserved: Range[] = [];
  for (const d of input.kernelDevices) reserve(reserved, d);
  for (const r of reservedImages) reserve(reserved, r);
  const free: Range[] = [];
  for (const a of available) {
    reserve(reserved, a);
    let start = a.start;
    for (const r of reservedImages) {
      if (r.end <= start || r.start >= a.end) continue;
      if (r.start > start) free.push({ start, end: r.start });
      start = r.end > start ? r.end : start;
    }
    if (start < a.end) free.push({ start, end: a.end });
  }

  // calculate_rootserver_size: every root server object, the largest alignment first.
  const slotBits = bits(abi, "seL4_SlotBits");
  const cnodeBits = rootCNodeBits + slotBits;
  const vspaceBits = bits(abi, "seL4_VSpaceBits");
  const tcbBits = bits(abi, "seL4_TCBBits");
  const scBits = bits(abi, "seL4_MinSchedContextBits");
  const levels = pagingLevels(abi);
  const pagingCount = levels.reduce((n, b) => n + Number((roundUp(initialV.end, b) - roundDown(initialV.start, b)) >> BigInt(b)), 0);
  const size = bit(cnodeBits) + bit(tcbBits) + bit(pageBits) + bit(pageBits) + bit(bits(abi, "seL4_ASIDPoolBits")) +
    (extraBits > 0 ? bit(extraBits) : 0n) + bit(vspaceBits) + (mcs ? bit(scBits) : 0n) + BigInt(pagingCount) * bit(ptBits);
  const maxBits = Math.max(cnodeBits, vspaceBits, extraBits);

  // The top-most region that holds the root server objects, aligned to the largest of them.
  let rootserver: Range | undefined;
  for (let i = free.length - 1; i >= 0 && rootserver === undefined; i--) {
    const r = free[i]!;
    if (r.end - r.start < size) continue;
    const start = roundDown(r.end - size, maxBits);
    if (start < r.start) continue;
    rootserver = { start, end: start + size };
    free.splice(i, 1, { start: r.start, end: start }, { start: start + size, end: r.end });
  }
  if (rootserver === undefined) throw new BootError(`no free memory region is big enough for root server objects, need size/alignment of 2^${maxBits}`);

  // create_rootserver_objects: allocation order (the extra boot info as soon as it is the largest).
  let cursor = rootserver.start;
  let extra: bigint | undefined;
  const alloc = (objBits: number, n = 1): bigint => {
    const at = cursor;
    cursor += BigInt(n) * bit(objBits);
    return at;
  };
  const maybeExtra = (cmpBits: number): void => {
    if (extraBits >= cmpBits && extra === undefined && extraBits > 0) extra = alloc(extraBits);
  };
  maybeExtra(maxBits);
  let cnode: bigint, vspace: bigint;
  if (cnodeBits > vspaceBits) {
    cnode = alloc(cnodeBits);
    maybeExtra(vspaceBits);
    vspace = alloc(vspaceBits);
  } else {
    vspace = alloc(vspaceBits);
    maybeExtra(cnodeBits);
    cnode = alloc(cnodeBits);
  }
  maybeExtra(pageBits);
  const asidPool = alloc(bits(abi, "seL4_ASIDPoolBits"));
  const ipcBufferFrame = alloc(pageBits);
  const bootInfoFrame = alloc(pageBits);
  let tcb = tcbBits >= ptBits ? alloc(tcbBits) : 0n;
  const pagingStart = alloc(ptBits, pagingCount);
  if (tcbBits < ptBits) tcb = alloc(tcbBits);
  const sc = mcs ? alloc(scBits) : 0n;

  // Slots from seL4_NumInitialCaps: paging, extra boot info frames, SchedControl, image frames, untypeds.
  let slot = facts.numInitialCaps;
  const take = (n: number): SlotRegion => {
    const r = { start: slot, end: slot + n };
    slot += n;
    return r;
  };
  const paging: PagingObject[] = [];
  for (const coverBits of levels) {
    for (let v = roundDown(initialV.start, coverBits); v < initialV.end; v += bit(coverBits)) {
      paging.push({ paddr: pagingStart + BigInt(paging.length) * bit(ptBits), vaddr: v, coverBits });
    }
  }
  const userImagePaging = take(paging.length);
  const extraBootInfoFrames: MappedFrame[] = [];
  if (extra !== undefined) {
    for (let off = 0n; off < extraLen; off += bit(pageBits)) extraBootInfoFrames.push({ vaddr: extraBootInfo + off, paddr: extra + off });
  }
  const extraBIPages = extraLen > 0n ? take(extraBootInfoFrames.length) : { start: 0, end: 0 };
  const schedcontrol = mcs ? take(numNodes) : { start: 0, end: 0 };
  const imageFrames: MappedFrame[] = [];
  for (let p = input.userImage.start; p < input.userImage.end; p += bit(pageBits)) imageFrames.push({ vaddr: p - pvOffset, paddr: p });
  const userImageFrames = take(imageFrames.length);

  // create_untypeds: device gaps up to PADDR_USER_DEVICE_TOP, the kernel's boot code, free RAM.
  const minUntyped = bits(abi, "seL4_MinUntypedBits");
  const maxUntyped = bits(abi, "seL4_MaxUntypedBits");
  const deviceTop = BigInt(abi.kernelConfig["PADDR_USER_DEVICE_TOP"] as string);
  const untypeds: UntypedDesc[] = [];
  const region = (r: Range, isDevice: boolean): void => {
    untypeds.push(...untypedBlocks({ start: toPptr(r.start), end: toPptr(r.end) }, isDevice, window, minUntyped, maxUntyped));
  };
  let start = 0n;
  for (const r of reserved) {
    if (start < r.start) region({ start, end: r.start }, true);
    start = r.end;
  }
  if (start <= deviceTop - 1n) region({ start, end: deviceTop }, true);
  region({ start: input.kernelImage.start, end: input.kernelImage.bootEnd }, false);
  for (const r of free) if (r.start < r.end) region(r, false);
  const provided = untypeds.slice(0, maxBootUntypeds);
  const dropped = untypeds.length - provided.length;
  const untyped = take(provided.length);
  if (slot > 1 << rootCNodeBits) throw new BootError(`can't add another cap, all ${1 << rootCNodeBits} (=2^CONFIG_ROOT_CNODE_SIZE_BITS) slots used`);

  const bootLog = [
    `Available phys memory regions: ${available.length}`,
    ...available.map((r) => `  [${hex(r.start)}..${hex(r.end)})`),
    `Reserved virt address space regions: ${reservedImages.length}`,
    ...reservedImages.map((r) => `  [${hex(toPptr(r.start))}..${hex(toPptr(r.end))})`),
    // provide_untyped_cap, for each untyped beyond what BootInfo can list.
    ...Array.from({ length: dropped }, () => "Kernel init: Too many untyped regions for boot info"),
  ];

  return {
    userImageV, initialV,
    entryArgs: { ipcBuffer, bootInfo, extraBootInfo },
    extraLen, extraBiSizeBits: extraBits,
    objects: { cnode, vspace, asidPool, ipcBuffer: ipcBufferFrame, bootInfo: bootInfoFrame, extraBootInfo: extra, tcb, schedContext: sc },
    rootserverRegion: rootserver,
    paging, extraBootInfoFrames, imageFrames,
    untypeds: provided,
    slots: { userImagePaging, extraBIPages, schedcontrol, userImageFrames, untyped, empty: { start: slot, end: 1 << rootCNodeBits } },
    rootCNodeBits, numNodes,
    bootLog,
  };
}

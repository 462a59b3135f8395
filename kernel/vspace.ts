// Address spaces (seL4 src/arch/arm/64/kernel/vspace.c, src/arch/riscv/kernel/vspace.c): the
// translation tables as the kernel keeps them, the ASID table that names VSpace roots, and the
// walks and updates the paging invocations and cap deletion share (lookupPTSlot, findVSpaceForASID,
// unmapPage, unmapPageTable, deleteASID, deleteASIDPool).
//
// A table is a PageTable object whose entries are absent (invalid), a Leaf (a frame mapped there)
// or another PageTable (a table entry). The same shape serves every level and both architectures:
// the AArch64 VSpace root is a PageTable of 2^seL4_VSpaceIndexBits entries, a RISC-V root is an
// ordinary page table. The machine that runs user code learns of every change to a translation a
// live root reaches through KernelHost.vspace (VSpaceBackend), as hardware would see the kernel's
// stores to the tables followed by TLB maintenance.
import type { VmFacts } from "./abi.js";
import type { Cap } from "./cap.js";
import type { Kernel } from "./kernel.js";

/** What a mapping lets user mode do with the frame (seL4 vm_rights_t). */
export type VMRights = "KernelOnly" | "ReadOnly" | "ReadWrite";

/** Access rights of a translation, as the machine enforces them. */
export interface PageRights {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/** A leaf entry: a frame of 2^sizeBits bytes at paddr, mapped with these rights and attributes. */
export interface Leaf {
  readonly paddr: bigint;
  readonly sizeBits: number;
  readonly rights: VMRights;
  readonly executable: boolean;
  /** Normal cacheable memory, or (ARM, seL4_ARM_PageCacheable clear) device-nGnRnE. */
  readonly cacheable: boolean;
}

/** A translation table of 2^indexBits entries (pte_t[]): page table, page directory, VSpace root. */
export class PageTable {
  readonly entries: (PageTable | Leaf | undefined)[];
  /** The table entry that links this table into its parent, while one does. */
  parent: { readonly table: PageTable; readonly index: number } | undefined;
  /** The ASID this table is the VSpace root of, while an ASID pool holds it. */
  asid: bigint | undefined;

  constructor(readonly indexBits: number) {
    this.entries = new Array<PageTable | Leaf | undefined>(2 ** indexBits);
  }
}

/** An ASID pool: the VSpace roots of 2^asidLowBits ASIDs (asid_pool_t). */
export class ASIDPool {
  readonly roots: (PageTable | undefined)[];

  constructor(lowBits: number) {
    this.roots = new Array<PageTable | undefined>(2 ** lowBits);
  }
}

/**
 * What the machine does about the kernel's changes to address spaces (implemented by the emulator).
 * Each call concerns a VSpace root that an ASID names; the machine keeps the translations user
 * code runs with equal to what the kernel's tables map.
 */
export interface VSpaceBackend {
  /** [va, va + 2^sizeBits) of `root` now maps [paddr, ...) with `rights`, replacing what was there. */
  map(root: PageTable, va: bigint, paddr: bigint, sizeBits: number, rights: PageRights, cacheable: boolean): void;
  /** Nothing of [va, va + size) of `root` is mapped any more. */
  unmap(root: PageTable, va: bigint, size: bigint): void;
  /** Physical memory [paddr, paddr + size) reads as zero (an untyped reset, seL4 clearMemory). */
  zero(paddr: bigint, size: bigint): void;
}

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** Bits of address one entry of a table at `level` (0 = root) covers (UPT_LEVEL_SHIFT). */
export function levelShift(vm: VmFacts, level: number): number {
  return vm.frameBits[0]! + vm.ptIndexBits * (vm.levels - 1 - level);
}

/** Per level: the shift and index mask of levelIndex, as BigInts made once (walks are frequent). */
const walkSteps = new WeakMap<VmFacts, readonly { readonly shift: bigint; readonly mask: bigint }[]>();

/** The table index of vaddr at `level` (GET_UPT_INDEX / RISCV_GET_PT_INDEX). */
export function levelIndex(vm: VmFacts, vaddr: bigint, level: number): number {
  let steps = walkSteps.get(vm);
  if (steps === undefined) {
    steps = Array.from({ length: vm.levels }, (_, l) => ({ shift: BigInt(levelShift(vm, l)), mask: mask(l === 0 ? vm.rootIndexBits : vm.ptIndexBits) }));
    walkSteps.set(vm, steps);
  }
  const step = steps[level]!;
  return Number((vaddr >> step.shift) & step.mask);
}

/** Bytes of virtual address space a root translates. */
export function vspaceSpan(vm: VmFacts): bigint {
  return 1n << BigInt(levelShift(vm, 0) + vm.rootIndexBits);
}

// --- ASIDs ------------------------------------------------------------------------------------

/** The VSpace root an ASID names, if any (findVSpaceForASID; its failure is an InvalidRoot lookup fault). */
export function findVSpaceForASID(k: Kernel, asid: bigint): PageTable | undefined {
  const low = k.abi.vm.asidLowBits;
  return k.asidTable[Number(asid >> BigInt(low))]?.roots[Number(asid & mask(low))];
}

/** The pool holds `root` under `asid` (performASIDPoolInvocation). */
export function assignASID(k: Kernel, pool: ASIDPool, asid: bigint, root: PageTable): void {
  pool.roots[Number(asid & mask(k.abi.vm.asidLowBits))] = root;
  root.asid = asid;
  replayTable(k, root);
}

/** The ASID no longer names `root` (deleteASID): the address space is gone for whoever ran in it. */
export function deleteASID(k: Kernel, asid: bigint, root: PageTable): void {
  const pool = k.asidTable[Number(asid >> BigInt(k.abi.vm.asidLowBits))];
  const low = Number(asid & mask(k.abi.vm.asidLowBits));
  if (pool === undefined || pool.roots[low] !== root) return;
  pool.roots[low] = undefined;
  forgetRoot(k, root);
}

/** The pool based at asidBase leaves the ASID table with every root it held (deleteASIDPool). */
export function deleteASIDPool(k: Kernel, asidBase: bigint, pool: ASIDPool): void {
  const high = Number(asidBase >> BigInt(k.abi.vm.asidLowBits));
  if (k.asidTable[high] !== pool) return;
  k.asidTable[high] = undefined;
  for (const root of pool.roots) if (root !== undefined) forgetRoot(k, root);
}

function forgetRoot(k: Kernel, root: PageTable): void {
  root.asid = undefined;
  k.host.vspace?.unmap(root, 0n, vspaceSpan(k.abi.vm));
}

// --- walking ------------------------------------------------------------------------------------

/** The slot a walk for vaddr stops at, and how many address bits it covers (lookupPTSlot_ret_t). */
export interface PTSlot {
  readonly table: PageTable;
  readonly index: number;
  readonly bitsLeft: number;
}

/**
 * Walks from the root towards vaddr's 4 KiB entry while the entries are tables (lookupPTSlot): the
 * slot where a frame of 2^bitsLeft bytes is, or could be, mapped.
 */
export function lookupPTSlot(k: Kernel, root: PageTable, vaddr: bigint): PTSlot {
  const vm = k.abi.vm;
  let level = 0;
  let table = root;
  let index = levelIndex(vm, vaddr, 0);
  for (let entry = table.entries[index]; entry instanceof PageTable && level < vm.levels - 1; entry = table.entries[index]) {
    level++;
    table = entry;
    index = levelIndex(vm, vaddr, level);
  }
  return { table, index, bitsLeft: levelShift(vm, level) };
}

/**
 * Where a slot translates, if the table is linked (through its parents) into a root an ASID names:
 * the root, the first address of the slot and the bits the slot covers.
 */
function slotLocation(k: Kernel, table: PageTable, index: number): { root: PageTable; va: bigint; bits: number } | undefined {
  const path: number[] = [index];
  let top = table;
  for (let link = top.parent; link !== undefined; link = top.parent) {
    path.unshift(link.index);
    top = link.table;
  }
  if (top.asid === undefined || findVSpaceForASID(k, top.asid) !== top) return undefined;
  const vm = k.abi.vm;
  let va = 0n;
  path.forEach((i, level) => {
    va |= BigInt(i) << BigInt(levelShift(vm, level));
  });
  return { root: top, va, bits: levelShift(vm, path.length - 1) };
}

/** The rights the machine enforces for a leaf. */
export function leafRights(leaf: Leaf): PageRights {
  return { read: leaf.rights !== "KernelOnly", write: leaf.rights === "ReadWrite", execute: leaf.executable };
}

// --- changing tables ----------------------------------------------------------------------------

/** Writes a leaf (or clears the slot, `undefined`) and tells the machine if a root reaches it. */
export function writeLeaf(k: Kernel, table: PageTable, index: number, leaf: Leaf | undefined): void {
  const old = table.entries[index];
  if (old instanceof PageTable) throw new Error("writeLeaf over a table entry: clear it with clearSlot");
  table.entries[index] = leaf;
  const backend = k.host.vspace;
  const at = backend === undefined ? undefined : slotLocation(k, table, index);
  if (at === undefined) return;
  if (leaf !== undefined) backend!.map(at.root, at.va, leaf.paddr, leaf.sizeBits, leafRights(leaf), leaf.cacheable);
  else if (old !== undefined) backend!.unmap(at.root, at.va, 1n << BigInt(at.bits));
}

/** Links `child` into the slot (a table entry; performPageTableInvocationMap). */
export function linkTable(k: Kernel, table: PageTable, index: number, child: PageTable): void {
  if (table.entries[index] !== undefined) throw new Error("linkTable into a valid entry");
  table.entries[index] = child;
  child.parent = { table, index };
  replayTable(k, child);
}

/** Invalidates a slot of any kind; what it mapped is gone from the machine. */
export function clearSlot(k: Kernel, table: PageTable, index: number): void {
  const old = table.entries[index];
  if (old === undefined) return;
  if (old instanceof PageTable) old.parent = undefined;
  table.entries[index] = undefined;
  const backend = k.host.vspace;
  const at = backend === undefined ? undefined : slotLocation(k, table, index);
  if (at !== undefined) backend!.unmap(at.root, at.va, 1n << BigInt(at.bits));
}

/** Zeroes a whole table (clearMemory_PT): every entry becomes invalid. */
export function clearTable(k: Kernel, table: PageTable): void {
  for (let i = 0; i < table.entries.length; i++) if (table.entries[i] !== undefined) clearSlot(k, table, i);
}

/** Tells the machine what a table that a root now reaches already maps (normally nothing). */
function replayTable(k: Kernel, table: PageTable): void {
  const backend = k.host.vspace;
  if (backend === undefined) return;
  table.entries.forEach((e, i) => {
    if (e === undefined) return;
    const at = slotLocation(k, table, i);
    if (at === undefined) return;
    if (e instanceof PageTable) replayTable(k, e);
    else backend.map(at.root, at.va, e.paddr, e.sizeBits, leafRights(e), e.cacheable);
  });
}

/**
 * Removes the mapping of a frame, if its cap's mapping still holds: the slot at vaddr has a leaf of
 * that size for that frame (unmapPage). A stale cap changes nothing.
 */
export function unmapPage(k: Kernel, sizeBits: number, asid: bigint, vaddr: bigint, paddr: bigint): void {
  const root = findVSpaceForASID(k, asid);
  if (root === undefined) return;
  const slot = lookupPTSlot(k, root, vaddr);
  if (slot.bitsLeft !== sizeBits) return;
  const e = slot.table.entries[slot.index];
  if (e === undefined || e instanceof PageTable || e.paddr !== paddr) return;
  writeLeaf(k, slot.table, slot.index, undefined);
}

/** Removes the table entry that links `target` at vaddr into the ASID's VSpace, if it does (unmapPageTable). */
export function unmapPageTable(k: Kernel, asid: bigint, vaddr: bigint, target: PageTable): void {
  const root = findVSpaceForASID(k, asid);
  if (root === undefined) return;
  let slot: { table: PageTable; index: number } | undefined;
  let pt = root;
  for (let level = 0; level < k.abi.vm.levels - 1 && pt !== target; level++) {
    const index = levelIndex(k.abi.vm, vaddr, level);
    const e = pt.entries[index];
    if (!(e instanceof PageTable)) return;
    slot = { table: pt, index };
    pt = e;
  }
  if (pt !== target || slot === undefined) return;
  clearSlot(k, slot.table, slot.index);
}

/** Every leaf a root reaches, with its virtual address, lowest first. */
export function* vspaceLeaves(k: Kernel, root: PageTable): Generator<{ readonly va: bigint; readonly leaf: Leaf }> {
  const vm = k.abi.vm;
  function* walk(table: PageTable, level: number, base: bigint): Generator<{ readonly va: bigint; readonly leaf: Leaf }> {
    const shift = BigInt(levelShift(vm, level));
    for (let i = 0; i < table.entries.length; i++) {
      const e = table.entries[i];
      if (e === undefined) continue;
      const va = base | (BigInt(i) << shift);
      if (e instanceof PageTable) yield* walk(e, level + 1, va);
      else yield { va, leaf: e };
    }
  }
  yield* walk(root, 0, 0n);
}

// --- rights and attributes ----------------------------------------------------------------------

/** A cap's rights mask applied to mapping rights (maskVMRights): write needs read, else nothing. */
export function maskVMRights(rights: VMRights, mask: { readonly read: boolean; readonly write: boolean }): VMRights {
  if (rights === "ReadOnly" && mask.read) return "ReadOnly";
  if (rights === "ReadWrite" && mask.read) return mask.write ? "ReadWrite" : "ReadOnly";
  return "KernelOnly";
}

/** The attributes word of a PageMap (vmAttributesFromWord): execute-never, and ARM's cacheable bit. */
export function vmAttributes(vm: VmFacts, word: bigint): { readonly executable: boolean; readonly cacheable: boolean } {
  const bit = (suffix: string): bigint | undefined => {
    const name = Object.keys(vm.vmAttributes).find((n) => n.endsWith(suffix));
    return name === undefined ? undefined : BigInt(vm.vmAttributes[name]!);
  };
  const xn = bit("_ExecuteNever");
  const cacheable = bit("_PageCacheable");
  if (xn === undefined) throw new Error("the ABI tables name no ExecuteNever VM attribute");
  // RISC-V has no cacheability attribute: every user mapping is normal memory.
  return { executable: (word & xn) === 0n, cacheable: cacheable === undefined || (word & cacheable) !== 0n };
}

// --- caps and labels ----------------------------------------------------------------------------

/** The invocation label name of a paging operation on this architecture: ARMPageMap, RISCVPageMap, ... */
export function archLabelName(k: Kernel, operation: string): string {
  return `${k.abi.arch === "aarch64" ? "ARM" : "RISCV"}${operation}`;
}

/** The label number of a paging operation, or -1 if this build has none. */
export function archLabel(k: Kernel, operation: string): bigint {
  return BigInt(k.abi.labels[archLabelName(k, operation)] ?? -1);
}

/**
 * A cap a thread can run in, and that paging calls accept as the address space (isValidVTableRoot,
 * isValidNativeRoot): an assigned vspace_cap on AArch64, an assigned page_table_cap on RISC-V.
 */
export function isValidVTableRoot(k: Kernel, cap: Cap): cap is Extract<Cap, { type: "vspace" | "page_table" }> {
  const type = k.abi.arch === "aarch64" ? "vspace" : "page_table";
  return cap.type === type && cap.isMapped;
}

/**
 * The translation level at which an AArch64 walk of the thread's VSpace for `vaddr` stops: where an
 * entry is empty (a translation fault) or a leaf maps it (a permission fault), as the MMU reports
 * it in a fault status. Levels count from the 4 KiB leaf tables up (3), so a VSpace that starts at
 * level 1 (the hypervisor kernel's) numbers as the hardware does. Undefined without a valid VSpace.
 */
export function walkLevel(k: Kernel, vspaceRoot: Cap, vaddr: bigint): number | undefined {
  if (!isValidVTableRoot(k, vspaceRoot)) return undefined;
  const vm = k.abi.vm;
  return 3 - (lookupPTSlot(k, vspaceRoot.object, vaddr).bitsLeft - vm.frameBits[0]!) / vm.ptIndexBits;
}

/** The root table and ASID a valid VSpace root cap names. */
export function vspaceRootOf(cap: Extract<Cap, { type: "vspace" | "page_table" }>): { readonly root: PageTable; readonly asid: bigint } {
  return { root: cap.object, asid: cap.mappedAsid };
}

/** The cap to an assigned VSpace root: a vspace_cap on AArch64, a page_table_cap mapped at 0 on RISC-V. */
export function rootCap(k: Kernel, root: PageTable): Extract<Cap, { type: "vspace" | "page_table" }> {
  if (root.asid === undefined) throw new Error("rootCap of a table no ASID names");
  return k.abi.arch === "aarch64"
    ? { type: "vspace", object: root, isMapped: true, mappedAsid: root.asid }
    : { type: "page_table", object: root, isMapped: true, mappedAsid: root.asid, mappedAddress: 0n };
}

/**
 * Maps a frame at va, making the page tables the walk lacks, as a system initialiser does with
 * PageTableMap and PageMap on objects it keeps (Microkit's tool and capDL initialiser, seL4's boot
 * code for the initial thread). Returns why not if something is mapped in the way.
 */
export function installMapping(k: Kernel, root: PageTable, va: bigint, leaf: Leaf): string | undefined {
  for (;;) {
    const slot = lookupPTSlot(k, root, va);
    const present = slot.table.entries[slot.index];
    if (slot.bitsLeft === leaf.sizeBits) {
      if (present !== undefined) return `0x${va.toString(16)} is mapped already`;
      writeLeaf(k, slot.table, slot.index, leaf);
      return undefined;
    }
    if (slot.bitsLeft < leaf.sizeBits || present !== undefined) return `0x${va.toString(16)} overlaps a mapping of another size`;
    linkTable(k, slot.table, slot.index, new PageTable(k.abi.vm.ptIndexBits));
  }
}

// A PD with paging objects to invoke: its own CNode cap (CN), untyped RAM, a VSpace root with an
// ASID made through ASIDControlMakePool and ASIDPoolAssign, and a backend that records what the
// kernel tells the machine. Labels are named without their architecture prefix (PageMap is
// ARMPageMap or RISCVPageMap); argument places come from marshalling.json (cnode-world.ts).
import { expect } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import type { Cap } from "../../kernel/cap.js";
import { insertOriginalCap } from "../../kernel/cspace.js";
import { Untyped } from "../../kernel/objects/untyped.js";
import { vspaceLeaves, type PageRights, type PageTable, type VSpaceBackend } from "../../kernel/vspace.js";
import { CN, CNodeWorld, PD_BITS, rightsWord } from "./cnode-world.js";
import { archJson } from "./harness.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the kernel told the machine, one line per call: "map <root> <va> <pa> <bits> <rwx>", "unmap <root> <va> <size>", "zero <pa> <size>". */
export class RecordingVSpaces implements VSpaceBackend {
  readonly events: string[] = [];
  private readonly names = new Map<PageTable, string>();

  name(root: PageTable, name: string): void {
    this.names.set(root, name);
  }

  private n(root: PageTable): string {
    return this.names.get(root) ?? "?";
  }

  map(root: PageTable, va: bigint, paddr: bigint, sizeBits: number, rights: PageRights, cacheable: boolean): void {
    const r = `${rights.read ? "r" : "-"}${rights.write ? "w" : "-"}${rights.execute ? "x" : "-"}`;
    this.events.push(`map ${this.n(root)} ${hex(va)} ${hex(paddr)} ${sizeBits} ${r}${cacheable ? "" : " uncached"}`);
  }

  unmap(root: PageTable, va: bigint, size: bigint): void {
    this.events.push(`unmap ${this.n(root)} ${hex(va)} ${hex(size)}`);
  }

  zero(paddr: bigint, size: bigint): void {
    this.events.push(`zero ${hex(paddr)} ${hex(size)}`);
  }

  /** The events since the last call. */
  take(): string[] {
    return this.events.splice(0);
  }
}

export const hex = (v: bigint): string => `0x${v.toString(16)}`;
const D = BigInt(PD_BITS);

// Slots (= cptrs) of the PD's CNode the tests use.
export const UT = 40n; // 2^24 bytes of RAM at RAM_BASE
export const POOL_UT = 41n; // 2^12 bytes for an ASID pool
export const ASID_CONTROL = 42n;
export const POOL = 43n;
export const VS = 44n; // the PD's VSpace root cap

export const RAM_BASE = 0x4000_0000n;
export const POOL_UT_BASE = 0x5000_0000n;

export class VSpaceWorld extends CNodeWorld {
  readonly backend = new RecordingVSpaces();
  /** Where the next retype(…, slot) puts its objects: slots from 100 on. */
  private nextSlot = 100n;

  constructor(arch: Arch) {
    super(arch);
    this.sim.host.vspace = this.backend;
    this.giveUntyped(UT, RAM_BASE, 24);
    this.giveUntyped(POOL_UT, POOL_UT_BASE, 12);
    this.put(ASID_CONTROL, { type: "asid_control" });
    this.invoke(this.label("ASIDControlMakePool"), { cap: ASID_CONTROL, args: { untyped: POOL_UT, root: CN, index: POOL, depth: D } });
    this.expectSuccess();
    const vs = this.retype(this.typeName("vspace"));
    this.invoke(this.label("ASIDPoolAssign"), { cap: POOL, args: { vspace: vs } });
    this.expectSuccess();
    this.move(vs, VS);
    this.backend.name(this.root, "pd");
  }

  /** The architecture's name of a paging label: ARMPageMap or RISCVPageMap. */
  label(op: string): string {
    return `${this.arch === "aarch64" ? "ARM" : "RISCV"}${op}`;
  }

  /** The libsel4 object type of a frame size, a page table or a VSpace root on this architecture. */
  typeName(kind: "small" | "large" | "huge" | "page_table" | "vspace"): string {
    const a64 = this.arch === "aarch64";
    switch (kind) {
      case "small":
        return a64 ? "seL4_ARM_SmallPageObject" : "seL4_RISCV_4K_Page";
      case "large":
        return a64 ? "seL4_ARM_LargePageObject" : "seL4_RISCV_Mega_Page";
      case "huge":
        return a64 ? "seL4_ARM_HugePageObject" : "seL4_RISCV_Giga_Page";
      case "page_table":
        return a64 ? "seL4_ARM_PageTableObject" : "seL4_RISCV_PageTableObject";
      case "vspace":
        return a64 ? "seL4_ARM_VSpaceObject" : "seL4_RISCV_PageTableObject";
    }
  }

  giveUntyped(slot: bigint, paddr: bigint, bits: number, isDevice = false): void {
    insertOriginalCap({ cnode: this.pd.cnode, index: Number(slot) }, { type: "untyped", object: new Untyped(paddr, bits, isDevice), freeIndex: 0n });
  }

  /** Retypes one object of libsel4 type `type` from untyped `from` into the next free slot; returns the slot. */
  retype(type: string, from = UT): bigint {
    const slot = this.nextSlot++;
    const id = BigInt(archJson(this.arch)["objects"]["type_ids"][type] as number);
    this.invoke("UntypedRetype", { cap: from, args: { type: id, size_bits: 0n, root: CN, node_index: 0n, node_depth: 0n, node_offset: slot, num_objects: 1n } });
    this.expectSuccess();
    return slot;
  }

  /** CNodeMove(CN, to) <- (CN, from). */
  move(from: bigint, to: bigint): void {
    this.invoke("CNodeMove", { args: { dest_index: to, dest_depth: D, src_root: CN, src_index: from, src_depth: D } });
    this.expectSuccess();
  }

  /** CNodeCopy / CNodeMint with rights, into `to`. */
  copy(from: bigint, to: bigint, rights: { read?: boolean; write?: boolean; grant?: boolean; grantReply?: boolean } = { read: true, write: true, grant: true, grantReply: true }): void {
    this.invoke("CNodeCopy", { args: { dest_index: to, dest_depth: D, src_root: CN, src_index: from, src_depth: D, rights: rightsWord(this.arch, rights) } });
  }

  delete(slot: bigint): void {
    this.invoke("CNodeDelete", { args: { index: slot, depth: D } });
    this.expectSuccess();
  }

  revoke(slot: bigint): void {
    this.invoke("CNodeRevoke", { args: { index: slot, depth: D } });
    this.expectSuccess();
  }

  /** The PD's VSpace root table. */
  get root(): PageTable {
    const c = this.at(VS);
    if (c.type !== "vspace" && c.type !== "page_table") throw new Error("no VSpace root in VS");
    return c.object;
  }

  /** A paging invocation by its architecture-free name, on `cap`. */
  call(op: string, cap: bigint, args: Readonly<Record<string, bigint>> = {}, o: { length?: number; extraCaps?: number } = {}): void {
    this.invoke(this.label(op), { cap, args, ...o });
  }

  pageMap(frame: bigint, vaddr: bigint, rights = this.rw, attr = this.defaultAttrs, vspace = VS): void {
    this.call("PageMap", frame, { vspace, vaddr, rights, attr });
  }

  tableMap(table: bigint, vaddr: bigint, vspace = VS): void {
    this.call("PageTableMap", table, { vspace, vaddr, attr: this.defaultAttrs });
  }

  /** A new page table mapped at vaddr (at whatever level the walk needs one). */
  newTable(vaddr: bigint): bigint {
    const t = this.retype(this.typeName("page_table"));
    this.tableMap(t, vaddr);
    this.expectSuccess();
    return t;
  }

  get rw(): bigint {
    return rightsWord(this.arch, { read: true, write: true });
  }

  /** seL4_ARM_Default_VMAttributes / seL4_RISCV_Default_VMAttributes. */
  get defaultAttrs(): bigint {
    return BigInt(this.vmAttr(this.arch === "aarch64" ? "seL4_ARM_Default_VMAttributes" : "seL4_RISCV_Default_VMAttributes"));
  }

  vmAttr(name: string): bigint {
    const v = (archJson(this.arch)["vm"]["vm_attributes"] as Json)[name] as number | undefined;
    if (v === undefined) throw new Error(`no VM attribute ${name} on ${this.arch}`);
    return BigInt(v);
  }

  /** Every leaf the PD's VSpace maps, as "<va> -> <pa> <bits> <rights>[ x][ uncached]". */
  leaves(): string[] {
    return [...vspaceLeaves(this.sim.k, this.root)].map(({ va, leaf }) =>
      `${hex(va)} -> ${hex(leaf.paddr)} ${leaf.sizeBits} ${leaf.rights}${leaf.executable ? " x" : ""}${leaf.cacheable ? "" : " uncached"}`);
  }

  frameCap(slot: bigint): Extract<Cap, { type: "frame" }> {
    const c = this.at(slot);
    if (c.type !== "frame") throw new Error(`slot ${slot} holds a ${c.type} cap, not a frame`);
    return c;
  }

  /** A FailedLookup error reply: not the source, then the lookup failure words. */
  expectFailedLookup(lookup: "InvalidRoot" | "MissingCapability", bitsLeft?: bigint): void {
    this.expectError("seL4_FailedLookup", [0n, this.lf(`seL4_${lookup}`), ...(bitsLeft === undefined ? [] : [bitsLeft])]);
  }

  expectMr0(v: bigint): void {
    expect(this.sim.fastMrs(this.pd)[0]).toBe(v);
  }
}

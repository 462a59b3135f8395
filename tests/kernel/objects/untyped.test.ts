// UntypedRetype through seL4_Call on an untyped cap (seL4 src/object/untyped.c decodeUntypedInvocation,
// invokeUntyped_Retype; src/object/objecttype.c getObjectSize, createObject). Type ids and size bits
// are read raw from <arch>.json `objects`; the addresses expected after each Retype are written out by
// hand from seL4's rules: each object aligned up to its own size from the watermark (capFreeIndex, in
// 16-byte units), the watermark back at the base when the untyped has no children.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { kernelAbi } from "../../../kernel/abi.js";
import type { Cap } from "../../../kernel/cap.js";
import { insertOriginalCap, mdbNode } from "../../../kernel/cspace.js";
import { ArchObject, Untyped, capRegion, objectTypes } from "../../../kernel/objects/untyped.js";
import { Frame } from "../../../kernel/objects/frame.js";
import type { PageTable } from "../../../kernel/vspace.js";
import { CN, CNodeWorld, PD_BITS, rightsWord } from "../cnode-world.js";
import { ARCHES, Endpoint, archJson, endpointCap, SchedContext, TCB } from "../harness.js";

const D = BigInt(PD_BITS);
/** The untyped cap's slot (= cptr) in the PD's CNode. */
const UT = 40n;

const typeId = (arch: Arch, name: string): bigint => {
  const v = archJson(arch)["objects"]["type_ids"][name] as number | undefined;
  if (v === undefined) throw new Error(`no object type ${name} on ${arch}`);
  return BigInt(v);
};
const sizeBits = (arch: Arch, name: string): number => archJson(arch)["objects"]["size_bits"][name] as number;

/** An original untyped cap (as the boot code makes them) in slot `index`. */
function giveUntyped(w: CNodeWorld, paddr: bigint, bits: number, isDevice = false, index = UT): Untyped {
  if (paddr % (1n << BigInt(bits)) !== 0n) throw new Error("an untyped is aligned to its size");
  const object = new Untyped(paddr, bits, isDevice);
  insertOriginalCap({ cnode: w.pd.cnode, index: Number(index) }, { type: "untyped", object, freeIndex: 0n });
  return object;
}

interface Retype {
  readonly type: string | bigint;
  readonly size?: bigint;
  readonly offset: bigint;
  readonly n?: bigint;
  readonly root?: bigint;
  readonly index?: bigint;
  readonly depth?: bigint;
  readonly cap?: bigint;
  readonly length?: number;
  readonly extraCaps?: number;
}

/** seL4_Untyped_Retype(cap, type, size_bits, root, node_index, node_depth, node_offset, num_objects). */
function retype(w: CNodeWorld, r: Retype): void {
  const type = typeof r.type === "bigint" ? r.type : typeId(w.arch, r.type);
  w.invoke("UntypedRetype", {
    cap: r.cap ?? UT,
    args: { type, size_bits: r.size ?? 0n, root: r.root ?? CN, node_index: r.index ?? 0n, node_depth: r.depth ?? 0n, node_offset: r.offset, num_objects: r.n ?? 1n },
    ...(r.length === undefined ? {} : { length: r.length }),
    ...(r.extraCaps === undefined ? {} : { extraCaps: r.extraCaps }),
  });
}

const freeIndex = (w: CNodeWorld, index = UT): bigint => {
  const c = w.at(index);
  if (c.type !== "untyped") throw new Error(`slot ${index} holds no untyped cap`);
  return c.freeIndex;
};
const base = (c: Cap): bigint | undefined => capRegion(c)?.base;

/** Hand-computed per architecture: seL4_TCBBits is 12 on aarch64 debug, 11 on riscv64. */
const TCB_BYTES: Readonly<Record<Arch, bigint>> = { aarch64: 0x1000n, riscv64: 0x800n };

describe.each(ARCHES)("UntypedRetype: objects and addresses (%s)", (arch) => {
  it("the ABI sizes the tests rely on", () => {
    expect(sizeBits(arch, "seL4_EndpointBits")).toBe(4);
    expect(sizeBits(arch, "seL4_NotificationBits")).toBe(6);
    expect(1n << BigInt(sizeBits(arch, "seL4_TCBBits"))).toBe(TCB_BYTES[arch]);
    expect(sizeBits(arch, "seL4_MinUntypedBits")).toBe(4);
    expect(sizeBits(arch, "seL4_SlotBits")).toBe(5);
  });

  it("endpoints packed from the base, one per slot; the watermark counts 16-byte units", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 100n, n: 3n });
    w.expectSuccess();
    const caps = [w.at(100n), w.at(101n), w.at(102n)];
    expect(caps.map((c) => c.type)).toEqual(["endpoint", "endpoint", "endpoint"]);
    expect(caps.map(base)).toEqual([0x4000_0000n, 0x4000_0010n, 0x4000_0020n]);
    expect(new Set(caps.map((c) => (c as { object: unknown }).object)).size).toBe(3);
    expect(caps[0]).toEqual(endpointCap((caps[0] as { object: Endpoint }).object));
    expect(freeIndex(w)).toBe(3n); // 0x30 bytes
    expect(w.at(103n)).toEqual({ type: "null" });
  });

  it("each object is aligned up to its own size from the watermark", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x8000_0000n, 16);
    retype(w, { type: "seL4_EndpointObject", offset: 100n });
    w.expectSuccess();
    expect(base(w.at(100n))).toBe(0x8000_0000n);
    expect(freeIndex(w)).toBe(1n);
    // Watermark 0x10: a TCB goes to the next TCB-size boundary.
    retype(w, { type: "seL4_TCBObject", offset: 101n });
    w.expectSuccess();
    const tcbAt = { aarch64: 0x8000_1000n, riscv64: 0x8000_0800n }[arch];
    expect(base(w.at(101n))).toBe(tcbAt);
    expect(freeIndex(w)).toBe({ aarch64: 0x200n, riscv64: 0x100n }[arch]); // 0x2000 / 0x1000 bytes used
    // Already 64-byte aligned: a notification goes right after the TCB.
    retype(w, { type: "seL4_NotificationObject", offset: 102n });
    w.expectSuccess();
    expect(base(w.at(102n))).toBe({ aarch64: 0x8000_2000n, riscv64: 0x8000_1000n }[arch]);
    expect(freeIndex(w)).toBe({ aarch64: 0x204n, riscv64: 0x104n }[arch]);
    // An endpoint after it; then a 2^7-byte scheduling context aligned up from 0x..050 to 0x..080.
    retype(w, { type: "seL4_EndpointObject", offset: 103n });
    retype(w, { type: "seL4_SchedContextObject", size: 7n, offset: 104n, n: 2n });
    w.expectSuccess();
    expect(base(w.at(103n))).toBe({ aarch64: 0x8000_2040n, riscv64: 0x8000_1040n }[arch]);
    expect([base(w.at(104n)), base(w.at(105n))]).toEqual(
      { aarch64: [0x8000_2080n, 0x8000_2100n], riscv64: [0x8000_1080n, 0x8000_1100n] }[arch],
    );
    expect(freeIndex(w)).toBe({ aarch64: 0x218n, riscv64: 0x118n }[arch]); // 0x2180 / 0x1180
  });

  it("a CNode of radix r takes 2^(r + seL4_SlotBits) bytes and has 2^r empty slots, guard 0", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 99n });
    retype(w, { type: "seL4_CapTableObject", size: 3n, offset: 100n, n: 2n });
    w.expectSuccess();
    const c = w.at(100n);
    if (c.type !== "cnode") throw new Error("no CNode cap");
    expect(c.object.slots.length).toBe(8);
    expect(c.object.slots.every((s) => s.type === "null")).toBe(true);
    expect([c.guard, c.guardSize]).toEqual([0n, 0]);
    // 2^8 bytes each, the first aligned up past the endpoint at 0x0.
    expect([base(c), base(w.at(101n))]).toEqual([0x4000_0100n, 0x4000_0200n]);
    expect(capRegion(c)?.sizeBits).toBe(8);
    expect(freeIndex(w)).toBe(0x30n);
  });

  it("TCB, reply and scheduling context start in their initial state", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 14);
    retype(w, { type: "seL4_TCBObject", offset: 100n });
    retype(w, { type: "seL4_ReplyObject", offset: 101n });
    retype(w, { type: "seL4_SchedContextObject", size: 8n, offset: 102n });
    w.expectSuccess();
    const t = w.at(100n);
    if (t.type !== "tcb") throw new Error("no TCB cap");
    expect(t.object).toBeInstanceOf(TCB);
    expect([t.object.state, t.object.priority, t.object.mcp]).toEqual(["Inactive", 0, 0]);
    expect(t.object.context.length).toBe(archJson(arch)["registers"]["seL4_UserContext"].length);
    expect(t.object.context.every((v) => v === 0n)).toBe(true);
    expect(t.object.name).toBe("child of: 'pd'");
    expect(w.at(101n)).toMatchObject({ type: "reply", canGrant: true });
    const sc = w.at(102n);
    if (sc.type !== "sched_context") throw new Error("no SC cap");
    expect(sc.object).toBeInstanceOf(SchedContext);
    expect([sc.object.active, sc.object.sizeBits, sc.object.tcb]).toEqual([false, 8, undefined]);
    expect(base(w.at(101n))).toBe(0x4000_0000n + TCB_BYTES[arch]);
    expect(base(sc)).toBe(0x4000_0000n + TCB_BYTES[arch] + 0x100n);
  });

  it("an untyped from an untyped keeps the device bit and a watermark of its own", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 16);
    retype(w, { type: "seL4_UntypedObject", size: 12n, offset: 100n, n: 2n });
    w.expectSuccess();
    expect(w.at(100n)).toEqual({ type: "untyped", object: new Untyped(0x4000_0000n, 12, false), freeIndex: 0n });
    expect(w.at(101n)).toEqual({ type: "untyped", object: new Untyped(0x4000_1000n, 12, false), freeIndex: 0n });
    // The child untyped retypes on its own.
    retype(w, { cap: 101n, type: "seL4_NotificationObject", offset: 102n, n: 2n });
    w.expectSuccess();
    expect([base(w.at(102n)), base(w.at(103n))]).toEqual([0x4000_1000n, 0x4000_1040n]);
    expect(freeIndex(w, 101n)).toBe(8n);
    expect(freeIndex(w)).toBe(0x200n);
  });

  it("architecture objects: frames read-write and unmapped, tables empty and unmapped, VCPUs as placeholders", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 30);
    const expected: readonly [string, number][] =
      arch === "aarch64"
        ? [["seL4_ARM_SmallPageObject", 12], ["seL4_ARM_PageTableObject", 12], ["seL4_ARM_VSpaceObject", 13], ["seL4_ARM_VCPUObject", 12], ["seL4_ARM_LargePageObject", 21]]
        : [["seL4_RISCV_4K_Page", 12], ["seL4_RISCV_PageTableObject", 12], ["seL4_RISCV_Mega_Page", 21]];
    const addrs =
      arch === "aarch64"
        ? [0x4000_0000n, 0x4000_1000n, 0x4000_2000n, 0x4000_4000n, 0x4020_0000n]
        : [0x4000_0000n, 0x4000_1000n, 0x4020_0000n];
    // Table entries: 2^9 below the root; the AArch64 hypervisor VSpace root has 2^10 (seL4_VSpaceIndexBits).
    const entries = { page_table: 512, vspace: 1024 } as const;
    expected.forEach(([name], i) => retype(w, { type: name, offset: 100n + BigInt(i) }));
    w.expectSuccess();
    expected.forEach(([name, bits], i) => {
      const cap = w.at(100n + BigInt(i));
      expect(capRegion(cap)).toEqual({ base: addrs[i], sizeBits: bits });
      if (name.includes("Page") && !name.includes("PageTable")) {
        expect(cap).toEqual({ type: "frame", object: new Frame(addrs[i]!, bits, false), rights: "ReadWrite", mappedAsid: 0n, mappedAddress: 0n });
      } else if (name.includes("PageTable")) {
        expect(cap).toMatchObject({ type: "page_table", isMapped: false, mappedAsid: 0n, mappedAddress: 0n });
        expect((cap as { object: PageTable }).object.entries).toHaveLength(entries.page_table);
        expect((cap as { object: PageTable }).object.entries.every((e) => e === undefined)).toBe(true);
      } else if (name.includes("VSpace")) {
        expect(cap).toMatchObject({ type: "vspace", isMapped: false, mappedAsid: 0n });
        expect((cap as { object: PageTable }).object.entries).toHaveLength(entries.vspace);
      } else {
        expect(cap).toEqual({ type: "arch_object", object: new ArchObject(name, "vcpu", addrs[i]!, bits, false) });
      }
    });
  });

  it("a huge page takes a whole 2^30 untyped", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 30);
    const huge = arch === "aarch64" ? "seL4_ARM_HugePageObject" : "seL4_RISCV_Giga_Page";
    retype(w, { type: huge, offset: 100n });
    w.expectSuccess();
    expect(capRegion(w.at(100n))).toEqual({ base: 0x4000_0000n, sizeBits: 30 });
    expect(freeIndex(w)).toBe(1n << 26n);
    retype(w, { type: "seL4_EndpointObject", offset: 101n });
    w.expectError("seL4_NotEnoughMemory", [0n]);
  });

  it("a window of 256 endpoints fills a 2^12 untyped exactly", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 200n, n: 256n });
    w.expectSuccess();
    expect(base(w.at(455n))).toBe(0x4000_0ff0n);
    expect(freeIndex(w)).toBe(256n);
  });

  it("the new caps are children of the untyped, each its own original", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 100n, n: 2n });
    const node = mdbNode({ cnode: w.pd.cnode, index: 100 });
    expect([node.revocable, node.firstBadged, node.external]).toEqual([true, true, false]);
    // createNewObjects inserts each right after the untyped: the last made comes first.
    expect(mdbNode({ cnode: w.pd.cnode, index: Number(UT) }).next?.index).toBe(101);
    expect(mdbNode({ cnode: w.pd.cnode, index: 101 }).next?.index).toBe(100);
  });

  it("DebugCapIdentify names untyped and frame caps by their seL4 tags", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: arch === "aarch64" ? "seL4_ARM_SmallPageObject" : "seL4_RISCV_4K_Page", offset: 100n });
    w.sim.trap(w.pd, "seL4_SysDebugCapIdentify", { cap: UT });
    expect(w.sim.reg(w.pd, w.sim.roles.cap)).toBe(2n);
    w.sim.trap(w.pd, "seL4_SysDebugCapIdentify", { cap: 100n });
    expect(w.sim.reg(w.pd, w.sim.roles.cap)).toBe(1n);
  });
});

describe.each(ARCHES)("UntypedRetype: watermark, revoke and reuse (%s)", (arch) => {
  it("Revoke deletes every object made and the next Retype starts from the base again", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_NotificationObject", offset: 100n, n: 4n });
    retype(w, { type: "seL4_CapTableObject", size: 1n, offset: 104n });
    w.expectSuccess();
    expect(freeIndex(w)).toBe(0x14n);
    w.invoke("CNodeRevoke", { args: { index: UT, depth: D } });
    w.expectSuccess();
    for (let i = 100n; i <= 104n; i++) expect(w.at(i)).toEqual({ type: "null" });
    // Revoke leaves the watermark; the Retype that finds no children resets it.
    expect(freeIndex(w)).toBe(0x14n);
    retype(w, { type: "seL4_TCBObject", offset: 110n });
    w.expectSuccess();
    expect(base(w.at(110n))).toBe(0x4000_0000n);
    expect(freeIndex(w)).toBe(TCB_BYTES[arch] >> 4n);
  });

  it("NotEnoughMemory reports the bytes after the watermark, or the whole block once the children are gone", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 100n });
    // 0xff0 bytes left: room for 63 notifications (0xff0 >> 6), not 64.
    retype(w, { type: "seL4_NotificationObject", offset: 101n, n: 64n });
    w.expectError("seL4_NotEnoughMemory", [0xff0n]);
    expect(w.at(101n)).toEqual({ type: "null" });
    retype(w, { type: "seL4_NotificationObject", offset: 101n, n: 63n });
    w.expectSuccess();
    expect(base(w.at(101n))).toBe(0x4000_0040n);
    expect(base(w.at(163n))).toBe(0x4000_0fc0n);
    expect(freeIndex(w)).toBe(0x100n);
    retype(w, { type: "seL4_EndpointObject", offset: 200n });
    w.expectError("seL4_NotEnoughMemory", [0n]);
    w.invoke("CNodeRevoke", { args: { index: UT, depth: D } });
    retype(w, { type: "seL4_NotificationObject", offset: 200n, n: 65n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
  });

  it("with one child left the watermark holds; once the last is deleted the untyped is fresh", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 100n, n: 2n });
    w.invoke("CNodeDelete", { args: { index: 100n, depth: D } });
    w.expectSuccess();
    retype(w, { type: "seL4_EndpointObject", offset: 102n });
    expect(base(w.at(102n))).toBe(0x4000_0020n);
    w.invoke("CNodeDelete", { args: { index: 101n, depth: D } });
    w.invoke("CNodeDelete", { args: { index: 102n, depth: D } });
    retype(w, { type: "seL4_EndpointObject", offset: 103n });
    w.expectSuccess();
    expect(base(w.at(103n))).toBe(0x4000_0000n);
    expect(freeIndex(w)).toBe(1n);
  });

  it("a copy of a child cap keeps the untyped from resetting; moving the original out does not", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    retype(w, { type: "seL4_EndpointObject", offset: 100n });
    w.invoke("CNodeCopy", { args: { dest_index: 101n, dest_depth: D, src_root: CN, src_index: 100n, src_depth: D, rights: rightsWord(arch, { write: true }) } });
    w.invoke("CNodeDelete", { args: { index: 100n, depth: D } });
    w.expectSuccess();
    retype(w, { type: "seL4_EndpointObject", offset: 102n });
    expect(base(w.at(102n))).toBe(0x4000_0010n);
    // A moved child is still a child.
    w.invoke("CNodeMove", { args: { dest_index: 103n, dest_depth: D, src_root: CN, src_index: 102n, src_depth: D } });
    w.invoke("CNodeDelete", { args: { index: 101n, depth: D } });
    retype(w, { type: "seL4_EndpointObject", offset: 104n });
    expect(base(w.at(104n))).toBe(0x4000_0020n);
  });

  it("Revoke of the untyped also deletes what a child untyped made, and the objects are finalised", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 16);
    retype(w, { type: "seL4_UntypedObject", size: 12n, offset: 100n });
    retype(w, { cap: 100n, type: "seL4_EndpointObject", offset: 101n });
    retype(w, { type: "seL4_CapTableObject", size: 2n, offset: 102n });
    w.expectSuccess();
    expect([base(w.at(101n)), base(w.at(102n))]).toEqual([0x4000_0000n, 0x4000_1000n]);
    // A copy of the endpoint in slot 1 of the new CNode (PD slot 102, then 2 more bits).
    const inner = w.at(102n);
    if (inner.type !== "cnode") throw new Error("no CNode");
    w.invoke("CNodeCopy", { args: { dest_index: (102n << 2n) | 1n, dest_depth: D + 2n, src_root: CN, src_index: 101n, src_depth: D, rights: rightsWord(arch, { read: true }) } });
    w.expectSuccess();
    expect(inner.object.slots[1]?.type).toBe("endpoint");
    w.invoke("CNodeRevoke", { args: { index: UT, depth: D } });
    w.expectSuccess();
    for (const i of [100n, 101n, 102n]) expect(w.at(i)).toEqual({ type: "null" });
    // The CNode's last cap went: its slots were emptied with it.
    expect(inner.object.slots[1]?.type).toBe("null");
  });
});

describe.each(ARCHES)("UntypedRetype: copying untyped caps (%s)", (arch) => {
  const ALL = (): bigint => rightsWord(arch, { write: true, read: true, grant: true, grantReply: true });

  it("an untyped without children copies; with children Copy and Mint are RevokeFirst", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, 12);
    w.invoke("CNodeCopy", { args: { dest_index: 41n, dest_depth: D, src_root: CN, src_index: UT, src_depth: D, rights: ALL() } });
    w.expectSuccess();
    expect(w.at(41n)).toEqual({ type: "untyped", object: (w.at(UT) as { object: Untyped }).object, freeIndex: 0n });
    // The copy is the original's child: now the original has children.
    w.invoke("CNodeCopy", { args: { dest_index: 42n, dest_depth: D, src_root: CN, src_index: UT, src_depth: D, rights: ALL() } });
    w.expectError("seL4_RevokeFirst");
    w.invoke("CNodeMint", { args: { dest_index: 42n, dest_depth: D, src_root: CN, src_index: UT, src_depth: D, rights: ALL(), badge: 0n } });
    w.expectError("seL4_RevokeFirst");
    expect(w.at(42n)).toEqual({ type: "null" });
    // The copy has none yet and copies; after a Retype from it, it too is RevokeFirst.
    retype(w, { cap: 41n, type: "seL4_EndpointObject", offset: 100n });
    w.expectSuccess();
    w.invoke("CNodeCopy", { args: { dest_index: 42n, dest_depth: D, src_root: CN, src_index: 41n, src_depth: D, rights: ALL() } });
    w.expectError("seL4_RevokeFirst");
    // Revoking the original takes the copy and the copy's objects.
    w.invoke("CNodeRevoke", { args: { index: UT, depth: D } });
    expect([w.at(41n), w.at(100n)]).toEqual([{ type: "null" }, { type: "null" }]);
  });

  it("a copy marks the original full (setUntypedCapAsFull): after a revoke, a Retype through a new copy clears the whole block", () => {
    const w = new CNodeWorld(arch);
    const zeroed: string[] = [];
    w.sim.host.vspace = { map: () => {}, unmap: () => {}, zero: (pa, size) => zeroed.push(`0x${pa.toString(16)}+0x${size.toString(16)}`) };
    giveUntyped(w, 0x4000_0000n, 12);
    w.invoke("CNodeCopy", { args: { dest_index: 41n, dest_depth: D, src_root: CN, src_index: UT, src_depth: D, rights: ALL() } });
    w.expectSuccess();
    // 2^12 bytes in 16-byte units: nothing is left to allocate through the original.
    expect([freeIndex(w, UT), freeIndex(w, 41n)]).toEqual([0x100n, 0n]);
    retype(w, { cap: 41n, type: "seL4_EndpointObject", offset: 100n });
    w.expectSuccess();
    expect(zeroed).toEqual([]);
    w.invoke("CNodeRevoke", { args: { index: UT, depth: D } });
    w.invoke("CNodeCopy", { args: { dest_index: 41n, dest_depth: D, src_root: CN, src_index: UT, src_depth: D, rights: ALL() } });
    w.expectSuccess();
    expect(freeIndex(w, 41n)).toBe(0x100n);
    // The new copy has no children: it resets, clearing all the block the first copy may have used.
    retype(w, { cap: 41n, type: "seL4_EndpointObject", offset: 100n });
    w.expectSuccess();
    expect(zeroed).toEqual(["0x40000000+0x1000"]);
    expect(base(w.at(100n))).toBe(0x4000_0000n);
  });

  it("an untyped cap placed by a builder is an original: its children are found", () => {
    const w = new CNodeWorld(arch);
    w.put(UT, { type: "untyped", object: new Untyped(0x4000_0000n, 12, false), freeIndex: 0n });
    retype(w, { type: "seL4_EndpointObject", offset: 100n });
    retype(w, { type: "seL4_EndpointObject", offset: 101n });
    expect(base(w.at(101n))).toBe(0x4000_0010n);
  });
});

describe.each(ARCHES)("UntypedRetype: device untypeds (%s)", (arch) => {
  const page = arch === "aarch64" ? "seL4_ARM_SmallPageObject" : "seL4_RISCV_4K_Page";
  const large = arch === "aarch64" ? "seL4_ARM_LargePageObject" : "seL4_RISCV_Mega_Page";

  it("frames and untypeds only, both marked device", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x0900_0000n, 22, true);
    retype(w, { type: page, offset: 100n, n: 2n });
    retype(w, { type: "seL4_UntypedObject", size: 12n, offset: 102n });
    retype(w, { type: large, offset: 103n });
    w.expectSuccess();
    expect(w.at(100n)).toMatchObject({ type: "frame", object: { paddr: 0x0900_0000n, isDevice: true } });
    expect(w.at(101n)).toMatchObject({ type: "frame", object: { paddr: 0x0900_1000n, isDevice: true } });
    expect(w.at(102n)).toEqual({ type: "untyped", object: new Untyped(0x0900_2000n, 12, true), freeIndex: 0n });
    // Aligned up from 0x0900_3000 to the next 2 MiB boundary: the block is then full.
    expect(w.at(103n)).toMatchObject({ type: "frame", object: { paddr: 0x0920_0000n, sizeBits: 21, isDevice: true } });
    expect(freeIndex(w)).toBe(0x40_0000n >> 4n);
    retype(w, { cap: 102n, type: page, offset: 104n });
    w.expectSuccess();
    expect(w.at(104n)).toMatchObject({ object: { paddr: 0x0900_2000n, isDevice: true } });
  });

  it.each([
    "seL4_TCBObject", "seL4_EndpointObject", "seL4_NotificationObject", "seL4_CapTableObject", "seL4_SchedContextObject", "seL4_ReplyObject",
  ])("%s from device memory is InvalidArgument 1", (type) => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x0900_0000n, 16, true);
    retype(w, { type, size: type === "seL4_SchedContextObject" ? 8n : 4n, offset: 100n });
    w.expectError("seL4_InvalidArgument", [1n]);
    expect(w.at(100n)).toEqual({ type: "null" });
    expect(freeIndex(w)).toBe(0n);
  });

  it("a page table is no frame: InvalidArgument 1", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x0900_0000n, 16, true);
    retype(w, { type: arch === "aarch64" ? "seL4_ARM_PageTableObject" : "seL4_RISCV_PageTableObject", offset: 100n });
    w.expectError("seL4_InvalidArgument", [1n]);
  });

  it("NotEnoughMemory is checked before the device rule", () => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x0900_0000n, 12, true);
    retype(w, { type: "seL4_NotificationObject", offset: 100n, n: 65n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
  });
});

describe.each(ARCHES)("UntypedRetype: errors in seL4's order (%s)", (arch) => {
  const maxUntyped = BigInt(sizeBits(arch, "seL4_MaxUntypedBits"));
  const slotBitsN = BigInt(sizeBits(arch, "seL4_SlotBits"));
  const world = (bits = 12): CNodeWorld => {
    const w = new CNodeWorld(arch);
    giveUntyped(w, 0x4000_0000n, bits);
    return w;
  };

  it("a label that is not UntypedRetype is an IllegalOperation", () => {
    const w = world();
    w.invoke("CNodeRevoke", { cap: UT, args: { index: 100n, depth: D } });
    w.expectError("seL4_IllegalOperation");
  });

  it.each([
    ["five words", 5, 1],
    ["no message", 0, 1],
    ["no extra cap", 6, 0],
  ])("%s is a TruncatedMessage, before the type is looked at", (_n, length, extraCaps) => {
    const w = world();
    retype(w, { type: 0xffffn, offset: 100n, length, extraCaps });
    w.expectError("seL4_TruncatedMessage");
  });

  it("a type at or above seL4_ObjectTypeCount is InvalidArgument 0", () => {
    const count = typeId(arch, "seL4_ObjectTypeCount");
    for (const type of [count, count + 1n, (1n << 64n) - 1n]) {
      const w = world();
      retype(w, { type, size: 70n, offset: 100000n });
      w.expectError("seL4_InvalidArgument", [0n]);
    }
  });

  it("the highest type id is valid", () => {
    const w = world(14);
    retype(w, { type: typeId(arch, "seL4_ObjectTypeCount") - 1n, offset: 100n });
    w.expectSuccess();
    // aarch64: seL4_ARM_VCPUObject; riscv64: seL4_RISCV_PageTableObject.
    expect(w.at(100n).type).toBe(arch === "aarch64" ? "arch_object" : "page_table");
  });

  it.each([
    ["seL4_TCBObject", "64", (): bigint => 64n],
    ["seL4_EndpointObject", "2^64 - 1", (): bigint => (1n << 64n) - 1n],
    ["seL4_UntypedObject", "MaxUntypedBits + 1", (): bigint => maxUntyped + 1n],
    ["seL4_SchedContextObject", "MaxUntypedBits + 1", (): bigint => maxUntyped + 1n],
    ["seL4_CapTableObject", "MaxUntypedBits - SlotBits + 1", (): bigint => maxUntyped - slotBitsN + 1n],
  ])("%s with size_bits %s is RangeError [0, seL4_MaxUntypedBits]", (type, _name, size) => {
    const w = world();
    retype(w, { type, size: size(), offset: 100000n });
    w.expectError("seL4_RangeError", [0n, maxUntyped]);
  });

  it("the largest CNode and untyped sizes pass the size check (and then lack memory)", () => {
    const w = world();
    retype(w, { type: "seL4_CapTableObject", size: maxUntyped - slotBitsN, offset: 100n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
    retype(w, { type: "seL4_UntypedObject", size: maxUntyped, offset: 100n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
  });

  it.each([
    ["seL4_CapTableObject", 0n],
    ["seL4_UntypedObject", 3n],
    ["seL4_SchedContextObject", 6n],
  ])("%s of size %s is too small: InvalidArgument 1 (before the destination)", (type, size) => {
    const w = world();
    retype(w, { type, size, offset: 100000n, root: 0x1ffn });
    w.expectError("seL4_InvalidArgument", [1n]);
  });

  it("minimum sizes from the ABI succeed", () => {
    const w = world();
    retype(w, { type: "seL4_UntypedObject", size: BigInt(sizeBits(arch, "seL4_MinUntypedBits")), offset: 100n });
    retype(w, { type: "seL4_SchedContextObject", size: BigInt(sizeBits(arch, "seL4_MinSchedContextBits")), offset: 101n });
    retype(w, { type: "seL4_CapTableObject", size: 1n, offset: 102n });
    w.expectSuccess();
  });

  it("fixed-size types ignore size_bits below 64", () => {
    const w = world();
    retype(w, { type: "seL4_EndpointObject", size: 63n, offset: 100n });
    w.expectSuccess();
    expect(freeIndex(w)).toBe(1n);
  });

  describe("the destination CNode", () => {
    it("depth 0 with a root that is no CNode: FailedLookup (dest) MissingCapability, 0 bits", () => {
      const w = world();
      w.put(30n, endpointCap(new Endpoint()));
      retype(w, { type: "seL4_EndpointObject", offset: 100n, root: 30n });
      w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_MissingCapability"), 0n]);
    });

    it("an empty root slot at depth 0 is the same", () => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 100n, root: 31n });
      w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_MissingCapability"), 0n]);
    });

    it("a slot that is no CNode: FailedLookup (dest) MissingCapability with the depth", () => {
      const w = world();
      w.put(30n, endpointCap(new Endpoint()));
      retype(w, { type: "seL4_EndpointObject", offset: 100n, index: 30n, depth: D });
      w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_MissingCapability"), D]);
    });

    it("a root that is no CNode with a depth: FailedLookup (dest) InvalidRoot", () => {
      const w = world();
      w.put(30n, endpointCap(new Endpoint()));
      retype(w, { type: "seL4_EndpointObject", offset: 100n, root: 30n, index: 20n, depth: D });
      w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_InvalidRoot")]);
    });

    it.each([65n, 1n << 32n])("depth %s is a RangeError [1, 64]", (depth) => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 100n, index: CN, depth });
      w.expectError("seL4_RangeError", [1n, 64n]);
    });

    it("a depth short of the radix is FailedLookup (dest) DepthMismatch", () => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 100n, index: CN, depth: D - 1n });
      w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_DepthMismatch"), D - 1n, D]);
    });

    it("(node_index, node_depth) names a CNode cap: the objects go into that CNode", () => {
      const w = world();
      retype(w, { type: "seL4_CapTableObject", size: 2n, offset: 60n });
      retype(w, { type: "seL4_NotificationObject", offset: 1n, n: 3n, index: 60n, depth: D });
      w.expectSuccess();
      const c = w.at(60n);
      if (c.type !== "cnode") throw new Error("no CNode");
      expect(c.object.slots.map((s) => s.type)).toEqual(["null", "notification", "notification", "notification"]);
      expect(capRegion(c.object.slots[1]!)?.base).toBe(0x4000_0080n);
    });
  });

  describe("the window", () => {
    it("node_offset past the last slot is RangeError [0, 2^radix - 1]", () => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 512n });
      w.expectError("seL4_RangeError", [0n, 511n]);
      retype(w, { type: "seL4_EndpointObject", offset: (1n << 64n) - 1n });
      w.expectError("seL4_RangeError", [0n, 511n]);
    });

    it("a small destination CNode bounds offset and window", () => {
      const w = world();
      retype(w, { type: "seL4_CapTableObject", size: 2n, offset: 60n });
      retype(w, { type: "seL4_EndpointObject", offset: 4n, index: 60n, depth: D });
      w.expectError("seL4_RangeError", [0n, 3n]);
      retype(w, { type: "seL4_EndpointObject", offset: 1n, n: 4n, index: 60n, depth: D });
      w.expectError("seL4_RangeError", [1n, 3n]);
    });

    it.each([0n, 257n, (1n << 64n) - 1n])("num_objects %s is RangeError [1, CONFIG_RETYPE_FAN_OUT_LIMIT]", (n) => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 100n, n });
      w.expectError("seL4_RangeError", [1n, BigInt(archJson(arch)["source"]["kernel_config_debug"]["RETYPE_FAN_OUT_LIMIT"] as string)]);
    });

    it("a window past the end of the CNode is RangeError [1, slots left]", () => {
      const w = world();
      retype(w, { type: "seL4_EndpointObject", offset: 500n, n: 13n });
      w.expectError("seL4_RangeError", [1n, 12n]);
      retype(w, { type: "seL4_EndpointObject", offset: 500n, n: 12n });
      w.expectSuccess();
    });

    it("an occupied slot in the window is DeleteFirst and nothing is made", () => {
      const w = world();
      w.put(102n, endpointCap(new Endpoint()));
      retype(w, { type: "seL4_EndpointObject", offset: 100n, n: 3n });
      w.expectError("seL4_DeleteFirst");
      expect([w.at(100n), w.at(101n)]).toEqual([{ type: "null" }, { type: "null" }]);
      expect(freeIndex(w)).toBe(0n);
    });

    it("DeleteFirst comes before NotEnoughMemory", () => {
      const w = world();
      w.put(100n, endpointCap(new Endpoint()));
      retype(w, { type: "seL4_TCBObject", offset: 100n, n: 3n });
      w.expectError("seL4_DeleteFirst");
    });
  });

  it("an object larger than the untyped is NotEnoughMemory with the free bytes", () => {
    const w = world();
    retype(w, { type: "seL4_UntypedObject", size: 13n, offset: 100n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
    retype(w, { type: "seL4_TCBObject", offset: 100n, n: arch === "aarch64" ? 2n : 3n });
    w.expectError("seL4_NotEnoughMemory", [0x1000n]);
  });
});

describe("object types per configuration", () => {
  it("seL4_TCBBits follows the config: 12 in aarch64 debug, 11 in release", () => {
    expect(objectTypes(kernelAbi("aarch64", "debug")).byName.get("seL4_TCBObject")?.fixedBits).toBe(12);
    expect(objectTypes(kernelAbi("aarch64", "release")).byName.get("seL4_TCBObject")?.fixedBits).toBe(11);
    expect(objectTypes(kernelAbi("riscv64", "release")).byName.get("seL4_TCBObject")?.fixedBits).toBe(11);
  });

  it("every type id below seL4_ObjectTypeCount has a rule; frames are the page types", () => {
    for (const arch of ARCHES) {
      const t = objectTypes(kernelAbi(arch));
      expect(t.byId.size).toBe(Number(t.count));
      const frames = [...t.byId.values()].filter((x) => x.isFrame).map((x) => x.name).sort();
      expect(frames).toEqual(
        arch === "aarch64"
          ? ["seL4_ARM_HugePageObject", "seL4_ARM_LargePageObject", "seL4_ARM_SmallPageObject"]
          : ["seL4_RISCV_4K_Page", "seL4_RISCV_Giga_Page", "seL4_RISCV_Mega_Page"],
      );
    }
  });
});

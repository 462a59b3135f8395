// What deleting and revoking paging caps does (seL4 Arch_finaliseCap, deriveCap, Arch_maskCapRights),
// and what the kernel tells the machine (kernel/vspace.ts VSpaceBackend): every change to a
// translation a live root reaches, nothing for tables no root reaches, the whole address space when
// a root loses its ASID, and the memory an untyped reset clears.
import { describe, expect, it } from "vitest";
import { linkTable, PageTable, writeLeaf } from "../../kernel/vspace.js";
import { ARCHES } from "./harness.js";
import { RAM_BASE, UT, VS, VSpaceWorld, hex } from "./vspace-world.js";

const VA = 0x20_0000_0000n;

function withTables(arch: (typeof ARCHES)[number]) {
  const w = new VSpaceWorld(arch);
  const upper = w.newTable(VA);
  const lower = w.newTable(VA);
  const frame = w.retype(w.typeName("small"));
  w.pageMap(frame, VA);
  w.expectSuccess();
  const paddr = w.frameCap(frame).object.paddr;
  w.backend.take();
  return { w, upper, lower, frame, paddr };
}

describe.each(ARCHES)("deleting paging caps (%s)", (arch) => {
  it("a frame cap takes its mapping with it; a copy carries no mapping and can map the frame elsewhere", () => {
    const { w, frame, paddr } = withTables(arch);
    w.copy(frame, 60n);
    w.expectSuccess();
    expect(w.frameCap(60n)).toMatchObject({ mappedAsid: 0n, mappedAddress: 0n, rights: "ReadWrite" });
    w.pageMap(60n, VA + 0x1000n);
    w.expectSuccess();
    expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(paddr)} 12 ReadWrite x`, `${hex(VA + 0x1000n)} -> ${hex(paddr)} 12 ReadWrite x`]);
    w.backend.take();
    w.delete(frame); // not the last cap to the frame: its own mapping goes all the same
    expect(w.backend.take()).toEqual([`unmap pd ${hex(VA)} 0x1000`]);
    expect(w.leaves()).toEqual([`${hex(VA + 0x1000n)} -> ${hex(paddr)} 12 ReadWrite x`]);
    w.delete(60n);
    expect(w.leaves()).toEqual([]);
  });

  it("the last cap to a mapped table unmaps it from its parent; a copy's deletion does not", () => {
    const { w, lower } = withTables(arch);
    w.copy(lower, 60n);
    w.expectSuccess();
    w.delete(60n);
    expect(w.backend.take()).toEqual([]);
    w.delete(lower);
    expect(w.backend.take()).toEqual([`unmap pd ${hex(VA)} 0x200000`]);
    expect(w.leaves()).toEqual([]);
  });

  it("the last cap to an assigned root gives up its ASID: nothing of that address space is left", () => {
    const { w, frame } = withTables(arch);
    w.delete(VS);
    expect(w.backend.take()).toEqual([`unmap pd 0x0 ${arch === "aarch64" ? "0x10000000000" : "0x8000000000"}`]);
    expect(w.sim.k.asidTable[0]!.roots[1]).toBeUndefined();
    // The frame cap's mapping is stale: no root answers to its ASID, so unmapping changes nothing.
    w.call("PageUnmap", frame);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
  });

  it("revoking the untyped deletes every object made from it; the next Retype clears what they used", () => {
    const { w } = withTables(arch);
    w.revoke(UT);
    // The frame's cap unmaps it, the lower table's unmaps it, the upper's, then the root loses its ASID.
    const events = w.backend.take();
    expect(events).toContain(`unmap pd ${hex(VA)} 0x1000`);
    expect(events[events.length - 1]).toBe(`unmap pd 0x0 ${arch === "aarch64" ? "0x10000000000" : "0x8000000000"}`);
    expect(w.at(VS).type).toBe("null");
    // Root (8 or 4 KiB), two tables and a frame were made: the reset clears up to the watermark.
    w.retype(w.typeName("small"));
    const used = arch === "aarch64" ? 0x5000n : 0x4000n;
    expect(w.backend.take()).toEqual([`zero ${hex(RAM_BASE)} ${hex(used)}`]);
    // With children, no reset: nothing is cleared.
    w.retype(w.typeName("small"));
    expect(w.backend.take()).toEqual([]);
  });

  it("device untypeds are never cleared", () => {
    const w = new VSpaceWorld(arch);
    w.giveUntyped(50n, 0x0900_0000n, 16, true);
    w.retype(w.typeName("small"), 50n);
    w.revoke(50n);
    w.retype(w.typeName("small"), 50n);
    expect(w.backend.take().filter((e) => e.startsWith("zero"))).toEqual([]);
  });

  it("DebugCapIdentify: frame 1, page table 3, VSpace 9 (AArch64), ASID control 11, ASID pool 13", () => {
    const { w, frame, lower } = withTables(arch);
    const identify = (cptr: bigint): bigint => {
      w.sim.trap(w.pd, "seL4_SysDebugCapIdentify", { cap: cptr });
      return w.sim.badge(w.pd);
    };
    expect([identify(frame), identify(lower), identify(VS), identify(42n), identify(43n)]).toEqual([1n, 3n, arch === "aarch64" ? 9n : 3n, 11n, 13n]);
  });
});

describe("what the machine is told (kernel/vspace.ts)", () => {
  it("changes in tables no live root reaches are not reported; linking such a table reports its leaves", () => {
    const w = new VSpaceWorld("aarch64");
    const k = w.sim.k;
    const table = new PageTable(9);
    writeLeaf(k, table, 3, { paddr: 0x4100_0000n, sizeBits: 21, rights: "ReadOnly", executable: false, cacheable: false });
    expect(w.backend.take()).toEqual([]);
    linkTable(k, w.root, 128, table);
    expect(w.backend.take()).toEqual([`map pd ${hex(VA + 0x60_0000n)} 0x41000000 21 r-- uncached`]);
  });
});

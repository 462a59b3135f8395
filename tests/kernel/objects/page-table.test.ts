// Page-table invocations (seL4 decodeARMPageTableInvocation, decodeRISCVPageTableInvocation): Map
// links an unmapped table where the walk for vaddr first finds no table, and the cap records the
// address aligned down to what the table covers (1 GiB at the root, 2 MiB below); Unmap takes it
// out, clears it, and so unmaps every frame under it. Errors as seL4 returns them, in its order.
import { describe, expect, it } from "vitest";
import { ARCHES } from "../harness.js";
import { VS, VSpaceWorld, hex } from "../vspace-world.js";

const VA = 0x20_0000_0000n;

describe.each(ARCHES)("PageTableMap and PageTableUnmap (%s)", (arch) => {
  const a64 = arch === "aarch64";

  it("each table goes one level down; the cap records ASID and the address aligned to the table's reach", () => {
    const w = new VSpaceWorld(arch);
    const upper = w.retype(w.typeName("page_table"));
    const lower = w.retype(w.typeName("page_table"));
    w.backend.take();
    w.tableMap(upper, VA + 0x12_3456n);
    w.expectSuccess();
    expect(w.at(upper)).toMatchObject({ type: "page_table", isMapped: true, mappedAsid: 1n, mappedAddress: VA });
    w.tableMap(lower, VA + 0x32_3456n);
    w.expectSuccess();
    expect(w.at(lower)).toMatchObject({ isMapped: true, mappedAsid: 1n, mappedAddress: VA + 0x20_0000n });
    const root = w.root;
    const u = (w.at(upper) as { object: unknown }).object;
    expect(root.entries[128]).toBe(u); // 0x20_0000_0000 >> 30
    expect((u as typeof root).entries[1]).toBe((w.at(lower) as { object: unknown }).object); // (0x32_3456 >> 21) & 511
    expect(w.backend.take()).toEqual([]); // empty tables map nothing
  });

  it("TruncatedMessage: fewer than 2 words or no VSpace cap; IllegalOperation for another label", () => {
    const w = new VSpaceWorld(arch);
    const t = w.retype(w.typeName("page_table"));
    w.call("PageTableMap", t, { vspace: VS, vaddr: VA, attr: 0n }, { length: 1 });
    w.expectError("seL4_TruncatedMessage");
    w.call("PageTableMap", t, { vspace: VS, vaddr: VA, attr: 0n }, { extraCaps: 0 });
    w.expectError("seL4_TruncatedMessage");
    w.call("PageMap", t, { vspace: VS, vaddr: VA, rights: w.rw, attr: 0n });
    w.expectError("seL4_IllegalOperation");
  });

  it("InvalidCapability 0 for a mapped table, 1 for a VSpace cap that is no assigned root", () => {
    const w = new VSpaceWorld(arch);
    const t = w.newTable(VA);
    w.tableMap(t, 0x30_0000_0000n);
    w.expectError("seL4_InvalidCapability", [0n]);
    const t2 = w.retype(w.typeName("page_table"));
    w.tableMap(t2, 0x30_0000_0000n, t); // a mapped table that is not a root
    w.expectError("seL4_InvalidCapability", [1n]);
    w.tableMap(t2, 0x30_0000_0000n, w.retype(w.typeName("vspace"))); // a root without ASID
    w.expectError("seL4_InvalidCapability", [1n]);
  });

  it("InvalidArgument 0 beyond the user top (after the root check, before the ASID lookup)", () => {
    const w = new VSpaceWorld(arch);
    const t = w.retype(w.typeName("page_table"));
    // AArch64 USER_TOP is the last user address (vaddr > 0xffffffffff), RISC-V's the first kernel one (>= 0x3ffffff000).
    w.tableMap(t, a64 ? 0x100_0000_0000n : 0x3f_ffff_f000n);
    w.expectError("seL4_InvalidArgument", [0n]);
    w.sim.k.asidTable[0] = undefined;
    w.tableMap(t, a64 ? 0xff_ffff_ffffn : 0x3f_ffff_efffn);
    w.expectFailedLookup("InvalidRoot");
  });

  it("DeleteFirst at the last level, and where a frame is mapped", () => {
    const w = new VSpaceWorld(arch);
    w.newTable(VA);
    w.newTable(VA);
    const t = w.retype(w.typeName("page_table"));
    w.tableMap(t, VA);
    w.expectError("seL4_DeleteFirst");
    const large = w.retype(w.typeName("large"));
    w.pageMap(large, VA + 0x20_0000n);
    w.expectSuccess();
    w.tableMap(t, VA + 0x20_0000n);
    w.expectError("seL4_DeleteFirst");
    expect(w.at(t)).toMatchObject({ isMapped: false });
  });

  it("Unmap: the table leaves its parent and is cleared, so what it mapped is gone; the cap keeps ASID and address", () => {
    const w = new VSpaceWorld(arch);
    const upper = w.newTable(VA);
    const lower = w.newTable(VA);
    const frame = w.retype(w.typeName("small"));
    w.pageMap(frame, VA + 0x5000n);
    w.expectSuccess();
    w.backend.take();
    w.call("PageTableUnmap", lower);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([`unmap pd ${hex(VA)} 0x200000`]);
    expect(w.at(lower)).toMatchObject({ isMapped: false, mappedAsid: 1n, mappedAddress: VA });
    expect((w.at(lower) as { object: { entries: unknown[] } }).object.entries.every((e) => e === undefined)).toBe(true);
    expect(w.leaves()).toEqual([]);
    // The frame cap still claims its mapping; unmapping through it finds nothing to do.
    expect(w.frameCap(frame)).toMatchObject({ mappedAsid: 1n, mappedAddress: VA + 0x5000n });
    w.call("PageUnmap", frame);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
    // Mapped again, the lower table is empty; unmapping an unmapped table succeeds.
    w.tableMap(lower, VA);
    w.expectSuccess();
    w.call("PageTableUnmap", upper);
    w.expectSuccess();
    w.call("PageTableUnmap", upper);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([`unmap pd ${hex(VA)} 0x40000000`]);
  });

  it("Unmap needs the last cap to the table (RevokeFirst); a copy can be made only of a mapped table", () => {
    const w = new VSpaceWorld(arch);
    const t = w.retype(w.typeName("page_table"));
    w.copy(t, 60n);
    w.expectError("seL4_IllegalOperation");
    w.tableMap(t, VA);
    w.copy(t, 60n);
    w.expectSuccess();
    expect(w.at(60n)).toEqual(w.at(t));
    w.call("PageTableUnmap", t);
    w.expectError("seL4_RevokeFirst");
    w.delete(60n);
    w.call("PageTableUnmap", t);
    w.expectSuccess();
  });

  it("RISC-V: a VSpace root is a page table, and PageTableUnmap refuses it (RevokeFirst)", () => {
    if (a64) return;
    const w = new VSpaceWorld(arch);
    expect(w.at(VS)).toMatchObject({ type: "page_table", isMapped: true, mappedAsid: 1n, mappedAddress: 0n });
    w.call("PageTableUnmap", VS);
    w.expectError("seL4_RevokeFirst");
  });
});

// ASID control and ASID pools (seL4 decodeARMMMUInvocation / decodeRISCVMMUInvocation for
// asid_control_cap and asid_pool_cap; performASIDControlInvocation, performASIDPoolInvocation):
// MakePool turns a 2^seL4_ASIDPoolBits untyped without children into the pool of the first free
// ASID-table slot (base = slot << seL4_ASIDPoolIndexBits, 512 per pool); Assign gives a root the
// pool's first free ASID, never ASID 0. Errors in seL4's order.
import { describe, expect, it } from "vitest";
import { cteRevoke } from "../../../kernel/cspace.js";
import { ASIDPool, findVSpaceForASID, type PageTable } from "../../../kernel/vspace.js";
import { CN, PD_BITS } from "../cnode-world.js";
import { ARCHES, archJson } from "../harness.js";
import { ASID_CONTROL, POOL, POOL_UT, UT, VSpaceWorld } from "../vspace-world.js";

const D = BigInt(PD_BITS);

describe.each(ARCHES)("ASIDControlMakePool (%s)", (arch) => {
  it("the ABI facts the tests rely on: 2^12-byte pools of 2^9 ASIDs, 2^7 pools", () => {
    const bits = archJson(arch)["objects"]["size_bits"];
    expect([bits["seL4_ASIDPoolBits"], bits["seL4_ASIDPoolIndexBits"], bits["seL4_NumASIDPoolsBits"]]).toEqual([12, 9, 7]);
  });

  it("the pool takes the first free table slot; the untyped is used up and is the pool cap's parent", () => {
    const w = new VSpaceWorld(arch); // made the pool in table slot 0 (base 0) from POOL_UT
    expect(w.at(POOL)).toMatchObject({ type: "asid_pool", asidBase: 0n });
    expect(w.sim.k.asidTable[0]).toBe((w.at(POOL) as { object: ASIDPool }).object);
    expect(w.at(POOL_UT)).toMatchObject({ type: "untyped", freeIndex: 0x100n }); // 2^12 / 16
    w.giveUntyped(50n, 0x5000_1000n, 12);
    w.invoke(w.label("ASIDControlMakePool"), { cap: ASID_CONTROL, args: { untyped: 50n, root: CN, index: 51n, depth: D } });
    w.expectSuccess();
    expect(w.at(51n)).toMatchObject({ type: "asid_pool", asidBase: 512n });
    // Revoking the untyped deletes the pool cap, and with it the pool leaves the table.
    w.revoke(50n);
    expect(w.at(51n).type).toBe("null");
    expect(w.sim.k.asidTable[1]).toBeUndefined();
    expect(w.sim.k.asidTable[0]).toBeDefined();
  });

  it("errors in seL4's order", () => {
    const w = new VSpaceWorld(arch);
    const make = (untyped: bigint, index = 60n, depth = D, o: { length?: number; extraCaps?: number } = {}): void =>
      w.invoke(w.label("ASIDControlMakePool"), { cap: ASID_CONTROL, args: { untyped, root: CN, index, depth }, ...o });
    w.giveUntyped(50n, 0x5000_1000n, 12);
    w.invoke(w.label("ASIDPoolAssign"), { cap: ASID_CONTROL, args: { vspace: 50n } });
    w.expectError("seL4_IllegalOperation");
    make(50n, 60n, D, { length: 1 });
    w.expectError("seL4_TruncatedMessage");
    make(50n, 60n, D, { extraCaps: 1 });
    w.expectError("seL4_TruncatedMessage");
    // Not an untyped, the wrong size, device memory: InvalidCapability 1.
    make(POOL);
    w.expectError("seL4_InvalidCapability", [1n]);
    make(UT);
    w.expectError("seL4_InvalidCapability", [1n]);
    w.giveUntyped(52n, 0x0900_0000n, 12, true);
    make(52n);
    w.expectError("seL4_InvalidCapability", [1n]);
    // The pool's untyped has a child (the pool): RevokeFirst.
    make(POOL_UT);
    w.expectError("seL4_RevokeFirst");
    // The destination: a bad depth is a lookup error, an occupied slot DeleteFirst.
    make(50n, 60n, 0n);
    w.expectError("seL4_RangeError", [1n, 64n]);
    make(50n, UT);
    w.expectError("seL4_DeleteFirst");
    // No free slot in the ASID table (checked before the untyped).
    for (let i = 0; i < w.sim.k.asidTable.length; i++) w.sim.k.asidTable[i] ??= new ASIDPool(9);
    make(POOL);
    w.expectError("seL4_DeleteFirst");
    expect(w.at(60n).type).toBe("null");
  });
});

describe.each(ARCHES)("ASIDPoolAssign (%s)", (arch) => {
  const rootType = arch === "aarch64" ? "vspace" : "page_table";

  it("gives the first free ASID, skipping ASID 0; the cap becomes mapped (RISC-V: at address 0)", () => {
    const w = new VSpaceWorld(arch); // the PD's root took ASID 1
    const vs = w.retype(w.typeName("vspace"));
    w.invoke(w.label("ASIDPoolAssign"), { cap: POOL, args: { vspace: vs } });
    w.expectSuccess();
    const cap = w.at(vs);
    expect(cap).toEqual(arch === "aarch64"
      ? { type: "vspace", object: (cap as { object: PageTable }).object, isMapped: true, mappedAsid: 2n }
      : { type: "page_table", object: (cap as { object: PageTable }).object, isMapped: true, mappedAsid: 2n, mappedAddress: 0n });
    expect(findVSpaceForASID(w.sim.k, 2n)).toBe((cap as { object: PageTable }).object);
    // A freed ASID is given again first.
    w.delete(vs);
    expect(findVSpaceForASID(w.sim.k, 2n)).toBeUndefined();
    const again = w.retype(w.typeName("vspace"));
    w.invoke(w.label("ASIDPoolAssign"), { cap: POOL, args: { vspace: again } });
    expect(w.at(again)).toMatchObject({ mappedAsid: 2n });
  });

  it("errors in seL4's order", () => {
    const w = new VSpaceWorld(arch);
    const vs = w.retype(w.typeName("vspace"));
    const assign = (pool: bigint, vspace: bigint, extraCaps?: number): void =>
      w.invoke(w.label("ASIDPoolAssign"), { cap: pool, args: { vspace }, ...(extraCaps === undefined ? {} : { extraCaps }) });
    w.invoke(w.label("ASIDControlMakePool"), { cap: POOL, args: { untyped: UT, root: CN, index: 60n, depth: D } });
    w.expectError("seL4_IllegalOperation");
    assign(POOL, vs, 0);
    w.expectError("seL4_TruncatedMessage");
    // Not a root type, or a root that already has an ASID.
    assign(POOL, arch === "aarch64" ? w.retype(w.typeName("page_table")) : w.retype(w.typeName("small")));
    w.expectError("seL4_InvalidCapability", [1n]);
    expect(w.at(44n).type).toBe(rootType);
    assign(POOL, 44n);
    w.expectError("seL4_InvalidCapability", [1n]);
    // A cap to a pool that is not the one in its table slot, and a slot with no pool.
    w.put(61n, { type: "asid_pool", object: new ASIDPool(9), asidBase: 0n });
    assign(61n, vs);
    w.expectError("seL4_InvalidCapability", [0n]);
    w.put(62n, { type: "asid_pool", object: new ASIDPool(9), asidBase: 1024n });
    assign(62n, vs);
    w.expectFailedLookup("InvalidRoot");
    // A full pool: DeleteFirst.
    const pool = w.sim.k.asidTable[0]!;
    for (let i = 0; i < pool.roots.length; i++) pool.roots[i] ??= pool.roots[1];
    assign(POOL, vs);
    w.expectError("seL4_DeleteFirst");
    expect(w.at(vs)).toMatchObject({ isMapped: false });
  });

  it("deleting the pool cap takes every root's ASID away, and the machine loses those address spaces", () => {
    const w = new VSpaceWorld(arch);
    w.backend.take();
    cteRevoke(w.sim.k, { cnode: w.pd.cnode, index: Number(POOL_UT) });
    expect(w.at(POOL).type).toBe("null");
    expect(findVSpaceForASID(w.sim.k, 1n)).toBeUndefined();
    expect(w.root.asid).toBeUndefined();
    // The whole VSpace: 2^40 bytes (AArch64 hypervisor, 10-bit root) or 2^39 (Sv39).
    expect(w.backend.take()).toEqual([`unmap pd 0x0 ${arch === "aarch64" ? "0x10000000000" : "0x8000000000"}`]);
  });
});

// Frame invocations (seL4 src/arch/arm/64/kernel/vspace.c decodeARMFrameInvocation, src/arch/riscv/
// kernel/vspace.c decodeRISCVFrameInvocation): PageMap, its remap, PageUnmap, PageGetAddress, and the
// AArch64 cache-maintenance calls, with each error seL4 returns, in seL4's order. The expected values
// are written out from seL4's rules: a 3-level VSpace on both boards (AArch64 hypervisor with 40-bit
// IPA: 1 GiB per root entry; Sv39), so a walk that finds no table stops with 30 or 21 bits left;
// seL4_UserTop 0xffffffffff (the last user address) on AArch64, 0x3ffffff000 (the first kernel
// address) on RISC-V.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { findVSpaceForASID } from "../../../kernel/vspace.js";
import { rightsWord } from "../cnode-world.js";
import { ARCHES, msgInfo } from "../harness.js";
import { RAM_BASE, VS, VSpaceWorld, hex } from "../vspace-world.js";

const VA = 0x20_0000_0000n;

/** A world with the two tables a 4 KiB frame at VA needs, and one frame; returns its slot. */
function withFrame(arch: Arch): { w: VSpaceWorld; frame: bigint } {
  const w = new VSpaceWorld(arch);
  w.newTable(VA);
  w.newTable(VA);
  const frame = w.retype(w.typeName("small"));
  w.backend.take();
  return { w, frame };
}

describe.each(ARCHES)("PageMap (%s)", (arch) => {
  const a64 = arch === "aarch64";

  it("maps the frame read-write: the cap records ASID and address, the leaf is in the table, the machine is told", () => {
    const { w, frame } = withFrame(arch);
    const paddr = w.frameCap(frame).object.paddr;
    w.pageMap(frame, VA);
    w.expectSuccess();
    expect(w.frameCap(frame)).toMatchObject({ rights: "ReadWrite", mappedAsid: 1n, mappedAddress: VA });
    // Default attributes: AArch64 cacheable (and parity, ignored), RISC-V none; both executable.
    expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(paddr)} 12 ReadWrite x`]);
    expect(w.backend.take()).toEqual([`map pd ${hex(VA)} ${hex(paddr)} 12 rwx`]);
  });

  it("TruncatedMessage: fewer than 3 words, or no VSpace cap", () => {
    const { w, frame } = withFrame(arch);
    w.call("PageMap", frame, { vspace: VS, vaddr: VA, rights: w.rw, attr: 0n }, { length: 2 });
    w.expectError("seL4_TruncatedMessage");
    w.call("PageMap", frame, { vspace: VS, vaddr: VA, rights: w.rw, attr: 0n }, { extraCaps: 0 });
    w.expectError("seL4_TruncatedMessage");
  });

  it("InvalidCapability 1: the VSpace cap is no assigned root, or not the root its ASID names", () => {
    const { w, frame } = withFrame(arch);
    w.pageMap(frame, VA, w.rw, w.defaultAttrs, frame); // a frame cap as the VSpace
    w.expectError("seL4_InvalidCapability", [1n]);
    const unassigned = w.retype(w.typeName("vspace"));
    w.pageMap(frame, VA, w.rw, w.defaultAttrs, unassigned);
    w.expectError("seL4_InvalidCapability", [1n]);
    // A page table that is mapped but is no root (a RISC-V root is a page-table cap too).
    const table = w.newTable(0x30_0000_0000n);
    w.pageMap(frame, VA, w.rw, w.defaultAttrs, table);
    w.expectError("seL4_InvalidCapability", [1n]);
    expect(w.leaves()).toEqual([]);
  });

  it("FailedLookup (InvalidRoot) once the ASID pool is gone", () => {
    const { w, frame } = withFrame(arch);
    w.sim.k.asidTable[0] = undefined; // as deleteASIDPool leaves it, with the root cap still claiming its ASID
    w.pageMap(frame, VA);
    w.expectFailedLookup("InvalidRoot");
  });

  it("AlignmentError for a frame not aligned to its size; the order against the user-top check differs", () => {
    const { w, frame } = withFrame(arch);
    w.pageMap(frame, VA + 0x800n);
    w.expectError("seL4_AlignmentError");
    const large = w.retype(w.typeName("large"));
    w.pageMap(large, VA + 0x1000n);
    w.expectError("seL4_AlignmentError");
    // Misaligned and beyond the top: AArch64 checks alignment first, RISC-V the top first.
    w.pageMap(frame, a64 ? 0x100_0000_0800n : 0x40_0000_0800n);
    if (a64) w.expectError("seL4_AlignmentError");
    else w.expectError("seL4_InvalidArgument", [0n]);
  });

  it("InvalidArgument 0 for a frame reaching past the user top", () => {
    const { w, frame } = withFrame(arch);
    if (a64) {
      w.pageMap(frame, 0x100_0000_0000n); // 2^40: past 0xffffffffff
      w.expectError("seL4_InvalidArgument", [0n]);
      w.pageMap(frame, 0xff_ffff_f000n); // the last user page: only its tables are missing
      w.expectFailedLookup("MissingCapability", 30n);
    } else {
      w.pageMap(frame, 0x3f_ffff_f000n); // its last byte is 0x3fffffffff >= 0x3ffffff000
      w.expectError("seL4_InvalidArgument", [0n]);
      w.pageMap(frame, 0x3f_ffff_e000n); // ends at 0x3fffffefff: fine, but no tables there
      w.expectFailedLookup("MissingCapability", 30n);
    }
  });

  it("FailedLookup (MissingCapability) names the bits the walk had left: 30, 21; a 2 MiB frame where a table is: 12", () => {
    const w = new VSpaceWorld(arch);
    const frame = w.retype(w.typeName("small"));
    w.pageMap(frame, VA);
    w.expectFailedLookup("MissingCapability", 30n);
    w.newTable(VA);
    w.pageMap(frame, VA);
    w.expectFailedLookup("MissingCapability", 21n);
    w.newTable(VA);
    const large = w.retype(w.typeName("large"));
    w.pageMap(large, VA);
    w.expectFailedLookup("MissingCapability", 12n);
    // A 2 MiB frame goes into the level-1 table, a 1 GiB frame into the root.
    w.pageMap(large, VA + 0x20_0000n);
    w.expectSuccess();
    w.giveUntyped(50n, 0x8000_0000n, 30);
    const huge = w.retype(w.typeName("huge"), 50n);
    w.pageMap(huge, 0x40_0000_0000n - (1n << 30n) - (a64 ? 0n : 1n << 30n));
    w.expectSuccess();
    expect(w.leaves()).toEqual([
      `${hex(VA + 0x20_0000n)} -> ${hex(w.frameCap(large).object.paddr)} 21 ReadWrite x`,
      `${hex(a64 ? 0x3f_c000_0000n : 0x3f_8000_0000n)} -> 0x80000000 30 ReadWrite x`,
    ]);
  });

  it("rights: the cap's rights mask the requested ones; write without read maps nothing usable", () => {
    const { w, frame } = withFrame(arch);
    w.pageMap(frame, VA, rightsWord(arch, { read: true }));
    w.expectSuccess();
    expect(w.leaves()).toEqual([expect.stringContaining("12 ReadOnly x")]);
    // A copy minted read-only maps read-only even when read-write is asked for.
    w.call("PageUnmap", frame);
    w.copy(frame, 60n, { read: true });
    w.expectSuccess();
    expect(w.frameCap(60n).rights).toBe("ReadOnly");
    w.pageMap(60n, VA);
    w.expectSuccess();
    expect(w.leaves()).toEqual([expect.stringContaining("12 ReadOnly x")]);
    w.call("PageUnmap", 60n);
    // Write only: no access (seL4 has no write-only mappings). Executable, it stays an execute-only leaf.
    w.pageMap(frame, VA, rightsWord(arch, { write: true }));
    w.expectSuccess();
    expect(w.leaves()).toEqual([expect.stringContaining("12 KernelOnly x")]);
    w.backend.take();
    // Non-executable as well: AArch64 keeps a leaf no user access passes; RISC-V writes an invalid entry.
    const xn = a64 ? w.vmAttr("seL4_ARM_ExecuteNever") | w.vmAttr("seL4_ARM_PageCacheable") : w.vmAttr("seL4_RISCV_ExecuteNever");
    w.pageMap(frame, VA, rightsWord(arch, { write: true }), xn);
    w.expectSuccess();
    expect(w.leaves()).toEqual(a64 ? [expect.stringContaining("12 KernelOnly")] : []);
    expect(w.backend.take()).toEqual([a64 ? expect.stringMatching(/^map pd .* 12 ---$/) : `unmap pd ${hex(VA)} 0x1000`]);
    expect(w.frameCap(frame)).toMatchObject({ mappedAsid: 1n, mappedAddress: VA });
  });

  it("attributes: execute-never, and on AArch64 cacheability", () => {
    const { w, frame } = withFrame(arch);
    const paddr = w.frameCap(frame).object.paddr;
    if (a64) {
      w.pageMap(frame, VA, w.rw, w.vmAttr("seL4_ARM_ExecuteNever") | w.vmAttr("seL4_ARM_PageCacheable"));
      w.expectSuccess();
      expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(paddr)} 12 ReadWrite`]);
      w.pageMap(frame, VA, w.rw, 0n); // neither: device memory, executable
      w.expectSuccess();
      expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(paddr)} 12 ReadWrite x uncached`]);
      expect(w.backend.take()).toEqual([`map pd ${hex(VA)} ${hex(paddr)} 12 rw-`, `map pd ${hex(VA)} ${hex(paddr)} 12 rwx uncached`]);
    } else {
      w.pageMap(frame, VA, w.rw, w.vmAttr("seL4_RISCV_ExecuteNever"));
      w.expectSuccess();
      expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(paddr)} 12 ReadWrite`]);
    }
  });

  it("remap: the same cap at the same address takes new rights; another address or VSpace is refused", () => {
    const { w, frame } = withFrame(arch);
    w.pageMap(frame, VA);
    w.expectSuccess();
    w.backend.take();
    w.pageMap(frame, VA, rightsWord(arch, { read: true }));
    w.expectSuccess();
    expect(w.backend.take()).toEqual([`map pd ${hex(VA)} ${hex(w.frameCap(frame).object.paddr)} 12 r-x`]);
    w.pageMap(frame, VA + 0x1000n);
    w.expectError("seL4_InvalidArgument", [0n]);
    // Another assigned VSpace: its ASID is not the one the cap's mapping is in.
    const other = w.retype(w.typeName("vspace"));
    w.call("ASIDPoolAssign", 43n, { vspace: other });
    w.expectSuccess();
    w.pageMap(frame, VA, w.rw, w.defaultAttrs, other);
    if (!a64) {
      // RISC-V walks the other VSpace first, and finds no tables there.
      w.expectFailedLookup("MissingCapability", 30n);
      for (let i = 0; i < 2; i++) {
        w.tableMap(w.retype(w.typeName("page_table")), VA, other);
        w.expectSuccess();
      }
      w.pageMap(frame, VA, w.rw, w.defaultAttrs, other);
    }
    w.expectError("seL4_InvalidCapability", [1n]);
  });

  it("a new mapping where a frame is mapped: RISC-V says DeleteFirst, AArch64 replaces the entry", () => {
    const { w, frame } = withFrame(arch);
    const second = w.retype(w.typeName("small"));
    w.pageMap(frame, VA);
    w.expectSuccess();
    w.pageMap(second, VA);
    if (!a64) {
      w.expectError("seL4_DeleteFirst");
      return;
    }
    w.expectSuccess();
    expect(w.leaves()).toEqual([`${hex(VA)} -> ${hex(w.frameCap(second).object.paddr)} 12 ReadWrite x`]);
    // The first cap's mapping is stale now: unmapping through it leaves the second frame alone.
    w.backend.take();
    w.call("PageUnmap", frame);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
    expect(w.leaves()).toHaveLength(1);
  });

  it("PageUnmap removes the mapping and clears the cap's; unmapping an unmapped frame succeeds", () => {
    const { w, frame } = withFrame(arch);
    w.pageMap(frame, VA);
    w.backend.take();
    w.call("PageUnmap", frame);
    w.expectSuccess();
    expect(w.leaves()).toEqual([]);
    expect(w.frameCap(frame)).toMatchObject({ mappedAsid: 0n, mappedAddress: 0n });
    expect(w.backend.take()).toEqual([`unmap pd ${hex(VA)} 0x1000`]);
    w.call("PageUnmap", frame);
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
  });

  it("PageGetAddress replies with the frame's physical address in MR0", () => {
    const { w, frame } = withFrame(arch);
    w.call("PageGetAddress", frame);
    expect(w.sim.info(w.pd)).toBe(msgInfo(arch, { label: 0n, length: 1 }));
    // The untyped is at RAM_BASE; the three earlier objects (two tables, the VSpace) came first.
    w.expectMr0(w.frameCap(frame).object.paddr);
    expect(w.frameCap(frame).object.paddr).toBeGreaterThanOrEqual(RAM_BASE);
  });

  it("any other label is IllegalOperation", () => {
    const { w, frame } = withFrame(arch);
    w.invoke("CNodeRevoke", { cap: frame, args: { index: 0n, depth: 0n } });
    w.expectError("seL4_IllegalOperation");
  });
});

describe("AArch64 page cache maintenance (ARMPageClean_Data and friends)", () => {
  const ops = ["PageClean_Data", "PageInvalidate_Data", "PageCleanInvalidate_Data", "PageUnify_Instruction"];

  it.each(ops)("%s: checked as seL4 checks it, then nothing happens", (op) => {
    const { w, frame } = withFrame("aarch64");
    w.call(op, frame, { start_offset: 0n, end_offset: 0x1000n });
    w.expectError("seL4_IllegalOperation"); // not mapped
    w.pageMap(frame, VA);
    w.call(op, frame, { start_offset: 0n, end_offset: 0x1000n }, { length: 1 });
    w.expectError("seL4_TruncatedMessage");
    w.call(op, frame, { start_offset: 0x10n, end_offset: 0x10n });
    w.expectError("seL4_InvalidArgument", [1n]);
    w.call(op, frame, { start_offset: 0x1000n, end_offset: 0x1001n });
    w.expectError("seL4_InvalidArgument", [0n]);
    w.call(op, frame, { start_offset: 0n, end_offset: 0x1001n });
    w.expectError("seL4_InvalidArgument", [0n]);
    w.backend.take();
    w.call(op, frame, { start_offset: 0x40n, end_offset: 0x80n });
    w.expectSuccess();
    expect(w.backend.take()).toEqual([]);
    w.sim.k.asidTable[0] = undefined;
    w.call(op, frame, { start_offset: 0x40n, end_offset: 0x80n });
    w.expectFailedLookup("InvalidRoot");
  });

  it("the hypervisor kernel flushes through its physical window: frames at or past 2^39 - 2^30 are refused", () => {
    const w = new VSpaceWorld("aarch64");
    w.newTable(VA);
    w.newTable(VA);
    w.giveUntyped(50n, 0x7f_c000_0000n - 0x1000n, 12, true);
    w.giveUntyped(51n, 0x7f_c000_0000n, 12, true);
    const below = w.retype("seL4_ARM_SmallPageObject", 50n);
    const above = w.retype("seL4_ARM_SmallPageObject", 51n);
    w.pageMap(below, VA);
    w.pageMap(above, VA + 0x1000n);
    w.call("PageClean_Data", below, { start_offset: 0n, end_offset: 0x1000n });
    w.expectSuccess();
    w.call("PageClean_Data", above, { start_offset: 0n, end_offset: 0x10n });
    w.expectError("seL4_IllegalOperation");
  });

  it("RISC-V has no cache-maintenance labels", () => {
    expect(Object.keys((new VSpaceWorld("riscv64")).sim.abi.labels).filter((l) => l.includes("Clean") || l.includes("Unify"))).toEqual([]);
  });

  it("the PD's own VSpace is found through the ASID its cap names", () => {
    const w = new VSpaceWorld("aarch64");
    expect(findVSpaceForASID(w.sim.k, 1n)).toBe(w.root);
    expect(findVSpaceForASID(w.sim.k, 2n)).toBeUndefined();
  });
});

// A PD that builds part of its own address space through libsel4 (tests/pds/vspace): frames and
// page tables from untyped memory, the FailedLookup that names the missing level, mapping errors,
// data written and read through a new mapping, a read-only remap whose store becomes a VM fault at
// the right address (its parent steps over it), unmap and cap deletion taking the mapping away,
// ASID pools, and an untyped revoke that clears the memory. Expected values are seL4's: the error
// numbers of libsel4's seL4_Error, bits left 30 and 21 for the missing tables of a 3-level VSpace,
// and the fault status each architecture reports (AArch64 ESR: data abort from EL0 0x24, IL,
// permission fault level 3 with WnR 0x9200004f, translation fault level 3 0x92000007; RISC-V:
// store 7, load 5). It also takes an interrupt line with IRQ control (Get, RevokeFirst when taken,
// RangeError above maxIRQ) and gives it back by deleting the handler.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";
import { refusals } from "./refusals.js";

/** The caps Microkit never gives a PD, from the test (slots as tests/pds/vspace/mapper.c names them). */
const TEST_CAPS = [
  { pd: "mapper", slot: 460, kind: "cnode" },
  { pd: "mapper", slot: 461, kind: "untyped", sizeBits: 16 },
  { pd: "mapper", slot: 462, kind: "untyped", sizeBits: 12 },
  { pd: "mapper", slot: 463, kind: "asid_control" },
  { pd: "mapper", slot: 464, kind: "irq_control" },
] as const;

/** maxIRQ of each board's kernel (boards.json irq.kernel_irq_constants_debug). */
const MAX_IRQ = { qemu_virt_aarch64: 159, qemu_virt_riscv64: 96 } as const;

const FSR = {
  qemu_virt_aarch64: { write: "0x9200004f", read: "0x92000007" },
  qemu_virt_riscv64: { write: "0x7", read: "0x5" },
} as const;

function expected(board: keyof typeof FSR): string {
  const fsr = FSR[board];
  const cacheOps = board === "qemu_virt_aarch64"
    ? [
        "mapper: clean the frame's data cache -> 0",
        "mapper: clean past the frame -> 1",
        "mapper: unify instructions over the VSpace -> 0",
        "mapper: clean across a frame boundary -> 4",
        "mapper:   valid range ends = 0x2000000fff",
      ]
    : [];
  return [
    "mapper: retype a frame -> 0",
    "mapper: retype three page tables -> 0",
    "mapper: frame address is page aligned and not 0 -> 1",
    "mapper: map with no page table -> 6",
    "mapper:   lookup failure type -> 2",
    "mapper:   bits left -> 30",
    "mapper: map the upper page table -> 0",
    "mapper: map with one page table -> 6",
    "mapper:   lookup failure type -> 2",
    "mapper:   bits left -> 21",
    "mapper: map the lower page table -> 0",
    "mapper: map the upper page table again -> 2",
    "mapper:   invalid cap -> 0",
    "mapper: map a third table there -> 8",
    "mapper: map the frame misaligned -> 5",
    "mapper: map the frame beyond the user top -> 1",
    "mapper:   invalid argument -> 0",
    "mapper: map the frame read-write -> 0",
    "mapper: read back = 0x1122334455667788",
    "mapper: map the same cap elsewhere -> 1",
    "mapper:   invalid argument -> 0",
    ...cacheOps,
    "mapper: remap the frame read-only -> 0",
    "mapper: read after remap = 0x1122334455667788",
    `pager: VM fault at 0x2000000008, FSR ${fsr.write}, prefetch 0x0`,
    "mapper: after the refused store = 0x1122334455667788",
    "mapper: unmap the frame -> 0",
    `pager: VM fault at 0x2000000008, FSR ${fsr.read}, prefetch 0x0`,
    "mapper: unmap it again -> 0",
    "mapper: map it read-write again -> 0",
    "mapper: the frame kept its contents = 0x1122334455667788",
    "mapper: delete the frame cap -> 0",
    `pager: VM fault at 0x2000000010, FSR ${fsr.read}, prefetch 0x0`,
    "mapper: unmap the lower page table -> 0",
    "mapper: unmap the upper page table -> 0",
    "mapper: make an ASID pool -> 0",
    "mapper: make another from the used untyped -> 9",
    "mapper: retype a VSpace -> 0",
    "mapper: map a table into the unassigned VSpace -> 2",
    "mapper: assign it an ASID -> 0",
    "mapper: assign it again -> 2",
    "mapper: map a table into the new VSpace -> 0",
    "mapper: revoke the untyped -> 0",
    "mapper: the frame cap is gone -> 1",
    "mapper: retype a frame and two tables -> 0",
    "mapper: map them -> 0",
    "mapper: the new frame reads = 0x0",
    "mapper: same physical frame as before -> 1",
    "mapper: take a free IRQ line -> 0",
    "mapper: take it again -> 9",
    "mapper: take a line past maxIRQ -> 4",
    `mapper:   max -> ${MAX_IRQ[board]}`,
    "mapper: ack the new handler -> 0",
    "mapper: delete it -> 0",
    "mapper: take the line again -> 0",
    "mapper: done",
  ].map((l) => `${l}\n`).join("");
}

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"] as const)("a PD's own mappings on %s", (board) => {
  test("map, remap read-only, unmap and delete through libsel4; faults at the exact address", () => {
    const r = runSystem({
      systemFile: "tests/pds/vspace/vspace.system",
      board,
      searchPaths: [`build/test-pds/vspace/${board}/debug`],
      testCaps: TEST_CAPS,
    });
    expect(r.output).toBe(expected(board));
    // The debug kernel says why it refused an invocation where seL4's does: its AArch64 MMU
    // decoders are silent for most errors, and neither prints for a frame map missing a table.
    expect(refusals(r.diagnostics)).toEqual(board === "qemu_virt_aarch64" ? [
      "ARMPageMap InvalidArgument",
      "ARMPageMap InvalidArgument",
      "ARMPageClean_Data InvalidArgument",
      "ARMVSpaceClean_Data RangeError",
      "ARMASIDControlMakePool RevokeFirst",
      "IRQIssueIRQHandler RevokeFirst",
      "IRQIssueIRQHandler RangeError",
    ] : [
      "RISCVPageTableMap InvalidCapability",
      "RISCVPageTableMap DeleteFirst",
      "RISCVPageMap AlignmentError",
      "RISCVPageMap InvalidArgument",
      "RISCVPageMap InvalidArgument",
      "RISCVASIDControlMakePool RevokeFirst",
      "RISCVPageTableMap InvalidCapability",
      "RISCVASIDPoolAssign InvalidCapability",
      "IRQIssueIRQHandler RevokeFirst",
      "IRQIssueIRQHandler RangeError",
    ]);
    expect(refusals(r.diagnostics)).toHaveLength(r.diagnostics.length);
    expect(r.stopReason).toBe("idle");
  });
});

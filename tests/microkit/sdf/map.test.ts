// <map> in a protection domain: required attributes, perms, cached, the top of the address space below the stack, alignment, overflow, overlaps.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<map> in a protection domain", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["pd_map_bad_perms.system", "qemu_virt_aarch64", [
      "5:41: <map mr=\"ram\"> perms=\"rwd\" may contain only the letters r, w and x",
    ]],
    ["pd_map_cached_not_bool.system", "qemu_virt_aarch64", [
      "5:41: <map mr=\"ram\"> cached=\"no\" must be 'true' or 'false'",
    ]],
    ["pd_map_missing_mr.system", "qemu_virt_aarch64", [
      "5:9: <map> needs a 'mr' attribute (the memory region to map)",
    ]],
    ["pd_map_missing_vaddr.system", "qemu_virt_aarch64", [
      "5:9: <map mr=\"ram\"> needs a 'vaddr' attribute (the virtual address to map the region at)",
    ]],
    ["pd_map_overflow.system", "qemu_virt_aarch64", [
      "5:30: <map mr=\"everything\"> at 0x1000 with size 0xfffffffffffff000 runs past the end of the 64-bit address space",
    ]],
    ["pd_map_overlap.system", "qemu_virt_aarch64", [
      "7:21: <map mr=\"b\"> covers [0x4001000..0x4002000), which overlaps the map of 'a' [0x4000000..0x4002000) at 6:9 in protection domain 'app'",
    ]],
    ["pd_map_overlap_mixed_pages.system", "qemu_virt_aarch64", [
      "7:25: <map mr=\"small\"> covers [0x7ff000..0x800000), which overlaps the map of 'large' [0x600000..0x800000) at 6:9 in protection domain 'app'",
    ]],
    ["pd_map_range_too_high.system", "qemu_virt_aarch64", [
      "5:24: <map mr=\"huge\"> covers [0xd000000000..0x100d000000000), which goes past 0xffffffc000, where the stack of the protection domain begins",
    ]],
    ["pd_map_runs_into_stack.system", "qemu_virt_aarch64", [
      "5:23: <map mr=\"ram\"> covers [0xffffffb000..0xffffffd000), which goes past 0xffffffc000, where the stack of the protection domain begins",
    ]],
    ["pd_map_unaligned.system", "qemu_virt_aarch64", [
      "5:23: <map mr=\"big\"> vaddr=0x40001000 is not a multiple of the region's page size 0x200000",
    ]],
    ["pd_map_unknown_mr.system", "qemu_virt_aarch64", [
      "5:14: <map mr=\"uarts\">: no memory region has that name; did you mean 'uart'?",
    ]],
    ["pd_map_vaddr_at_stack.system", "qemu_virt_aarch64", [
      "5:23: <map mr=\"ram\"> vaddr=\"0xffffffc000\" is too high: a map must start below 0xffffffc000, where the protection domain's 0x2000 (8 KiB) stack begins",
    ]],
    ["pd_map_vaddr_below_big_stack.system", "qemu_virt_aarch64", [
      "5:23: <map mr=\"ram\"> vaddr=\"0xffffff0000\" is too high: a map must start below 0xfffffee000, where the protection domain's 0x10000 (64 KiB) stack begins",
    ]],
    ["pd_map_vaddr_too_high.system", "qemu_virt_aarch64", [
      "5:23: <map mr=\"ram\"> vaddr=\"0x2000000000000000\" is too high: a map must start below 0xffffffc000, where the protection domain's 0x2000 (8 KiB) stack begins",
    ]],
    ["pd_map_write_only.system", "qemu_virt_aarch64", [
      "5:41: <map mr=\"ram\"> perms=\"w\" would be a write-only mapping, which seL4 cannot make; use perms=\"rw\"",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });
});

// <memory_region>: size, page size, physical address, prefill from a file or from boot information, unique names.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<memory_region>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["mr_duplicate_name.system", "qemu_virt_aarch64", [
      "3:20: memory region name 'buf' is already used by the <memory_region> at 2:5",
    ]],
    ["mr_missing_name.system", "qemu_virt_aarch64", [
      "2:5: <memory_region> needs a 'name' attribute (a name unique among memory regions)",
    ]],
    ["mr_missing_size.system", "qemu_virt_aarch64", [
      "2:5: <memory_region name=\"ram\"> needs a 'size' attribute; only a region with prefill_path or prefill_bootinfo may leave it out",
    ]],
    ["mr_page_size_unsupported.system", "qemu_virt_aarch64", [
      "2:47: <memory_region name=\"ram\"> page_size=\"0x100000\" is not a page size of aarch64; expected 0x1000 (4 KiB) or 0x200000 (2 MiB)",
    ]],
    ["mr_phys_addr_unaligned.system", "qemu_virt_aarch64", [
      "2:45: <memory_region name=\"dev\"> phys_addr=\"0x9000800\" is not aligned to the page size 0x1000 (4 KiB)",
    ]],
    ["mr_phys_addr_unaligned_large_page.system", "qemu_virt_aarch64", [
      "2:68: <memory_region name=\"dev\"> phys_addr=\"0x40001000\" is not aligned to the page size 0x200000 (2 MiB)",
    ]],
    ["mr_phys_overlap.system", "qemu_virt_aarch64", [
      "3:48: memory region 'second' [0x10002000..0x10003000) overlaps memory region 'first' [0x10000000..0x10003000) at 2:5 in physical memory",
    ]],
    ["mr_prefill_bootinfo_unknown.system", "x86_64_generic", [
      "2:32: <memory_region name=\"info\"> prefill_bootinfo=\"x86_smbios\" is not a kind of boot information; expected 'x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq' or 'fdt'",
    ]],
    ["mr_prefill_directory.system", "qemu_virt_aarch64", [
      "2:32: <memory_region name=\"blob\"> prefill_path=\".\": cannot read tests/microkit/sdf/fixtures/prefill: it is a directory",
    ]],
    ["mr_prefill_empty.system", "qemu_virt_aarch64", [
      "2:32: <memory_region name=\"blob\"> prefill_path=\"empty.bin\": tests/microkit/sdf/fixtures/prefill/empty.bin is empty; a prefill file must have at least one byte",
    ]],
    ["mr_prefill_larger_than_size.system", "qemu_virt_aarch64", [
      "2:32: <memory_region name=\"blob\"> size=\"0x1000\" is smaller than its prefill file tests/microkit/sdf/fixtures/prefill/five-k.bin (0x1388 bytes)",
    ]],
    ["mr_prefill_missing.system", "qemu_virt_aarch64", [
      "2:32: <memory_region name=\"blob\"> prefill_path=\"no-such-file.bin\": no such file; searched tests/microkit/sdf/fixtures/prefill",
    ]],
    ["mr_prefill_path_and_bootinfo.system", "x86_64_generic", [
      "2:56: <memory_region name=\"info\"> has both prefill_path and prefill_bootinfo; a region is filled from one or the other",
    ]],
    ["mr_prefill_size_without_prefill.system", "qemu_virt_aarch64", [
      "5:43: setvar_prefill_size of <map> asks for the prefill size of memory region 'plain', but that region (at 2:5) has no prefill_path",
    ]],
    ["mr_size_not_large_page_multiple.system", "qemu_virt_aarch64", [
      "2:31: <memory_region name=\"ram\"> size=\"0x201000\" is not a multiple of the page size 0x200000 (2 MiB)",
    ]],
    ["mr_size_not_number.system", "qemu_virt_aarch64", [
      "2:31: <memory_region name=\"ram\"> size=\"0x20_00zz\" is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a hex digit",
    ]],
    ["mr_size_not_page_multiple.system", "qemu_virt_aarch64", [
      "2:31: <memory_region name=\"ram\"> size=\"0x1800\" is not a multiple of the page size 0x1000 (4 KiB)",
    ]],
    ["mr_unknown_attribute.system", "qemu_virt_aarch64", [
      "2:45: <memory_region name=\"ram\"> has no attribute 'pages'; allowed: name, size, page_size, phys_addr, prefill_path, prefill_bootinfo",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });
});

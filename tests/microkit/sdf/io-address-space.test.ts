// <io_address_space>: IOMMU boards only, PCI peripheral ids, domain ids, iomaps.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<io_address_space>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["io_bad_device.system", "x86_64_generic", [
      "2:34: <io_address_space name=\"nic\"> peripheral_id=\"0:x.0\": the PCI device 'x' is not a hex number",
    ]],
    ["io_duplicate_device.system", "x86_64_generic", [
      "3:35: <io_address_space name=\"nic1\"> peripheral_id=\"0:3.0\": PCI device 00:03.0 already has the <io_address_space> at 2:5",
    ]],
    ["io_duplicate_domain_id.system", "x86_64_generic", [
      "3:59: <io_address_space name=\"nic1\"> domain_id=\"7\": the <io_address_space> at 2:5 already uses domain id 7; each device needs its own",
    ]],
    ["io_duplicate_name.system", "x86_64_generic", [
      "3:23: <io_address_space name=\"nic\">: another <io_address_space> at 2:5 has the name 'nic'",
    ]],
    ["io_invalid_child.system", "x86_64_generic", [
      "4:9: <io_address_space name=\"nic\"> cannot contain <map>; expected <iomap>",
    ]],
    ["io_iovaddr_too_high.system", "x86_64_generic", [
      "4:25: <iomap mr=\"dma\"> iovaddr=\"0x8000000000\" is too high: IO virtual addresses are below 0x8000000000",
    ]],
    ["io_large_page.system", "x86_64_generic", [
      "4:16: <iomap mr=\"dma\">: memory region 'dma' has 0x200000-byte pages, but seL4's IOMMU support maps only 0x1000-byte pages",
    ]],
    ["io_missing_domain_id.system", "x86_64_generic", [
      "2:5: <io_address_space name=\"nic\"> needs a 'domain_id' attribute (the IOMMU domain, unique per device)",
    ]],
    ["io_negative_bus.system", "x86_64_generic", [
      "2:34: <io_address_space name=\"nic\"> peripheral_id=\"-2:0.0\": the PCI bus -2 is out of range 0..0xff",
    ]],
    ["io_no_iommu.system", "qemu_virt_aarch64", [
      "3:5: <io_address_space> needs a kernel with IOMMU support, and board qemu_virt_aarch64 (aarch64, debug) has none",
    ]],
    ["io_no_iommu.system", "qemu_virt_aarch64_el1", [
      "3:5: <io_address_space> needs a kernel with IOMMU support, and board qemu_virt_aarch64_el1 (aarch64, debug) has none",
    ]],
    ["io_no_iommu.system", "qemu_virt_riscv64", [
      "3:5: <io_address_space> needs a kernel with IOMMU support, and board qemu_virt_riscv64 (riscv64, debug) has none",
    ]],
    ["io_overflow.system", "x86_64_generic", [
      "4:25: <iomap mr=\"dma\"> at 0x2000 with size 0xfffffffffffff000 runs past the end of the 64-bit address space",
    ]],
    ["io_overlap_same_device.system", "x86_64_generic", [
      "6:24: <iomap mr=\"tx\"> covers [0x1000..0x2000), which overlaps the map of 'rx' [0x0..0x2000) at 5:9 in the IO address space of PCI device 00:03.0",
    ]],
    ["io_perms_empty.system", "x86_64_generic", [
      "4:42: <iomap mr=\"dma\"> perms=\"\": a device mapping's perms are r, w or rw",
    ]],
    ["io_perms_execute.system", "x86_64_generic", [
      "4:42: <iomap mr=\"dma\"> perms=\"rx\": a device mapping's perms are r, w or rw",
    ]],
    ["io_range_too_high.system", "x86_64_generic", [
      "4:25: <iomap mr=\"dma\"> covers [0x7ffffff000..0x8000001000), which goes past 0x8000000000, the top of an IO address space",
    ]],
    ["io_unaligned.system", "x86_64_generic", [
      "4:25: <iomap mr=\"dma\"> iovaddr=0x1800 is not a multiple of the region's page size 0x1000",
    ]],
    ["io_unknown_mr.system", "x86_64_generic", [
      "3:16: <iomap mr=\"dma\">: no memory region has that name",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["io_no_iommu.system", "x86_64_generic", [
      "2:5: memory region 'dma' is not mapped by any protection domain or virtual machine (only by an <iomap>)",
    ]],
    ["io_no_iommu.system", "x86_64_generic_vtx", [
      "2:5: memory region 'dma' is not mapped by any protection domain or virtual machine (only by an <iomap>)",
    ]],
    ["io_valid.system", "x86_64_generic", []],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});

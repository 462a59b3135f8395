// Architecture- and configuration-specific forms against kernels built with and without the
// feature: the checks follow the board's facts, not its name.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sdfBoard, type SdfBoard } from "../../../microkit/sdf/board.js";
import { parseSystem } from "../../../microkit/sdf/parse.js";
import { FIXTURES, located, rejects } from "./helpers.js";

function errorsOn(fixture: string, board: SdfBoard): string[] {
  const r = parseSystem(fixture, readFileSync(join(FIXTURES, fixture), "utf8"), { board });
  return r.ok ? [] : r.errors.map(located);
}

const x86 = sdfBoard("x86_64_generic")!;
const aarch64 = sdfBoard("qemu_virt_aarch64")!;

describe("IO address spaces", () => {
  it("are refused on an x86_64 kernel built without IOMMU support", () => {
    expect(errorsOn("io_valid.system", { ...x86, name: "x86_no_iommu", iommu: false })).toEqual([
      "4:5: <io_address_space> needs a kernel with IOMMU support, and board x86_no_iommu (x86_64, debug) has none",
      "8:5: <io_address_space> needs a kernel with IOMMU support, and board x86_no_iommu (x86_64, debug) has none",
    ]);
  });
  it("have no device identifiers on AArch64 even with an IOMMU", () => {
    expect(errorsOn("io_no_iommu.system", { ...aarch64, iommu: true })).toEqual([
      "3:34: <io_address_space name=\"nic\"> peripheral_id=\"00:03.0\": the Microkit tool knows IOMMU device identifiers only on x86_64 (PCI bus:device.function), not on aarch64",
    ]);
  });
});

describe("SMC", () => {
  it("is refused on an AArch64 kernel that does not forward SMC calls", () => {
    expect(errorsOn("pd_smc.system", { ...aarch64, name: "no_smc", armSmc: false })).toEqual([
      "2:35: <protection_domain name=\"app\"> smc=\"true\" needs a kernel that forwards SMC calls (KernelAllowSMCCalls), which board no_smc (aarch64, debug) lacks",
    ]);
  });
});

describe("x86_64 virtual machines", () => {
  it("cannot receive protected procedure calls, whichever end makes them", () => {
    expect(rejects("vm_x86_pp_into_vmm_first_end.system", "x86_64_generic_vtx")).toEqual([
      "10:33: pp=\"true\" lets 'client' call 'vmm', which has a virtual machine: on x86_64 a protection domain with a vcpu cannot receive protected procedure calls",
    ]);
  });
});

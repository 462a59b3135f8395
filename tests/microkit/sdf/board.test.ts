// The facts SDF validation takes from ../shared/abi for each board and configuration.
import { describe, expect, it } from "vitest";
import { defaultSdfBoard, sdfBoard } from "../../../microkit/sdf/board.js";

describe("sdfBoard", () => {
  it("describes the AArch64 reference board in its debug config", () => {
    expect(sdfBoard("qemu_virt_aarch64")).toEqual({
      name: "qemu_virt_aarch64", config: "debug", arch: "aarch64", pageSizes: [0x1000n, 0x200000n],
      userVSpaceTop: 0xffffffffffn, cores: 1, hypervisor: true, iommu: false, armSmc: true,
      numDomains: 16, numDomainSchedules: 100, irqRange: { min: 0, max: 159 }, x86VectorMax: 107,
    });
    expect(defaultSdfBoard()).toBe(sdfBoard("qemu_virt_aarch64", "debug"));
  });
  it("takes cores and domain limits from the SMP configs", () => {
    expect(sdfBoard("qemu_virt_aarch64", "smp-debug")).toMatchObject({ cores: 4, numDomains: 1, numDomainSchedules: 2 });
    expect(sdfBoard("x86_64_generic", "smp-release")).toMatchObject({ cores: 16 });
  });
  it("knows which boards have a hypervisor, an IOMMU or SMC", () => {
    expect(sdfBoard("qemu_virt_aarch64_el1")).toMatchObject({ hypervisor: false, armSmc: true, userVSpaceTop: 0x7fffffffffffn });
    expect(sdfBoard("qemu_virt_riscv64")).toMatchObject({ arch: "riscv64", hypervisor: false, armSmc: undefined, irqRange: { min: 1 }, userVSpaceTop: 0x3fffffefffn });
    expect(sdfBoard("x86_64_generic")).toMatchObject({ arch: "x86_64", hypervisor: false, iommu: true, irqRange: undefined });
    expect(sdfBoard("x86_64_generic_vtx")).toMatchObject({ hypervisor: true, iommu: true });
    expect(sdfBoard("rpi4b_4gb")).toMatchObject({ userVSpaceTop: 0xfffffffffffn });
  });
  it("has no facts for an unknown board or a config the board is not built in", () => {
    expect(sdfBoard("pine64")).toBeUndefined();
    expect(sdfBoard("kria_k26", "smp-debug")).toBeUndefined();
    expect(sdfBoard("kria_k26", "release")).toMatchObject({ cores: 1 });
  });
});

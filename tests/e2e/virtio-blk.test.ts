// A virtio block driver PD (tests/pds/virtioblk) against the QEMU boards' virtio-blk model: the
// transport (version 2) and feature negotiation, a split virtqueue in a DMA region below the
// kernel's RAM, reads and writes of sectors completing with interrupts.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

const system = (board: string) => ({
  systemFile: `tests/pds/virtioblk/virtioblk-${board}.system`, board, searchPaths: [`build/test-pds/virtioblk/${board}/debug`],
});

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("virtio-blk on %s", (board) => {
  test("the driver reads the image's first sector, writes the second and reads it back; the writes reach the run's disk", () => {
    const disk = new Uint8Array(64 * 1024);
    disk.set(new TextEncoder().encode("hello from the disk image\n"));
    const r = runSystem({ ...system(board), disk });
    expect(r.output).toBe([
      "blk: virtio-mmio version 2, block device of 128 sectors",
      "blk: sector 0: hello from the disk image",
      "blk: sector 1 read back: written by the driver",
      "",
    ].join("\n"));
    expect(r.diagnostics).toEqual([]);
    expect(new TextDecoder().decode(disk.subarray(512, 512 + 22))).toBe("written by the driver\n");
  });

  test("without --disk the transport is an empty slot (device ID 0)", () => {
    expect(runSystem(system(board)).output).toBe("blk: no virtio block device (version 2) at the last transport\n");
  });
});

test("--disk on a board whose model has no virtio block device is one clear error", () => {
  expect(() => runSystem({
    systemFile: "examples/hello/hello.system", board: "odroidc4", searchPaths: ["build/examples/hello/odroidc4/debug"], disk: new Uint8Array(512),
  })).toThrow("--disk: the odroidc4 model has no virtio block device to attach it to (the QEMU boards have)");
});

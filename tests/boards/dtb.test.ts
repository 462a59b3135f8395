// The device trees root tasks receive: our FDT encoder's output is read back by dtc (the reference
// implementation of the format) without a warning, and each board's tree has its modelled devices
// at the addresses, interrupts and properties QEMU (or the board's vendor tree) gives them.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { BOARDS, findBoard } from "../../boards/board.js";
import { cells, encodeDtb, FLAG, node } from "../../boards/dtb.js";

const dir = mkdtempSync(join(tmpdir(), "dtb-"));

/** dtc's source form of a DTB, and whatever dtc warned about. */
function decompile(dtb: Uint8Array): { dts: string; warnings: string } {
  const file = join(dir, `t${Math.random().toString(36).slice(2)}.dtb`);
  writeFileSync(file, dtb);
  const dts = execFileSync("dtc", ["-I", "dtb", "-O", "dts", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  // Recompiling runs dtc's checks on the tree; they report on stderr.
  const check = spawnSync("dtc", ["-I", "dtb", "-O", "dtb", "-o", "/dev/null", file], { encoding: "utf8" });
  return { dts, warnings: `${check.stderr}${check.status === 0 ? "" : `exit ${check.status}`}` };
}

test("the encoder writes a version-17 FDT with the header, reservation, structure and strings blocks", () => {
  const dtb = encodeDtb(node("", [["#address-cells", cells(2)], ["model", "m"]], [node("a@1", [["x", FLAG], ["l", ["p", "q"]]])]), [{ address: 0x1000n, size: 0x2000n }]);
  const v = new DataView(dtb.buffer);
  expect(v.getUint32(0)).toBe(0xd00dfeed);
  expect(v.getUint32(4)).toBe(dtb.length);
  expect(v.getUint32(20)).toBe(17);
  expect(v.getUint32(24)).toBe(16);
  expect(v.getUint32(8) % 4).toBe(0);
  const { dts } = decompile(dtb);
  expect(dts).toContain("/memreserve/\t0x0000000000001000 0x0000000000002000;");
  expect(dts).toContain("#address-cells = <0x02>;");
  expect(dts).toContain("model = \"m\";");
  expect(dts).toMatch(/a@1 \{\s+x;\s+l = "p\\0q";/);
});

test("a cell wider than 32 bits is refused", () => {
  expect(() => encodeDtb(node("", [["reg", cells(1n << 32n)]]))).toThrow(/does not fit 32 bits/);
});

const GIB = 1n << 30n;
const ram = (board: string) => ({ base: board === "qemu_virt_riscv64" ? 0x8000_0000n : board === "odroidc4" ? 0n : 0x4000_0000n, size: 2n * GIB });

describe.each(BOARDS.map((b) => b.name))("the %s device tree", (name) => {
  const board = findBoard(name)!;
  for (const hypervisor of board.arch === "aarch64" ? [false, true] : [false]) {
    test(`dtc reads it without a warning (EL2 ${hypervisor ? "present" : "absent"})`, () => {
      const { dts, warnings } = decompile(encodeDtb(board.deviceTree({ ram: ram(name), hypervisor, timerFrequencyHz: 62_500_000n })));
      expect(warnings).toBe("");
      expect(dts).toMatch(/memory@[0-9a-f]+ \{/);
    });
  }
});

test("qemu_virt_aarch64: memory follows -m, devices sit at QEMU's addresses with QEMU's interrupts", () => {
  const board = findBoard("qemu_virt_aarch64")!;
  const { dts } = decompile(encodeDtb(board.deviceTree({ ram: { base: 0x4000_0000n, size: 3n * GIB }, hypervisor: false, timerFrequencyHz: 62_500_000n })));
  expect(dts).toMatch(/memory@40000000 \{\s+reg = <0x00 0x40000000 0x00 0xc0000000>;\s+device_type = "memory";/);
  expect(dts).toMatch(/pl011@9000000 \{[^}]*interrupts = <0x00 0x01 0x04>;\s+reg = <0x00 0x9000000 0x00 0x1000>;\s+compatible = "arm,pl011\\0arm,primecell";/);
  expect(dts).toMatch(/pl031@9010000 \{[^}]*interrupts = <0x00 0x02 0x04>;/);
  expect(dts).toMatch(/virtio_mmio@a000000 \{[^}]*interrupts = <0x00 0x10 0x01>;/);
  expect(dts).toMatch(/virtio_mmio@a003e00 \{[^}]*interrupts = <0x00 0x2f 0x01>;/);
  expect(dts).toMatch(/timer \{\s+interrupts = <0x01 0x0d 0x104 0x01 0x0e 0x104 0x01 0x0b 0x104 0x01 0x0a 0x104>;/);
  expect(dts).toMatch(/intc@8000000 \{[^}]*reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>;/);
  expect(dts).toContain('stdout-path = "/pl011@9000000";');
  expect(dts).toContain('method = "hvc";');
});

test("qemu_virt_aarch64 with EL2: the GIC lists its virtualization interface and maintenance interrupt", () => {
  const board = findBoard("qemu_virt_aarch64")!;
  const { dts } = decompile(encodeDtb(board.deviceTree({ ram: ram("qemu_virt_aarch64"), hypervisor: true, timerFrequencyHz: 62_500_000n })));
  expect(dts).toMatch(/reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000 0x00 0x8030000 0x00 0x10000 0x00 0x8040000 0x00 0x10000>;/);
  expect(dts).toMatch(/interrupts = <0x01 0x09 0x04>;/);
  expect(dts).toContain('method = "smc";');
});

test("qemu_virt_riscv64: the PLIC's 95 sources, the UART on line 10, the RTC on 11, the hart's timebase", () => {
  const board = findBoard("qemu_virt_riscv64")!;
  const { dts } = decompile(encodeDtb(board.deviceTree({ ram: ram("qemu_virt_riscv64"), hypervisor: false, timerFrequencyHz: 10_000_000n })));
  expect(dts).toMatch(/plic@c000000 \{[^}]*riscv,ndev = <0x5f>;\s+reg = <0x00 0xc000000 0x00 0x600000>;/);
  expect(dts).toMatch(/serial@10000000 \{\s+interrupts = <0x0a>;/);
  expect(dts).toMatch(/rtc@101000 \{\s+interrupts = <0x0b>;/);
  expect(dts).toMatch(/virtio_mmio@10008000 \{\s+interrupts = <0x08>;/);
  expect(dts).toContain("timebase-frequency = <0x989680>;");
  expect(dts).toContain('stdout-path = "/soc/serial@10000000";');
});

// The engine's guest-physical layout: RAM and devices at their physical addresses with covers over
// every gap (so every address faults in the MMU, exactly), the region limit, and the refusal to
// split a large cover after construction.
import { describe, expect, test } from "vitest";
import { MAX_ENGINE_REGIONS } from "../../emulator/cpu.js";
import { assemble } from "./asm.js";
import { ARCHES, CODE, cpuFixture, PAGE, RW, RX } from "./cpu-fixture.js";

const { newCpu, hostMemory, mapHost } = cpuFixture();

describe.each(ARCHES)("engine memory on %s", (arch) => {
  test("RAM given at construction is one region at its physical address, whatever maps it", () => {
    const ram = hostMemory(16 * PAGE);
    const cpu = newCpu(arch, { ram: [{ base: 0x8000_0000n, size: BigInt(16 * PAGE), host: ram.ptr }] });
    const regions = cpu.regionCount;
    // Any part of the host memory maps to the matching physical address, at any virtual one.
    cpu.map(0x20_0000n, BigInt(4 * PAGE), RW, ram.ptr + BigInt(8 * PAGE));
    cpu.map(0x30_0000n, BigInt(PAGE), RX, ram.ptr);
    expect(cpu.lookup(0x20_1008n)).toEqual({ pa: 0x8000_9008n, rights: RW });
    expect(cpu.lookup(0x30_0000n)).toEqual({ pa: 0x8000_0000n, rights: RX });
    expect(cpu.regionCount).toBe(regions);
    ram.bytes.set(assemble(arch, arch === "aarch64" ? "ldr x1, [x0]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n ecall"));
    new DataView(ram.bytes.buffer, ram.bytes.byteOffset).setBigUint64(9 * PAGE + 8, 0xabcdn, true);
    cpu.writeRegister(arch === "aarch64" ? "x0" : "a0", 0x20_1008n);
    expect(cpu.run(0x30_0000n, 100n).kind).toBe("syscall");
    expect(cpu.readRegister(arch === "aarch64" ? "x1" : "a1")).toBe(0xabcdn);
  });

  test("RAM attached later outside the engine's private window is refused when it would split a large cover", () => {
    const cpu = newCpu(arch);
    const ram = hostMemory(PAGE);
    expect(() => cpu.attachRam(0x4000_0000n, BigInt(PAGE), ram.ptr)).toThrow(
      /^attaching physical 0x40000000\+0x1000 would unmap a 0x[0-9a-f]+-byte cover \(~\d+ ms\): give ranges outside the engine's private window to it at construction$/,
    );
  });

  test("overlapping physical ranges are refused", () => {
    const ram = hostMemory(2 * PAGE);
    expect(() => newCpu(arch, { ram: [{ base: 0x8000_0000n, size: BigInt(2 * PAGE), host: ram.ptr }, { base: 0x8000_1000n, size: BigInt(PAGE), host: ram.ptr }] })).toThrow(
      "physical ranges 0x80000000+0x2000 and 0x80001000+0x1000 overlap",
    );
    expect(() => newCpu(arch, { ram: [{ base: 0xff_0000_0000n, size: BigInt(PAGE), host: ram.ptr }] })).toThrow("overlap");
  });
});

describe("engine region limit", () => {
  test(`host memory attached range by range is refused once the engine would pass ${MAX_ENGINE_REGIONS} regions, and the engine runs on`, () => {
    expect(MAX_ENGINE_REGIONS).toBeLessThan(1023); // the engine's own limit (ENGINE-FACTS.md)
    const cpu = newCpu("aarch64");
    mapHost(cpu, CODE, RX).set(assemble("aarch64", "mov x0, #5\n svc #0"));
    const host = hostMemory(PAGE);
    let error: unknown;
    for (let i = 0; i < 2 * MAX_ENGINE_REGIONS && error === undefined; i++) {
      try {
        cpu.attachHost(host.ptr, BigInt(PAGE));
      } catch (e) {
        error = e;
      }
      expect(cpu.regionCount).toBeLessThanOrEqual(MAX_ENGINE_REGIONS);
    }
    expect(String(error)).toMatch(new RegExp(`^Error: address space needs more than ${MAX_ENGINE_REGIONS} separate engine regions \\(at physical 0x[0-9a-f]+\\)$`));
    expect(cpu.regionCount).toBeGreaterThan(MAX_ENGINE_REGIONS - 4);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect(cpu.readRegister("x0")).toBe(5n);
  });
});

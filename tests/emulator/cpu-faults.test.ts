// Faults behind the engine's MMU, on real machine code: a faulted thread resumed at the faulting
// instruction once its handler has fixed the mapping continues exactly as if nothing had happened;
// mapping changes take effect at once; the fault address of accesses that touch two pages or
// several addresses, and of addresses far from any mapping; device registers at their physical
// addresses.
import { describe, expect, test } from "vitest";
import type { Arch, Cpu, CpuExit } from "../../emulator/cpu.js";
import { assemble } from "./asm.js";
import { ARCHES, CODE, cpuFixture, PAGE, R, RW, RX } from "./cpu-fixture.js";

const { newCpu, hostMemory, mapHost, withCode } = cpuFixture();

const DATA = 0x40000n;
const READ_ONLY = 0x30000n;

const u64 = (bytes: Uint8Array, offset: number): bigint => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset, true);
const setU64 = (bytes: Uint8Array, offset: number, v: bigint): void => new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(offset, v, true);

/** Runs until the thread stops for something other than its budget. */
function runToStop(cpu: Cpu, pc: bigint): CpuExit {
  for (;;) {
    const exit = cpu.run(pc, 1000n);
    if (exit.kind !== "budget") return exit;
    pc = exit.pc;
  }
}

describe.each(ARCHES)("faults on %s", (arch) => {
  const a64 = arch === "aarch64";
  const reg = (i: number): string => (a64 ? `x${i}` : `a${i}`);

  // Sums eight words from [x0] (stepping x0 by 8) into x2, counting in x3; then traps.
  const SUM8: Readonly<Record<Arch, string>> = {
    aarch64: "mov x3, #0\n 1:\n add x3, x3, #1\n ldr x1, [x0], #8\n add x2, x2, x1\n cmp x3, #8\n b.ne 1b\n svc #0",
    riscv64: ".option norvc\n li a3, 0\n li t0, 8\n 1:\n addi a3, a3, 1\n ld a1, 0(a0)\n addi a0, a0, 8\n add a2, a2, a1\n bne a3, t0, 1b\n ecall",
  };
  // Eight words straddling two pages: four at the end of DATA, four at the start of the next.
  const words = [1n, 2n, 4n, 8n, 16n, 32n, 64n, 128n];
  const fill = (first: Uint8Array, second: Uint8Array): void => {
    words.slice(0, 4).forEach((w, i) => setU64(first, PAGE - 32 + i * 8, w));
    words.slice(4).forEach((w, i) => setU64(second, i * 8, w));
  };

  test("a thread resumed at the faulting load after its page is mapped ends as if it never faulted", () => {
    // Reference: both pages mapped from the start.
    const ref = withCode(arch, SUM8).cpu;
    const refFirst = mapHost(ref, DATA, RW);
    const refSecond = mapHost(ref, DATA + BigInt(PAGE), RW);
    fill(refFirst, refSecond);
    ref.writeRegister(reg(0), DATA + BigInt(PAGE) - 32n);
    const refBefore = ref.executed;
    const refExit = runToStop(ref, CODE);
    const refRetired = ref.executed - refBefore;

    // The second page is missing: the fifth load faults, inside the loop's block.
    const { cpu } = withCode(arch, SUM8);
    const first = mapHost(cpu, DATA, RW);
    const second = hostMemory(PAGE);
    fill(first, second.bytes);
    cpu.writeRegister(reg(0), DATA + BigInt(PAGE) - 32n);
    const before = cpu.executed;
    const load = CODE + (a64 ? 8n : 12n);
    const fault = runToStop(cpu, CODE);
    expect(fault).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: DATA + BigInt(PAGE), pc: load });
    expect([cpu.readRegister(reg(3)), cpu.readRegister(reg(2)), cpu.readRegister(reg(0))]).toEqual([5n, 15n, DATA + BigInt(PAGE)]);

    // The handler maps the page; the thread restarts at the faulting instruction.
    cpu.map(DATA + BigInt(PAGE), BigInt(PAGE), RW, second.ptr);
    const exit = runToStop(cpu, fault.pc);
    expect(exit).toEqual(refExit);
    for (const r of [0, 1, 2, 3]) expect([r, cpu.readRegister(reg(r))]).toEqual([r, ref.readRegister(reg(r))]);
    expect(cpu.readRegister(reg(2))).toBe(255n);
    // No instruction counted twice: the faulting block's unexecuted rest is not counted.
    expect(cpu.executed - before).toBe(refRetired);
  });

  test("single-stepping into a faulting load: the fault is reported and the load is not counted as retired", () => {
    const { cpu } = withCode(arch, a64 ? "add x3, x3, #1\n ldr x1, [x0]\n svc #0" : ".option norvc\n addi a3, a3, 1\n ld a1, 0(a0)\n ecall");
    cpu.writeRegister(reg(0), DATA);
    const before = cpu.executed;
    expect(cpu.run(CODE, 1n)).toEqual({ kind: "budget", pc: CODE + 4n });
    expect(cpu.run(CODE + 4n, 1n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: DATA, pc: CODE + 4n });
    expect(cpu.executed - before).toBe(1n);
    expect(cpu.readRegister(reg(3))).toBe(1n);
  });

  test("a store to a read-only page resumes after the page is remapped writable, and lands once", () => {
    const { cpu } = withCode(arch, {
      aarch64: "add x3, x3, #1\n str x1, [x0], #8\n add x3, x3, #1\n svc #0",
      riscv64: ".option norvc\n addi a3, a3, 1\n sd a1, 0(a0)\n addi a0, a0, 8\n addi a3, a3, 1\n ecall",
    });
    const frame = hostMemory(PAGE);
    cpu.map(READ_ONLY, BigInt(PAGE), R, frame.ptr);
    cpu.writeRegister(reg(0), READ_ONLY + 16n);
    cpu.writeRegister(reg(1), 0x5151_5151n);
    const fault = cpu.run(CODE, 100n);
    expect(fault).toEqual({ kind: "memory", access: "write", cause: "permission", address: READ_ONLY + 16n, pc: CODE + 4n });
    expect(u64(frame.bytes, 16)).toBe(0n);
    // Same frame, new rights: the old read-only translation must not survive in the engine's TLB.
    cpu.map(READ_ONLY, BigInt(PAGE), RW, frame.ptr);
    expect(cpu.run(fault.pc, 100n).kind).toBe("syscall");
    expect(u64(frame.bytes, 16)).toBe(0x5151_5151n);
    expect([cpu.readRegister(reg(3)), cpu.readRegister(reg(0))]).toEqual([2n, READ_ONLY + 24n]);
  });

  test("unmapping a warm page, or mapping another frame there, takes effect at the next access", () => {
    const { cpu } = withCode(arch, a64 ? "ldr x1, [x0]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n ecall");
    const a = mapHost(cpu, DATA, RW);
    setU64(a, 0, 0xaaaan);
    cpu.writeRegister(reg(0), DATA);
    for (let i = 0; i < 3; i++) expect(cpu.run(CODE, 100n).kind).toBe("syscall");
    expect(cpu.readRegister(reg(1))).toBe(0xaaaan);
    cpu.unmap(DATA, BigInt(PAGE));
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: DATA, pc: CODE });
    const b = mapHost(cpu, DATA, R);
    setU64(b, 0, 0xbbbbn);
    expect(cpu.run(CODE, 100n).kind).toBe("syscall");
    expect(cpu.readRegister(reg(1))).toBe(0xbbbbn);
  });

  test.each([
    { what: "address 0", address: 0n },
    { what: "just below the user range's end", address: a64 ? (1n << 48n) - 8n : (1n << 38n) - 8n },
    { what: "the first address past the user range", address: a64 ? 1n << 48n : 1n << 38n },
    { what: "a non-canonical address", address: 0x8000_0000_0000_0000n },
    { what: "the last 8 bytes of the 64-bit space", address: 0xffff_ffff_ffff_fff8n },
    { what: "the engine's own page tables (physical 0xff_0000_1000)", address: 0xff_0000_1000n },
  ])("a load from $what faults at the load with that address", (c) => {
    const { cpu } = withCode(arch, a64 ? "add x3, x3, #1\n ldr x1, [x0]\n svc #0" : ".option norvc\n addi a3, a3, 1\n ld a1, 0(a0)\n ecall");
    cpu.writeRegister(reg(0), c.address);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: c.address, pc: CODE + 4n });
    expect(cpu.readRegister(reg(3))).toBe(1n);
  });

  test("an access straddling two pages reports the first byte it may not touch", () => {
    const { cpu } = withCode(arch, a64 ? "ldr x1, [x0]\n svc #0\n str x1, [x0]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n ecall\n sd a1, 0(a0)\n ecall");
    mapHost(cpu, DATA, RW);
    mapHost(cpu, DATA + BigInt(PAGE), R);
    // Second page missing for the load, read-only for the store.
    cpu.writeRegister(reg(0), DATA + 2n * BigInt(PAGE) - 4n);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: DATA + 2n * BigInt(PAGE), pc: CODE });
    cpu.writeRegister(reg(0), DATA + BigInt(PAGE) - 4n);
    expect(cpu.run(CODE + 8n, 100n)).toEqual({ kind: "memory", access: "write", cause: "permission", address: DATA + BigInt(PAGE), pc: CODE + 8n });
    // The first page missing: its own address.
    cpu.writeRegister(reg(0), DATA - 4n);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: DATA - 4n, pc: CODE });
  });

  test("read-modify-write atomics on a read-only page are write faults", () => {
    const { cpu } = withCode(arch, a64 ? "ldxr x1, [x0]\n stxr w4, x2, [x0]\n svc #0" : ".option norvc\n amoadd.d a1, a2, (a0)\n ecall");
    mapHost(cpu, READ_ONLY, R);
    cpu.writeRegister(reg(0), READ_ONLY + 8n);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "memory", access: "write", cause: "permission", address: READ_ONLY + 8n, pc: a64 ? CODE + 4n : CODE });
  });

  test("code shared at two addresses: invalidating either address drops the frame's stale translation", () => {
    const OLD = a64 ? "mov x0, #1\n svc #0" : ".option norvc\n li a0, 1\n ecall";
    const NEW = a64 ? "mov x0, #2\n svc #0" : ".option norvc\n li a0, 2\n ecall";
    const cpu = newCpu(arch);
    const frame = hostMemory(PAGE);
    frame.bytes.set(assemble(arch, OLD));
    cpu.map(0x10000n, BigInt(PAGE), RX, frame.ptr);
    cpu.map(0x70000n, BigInt(PAGE), RX, frame.ptr);
    for (const va of [0x10000n, 0x70000n]) cpu.run(va, 100n);
    frame.bytes.set(assemble(arch, NEW));
    cpu.run(0x10000n, 100n);
    expect(cpu.readRegister(reg(0))).toBe(1n); // stale
    cpu.invalidate(0x70000n, BigInt(PAGE));
    cpu.run(0x10000n, 100n);
    expect(cpu.readRegister(reg(0))).toBe(2n);
  });

  test("device registers given at construction sit at their physical address: every mapping reaches the handler; a read-only one refuses writes", () => {
    const DEVICE_PA = 0x0900_0000n;
    const log: string[] = [];
    const handler = {
      read: (offset: number, size: number): bigint => {
        log.push(`read ${offset} ${size}`);
        return 0x1234n;
      },
      write: (offset: number, size: number, value: bigint): void => {
        log.push(`write ${offset} ${size} 0x${value.toString(16)}`);
      },
    };
    const cpu = newCpu(arch, { devices: [{ base: DEVICE_PA, size: BigInt(PAGE), handler }] });
    mapHost(cpu, CODE, RX).set(assemble(arch, a64 ? "ldr w1, [x0, #4]\n str w2, [x0, #8]\n svc #0" : ".option norvc\n lwu a1, 4(a0)\n sw a2, 8(a0)\n ecall"));
    cpu.mapMmio(0x90000n, BigInt(PAGE), handler, { pa: DEVICE_PA });
    cpu.mapMmio(0xa0000n, BigInt(PAGE), handler, { pa: DEVICE_PA, rights: R });
    expect(cpu.lookup(0x90000n)).toEqual({ pa: DEVICE_PA, rights: RW });
    expect(cpu.lookup(0xa0000n)).toEqual({ pa: DEVICE_PA, rights: R });
    cpu.writeRegister(reg(2), 0x77n);
    for (const va of [0x90000n, 0xa0000n]) {
      cpu.writeRegister(reg(0), va);
      cpu.writeRegister(reg(1), 0n);
      const exit = cpu.run(CODE, 100n);
      expect(cpu.readRegister(reg(1))).toBe(0x1234n);
      expect(exit).toEqual(va === 0x90000n ? { kind: "syscall", pc: CODE + 12n } : { kind: "memory", access: "write", cause: "permission", address: va + 8n, pc: CODE + 4n });
    }
    expect(log).toEqual(["read 4 4", "write 8 4 0x77", "read 4 4"]);
  });
});

describe("faults on aarch64: what the page tables allow but the CPU refuses", () => {
  test("an unaligned exclusive load is an alignment fault, left an exception (data abort, 4)", () => {
    const { cpu } = withCode("aarch64", "add x3, x3, #1\n ldxr x1, [x0]\n svc #0");
    mapHost(cpu, DATA, RW);
    cpu.writeRegister("x0", DATA + 4n);
    expect(cpu.run(CODE, 100n)).toEqual({ kind: "exception", code: 4, pc: CODE + 4n });
    expect(cpu.readRegister("x3")).toBe(1n);
  });
});

describe("faults on riscv64: compressed code", () => {
  test("a 4-byte instruction running into an unmapped page is a fetch fault at the next page; state is consistent", () => {
    // c.addi at the page's last-but-one halfword, then a 4-byte addi across the page end. The
    // engine fails to translate the block that holds both, so it reports the block's start
    // (nothing of it ran) rather than the straddling instruction: resuming there is still exact.
    const cpu = newCpu("riscv64");
    const code = hostMemory(2 * PAGE);
    code.bytes.set(assemble("riscv64", "c.addi a3, 1\n .option norvc\n addi a3, a3, 1\n ecall"), PAGE - 4);
    cpu.map(CODE, BigInt(PAGE), RX, code.ptr);
    const exit = cpu.run(CODE + BigInt(PAGE) - 4n, 100n);
    expect(exit).toEqual({ kind: "memory", access: "fetch", cause: "unmapped", address: CODE + BigInt(PAGE), pc: CODE + BigInt(PAGE) - 4n });
    expect(cpu.readRegister("a3")).toBe(0n);
    // Mapped, the same code runs through from there.
    cpu.map(CODE + BigInt(PAGE), BigInt(PAGE), RX, code.ptr + BigInt(PAGE));
    expect(cpu.run(exit.pc, 100n)).toEqual({ kind: "syscall", pc: CODE + BigInt(PAGE) + 6n });
    expect(cpu.readRegister("a3")).toBe(2n);
  });
});

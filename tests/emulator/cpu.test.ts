// The CPU backend on real machine code, AArch64 and RISC-V 64: traps, faults (exact to the
// instruction, also inside a translated block), MMIO, privilege, budgets and single steps, the
// translation cache, and what mappings cost in engine regions. Resuming after faults and fault
// addresses of unusual accesses: cpu-faults.test.ts.
import { describe, expect, test } from "vitest";
import { type Arch } from "../../emulator/cpu.js";
import { assemble } from "./asm.js";
import { ARCHES, CODE, cpuFixture, NONE, PAGE, R, RW, RX } from "./cpu-fixture.js";

/** General registers by name, in the engine's naming (RISC-V by ABI name; x0 is not writable). */
const GPRS: Readonly<Record<Arch, readonly string[]>> = {
  aarch64: [...Array.from({ length: 31 }, (_, i) => `x${i}`), "sp"],
  riscv64: ["ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
    "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"],
};

const { newCpu, hostMemory, mapHost, withCode } = cpuFixture();

const UNMAPPED = 0x50000n, NO_ACCESS = 0x20000n, READ_ONLY = 0x30000n, DATA = 0x40000n;

describe.each(ARCHES)("Cpu on %s", (arch) => {
  const a64 = arch === "aarch64";

  test("svc / ecall ends the run with pc after the trap and every register intact", () => {
    const { cpu } = withCode(arch, {
      aarch64: "add x9, x0, x1\n svc #0\n mov x10, #1\n svc #0",
      riscv64: ".option norvc\n add s1, a0, a1\n ecall\n li s2, 1\n ecall",
    });
    const [sum, second] = a64 ? ["x9", "x10"] : ["s1", "s2"];
    const names = GPRS[arch];
    const before = new Map(names.map((n, i) => [n, 0x1111_0000_0000_0000n + BigInt(i) * 0x1_0001n]));
    for (const [n, v] of before) cpu.writeRegister(n, v);

    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    const [x0, x1] = a64 ? ["x0", "x1"] : ["a0", "a1"];
    expect(cpu.readRegister(sum)).toBe(BigInt.asUintN(64, before.get(x0)! + before.get(x1)!));
    for (const n of names) if (n !== sum) expect([n, cpu.readRegister(n)]).toEqual([n, before.get(n)]);

    // Resuming at the pc the trap reported continues after it.
    expect(cpu.run(CODE + 8n, 1000n)).toEqual({ kind: "syscall", pc: CODE + 16n });
    expect(cpu.readRegister(second)).toBe(1n);
  });

  // Code at CODE: a read at +8, a write at +0x18 and a jump (fetch) at +0x24. Each access starts a
  // translated block (it follows a branch) and comes after an instruction that sets a marker.
  const FAULTS = {
    aarch64: `
      mov x3, #5
      b 1f
    1:
      ldr x1, [x0, #8]
      svc #0
      mov x3, #6
      b 2f
    2:
      str x1, [x0, #16]
      svc #0
      mov x3, #7
      br x0`,
    riscv64: `.option norvc
      li a3, 5
      j 1f
    1:
      ld a1, 8(a0)
      ecall
      li a3, 6
      j 2f
    2:
      sd a1, 16(a0)
      ecall
      li a3, 7
      jr a0`,
  };
  const READ = CODE, WRITE = CODE + 0x10n, FETCH = CODE + 0x20n;

  test.each([
    { what: "read of unmapped memory", entry: READ, base: UNMAPPED, access: "read", cause: "unmapped", address: UNMAPPED + 8n, pc: CODE + 8n, marker: 5n },
    { what: "read without read right", entry: READ, base: NO_ACCESS, access: "read", cause: "permission", address: NO_ACCESS + 8n, pc: CODE + 8n, marker: 5n },
    { what: "write to unmapped memory", entry: WRITE, base: UNMAPPED, access: "write", cause: "unmapped", address: UNMAPPED + 16n, pc: CODE + 0x18n, marker: 6n },
    { what: "write to a read-only page", entry: WRITE, base: READ_ONLY, access: "write", cause: "permission", address: READ_ONLY + 16n, pc: CODE + 0x18n, marker: 6n },
    { what: "write to the (read-execute) code page", entry: WRITE, base: CODE + 0x800n, access: "write", cause: "permission", address: CODE + 0x810n, pc: CODE + 0x18n, marker: 6n },
    { what: "fetch from unmapped memory", entry: FETCH, base: UNMAPPED, access: "fetch", cause: "unmapped", address: UNMAPPED, pc: UNMAPPED, marker: 7n },
    { what: "fetch from a read-write page", entry: FETCH, base: DATA, access: "fetch", cause: "permission", address: DATA, pc: DATA, marker: 7n },
    { what: "fetch from a read-only page", entry: FETCH, base: READ_ONLY, access: "fetch", cause: "permission", address: READ_ONLY, pc: READ_ONLY, marker: 7n },
  ] as const)("$what: exact address, access, cause and pc", (c) => {
    const { cpu, code } = withCode(arch, FAULTS);
    const none = mapHost(cpu, NO_ACCESS, NONE);
    const ro = mapHost(cpu, READ_ONLY, R);
    const data = mapHost(cpu, DATA, RW);
    const [base, dest, marker] = a64 ? ["x0", "x1", "x3"] : ["a0", "a1", "a3"];
    cpu.writeRegister(base, c.base);
    cpu.writeRegister(dest, 0xfeed_f00d_dead_beefn);
    const codeBefore = code.slice();

    expect(cpu.run(c.entry, 1000n)).toEqual({ kind: "memory", access: c.access, cause: c.cause, address: c.address, pc: c.pc });
    // The instruction before the fault ran; the faulting load did not write its register, the
    // faulting store wrote nothing.
    expect(cpu.readRegister(marker)).toBe(c.marker);
    expect(cpu.readRegister(dest)).toBe(0xfeed_f00d_dead_beefn);
    for (const page of [none, ro, data]) expect(page.every((b) => b === 0)).toBe(true);
    expect(code).toEqual(codeBefore);
  });

  test("loads and stores that succeed on the same code", () => {
    const { cpu } = withCode(arch, FAULTS);
    const ro = mapHost(cpu, READ_ONLY, R);
    const data = mapHost(cpu, DATA, RW);
    new DataView(ro.buffer, ro.byteOffset).setBigUint64(8, 0x0123_4567_89ab_cdefn, true);
    const [base, dest] = a64 ? ["x0", "x1"] : ["a0", "a1"];
    cpu.writeRegister(base, READ_ONLY);
    expect(cpu.run(READ, 1000n)).toEqual({ kind: "syscall", pc: CODE + 0x10n });
    expect(cpu.readRegister(dest)).toBe(0x0123_4567_89ab_cdefn);
    cpu.writeRegister(base, DATA);
    expect(cpu.run(WRITE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 0x20n });
    expect(Array.from(data.subarray(16, 24))).toEqual([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
  });

  // Faults inside a translated block: each access follows instructions of the same block (a
  // counter increments before it), so an engine that reported the block's start (as Unicorn 2.0.1
  // does for a fault it finds without an MMU) would give a pc before the counter's increments.
  const MID_BLOCK = {
    // A loop of one block: counter, load with post-increment, branch back.
    loadLoop: {
      aarch64: "mov x3, #0\n 1:\n add x3, x3, #1\n ldr x1, [x0], #8\n b 1b",
      riscv64: ".option norvc\n li a3, 0\n 1:\n addi a3, a3, 1\n ld a1, 0(a0)\n addi a0, a0, 8\n j 1b",
    },
    storeLoop: {
      aarch64: "mov x3, #0\n 1:\n add x3, x3, #1\n str x1, [x0], #8\n b 1b",
      riscv64: ".option norvc\n li a3, 0\n 1:\n addi a3, a3, 1\n sd a1, 0(a0)\n addi a0, a0, 8\n j 1b",
    },
    // Two increments, then one access through the base register.
    load: {
      aarch64: "add x3, x3, #1\n add x3, x3, #1\n ldr x1, [x0, #8]\n svc #0",
      riscv64: ".option norvc\n addi a3, a3, 1\n addi a3, a3, 1\n ld a1, 8(a0)\n ecall",
    },
    store: {
      aarch64: "add x3, x3, #1\n add x3, x3, #1\n str x1, [x0, #8]\n svc #0",
      riscv64: ".option norvc\n addi a3, a3, 1\n addi a3, a3, 1\n sd a1, 8(a0)\n ecall",
    },
    // Two increments at the end of the code page; execution runs on into the next page.
    runOff: {
      aarch64: "add x3, x3, #1\n add x3, x3, #1",
      riscv64: ".option norvc\n addi a3, a3, 1\n addi a3, a3, 1",
    },
  } as const;
  const NEXT_PAGE = CODE + BigInt(PAGE);

  test.each([
    { what: "load from unmapped memory, fifth time round a loop", code: "loadLoop", base: DATA + 0xfe0n, access: "read", cause: "unmapped", address: DATA + 0x1000n, pc: CODE + 8n, counter: 5n, baseAfter: DATA + 0x1000n, destAfter: 0x4444n },
    { what: "store to unmapped memory, fifth time round a loop", code: "storeLoop", base: DATA + 0xfe0n, access: "write", cause: "unmapped", address: DATA + 0x1000n, pc: CODE + 8n, counter: 5n, baseAfter: DATA + 0x1000n },
    { what: "load from a page without read right", code: "load", base: NO_ACCESS, access: "read", cause: "permission", address: NO_ACCESS + 8n, pc: CODE + 8n, counter: 2n, baseAfter: NO_ACCESS },
    { what: "store to a read-only page", code: "store", base: READ_ONLY, access: "write", cause: "permission", address: READ_ONLY + 8n, pc: CODE + 8n, counter: 2n, baseAfter: READ_ONLY },
    { what: "store to the code page itself (read-execute)", code: "store", base: CODE + 0x800n, access: "write", cause: "permission", address: CODE + 0x808n, pc: CODE + 8n, counter: 2n, baseAfter: CODE + 0x800n },
    { what: "fetch running off the code page into unmapped memory", code: "runOff", base: 0n, access: "fetch", cause: "unmapped", address: NEXT_PAGE, pc: NEXT_PAGE, counter: 2n, baseAfter: 0n },
    { what: "fetch running off the code page into a read-write page", code: "runOff", base: 0n, access: "fetch", cause: "permission", address: NEXT_PAGE, pc: NEXT_PAGE, counter: 2n, baseAfter: 0n, nextPage: RW },
  ] as const)("a fault inside a block reports the faulting instruction: $what", (c) => {
    const offset = c.code === "runOff" ? PAGE - 8 : 0;
    const { cpu, code } = withCode(arch, MID_BLOCK[c.code], offset);
    mapHost(cpu, NO_ACCESS, NONE);
    const ro = mapHost(cpu, READ_ONLY, R);
    const data = mapHost(cpu, DATA, RW);
    new DataView(data.buffer, data.byteOffset).setBigUint64(0xff8, 0x4444n, true); // the last word before the gap
    if ("nextPage" in c) mapHost(cpu, NEXT_PAGE, c.nextPage);
    const [base, dest, counter] = a64 ? ["x0", "x1", "x3"] : ["a0", "a1", "a3"];
    cpu.writeRegister(base, c.base);
    cpu.writeRegister(dest, 0xfeed_f00d_dead_beefn);
    const codeBefore = code.slice();
    const entry = CODE + BigInt(offset);

    expect(cpu.run(entry, 1000n)).toEqual({ kind: "memory", access: c.access, cause: c.cause, address: c.address, pc: c.pc });
    // Every instruction before the faulting one ran, none after it; its own effects are absent
    // (no load result, no post-increment, nothing stored).
    expect(cpu.readRegister(counter)).toBe(c.counter);
    expect(cpu.readRegister(base)).toBe(c.baseAfter);
    expect(cpu.readRegister(dest)).toBe("destAfter" in c ? c.destAfter : 0xfeed_f00d_dead_beefn);
    expect(ro.every((b) => b === 0)).toBe(true);
    // The four stores before the faulting one landed, at the end of the data page.
    const words = Array.from({ length: 4 }, (_, i) => new DataView(data.buffer, data.byteOffset).getBigUint64(0xfe0 + i * 8, true));
    expect(words).toEqual(c.code === "storeLoop" ? Array(4).fill(0xfeed_f00d_dead_beefn) : [0n, 0n, 0n, 0x4444n]);
    expect(code).toEqual(codeBefore);
  });

  test("MMIO: loads and stores of 1, 2, 4 and 8 bytes reach the handler; read values land in registers", () => {
    const { cpu } = withCode(arch, {
      aarch64: `
        ldrb w1, [x0, #1]
        ldrh w2, [x0, #2]
        ldr w3, [x0, #4]
        ldr x4, [x0, #8]
        ldrsb x6, [x0, #0x20]
        strb w5, [x0, #0x11]
        strh w5, [x0, #0x12]
        str w5, [x0, #0x14]
        str x5, [x0, #0x18]
        svc #0`,
      riscv64: `.option norvc
        lbu a1, 1(a0)
        lhu a2, 2(a0)
        lwu a3, 4(a0)
        ld a4, 8(a0)
        lb a6, 0x20(a0)
        sb a5, 0x11(a0)
        sh a5, 0x12(a0)
        sw a5, 0x14(a0)
        sd a5, 0x18(a0)
        ecall`,
    });
    const DEVICE = 0x900_0000n;
    // Register values by offset; the handler returns all 64 bits, the access uses `size` of them.
    const registers = new Map<number, bigint>([
      [1, 0xffff_ffff_ffff_ffa1n], [2, 0xffff_ffff_ffff_b2c3n], [4, 0xffff_ffff_d4e5_f607n],
      [8, 0x0102_0304n], [12, 0x0506_0708n], [0x20, 0x80n],
    ]);
    const log: string[] = [];
    cpu.mapMmio(DEVICE, BigInt(PAGE), {
      read(offset, size) {
        log.push(`read ${offset} ${size}`);
        const v = registers.get(offset);
        if (v === undefined) throw new Error(`unexpected read at ${offset}`);
        return v;
      },
      write(offset, size, value) {
        log.push(`write ${offset} ${size} 0x${value.toString(16)}`);
      },
    });
    const r = a64 ? ["x0", "x1", "x2", "x3", "x4", "x5", "x6"] : ["a0", "a1", "a2", "a3", "a4", "a5", "a6"];
    cpu.writeRegister(r[0]!, DEVICE);
    cpu.writeRegister(r[5]!, 0xf0e0_d0c0_b0a0_9080n);

    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 40n });
    expect(log).toEqual([
      "read 1 1",
      "read 2 2",
      "read 4 4",
      // Engine 2.0.1 splits an 8-byte MMIO access into two 4-byte ones, lower offset first
      // (MmioHandler in emulator/cpu.ts).
      "read 8 4",
      "read 12 4",
      "read 32 1",
      "write 17 1 0x80",
      "write 18 2 0x9080",
      "write 20 4 0xb0a09080",
      "write 24 4 0xb0a09080",
      "write 28 4 0xf0e0d0c0",
    ]);
    expect(cpu.readRegister(r[1]!)).toBe(0xa1n);
    expect(cpu.readRegister(r[2]!)).toBe(0xb2c3n);
    expect(cpu.readRegister(r[3]!)).toBe(0xd4e5_f607n);
    expect(cpu.readRegister(r[4]!)).toBe(0x0506_0708_0102_0304n);
    expect(cpu.readRegister(r[6]!)).toBe(0xffff_ffff_ffff_ff80n); // sign-extended byte
  });

  test("a privileged instruction traps at user level instead of executing", () => {
    const { cpu } = withCode(arch, {
      aarch64: "mov x0, #7\n mrs x0, sctlr_el1\n svc #0",
      riscv64: ".option norvc\n li a1, 7\n csrr a1, mstatus\n ecall",
    });
    const dest = a64 ? "x0" : "a1";
    // QEMU's exception numbers: AArch64 EXCP_UDEF = 1, RISC-V illegal instruction = 2; pc is the
    // privileged instruction, and its destination register is untouched.
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "exception", code: a64 ? 1 : 2, pc: CODE + 4n });
    expect(cpu.readRegister(dest)).toBe(7n);
  });

  test("run(pc, 1) executes exactly one instruction, branches and traps included", () => {
    const { cpu } = withCode(arch, {
      aarch64: `
        mov x1, #1
        mov x2, #2
        b 1f
        mov x3, #99
      1:
        mov x3, #3
        svc #0`,
      riscv64: `.option norvc
        li a1, 1
        li a2, 2
        j 1f
        li a3, 99
      1:
        li a3, 3
        ecall`,
    });
    const [r1, r2, r3] = a64 ? ["x1", "x2", "x3"] : ["a1", "a2", "a3"];
    const regs = (): bigint[] => [cpu.readRegister(r1), cpu.readRegister(r2), cpu.readRegister(r3)];
    const steps: [unknown, bigint[], bigint][] = [];
    let pc = CODE;
    for (let i = 0; i < 5; i++) {
      const before = cpu.executed;
      const exit = cpu.run(pc, 1n);
      steps.push([exit, regs(), cpu.executed - before]);
      pc = exit.pc;
    }
    expect(steps).toEqual([
      [{ kind: "budget", pc: CODE + 4n }, [1n, 0n, 0n], 1n],
      [{ kind: "budget", pc: CODE + 8n }, [1n, 2n, 0n], 1n],
      [{ kind: "budget", pc: CODE + 16n }, [1n, 2n, 0n], 1n],
      [{ kind: "budget", pc: CODE + 20n }, [1n, 2n, 3n], 1n],
      [{ kind: "syscall", pc: CODE + 24n }, [1n, 2n, 3n], 1n],
    ]);

    // Back to full speed: the same code runs through in blocks, counted exactly (3 + 2).
    cpu.writeRegister(r3, 0n);
    const before = cpu.executed;
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 24n });
    expect(cpu.executed - before).toBe(5n);
    expect(cpu.readRegister(r3)).toBe(3n);
  });

  test("a budget is checked per block: the run stops before the block that would start past it", () => {
    // A two-instruction loop is one translated block per iteration.
    const { cpu } = withCode(arch, {
      aarch64: "1:\n add x0, x0, #1\n b 1b",
      riscv64: ".option norvc\n 1:\n addi a0, a0, 1\n j 1b",
    });
    const counter = a64 ? "x0" : "a0";
    const cases: [bigint, bigint, bigint][] = [];
    for (const budget of [10n, 11n, 1000n]) {
      cpu.writeRegister(counter, 0n);
      const before = cpu.executed;
      expect(cpu.run(CODE, budget)).toEqual({ kind: "budget", pc: CODE });
      cases.push([budget, cpu.executed - before, cpu.readRegister(counter)]);
    }
    // [budget, instructions executed, iterations]
    expect(cases).toEqual([[10n, 10n, 5n], [11n, 12n, 6n], [1000n, 1000n, 500n]]);
  });

  test("host-written code runs only after invalidate (the old translation is reused until then)", () => {
    const OLD = { aarch64: "mov x0, #1\n svc #0", riscv64: ".option norvc\n li a0, 1\n ecall" };
    const NEW = { aarch64: "mov x0, #2\n svc #0", riscv64: ".option norvc\n li a0, 2\n ecall" };
    const { cpu, code } = withCode(arch, OLD);
    const result = a64 ? "x0" : "a0";
    for (let i = 0; i < 3; i++) {
      cpu.writeRegister(result, 0n);
      expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
      expect(cpu.readRegister(result)).toBe(1n);
    }
    code.set(assemble(arch, NEW[arch]));
    cpu.writeRegister(result, 0n);
    cpu.run(CODE, 1000n);
    expect(cpu.readRegister(result)).toBe(1n); // stale
    cpu.invalidate(CODE, BigInt(PAGE));
    cpu.writeRegister(result, 0n);
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect(cpu.readRegister(result)).toBe(2n);
  });

  test("unmap: the warm code page faults as unmapped; mapped again with new bytes, the new code runs", () => {
    const OLD = { aarch64: "mov x0, #1\n svc #0", riscv64: ".option norvc\n li a0, 1\n ecall" };
    const { cpu } = withCode(arch, OLD);
    const result = a64 ? "x0" : "a0";
    cpu.run(CODE, 1000n);
    expect(cpu.readRegister(result)).toBe(1n);
    cpu.unmap(CODE, BigInt(PAGE));
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "memory", access: "fetch", cause: "unmapped", address: CODE, pc: CODE });
    const code = mapHost(cpu, CODE, RX);
    code.set(assemble(arch, a64 ? "mov x0, #3\n svc #0" : ".option norvc\n li a0, 3\n ecall"));
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect(cpu.readRegister(result)).toBe(3n);
  });

  test("a mapping must be page-aligned and non-empty", () => {
    const cpu = newCpu(arch);
    const host = hostMemory(2 * PAGE);
    const regions = cpu.regionCount;
    expect(() => cpu.map(0x10010n, 0x1000n, RW, host.ptr)).toThrow("engine mapping 0x10010+0x1000 is not page-aligned");
    expect(() => cpu.map(0x10000n, 0x1800n, RW, host.ptr)).toThrow("engine mapping 0x10000+0x1800 is not page-aligned");
    expect(() => cpu.map(0x10000n, 0n, RW, host.ptr)).toThrow("engine mapping 0x10000+0x0 is not page-aligned");
    expect(cpu.regionCount).toBe(regions);
    expect(cpu.lookup(0x10000n)).toBeUndefined();
  });
});

describe("Cpu on riscv64: compressed instructions and ebreak", () => {
  test("single-stepping compressed instructions moves pc by 2 and counts each", () => {
    const { cpu, code } = withCode("riscv64", "c.li a1, 5\n c.li a2, 6\n ecall");
    expect(Array.from(code.subarray(0, 4))).toEqual([0x95, 0x45, 0x19, 0x46]); // two 2-byte instructions
    const before = cpu.executed;
    expect(cpu.run(CODE, 1n)).toEqual({ kind: "budget", pc: CODE + 2n });
    expect([cpu.readRegister("a1"), cpu.readRegister("a2")]).toEqual([5n, 0n]);
    expect(cpu.run(CODE + 2n, 1n)).toEqual({ kind: "budget", pc: CODE + 4n });
    expect([cpu.readRegister("a1"), cpu.readRegister("a2")]).toEqual([5n, 6n]);
    expect(cpu.executed - before).toBe(2n);
  });

  test("a compressed illegal instruction (c.unimp) traps at its own address, not 4 bytes on", () => {
    const { cpu, code } = withCode("riscv64", "c.li a1, 5\n .hword 0\n ecall");
    expect(Array.from(code.subarray(0, 4))).toEqual([0x95, 0x45, 0x00, 0x00]);
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "exception", code: 2, pc: CODE + 2n });
    expect(cpu.readRegister("a1")).toBe(5n);
  });

  test("ebreak and c.ebreak end the run as a breakpoint (3) at the instruction, and the engine runs on", () => {
    const { cpu } = withCode(
      "riscv64",
      ".option norvc\n li a1, 1\n ebreak\n .option rvc\n c.li a1, 2\n c.ebreak\n .option norvc\n li a1, 3\n ecall",
    );
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "exception", code: 3, pc: CODE + 4n });
    expect(cpu.readRegister("a1")).toBe(1n);
    expect(cpu.run(CODE + 8n, 1000n)).toEqual({ kind: "exception", code: 3, pc: CODE + 10n });
    expect(cpu.readRegister("a1")).toBe(2n);
    expect(cpu.run(CODE + 12n, 1000n)).toEqual({ kind: "syscall", pc: CODE + 20n });
    expect(cpu.readRegister("a1")).toBe(3n);
  });
});

describe("Cpu on aarch64: user mode", () => {
  test("EL0 system registers work: tpidr_el0 reads back what the host wrote", () => {
    const { cpu } = withCode("aarch64", "mrs x0, tpidr_el0\n svc #0");
    cpu.writeRegister("tpidr_el0", 0x1234_5678_9abc_def0n);
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect(cpu.readRegister("x0")).toBe(0x1234_5678_9abc_def0n);
  });
});

describe.each(ARCHES)("engine regions on %s", (arch) => {
  test("page mappings are page-table entries: 1,200 pages that cannot merge add no engine region", () => {
    const cpu = newCpu(arch);
    const empty = cpu.regionCount;
    // One host buffer, mapped page by page at every other page with alternating rights.
    const pages = 1200;
    const host = hostMemory(pages * PAGE);
    cpu.attachHost(host.ptr, BigInt(pages * PAGE));
    new DataView(host.bytes.buffer, host.bytes.byteOffset).setBigUint64(0, 0x1111n, true);
    new DataView(host.bytes.buffer, host.bytes.byteOffset).setBigUint64((pages - 1) * PAGE + 8, 0x2222n, true);
    for (let i = 0; i < pages; i++) {
      cpu.map(0x100_0000n + BigInt(i) * 0x2000n, BigInt(PAGE), i % 2 === 0 ? RW : R, host.ptr + BigInt(i * PAGE));
    }
    // The buffer is one physical range: one region for it, and the cover it was carved from
    // replaced by at most a few.
    expect(cpu.regionCount).toBeLessThanOrEqual(empty + 4);
    const code = mapHost(cpu, CODE, RX);
    code.set(assemble(arch, arch === "aarch64" ? "ldr x1, [x0]\n ldr x2, [x3, #8]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n ld a2, 8(a3)\n ecall"));
    const [p, q] = arch === "aarch64" ? ["x0", "x3"] : ["a0", "a3"];
    cpu.writeRegister(p, 0x100_0000n);
    cpu.writeRegister(q, 0x100_0000n + BigInt(pages - 1) * 0x2000n);
    expect(cpu.run(CODE, 100n).kind).toBe("syscall");
    expect([cpu.readRegister(arch === "aarch64" ? "x1" : "a1"), cpu.readRegister(arch === "aarch64" ? "x2" : "a2")]).toEqual([0x1111n, 0x2222n]);
    expect(cpu.lookup(0x100_0000n + 0x2000n)).toEqual({ pa: cpu.lookup(0x100_0000n)!.pa + BigInt(PAGE), rights: R });
  });
});

describe.each(ARCHES)("Cpu.runContext on %s", (arch) => {
  const a64 = arch === "aarch64";
  // A context of pc and four registers: two the code reads (in0, in1), one it writes (out), one it
  // leaves alone (kept).
  const [in0, in1, out, kept] = a64 ? ["x0", "x1", "x9", "x20"] : ["a0", "a1", "s1", "s4"];
  const names = ["pc", in0, in1, out, kept];
  const source = { aarch64: "add x9, x0, x1\n svc #0\n b 0", riscv64: ".option norvc\n add s1, a0, a1\n ecall\n j 0" };

  function setup() {
    const { cpu } = withCode(arch, source);
    cpu.useContext(cpu.regIds(names), 0);
    return cpu;
  }

  test("runs from the context's pc and brings every context register back, with the instructions retired", () => {
    const cpu = setup();
    const context = BigUint64Array.of(CODE, 40n, 2n, 0n, 7n);
    expect(cpu.runContext(context, 1000)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect([...context]).toEqual([CODE + 8n, 40n, 2n, 42n, 7n]);
    expect(cpu.ran).toBe(2);
    expect(cpu.readRegister(out)).toBe(42n);
  });

  test("a register changed in the context reaches the engine; two threads alternating on one engine each see their own registers", () => {
    const cpu = setup();
    const a = BigUint64Array.of(CODE, 1n, 2n, 0n, 0xaan);
    const b = BigUint64Array.of(CODE, 100n, 200n, 0n, 0xbbn);
    cpu.runContext(a, 1000);
    cpu.runContext(b, 1000);
    expect([a[3], a[4], b[3], b[4]]).toEqual([3n, 0xaan, 300n, 0xbbn]);
    a[0] = CODE;
    a[1] = 5n;
    cpu.runContext(a, 1000);
    expect([...a]).toEqual([CODE + 8n, 5n, 2n, 7n, 0xaan]);
  });

  test("a register written to the engine outside runContext does not survive the next runContext", () => {
    const cpu = setup();
    const context = BigUint64Array.of(CODE, 1n, 2n, 0n, 9n);
    cpu.runContext(context, 1000);
    // The engine now differs from the context only in `kept`, which the context's copy must restore.
    cpu.writeRegister(kept, 0x1234n);
    cpu.writeRegister(in0, 0x1000n);
    context[0] = CODE;
    cpu.runContext(context, 1000);
    expect([...context]).toEqual([CODE + 8n, 1n, 2n, 3n, 9n]);
  });

  test("a context of another length is refused", () => {
    const cpu = setup();
    expect(() => cpu.runContext(new BigUint64Array(4), 1000)).toThrow(/context of 4 registers, expected 5/);
  });
});

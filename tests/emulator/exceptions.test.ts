// exitToFault on exits from real machine code: the seL4 fault and its fields as the ABI tables
// (../shared/abi vm.fsr, vm.other_exceptions_fact) say the real kernel reports them.
import { afterEach, describe, expect, test } from "vitest";
import { Cpu, type Arch, type CpuExit, type Rights } from "../../emulator/cpu.js";
import { exitToFault } from "../../emulator/exceptions.js";
import { hostAlloc, hostFree, type Pointer } from "../../emulator/unicorn/ffi.js";
import { assemble } from "./asm.js";

const PAGE = 0x1000;
const CODE = 0x10000n;
const NO_ACCESS = 0x20000n;
const READ_ONLY = 0x30000n;
const DATA = 0x40000n;
const UNMAPPED = 0x50000n;

const NONE: Rights = { read: false, write: false, execute: false };
const R: Rights = { read: true, write: false, execute: false };
const RW: Rights = { read: true, write: true, execute: false };
const RX: Rights = { read: true, write: false, execute: true };

const cpus: Cpu[] = [];
const hostPages: Pointer[] = [];

afterEach(() => {
  for (const cpu of cpus.splice(0)) cpu.close();
  for (const ptr of hostPages.splice(0)) hostFree(ptr, PAGE);
});

interface Run {
  readonly exit: Exclude<CpuExit, { kind: "syscall" | "budget" }>;
  /** Reads the 32-bit word at pc from the code page, as the machine does for exitToFault. */
  readonly insn: (pc: bigint) => number | undefined;
  readonly cpu: Cpu;
}

/** Runs `source` (at CODE) with `base` in x0 / a0 until it stops; the stop must be a fault. */
function runToFault(arch: Arch, source: string, entry = CODE, base = 0n): Run {
  const cpu = new Cpu(arch);
  cpus.push(cpu);
  const map = (va: bigint, rights: Rights): Uint8Array => {
    const host = hostAlloc(PAGE);
    hostPages.push(host.ptr);
    cpu.map(va, BigInt(PAGE), rights, host.ptr);
    return host.bytes;
  };
  const code = map(CODE, RX);
  map(NO_ACCESS, NONE);
  map(READ_ONLY, R);
  map(DATA, RW);
  code.set(assemble(arch, source));
  cpu.writeRegister(arch === "aarch64" ? "x0" : "a0", base);
  const exit = cpu.run(entry, 1000n);
  if (exit.kind === "syscall" || exit.kind === "budget") throw new Error(`expected a fault, got ${exit.kind} at 0x${exit.pc.toString(16)}`);
  const insn = (pc: bigint): number | undefined => {
    const at = Number(pc - CODE);
    return at < 0 || at + 4 > PAGE ? undefined : new DataView(code.buffer, code.byteOffset).getUint32(at, true);
  };
  return { exit, insn, cpu };
}

// A read at +4 and a write at +0x10, each at the start of a block; a jump through x0/a0 at +0x18.
const ACCESSES: Readonly<Record<Arch, string>> = {
  aarch64: "b 1f\n 1:\n ldr x1, [x0, #8]\n svc #0\n b 2f\n 2:\n str x1, [x0, #16]\n svc #0\n br x0",
  riscv64: ".option norvc\n j 1f\n 1:\n ld a1, 8(a0)\n ecall\n j 2f\n 2:\n sd a1, 16(a0)\n ecall\n jr a0",
};
const READ = CODE, WRITE = CODE + 0xcn, FETCH = CODE + 0x18n;

/** Microkit's AArch64 kernel runs at EL2; sel4test's and qemu_virt_aarch64_el1's at EL1. */
const ARM_HYP = { arch: "aarch64", vm: { hypervisor: true } } as const;
const ARM_EL1 = { arch: "aarch64", vm: { hypervisor: false } } as const;
const RISCV = { arch: "riscv64", vm: { hypervisor: false } } as const;

describe("exitToFault, aarch64", () => {
  test("mrs sctlr_el1 at EL0 is a UserException with Number = ESR 0x2000000 (EC 0, IL), Code 0", () => {
    const { exit, insn, cpu } = runToFault("aarch64", "mov x0, #7\n mrs x0, sctlr_el1\n svc #0");
    expect(exit).toEqual({ kind: "exception", code: 1, pc: CODE + 4n });
    expect(cpu.readRegister("x0")).toBe(7n);
    expect(exitToFault(ARM_HYP, exit, insn)).toEqual({
      pc: CODE + 4n,
      fault: { type: "UserException", number: 0x2000000n, code: 0n },
    });
  });

  test("an undefined instruction (udf) is the same UserException", () => {
    const { exit, insn } = runToFault("aarch64", "nop\n udf #0");
    expect(exitToFault(ARM_HYP, exit, insn)).toEqual({
      pc: CODE + 4n,
      fault: { type: "UserException", number: 0x2000000n, code: 0n },
    });
  });

  test("brk #0x42 is a VCPUFault with HSR = EC 0x3c, IL, the immediate", () => {
    const { exit, insn } = runToFault("aarch64", "nop\n brk #0x42");
    expect(exitToFault(ARM_HYP, exit, insn)).toEqual({ pc: CODE + 4n, fault: { type: "VCPUFault", hsr: 0xf200_0042n } });
  });

  test("with the kernel at EL1, brk #0x42 is a UserException whose Number is that ESR", () => {
    const { exit, insn } = runToFault("aarch64", "nop\n brk #0x42");
    expect(exitToFault(ARM_EL1, exit, insn)).toEqual({ pc: CODE + 4n, fault: { type: "UserException", number: 0xf200_0042n, code: 0n } });
  });

  // FSR = ESR: EC 0x24 (data abort, lower EL) or 0x20 (instruction abort), IL, WnR for writes,
  // fault status translation (0x04+3) or permission (0x0c+3) at level 3.
  test.each([
    { what: "read of unmapped memory", entry: READ, base: UNMAPPED, address: UNMAPPED + 8n, pc: CODE + 4n, instruction: false, fsr: 0x9200_0007n },
    { what: "read without read right", entry: READ, base: NO_ACCESS, address: NO_ACCESS + 8n, pc: CODE + 4n, instruction: false, fsr: 0x9200_000fn },
    { what: "write to unmapped memory", entry: WRITE, base: UNMAPPED, address: UNMAPPED + 16n, pc: CODE + 0x10n, instruction: false, fsr: 0x9200_0047n },
    { what: "write to a read-only page", entry: WRITE, base: READ_ONLY, address: READ_ONLY + 16n, pc: CODE + 0x10n, instruction: false, fsr: 0x9200_004fn },
    { what: "fetch from unmapped memory", entry: FETCH, base: UNMAPPED, address: UNMAPPED, pc: UNMAPPED, instruction: true, fsr: 0x8200_0007n },
    { what: "fetch from a non-executable page", entry: FETCH, base: DATA, address: DATA, pc: DATA, instruction: true, fsr: 0x8200_000fn },
  ])("$what is a VMFault with the ESR as FSR", (c) => {
    const { exit, insn } = runToFault("aarch64", ACCESSES.aarch64, c.entry, c.base);
    expect(exitToFault(ARM_HYP, exit, insn)).toEqual({
      pc: c.pc,
      fault: { type: "VMFault", address: c.address, instruction: c.instruction, fsr: c.fsr },
    });
  });

});

describe.each(["aarch64", "riscv64"] as const)("exitToFault on %s, inside a block", (arch) => {
  test("a fault after other instructions of its block restarts at the faulting instruction, not the block's start", () => {
    // Two instructions, then a load from an unmapped page: all in one translated block.
    const source = arch === "aarch64" ? "add x1, x1, #1\n add x1, x1, #1\n ldr x2, [x0]\n svc #0" : ".option norvc\n addi a1, a1, 1\n addi a1, a1, 1\n ld a2, 0(a0)\n ecall";
    const { exit, insn, cpu } = runToFault(arch, source, CODE, UNMAPPED + 0x18n);
    expect(exitToFault({ arch, vm: { hypervisor: arch === "aarch64" } }, exit, insn)).toEqual({
      pc: CODE + 8n,
      fault: { type: "VMFault", address: UNMAPPED + 0x18n, instruction: false, fsr: arch === "aarch64" ? 0x9200_0007n : 5n },
    });
    expect(cpu.readRegister(arch === "aarch64" ? "x1" : "a1")).toBe(2n);
  });
});

describe("exitToFault, riscv64", () => {
  test("csrr a1, mstatus in U-mode is a UserException with Number = scause 2 at the instruction", () => {
    const { exit, insn, cpu } = runToFault("riscv64", ".option norvc\n li a1, 7\n csrr a1, mstatus\n ecall");
    expect(cpu.readRegister("a1")).toBe(7n);
    expect(exitToFault(RISCV, exit, insn)).toEqual({
      pc: CODE + 4n,
      fault: { type: "UserException", number: 2n, code: 0n },
    });
  });

  test("a 2-byte illegal instruction (c.unimp) faults at its own address", () => {
    const { exit, insn } = runToFault("riscv64", "c.nop\n .hword 0\n c.nop");
    expect(exitToFault(RISCV, exit, insn)).toEqual({
      pc: CODE + 2n,
      fault: { type: "UserException", number: 2n, code: 0n },
    });
  });

  test.each([
    { what: "ebreak", source: ".option norvc\n nop\n ebreak", pc: CODE + 4n },
    { what: "c.ebreak", source: "c.nop\n c.ebreak", pc: CODE + 2n },
  ])("$what is a UserException with Number = scause 3 (breakpoint)", (c) => {
    const { exit, insn } = runToFault("riscv64", c.source);
    expect(exitToFault(RISCV, exit, insn)).toEqual({ pc: c.pc, fault: { type: "UserException", number: 3n, code: 0n } });
  });

  // FSR is the normalised scause: 5 load, 7 store/AMO, 1 instruction (riscv64.json vm.fsr.values).
  test.each([
    { what: "read of unmapped memory", entry: READ, base: UNMAPPED, address: UNMAPPED + 8n, pc: CODE + 4n, instruction: false, fsr: 5n },
    { what: "read without read right", entry: READ, base: NO_ACCESS, address: NO_ACCESS + 8n, pc: CODE + 4n, instruction: false, fsr: 5n },
    { what: "write to unmapped memory", entry: WRITE, base: UNMAPPED, address: UNMAPPED + 16n, pc: CODE + 0x10n, instruction: false, fsr: 7n },
    { what: "write to a read-only page", entry: WRITE, base: READ_ONLY, address: READ_ONLY + 16n, pc: CODE + 0x10n, instruction: false, fsr: 7n },
    { what: "fetch from unmapped memory", entry: FETCH, base: UNMAPPED, address: UNMAPPED, pc: UNMAPPED, instruction: true, fsr: 1n },
    { what: "fetch from a non-executable page", entry: FETCH, base: DATA, address: DATA, pc: DATA, instruction: true, fsr: 1n },
  ])("$what is a VMFault with the normalised scause as FSR", (c) => {
    const { exit, insn } = runToFault("riscv64", ACCESSES.riscv64, c.entry, c.base);
    expect(exitToFault(RISCV, exit, insn)).toEqual({
      pc: c.pc,
      fault: { type: "VMFault", address: c.address, instruction: c.instruction, fsr: c.fsr },
    });
  });
});

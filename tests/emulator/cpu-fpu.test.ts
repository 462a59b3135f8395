// The FPU per thread on the engine (emulator/cpu.ts setFpu, saveFpu, loadFpu; the native FP check
// in emulator/native/mkcpu.c): with the FPU disabled, a run ends before the first FP instruction
// (which has not run, nor been counted); the FP registers can be saved and restored whole.
import { describe, expect, test } from "vitest";
import type { Arch } from "../../emulator/cpu.js";
import { assemble } from "./asm.js";
import { ARCHES, CODE, RX, cpuFixture } from "./cpu-fixture.js";

const { newCpu, mapHost } = cpuFixture();

// fmv.d.x ft0, a0 and fmv.x.d a1, ft0 as words: the test assembler targets RV64IMAC.
const FP_FROM_INT: Readonly<Record<Arch, string>> = { aarch64: "fmov d0, x0", riscv64: ".word 0xf2050053" };
const INT_FROM_FP: Readonly<Record<Arch, string>> = { aarch64: "fmov x1, d0", riscv64: ".word 0xe20005d3" };
const TRAP: Readonly<Record<Arch, string>> = { aarch64: "svc #0", riscv64: "ecall" };
const SET_A0: Readonly<Record<Arch, (v: number) => string>> = { aarch64: (v) => `mov x0, #${v}`, riscv64: (v) => `li a0, ${v}` };

/** `source` at CODE, every instruction 4 bytes long. */
function cpuWith(arch: Arch, fpu: boolean, source: string) {
  const cpu = newCpu(arch, { fpu });
  mapHost(cpu, CODE, RX).set(assemble(arch, arch === "riscv64" ? `.option norvc\n${source}` : source));
  return cpu;
}

describe.each(ARCHES)("the FPU on %s", (arch) => {
  test("disabled: the run ends before the FP instruction, which is not counted; enabled, the same code runs", () => {
    const cpu = cpuWith(arch, false, `${SET_A0[arch](7)}\n ${FP_FROM_INT[arch]}\n ${TRAP[arch]}`);
    expect(cpu.fpuEnabled).toBe(false);
    const before = cpu.executed;
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "fp-trap", pc: CODE + 4n });
    expect(cpu.executed - before).toBe(1n);
    cpu.setFpu(true);
    expect(cpu.run(CODE + 4n, 1000n)).toEqual({ kind: "syscall", pc: CODE + 12n });
  });

  test("disabled: an FP instruction first on its page, the code before it on no page, traps at its own address", () => {
    const cpu = cpuWith(arch, false, `${FP_FROM_INT[arch]}\n ${TRAP[arch]}`);
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "fp-trap", pc: CODE });
  });

  test("integer code runs as ever with the FPU disabled", () => {
    const cpu = cpuWith(arch, false, `${SET_A0[arch](5)}\n ${TRAP[arch]}`);
    expect(cpu.run(CODE, 1000n)).toEqual({ kind: "syscall", pc: CODE + 8n });
    expect(cpu.readRegister(arch === "aarch64" ? "x0" : "a0")).toBe(5n);
  });

  test("saveFpu and loadFpu carry the FP registers: a value put back is the one read again", () => {
    const cpu = cpuWith(arch, true, `${FP_FROM_INT[arch]}\n ${TRAP[arch]}\n ${INT_FROM_FP[arch]}\n ${TRAP[arch]}`);
    const x0 = arch === "aarch64" ? "x0" : "a0";
    const x1 = arch === "aarch64" ? "x1" : "a1";
    const saved = new Uint8Array(cpu.fpuStateBytes);
    cpu.writeRegister(x0, 0x1111n);
    cpu.run(CODE, 1000n);
    cpu.saveFpu(saved);
    cpu.writeRegister(x0, 0x2222n);
    cpu.run(CODE, 1000n);
    cpu.loadFpu(saved);
    cpu.run(CODE + 8n, 1000n);
    expect(cpu.readRegister(x1)).toBe(0x1111n);
  });
});

test("riscv64, FPU disabled: compressed FP loads and stores (c.fldsp, c.fsd) trap as well; other compressed code runs", () => {
  const cpu = newCpu("riscv64", { fpu: false });
  // c.li a1, 5; c.fldsp ft0, 0(sp); c.fsd fs0, 0(a0); ecall
  mapHost(cpu, CODE, RX).set(assemble("riscv64", "c.li a1, 5\n .hword 0x2002\n .hword 0xa100\n ecall"));
  expect(cpu.run(CODE, 1000n)).toEqual({ kind: "fp-trap", pc: CODE + 2n });
  expect(cpu.readRegister("a1")).toBe(5n);
  expect(cpu.run(CODE + 4n, 1000n)).toEqual({ kind: "fp-trap", pc: CODE + 4n });
});

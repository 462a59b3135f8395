// Numbers of Debian's Unicorn 2.0.1 API (unicorn.h, arm64.h, riscv.h), read from the installed headers.
// These belong to the engine, not to seL4: the seL4 ABI comes from ../shared/abi only.

export const UC_ARCH_ARM64 = 2;
export const UC_ARCH_RISCV = 8;
export const UC_MODE_ARM = 0;
export const UC_MODE_RISCV64 = 1 << 3;

export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;
export const UC_PROT_ALL = 7;

export const UC_CPU_ARM64_A53 = 1;

/** uc_err: the run ended on an exception the engine treats as an invalid instruction. */
export const UC_ERR_INSN_INVALID = 10;

/** uc_mem_type, as the memory hooks report it. */
export const UC_MEM = {
  READ: 16,
  WRITE: 17,
  READ_UNMAPPED: 19,
  WRITE_UNMAPPED: 20,
  FETCH_UNMAPPED: 21,
  WRITE_PROT: 22,
  READ_PROT: 23,
  FETCH_PROT: 24,
} as const;

/** Exit reasons of mk_cpu_run (emulator/native/mkcpu.c). */
export const MK_EXIT = { LIMIT: 0, INTERRUPT: 1, MEMORY: 2, ERROR: 3, FP_TRAP: 4 } as const;

const ARM64_X0 = 199;
const ARM64_X29 = 1;
const ARM64_X30 = 2;

/** Engine register ids by architectural name, AArch64. */
export const ARM64_REGS: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`x${i}`, ARM64_X0 + i])),
  x29: ARM64_X29,
  x30: ARM64_X30,
  nzcv: 3,
  sp: 4,
  pc: 260,
  cpacr_el1: 261,
  tpidr_el0: 262,
  tpidrro_el0: 263,
  elr_el1: 267,
});

/** The FP/SIMD registers, AArch64: Q0..Q31 (16 bytes each), then FPCR and FPSR. */
export const ARM64_FP_REGS: readonly number[] = [...Array.from({ length: 32 }, (_, i) => 104 + i), 291, 292];

const RISCV_X0 = 1;

/** The FP registers, RISC-V: F0..F31 (8 bytes each), then FCSR. */
export const RISCV_FP_REGS: readonly number[] = [...Array.from({ length: 32 }, (_, i) => 158 + i), 43];
const RISCV_ABI_NAMES = [
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
] as const;

/** Engine register ids by ABI name, RISC-V 64 (x0..x31 in architectural order). */
export const RISCV_REGS: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(RISCV_ABI_NAMES.map((name, i) => [name, RISCV_X0 + i])),
  mstatus: 116,
  mepc: 128,
  pc: 190,
});

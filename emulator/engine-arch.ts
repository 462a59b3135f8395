// What the CPU backend needs to know per architecture, as data: the engine's ids and exception
// numbers, the trampoline that turns the MMU on and enters user mode, and the values it loads into
// the translation registers (emulator/cpu.ts runs it; emulator/page-table.ts writes the tables).
import type { Arch } from "./cpu.js";
import { ARM64_FP_REGS, ARM64_REGS, RISCV_FP_REGS, RISCV_REGS, UC_ARCH_ARM64, UC_ARCH_RISCV, UC_MODE_ARM, UC_MODE_RISCV64 } from "./unicorn/constants.js";

export interface ArchSpec {
  readonly ucArch: number;
  readonly ucMode: number;
  readonly regs: Readonly<Record<string, number>>;
  /** Engine exception number (QEMU's) of the trap instruction. */
  readonly syscallIntno: number;
  /** Engine exception numbers of faults in the MMU: instruction fetch, and data accesses. */
  readonly fetchFault: number;
  readonly dataFaults: readonly number[];
  /**
   * How far past the faulting instruction the engine leaves pc on any other exception. Unicorn 2.0.1
   * adds 4 to the RISC-V pc before its interrupt hook, whatever the instruction's length
   * (qemu/accel/tcg/cpu-exec.c, cpu_handle_exception); right for `ecall`, not for the rest.
   */
  readonly exceptionPcSkew: bigint;
  /**
   * The exception whose run the engine ends with UC_ERR_INSN_INVALID instead of calling the
   * interrupt hook (RISC-V `ebreak`: riscv_stop_interrupt in qemu/target/riscv/unicorn.c), with pc
   * left at the instruction; none on AArch64.
   */
  readonly stopIntno: number | undefined;
  readonly minInsnBytes: number;
  /** The FP/SIMD state a thread owns (engine ids) and each register's bytes in a save area. */
  readonly fpRegs: readonly number[];
  readonly fpRegBytes: readonly number[];
}

export const ARCH: Readonly<Record<Arch, ArchSpec>> = {
  // QEMU target/arm (internals.h): EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4.
  aarch64: {
    ucArch: UC_ARCH_ARM64, ucMode: UC_MODE_ARM, regs: ARM64_REGS, syscallIntno: 2, fetchFault: 3, dataFaults: [4],
    exceptionPcSkew: 0n, stopIntno: undefined, minInsnBytes: 4,
    fpRegs: ARM64_FP_REGS, fpRegBytes: [...Array<number>(32).fill(16), 8, 8],
  },
  // QEMU target/riscv (cpu_bits.h): RISCV_EXCP_U_ECALL = 8, BREAKPOINT = 3, INST_PAGE_FAULT = 12,
  // LOAD_PAGE_FAULT = 13, STORE_AMO_PAGE_FAULT = 15.
  riscv64: {
    ucArch: UC_ARCH_RISCV, ucMode: UC_MODE_RISCV64, regs: RISCV_REGS, syscallIntno: 8, fetchFault: 12, dataFaults: [13, 15],
    exceptionPcSkew: 4n, stopIntno: 3, minInsnBytes: 4,
    fpRegs: RISCV_FP_REGS, fpRegBytes: [...Array<number>(32).fill(8), 8],
  },
};

function le32(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

// AArch64, at EL1 with the MMU off: MAIR_EL1 = x0, TCR_EL1 = x1, TTBR0_EL1 = x2, then SCTLR_EL1 =
// x3 (M set) and `eret` to ELR_EL1 at EL0t. The eret already runs translated, from an EL1-only
// mapping of this page; ELR_EL1 points at an unmapped page, so the first EL0 fetch faults and the
// run ends there.
export const ARM64_TRAMPOLINE = le32(0xd518a200, 0xd5182041, 0xd5182002, 0xd5033fdf, 0xd5181003, 0xd5033fdf, 0xd69f03e0);
// RISC-V, in M-mode (untranslated): open PMP entry 0 over all memory (pmpaddr0 = ~0, pmpcfg0 =
// NAPOT|X|W|R), satp = a0 (Sv39), sfence.vma, then `mret` to MEPC in U-mode (MSTATUS.MPP = U).
// MEPC is unmapped, so the first U-mode fetch faults and the run ends there.
export const RISCV_TRAMPOLINE = le32(0xfff00293, 0x3b029073, 0x01f00293, 0x3a029073, 0x18051073, 0x12000073, 0x30200073);

/** An AArch64 system register by encoding (op0, op1, CRn, CRm, op2), Arm ARM D17.2. */
export type SysregEncoding = readonly [number, number, number, number, number];

// AArch64 system registers the backend sets up.
export const SPSR_EL1: SysregEncoding = [3, 0, 4, 0, 0];
export const SCTLR_EL1: SysregEncoding = [3, 0, 1, 0, 0];
export const TTBR0_EL1: SysregEncoding = [3, 0, 2, 0, 0];
export const SCR_EL3: SysregEncoding = [3, 6, 1, 1, 0];
export const HCR_EL2: SysregEncoding = [3, 4, 1, 1, 0];
/** SCR_EL3.RW and HCR_EL2.RW: the level below is AArch64. */
export const SCR_RW = 1n << 10n;
export const HCR_RW = 1n << 31n;
/** MAIR_EL1 attribute 0: Normal memory, inner and outer write-back (the only one the tables use). */
export const MAIR = 0xffn;
/**
 * TCR_EL1: T0SZ = 16 (48-bit user addresses), IRGN0/ORGN0 = write-back, SH0 = inner shareable,
 * TG0 = 4 KiB; TTBR1 walks off (EPD1), with TG1 = 4 KiB all the same (0 is a reserved encoding);
 * IPS = 40 bits; 8-bit ASIDs.
 */
export const TCR = 16n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (16n << 16n) | (1n << 23n) | (2n << 30n) | (2n << 32n);
export const SCTLR_M = 1n;
export const ASID_SHIFT = 48n;
/** satp.MODE = Sv39. */
export const SATP_SV39 = 8n << 60n;

// One Unicorn engine running user-mode code of one address space.
//
// The engine starts at EL1 / M-mode; a trampoline page drops it to EL0 / U-mode once, so that a
// privileged instruction in PD code traps exactly as on hardware (ENGINE-FACTS.md). Every trap,
// fault and budget expiry ends a run and comes back as a CpuExit value; the hooks that detect them
// are native (emulator/native/mkcpu.c), so no JavaScript runs per instruction or per block.
import { check, ffi, hostAlloc, hostFree, MmioRead, MmioWrite, registerCallback, unregisterCallback, type Pointer } from "./unicorn/ffi.js";
import {
  ARM64_REGS, MK_EXIT, RISCV_REGS, UC_ARCH_ARM64, UC_ARCH_RISCV, UC_CPU_ARM64_A53, UC_MEM, UC_MODE_ARM,
  UC_ERR_INSN_INVALID, UC_MODE_RISCV64, UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE,
} from "./unicorn/constants.js";

export type Arch = "aarch64" | "riscv64";
export type Access = "read" | "write" | "fetch";

export interface Rights {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/**
 * Why a run ended. `pc` is where the thread resumes (syscall) or the faulting instruction, with one
 * engine limitation: when a load or store faults (kind "memory", access read/write), Unicorn 2.0.1
 * leaves pc at the first instruction of the translated block that holds it (its docs/FAQ.md; fixed
 * upstream in 2.1.4), while the registers already hold the effects of the instructions before it.
 */
export type CpuExit =
  | { readonly kind: "syscall"; readonly pc: bigint }
  | { readonly kind: "exception"; readonly code: number; readonly pc: bigint }
  | { readonly kind: "memory"; readonly access: Access; readonly cause: "unmapped" | "permission"; readonly address: bigint; readonly pc: bigint }
  | { readonly kind: "budget"; readonly pc: bigint };

/**
 * Device registers behind mapMmio. The engine (2.0.1) delivers at most 4 bytes per call: an 8-byte
 * load or store arrives as two 4-byte accesses, lower offset first (qemu/softmmu/memory.c
 * memory_map_io leaves impl.max_access_size at its default of 4), and only the low `size` bytes of
 * a read's result are used.
 */
export interface MmioHandler {
  read(offset: number, size: number): bigint;
  write(offset: number, size: number, value: bigint): void;
}

const PAGE = 4096;

interface ArchSpec {
  readonly ucArch: number;
  readonly ucMode: number;
  readonly regs: Readonly<Record<string, number>>;
  /** Engine exception number (QEMU's) of the trap instruction. */
  readonly syscallIntno: number;
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
  /** Where the trampoline page sits: above every user address of the architecture. */
  readonly trampoline: bigint;
  readonly minInsnBytes: number;
}

const ARCH: Readonly<Record<Arch, ArchSpec>> = {
  // QEMU target/arm: EXCP_SWI = 2. AArch64 user addresses end below 2^48 on every board we model.
  aarch64: { ucArch: UC_ARCH_ARM64, ucMode: UC_MODE_ARM, regs: ARM64_REGS, syscallIntno: 2, exceptionPcSkew: 0n, stopIntno: undefined, trampoline: 0xffff_0000_0000_0000n, minInsnBytes: 4 },
  // QEMU target/riscv: RISCV_EXCP_U_ECALL = 8, RISCV_EXCP_BREAKPOINT = 3. Sv39 user addresses end below 2^38.
  riscv64: { ucArch: UC_ARCH_RISCV, ucMode: UC_MODE_RISCV64, regs: RISCV_REGS, syscallIntno: 8, exceptionPcSkew: 4n, stopIntno: 3, trampoline: 0xffff_0000_0000_0000n, minInsnBytes: 4 },
};

function le32(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}

// AArch64: `eret` (to ELR_EL1 = the `nop` after it, SPSR_EL1 = EL0t), then `nop`, where the run stops.
const ARM64_TRAMPOLINE = le32(0xd69f03e0, 0xd503201f);
// RISC-V: open PMP entry 0 over all memory (pmpaddr0 = ~0, pmpcfg0 = NAPOT|X|W|R), then `mret`
// (to MEPC = the `nop` after it, MSTATUS.MPP = U), then `nop`, where the run stops.
const RISCV_TRAMPOLINE = le32(0xfff00293, 0x3b029073, 0x01f00293, 0x3a029073, 0x30200073, 0x00000013);

function ucPerms(r: Rights): number {
  return (r.read ? UC_PROT_READ : 0) | (r.write ? UC_PROT_WRITE : 0) | (r.execute ? UC_PROT_EXEC : 0);
}

const MEMORY_EXIT: Readonly<Record<number, { access: Access; cause: "unmapped" | "permission" }>> = {
  [UC_MEM.READ_UNMAPPED]: { access: "read", cause: "unmapped" },
  [UC_MEM.WRITE_UNMAPPED]: { access: "write", cause: "unmapped" },
  [UC_MEM.FETCH_UNMAPPED]: { access: "fetch", cause: "unmapped" },
  [UC_MEM.READ_PROT]: { access: "read", cause: "permission" },
  [UC_MEM.WRITE_PROT]: { access: "write", cause: "permission" },
  [UC_MEM.FETCH_PROT]: { access: "fetch", cause: "permission" },
};

/** The engine aborts the process past ~1,023 regions (ENGINE-FACTS.md); we refuse well before. */
export const MAX_ENGINE_REGIONS = 1000;

export interface CpuOptions {
  /** Let user code use the FPU/SIMD unit (AArch64 CPACR_EL1.FPEN, RISC-V MSTATUS.FS). */
  readonly fpu?: boolean;
}

export class Cpu {
  readonly arch: Arch;
  private readonly spec: ArchSpec;
  private uc: Pointer;
  private native: Pointer;
  private readonly regions = new Map<bigint, bigint>(); // base -> size, engine regions
  private readonly callbacks: Pointer[] = [];
  private readonly fpu: boolean;
  private readonly oneId = new Int32Array(1);
  private readonly oneValue = new BigUint64Array(1);

  constructor(arch: Arch, options: CpuOptions = {}) {
    this.arch = arch;
    this.spec = ARCH[arch];
    this.fpu = options.fpu ?? true;
    const out: [Pointer | null] = [null];
    check(ffi.uc_open(this.spec.ucArch, this.spec.ucMode, out) as number, "uc_open");
    this.uc = out[0] as Pointer;
    if (arch === "aarch64") check(ffi.mk_set_cpu_model(this.uc, UC_CPU_ARM64_A53) as number, "set CPU model");
    const native = ffi.mk_cpu_new(this.uc, this.spec.minInsnBytes) as Pointer | null;
    if (native === null) throw new Error("mk_cpu_new failed");
    this.native = native;
    this.enterUserMode();
  }

  close(): void {
    ffi.mk_cpu_free(this.native);
    ffi.uc_close(this.uc);
    for (const cb of this.callbacks) unregisterCallback(cb);
    this.callbacks.length = 0;
  }

  /** Instructions retired by this engine so far (counted per translated block). */
  get executed(): bigint {
    return BigInt(ffi.mk_cpu_executed(this.native) as number | bigint);
  }

  get regionCount(): number {
    return this.regions.size;
  }

  /** Maps host memory at a virtual address. `host` must stay alive while mapped. */
  map(va: bigint, size: bigint, rights: Rights, host: Pointer): void {
    this.reserveRegion(va, size);
    check(ffi.uc_mem_map_ptr(this.uc, va, size, ucPerms(rights), host) as number, `map ${hex(va)}+${hex(size)}`);
  }

  unmap(va: bigint, size: bigint): void {
    // Translated code is found by address, and 2.0.1's unmap keeps it (upstream fixed that in 2.1):
    // drop it while the range still translates, or whatever is mapped there next runs stale code.
    this.invalidate(va, size);
    check(ffi.uc_mem_unmap(this.uc, va, size) as number, `unmap ${hex(va)}+${hex(size)}`);
    this.regions.delete(va);
  }

  /** Routes accesses to [va, va+size) to TypeScript handlers (device registers). */
  mapMmio(va: bigint, size: bigint, handler: MmioHandler): void {
    this.reserveRegion(va, size);
    const read = registerCallback(((_uc: Pointer, offset: bigint | number, width: number) => handler.read(Number(offset), width)) as never, MmioRead);
    const write = registerCallback(((_uc: Pointer, offset: bigint | number, width: number, value: bigint | number) =>
      handler.write(Number(offset), width, BigInt(value))) as never, MmioWrite);
    this.callbacks.push(read, write);
    check(ffi.uc_mmio_map(this.uc, va, size, read, null, write, null) as number, `mmio ${hex(va)}+${hex(size)}`);
  }

  /** Drops translated code for a range whose bytes changed behind the engine's back. */
  invalidate(va: bigint, size: bigint): void {
    check(ffi.mk_remove_cache(this.uc, va, va + size) as number, "remove translation cache");
  }

  readMemory(va: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    check(ffi.uc_mem_read(this.uc, va, out, length) as number, `read ${hex(va)}`);
    return out;
  }

  writeMemory(va: bigint, bytes: Uint8Array): void {
    check(ffi.uc_mem_write(this.uc, va, bytes, bytes.length) as number, `write ${hex(va)}`);
  }

  regId(name: string): number {
    const id = this.spec.regs[name];
    if (id === undefined) throw new Error(`no ${this.arch} register named ${name}`);
    return id;
  }

  /** Engine ids for a list of register names, for readRegisters/writeRegisters. */
  regIds(names: readonly string[]): Int32Array {
    return Int32Array.from(names, (n) => this.regId(n));
  }

  readRegister(name: string): bigint {
    this.oneId[0] = this.regId(name);
    check(ffi.mk_regs_read(this.uc, this.oneId, this.oneValue, 1) as number, `read ${name}`);
    return this.oneValue[0]!;
  }

  writeRegister(name: string, value: bigint): void {
    this.oneId[0] = this.regId(name);
    this.oneValue[0] = BigInt.asUintN(64, value);
    check(ffi.mk_regs_write(this.uc, this.oneId, this.oneValue, 1) as number, `write ${name}`);
  }

  readRegisters(ids: Int32Array, out: BigUint64Array): void {
    check(ffi.mk_regs_read(this.uc, ids, out, ids.length) as number, "read registers");
  }

  writeRegisters(ids: Int32Array, values: BigUint64Array): void {
    check(ffi.mk_regs_write(this.uc, ids, values, ids.length) as number, "write registers");
  }

  /**
   * Runs user code from `pc` until it traps, faults, or retires about `budget` instructions
   * (checked per translated block, so a run may overshoot by one block). `budget` 1 single-steps.
   */
  run(pc: bigint, budget: bigint): CpuExit {
    const reason = ffi.mk_cpu_run(this.native, pc, this.spec.trampoline, budget) as number;
    const at = this.readRegister("pc");
    switch (reason) {
      case MK_EXIT.INTERRUPT: {
        const intno = ffi.mk_cpu_intno(this.native) as number;
        if (intno === this.spec.syscallIntno) return { kind: "syscall", pc: at };
        return { kind: "exception", code: intno, pc: at - this.spec.exceptionPcSkew };
      }
      case MK_EXIT.MEMORY: {
        const what = MEMORY_EXIT[ffi.mk_cpu_access(this.native) as number];
        if (what === undefined) throw new Error(`unexpected memory event ${ffi.mk_cpu_access(this.native) as number}`);
        return { kind: "memory", ...what, address: BigInt(ffi.mk_cpu_address(this.native) as number | bigint), pc: at };
      }
      case MK_EXIT.LIMIT:
        // A jump to the stop address (the unmapped trampoline page) is a fetch from unmapped memory.
        if (at === this.spec.trampoline) return { kind: "memory", access: "fetch", cause: "unmapped", address: at, pc: at };
        return { kind: "budget", pc: at };
      default:
        if (this.spec.stopIntno !== undefined && ffi.mk_cpu_error(this.native) === UC_ERR_INSN_INVALID) {
          return { kind: "exception", code: this.spec.stopIntno, pc: at };
        }
        throw new Error(`engine run failed at ${hex(at)}: ${ffi.uc_strerror(ffi.mk_cpu_error(this.native)) as string}`);
    }
  }

  /** Asks a running engine to stop at the next block boundary (from an MMIO handler, say). */
  stop(): void {
    ffi.uc_emu_stop(this.uc);
  }

  private reserveRegion(va: bigint, size: bigint): void {
    if (va % BigInt(PAGE) !== 0n || size % BigInt(PAGE) !== 0n || size === 0n) {
      throw new Error(`engine mapping ${hex(va)}+${hex(size)} is not page-aligned`);
    }
    if (this.regions.size >= MAX_ENGINE_REGIONS) {
      throw new Error(`address space needs more than ${MAX_ENGINE_REGIONS} separate engine regions`);
    }
    this.regions.set(va, size);
  }

  /**
   * Drops from EL1 / M-mode to EL0 / U-mode once, before any register is set (the stack pointer
   * is banked per level on AArch64); the engine stays there across runs.
   */
  private enterUserMode(): void {
    const code = this.arch === "aarch64" ? ARM64_TRAMPOLINE : RISCV_TRAMPOLINE;
    const base = this.spec.trampoline;
    const page = hostAlloc(PAGE);
    page.bytes.set(code);
    const stopAt = base + BigInt(code.length - 4);
    check(ffi.uc_mem_map_ptr(this.uc, base, PAGE, UC_PROT_READ | UC_PROT_EXEC, page.ptr) as number, "map trampoline");
    if (this.arch === "aarch64") {
      this.writeRegister("elr_el1", stopAt);
      // SPSR_EL1 has no engine id in 2.0.1: op0=3 op1=0 CRn=4 CRm=0 op2=0; 0 = EL0t.
      check(ffi.mk_arm64_sysreg_write(this.uc, 3, 0, 4, 0, 0, 0n) as number, "write SPSR_EL1");
      // CPACR_EL1.FPEN (bits 21:20) = 0b11: FP/SIMD does not trap at EL0.
      this.writeRegister("cpacr_el1", this.fpu ? 3n << 20n : 0n);
    } else {
      this.writeRegister("mepc", stopAt);
      // MSTATUS: MPP (bits 12:11) = U; FS (bits 14:13) = Initial when the FPU is on, Off otherwise.
      this.writeRegister("mstatus", this.fpu ? 1n << 13n : 0n);
    }
    const reason = ffi.mk_cpu_run(this.native, base, stopAt, 16n) as number;
    const at = this.readRegister("pc");
    if (reason !== MK_EXIT.LIMIT || at !== stopAt) throw new Error(`could not enter user mode (exit ${reason} at ${hex(at)})`);
    check(ffi.uc_mem_unmap(this.uc, base, PAGE) as number, "unmap trampoline");
    hostFree(page.ptr, PAGE);
  }
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

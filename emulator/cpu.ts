// One Unicorn engine running user-mode code of one address space, behind the engine's own MMU.
//
// Guest-physical memory is mapped once at its physical addresses (emulator/engine-memory.ts), and
// the address space is a set of page tables the emulator writes (emulator/page-table.ts). A
// trampoline turns the MMU on and drops the engine to EL0 / U-mode once, so a privileged
// instruction traps and a translation or permission fault is an architectural exception with the
// exact pc of the faulting instruction. Every trap, fault and budget expiry ends a run and comes
// back as a CpuExit value; the hooks that detect them are native (emulator/native/mkcpu.c), so no
// JavaScript runs per instruction or per block.
import {
  ARCH, ARM64_TRAMPOLINE, ASID_SHIFT, HCR_EL2, HCR_RW, MAIR, RISCV_TRAMPOLINE, SATP_SV39, SCR_EL3, SCR_RW, SCTLR_EL1,
  SCTLR_M, SPSR_EL1, TCR, TTBR0_EL1, type ArchSpec, type SysregEncoding,
} from "./engine-arch.js";
import { EngineMemory, type MmioRange, type RamRange } from "./engine-memory.js";
import { PAGE as PAGE_BYTES, PageTable, TablePool } from "./page-table.js";
import { check, exchange, ffi, hostAlloc, hostFree, type Pointer } from "./unicorn/ffi.js";
import { MK_EXIT, UC_CPU_ARM64_A53, UC_ERR_INSN_INVALID, UC_MEM, UC_PROT_ALL, UC_PROT_EXEC, UC_PROT_READ } from "./unicorn/constants.js";

export { MAX_ENGINE_REGIONS } from "./engine-memory.js";

export type Arch = "aarch64" | "riscv64";
export type Access = "read" | "write" | "fetch";

export interface Rights {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/**
 * Why a run ended. `pc` is where the thread resumes (syscall, budget) or the faulting instruction
 * (exception, memory): the registers hold the effects of every instruction before it and none of
 * its own, so resuming at `pc` once the cause is gone continues the thread exactly.
 */
export type CpuExit =
  | { readonly kind: "syscall"; readonly pc: bigint }
  | { readonly kind: "exception"; readonly code: number; readonly pc: bigint }
  | { readonly kind: "memory"; readonly access: Access; readonly cause: "unmapped" | "permission"; readonly address: bigint; readonly pc: bigint }
  | { readonly kind: "budget"; readonly pc: bigint }
  /** An FP instruction at pc while the FPU is disabled (setFpu); it has not run. */
  | { readonly kind: "fp-trap"; readonly pc: bigint };

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

const PAGE = Number(PAGE_BYTES);
const RW: Rights = { read: true, write: true, execute: false };

/**
 * Guest-physical window the emulator keeps for itself: the page-table pool (its first page holds
 * the trampoline), then host memory mapped through map() that is not part of a RAM range, and
 * device windows mapped through mapMmio() without a physical address. It lies below 2^40 (the
 * Cortex-A53's physical address size, ID_AA64MMFR0_EL1.PARange) and above the RAM and devices of
 * the boards we model; attaching anything else there is refused as an overlap.
 */
const PRIVATE_BASE = 0xff_0000_0000n;
const PRIVATE_END = 0x100_0000_0000n;
/**
 * Page-table memory comes in chunks of 64 tables (a last-level table maps 2 MiB); a PD needs a
 * handful. The first chunk sits at PRIVATE_BASE, further ones in the dynamic window.
 */
const POOL_BYTES = 256 << 10;

const MEMORY_EXIT: Readonly<Record<number, { access: Access; cause: "unmapped" | "permission" }>> = {
  [UC_MEM.READ_UNMAPPED]: { access: "read", cause: "unmapped" },
  [UC_MEM.WRITE_UNMAPPED]: { access: "write", cause: "unmapped" },
  [UC_MEM.FETCH_UNMAPPED]: { access: "fetch", cause: "unmapped" },
  [UC_MEM.READ_PROT]: { access: "read", cause: "permission" },
  [UC_MEM.WRITE_PROT]: { access: "write", cause: "permission" },
  [UC_MEM.FETCH_PROT]: { access: "fetch", cause: "permission" },
};

export interface CpuOptions {
  /** Let user code use the FPU/SIMD unit (AArch64 CPACR_EL1.FPEN, RISC-V MSTATUS.FS). */
  readonly fpu?: boolean;
  /** Guest-physical RAM, mapped once at its physical addresses. */
  readonly ram?: readonly RamRange[];
  /** Device registers at their physical addresses. */
  readonly devices?: readonly MmioRange[];
}

export interface MmioMapping {
  /** Physical address of the device window; a private one when absent. */
  readonly pa?: bigint;
  /** Read-write when absent. */
  readonly rights?: Rights;
}

export class Cpu {
  /**
   * Device register accesses by any engine so far (a count that only grows): the machine loop
   * tells from it whether a device may have changed state during a run.
   */
  static deviceAccesses = 0;
  /** When set (by the benchmark), every runContext adds its native call's host time here. */
  static engineTime: { runs: number; ms: number } | undefined;
  readonly arch: Arch;
  private readonly spec: ArchSpec;
  private uc: Pointer;
  private native: Pointer;
  private readonly memory: EngineMemory;
  private readonly pool: { readonly ptr: Pointer; readonly bytes: Uint8Array };
  /** Host memory this engine allocated beyond the first pool chunk (more page tables). */
  private readonly extraChunks: Pointer[] = [];
  private readonly tables: PageTable;
  /** User code may use the FPU; see setFpu. */
  private fpuOn: boolean;
  /** The thread whose FP/SIMD state the engine's FP registers hold (kept by the machine). */
  fpuOwner: object | undefined;
  private readonly fpIds: Int32Array;
  /** Where each FP register's bytes start in a save area, and the area's size last. */
  private readonly fpOffsets: Int32Array;
  private asid = 0n;
  private nextPrivate = PRIVATE_BASE + BigInt(POOL_BYTES);
  private readonly oneId = new Int32Array(1);
  private readonly oneValue = new BigUint64Array(1);
  private contextSize = -1;
  private pcIndex = -1;
  private lastRan = 0;
  private contextView = exchange.context.subarray(0, 0);

  constructor(arch: Arch, options: CpuOptions = {}) {
    this.arch = arch;
    this.spec = ARCH[arch];
    this.fpuOn = options.fpu ?? true;
    this.fpIds = Int32Array.from(this.spec.fpRegs);
    this.fpOffsets = new Int32Array(this.spec.fpRegBytes.length + 1);
    this.spec.fpRegBytes.forEach((n, i) => (this.fpOffsets[i + 1] = this.fpOffsets[i]! + n));
    const out: [Pointer | null] = [null];
    check(ffi.uc_open(this.spec.ucArch, this.spec.ucMode, out) as number, "uc_open");
    this.uc = out[0] as Pointer;
    if (arch === "aarch64") check(ffi.mk_set_cpu_model(this.uc, UC_CPU_ARM64_A53) as number, "set CPU model");
    const native = ffi.mk_cpu_new(this.uc, this.spec.minInsnBytes) as Pointer | null;
    if (native === null) throw new Error("mk_cpu_new failed");
    this.native = native;
    this.pool = hostAlloc(POOL_BYTES);
    try {
      this.memory = new EngineMemory(this.uc, {
        ram: [{ base: PRIVATE_BASE, size: BigInt(POOL_BYTES), host: this.pool.ptr }, ...(options.ram ?? [])],
        mmio: (options.devices ?? []).map((d) => ({ ...d, handler: counted(d.handler) })),
        dynamic: { base: this.nextPrivate, end: PRIVATE_END },
      });
      this.tables = new PageTable(arch, new TablePool({ base: PRIVATE_BASE, bytes: this.pool.bytes }, 1, () => this.growPool()));
      this.enterUserMode();
    } catch (e) {
      // A layout the engine cannot take (overlapping ranges, too many regions): free the engine.
      ffi.mk_cpu_free(this.native);
      ffi.uc_close(this.uc);
      hostFree(this.pool.ptr, POOL_BYTES);
      throw e;
    }
  }

  close(): void {
    ffi.mk_cpu_free(this.native);
    ffi.uc_close(this.uc);
    this.memory.close();
    hostFree(this.pool.ptr, POOL_BYTES);
    for (const ptr of this.extraChunks) hostFree(ptr, POOL_BYTES);
  }

  /** Instructions retired by this engine so far (counted per translated block). */
  get executed(): bigint {
    return BigInt(ffi.mk_cpu_executed(this.native) as number | bigint);
  }

  /** The first virtual address past the user half this engine's tables translate. */
  get userTop(): bigint {
    return this.tables.userTop;
  }

  /** Engine regions in use: physical ranges and the covers between them, not mappings. */
  get regionCount(): number {
    return this.memory.count;
  }

  /**
   * Puts guest-physical RAM [pa, pa+size), backed by `host`, into this engine after construction
   * (CpuOptions.ram is the cheap way: this one splits a cover, ~0.6 µs per page of it).
   */
  attachRam(pa: bigint, size: bigint, host: Pointer): void {
    checkPages(pa, size);
    this.memory.attachRam(pa, size, host);
  }

  /** Puts device registers at guest-physical [pa, pa+size) into this engine (costs as attachRam). */
  attachMmio(pa: bigint, size: bigint, handler: MmioHandler): void {
    checkPages(pa, size);
    this.memory.attachMmio(pa, size, counted(handler));
  }

  /** Maps attached guest-physical memory (RAM or device) at a virtual address. */
  mapPhysical(va: bigint, pa: bigint, size: bigint, rights: Rights): void {
    checkPages(va, size);
    checkPages(pa, size);
    if (this.memory.regionAt(pa, size) === undefined) throw new Error(`physical range ${hex(pa)}+${hex(size)} is not attached to the engine`);
    if (this.tables.map(va, pa, size, rights)) this.flushTlb();
    // Code translated from these frames earlier (mapped elsewhere, or before the host rewrote
    // them) is found by physical address: drop it.
    if (rights.execute) this.invalidate(va, size);
  }

  /**
   * Maps host memory at a virtual address: inside an attached RAM range it is that guest-physical
   * memory; otherwise it becomes private guest-physical memory of this engine. `host` must stay
   * alive while mapped.
   */
  map(va: bigint, size: bigint, rights: Rights, host: Pointer): void {
    checkPages(va, size);
    this.mapPhysical(va, this.memory.physicalOf(host, size) ?? this.attachHost(host, size), size, rights);
  }

  /**
   * Makes host memory [host, host+size) private guest-physical memory of this engine and returns
   * its address; map() then finds any part of it. `host` must stay alive until close().
   */
  attachHost(host: Pointer, size: bigint): bigint {
    checkPages(0n, size);
    const pa = this.allocPrivate(size);
    this.memory.attachRam(pa, size, host);
    return pa;
  }

  unmap(va: bigint, size: bigint): void {
    checkPages(va, size);
    if (this.tables.unmap(va, size)) this.flushTlb();
  }

  /**
   * Routes accesses to [va, va+size) to TypeScript handlers (device registers), with offsets from
   * the mapping's start. With `at.pa` the registers sit at that physical address; pages there that
   * an earlier call attached keep the handler they were attached with.
   */
  mapMmio(va: bigint, size: bigint, handler: MmioHandler, at: MmioMapping = {}): void {
    checkPages(va, size);
    const pa = at.pa ?? this.allocPrivate(size);
    checkPages(pa, size);
    let run: bigint | undefined; // start of pages not attached yet
    const attachRun = (end: bigint): void => {
      if (run === undefined) return;
      this.memory.attachMmio(run, end - run, counted(shifted(handler, Number(run - pa))));
      run = undefined;
    };
    for (let page = pa; page < pa + size; page += PAGE_BYTES) {
      const region = this.memory.regionAt(page, PAGE_BYTES);
      if (region === undefined) {
        run ??= page;
        continue;
      }
      attachRun(page);
      if (region.kind !== "mmio") throw new Error(`physical page ${hex(page)} is RAM, not a device`);
    }
    attachRun(pa + size);
    this.mapPhysical(va, pa, size, at.rights ?? RW);
  }

  /** What a virtual address translates to, per the page tables. */
  lookup(va: bigint): { readonly pa: bigint; readonly rights: Rights } | undefined {
    return this.tables.lookup(va);
  }

  /**
   * Drops translated code for a range whose bytes changed behind the engine's back. The engine
   * finds the code by the physical address the range translates to (qemu/accel/tcg/translate-all.c,
   * uc_invalidate_tb walks the MMU), page by page; pages this space cannot execute hold none.
   */
  invalidate(va: bigint, size: bigint): void {
    for (let page = va - (va % PAGE_BYTES); page < va + size; page += PAGE_BYTES) {
      if (this.tables.lookup(page)?.rights.execute !== true) continue;
      check(ffi.mk_remove_cache(this.uc, page, page + PAGE_BYTES) as number, "remove translation cache");
    }
  }

  /** Reads through the page tables (rights not checked); every page must be mapped. */
  readMemory(va: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.eachPage(va, length, (pa, offset, n) => {
      const part = new Uint8Array(n);
      check(ffi.uc_mem_read(this.uc, pa, part, n) as number, `read ${hex(va)}`);
      out.set(part, offset);
    });
    return out;
  }

  /** Writes through the page tables (rights not checked); code written so needs invalidate(). */
  writeMemory(va: bigint, bytes: Uint8Array): void {
    this.eachPage(va, bytes.length, (pa, offset, n) => {
      check(ffi.uc_mem_write(this.uc, pa, bytes.subarray(offset, offset + n), n) as number, `write ${hex(va)}`);
    });
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
    check(ffi.mk_regs_read(this.native, this.oneId, this.oneValue, 1) as number, `read ${name}`);
    return this.oneValue[0]!;
  }

  writeRegister(name: string, value: bigint): void {
    this.oneId[0] = this.regId(name);
    this.oneValue[0] = BigInt.asUintN(64, value);
    check(ffi.mk_regs_write(this.native, this.oneId, this.oneValue, 1) as number, `write ${name}`);
  }

  readRegisters(ids: Int32Array, out: BigUint64Array): void {
    check(ffi.mk_regs_read(this.native, ids, out, ids.length) as number, "read registers");
  }

  writeRegisters(ids: Int32Array, values: BigUint64Array): void {
    check(ffi.mk_regs_write(this.native, ids, values, ids.length) as number, "write registers");
  }

  /**
   * Runs user code from `pc` until it traps, faults, or retires about `budget` instructions
   * (checked per translated block, so a run may overshoot by one block). `budget` 1 single-steps.
   */
  run(pc: bigint, budget: bigint): CpuExit {
    return this.exit(ffi.mk_cpu_run(this.native, pc, budget) as number, this.readRegister("pc"));
  }

  /** The register layout of the thread contexts runContext exchanges: engine ids, in context order. */
  useContext(ids: Int32Array, pcIndex: number): void {
    if ((ffi.mk_cpu_set_context(this.native, ids, ids.length, pcIndex) as number) !== 0) {
      throw new Error(`a thread context of ${ids.length} registers does not fit the exchange area`);
    }
    this.contextSize = ids.length;
    this.pcIndex = pcIndex;
    this.contextView = exchange.context.subarray(0, ids.length);
  }

  /** Whether useContext was called. */
  get hasContext(): boolean {
    return this.contextSize >= 0;
  }

  /**
   * Runs a thread from its context (useContext's layout) as run() does, in one native call: only
   * registers that differ from what the engine holds are written, and the context is updated in
   * place from the engine afterwards. `ran` then tells the instructions the run retired.
   */
  runContext(context: BigUint64Array, budget: number): CpuExit {
    if (context.length !== this.contextSize) throw new Error(`context of ${context.length} registers, expected ${this.contextSize} (useContext)`);
    const io = exchange.context;
    io.set(context);
    const timing = Cpu.engineTime;
    const t0 = timing === undefined ? 0 : performance.now();
    const result = ffi.mk_cpu_run_context(this.native, budget) as number;
    if (timing !== undefined) {
      timing.ms += performance.now() - t0;
      timing.runs++;
    }
    context.set(this.contextView);
    this.lastRan = exchange.counts[0]!;
    const pc = context[this.pcIndex]!;
    if (result === MK_EXIT.INTERRUPT + (this.spec.syscallIntno << 8)) return { kind: "syscall", pc };
    const exit = this.exit(result & 0xff, pc);
    // Decoding a fault can take the faulting block's instructions off the count (unretire).
    this.lastRan = ffi.mk_cpu_ran(this.native) as number;
    return exit;
  }

  /** Instructions retired so far by the runContext in progress (from a device handler during it). */
  get running(): number {
    return ffi.mk_cpu_ran(this.native) as number;
  }

  /** Instructions the last runContext retired. */
  get ran(): number {
    return this.lastRan;
  }

  private exit(reason: number, at: bigint): CpuExit {
    switch (reason) {
      case MK_EXIT.INTERRUPT: {
        const intno = ffi.mk_cpu_intno(this.native) as number;
        if (intno === this.spec.syscallIntno) return { kind: "syscall", pc: at };
        const faulting = at - this.spec.exceptionPcSkew;
        if (intno === this.spec.fetchFault) return this.fetchFault(faulting);
        if (this.spec.dataFaults.includes(intno)) return this.dataFault(faulting, intno);
        return { kind: "exception", code: intno, pc: faulting };
      }
      case MK_EXIT.MEMORY: {
        // Only for an address outside every engine region, which the covers rule out.
        const what = MEMORY_EXIT[ffi.mk_cpu_access(this.native) as number];
        if (what === undefined) throw new Error(`unexpected memory event ${ffi.mk_cpu_access(this.native) as number}`);
        return { kind: "memory", ...what, address: BigInt(ffi.mk_cpu_address(this.native) as number | bigint), pc: at };
      }
      case MK_EXIT.LIMIT:
        return { kind: "budget", pc: at };
      case MK_EXIT.FP_TRAP:
        return { kind: "fp-trap", pc: at };
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

  /** An instruction fetch the MMU refused: at pc itself, or where the instruction runs into the next page. */
  private fetchFault(pc: bigint): CpuExit {
    ffi.mk_cpu_unretire(this.native, pc);
    const here = this.tables.lookup(pc);
    const address = here?.rights.execute === true ? pc - (pc % PAGE_BYTES) + PAGE_BYTES : pc;
    const cause = this.tables.lookup(address) === undefined ? "unmapped" : "permission";
    return { kind: "memory", access: "fetch", cause, address, pc };
  }

  /**
   * A load or store the MMU refused. The engine reports neither the address nor the direction, so
   * the instruction runs once more with memory hooks (mk_cpu_replay); its last access is the one
   * that faulted, and the page tables say which of its bytes and why. An access the tables allow
   * faulted for another reason (alignment): that stays an exception.
   */
  private dataFault(pc: bigint, intno: number): CpuExit {
    ffi.mk_cpu_unretire(this.native, pc);
    const reason = ffi.mk_cpu_replay(this.native, pc) as number;
    if (reason !== MK_EXIT.INTERRUPT || (ffi.mk_cpu_intno(this.native) as number) !== intno) {
      throw new Error(`the faulting instruction at ${hex(pc)} did not fault again when replayed (exit ${reason})`);
    }
    if ((ffi.mk_cpu_replay_accesses(this.native) as number) === 0) return { kind: "exception", code: intno, pc };
    const access: Access = (ffi.mk_cpu_replay_type(this.native) as number) === UC_MEM.WRITE ? "write" : "read";
    const start = BigInt(ffi.mk_cpu_replay_address(this.native) as number | bigint);
    const end = start + BigInt(ffi.mk_cpu_replay_size(this.native) as number);
    for (let page = start - (start % PAGE_BYTES); page < end; page += PAGE_BYTES) {
      const t = this.tables.lookup(page);
      if (t !== undefined && (access === "write" ? t.rights.write : t.rights.read)) continue;
      return { kind: "memory", access, cause: t === undefined ? "unmapped" : "permission", address: page > start ? page : start, pc };
    }
    return { kind: "exception", code: intno, pc };
  }

  /**
   * Makes page-table changes visible. AArch64: a TTBR0_EL1 write that changes the ASID flushes the
   * whole engine TLB (ENGINE-FACTS.md). RISC-V: the host cannot write satp once the engine is in
   * U-mode (qemu/target/riscv/csr.c, riscv_csrrw checks the current privilege), but any change to
   * the engine's memory map flushes the TLB (qemu/exec.c, tcg_commit): the pool's permissions are
   * toggled.
   */
  private flushTlb(): void {
    if (this.arch === "aarch64") {
      this.asid ^= 1n;
      check(ffi.mk_arm64_sysreg_write(this.uc, ...TTBR0_EL1, this.tables.root | (this.asid << ASID_SHIFT)) as number, "write TTBR0_EL1");
    } else {
      check(ffi.uc_mem_protect(this.uc, PRIVATE_BASE, POOL_BYTES, UC_PROT_READ | UC_PROT_EXEC) as number, "flush TLB");
      check(ffi.uc_mem_protect(this.uc, PRIVATE_BASE, POOL_BYTES, UC_PROT_ALL) as number, "flush TLB");
    }
  }

  private growPool(): { base: bigint; bytes: Uint8Array } {
    const chunk = hostAlloc(POOL_BYTES);
    this.extraChunks.push(chunk.ptr);
    const base = this.allocPrivate(BigInt(POOL_BYTES));
    this.memory.attachRam(base, BigInt(POOL_BYTES), chunk.ptr);
    return { base, bytes: chunk.bytes };
  }

  private allocPrivate(size: bigint): bigint {
    const pa = this.nextPrivate;
    if (pa + size > PRIVATE_END) throw new Error(`the engine's private physical window is full (${hex(size)} more bytes)`);
    this.nextPrivate += size;
    return pa;
  }

  private eachPage(va: bigint, length: number, visit: (pa: bigint, offset: number, n: number) => void): void {
    for (let offset = 0; offset < length;) {
      const at = va + BigInt(offset);
      const t = this.tables.lookup(at);
      if (t === undefined) throw new Error(`${hex(at)} is not mapped`);
      const n = Math.min(length - offset, PAGE - Number(at % PAGE_BYTES));
      visit(t.pa, offset, n);
      offset += n;
    }
  }

  /**
   * Turns the MMU on and drops from EL1 / M-mode to EL0 / U-mode once, before any register is set
   * (the stack pointer is banked per level on AArch64); the engine stays there across runs.
   */
  private enterUserMode(): void {
    const a64 = this.arch === "aarch64";
    this.pool.bytes.set(a64 ? ARM64_TRAMPOLINE : RISCV_TRAMPOLINE);
    const trampoline = PRIVATE_BASE;
    const stop = PRIVATE_BASE + PAGE_BYTES; // the root table's page: no virtual address maps it
    const scratch = a64 ? ["x0", "x1", "x2", "x3"] : ["a0", "t0"];
    if (a64) {
      // The engine starts at EL1 with EL2 and EL3 marked AArch32 (SCR_EL3.RW = HCR_EL2.RW = 0),
      // so it would walk EL1&0 tables in the AArch32 long-descriptor format (32-bit addresses, XN
      // for every level): mark them AArch64.
      this.sysregWrite(SCR_EL3, this.sysregRead(SCR_EL3) | SCR_RW);
      this.sysregWrite(HCR_EL2, this.sysregRead(HCR_EL2) | HCR_RW);
      this.tables.mapKernel(trampoline, trampoline);
      this.writeRegister("x0", MAIR);
      this.writeRegister("x1", TCR);
      this.writeRegister("x2", this.tables.root);
      this.writeRegister("x3", this.sysregRead(SCTLR_EL1) | SCTLR_M);
      this.writeRegister("elr_el1", stop);
      this.sysregWrite(SPSR_EL1, 0n); // EL0t
      // CPACR_EL1.FPEN (bits 21:20) = 0b11: FP/SIMD does not trap at EL0 (a disabled FPU is setFpu's).
      this.writeRegister("cpacr_el1", 3n << 20n);
    } else {
      this.writeRegister("a0", SATP_SV39 | (this.tables.root >> 12n));
      this.writeRegister("mepc", stop);
      // MSTATUS: MPP (bits 12:11) = U; FS (bits 14:13) = Initial (a disabled FPU is setFpu's).
      this.writeRegister("mstatus", 1n << 13n);
    }
    const reason = ffi.mk_cpu_run(this.native, trampoline, 16n) as number;
    const intno = ffi.mk_cpu_intno(this.native) as number;
    const at = this.readRegister("pc") - this.spec.exceptionPcSkew;
    if (reason !== MK_EXIT.INTERRUPT || intno !== this.spec.fetchFault || at !== stop) {
      throw new Error(`could not enter user mode (exit ${reason}, exception ${intno} at ${hex(at)})`);
    }
    if (a64) {
      this.tables.unmap(trampoline, PAGE_BYTES);
      this.flushTlb();
    }
    for (const r of scratch) this.writeRegister(r, 0n);
    if (!this.fpuOn) this.setFpTrap(true);
  }

  /** Whether user code may use the FPU now (setFpu). */
  get fpuEnabled(): boolean {
    return this.fpuOn;
  }

  /**
   * Lets user code use the FPU, or makes its FP instructions trap, as seL4 sets CPACR_EL1.FPEN /
   * sstatus.FS per thread. The engine cannot do it itself: on AArch64 it ignores CPACR_EL1
   * (Unicorn 2.0.1's fp_exception_el always answers 0); on RISC-V MSTATUS.FS is out of reach from
   * U-mode, and the engine mistranslates an instruction it finds illegal at translation time (its
   * block gets a negative size, whose page lookup may fault as an instruction fetch). So while
   * the FPU is off the native helper checks each instruction before it runs and ends the run at
   * the first FP one (exit kind "fp-trap"); that costs a call per instruction for those threads only.
   */
  setFpu(on: boolean): void {
    if (on === this.fpuOn) return;
    this.setFpTrap(!on);
    this.fpuOn = on;
  }

  private setFpTrap(on: boolean): void {
    check(ffi.mk_cpu_set_fp_trap(this.native, on ? 1 : 0, this.tables.root) as number, "set the FP trap");
  }

  /** Bytes of one thread's FP/SIMD state (saveFpu, loadFpu). */
  get fpuStateBytes(): number {
    return this.fpOffsets[this.fpOffsets.length - 1]!;
  }

  /** The FP/SIMD registers into `out` (fpuStateBytes long). The FPU must be enabled. */
  saveFpu(out: Uint8Array): void {
    check(ffi.mk_regs_read_bytes(this.native, this.fpIds, this.fpOffsets, this.fpIds.length, out) as number, "read the FP registers");
  }

  /** The FP/SIMD registers from `state` (as saveFpu wrote it). The FPU must be enabled. */
  loadFpu(state: Uint8Array): void {
    check(ffi.mk_regs_write_bytes(this.native, this.fpIds, this.fpOffsets, this.fpIds.length, state) as number, "write the FP registers");
  }

  private sysregRead(reg: SysregEncoding): bigint {
    const out: [bigint] = [0n];
    check(ffi.mk_arm64_sysreg_read(this.uc, ...reg, out) as number, "read system register");
    return BigInt(out[0]);
  }

  private sysregWrite(reg: SysregEncoding, value: bigint): void {
    check(ffi.mk_arm64_sysreg_write(this.uc, ...reg, value) as number, "write system register");
  }
}

/** The same handler, counting its accesses in Cpu.deviceAccesses. */
function counted(handler: MmioHandler): MmioHandler {
  return {
    read: (offset, size) => {
      Cpu.deviceAccesses++;
      return handler.read(offset, size);
    },
    write: (offset, size, value) => {
      Cpu.deviceAccesses++;
      handler.write(offset, size, value);
    },
  };
}

/** A handler seeing offsets `by` bytes further on than the region it is attached to. */
function shifted(handler: MmioHandler, by: number): MmioHandler {
  if (by === 0) return handler;
  return { read: (offset, size) => handler.read(offset + by, size), write: (offset, size, value) => handler.write(offset + by, size, value) };
}

function checkPages(address: bigint, size: bigint): void {
  if (address % PAGE_BYTES !== 0n || size % PAGE_BYTES !== 0n || size === 0n) {
    throw new Error(`engine mapping ${hex(address)}+${hex(size)} is not page-aligned`);
  }
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

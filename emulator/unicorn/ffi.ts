// The koffi binding of Debian's libunicorn2 and of our native helper (emulator/native/mkcpu.c).
// Only emulator/ imports this module: the rest of the project never sees the engine.
import koffi, { type LibraryHandle, type TypeObject } from "koffi";
import { existsSync } from "node:fs";
import { nativeHelperPath } from "../paths.js";

export type Pointer = bigint;

function loadUnicorn(): LibraryHandle {
  for (const name of ["libunicorn.so.2", "libunicorn.so"]) {
    try {
      return koffi.load(name);
    } catch {
      // try the next name; the error below says what to install
    }
  }
  throw new Error("cannot load the Unicorn engine (libunicorn.so.2): install it with `apt-get install libunicorn2`, or run `npm start` once to set up");
}

function loadHelper(): LibraryHandle {
  const path = nativeHelperPath();
  if (!existsSync(path)) {
    throw new Error(`the native CPU helper ${path} is missing: run \`npm start\` (or scripts/setup.sh) to build it`);
  }
  return koffi.load(path);
}

const uc = loadUnicorn();
const mk = loadHelper();

export const MmioRead = koffi.proto("uint64_t MmioRead(void *uc, uint64_t offset, unsigned int size, void *user)");
export const MmioWrite = koffi.proto("void MmioWrite(void *uc, uint64_t offset, unsigned int size, uint64_t value, void *user)");

export const ffi = {
  uc_version: uc.func("unsigned int uc_version(_Out_ unsigned int *major, _Out_ unsigned int *minor)"),
  uc_open: uc.func("int uc_open(int arch, int mode, _Out_ void **uc)"),
  uc_close: uc.func("int uc_close(void *uc)"),
  uc_strerror: uc.func("const char *uc_strerror(int err)"),
  uc_mem_map_ptr: uc.func("int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)"),
  uc_mem_unmap: uc.func("int uc_mem_unmap(void *uc, uint64_t address, size_t size)"),
  uc_mem_protect: uc.func("int uc_mem_protect(void *uc, uint64_t address, size_t size, uint32_t perms)"),
  uc_mem_read: uc.func("int uc_mem_read(void *uc, uint64_t address, _Out_ uint8_t *bytes, size_t size)"),
  uc_mem_write: uc.func("int uc_mem_write(void *uc, uint64_t address, const uint8_t *bytes, size_t size)"),
  uc_mmio_map: uc.func("int uc_mmio_map(void *uc, uint64_t address, size_t size, MmioRead *read, void *ru, MmioWrite *write, void *wu)"),
  uc_emu_stop: uc.func("int uc_emu_stop(void *uc)"),
  mk_cpu_new: mk.func("void *mk_cpu_new(void *uc, uint32_t insn_bytes)"),
  mk_cpu_free: mk.func("void mk_cpu_free(void *cpu)"),
  mk_cpu_run: mk.func("uint32_t mk_cpu_run(void *cpu, uint64_t pc, uint64_t budget)"),
  mk_cpu_unretire: mk.func("void mk_cpu_unretire(void *cpu, uint64_t pc)"),
  mk_cpu_replay: mk.func("uint32_t mk_cpu_replay(void *cpu, uint64_t pc)"),
  mk_cpu_replay_accesses: mk.func("uint32_t mk_cpu_replay_accesses(void *cpu)"),
  mk_cpu_replay_type: mk.func("uint32_t mk_cpu_replay_type(void *cpu)"),
  mk_cpu_replay_address: mk.func("uint64_t mk_cpu_replay_address(void *cpu)"),
  mk_cpu_replay_size: mk.func("uint32_t mk_cpu_replay_size(void *cpu)"),
  mk_cpu_executed: mk.func("uint64_t mk_cpu_executed(void *cpu)"),
  mk_cpu_intno: mk.func("uint32_t mk_cpu_intno(void *cpu)"),
  mk_cpu_access: mk.func("uint32_t mk_cpu_access(void *cpu)"),
  mk_cpu_address: mk.func("uint64_t mk_cpu_address(void *cpu)"),
  mk_cpu_error: mk.func("int32_t mk_cpu_error(void *cpu)"),
  mk_remove_cache: mk.func("int32_t mk_remove_cache(void *uc, uint64_t begin, uint64_t end)"),
  mk_set_cpu_model: mk.func("int32_t mk_set_cpu_model(void *uc, int32_t model)"),
  mk_regs_read: mk.func("int32_t mk_regs_read(void *cpu, const int32_t *ids, uint64_t *values, int32_t count)"),
  mk_regs_write: mk.func("int32_t mk_regs_write(void *cpu, const int32_t *ids, const uint64_t *values, int32_t count)"),
  mk_cpu_set_fp_trap: mk.func("int32_t mk_cpu_set_fp_trap(void *cpu, int32_t on, uint64_t root)"),
  mk_regs_read_bytes: mk.func("int32_t mk_regs_read_bytes(void *cpu, const int32_t *ids, const int32_t *offsets, int32_t count, uint8_t *buf)"),
  mk_regs_write_bytes: mk.func("int32_t mk_regs_write_bytes(void *cpu, const int32_t *ids, const int32_t *offsets, int32_t count, const uint8_t *buf)"),
  mk_cpu_set_context: mk.func("int32_t mk_cpu_set_context(void *cpu, const int32_t *ids, int32_t count, int32_t pc_index)"),
  mk_cpu_run_context: mk.func("uint32_t mk_cpu_run_context(void *cpu, double budget)"),
  mk_cpu_ran: mk.func("double mk_cpu_ran(void *cpu)"),
  mk_arm64_sysreg_write: mk.func("int32_t mk_arm64_sysreg_write(void *uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, uint64_t value)"),
  mk_arm64_sysreg_read: mk.func("int32_t mk_arm64_sysreg_read(void *uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2, _Out_ uint64_t *value)"),
};

/** The native helper's exchange area (mk_exchange in mkcpu.c): a thread context, then the run's count. */
const EXCHANGE_CONTEXT_WORDS = 48; // MK_MAX_CONTEXT
const exchangeArea = mk.func("void *mk_exchange_area(void)")() as Pointer;
const exchangeBytes = koffi.view(exchangeArea, EXCHANGE_CONTEXT_WORDS * 8 + 8);
export const exchange = {
  context: new BigUint64Array(exchangeBytes, 0, EXCHANGE_CONTEXT_WORDS),
  /** [0]: instructions the last run retired. */
  counts: new Float64Array(exchangeBytes, EXCHANGE_CONTEXT_WORDS * 8, 1),
};

/** Host memory for guest-physical ranges: anonymous, page-aligned, zero-filled, committed lazily. */
const libc = koffi.load("libc.so.6");
const mmap = libc.func("void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)");
const munmap = libc.func("int munmap(void *addr, size_t length)");
// <sys/mman.h> on Linux: PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE.
const PROT_RW = 0x1 | 0x2;
const MAP_FLAGS = 0x02 | 0x20 | 0x4000;

export function hostAlloc(size: number): { readonly ptr: Pointer; readonly bytes: Uint8Array } {
  const ptr = mmap(null, size, PROT_RW, MAP_FLAGS, -1, 0) as Pointer | null;
  if (ptr === null || ptr === 0n || ptr === 0xffffffffffffffffn) {
    throw new Error(`cannot reserve ${size} bytes of host memory for guest RAM`);
  }
  return { ptr, bytes: new Uint8Array(koffi.view(ptr, size)) };
}

export function hostFree(ptr: Pointer, size: number): void {
  munmap(ptr, size);
}

export function registerCallback(fn: (...args: never[]) => unknown, proto: TypeObject): Pointer {
  return koffi.register(fn as (...args: unknown[]) => unknown, koffi.pointer(proto));
}

export function unregisterCallback(ptr: Pointer): void {
  koffi.unregister(ptr);
}

/** Throws with the engine's own words; a failing engine call is a bug in the caller. */
export function check(err: number, what: string): void {
  if (err !== 0) throw new Error(`${what}: ${ffi.uc_strerror(err) as string} (uc_err ${err})`);
}

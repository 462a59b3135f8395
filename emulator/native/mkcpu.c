/*
 * Native half of the CPU backend: the per-block work that must not run in JavaScript.
 *
 * One mk_cpu wraps one Unicorn engine. Its hooks are C functions, so the engine never calls into
 * JavaScript on the instruction path: a block hook counts retired instructions and stops the engine
 * at the virtual-time deadline; the interrupt and invalid-memory hooks record why the guest stopped
 * and end the run. JavaScript reads the exit record after mk_cpu_run returns. (MMIO is the only
 * JavaScript callback, registered separately through uc_mmio_map.)
 *
 * The engine runs user code behind its own MMU (emulator/cpu.ts), so a translation or permission
 * fault is an architectural exception with an exact pc, reported through the interrupt hook. The
 * engine does not tell the faulting address (2.0.1 calls the hook instead of the CPU's exception
 * entry, so FAR/ESR and stval stay unwritten): mk_cpu_replay runs the faulting instruction once
 * more with memory hooks, which see each access's virtual address before the MMU does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

/* The most registers a thread context has (seL4_UserContext: 36 on AArch64, 32 on RISC-V). */
#define MK_MAX_CONTEXT 48

enum mk_exit_reason {
    MK_EXIT_LIMIT = 0,     /* instruction budget used up (or stopped from outside) */
    MK_EXIT_INTERRUPT = 1, /* exception: syscall trap, fault, undefined instruction, ... (intno) */
    MK_EXIT_MEMORY = 2,    /* invalid access to an address no engine region covers (access, address) */
    MK_EXIT_ERROR = 3,     /* uc_emu_start returned another error (error) */
    MK_EXIT_FP_TRAP = 4,   /* an FP instruction while the FPU is disabled (mk_cpu_set_fp_trap); pc at it */
};

typedef struct mk_cpu {
    /* What the block hook touches, first and in one cache line. */
    uint64_t executed;   /* instructions retired so far, counted per block */
    uint64_t limit;      /* stop once executed reaches this */
    uint64_t block_start; /* the block counted last, for mk_cpu_unretire */
    uint64_t block_end;
    uint32_t insn_bytes; /* divisor turning block bytes into instructions */
    bool stepping;       /* this run counts per instruction (a code hook), not per block */
    uc_engine *uc;
    uint32_t reason;
    uint32_t intno;
    uint32_t access;     /* uc_mem_type of a memory exit */
    uint64_t address;    /* fault address of a memory exit */
    int32_t error;       /* uc_err of the run */
    uint32_t replay_accesses; /* data accesses seen by the last mk_cpu_replay */
    uint32_t replay_type;     /* UC_MEM_READ / UC_MEM_WRITE of the last of them */
    uint64_t replay_address;
    uint32_t replay_size;
    uc_hook replay_hook;      /* the memory hook of a replay in progress */
    uc_hook hooks[3];
    /* The thread context that mk_cpu_run_context exchanges (mk_cpu_set_context). */
    int32_t context_count;
    int32_t pc_index;         /* pc is not written: uc_emu_start sets it from the context */
    int context_ids[MK_MAX_CONTEXT];
    void *context_ptrs[MK_MAX_CONTEXT]; /* &shadow[i], for the batch read */
    /* What the engine's registers hold, when shadow_valid: the context last written to or read from
     * the engine. Every other register write (mk_regs_write) and every run outside
     * mk_cpu_run_context clears shadow_valid, so an equal shadow entry means the engine already
     * holds that value and the write can be skipped. */
    uint64_t shadow[MK_MAX_CONTEXT];
    bool shadow_valid;
    uint64_t run_start;       /* executed when the last run began */
    /* The FPU disabled (mk_cpu_set_fp_trap): the engine cannot trap FP instructions itself (see
     * emulator/cpu.ts setFpu), so a code hook ends each run before one, reading instructions
     * through the page tables at fp_root. */
    bool riscv;
    uc_hook fp_hook;
    uint64_t fp_root;
    uint64_t fp_page_va;      /* the code page translated last, while fp_page_pa is not ~0 */
    uint64_t fp_page_pa;
} mk_cpu;

/* The exchange area between JavaScript and mk_cpu_run_context (one process-wide: the emulator runs
 * one engine at a time): the context in, the context out, and the run's result. */
typedef struct mk_exchange {
    uint64_t context[MK_MAX_CONTEXT];
    double ran;               /* instructions the last run retired (exact below 2^53) */
} mk_exchange;

static mk_exchange exchange;

/* Runs before the block executes, and a stop requested here ends the run before its first
 * instruction: so the budget is checked before a block and a block is counted only if it runs. */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    mk_cpu *cpu = user;
    if (cpu->executed >= cpu->limit) {
        uc_emu_stop(uc);
        return;
    }
    if (!cpu->stepping) {
        cpu->executed += (size + cpu->insn_bytes - 1) / cpu->insn_bytes;
        cpu->block_start = address;
        cpu->block_end = address + size;
    }
}

/* Single-stepping: runs before each instruction, and a stop here ends the run before it. */
static void on_step(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    mk_cpu *cpu = user;
    if (cpu->executed >= cpu->limit) {
        uc_emu_stop(uc);
        return;
    }
    cpu->executed++;
    cpu->block_start = address;
    cpu->block_end = address + size;
}

/* Stage-1 walk of the emulator's own tables (emulator/page-table.ts: 4 KiB pages only): AArch64
 * VMSAv8-64 with four levels, RISC-V Sv39 with three; ~0 if va is not mapped. */
static uint64_t translate(const mk_cpu *cpu, uint64_t va)
{
    uint64_t table = cpu->fp_root;
    int levels = cpu->riscv ? 3 : 4;
    for (int level = 0; level < levels; level++) {
        uint64_t pte;
        uint64_t index = (va >> (12 + 9 * (levels - 1 - level))) & 511;
        if (uc_mem_read(cpu->uc, table + index * 8, &pte, 8) != UC_ERR_OK) {
            return ~0ull;
        }
        if (cpu->riscv) {
            if ((pte & 1) == 0) {
                return ~0ull;
            }
            table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
        } else {
            if ((pte & 3) != 3) {
                return ~0ull;
            }
            table = pte & 0x0000fffffffff000ull;
        }
    }
    return table | (va & 0xfff);
}

/* The 16-bit halfword of user code at va, through the cached translation of its page. */
static bool code_halfword(mk_cpu *cpu, uint64_t va, uint16_t *out)
{
    uint64_t page = va & ~0xfffull;
    if (cpu->fp_page_pa == ~0ull || cpu->fp_page_va != page) {
        cpu->fp_page_va = page;
        cpu->fp_page_pa = translate(cpu, page);
    }
    return cpu->fp_page_pa != ~0ull && uc_mem_read(cpu->uc, cpu->fp_page_pa | (va & 0xfff), out, 2) == UC_ERR_OK;
}

/* A64 instructions that CPACR_EL1.FPEN traps (Arm ARM C4.1): SIMD and FP data processing
 * (op0 = x111), loads and stores of SIMD and FP registers (op0 = x1x0 with V set), MRS and MSR
 * of FPCR and FPSR. */
static bool arm64_is_fp(uint32_t insn)
{
    return ((insn >> 25) & 7) == 7 || (((insn >> 25) & 5) == 4 && ((insn >> 26) & 1) == 1) ||
           (insn & 0xffdfffc0u) == 0xd51b4400u;
}

/* RV64GC instructions that sstatus.FS = Off makes illegal (Unprivileged ISA, opcode map and the
 * F, D and C chapters): LOAD-FP, STORE-FP, the fused multiply-adds, OP-FP, the CSR instructions on
 * fflags, frm and fcsr (0x001-0x003), and C.FLD, C.FSD, C.FLDSP, C.FSDSP. */
static bool riscv_is_fp(uint32_t insn, bool compressed)
{
    if (compressed) {
        uint32_t quadrant = insn & 3, funct3 = (insn >> 13) & 7;
        return (quadrant == 0 || quadrant == 2) && (funct3 == 1 || funct3 == 5);
    }
    switch (insn & 0x7f) {
    case 0x07: case 0x27: case 0x43: case 0x47: case 0x4b: case 0x4f: case 0x53:
        return true;
    case 0x73: {
        uint32_t funct3 = (insn >> 12) & 7, csr = insn >> 20;
        return funct3 != 0 && funct3 != 4 && csr >= 1 && csr <= 3;
    }
    default:
        return false;
    }
}

/* Before each instruction while the FPU is disabled: an FP one ends the run before it
 * (MK_EXIT_FP_TRAP), and the rest of its block is taken off the count. */
static void on_fp_check(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    mk_cpu *cpu = user;
    uint16_t lo, hi = 0;
    (void)size;
    if (!code_halfword(cpu, address, &lo)) {
        return;
    }
    bool compressed = cpu->riscv && (lo & 3) != 3;
    if (!compressed && !code_halfword(cpu, address + 2, &hi)) {
        return;
    }
    uint32_t insn = lo | ((uint32_t)hi << 16);
    if (!(cpu->riscv ? riscv_is_fp(insn, compressed) : arm64_is_fp(insn))) {
        return;
    }
    if (address >= cpu->block_start && address < cpu->block_end) {
        uint64_t undone = (cpu->block_end - address + cpu->insn_bytes - 1) / cpu->insn_bytes;
        cpu->executed -= undone < cpu->executed ? undone : cpu->executed;
        cpu->block_start = cpu->block_end = 0;
    }
    cpu->reason = MK_EXIT_FP_TRAP;
    uc_emu_stop(uc);
}

/* FP instructions end runs from now on (on != 0) or run (0); `root` is the guest-physical
 * translation table the engine walks. Code translated before is dropped either way. */
int32_t mk_cpu_set_fp_trap(mk_cpu *cpu, int32_t on, uint64_t root)
{
    uc_err err = UC_ERR_OK;
    cpu->fp_root = root;
    cpu->fp_page_pa = ~0ull;
    if (on && cpu->fp_hook == 0) {
        err = uc_hook_add(cpu->uc, &cpu->fp_hook, UC_HOOK_CODE, (void *)on_fp_check, cpu, 1, 0);
        if (err == UC_ERR_OK) {
            err = uc_ctl_flush_tlb(cpu->uc); /* UC_CTL_TB_FLUSH: code translated without the hook goes */
        }
    } else if (!on && cpu->fp_hook != 0) {
        err = uc_hook_del(cpu->uc, cpu->fp_hook); /* drops the code translated with it */
        cpu->fp_hook = 0;
    }
    return err;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    mk_cpu *cpu = user;
    cpu->reason = MK_EXIT_INTERRUPT;
    cpu->intno = intno;
    uc_emu_stop(uc);
    /* A replay's memory hook goes while the run is still on: the engine drops deleted hooks when
     * uc_emu_start returns (uc.c, clear_deleted_hooks), and until then code it translates uses
     * the slow path for every access, as if the hook were live (tcg-target.inc.c tests only
     * whether any memory hook is listed). */
    if (cpu->replay_hook != 0) {
        uc_hook_del(uc, cpu->replay_hook);
        cpu->replay_hook = 0;
    }
}

static bool on_invalid_memory(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                              void *user)
{
    mk_cpu *cpu = user;
    (void)uc; (void)size; (void)value;
    cpu->reason = MK_EXIT_MEMORY;
    cpu->access = type;
    cpu->address = address;
    return false; /* let the engine abort the access; mk_cpu_run reports it */
}

/* Replay: every data access, before the engine translates its address (qemu/accel/tcg/cputlb.c,
 * load_helper and store_helper call the hooks first), so the last one seen is the one that faulted. */
static void on_replay_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                             void *user)
{
    mk_cpu *cpu = user;
    (void)uc; (void)value;
    cpu->replay_accesses++;
    cpu->replay_type = type;
    cpu->replay_address = address;
    cpu->replay_size = (uint32_t)size;
}

mk_cpu *mk_cpu_new(uc_engine *uc, uint32_t insn_bytes)
{
    mk_cpu *cpu = aligned_alloc(64, (sizeof(*cpu) + 63) / 64 * 64);
    if (cpu == NULL) {
        return NULL;
    }
    memset(cpu, 0, sizeof(*cpu));
    cpu->uc = uc;
    cpu->insn_bytes = insn_bytes;
    uc_arch arch;
    cpu->riscv = uc_ctl_get_arch(uc, &arch) == UC_ERR_OK && arch == UC_ARCH_RISCV;
    /* Exits instead of uc_emu_start's `until`, and none of them: a run ends only through the hooks.
     * With `until`, every run's end drops the translated code at until - 1 (qemu/softmmu/cpus.c,
     * uc_exit_invalidate_iter), which under the MMU costs a failing page walk per run. */
    if (uc_ctl_exits_enable(uc) != UC_ERR_OK ||
        uc_hook_add(uc, &cpu->hooks[0], UC_HOOK_BLOCK, (void *)on_block, cpu, 1, 0) != UC_ERR_OK ||
        uc_hook_add(uc, &cpu->hooks[1], UC_HOOK_INTR, (void *)on_interrupt, cpu, 1, 0) != UC_ERR_OK ||
        uc_hook_add(uc, &cpu->hooks[2], UC_HOOK_MEM_INVALID, (void *)on_invalid_memory, cpu, 1, 0) != UC_ERR_OK) {
        free(cpu);
        return NULL;
    }
    return cpu;
}

void mk_cpu_free(mk_cpu *cpu)
{
    free(cpu);
}

/* Runs from pc until the guest traps, faults, or has retired `budget` more instructions: whole
 * blocks, so it may run past the budget by the rest of a block, except that a budget of 1 executes
 * exactly one instruction. */
static uint32_t run(mk_cpu *cpu, uint64_t pc, uint64_t budget);

uint32_t mk_cpu_run(mk_cpu *cpu, uint64_t pc, uint64_t budget)
{
    cpu->shadow_valid = false; /* the guest may change any register */
    return run(cpu, pc, budget);
}


static uint32_t run(mk_cpu *cpu, uint64_t pc, uint64_t budget)
{
    uc_hook step = 0;
    cpu->reason = MK_EXIT_LIMIT;
    cpu->limit = cpu->executed + budget;
    cpu->fp_page_pa = ~0ull; /* the tables may have changed since the last run */
    cpu->stepping = budget == 1;
    cpu->block_start = cpu->block_end = 0;
    if (cpu->stepping) {
        /* A code hook reaches only code translated after it is added: drop the cached block at pc.
         * Deleting the hook drops every block translated with it, so later runs are unhooked. */
        cpu->error = uc_hook_add(cpu->uc, &step, UC_HOOK_CODE, (void *)on_step, cpu, 1, 0);
        if (cpu->error == UC_ERR_OK) {
            cpu->error = uc_ctl_remove_cache(cpu->uc, pc, pc + 1);
        }
        if (cpu->error != UC_ERR_OK) {
            if (step != 0) {
                uc_hook_del(cpu->uc, step);
            }
            cpu->reason = MK_EXIT_ERROR;
            return cpu->reason;
        }
    }
    cpu->error = uc_emu_start(cpu->uc, pc, 0, 0, 0);
    if (step != 0) {
        uc_hook_del(cpu->uc, step);
    }
    if (cpu->error != UC_ERR_OK && cpu->reason == MK_EXIT_LIMIT) {
        cpu->reason = MK_EXIT_ERROR;
    }
    return cpu->reason;
}

/* The registers of a thread context, in its order (engine ids); returns 0, or -1 if too many. */
int32_t mk_cpu_set_context(mk_cpu *cpu, const int32_t *ids, int32_t count, int32_t pc_index)
{
    if (count <= 0 || count > MK_MAX_CONTEXT || pc_index < 0 || pc_index >= count) {
        return -1;
    }
    cpu->context_count = count;
    cpu->pc_index = pc_index;
    for (int32_t i = 0; i < count; i++) {
        cpu->context_ids[i] = ids[i];
        cpu->context_ptrs[i] = &cpu->shadow[i];
    }
    cpu->shadow_valid = false;
    return 0;
}

mk_exchange *mk_exchange_area(void) { return &exchange; }

/* One whole run in one call: the context in exchange.context goes into the engine (only registers
 * that differ from what the engine holds), the thread runs from its pc as mk_cpu_run, and its
 * registers come back into exchange.context, with the instructions retired in exchange.ran.
 * Returns the exit reason, and for MK_EXIT_INTERRUPT the exception number times 256 added. */
uint32_t mk_cpu_run_context(mk_cpu *cpu, double budget)
{
    uint32_t reason;
    int32_t n = cpu->context_count;
    for (int32_t i = 0; i < n; i++) {
        uint64_t v = exchange.context[i];
        if (i == cpu->pc_index || (cpu->shadow_valid && cpu->shadow[i] == v)) {
            continue;
        }
        cpu->error = uc_reg_write(cpu->uc, cpu->context_ids[i], &v);
        if (cpu->error != UC_ERR_OK) {
            cpu->shadow_valid = false;
            cpu->reason = MK_EXIT_ERROR;
            return cpu->reason;
        }
        cpu->shadow[i] = v;
    }
    cpu->run_start = cpu->executed;
    cpu->shadow_valid = false;
    reason = run(cpu, exchange.context[cpu->pc_index], (uint64_t)budget);
    if (uc_reg_read_batch(cpu->uc, cpu->context_ids, cpu->context_ptrs, n) == UC_ERR_OK) {
        cpu->shadow_valid = true;
        memcpy(exchange.context, cpu->shadow, sizeof(uint64_t) * (size_t)n);
    } else if (reason != MK_EXIT_ERROR) {
        cpu->reason = reason = MK_EXIT_ERROR;
    }
    exchange.ran = (double)(cpu->executed - cpu->run_start);
    return reason == MK_EXIT_INTERRUPT ? reason + (cpu->intno << 8) : reason;
}

/* Instructions retired since the last mk_cpu_run_context began (after mk_cpu_unretire, say). */
double mk_cpu_ran(const mk_cpu *cpu) { return (double)(cpu->executed - cpu->run_start); }

/* After a fault at pc inside the block counted last: that block was counted whole before it ran,
 * but neither the faulting instruction nor the rest of the block retired (they run again when the
 * thread resumes at pc). Takes them off the count. */
void mk_cpu_unretire(mk_cpu *cpu, uint64_t pc)
{
    if (pc >= cpu->block_start && pc < cpu->block_end) {
        uint64_t undone = (cpu->block_end - pc + cpu->insn_bytes - 1) / cpu->insn_bytes;
        cpu->executed -= undone < cpu->executed ? undone : cpu->executed;
        cpu->block_start = cpu->block_end = 0;
    }
}

/* Executes the instruction at pc once more, with the registers exactly as it faulted with, and
 * records its data accesses. The same translation and the same page tables fault again at the same
 * access, so nothing is written and no register changes; the instruction count is left as it was.
 * Returns the run's exit reason (MK_EXIT_INTERRUPT with the same intno when all went as expected). */
uint32_t mk_cpu_replay(mk_cpu *cpu, uint64_t pc)
{
    uint64_t executed = cpu->executed;
    uint32_t reason;
    cpu->replay_accesses = 0;
    cpu->error = uc_hook_add(cpu->uc, &cpu->replay_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                             (void *)on_replay_access, cpu, 1, 0);
    if (cpu->error != UC_ERR_OK) {
        cpu->replay_hook = 0;
        cpu->reason = MK_EXIT_ERROR;
        return cpu->reason;
    }
    reason = mk_cpu_run(cpu, pc, 1); /* on_interrupt deletes the hook */
    if (cpu->replay_hook != 0) {
        /* No fault this time (a bug the caller reports): the hook lingers until the next run. */
        uc_hook_del(cpu->uc, cpu->replay_hook);
        cpu->replay_hook = 0;
    }
    /* The single-instruction block translated for the replay has slow-path accesses: drop it. */
    uc_ctl_remove_cache(cpu->uc, pc, pc + 1);
    cpu->executed = executed;
    return reason;
}

/* Accessors, so JavaScript need not mirror the struct layout. */
uint64_t mk_cpu_executed(const mk_cpu *cpu) { return cpu->executed; }
uint32_t mk_cpu_intno(const mk_cpu *cpu) { return cpu->intno; }
uint32_t mk_cpu_access(const mk_cpu *cpu) { return cpu->access; }
uint64_t mk_cpu_address(const mk_cpu *cpu) { return cpu->address; }
int32_t mk_cpu_error(const mk_cpu *cpu) { return cpu->error; }
uint32_t mk_cpu_replay_accesses(const mk_cpu *cpu) { return cpu->replay_accesses; }
uint32_t mk_cpu_replay_type(const mk_cpu *cpu) { return cpu->replay_type; }
uint64_t mk_cpu_replay_address(const mk_cpu *cpu) { return cpu->replay_address; }
uint32_t mk_cpu_replay_size(const mk_cpu *cpu) { return cpu->replay_size; }

/* uc_ctl is variadic; these give it fixed signatures. */
int32_t mk_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end)
{
    return uc_ctl_remove_cache(uc, begin, end);
}

int32_t mk_set_cpu_model(uc_engine *uc, int32_t model)
{
    return uc_ctl_set_cpu_model(uc, model);
}

/* Register transfer in one FFI call: ids[i] <-> values[i]. */
int32_t mk_regs_read(mk_cpu *cpu, const int32_t *ids, uint64_t *values, int32_t count)
{
    uc_engine *uc = cpu->uc;
    for (int32_t i = 0; i < count; i++) {
        uc_err err = uc_reg_read(uc, ids[i], &values[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

int32_t mk_regs_write(mk_cpu *cpu, const int32_t *ids, const uint64_t *values, int32_t count)
{
    uc_engine *uc = cpu->uc;
    cpu->shadow_valid = false;
    for (int32_t i = 0; i < count; i++) {
        uc_err err = uc_reg_write(uc, ids[i], &values[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

/* Registers of differing widths in one call (the FP/SIMD state: 128-bit Q registers beside 32-bit
 * control registers): register i occupies buf[offsets[i], offsets[i + 1]). A read zeroes the slot
 * first, since the engine writes only as many bytes as the register has. */
int32_t mk_regs_read_bytes(mk_cpu *cpu, const int32_t *ids, const int32_t *offsets, int32_t count, uint8_t *buf)
{
    for (int32_t i = 0; i < count; i++) {
        memset(buf + offsets[i], 0, (size_t)(offsets[i + 1] - offsets[i]));
        uc_err err = uc_reg_read(cpu->uc, ids[i], buf + offsets[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

int32_t mk_regs_write_bytes(mk_cpu *cpu, const int32_t *ids, const int32_t *offsets, int32_t count, const uint8_t *buf)
{
    for (int32_t i = 0; i < count; i++) {
        uc_err err = uc_reg_write(cpu->uc, ids[i], buf + offsets[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

/* AArch64 system registers by encoding, through the engine's generic access (2.0.1 has no named id
 * for SPSR_EL1, SCR_EL3, HCR_EL2, TTBR0_EL1, ...). Writes go through the register's own write
 * function: a TTBR0_EL1 write that changes the ASID flushes the engine's TLB. */
int32_t mk_arm64_sysreg_write(uc_engine *uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2,
                              uint64_t value)
{
    uc_arm64_cp_reg reg = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = value };
    return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &reg);
}

int32_t mk_arm64_sysreg_read(uc_engine *uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2,
                             uint64_t *value)
{
    uc_arm64_cp_reg reg = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = 0 };
    uc_err err = uc_reg_read(uc, UC_ARM64_REG_CP_REG, &reg);
    *value = reg.val;
    return err;
}

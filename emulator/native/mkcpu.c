/*
 * Native half of the CPU backend: the per-block work that must not run in JavaScript.
 *
 * One mk_cpu wraps one Unicorn engine. Its hooks are C functions, so the engine never calls into
 * JavaScript on the instruction path: a block hook counts retired instructions and stops the engine
 * at the virtual-time deadline; the interrupt and invalid-memory hooks record why the guest stopped
 * and end the run. JavaScript reads the exit record after mk_cpu_run returns. (MMIO is the only
 * JavaScript callback, registered separately through uc_mmio_map.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <unicorn/unicorn.h>

enum mk_exit_reason {
    MK_EXIT_LIMIT = 0,     /* instruction budget used up (or stopped from outside) */
    MK_EXIT_INTERRUPT = 1, /* exception: syscall trap, undefined instruction, ... (intno) */
    MK_EXIT_MEMORY = 2,    /* invalid access: unmapped or protection (access, address) */
    MK_EXIT_ERROR = 3,     /* uc_emu_start returned another error (error) */
};

typedef struct mk_cpu {
    uc_engine *uc;
    uint64_t executed;   /* instructions retired so far, counted per block */
    uint64_t limit;      /* stop once executed reaches this */
    uint32_t insn_bytes; /* divisor turning block bytes into instructions */
    uint32_t reason;
    uint32_t intno;
    uint32_t access;     /* uc_mem_type of a memory exit */
    uint64_t address;    /* fault address of a memory exit */
    int32_t error;       /* uc_err of the run */
    bool stepping;       /* this run counts per instruction (a code hook), not per block */
    uc_hook hooks[3];
} mk_cpu;

/* Runs before the block executes, and a stop requested here ends the run before its first
 * instruction: so the budget is checked before a block and a block is counted only if it runs. */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    mk_cpu *cpu = user;
    (void)address;
    if (cpu->executed >= cpu->limit) {
        uc_emu_stop(uc);
        return;
    }
    if (!cpu->stepping) {
        cpu->executed += (size + cpu->insn_bytes - 1) / cpu->insn_bytes;
    }
}

/* Single-stepping: runs before each instruction, and a stop here ends the run before it. */
static void on_step(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    mk_cpu *cpu = user;
    (void)address; (void)size;
    if (cpu->executed >= cpu->limit) {
        uc_emu_stop(uc);
        return;
    }
    cpu->executed++;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    mk_cpu *cpu = user;
    cpu->reason = MK_EXIT_INTERRUPT;
    cpu->intno = intno;
    uc_emu_stop(uc);
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

mk_cpu *mk_cpu_new(uc_engine *uc, uint32_t insn_bytes)
{
    mk_cpu *cpu = calloc(1, sizeof(*cpu));
    if (cpu == NULL) {
        return NULL;
    }
    cpu->uc = uc;
    cpu->insn_bytes = insn_bytes;
    if (uc_hook_add(uc, &cpu->hooks[0], UC_HOOK_BLOCK, (void *)on_block, cpu, 1, 0) != UC_ERR_OK ||
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
 * exactly one instruction. `until` must be an address no guest code reaches (the engine
 * retranslates the block before it). */
uint32_t mk_cpu_run(mk_cpu *cpu, uint64_t pc, uint64_t until, uint64_t budget)
{
    uc_hook step = 0;
    cpu->reason = MK_EXIT_LIMIT;
    cpu->limit = cpu->executed + budget;
    cpu->stepping = budget == 1;
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
    cpu->error = uc_emu_start(cpu->uc, pc, until, 0, 0);
    if (step != 0) {
        uc_hook_del(cpu->uc, step);
    }
    if (cpu->error != UC_ERR_OK && cpu->reason == MK_EXIT_LIMIT) {
        cpu->reason = MK_EXIT_ERROR;
    }
    return cpu->reason;
}

/* Accessors, so JavaScript need not mirror the struct layout. */
uint64_t mk_cpu_executed(const mk_cpu *cpu) { return cpu->executed; }
uint32_t mk_cpu_intno(const mk_cpu *cpu) { return cpu->intno; }
uint32_t mk_cpu_access(const mk_cpu *cpu) { return cpu->access; }
uint64_t mk_cpu_address(const mk_cpu *cpu) { return cpu->address; }
int32_t mk_cpu_error(const mk_cpu *cpu) { return cpu->error; }

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
int32_t mk_regs_read(uc_engine *uc, const int32_t *ids, uint64_t *values, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        uc_err err = uc_reg_read(uc, ids[i], &values[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

int32_t mk_regs_write(uc_engine *uc, const int32_t *ids, const uint64_t *values, int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        uc_err err = uc_reg_write(uc, ids[i], &values[i]);
        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

/* AArch64 system registers the engine has no named id for (SPSR_EL1 in 2.0.1), by encoding. */
int32_t mk_arm64_sysreg_write(uc_engine *uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm, uint32_t op2,
                              uint64_t value)
{
    uc_arm64_cp_reg reg = { .crn = crn, .crm = crm, .op0 = op0, .op1 = op1, .op2 = op2, .val = value };
    return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &reg);
}

/*
 * Probe: what one guest store costs in the installed Unicorn engine, against one guest load.
 *
 *   cc -O2 -o /tmp/guest-stores bench/probes/guest-stores.c -lunicorn && /tmp/guest-stores
 *
 * An AArch64 loop of eight 8-byte stores (then eight loads) to a data page, 10 million times, no
 * hooks. Unicorn 2.0.1 sends every store to RAM down its slow path (the TLB entry of a writable RAM
 * page always carries TLB_NOTDIRTY there, and notdirty_write allocates and frees a page collection
 * to look for translated code on the page), so a store costs about a hundred times a load. Every
 * IPC round trip of a PD stores a handful of registers (stack frames, the IPC buffer's MRs), which
 * puts a floor under the emulator's syscall cost: bench/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unicorn/unicorn.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    /* str x2, [x0, #8k] for k = 0..7 (or ldr x2, ...); subs x1, x1, #1; b.ne back to the start. */
    static const uint32_t stores[] = { 0xf9000002, 0xf9000402, 0xf9000802, 0xf9000c02, 0xf9001002,
                                       0xf9001402, 0xf9001802, 0xf9001c02, 0xf1000421, 0x54fffee1 };
    static const uint32_t loads[] = { 0xf9400002, 0xf9400402, 0xf9400802, 0xf9400c02, 0xf9401002,
                                      0xf9401402, 0xf9401802, 0xf9401c02, 0xf1000421, 0x54fffee1 };
    const uint64_t code = 0x10000, data = 0x18000, rounds = 10000000;
    uc_engine *uc;
    if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK ||
        uc_mem_map(uc, code, 0x8000, UC_PROT_ALL) != UC_ERR_OK ||
        uc_mem_map(uc, data, 0x8000, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK) {
        fprintf(stderr, "guest-stores: cannot set up the engine\n");
        return 1;
    }
    for (int pass = 0; pass < 2; pass++) {
        const uint32_t *loop = pass == 0 ? stores : loads;
        uint64_t x0 = data, x1 = rounds;
        uc_mem_write(uc, code, loop, sizeof stores);
        uc_ctl_remove_cache(uc, code, code + 0x1000);
        uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
        uc_reg_write(uc, UC_ARM64_REG_X1, &x1);
        double t = now();
        if (uc_emu_start(uc, code, code + sizeof stores, 0, 0) != UC_ERR_OK) {
            fprintf(stderr, "guest-stores: the loop did not run\n");
            return 1;
        }
        t = now() - t;
        printf("%s: %.1f ns each\n", pass == 0 ? "guest store" : "guest load", t * 1e9 / (double)(rounds * 8));
    }
    uc_close(uc);
    return 0;
}

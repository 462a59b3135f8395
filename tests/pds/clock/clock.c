/*
 * Reads the generic timer from EL0 as Microkit's AArch64 configs export it (physical counter and
 * timer), then touches the virtual counter, which is not exported and must trap.
 * On RISC-V there is nothing to read here; the PD only says so.
 */
#include <microkit.h>

#if defined(__aarch64__)
#define READ(reg, v) __asm__ volatile("mrs %0, " reg : "=r"(v))
#define WRITE(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"(v))
#endif

#if defined(__aarch64__)
static void put_hex(unsigned long v)
{
    static const char digits[] = "0123456789abcdef";
    microkit_dbg_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        microkit_dbg_putc(digits[(v >> shift) & 0xf]);
    }
}

#endif

void init(void)
{
#if defined(__aarch64__)
    unsigned long freq, t0, t1, ctl;
    READ("cntfrq_el0", freq);
    READ("cntpct_el0", t0);
    for (volatile int i = 0; i < 1000; i++) {
    }
    READ("cntpct_el0", t1);
    microkit_dbg_puts("clock: frequency ");
    put_hex(freq);
    microkit_dbg_puts(t1 > t0 ? "\nclock: counter advanced\n" : "\nclock: counter stuck\n");
    /* Arm the physical timer in the past: ISTATUS (bit 2) must read as set. */
    WRITE("cntp_cval_el0", t0);
    WRITE("cntp_ctl_el0", 1UL);
    READ("cntp_ctl_el0", ctl);
    microkit_dbg_puts("clock: ctl ");
    put_hex(ctl);
    microkit_dbg_puts("\nclock: reading the virtual counter\n");
    READ("cntvct_el0", t0);
    microkit_dbg_puts("clock: virtual counter read without a trap\n");
#else
    microkit_dbg_puts("clock: no user-mode timer registers on this architecture\n");
#endif
}

void notified(microkit_channel ch)
{
    (void)ch;
}

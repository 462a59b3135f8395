/*
 * A PD that misbehaves on purpose: which fault it raises is chosen by its SDF name, so one ELF
 * serves a whole system of faulting PDs (tests/e2e/faults.test.ts).
 */
#include <microkit.h>

static int named(const char *want)
{
    const char *have = microkit_name;
    while (*want != '\0' && *have == *want) {
        have++;
        want++;
    }
    return *want == '\0' && *have == '\0';
}

/* A word of data, to try executing. */
static volatile unsigned int data_word = 0;

void init(void)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": faulting\n");
    if (named("read_unmapped")) {
        (void)*(volatile unsigned long *)0x10000000UL;
    } else if (named("write_text")) {
        *(volatile unsigned int *)(void *)&init = 0;
    } else if (named("exec_data")) {
        ((void (*)(void))(unsigned long)&data_word)();
    } else if (named("privileged")) {
#if defined(__aarch64__)
        unsigned long v;
        __asm__ volatile("mrs %0, sctlr_el1" : "=r"(v));
#else
        unsigned long v;
        __asm__ volatile("csrr %0, mstatus" : "=r"(v));
#endif
        (void)v;
    } else if (named("unknown_syscall")) {
#if defined(__aarch64__)
        register unsigned long num __asm__("x7") = 100;
        __asm__ volatile("svc #0" : : "r"(num) : "memory");
#else
        register unsigned long num __asm__("a7") = 100;
        __asm__ volatile("ecall" : : "r"(num) : "memory");
#endif
    } else if (named("no_fpu")) {
        /* An FP instruction in a PD whose FPU the system description disables. */
#if defined(__aarch64__)
        __asm__ volatile("fmov d0, xzr" : : : "v0");
#else
        __asm__ volatile("fmv.d.x ft0, zero" : : : "ft0");
#endif
    }
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts(": still running\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

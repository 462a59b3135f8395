/*
 * A timer driver PD: three ticks 1 ms apart, each an interrupt delivered through the kernel's IRQ
 * handler to notified(), acknowledged with microkit_irq_ack. AArch64 uses the EL0 physical timer
 * (exported by Microkit's configs, PPI IRQ 30); RISC-V the Goldfish RTC of QEMU virt, mapped at
 * `rtc` (IRQ 11). The times printed are virtual, so they are exact and the same every run.
 */
#include <microkit.h>

#define TIMER_IRQ 0
#define PERIOD_NS 1000000UL
#define TICKS 3

static int ticks = 0;

static void put_dec(unsigned long v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        microkit_dbg_putc(buf[--n]);
    }
}

#if defined(__aarch64__)
static unsigned long freq;

static unsigned long now_ns(void)
{
    unsigned long count;
    __asm__ volatile("mrs %0, cntpct_el0" : "=r"(count));
    return count * 1000000000UL / freq; /* exact for the first ~5 minutes at 62.5 MHz */
}

static void arm(void)
{
    unsigned long ticks_per_period = freq * PERIOD_NS / 1000000000UL;
    __asm__ volatile("msr cntp_tval_el0, %0" : : "r"(ticks_per_period));
    __asm__ volatile("msr cntp_ctl_el0, %0" : : "r"(1UL));
}

static void disarm(void)
{
    __asm__ volatile("msr cntp_ctl_el0, %0" : : "r"(0UL));
}

static void setup(void)
{
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
}
#else
/* Patched by the SDF's setvar_vaddr. */
uintptr_t rtc;

#define RTC_REG(off) (*(volatile uint32_t *)(rtc + (off)))
#define TIME_LOW 0x00
#define TIME_HIGH 0x04
#define ALARM_LOW 0x08
#define ALARM_HIGH 0x0c
#define IRQ_ENABLED 0x10
#define CLEAR_INTERRUPT 0x1c

static unsigned long now_ns(void)
{
    unsigned long low = RTC_REG(TIME_LOW);
    unsigned long high = RTC_REG(TIME_HIGH);
    return (high << 32) | low;
}

static void arm(void)
{
    unsigned long at = now_ns() + PERIOD_NS;
    RTC_REG(ALARM_HIGH) = (uint32_t)(at >> 32);
    RTC_REG(ALARM_LOW) = (uint32_t)at;
}

static void disarm(void)
{
    RTC_REG(IRQ_ENABLED) = 0;
}

static void setup(void)
{
    RTC_REG(IRQ_ENABLED) = 1;
}
#endif

void init(void)
{
    setup();
    microkit_dbg_puts("ticker: start at ");
    put_dec(now_ns() / 1000UL);
    microkit_dbg_puts(" us\n");
    arm();
}

void notified(microkit_channel ch)
{
    if (ch != TIMER_IRQ) {
        return;
    }
#if !defined(__aarch64__)
    RTC_REG(CLEAR_INTERRUPT) = 1;
#endif
    ticks++;
    microkit_dbg_puts("ticker: tick ");
    put_dec((unsigned long)ticks);
    microkit_dbg_puts(" at ");
    put_dec(now_ns() / 1000UL);
    microkit_dbg_puts(" us\n");
    if (ticks < TICKS) {
        arm();
    } else {
        disarm();
    }
    microkit_irq_ack(ch);
}

/*
 * A timer driver PD for the ODROID-C4's Meson timer block, written the way upstream Microkit's
 * odroidc4 `timer` example drives it: the 4 KiB page at 0xffd0f000 is mapped at `timer_regs`
 * (setvar_vaddr), the registers start at 0x140 (ISA_TIMER_MUX), timer E is a 1 us timestamp read
 * as high/low/high, and timer A (IRQ 42) gives the timeouts. It takes a one-shot timeout, three
 * periodic ones and a last one-shot in a coarser timebase, and prints the timestamp of each. The
 * clock is virtual, so every timestamp is the programmed time, the same on every run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <microkit.h>

#define TIMER_IRQ_CH 0

/* Byte offset of ISA_TIMER_MUX in the mapped page. */
#define TIMER_REG_START 0x140

/* ISA_TIMER_MUX fields */
#define TIMER_A_INPUT_CLK 0
#define TIMER_A_INPUT_MASK (3u << TIMER_A_INPUT_CLK)
#define TIMER_E_INPUT_CLK 8
#define TIMER_A_EN (1u << 16)
#define TIMER_A_MODE (1u << 12)

#define TIMESTAMP_TIMEBASE_1_US 1u
#define TIMEOUT_TIMEBASE_1_US 0u
#define TIMEOUT_TIMEBASE_100_US 2u
#define TIMEOUT_TIMEBASE_1_MS 3u

#define PERIODIC_TICKS 3

struct meson_timer_regs {
    uint32_t mux;        /* 0x140 ISA_TIMER_MUX */
    uint32_t timer_a;    /* 0x144 ISA_TIMERA */
    uint32_t timer_b;
    uint32_t timer_c;
    uint32_t timer_d;
    uint32_t unused[13];
    uint32_t timer_e;    /* 0x188 ISA_TIMERE */
    uint32_t timer_e_hi; /* 0x18c ISA_TIMERE_HI */
    uint32_t mux1;       /* 0x190 ISA_TIMER_MUX1 */
    uint32_t timer_f;
    uint32_t timer_g;
    uint32_t timer_h;
    uint32_t timer_i;
};

/* Patched by the SDF's setvar_vaddr. */
uintptr_t timer_regs;

static volatile struct meson_timer_regs *regs;
static int interrupts;

static void put_dec(uint64_t v)
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

/* Timer E in microseconds; re-reads the low half if the high half moved meanwhile. */
static uint64_t now_us(void)
{
    uint64_t initial_high = regs->timer_e_hi;
    uint64_t low = regs->timer_e;
    uint64_t high = regs->timer_e_hi;
    if (high != initial_high) {
        low = regs->timer_e;
    }
    return (high << 32) | low;
}

static void set_timebase(uint32_t timebase)
{
    regs->mux = (regs->mux & ~TIMER_A_INPUT_MASK) | (timebase << TIMER_A_INPUT_CLK);
}

static void set_timeout(uint16_t ticks, bool periodic)
{
    if (periodic) {
        regs->mux |= TIMER_A_MODE;
    } else {
        regs->mux &= ~TIMER_A_MODE;
    }
    regs->timer_a = ticks;
    regs->mux |= TIMER_A_EN;
}

static void stop_timer(void)
{
    regs->mux &= ~TIMER_A_EN;
}

/* Prints " at <at> us" and ends the line. */
static void at_us(uint64_t at)
{
    microkit_dbg_puts(" at ");
    put_dec(at);
    microkit_dbg_puts(" us\n");
}

void init(void)
{
    regs = (volatile struct meson_timer_regs *)(timer_regs + TIMER_REG_START);
    /* Timer A enabled before it is loaded, as upstream's example does: it must not fire yet. */
    regs->mux = TIMER_A_EN | (TIMESTAMP_TIMEBASE_1_US << TIMER_E_INPUT_CLK) | (TIMEOUT_TIMEBASE_1_US << TIMER_A_INPUT_CLK);
    regs->timer_e = 0;
    set_timeout(500, false);
    microkit_dbg_puts("timer: start, one-shot of 500 x 1 us");
    at_us(now_us());
}

void notified(microkit_channel ch)
{
    if (ch != TIMER_IRQ_CH) {
        microkit_dbg_puts("timer: unexpected channel\n");
        return;
    }
    /* Read the time and arm the next timeout first, so printing does not delay it. */
    uint64_t at = now_us();
    interrupts++;
    if (interrupts == 1) {
        set_timebase(TIMEOUT_TIMEBASE_1_MS);
        set_timeout(2, true);
        microkit_dbg_puts("timer: one-shot fired, periodic 2 x 1 ms");
        at_us(at);
    } else if (interrupts <= 1 + PERIODIC_TICKS) {
        if (interrupts == 1 + PERIODIC_TICKS) {
            stop_timer();
            set_timebase(TIMEOUT_TIMEBASE_100_US);
            set_timeout(5, false);
        }
        microkit_dbg_puts("timer: periodic tick ");
        put_dec((uint64_t)(interrupts - 1));
        at_us(at);
        if (interrupts == 1 + PERIODIC_TICKS) {
            microkit_dbg_puts("timer: stopped; one-shot of 5 x 100 us\n");
        }
    } else {
        stop_timer();
        microkit_dbg_puts("timer: one-shot fired, done");
        at_us(at);
    }
    microkit_irq_ack(ch);
}

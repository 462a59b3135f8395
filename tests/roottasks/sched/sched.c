/*
 * Scheduling contexts and interrupts: two threads spin on budgets of 100 us and 250 us per 10 ms while
 * the root task sleeps on the board's RTC interrupt, taken through IRQ control, for one second of
 * virtual time; then each SC's consumed time shows its share. Also IRQ control's refusals.
 */
#include "roottask.h"

#if defined(SEL4_ARCH_AARCH64)
/* QEMU virt: PL031 at 0x9010000, SPI 2. */
#define RTC_PADDR 0x9010000ul
#define RTC_IRQ 34
#define KERNEL_TIMER_IRQ 27
#define MAX_IRQ 159
#else
/* QEMU virt: Goldfish RTC at 0x101000, PLIC source 11. */
#define RTC_PADDR 0x101000ul
#define RTC_IRQ 11
#define KERNEL_TIMER_IRQ 96
#define MAX_IRQ 96
#endif
#define RTC_VADDR 0x60000000ul

static rt_thread_t a, b;
static volatile unsigned long spins[2];

static void spin(rt_thread_t *t)
{
    for (;;) spins[t->arg]++;
}

static volatile unsigned *rtc(unsigned offset)
{
    return (volatile unsigned *)(RTC_VADDR + offset);
}

/* An interrupt in one second. */
static void rtc_arm(void)
{
#if defined(SEL4_ARCH_AARCH64)
    *rtc(0x04) = *rtc(0x00) + 1; /* RTCMR := RTCDR + 1 */
    *rtc(0x10) = 1;              /* RTCIMSC */
#else
    unsigned lo = *rtc(0x00), hi = *rtc(0x04);
    unsigned long alarm = (((unsigned long)hi << 32) | lo) + 1000000000ul;
    *rtc(0x10) = 1;                       /* IRQ_ENABLED */
    *rtc(0x0c) = (unsigned)(alarm >> 32); /* ALARM_HIGH, then ALARM_LOW sets it */
    *rtc(0x08) = (unsigned)alarm;
#endif
}

static void rtc_clear(void)
{
#if defined(SEL4_ARCH_AARCH64)
    *rtc(0x1c) = 1; /* RTCICR */
#else
    *rtc(0x1c) = 1; /* CLEAR_INTERRUPT */
#endif
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    seL4_CPtr frame = rt_device_frame(RTC_PADDR);
    CHECK(frame != seL4_CapNull);
    CHECK_ERR(rt_map(frame, seL4_CapInitThreadVSpace, RTC_VADDR, seL4_ReadWrite, RT_XN), seL4_NoError);

    seL4_CPtr irq = rt_slot(), ntfn = rt_alloc(seL4_NotificationObject, 0);
    CHECK_ERR(seL4_IRQControl_Get(seL4_CapIRQControl, KERNEL_TIMER_IRQ, seL4_CapInitThreadCNode, irq, seL4_WordBits), seL4_RevokeFirst);
    CHECK_ERR(seL4_IRQControl_Get(seL4_CapIRQControl, MAX_IRQ + 1, seL4_CapInitThreadCNode, irq, seL4_WordBits), seL4_RangeError);
    CHECK_ERR(seL4_IRQControl_Get(seL4_CapIRQControl, RTC_IRQ, seL4_CapInitThreadCNode, irq, seL4_WordBits), seL4_NoError);
    CHECK_ERR(seL4_IRQControl_Get(seL4_CapIRQControl, RTC_IRQ, seL4_CapInitThreadCNode, rt_slot(), seL4_WordBits), seL4_RevokeFirst);
    CHECK_ERR(seL4_IRQHandler_SetNotification(irq, ntfn), seL4_NoError);

    CHECK_ERR(rt_thread_start(&a, "100us", seL4_CapInitThreadVSpace, 100, 100, 10000, 0, spin, 0), seL4_NoError);
    CHECK_ERR(rt_thread_start(&b, "250us", seL4_CapInitThreadVSpace, 100, 250, 10000, 0, spin, 1), seL4_NoError);
    rtc_arm();
    seL4_Word badge;
    seL4_Wait(ntfn, &badge);
    rtc_clear();
    CHECK_ERR(seL4_IRQHandler_Ack(irq), seL4_NoError);
    seL4_TCB_Suspend(a.tcb);
    seL4_TCB_Suspend(b.tcb);
    seL4_SchedContext_Consumed_t ca = seL4_SchedContext_Consumed(a.sc), cb = seL4_SchedContext_Consumed(b.sc);
    rt_printf("root: woken by the RTC after one second: the 100 us SC used %lu us, the 250 us SC %lu us\n",
              (unsigned long)ca.consumed, (unsigned long)cb.consumed);
    CHECK(spins[0] > 0 && spins[1] > spins[0]);
    return 0;
}

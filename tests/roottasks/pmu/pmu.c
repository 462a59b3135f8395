/*
 * The performance monitors from user mode, where the kernel exports them (KernelArmExportPMUUser):
 * PMCR_EL0's counter count, the cycle counter and an event counter counting INST_RETIRED around a
 * loop of a known number of instructions, a disabled counter that holds its value, and a reset.
 * Without the export the first access is an undefined instruction, which the kernel reports.
 */
#include "roottask.h"

#if defined(SEL4_ARCH_AARCH64)
#define READ(reg) ({ seL4_Word v_; __asm__ volatile("mrs %0, " #reg : "=r"(v_)); v_; })
#define WRITE(reg, v) __asm__ volatile("msr " #reg ", %0" ::"r"((seL4_Word)(v)))

/* 1 + 2 * n instructions: a mov, then a subs and a b.ne per turn. */
static void spin(seL4_Word n)
{
    __asm__ volatile("mov x9, %0\n1: subs x9, x9, #1\n b.ne 1b" ::"r"(n) : "x9", "cc");
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    seL4_Word pmcr = READ(pmcr_el0);
    rt_printf("pmu: %lu event counters, implementer 0x%lx\n", (pmcr >> 11) & 0x1f, pmcr >> 24);
    WRITE(pmevtyper0_el0, 0x08); /* INST_RETIRED */
    WRITE(pmcntenset_el0, (1ul << 31) | 1);
    WRITE(pmcr_el0, 7); /* E, and reset every counter */
    seL4_Word c0 = READ(pmccntr_el0), e0 = READ(pmevcntr0_el0);
    spin(1000);
    seL4_Word c1 = READ(pmccntr_el0), e1 = READ(pmevcntr0_el0);
    rt_printf("pmu: 1000 turns: %lu cycles, %lu instructions\n", c1 - c0, e1 - e0);
    WRITE(pmcntenclr_el0, 1);
    seL4_Word held = READ(pmevcntr0_el0);
    spin(500);
    rt_printf("pmu: event counter disabled: %s; cycle counter went on: %s\n", READ(pmevcntr0_el0) == held ? "held" : "moved",
              READ(pmccntr_el0) > c1 + 1000 ? "yes" : "no");
    WRITE(pmcr_el0, 5); /* E, and reset the cycle counter */
    rt_printf("pmu: after a reset the cycle counter reads %lu\n", READ(pmccntr_el0));
    return 0;
}
#else
int main(seL4_BootInfo *bi)
{
    (void)bi;
    rt_printf("pmu: no Arm PMU on this architecture\n");
    return 0;
}
#endif

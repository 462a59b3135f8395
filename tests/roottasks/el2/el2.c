/*
 * What differs between an AArch64 kernel at EL1 (sel4test's) and one at EL2 (Microkit's, with the
 * hypervisor): the top of user address space, and how a breakpoint is reported. The root task maps
 * a page at 2^40 (above a 40-bit stage-2 space, below 2^47), then executes brk without a fault
 * handler: the kernel reports a user exception at EL1, a VCPU fault ("unknown fault") at EL2.
 */
#include "roottask.h"

int main(seL4_BootInfo *bi)
{
    (void)bi;
    rt_printf("seL4_UserTop 0x%lx\n", (unsigned long)seL4_UserTop);
    seL4_Error err = rt_map(rt_alloc(RT_SMALL_PAGE, 0), seL4_CapInitThreadVSpace, 1ul << 40, seL4_ReadWrite, RT_ATTRS | RT_XN);
    rt_printf("map at 2^40 -> %d\n", (int)err);
#if defined(SEL4_ARCH_AARCH64)
    __asm__ volatile("brk #0x11");
#endif
    rt_printf("after brk\n");
    return 0;
}

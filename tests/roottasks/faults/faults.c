/*
 * Faults and their handlers: the root task handles a thread's VM fault by mapping the page and
 * replying (the thread's load then completes), answers an unknown syscall by writing the thread's
 * registers, receives timeout faults on a timeout endpoint (the thread resumes where its budget ran
 * out), and a thread with no handler is reported by the kernel and stopped while the rest goes on.
 */
#include "roottask.h"

#define HOLE 0x50000000ul
static rt_thread_t reader_t, caller_t, orphan_t, spinner_t;

static void reader(rt_thread_t *t)
{
    (void)t;
    char copy[40];
    memcpy(copy, (const void *)HOLE, sizeof(copy));
    rt_printf("reader: the hole holds %s\n", copy);
}

static seL4_Word unknown_syscall(seL4_Word number)
{
#if defined(SEL4_ARCH_AARCH64)
    register seL4_Word x0 __asm__("x0") = 0;
    register seL4_Word x7 __asm__("x7") = number;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x7) : "memory");
    return x0;
#else
    register seL4_Word a0 __asm__("a0") = 0;
    register seL4_Word a7 __asm__("a7") = number;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
#endif
}

static void caller(rt_thread_t *t)
{
    (void)t;
    rt_printf("caller: syscall -100 returned %lu\n", (unsigned long)unknown_syscall((seL4_Word)-100));
}

static void orphan(rt_thread_t *t)
{
    (void)t;
    rt_printf("orphan: about to read address 8\n");
    rt_printf("orphan: read %lu\n", (unsigned long)*(volatile seL4_Word *)8);
}

static volatile unsigned long spinner_starts, spins;

static void spinner(rt_thread_t *t)
{
    (void)t;
    spinner_starts++;
    for (;;) spins++;
}

#if defined(SEL4_ARCH_AARCH64)
#define FIRST_ARG seL4_UnknownSyscall_X0
#else
#define FIRST_ARG seL4_UnknownSyscall_A0
#endif

int main(seL4_BootInfo *bi)
{
    (void)bi;
    seL4_CPtr ep = rt_alloc(seL4_EndpointObject, 0), reply = rt_alloc(seL4_ReplyObject, 0);
    seL4_CPtr handler = rt_slot();
    CHECK_ERR(seL4_CNode_Mint(seL4_CapInitThreadCNode, handler, seL4_WordBits, seL4_CapInitThreadCNode, ep, seL4_WordBits, seL4_AllRights, 1), seL4_NoError);
    seL4_Word badge;

    /* A VM fault: the handler maps a page at the address and replies; the load completes. */
    CHECK_ERR(rt_thread_start(&reader_t, "reader", seL4_CapInitThreadVSpace, 100, 1000, 1000, handler, reader, 0), seL4_NoError);
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge, reply);
    rt_printf("root: fault label %lu (VMFault %d), badge %lu, address 0x%lx, instruction fault %lu, %lu words\n",
              (unsigned long)seL4_MessageInfo_get_label(info), seL4_Fault_VMFault, (unsigned long)badge,
              (unsigned long)seL4_GetMR(seL4_VMFault_Addr), (unsigned long)seL4_GetMR(seL4_VMFault_PrefetchFault),
              (unsigned long)seL4_MessageInfo_get_length(info));
    CHECK(seL4_GetMR(seL4_VMFault_IP) >= 0x400000 && seL4_GetMR(seL4_VMFault_IP) < 0x500000);
    seL4_CPtr page = rt_alloc(RT_SMALL_PAGE, 0);
    CHECK_ERR(rt_map(page, seL4_CapInitThreadVSpace, HOLE, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    memcpy((void *)HOLE, "a page mapped by its fault handler", 35);
    seL4_Send(reply, seL4_MessageInfo_new(0, 0, 0, 0));

    /* An unknown syscall: the reply writes the thread's registers; FaultIP moves past the trap. */
    CHECK_ERR(rt_thread_start(&caller_t, "caller", seL4_CapInitThreadVSpace, 100, 1000, 1000, handler, caller, 0), seL4_NoError);
    info = seL4_Recv(ep, &badge, reply);
    rt_printf("root: fault label %lu (UnknownSyscall %d), syscall %ld, %lu words\n", (unsigned long)seL4_MessageInfo_get_label(info),
              seL4_Fault_UnknownSyscall, (long)seL4_GetMR(seL4_UnknownSyscall_Syscall), (unsigned long)seL4_MessageInfo_get_length(info));
    seL4_SetMR(FIRST_ARG, 77);
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, seL4_GetMR(seL4_UnknownSyscall_FaultIP) + 4);
    seL4_Send(reply, seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_Length));

    /* No fault handler: the kernel reports the fault and stops the thread. */
    CHECK_ERR(rt_thread_start(&orphan_t, "orphan", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, orphan, 0), seL4_NoError);
    seL4_Yield();

    /* A timeout fault: a sporadic-style budget of 100 us every 10 ms, badge 0x77, a timeout endpoint. */
    CHECK_ERR(rt_thread_start(&spinner_t, "spinner", seL4_CapInitThreadVSpace, 100, 100, 10000, 0, spinner, 0), seL4_NoError);
    CHECK_ERR(seL4_SchedControl_ConfigureFlags(rt_bootinfo->schedcontrol.start, spinner_t.sc, 100, 10000, 0, 0x77, 0), seL4_NoError);
    CHECK_ERR(seL4_TCB_SetTimeoutEndpoint(spinner_t.tcb, handler), seL4_NoError);
    info = seL4_Recv(ep, &badge, reply);
    rt_printf("root: fault label %lu (Timeout %d), data 0x%lx, consumed some: %s\n", (unsigned long)seL4_MessageInfo_get_label(info),
              seL4_Fault_Timeout, (unsigned long)seL4_GetMR(seL4_Timeout_Data), seL4_GetMR(seL4_Timeout_Consumed) > 0 ? "yes" : "no");
    /* An empty reply restarts the thread where its budget ran out, not where it began. */
    unsigned long before = spins;
    for (int i = 0; i < 3; i++) info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(0, 0, 0, 0), &badge, reply);
    CHECK(seL4_MessageInfo_get_label(info) == seL4_Fault_Timeout);
    CHECK_ERR(seL4_TCB_Suspend(spinner_t.tcb), seL4_NoError);
    rt_printf("root: after 3 more timeout faults the spinner went on spinning: %s, started %lu time(s)\n",
              spins > before ? "yes" : "no", spinner_starts);
    return 0;
}

/*
 * The debug syscalls: a thread named with DebugNameThread faults without a handler and the
 * kernel's report carries its name; the root task lowers its priority so the thread runs, then
 * halts the machine with DebugHalt.
 */
#include "roottask.h"

static rt_thread_t t;

static void faulter(rt_thread_t *self)
{
    (void)self;
    rt_printf("faulter: jumping to 0x1000\n");
    ((void (*)(void))0x1000)();
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    CHECK_ERR(rt_thread_start(&t, "unnamed", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, faulter, 0), seL4_NoError);
    seL4_DebugNameThread(t.tcb, "renamed-faulter");
    CHECK_ERR(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 50), seL4_NoError);
    rt_printf("root: back at priority 50, halting\n");
    seL4_DebugHalt();
    rt_printf("root: still running after DebugHalt\n");
    return 1;
}

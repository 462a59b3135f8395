/*
 * The debug syscalls: a thread named with DebugNameThread faults without a handler and the
 * kernel's report carries its name; so does a thread started with no VSpace at all. The root task
 * lowers its priority so they run, dumps the scheduler's threads, then halts the machine with
 * DebugHalt.
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

    /* A TCB never given a VSpace, started anyway: its first fetch faults. */
    seL4_CPtr bare = rt_alloc(seL4_TCBObject, 0), sc = rt_alloc(seL4_SchedContextObject, seL4_MinSchedContextBits);
    CHECK_ERR(seL4_SchedControl_ConfigureFlags(rt_bootinfo->schedcontrol.start, sc, 1000, 1000, 0, 0, 0), seL4_NoError);
    CHECK_ERR(seL4_TCB_SetSchedParams(bare, seL4_CapInitThreadTCB, 100, 100, sc, 0), seL4_NoError);
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    RT_PC(regs) = 0x400000;
    CHECK_ERR(seL4_TCB_WriteRegisters(bare, 1, 0, sizeof(regs) / sizeof(seL4_Word), &regs), seL4_NoError);
    seL4_DebugNameThread(bare, "no-vspace");
    CHECK_ERR(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, 50), seL4_NoError);
    rt_printf("root: back at priority 50\n");
    /* Both threads have faulted: the scheduler dump shows them inactive, the root task running. */
    seL4_DebugDumpScheduler();
    rt_printf("root: halting\n");
    seL4_DebugHalt();
    rt_printf("root: still running after DebugHalt\n");
    return 1;
}

/*
 * Threads a root task makes: TCB and scheduling context from untyped memory, configured and
 * started; each with its own IPC buffer and TLS (a __thread variable per thread, the TLS base set
 * with TCB_SetTLSBase); one in a VSpace built at run time that maps the image and a page of its own.
 */
#include "roottask.h"

static __thread int counter = 7;
static seL4_CPtr done;
/* Mapped at the same address in the root task's VSpace and the new one, on different frames. */
#define PRIVATE_PAGE 0x30000000ul

static void worker(rt_thread_t *t)
{
    counter += (int)t->arg;
    rt_printf("worker %lu: counter %d, tls base %s, ipc buffer %s\n", t->arg, counter,
              rt_tls_base() != 0 ? "set" : "unset", seL4_GetIPCBuffer() == t->ipc ? "its own" : "shared");
    seL4_Signal(done);
}

static void elsewhere(rt_thread_t *t)
{
    (void)t;
    rt_printf("elsewhere: private page says %s\n", (const char *)PRIVATE_PAGE);
    seL4_Signal(done);
}

extern char _start[];

int main(seL4_BootInfo *bi)
{
    /* The threads read these after main has returned: not on main's stack. */
    static rt_thread_t a, b, c;
    done = rt_alloc(seL4_NotificationObject, 0);
    CHECK_ERR(rt_thread_start(&a, "worker-1", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, worker, 1), seL4_NoError);
    CHECK_ERR(rt_thread_start(&b, "worker-2", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, worker, 2), seL4_NoError);
    seL4_Wait(done, NULL);
    seL4_Wait(done, NULL);
    rt_printf("root: counter %d\n", counter);

    /* The threads have suspended themselves; their registers show where. */
    seL4_UserContext regs;
    CHECK_ERR(seL4_TCB_ReadRegisters(a.tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs), seL4_NoError);
    CHECK(RT_PC(regs) >= (seL4_Word)_start && RT_PC(regs) < 0x500000);

    /* A second address space: the image's frames mapped again where they are, and a page of its own. */
    seL4_CPtr vspace = rt_alloc(RT_VSPACE, 0);
    CHECK_ERR(rt_asid_pool_assign(seL4_CapInitThreadASIDPool, vspace), seL4_NoError);
    seL4_Word base = (seL4_Word)_start & ~0xffful;
    int mapped = 1;
    for (seL4_SlotPos f = bi->userImageFrames.start; f < bi->userImageFrames.end; f++) {
        seL4_CPtr copy = rt_slot();
        seL4_CNode_Copy(seL4_CapInitThreadCNode, copy, seL4_WordBits, seL4_CapInitThreadCNode, f, seL4_WordBits, seL4_AllRights);
        mapped &= rt_map(copy, vspace, base + (f - bi->userImageFrames.start) * 0x1000, seL4_ReadWrite, RT_ATTRS) == seL4_NoError;
    }
    CHECK(mapped);
    const char *mine = "the root task's", *theirs = "the new VSpace's";
    seL4_CPtr p1 = rt_alloc(RT_SMALL_PAGE, 0), p2 = rt_alloc(RT_SMALL_PAGE, 0), p2alias = rt_slot();
    CHECK_ERR(rt_map(p1, seL4_CapInitThreadVSpace, PRIVATE_PAGE, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    memcpy((void *)PRIVATE_PAGE, mine, 16);
    seL4_CNode_Copy(seL4_CapInitThreadCNode, p2alias, seL4_WordBits, seL4_CapInitThreadCNode, p2, seL4_WordBits, seL4_AllRights);
    CHECK_ERR(rt_map(p2, vspace, PRIVATE_PAGE, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    CHECK_ERR(rt_map(p2alias, seL4_CapInitThreadVSpace, PRIVATE_PAGE + 0x1000, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    memcpy((void *)(PRIVATE_PAGE + 0x1000), theirs, 17);
    CHECK_ERR(rt_thread_start(&c, "elsewhere", vspace, 100, 1000, 1000, 0, elsewhere, 0), seL4_NoError);
    seL4_Wait(done, NULL);
    rt_printf("root: private page says %s\n", (const char *)PRIVATE_PAGE);
    return 0;
}

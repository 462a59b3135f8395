/*
 * The FPU per thread: two threads of one address space compute with the same FP registers while
 * their time slices interleave, and each gets the result it gets alone (the kernel keeps each
 * thread's FP registers); a thread whose TCB flags disable the FPU takes a user exception at its
 * first FP instruction, and once its FPU is enabled again it finishes with its registers intact.
 */
#include "roottask.h"

#if defined(SEL4_ARCH_AARCH64)
/* ESR_EL1 of an FP/SIMD access trapped by CPACR_EL1: EC 0x07, IL, CV, COND 0xe. */
#define FP_TRAP_NUMBER 0x1fe00000ul
#else
/* scause 2: illegal instruction (sstatus.FS is Off). */
#define FP_TRAP_NUMBER 2ul
#endif

#define STEPS 1500000ul

static seL4_CPtr done;
static volatile double results[3];

static double compute(double x, unsigned long steps)
{
    for (unsigned long i = 0; i < steps; i++) x = x * 1.0000001 + 0.25;
    return x;
}

static void worker(rt_thread_t *t)
{
    results[t->arg] = compute((double)(t->arg + 1), STEPS);
    seL4_Signal(done);
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    static rt_thread_t a, b, c;
    double alone[3];
    for (int i = 0; i < 3; i++) alone[i] = compute((double)(i + 1), STEPS);
    done = rt_alloc(seL4_NotificationObject, 0);

    /* Round robin at one priority, 1 ms slices: each computation spans several of them. */
    CHECK_ERR(rt_thread_start(&a, "fp-a", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, worker, 0), seL4_NoError);
    CHECK_ERR(rt_thread_start(&b, "fp-b", seL4_CapInitThreadVSpace, 100, 1000, 1000, 0, worker, 1), seL4_NoError);
    seL4_Wait(done, NULL);
    seL4_Wait(done, NULL);
    rt_printf("root: two threads computing at once got what each gets alone: %s\n",
              results[0] == alone[0] && results[1] == alone[1] ? "yes" : "no");

    /* The FPU disabled before the thread first runs: a user exception, handled by enabling it. */
    seL4_CPtr ep = rt_alloc(seL4_EndpointObject, 0), reply = rt_alloc(seL4_ReplyObject, 0);
    CHECK_ERR(rt_thread_start(&c, "fp-c", seL4_CapInitThreadVSpace, 100, 1000, 1000, ep, worker, 2), seL4_NoError);
    seL4_TCB_SetFlags_t set = seL4_TCB_SetFlags(c.tcb, 0, seL4_TCBFlag_fpuDisabled);
    CHECK(set.error == seL4_NoError && set.flags == seL4_TCBFlag_fpuDisabled);
    seL4_MessageInfo_t info = seL4_Recv(ep, NULL, reply);
    rt_printf("root: fault label %lu (UserException %d), number 0x%lx\n", (unsigned long)seL4_MessageInfo_get_label(info),
              seL4_Fault_UserException, (unsigned long)seL4_GetMR(seL4_UserException_Number));
    CHECK(seL4_GetMR(seL4_UserException_Number) == FP_TRAP_NUMBER);
    set = seL4_TCB_SetFlags(c.tcb, seL4_TCBFlag_fpuDisabled, 0);
    CHECK(set.error == seL4_NoError && set.flags == 0);
    seL4_Send(reply, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Wait(done, NULL);
    rt_printf("root: the thread finished once its FPU was enabled, with the right result: %s\n", results[2] == alone[2] ? "yes" : "no");
    return 0;
}

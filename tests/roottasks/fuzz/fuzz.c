/*
 * A hostile thread: random system calls with random capabilities, labels, message lengths, extra
 * caps and arguments, against a CSpace of its own holding one of every kind of object, the root
 * task's IRQ control and copies of its ASID control, ASID pool and SchedControl. Whatever it does, the
 * kernel must answer with an error or a result, never break, and the root task must go on.
 *
 * The fuzzer runs above the root task's priority, so the root task runs only when the fuzzer
 * cannot: it blocked, faulted or finished. The root task then restarts it (its registers as
 * first written, its CSpace reset), and it goes on with its next call. Each seed starts from fresh
 * objects: the arena untyped they came from is revoked.
 */
#include "roottask.h"

#define SEEDS 8
#define CALLS_PER_SEED 4000
#define FUZZ_PRIO 100
#define ROOT_PRIO 50
#define CNODE_BITS 6
#define ARENA_BITS 21

/* The fuzzer's CSpace (one CNode, resolved with a guard making a CPtr its slot number). */
enum {
    F_VICTIM = 1,   /* a TCB of its own, never started by us */
    F_CNODE,        /* its CNode */
    F_VSPACE,       /* a VSpace of its own */
    F_IRQ_CONTROL,
    F_ASID_CONTROL,
    F_ASID_POOL,
    F_SCHED_CONTROL,
    F_ENDPOINT,
    F_BADGED,       /* the endpoint, badged */
    F_NOTIFICATION,
    F_REPLY,
    F_SC,
    F_FRAME,
    F_PAGE_TABLE,
    F_UNTYPED,
    F_SMALL_CNODE,
    F_DONE,         /* a notification nobody signals: where the fuzzer waits once it is done */
    F_FIRST_FREE,
};

/* Shared with the root task (same VSpace). */
static volatile struct {
    seL4_Word calls, limit, rng, finished;
    seL4_Word results[seL4_NumErrors + 1]; /* errors of Calls that returned one; the last: other */
} st;

static seL4_Word next_random(void)
{
    /* xorshift64*: the state lives in st, so a restarted fuzzer goes on with the next call. */
    seL4_Word x = st.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    st.rng = x;
    return x * 0x2545f4914f6cdd1dul;
}

/* An argument value of the kinds the kernel checks: slots, sizes, types, rights, addresses, extremes. */
static seL4_Word interesting(void)
{
    seL4_Word r = next_random();
    switch (r % 9) {
    case 0: return (r >> 8) % 4;
    case 1: return (r >> 8) % (1ul << CNODE_BITS);
    case 2: return 1ul << ((r >> 8) % 64);
    case 3: return (1ul << ((r >> 8) % 64)) - 1;
    case 4: return ((r >> 8) % (1ul << 27)) << 12; /* a page-aligned user address */
    case 5: return (r >> 8) % 32;                  /* object types and size bits */
    case 6: return (r >> 8) % 16;                  /* rights, depths */
    case 7: return 64;
    default: return next_random();
    }
}

static seL4_Word random_cptr(void)
{
    seL4_Word r = next_random();
    if (r % 10 < 7) return (r >> 8) % F_FIRST_FREE;
    if (r % 10 < 9) return (r >> 8) % (1ul << CNODE_BITS);
    return next_random();
}

#if defined(SEL4_ARCH_AARCH64)
#define VSPACE_LABELS {ARMVSpaceClean_Data, ARMVSpaceUnify_Instruction}
#define PAGE_TABLE_LABELS {ARMPageTableMap, ARMPageTableUnmap}
#define FRAME_LABELS {ARMPageMap, ARMPageGetAddress}
#define ASID_CONTROL_LABEL ARMASIDControlMakePool
#define ASID_POOL_LABEL ARMASIDPoolAssign
#define IRQ_CONTROL_LABELS {IRQIssueIRQHandler, ARMIRQIssueIRQHandlerTrigger}
#define LAST_LABEL ARMIRQIssueSGISignal
#else
#define VSPACE_LABELS {RISCVPageTableMap, RISCVPageTableUnmap}
#define PAGE_TABLE_LABELS {RISCVPageTableMap, RISCVPageTableUnmap}
#define FRAME_LABELS {RISCVPageMap, RISCVPageGetAddress}
#define ASID_CONTROL_LABEL RISCVASIDControlMakePool
#define ASID_POOL_LABEL RISCVASIDPoolAssign
#define IRQ_CONTROL_LABELS {IRQIssueIRQHandler, RISCVIRQIssueIRQHandlerTrigger}
#define LAST_LABEL RISCVIRQIssueIRQHandlerTrigger
#endif

/* The invocation labels of each slot's object (first and last; a pair of one label twice). */
static const seL4_Word LABELS[F_FIRST_FREE][2] = {
    [F_VICTIM] = {TCBReadRegisters, TCBSetFlags},
    [F_CNODE] = {CNodeRevoke, CNodeRotate},
    [F_VSPACE] = VSPACE_LABELS,
    [F_IRQ_CONTROL] = IRQ_CONTROL_LABELS,
    [F_ASID_CONTROL] = {ASID_CONTROL_LABEL, ASID_CONTROL_LABEL},
    [F_ASID_POOL] = {ASID_POOL_LABEL, ASID_POOL_LABEL},
    [F_SCHED_CONTROL] = {SchedControlConfigureFlags, SchedControlConfigureFlags},
    [F_SC] = {SchedContextBind, SchedContextYieldTo},
    [F_FRAME] = FRAME_LABELS,
    [F_PAGE_TABLE] = PAGE_TABLE_LABELS,
    [F_UNTYPED] = {UntypedRetype, UntypedRetype},
    [F_SMALL_CNODE] = {CNodeRevoke, CNodeRotate},
};

/* Mostly a label the object in `cap` answers to (when the slot is one we filled), else any. */
static seL4_Word random_label(seL4_Word cap)
{
    seL4_Word r = next_random();
    if (r % 8 == 0) return next_random() % 1024;
    if (cap < F_FIRST_FREE && LABELS[cap][1] != 0 && r % 8 < 6) {
        seL4_Word first = LABELS[cap][0], last = LABELS[cap][1];
        return first + (r >> 8) % (last - first + 1);
    }
    return (r >> 8) % (LAST_LABEL + 1);
}

typedef void (*syscall_fn)(seL4_Word *cap, seL4_Word *info, seL4_Word *mr, seL4_Word *reply, seL4_Word *dest);

/*
 * Every system call but DebugHalt, which ends the run, and the two a debug kernel halts in:
 * DebugNameThread when its cap is not a TCB's, DebugSnapshot at its assertions (on AArch64 at the
 * first IPC buffer). Call and the sends most often.
 */
static const syscall_fn CALLS[] = {
    seL4__sys_Call, seL4__sys_Call, seL4__sys_Call, seL4__sys_Call, seL4__sys_Call, seL4__sys_Call,
    seL4__sys_Call, seL4__sys_Call, seL4__sys_Send, seL4__sys_NBSend, seL4__sys_Recv, seL4__sys_NBRecv,
    seL4__sys_Wait, seL4__sys_NBWait, seL4__sys_ReplyRecv, seL4__sys_NBSendRecv, seL4__sys_NBSendWait,
    seL4__sys_Yield, seL4__sys_DebugPutChar, seL4__sys_DebugCapIdentify,
};
#define NCALLS (sizeof(CALLS) / sizeof(CALLS[0]))

static void fuzz(rt_thread_t *t)
{
    (void)t;
    seL4_IPCBuffer *ipc = seL4_GetIPCBuffer();
    while (st.calls < st.limit) {
        /* Counted before it is made: a call that blocks for good is not made again on restart. */
        st.calls++;
        syscall_fn call = CALLS[next_random() % NCALLS];
        seL4_Word cap = random_cptr(), reply = random_cptr(), dest = random_cptr();
        seL4_Word r = next_random();
        seL4_Word length = r % 16 == 1 ? (r >> 9) % 130 : (r >> 9) % 9;
        seL4_Word info = seL4_MessageInfo_new(random_label(cap), 0, (r >> 20) % 4, length).words[0];
        if (r % 64 == 2) info = next_random();
        seL4_Word mr[4] = {interesting(), interesting(), interesting(), interesting()};
        for (int i = 4; i < 10; i++) ipc->msg[i] = interesting();
        for (int i = 0; i < 3; i++) ipc->caps_or_badges[i] = random_cptr();
        ipc->receiveCNode = r % 4 == 0 ? random_cptr() : 0;
        ipc->receiveIndex = random_cptr();
        ipc->receiveDepth = interesting() % 70;
        if (call == seL4__sys_DebugPutChar) cap = 0x20 + next_random() % 0x5f;
        call(&cap, &info, mr, &reply, &dest);
        if (call == seL4__sys_Call) {
            seL4_Word e = seL4_MessageInfo_get_label((seL4_MessageInfo_t){{info}});
            st.results[e < seL4_NumErrors ? e : seL4_NumErrors]++;
        }
    }
    st.finished = 1;
    seL4_Wait(F_DONE, NULL);
    /* F_DONE was deleted or replaced: stop by faulting. */
    *(volatile int *)0 = 0;
}

static seL4_CPtr cnode_slot, victim_slot, arena;

/* Puts a copy of a root task cap into the fuzzer's CNode. */
static void give(seL4_Word slot, seL4_CPtr cap)
{
    CHECK_ERR(seL4_CNode_Copy(cnode_slot, slot, CNODE_BITS, seL4_CapInitThreadCNode, cap, seL4_WordBits, seL4_AllRights),
              seL4_NoError);
}

/* Makes an object from the arena straight into the fuzzer's CNode. */
static void make(seL4_Word slot, seL4_Word type, seL4_Word size_bits)
{
    rt_check_err(seL4_Untyped_Retype(arena, type, size_bits, cnode_slot, 0, 0, slot, 1), seL4_NoError, "a fuzzer object");
}

/* Revokes everything made for the last seed, after taking IRQ control back from its CNode. */
static void take_back(void)
{
    seL4_CNode_Move(seL4_CapInitThreadCNode, seL4_CapIRQControl, seL4_WordBits, cnode_slot, F_IRQ_CONTROL, CNODE_BITS);
    seL4_CNode_Revoke(seL4_CapInitThreadCNode, arena, seL4_WordBits);
}

/* A fresh CSpace for the fuzzer: everything from the last seed is revoked first. */
static void fresh_objects(seL4_BootInfo *bi)
{
    take_back();
    rt_check_err(seL4_Untyped_Retype(arena, seL4_CapTableObject, CNODE_BITS, seL4_CapInitThreadCNode, 0, 0, cnode_slot, 1),
                 seL4_NoError, "the fuzzer's CNode");
    /* The victim may be given a priority up to the fuzzer's, so it can run when the fuzzer blocks. */
    rt_check_err(seL4_Untyped_Retype(arena, seL4_TCBObject, 0, seL4_CapInitThreadCNode, 0, 0, victim_slot, 1), seL4_NoError,
                 "the victim TCB");
    CHECK_ERR(seL4_TCB_SetMCPriority(victim_slot, seL4_CapInitThreadTCB, FUZZ_PRIO), seL4_NoError);
    give(F_VICTIM, victim_slot);
    CHECK_ERR(seL4_CNode_Mint(cnode_slot, F_CNODE, CNODE_BITS, seL4_CapInitThreadCNode, cnode_slot, seL4_WordBits,
                              seL4_AllRights, seL4_CNode_CapData_new(0, seL4_WordBits - CNODE_BITS).words[0]),
              seL4_NoError);
    make(F_VSPACE, RT_VSPACE, 0);
    /* IRQ control cannot be copied, only moved: it goes back before the next revoke (if still there). */
    seL4_CNode_Move(cnode_slot, F_IRQ_CONTROL, CNODE_BITS, seL4_CapInitThreadCNode, seL4_CapIRQControl, seL4_WordBits);
    give(F_ASID_CONTROL, seL4_CapASIDControl);
    give(F_ASID_POOL, seL4_CapInitThreadASIDPool);
    give(F_SCHED_CONTROL, bi->schedcontrol.start);
    make(F_ENDPOINT, seL4_EndpointObject, 0);
    CHECK_ERR(seL4_CNode_Mint(cnode_slot, F_BADGED, CNODE_BITS, cnode_slot, F_ENDPOINT, CNODE_BITS, seL4_AllRights, 0x5a),
              seL4_NoError);
    make(F_NOTIFICATION, seL4_NotificationObject, 0);
    make(F_REPLY, seL4_ReplyObject, 0);
    make(F_SC, seL4_SchedContextObject, seL4_MinSchedContextBits);
    make(F_FRAME, RT_SMALL_PAGE, 0);
    make(F_PAGE_TABLE, RT_PAGE_TABLE, 0);
    make(F_UNTYPED, seL4_UntypedObject, 16);
    make(F_SMALL_CNODE, seL4_CapTableObject, 2);
    make(F_DONE, seL4_NotificationObject, 0);
}

static rt_thread_t fuzzer;
static seL4_UserContext first_regs;

/* Starts the fuzzer again where it began, in its own CSpace; it goes on with its next call. */
static void restart(void)
{
    seL4_Error e = seL4_TCB_SetSpace(fuzzer.tcb, 0, cnode_slot, seL4_CNode_CapData_new(0, seL4_WordBits - CNODE_BITS).words[0],
                                     seL4_CapInitThreadVSpace, 0);
    if (e != seL4_NoError) rt_printf("FAIL: SetSpace of the fuzzer: %d\n", e);
    e = seL4_TCB_WriteRegisters(fuzzer.tcb, 1, 0, sizeof(first_regs) / sizeof(seL4_Word), &first_regs);
    if (e != seL4_NoError) rt_printf("FAIL: restarting the fuzzer: %d\n", e);
}

int main(seL4_BootInfo *bi)
{
    arena = rt_alloc(seL4_UntypedObject, ARENA_BITS);
    cnode_slot = rt_slot();
    victim_slot = rt_slot();
    CHECK(arena != seL4_CapNull);
    st.limit = 0;
    /* Made at a priority above the root task's, but the root task is still at its own (higher). */
    CHECK_ERR(rt_thread_start(&fuzzer, "fuzzer", seL4_CapInitThreadVSpace, FUZZ_PRIO, 1000, 1000, 0, fuzz, 0), seL4_NoError);
    CHECK_ERR(seL4_TCB_ReadRegisters(fuzzer.tcb, 0, 0, sizeof(first_regs) / sizeof(seL4_Word), &first_regs), seL4_NoError);
    CHECK_ERR(seL4_TCB_Suspend(fuzzer.tcb), seL4_NoError);
    CHECK_ERR(seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, ROOT_PRIO), seL4_NoError);

    seL4_Word total = 0;
    for (seL4_Word seed = 1; seed <= SEEDS; seed++) {
        seL4_Word restarts = 0;
        fresh_objects(bi);
        st.calls = 0;
        st.limit = CALLS_PER_SEED;
        st.rng = seed * 0x9e3779b97f4a7c15ul;
        st.finished = 0;
        seL4_Word last = ~0ul;
        int stuck = 0;
        /* The root task gets here only when the fuzzer cannot run. */
        while (!st.finished) {
            if (st.calls == last && ++stuck == 3) {
                rt_printf("\nFAIL: the fuzzer makes no progress at call %lu of seed %lu\n", st.calls, seed);
                break;
            }
            if (st.calls != last) stuck = 0;
            last = st.calls;
            restarts++;
            restart();
        }
        seL4_TCB_Suspend(fuzzer.tcb);
        /* On a line of its own: the fuzzer prints random characters. */
        rt_printf("\nfuzz: seed %lu: %lu calls, %lu restarts\n", seed, st.calls, restarts);
        total += st.calls;
    }
    take_back();
    rt_printf("fuzz: %lu calls\n", total);
    rt_printf("fuzz: Call results by error:");
    for (int e = 0; e <= seL4_NumErrors; e++) rt_printf(" %lu", st.results[e]);
    rt_printf("\n");
    return 0;
}

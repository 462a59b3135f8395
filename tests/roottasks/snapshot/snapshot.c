/*
 * seL4_DebugSnapshot: the root task makes a thread with a CSpace and a VSpace of its own (a CNode
 * holding endpoints, a notification, a reply, an SC, the thread itself, an untyped, an IRQ
 * handler and the CNode; a VSpace mapping one page), never started, and asks the kernel for its
 * capDL dump. Then it gives the thread an IPC buffer and asks again: an AArch64 debug kernel fails
 * an assertion printing the buffer's slot and halts; RISC-V prints it and the root task goes on.
 */
#include "roottask.h"

#if defined(SEL4_ARCH_AARCH64)
#define RTC_IRQ 34
#else
#define RTC_IRQ 11
#endif
#define CHILD_BITS 4
#define PAGE_VADDR 0x10000000ul

/* Copies (minting a badge) a cap of the root CNode into slot `slot` of the thread's CNode. */
static seL4_Error put(seL4_CPtr cnode, seL4_Word slot, seL4_CPtr cap, seL4_CapRights_t rights, seL4_Word badge)
{
    return seL4_CNode_Mint(cnode, slot, CHILD_BITS, seL4_CapInitThreadCNode, cap, seL4_WordBits, rights, badge);
}

int main(seL4_BootInfo *bi)
{
    seL4_CPtr cnode = rt_alloc(seL4_CapTableObject, CHILD_BITS);
    seL4_CPtr ep = rt_alloc(seL4_EndpointObject, 0), ntfn = rt_alloc(seL4_NotificationObject, 0);
    seL4_CPtr reply = rt_alloc(seL4_ReplyObject, 0), sc = rt_alloc(seL4_SchedContextObject, seL4_MinSchedContextBits);
    seL4_CPtr tcb = rt_alloc(seL4_TCBObject, 0), ut = rt_alloc(seL4_UntypedObject, 12);
    seL4_CPtr vspace = rt_alloc(RT_VSPACE, 0), frame = rt_alloc(RT_SMALL_PAGE, 0);
    CHECK_ERR(rt_asid_pool_assign(seL4_CapInitThreadASIDPool, vspace), seL4_NoError);
    CHECK_ERR(rt_map(frame, vspace, PAGE_VADDR, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    CHECK_ERR(seL4_SchedControl_ConfigureFlags(bi->schedcontrol.start, sc, 1000, 2000, 0, 0, 0), seL4_NoError);

    seL4_CapRights_t send_grant_reply = seL4_CapRights_new(1, 0, 0, 1);
    CHECK_ERR(put(cnode, 1, ep, seL4_AllRights, 0), seL4_NoError);
    CHECK_ERR(put(cnode, 2, ep, send_grant_reply, 0x11), seL4_NoError);
    CHECK_ERR(put(cnode, 3, ntfn, seL4_CanWrite, 5), seL4_NoError);
    CHECK_ERR(put(cnode, 4, reply, seL4_AllRights, 0), seL4_NoError);
    CHECK_ERR(put(cnode, 5, sc, seL4_AllRights, 0), seL4_NoError);
    CHECK_ERR(put(cnode, 6, tcb, seL4_AllRights, 0), seL4_NoError);
    CHECK_ERR(put(cnode, 7, ut, seL4_AllRights, 0), seL4_NoError);
    seL4_CPtr irq = rt_slot(), irq_ntfn = rt_slot();
    CHECK_ERR(seL4_IRQControl_Get(seL4_CapIRQControl, RTC_IRQ, seL4_CapInitThreadCNode, irq, seL4_WordBits), seL4_NoError);
    seL4_CNode_Mint(seL4_CapInitThreadCNode, irq_ntfn, seL4_WordBits, seL4_CapInitThreadCNode, ntfn, seL4_WordBits, seL4_CanWrite, 8);
    CHECK_ERR(seL4_IRQHandler_SetNotification(irq, irq_ntfn), seL4_NoError);
    CHECK_ERR(put(cnode, 8, irq, seL4_AllRights, 0), seL4_NoError);
    /* The CNode itself, with the guard that makes it resolve all 64 bits of a cptr. */
    seL4_Word guard = seL4_CNode_CapData_new(0, seL4_WordBits - CHILD_BITS).words[0];
    CHECK_ERR(put(cnode, 9, cnode, seL4_AllRights, guard), seL4_NoError);

    /* The thread: never started; a fault and a timeout endpoint (badged), priority 77, MCP 88. */
    seL4_CPtr fault_ep = rt_slot(), timeout_ep = rt_slot();
    seL4_CNode_Mint(seL4_CapInitThreadCNode, fault_ep, seL4_WordBits, seL4_CapInitThreadCNode, ep, seL4_WordBits, seL4_AllRights, 0x22);
    seL4_CNode_Mint(seL4_CapInitThreadCNode, timeout_ep, seL4_WordBits, seL4_CapInitThreadCNode, ep, seL4_WordBits, seL4_AllRights, 0x33);
    CHECK_ERR(seL4_TCB_Configure(tcb, cnode, guard, vspace, 0, 0, 0), seL4_NoError);
    CHECK_ERR(seL4_TCB_SetSchedParams(tcb, seL4_CapInitThreadTCB, 88, 77, sc, fault_ep), seL4_NoError);
    CHECK_ERR(seL4_TCB_SetTimeoutEndpoint(tcb, timeout_ep), seL4_NoError);
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    RT_PC(regs) = 0x400123;
    RT_SP(regs) = 0x7ff000;
    CHECK_ERR(seL4_TCB_WriteRegisters(tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs), seL4_NoError);
    seL4_DebugNameThread(tcb, "snapshot-child");

    seL4_DebugSnapshot();
    rt_printf("root: after the first snapshot\n");

    CHECK_ERR(seL4_TCB_SetIPCBuffer(tcb, PAGE_VADDR, frame), seL4_NoError);
    seL4_DebugSnapshot();
    rt_printf("root: after the second snapshot\n");
    return 0;
}

/*
 * sel4calls parent: invokes its child's TCB and signals through the
 * generated <sel4/sel4.h> stubs, next to the microkit_* API.
 */
#include <microkit.h>

#define CHILD 1
#define CHILD_CH 0

static void say(const char *what, seL4_Word value)
{
    microkit_dbg_puts("parent: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" -> ");
    microkit_dbg_put32((seL4_Uint32)value);
    seL4_DebugPutChar('\n');
}

void init(void)
{
    seL4_CPtr child_tcb = BASE_TCB_CAP + CHILD;
    say("seL4_TCB_Suspend(child)", seL4_TCB_Suspend(child_tcb));
    /* A TCB is no CNode: the kernel rejects the copy with seL4_IllegalOperation. */
    say("seL4_CNode_Copy on a TCB", seL4_CNode_Copy(child_tcb, 1, 64, child_tcb, 2, 64, seL4_AllRights));
    seL4_Signal(BASE_OUTPUT_NOTIFICATION_CAP + CHILD_CH);
    say("seL4_Signal(child)", 0);
    say("seL4_TCB_Resume(child)", seL4_TCB_Resume(child_tcb));
}

void notified(microkit_channel ch)
{
    say("notified on channel", ch);
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(BASE_TCB_CAP + CHILD, seL4_False, 0, 2, &regs);
    say("seL4_TCB_ReadRegisters(child)", err);
    say("child pc is in its image", regs.pc >= MK_LINK_BASE && regs.pc < MK_LINK_BASE + 0x100000);
    say("seL4_TCB_Suspend(child)", seL4_TCB_Suspend(BASE_TCB_CAP + CHILD));
    microkit_dbg_puts("parent: done\n");
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    say("unexpected fault of child", child);
    say("fault label", microkit_msginfo_get_label(msginfo));
    return seL4_False;
}

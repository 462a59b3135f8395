/*
 * controller: suspends and resumes another PD through its TCB capability.
 *
 * The invocation is a seL4 Call on the capability with the label
 * TCBSuspend or TCBResume and no message registers; the reply's label is the
 * seL4 error code. It is written here with the trap instruction, syscall
 * number and argument registers microkit_abi.h names, so no libsel4 is needed.
 */
#include <microkit.h>

#define WORKER 0
#define WORKER_TCB_SLOT 3 /* <cap_tcb slot="3"> */

static seL4_Word tcb_invoke(seL4_CPtr cap, seL4_Word label, seL4_Word length)
{
    register seL4_Word r_cap __asm__(MK_REG_CAP) = cap;
    register seL4_Word r_info __asm__(MK_REG_INFO) = seL4_MessageInfo_new(label, 0, 0, length).words[0];
    register seL4_Word r_mr0 __asm__(MK_REG_MR0) = 0;
    register seL4_Word r_mr1 __asm__(MK_REG_MR1) = 0;
    register seL4_Word r_mr2 __asm__(MK_REG_MR2) = 0;
    register seL4_Word r_mr3 __asm__(MK_REG_MR3) = 0;
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_CALL;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_sys)
                     : "memory");
    seL4_MessageInfo_t reply = {{r_info}};
    return seL4_MessageInfo_get_label(reply);
}

static void report(const char *what, seL4_Word err)
{
    microkit_dbg_puts("controller: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" -> error ");
    microkit_dbg_put32((seL4_Uint32)err);
    microkit_dbg_puts("\n");
}

void init(void)
{
    seL4_CPtr worker_tcb = microkit_cspace_root_slot_to_cptr(WORKER_TCB_SLOT);

    microkit_dbg_puts("controller: notify 1\n");
    microkit_notify(WORKER);

    report("TCBSuspend", tcb_invoke(worker_tcb, MK_LABEL_TCBSuspend, MK_MSG_LEN_TCBSuspend));
    microkit_dbg_puts("controller: notify 2 (the worker is suspended)\n");
    microkit_notify(WORKER);
    microkit_dbg_puts("controller: notify 3 (coalesced with 2)\n");
    microkit_notify(WORKER);

    report("TCBResume", tcb_invoke(worker_tcb, MK_LABEL_TCBResume, MK_MSG_LEN_TCBResume));
    microkit_dbg_puts("controller: notify 4\n");
    microkit_notify(WORKER);

    /* An empty slot: the kernel answers with an error instead of acting. */
    report("TCBSuspend on an empty slot", tcb_invoke(microkit_cspace_root_slot_to_cptr(4), MK_LABEL_TCBSuspend, 0));
    microkit_dbg_puts("controller: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

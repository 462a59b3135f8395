/*
 * Fault replies, handling side: answers each fault of its child with a fault reply (or, once, with
 * a reply the kernel must not resume from) and prints what the fault message said.
 */
#include <microkit.h>

#define CHILD 0

#if defined(__aarch64__)
#define UNKNOWN_SYSCALL_ARG seL4_UnknownSyscall_X0
#define RESULT_REGISTER(regs) ((regs).x0)
#else
#define UNKNOWN_SYSCALL_ARG seL4_UnknownSyscall_A0
#define RESULT_REGISTER(regs) ((regs).a0)
#endif

static int unknown_syscalls = 0;

static void say(const char *what, seL4_Word value)
{
    microkit_dbg_puts("parent: ");
    microkit_dbg_puts(what);
    microkit_dbg_put32((seL4_Uint32)value);
    microkit_dbg_puts("\n");
}

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
}

/* Replies with the fault message's own registers, `field` changed to `value`. */
static microkit_msginfo echo_with(seL4_Word length, seL4_Word field, seL4_Word value)
{
    for (seL4_Word i = 0; i < length; i++) {
        microkit_mr_set(i, i == field ? value : microkit_mr_get(i));
    }
    return microkit_msginfo_new(0, length);
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    switch (label) {
    case seL4_Fault_UnknownSyscall:
        say("UnknownSyscall, syscall number ", microkit_mr_get(seL4_UnknownSyscall_Syscall));
        say("UnknownSyscall, first argument ", microkit_mr_get(UNKNOWN_SYSCALL_ARG));
        say("UnknownSyscall, message length ", microkit_msginfo_get_count(msginfo));
        if (++unknown_syscalls == 2) {
            /* A non-zero label: the kernel leaves the child blocked. */
            *reply_msginfo = microkit_msginfo_new(1, 0);
            return seL4_True;
        }
        /* Return 42 in the argument register and go on after the svc/ecall. */
        for (seL4_Word i = 0; i < seL4_UnknownSyscall_Length; i++) {
            microkit_mr_set(i, microkit_mr_get(i));
        }
        microkit_mr_set(UNKNOWN_SYSCALL_ARG, 42);
        microkit_mr_set(seL4_UnknownSyscall_FaultIP, microkit_mr_get(seL4_UnknownSyscall_FaultIP) + 4);
        *reply_msginfo = microkit_msginfo_new(0, seL4_UnknownSyscall_Length);
        return seL4_True;
    case seL4_Fault_UserException:
        say("UserException, message length ", microkit_msginfo_get_count(msginfo));
        *reply_msginfo = echo_with(seL4_UserException_Length, seL4_UserException_FaultIP,
                                   microkit_mr_get(seL4_UserException_FaultIP) + 4);
        return seL4_True;
    case seL4_Fault_VMFault: {
        say("VMFault at address ", microkit_mr_get(seL4_VMFault_Addr));
        say("VMFault on an instruction fetch ", microkit_mr_get(seL4_VMFault_PrefetchFault));
        /* A VM fault reply restarts the faulting instruction: step over it with WriteRegisters. */
        seL4_UserContext regs;
        seL4_Word count = sizeof(regs) / sizeof(seL4_Word);
        say("ReadRegisters ", seL4_TCB_ReadRegisters(BASE_TCB_CAP + child, seL4_False, 0, count, &regs));
        regs.pc += 4;
        RESULT_REGISTER(regs) = 0x600d;
        say("WriteRegisters ", seL4_TCB_WriteRegisters(BASE_TCB_CAP + child, seL4_False, 0, count, &regs));
        *reply_msginfo = microkit_msginfo_new(0, 0);
        return seL4_True;
    }
    default:
        say("unexpected fault, label ", label);
        return seL4_False;
    }
}

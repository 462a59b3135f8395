/*
 * vspace pager: reports each VM fault of its child and resumes it after the
 * faulting instruction (always 4 bytes: the child uses fixed-size loads and
 * stores where it expects to fault).
 */
#include <microkit.h>

static void put_hex(seL4_Word v)
{
    microkit_dbg_puts("0x");
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        int digit = (int)((v >> shift) & 0xf);
        if (digit != 0 || started || shift == 0) {
            microkit_dbg_putc("0123456789abcdef"[digit]);
            started = 1;
        }
    }
}

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    if (microkit_msginfo_get_label(msginfo) != seL4_Fault_VMFault) {
        microkit_dbg_puts("pager: unexpected fault\n");
        return seL4_False;
    }
    seL4_Word ip = seL4_GetMR(seL4_VMFault_IP);
    microkit_dbg_puts("pager: VM fault at ");
    put_hex(seL4_GetMR(seL4_VMFault_Addr));
    microkit_dbg_puts(", FSR ");
    put_hex(seL4_GetMR(seL4_VMFault_FSR));
    microkit_dbg_puts(", prefetch ");
    put_hex(seL4_GetMR(seL4_VMFault_PrefetchFault));
    microkit_dbg_puts("\n");

    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(BASE_TCB_CAP + child, seL4_False, 0, 2, &regs);
    regs.pc = ip + 4;
    seL4_TCB_WriteRegisters(BASE_TCB_CAP + child, seL4_False, 0, 2, &regs);
    *reply_msginfo = microkit_msginfo_new(0, 0);
    return seL4_True;
}

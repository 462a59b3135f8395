/*
 * A parent PD: its child's faults come to fault() with the child's id; the parent restarts the
 * child at its entry point twice, then lets it stay stopped.
 */
#include <microkit.h>

#define CHILD 0
#define CHILD_ENTRY 0x200000 /* the child's _start (microkit.ld link base) */

static int restarts = 0;

void init(void)
{
    microkit_dbg_puts("parent: init\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("parent: notified by the child on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    microkit_dbg_puts("parent: child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(" faulted, label ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(msginfo));
    microkit_dbg_puts(", address ");
    microkit_dbg_put32((seL4_Uint32)microkit_mr_get(1));
    microkit_dbg_puts("\n");
    if (restarts < 2) {
        restarts++;
        microkit_pd_restart(child, CHILD_ENTRY);
    } else {
        microkit_dbg_puts("parent: leaving the child stopped\n");
        microkit_pd_stop(child);
    }
    return seL4_False; /* no reply: the restart (or stop) decides what the child does */
}

/* worker: counts the notifications it handles. */
#include <microkit.h>

static seL4_Uint32 handled = 0;

void init(void)
{
    microkit_dbg_puts("worker: init\n");
}

void notified(microkit_channel ch)
{
    handled++;
    microkit_dbg_puts("worker: notification ");
    microkit_dbg_put32(handled);
    microkit_dbg_puts(" on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
}

/* survivor: unaffected by the other PD's fault. */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("survivor: init\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("survivor: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
}

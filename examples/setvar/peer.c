/* peer: reports the notification "patched" sends on the channel id it was given. */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("peer: ready\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("peer: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
}

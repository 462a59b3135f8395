/*
 * snapshot: calls seL4_DebugSnapshot from init through libmicrokit's libsel4, then says it came back.
 */
#include <microkit.h>

void init(void)
{
    seL4_DebugSnapshot();
    microkit_dbg_puts("snapshot: back from the snapshot\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

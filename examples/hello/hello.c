/*
 * hello: the smallest useful PD. All it does is print one line from init(),
 * which shows that the ELF loads, crt0 reaches main(), and
 * seL4_DebugPutChar works.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("hello, world\n");
}

/* Required by libmicrokit, but this PD has no channels, so it never runs. */
void notified(microkit_channel ch)
{
    (void)ch;
}

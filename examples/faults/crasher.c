/* crasher: stores to an unmapped address in init; it never gets further. */
#include <microkit.h>

#define UNMAPPED 0x10000000UL

void init(void)
{
    microkit_dbg_puts("crasher: writing to an unmapped address\n");
    *(volatile seL4_Word *)UNMAPPED = 42;
    microkit_dbg_puts("crasher: still alive?\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

/* A child that notifies its parent, then writes to an unmapped address; its run count survives restarts. */
#include <microkit.h>

#define PARENT 1

static volatile int runs = 0;

void init(void)
{
    runs++;
    microkit_dbg_puts("child: run ");
    microkit_dbg_put32((seL4_Uint32)runs);
    microkit_dbg_puts("\n");
    microkit_notify(PARENT);
    *(volatile int *)0x1234 = runs;
}

void notified(microkit_channel ch)
{
    (void)ch;
}

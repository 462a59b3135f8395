/*
 * A passive server: it runs init() on its own scheduling context, then hands that context back to
 * the monitor and from then on runs only on the time of whoever calls or notifies it.
 */
#include <microkit.h>

#define CLIENT 0

static seL4_Word calls = 0;

void init(void)
{
    microkit_dbg_puts("server: init (passive from now on)\n");
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    calls++;
    microkit_dbg_puts("server: call ");
    microkit_dbg_put32((seL4_Uint32)calls);
    microkit_dbg_puts(" on the client's time\n");
    microkit_mr_set(0, calls * 10);
    return microkit_msginfo_new(0, 1);
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("server: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(" on its notification's time\n");
}

/*
 * Notification benchmark, receiving side: counts the signals. It has the higher priority, so each
 * signal wakes it at once and none are merged; the count says so at the end.
 */
#include <microkit.h>

#define SENDER 0
#define SIGNALS 20000

static seL4_Word count;

void init(void)
{
}

void notified(microkit_channel ch)
{
    if (ch == SENDER) {
        count++;
    }
    if (count == SIGNALS) {
        microkit_dbg_puts("ntfnbench: ok\n");
    }
}

/* Budget test, low-priority side: counts until hog is done. */
#include <microkit.h>
#include "counters.h"

uintptr_t counters;

void init(void)
{
    volatile struct counters *c = (volatile struct counters *)counters;
    while (!c->done) {
        c->observer++;
    }
    microkit_dbg_puts("observer: hog is done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

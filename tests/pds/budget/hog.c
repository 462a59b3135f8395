/*
 * Budget test, high-priority side: computes for several budgets' worth of
 * instructions, then reports how far the lower-priority observer got meanwhile.
 */
#include <microkit.h>
#include "counters.h"

#define ITERATIONS 2000000

uintptr_t counters;

void init(void)
{
    volatile struct counters *c = (volatile struct counters *)counters;
    c->observer_at_start = c->observer;
    for (uint64_t i = 0; i < ITERATIONS; i++) {
        c->hog++;
    }
    uint64_t observed = c->observer - c->observer_at_start;
    c->done = 1;
    microkit_dbg_puts("hog: finished its iterations\n");
    microkit_dbg_puts(c->observer_at_start == 0 ? "hog: started before observer ran\n" : "hog: observer ran first\n");
    microkit_dbg_puts(observed > 0 ? "hog: observer ran while hog was out of budget\n" : "hog: observer never ran\n");
    /* hog had about a tenth of the processor: observer counted several times as often */
    microkit_dbg_puts(observed > 4 * c->hog && observed < 20 * c->hog ? "hog: observer had most of the time\n" : "hog: unexpected share\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

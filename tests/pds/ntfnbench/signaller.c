/*
 * Notification benchmark, sending side: a fixed number of signals on one channel to a
 * higher-priority receiver, which runs its notified() for each before this PD goes on. Used by
 * bench/run.ts (and a smoke test).
 */
#include <microkit.h>

#define RECEIVER 0
#define SIGNALS 20000

void init(void)
{
    for (seL4_Word i = 0; i < SIGNALS; i++) {
        microkit_notify(RECEIVER);
    }
    microkit_dbg_puts("ntfnbench: sent\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

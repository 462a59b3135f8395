/*
 * IPC benchmark client: a fixed number of protected procedure calls to a higher-priority server,
 * each carrying one message register. Used by bench/run.ts (and a smoke test).
 */
#include <microkit.h>

#define SERVER 0
#define CALLS 20000

void init(void)
{
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < CALLS; i++) {
        microkit_mr_set(0, i);
        microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(0, 1));
        (void)reply;
        sum += microkit_mr_get(0);
    }
    microkit_dbg_puts(sum == (seL4_Word)CALLS * (CALLS + 1) / 2 ? "ipcbench: ok\n" : "ipcbench: wrong sum\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

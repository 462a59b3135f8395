/* Compute benchmark: a long arithmetic loop with no syscalls, then one line of output. */
#include <microkit.h>

#define ROUNDS 50000000UL

void init(void)
{
    volatile seL4_Word sink = 0;
    seL4_Word x = 1;
    for (seL4_Word i = 0; i < ROUNDS; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
    }
    sink = x;
    (void)sink;
    microkit_dbg_puts("spin: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

/* turns.h: both PDs take turns through one shared counter; neither ever blocks. */
#ifndef TURNS_H
#define TURNS_H

#include <microkit.h>

#define ROUNDS 3

seL4_Word turn_vaddr; /* setvar_vaddr: the shared word */

/* Busy-wait (never yielding) for the counter to reach `want`, then print and pass the turn on. */
static inline void take_turns(const char *name, seL4_Word first)
{
    volatile seL4_Word *turn = (volatile seL4_Word *)turn_vaddr;
    for (seL4_Word round = 1; round <= ROUNDS; round++) {
        seL4_Word want = first + 2 * (round - 1);
        while (*turn != want) {
        }
        microkit_dbg_puts(name);
        microkit_dbg_puts(": turn ");
        microkit_dbg_put32((seL4_Uint32)(want + 1));
        microkit_dbg_puts("\n");
        *turn = want + 1;
    }
    microkit_dbg_puts(name);
    microkit_dbg_puts(": done\n");
}

#endif

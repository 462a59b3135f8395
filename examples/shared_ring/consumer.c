/* consumer: takes every message in the ring, freeing each slot as it goes. */
#include <microkit.h>

#include "ring.h"

#define PRODUCER 2

seL4_Word ring_vaddr; /* setvar_vaddr */

static seL4_Uint32 received = 0;
static seL4_Uint32 total = 0;

void init(void)
{
    microkit_dbg_puts("consumer: ready\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
    struct ring *r = (struct ring *)ring_vaddr;
    while (ring_used(r) > 0) {
        volatile struct message *m = &r->slot[r->tail % RING_SLOTS];
        seL4_Uint32 seq = m->seq;
        seL4_Uint32 value = m->value;
        ring_fence();
        r->tail = r->tail + 1;
        received++;
        total += value;
        microkit_dbg_puts("consumer: got #");
        microkit_dbg_put32(seq);
        microkit_dbg_puts(" = ");
        microkit_dbg_put32(value);
        microkit_dbg_puts("\n");
        if (r->producer_waiting) {
            r->producer_waiting = 0;
            microkit_notify(PRODUCER); /* preempts: the producer has the higher priority */
        }
    }
    if (received == MESSAGES) {
        microkit_dbg_puts("consumer: all ");
        microkit_dbg_put32(received);
        microkit_dbg_puts(" messages, values sum to ");
        microkit_dbg_put32(total);
        microkit_dbg_puts("\n");
        received++; /* report once */
    }
}

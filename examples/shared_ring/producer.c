/* producer: queues messages 1..MESSAGES while the ring has room. */
#include <microkit.h>

#include "ring.h"

#define CONSUMER 1

seL4_Word ring_vaddr; /* setvar_vaddr */

static seL4_Uint32 next = 1;

static void produce(void)
{
    struct ring *r = (struct ring *)ring_vaddr;
    seL4_Bool queued = seL4_False;
    while (next <= MESSAGES && ring_used(r) < RING_SLOTS) {
        volatile struct message *m = &r->slot[r->head % RING_SLOTS];
        m->seq = next;
        m->value = next * next;
        ring_fence();
        r->head = r->head + 1;
        microkit_dbg_puts("producer: queued #");
        microkit_dbg_put32(next);
        microkit_dbg_puts("\n");
        next++;
        queued = seL4_True;
    }
    if (next > MESSAGES) {
        if (queued) microkit_dbg_puts("producer: all messages queued\n");
    } else {
        /* Full: ask for a notification when a slot is freed. */
        r->producer_waiting = 1;
        microkit_dbg_puts("producer: ring full, waiting for room\n");
    }
    if (queued) microkit_notify(CONSUMER);
}

void init(void)
{
    produce();
}

void notified(microkit_channel ch)
{
    (void)ch;
    produce();
}

/*
 * ring.h: a single-producer single-consumer ring in shared memory.
 *
 * head counts the messages produced, tail the messages consumed (both wrap
 * modulo 2^32); only the producer writes head and only the consumer writes
 * tail. A slot is written before head moves past it and read before tail
 * moves past it, with a fence in between, so neither side sees a half-written
 * slot. producer_waiting is the producer's request to be notified when the
 * consumer frees a slot.
 */
#ifndef RING_H
#define RING_H

#include <microkit.h>

#define RING_SLOTS 4u
#define MESSAGES 10u

struct message {
    seL4_Uint32 seq;
    seL4_Uint32 value;
};

struct ring {
    volatile seL4_Uint32 head;
    volatile seL4_Uint32 tail;
    volatile seL4_Uint32 producer_waiting;
    seL4_Uint32 reserved;
    volatile struct message slot[RING_SLOTS];
};

static inline seL4_Uint32 ring_used(const struct ring *r)
{
    return r->head - r->tail;
}

static inline void ring_fence(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif

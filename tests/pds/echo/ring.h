/*
 * A single-producer single-consumer byte ring in a shared memory region: the producer owns
 * `tail`, the consumer owns `head` (the sDDF queue convention). Indices grow without bound;
 * the slot is index % RING_SIZE.
 */
#pragma once
#include <microkit.h>

#define RING_SIZE 1024u

struct ring {
    volatile uint32_t head;
    volatile uint32_t tail;
    volatile uint8_t data[RING_SIZE];
};

static inline bool ring_empty(struct ring *r)
{
    return r->head == r->tail;
}

static inline bool ring_full(struct ring *r)
{
    return r->tail - r->head == RING_SIZE;
}

static inline void ring_put(struct ring *r, uint8_t c)
{
    r->data[r->tail % RING_SIZE] = c;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    r->tail = r->tail + 1;
}

static inline uint8_t ring_get(struct ring *r)
{
    uint8_t c = r->data[r->head % RING_SIZE];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    r->head = r->head + 1;
    return c;
}

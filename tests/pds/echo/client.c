/* Echo client: every byte from the RX ring goes back out through the TX ring, upper-cased. */
#include <microkit.h>
#include "ring.h"

#define DRIVER 0

uintptr_t rx_ring;
uintptr_t tx_ring;

void init(void)
{
}

void notified(microkit_channel ch)
{
    struct ring *rx = (struct ring *)rx_ring;
    struct ring *tx = (struct ring *)tx_ring;
    if (ch != DRIVER) {
        return;
    }
    bool moved = false;
    while (!ring_empty(rx) && !ring_full(tx)) {
        uint8_t c = ring_get(rx);
        if (c >= 'a' && c <= 'z') {
            c = (uint8_t)(c - 'a' + 'A');
        }
        ring_put(tx, c);
        moved = true;
    }
    /* New TX bytes, and room in the RX ring: either may be what the driver waits for. */
    if (moved) {
        microkit_notify(DRIVER);
    }
}

/*
 * client: the lower-priority PD. From init() it calls the server's protected
 * procedure, then notifies the server. The server's notification back
 * arrives once init() has returned and libmicrokit waits for events.
 * (server.c lists the expected output.)
 */
#include <microkit.h>

#include "pingpong.h"

void init(void)
{
    microkit_dbg_puts("client: calling add(20, 22)\n");

    /* Arguments go in the message registers; the message info gives the
     * label and the number of MRs used. */
    microkit_mr_set(0, 20);
    microkit_mr_set(1, 22);
    microkit_msginfo reply = microkit_ppcall(CLIENT_TO_SERVER, microkit_msginfo_new(PINGPONG_ADD, 2));

    if (microkit_msginfo_get_label(reply) == PINGPONG_OK && microkit_msginfo_get_count(reply) == 1) {
        microkit_dbg_puts("client: got ");
        microkit_dbg_put32((seL4_Uint32)microkit_mr_get(0));
        microkit_dbg_puts("\n");
    } else {
        microkit_dbg_puts("client: add failed\n");
    }

    /* The server has the higher priority, so it runs its notified() before
     * microkit_notify returns here. */
    microkit_dbg_puts("client: notifying the server\n");
    microkit_notify(CLIENT_TO_SERVER);
    microkit_dbg_puts("client: init done\n");
}

void notified(microkit_channel ch)
{
    microkit_dbg_puts("client: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
}

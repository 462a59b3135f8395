/*
 * server: the higher-priority PD. It offers one protected procedure (add two
 * words) and answers each notification from the client with a notification
 * of its own.
 *
 * Expected output of the whole system, in this order: the server runs first
 * because it has the higher priority, and each call or notification toward
 * it preempts the client at once.
 *
 *   server: ready
 *   client: calling add(20, 22)
 *   server: add(20, 22) on channel 2
 *   client: got 42
 *   client: notifying the server
 *   server: notified on channel 2
 *   client: init done
 *   client: notified on channel 1
 */
#include <microkit.h>

#include "pingpong.h"

void init(void)
{
    microkit_dbg_puts("server: ready\n");
}

/* Runs in the server, on behalf of the client, which waits for the reply.
 * The arguments arrive in MR0 and MR1; the result goes back in MR0. */
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    if (microkit_msginfo_get_label(msginfo) != PINGPONG_ADD || microkit_msginfo_get_count(msginfo) != 2) {
        return microkit_msginfo_new(PINGPONG_BAD_REQUEST, 0);
    }
    seL4_Word a = microkit_mr_get(0);
    seL4_Word b = microkit_mr_get(1);

    microkit_dbg_puts("server: add(");
    microkit_dbg_put32((seL4_Uint32)a);
    microkit_dbg_puts(", ");
    microkit_dbg_put32((seL4_Uint32)b);
    microkit_dbg_puts(") on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");

    microkit_mr_set(0, a + b);
    return microkit_msginfo_new(PINGPONG_OK, 1);
}

/* The deferred notify is sent by libmicrokit together with the wait for the
 * next event (one NBSendRecv syscall instead of a Send and a Recv). The
 * client has the lower priority, so it sees the notification only once
 * it runs again. */
void notified(microkit_channel ch)
{
    microkit_dbg_puts("server: notified on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts("\n");
    microkit_deferred_notify(SERVER_TO_CLIENT);
}

/* client: sends two "stats" requests, one with six MRs and one with eight. */
#include <microkit.h>

#include "ppcall.h"

static void ask(const seL4_Word *values, seL4_Uint16 n)
{
    microkit_dbg_puts("client: sending ");
    microkit_dbg_put32(n);
    microkit_dbg_puts(" MRs with label ");
    microkit_dbg_put32(STATS_REQUEST);
    microkit_dbg_puts("\n");
    for (seL4_Uint16 i = 0; i < n; i++) {
        microkit_mr_set((seL4_Uint8)i, values[i]);
    }
    microkit_msginfo reply = microkit_ppcall(SERVER_CHANNEL, microkit_msginfo_new(STATS_REQUEST, n));
    if (microkit_msginfo_get_label(reply) != STATS_OK || microkit_msginfo_get_count(reply) != STATS_REPLY_MRS) {
        microkit_dbg_puts("client: bad reply\n");
        return;
    }
    static const char *const names[STATS_REPLY_MRS] = {"sum", "min", "max", "count", "label"};
    microkit_dbg_puts("client: reply label ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(reply));
    for (seL4_Uint8 i = 0; i < STATS_REPLY_MRS; i++) {
        microkit_dbg_puts(", ");
        microkit_dbg_puts(names[i]);
        microkit_dbg_puts(" ");
        microkit_dbg_put32((seL4_Uint32)microkit_mr_get(i));
    }
    microkit_dbg_puts("\n");
}

void init(void)
{
    static const seL4_Word first[6] = {3, 1, 4, 1, 5, 9};
    static const seL4_Word second[8] = {27, 18, 28, 18, 28, 45, 90, 45};
    ask(first, 6);
    ask(second, 8);
    microkit_dbg_puts("client: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

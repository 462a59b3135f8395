/*
 * server: answers "stats" requests. It reads every MR the caller sent (the
 * count comes from the message info) and replies with five MRs.
 */
#include <microkit.h>

#include "ppcall.h"

void init(void)
{
    microkit_dbg_puts("server: ready\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    seL4_Word n = microkit_msginfo_get_count(msginfo);
    if (label != STATS_REQUEST || n == 0) {
        return microkit_msginfo_new(STATS_BAD, 0);
    }
    microkit_dbg_puts("server: channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(", label ");
    microkit_dbg_put32((seL4_Uint32)label);
    microkit_dbg_puts(", MRs");
    seL4_Word sum = 0, min = ~(seL4_Word)0, max = 0;
    for (seL4_Word i = 0; i < n; i++) {
        seL4_Word v = microkit_mr_get((seL4_Uint8)i);
        microkit_dbg_puts(" ");
        microkit_dbg_put32((seL4_Uint32)v);
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
    }
    microkit_dbg_puts("\n");
    microkit_mr_set(0, sum);
    microkit_mr_set(1, min);
    microkit_mr_set(2, max);
    microkit_mr_set(3, n);
    microkit_mr_set(4, label);
    return microkit_msginfo_new(STATS_OK, STATS_REPLY_MRS);
}

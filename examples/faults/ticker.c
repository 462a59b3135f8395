/* ticker: notifies the survivor three times (they coalesce unless the survivor runs in between). */
#include <microkit.h>

#define SURVIVOR 0

void init(void)
{
    for (int i = 1; i <= 3; i++) {
        microkit_dbg_puts("ticker: tick ");
        microkit_dbg_put32((seL4_Uint32)i);
        microkit_dbg_puts("\n");
        microkit_notify(SURVIVOR);
    }
}

void notified(microkit_channel ch)
{
    (void)ch;
}

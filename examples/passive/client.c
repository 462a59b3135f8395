/* Calls the passive server twice, then notifies it. */
#include <microkit.h>

#define SERVER 0

void init(void)
{
    for (int i = 0; i < 2; i++) {
        microkit_ppcall(SERVER, microkit_msginfo_new(0, 0));
        microkit_dbg_puts("client: got ");
        microkit_dbg_put32((seL4_Uint32)microkit_mr_get(0));
        microkit_dbg_puts("\n");
    }
    microkit_notify(SERVER);
    microkit_dbg_puts("client: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

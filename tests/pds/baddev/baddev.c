/* Reads a register of a device that is not there: the access must fault and be reported. */
#include <microkit.h>

uintptr_t dev;

void init(void)
{
    microkit_dbg_puts("baddev: reading an absent device\n");
    (void)*(volatile uint32_t *)dev;
    microkit_dbg_puts("baddev: the read returned\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

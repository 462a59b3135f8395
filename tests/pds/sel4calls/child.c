/*
 * sel4calls child: polls its notification with seL4_Poll and signals the
 * parent with seL4_Signal.
 */
#include <microkit.h>

#define PARENT_CH 0

static void say(const char *what, seL4_Word value)
{
    microkit_dbg_puts("child: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" -> ");
    microkit_dbg_put32((seL4_Uint32)value);
    seL4_DebugPutChar('\n');
}

void init(void)
{
    seL4_Word badge = 0xffff;
    seL4_Poll(INPUT_CAP, &badge);
    say("seL4_Poll badge", badge);
    badge = 0xffff;
    seL4_Poll(INPUT_CAP, &badge);
    say("seL4_Poll again", badge);
    seL4_Signal(BASE_OUTPUT_NOTIFICATION_CAP + PARENT_CH);
}

void notified(microkit_channel ch)
{
    say("unexpected notification", ch);
}

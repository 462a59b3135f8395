/*
 * peer: does nothing; it is there to be in the snapshot.
 */
#include <microkit.h>

void init(void)
{
}

void notified(microkit_channel ch)
{
    (void)ch;
}

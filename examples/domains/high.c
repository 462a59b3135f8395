/* high: takes the even turns (2, 4, 6); it runs only in domain high_dom's slots. */
#include <microkit.h>

#include "turns.h"

void init(void)
{
    take_turns("high", 1);
}

void notified(microkit_channel ch)
{
    (void)ch;
}

/* low: takes the odd turns (1, 3, 5); it runs only in domain low_dom's slots. */
#include <microkit.h>

#include "turns.h"

void init(void)
{
    take_turns("low", 0);
}

void notified(microkit_channel ch)
{
    (void)ch;
}

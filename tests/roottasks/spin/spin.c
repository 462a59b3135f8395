/* A root task that never stops: only a run limit (--stop-after, --max-instructions) ends the run. */
#include "roottask.h"

int main(seL4_BootInfo *bi)
{
    (void)bi;
    rt_printf("spinning\n");
    for (volatile unsigned long i = 0;; i++) {}
}

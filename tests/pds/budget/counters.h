/* The region both PDs count in. */
#include <stdint.h>

struct counters {
    uint64_t hog;
    uint64_t observer;
    /* observer's count when hog started, and when hog finished */
    uint64_t observer_at_start;
    uint64_t done;
};

/*
 * A token bucket: up to `burst` events at once, refilled at `rate` events
 * per second. Pure (the caller passes the time), so it is unit-tested
 * directly.
 */
#ifndef CONFAB_RATELIMIT_H
#define CONFAB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit {
    double tokens;
    double rate;  /* tokens per second */
    double burst; /* bucket size */
    int64_t last_us;
} ratelimit;

/* A full bucket at now_us (any monotonic microsecond clock). */
void ratelimit_init(ratelimit *r, double rate, double burst, int64_t now_us);

/* Takes one token if there is one. A clock that goes backwards refills
 * nothing. */
bool ratelimit_take(ratelimit *r, int64_t now_us);

#endif

/*
 * Token bucket (ratelimit.h).
 */
#include "ratelimit.h"

void ratelimit_init(ratelimit *r, double rate, double burst, int64_t now_us)
{
    r->rate = rate;
    r->burst = burst;
    r->tokens = burst;
    r->last_us = now_us;
}

bool ratelimit_take(ratelimit *r, int64_t now_us)
{
    if (now_us > r->last_us) {
        r->tokens += (double)(now_us - r->last_us) * r->rate / 1e6;
        if (r->tokens > r->burst) r->tokens = r->burst;
        r->last_us = now_us;
    }
    if (r->tokens < 1.0) return false;
    r->tokens -= 1.0;
    return true;
}

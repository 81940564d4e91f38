/*
 * The STUN server's per-source token buckets (stun/stun_ratelimit.c): a
 * burst is allowed, then the rate; sources are independent; a flood of new
 * sources cannot make the table grow or starve a known one forever.
 */
#include "check.h"
#include "stun/stun_internal.h"

#include <string.h>

static stun_addr src(uint8_t last)
{
    stun_addr a = {.family = 4, .port = 1, .ip = {198, 51, 100, last}};
    return a;
}

int main(void)
{
    stun_ratelimit rl;
    CHECK_EQ(stun_ratelimit_init(&rl, 10, 20), 0);
    stun_addr a = src(1), b = src(2);
    uint64_t t = 1000000;
    int allowed = 0;
    for (int i = 0; i < 100; i++)
        allowed += stun_ratelimit_allow(&rl, &a, t);
    CHECK_EQ(allowed, 20);                            /* the burst */
    CHECK(stun_ratelimit_allow(&rl, &b, t));          /* another source: its own bucket */
    CHECK(!stun_ratelimit_allow(&rl, &a, t + 50000)); /* 0.5 token back */
    CHECK(stun_ratelimit_allow(&rl, &a, t + 100000)); /* 1 token after 0.1 s */
    CHECK(!stun_ratelimit_allow(&rl, &a, t + 100000));
    /* Over 10 s at 10/s: about 100 more, never more than rate x time + 1. */
    allowed = 0;
    for (uint64_t us = 0; us < 10000000; us += 1000)
        allowed += stun_ratelimit_allow(&rl, &a, t + 100000 + us);
    CHECK(allowed >= 99 && allowed <= 101);
    /* A flood of distinct sources is served from the fixed table. */
    for (int i = 0; i < 100000; i++) {
        stun_addr x = {.family = 6, .port = 1};
        memcpy(x.ip, &i, sizeof i);
        stun_ratelimit_allow(&rl, &x, t + 20000000);
    }
    CHECK(stun_ratelimit_allow(&rl, &b, t + 30000000)); /* full again */
    stun_ratelimit_free(&rl);
    /* Rate 0: no limit, no table. */
    CHECK_EQ(stun_ratelimit_init(&rl, 0, 0), 0);
    for (int i = 0; i < 1000; i++)
        CHECK(stun_ratelimit_allow(&rl, &a, t));
    stun_ratelimit_free(&rl);
    return check_finish("test_stun_ratelimit");
}

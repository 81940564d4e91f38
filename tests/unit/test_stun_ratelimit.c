/*
 * The STUN server's per-source token buckets (stun/stun_ratelimit.c): a
 * burst is allowed, then the rate; sources are independent; a flood of new
 * sources cannot make the table grow or starve a known one forever;
 * addresses that share a source's slots (found by search under a fixed
 * key) cannot evict its bucket to get fresh tokens; one IPv6 /64 is one
 * source; SipHash-2-4 matches the paper's test vectors.
 */
#include "check.h"
#include "stun/stun_internal.h"
#include "stun/stun_siphash.h"

#include <string.h>

static stun_addr src(uint8_t last)
{
    stun_addr a = {.family = 4, .port = 1, .ip = {198, 51, 100, last}};
    return a;
}

static void test_siphash(void)
{
    /* The SipHash paper, appendix A: key 00..0f, message 00..0e. */
    uint8_t m[64];
    for (int i = 0; i < 64; i++)
        m[i] = (uint8_t)i;
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    CHECK(stun_siphash24(k0, k1, m, 15) == 0xa129ca6149be45e5ull);
    /* Empty input, and a whole 8-byte word (the reference's first vectors). */
    CHECK(stun_siphash24(k0, k1, m, 0) == 0x726fdb47dd0e0e31ull);
    CHECK(stun_siphash24(k0, k1, m, 8) == 0x93f5f5799a932462ull);
    CHECK(stun_siphash24(k0 ^ 1, k1, m, 15) != 0xa129ca6149be45e5ull);
}

/* Addresses 203.0.113.x / 10.x.y.z whose window starts where victim's does,
 * found by trying addresses under the table's (fixed, test) key. */
static int colliders(const stun_ratelimit *rl, const stun_addr *victim, stun_addr *out, int n)
{
    uint32_t h = stun_ratelimit_home(rl, victim);
    int found = 0;
    for (uint32_t i = 0; i < (1u << 24) && found < n; i++) {
        stun_addr x = {
            .family = 4, .port = 1, .ip = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i}};
        if (stun_ratelimit_home(rl, &x) == h) out[found++] = x;
    }
    return found;
}

/* The review's attack: 4 spoofed addresses in the victim's window, each
 * request from them evicting the victim's bucket, used to give the victim
 * a fresh burst every time (1006 answers instead of 10). */
static void test_colliding_eviction(void)
{
    stun_ratelimit rl;
    CHECK_EQ(stun_ratelimit_init(&rl, 10, 10), 0);
    stun_ratelimit_set_key(&rl, 0x0123456789abcdefull, 0xfedcba9876543210ull);
    stun_addr victim = src(9), other[4];
    CHECK_EQ(colliders(&rl, &victim, other, 4), 4);
    /* A microsecond per request, so least-recently-seen is well defined:
     * every round evicts the victim. 5 ms in all refill nothing. */
    uint64_t t = 5000000;
    int to_victim = 0, total = 0;
    for (int round = 0; round < 1000; round++) {
        bool v = stun_ratelimit_allow(&rl, &victim, t++);
        to_victim += v;
        total += v;
        for (int i = 0; i < 4; i++)
            total += stun_ratelimit_allow(&rl, &other[i], t++);
    }
    /* No tokens appear from evictions: the window's 4 buckets at most. */
    CHECK(to_victim <= 4 * 10);
    CHECK(total <= 4 * 10);
    /* A second later: at most what 4 buckets gain in a second. */
    int later = 0;
    for (int round = 0; round < 1000; round++) {
        later += stun_ratelimit_allow(&rl, &victim, t + 1000000);
        for (int i = 0; i < 4; i++)
            later += stun_ratelimit_allow(&rl, &other[i], t + 1000000);
    }
    CHECK(later <= 4 * 10);
    stun_ratelimit_free(&rl);
}

/* One /64 is one source, whatever its interface identifiers. */
static void test_ipv6_prefix(void)
{
    stun_ratelimit rl;
    CHECK_EQ(stun_ratelimit_init(&rl, 10, 10), 0);
    int allowed = 0;
    for (int i = 0; i < 1000; i++) {
        stun_addr x = {.family = 6, .port = 1, .ip = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2}};
        memcpy(x.ip + 8, &i, sizeof i);
        x.ip[15] = (uint8_t)(i * 7);
        allowed += stun_ratelimit_allow(&rl, &x, 1000000);
    }
    CHECK_EQ(allowed, 10);
    /* The next /64 is somebody else. */
    stun_addr y = {.family = 6, .port = 1, .ip = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3}};
    CHECK(stun_ratelimit_allow(&rl, &y, 1000000));
    stun_ratelimit_free(&rl);
}

int main(void)
{
    test_siphash();
    test_colliding_eviction();
    test_ipv6_prefix();
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

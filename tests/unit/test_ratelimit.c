/*
 * Unit tests for the token bucket (signaling/ratelimit.h).
 */
#include "signaling/ratelimit.h"
#include "check.h"

#define SEC 1000000

static int take_all(ratelimit *r, int64_t now)
{
    int n = 0;
    while (n < 1000 && ratelimit_take(r, now))
        n++;
    return n;
}

static void test_burst_then_rate(void)
{
    ratelimit r;
    ratelimit_init(&r, 5, 10, 0);
    /* A full bucket: exactly the burst, then nothing. */
    CHECK_EQ(take_all(&r, 0), 10);
    CHECK(!ratelimit_take(&r, 0));
    /* 5 per second: one token every 200 ms, none before. */
    CHECK(!ratelimit_take(&r, 199999));
    CHECK(ratelimit_take(&r, 200000));
    CHECK(!ratelimit_take(&r, 200000));
    /* A second later: five more. */
    CHECK_EQ(take_all(&r, 200000 + SEC), 5);
    /* A long pause refills to the burst, not beyond. */
    CHECK_EQ(take_all(&r, 100 * SEC), 10);
}

static void test_steady_rate(void)
{
    ratelimit r;
    ratelimit_init(&r, 5, 10, 0);
    take_all(&r, 0);
    /* Over 10 s at one attempt per ms, about 50 succeed. */
    int ok = 0;
    for (int64_t t = 1000; t <= 10 * SEC; t += 1000)
        ok += ratelimit_take(&r, t);
    CHECK(ok >= 49 && ok <= 50);
}

static void test_clock_backwards(void)
{
    ratelimit r;
    ratelimit_init(&r, 1, 2, 10 * SEC);
    CHECK_EQ(take_all(&r, 10 * SEC), 2);
    /* An earlier time refills nothing and does not break later refills. */
    CHECK(!ratelimit_take(&r, 5 * SEC));
    CHECK(!ratelimit_take(&r, 10 * SEC + SEC / 2));
    CHECK(ratelimit_take(&r, 11 * SEC));
}

static void test_fractional(void)
{
    ratelimit r;
    ratelimit_init(&r, 0.5, 1, 0);
    CHECK(ratelimit_take(&r, 0));
    CHECK(!ratelimit_take(&r, SEC));
    CHECK(ratelimit_take(&r, 2 * SEC));
}

int main(void)
{
    test_burst_then_rate();
    test_steady_rate();
    test_clock_backwards();
    test_fractional();
    return check_finish("test_ratelimit");
}

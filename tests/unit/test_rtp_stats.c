#include "check.h"
#include "sfu/rtp_stats.h"

#define MS 1000

static void test_in_order(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 90000);
    rtcp_report_block b;
    CHECK(!rtp_stats_report(&s, 1, 0, &b));
    for (int i = 0; i < 100; i++)
        rtp_stats_update(&s, (uint16_t)(1000 + i), (uint32_t)i * 3000, i * 33 * MS);
    CHECK(rtp_stats_report(&s, 0xABCD, 100 * 33 * MS, &b));
    CHECK_EQ(b.ssrc, 0xABCD);
    CHECK_EQ(b.highest_seq, 1099);
    CHECK_EQ(b.cumulative_lost, 0);
    CHECK_EQ(b.fraction_lost, 0);
    CHECK_EQ(b.lsr, 0);
    CHECK_EQ(b.dlsr, 0);
}

static void test_loss_and_interval(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 48000);
    rtcp_report_block b;
    /* 100 expected, every 10th missing: 10 lost, fraction 10/100 * 256. */
    for (int i = 0; i < 100; i++)
        if (i % 10 != 5) rtp_stats_update(&s, (uint16_t)i, (uint32_t)i * 960, i * 20 * MS);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.cumulative_lost, 10);
    CHECK_EQ(b.fraction_lost, 25);
    CHECK_EQ(b.highest_seq, 99);
    /* Next interval without loss: the fraction resets, the total stays. */
    for (int i = 100; i < 150; i++)
        rtp_stats_update(&s, (uint16_t)i, (uint32_t)i * 960, i * 20 * MS);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.fraction_lost, 0);
    CHECK_EQ(b.cumulative_lost, 10);
}

static void test_wrap_and_reorder(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 90000);
    rtcp_report_block b;
    uint16_t seqs[] = {65533, 65534, 0, 65535, 1, 2, 2};
    for (unsigned i = 0; i < sizeof seqs / sizeof seqs[0]; i++)
        rtp_stats_update(&s, seqs[i], i * 3000, (int64_t)i * 33 * MS);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.highest_seq, 65536 + 2);
    /* 6 expected (65533..2), 7 received with the duplicate: lost is -1. */
    CHECK_EQ(b.cumulative_lost, -1);
    CHECK_EQ(b.fraction_lost, 0);
}

static void test_jump_needs_confirmation(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 90000);
    rtcp_report_block b;
    for (int i = 0; i < 10; i++)
        rtp_stats_update(&s, (uint16_t)i, 0, 0);
    rtp_stats_update(&s, 30000, 0, 0); /* a stray: ignored */
    rtp_stats_update(&s, 10, 0, 0);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.highest_seq, 10);
    CHECK_EQ(b.cumulative_lost, 0);
    rtp_stats_update(&s, 40000, 0, 0); /* a real restart: confirmed by 40001 */
    rtp_stats_update(&s, 40001, 0, 0);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.highest_seq, 40001);
    CHECK_EQ(b.cumulative_lost, 0);
}

static void test_jitter(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 90000);
    rtcp_report_block b;
    /* Perfect pacing: no jitter. */
    for (int i = 0; i < 50; i++)
        rtp_stats_update(&s, (uint16_t)i, (uint32_t)i * 900, i * 10 * MS);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK_EQ(b.jitter, 0);
    /* Every other packet 2 ms late (180 units at 90 kHz): |D| is 180 each
     * time, so the estimate converges on 180. */
    for (int i = 50; i < 1000; i++)
        rtp_stats_update(&s, (uint16_t)i, (uint32_t)i * 900, i * 10 * MS + (i % 2) * 2 * MS);
    CHECK(rtp_stats_report(&s, 1, 0, &b));
    CHECK(b.jitter >= 170 && b.jitter <= 180);
}

static void test_lsr_dlsr(void)
{
    rtp_stats s;
    rtp_stats_init(&s, 90000);
    rtcp_report_block b;
    rtp_stats_update(&s, 1, 0, 0);
    rtp_stats_on_sr(&s, 0x1122334455667788ull, 1000000);
    CHECK(rtp_stats_report(&s, 1, 1500000, &b));
    CHECK_EQ(b.lsr, 0x33445566);
    CHECK_EQ(b.dlsr, 32768); /* half a second in 1/65536 s */
}

int main(void)
{
    test_in_order();
    test_loss_and_interval();
    test_wrap_and_reorder();
    test_jump_needs_confirmation();
    test_jitter();
    test_lsr_dlsr();
    return check_finish("test_rtp_stats");
}

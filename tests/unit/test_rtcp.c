/*
 * RTCP iteration, validation, parser, writer and NTP tests. Packets that are
 * not produced by the writers are assembled byte by byte here.
 */
#include "sfu/rtcp.h"

#include "check.h"

#include <stdint.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* SDES with one chunk: CNAME "abcde" then END, padded to 16 bytes. */
static size_t put_sdes(uint8_t *b, uint32_t ssrc)
{
    const uint8_t sdes[] = {0x81, 202,  0x00, 0x03, 0,   0,   0,   0,
                            0x01, 0x05, 'a',  'b',  'c', 'd', 'e', 0x00};
    memcpy(b, sdes, sizeof(sdes));
    put32(b + 4, ssrc);
    return sizeof(sdes);
}

static void fill_block(rtcp_report_block *r, uint32_t seed)
{
    r->ssrc = 0x11110000u + seed;
    r->fraction_lost = (uint8_t)(seed * 7);
    r->cumulative_lost = (int32_t)seed * 1000 - 5000;
    r->highest_seq = 0x00010000u + seed;
    r->jitter = seed * 3;
    r->lsr = 0xAABB0000u + seed;
    r->dlsr = 0x00001000u + seed;
}

static void check_block(const rtcp_report_block *a, const rtcp_report_block *b)
{
    CHECK_EQ(a->ssrc, b->ssrc);
    CHECK_EQ(a->fraction_lost, b->fraction_lost);
    CHECK_EQ(a->cumulative_lost, b->cumulative_lost);
    CHECK_EQ(a->highest_seq, b->highest_seq);
    CHECK_EQ(a->jitter, b->jitter);
    CHECK_EQ(a->lsr, b->lsr);
    CHECK_EQ(a->dlsr, b->dlsr);
}

static void test_sr_sdes(void)
{
    rtcp_sr sr = {.ssrc = 0xCAFE0001u,
                  .ntp = 0xE1234567890ABCDEull,
                  .rtp_ts = 0x01020304u,
                  .packet_count = 1234,
                  .octet_count = 567890,
                  .report_count = 2};
    fill_block(&sr.reports[0], 1);
    fill_block(&sr.reports[1], 2);
    uint8_t b[256];
    int n = rtcp_write_sr(b, sizeof(b), &sr);
    CHECK_EQ(n, 28 + 2 * 24);
    CHECK_EQ(b[0] & 0x1F, 2); /* RC */
    CHECK_EQ(b[0] >> 6, 2);
    CHECK_EQ(b[1], RTCP_SR);
    CHECK_EQ((b[2] << 8 | b[3]), (28 + 48) / 4 - 1);
    size_t total = (size_t)n + put_sdes(b + n, sr.ssrc);
    CHECK_EQ(rtcp_validate(b, total), 0);

    size_t off = 0;
    rtcp_packet p;
    CHECK_EQ(rtcp_next(b, total, &off, &p), 1);
    CHECK_EQ(p.type, RTCP_SR);
    CHECK_EQ(p.count, 2);
    CHECK(p.data == b);
    CHECK_EQ(p.len, 76);
    rtcp_sr got;
    memset(&got, 0xEE, sizeof(got));
    CHECK_EQ(rtcp_parse_sr(&p, &got), 0);
    CHECK_EQ(got.ssrc, sr.ssrc);
    CHECK(got.ntp == sr.ntp);
    CHECK_EQ(got.rtp_ts, sr.rtp_ts);
    CHECK_EQ(got.packet_count, sr.packet_count);
    CHECK_EQ(got.octet_count, sr.octet_count);
    CHECK_EQ(got.report_count, 2);
    check_block(&got.reports[0], &sr.reports[0]);
    check_block(&got.reports[1], &sr.reports[1]);
    CHECK_EQ(got.reports[0].cumulative_lost, -4000); /* negative survives */
    rtcp_rr rr;
    CHECK_EQ(rtcp_parse_rr(&p, &rr), -RTCP_ERR_TYPE);
    rtcp_fb fb;
    CHECK_EQ(rtcp_parse_fb(&p, &fb), -RTCP_ERR_TYPE);

    CHECK_EQ(rtcp_next(b, total, &off, &p), 1);
    CHECK_EQ(p.type, RTCP_SDES);
    CHECK_EQ(p.count, 1);
    CHECK(p.data == b + 76);
    CHECK_EQ(p.len, 16);
    CHECK_EQ(get32(p.data + 4), sr.ssrc);
    CHECK_EQ(rtcp_parse_sr(&p, &got), -RTCP_ERR_TYPE);
    CHECK_EQ(rtcp_next(b, total, &off, &p), 0);
    CHECK_EQ(off, total);
}

static void test_rr_pli(void)
{
    rtcp_rr rr = {.ssrc = 0x01020304u, .report_count = 1};
    fill_block(&rr.reports[0], 9);
    uint8_t b[128];
    int n = rtcp_write_rr(b, sizeof(b), &rr);
    CHECK_EQ(n, 32);
    CHECK_EQ(b[0] & 0x1F, 1);
    int m = rtcp_write_pli(b + n, sizeof(b) - (size_t)n, 0x01020304u, 0xA0B0C0D0u);
    CHECK_EQ(m, 12);
    size_t total = (size_t)(n + m);
    CHECK_EQ(rtcp_validate(b, total), 0);

    size_t off = 0;
    rtcp_packet p;
    CHECK_EQ(rtcp_next(b, total, &off, &p), 1);
    CHECK_EQ(p.type, RTCP_RR);
    rtcp_rr got;
    CHECK_EQ(rtcp_parse_rr(&p, &got), 0);
    CHECK_EQ(got.ssrc, rr.ssrc);
    CHECK_EQ(got.report_count, 1);
    check_block(&got.reports[0], &rr.reports[0]);

    CHECK_EQ(rtcp_next(b, total, &off, &p), 1);
    CHECK_EQ(p.type, RTCP_PSFB);
    CHECK_EQ(p.count, 1);
    CHECK_EQ(p.len, 12);
    rtcp_fb fb;
    CHECK_EQ(rtcp_parse_fb(&p, &fb), 0);
    CHECK_EQ(fb.type, RTCP_PSFB);
    CHECK_EQ(fb.fmt, 1);
    CHECK_EQ(fb.sender_ssrc, 0x01020304u);
    CHECK_EQ(fb.media_ssrc, 0xA0B0C0D0u);
    CHECK_EQ(fb.fci_len, 0);
    uint32_t s;
    uint8_t q;
    CHECK_EQ(rtcp_fir_entry(&fb, 0, &s, &q), -RTCP_ERR_TYPE); /* PLI is not FIR */
    CHECK_EQ(rtcp_next(b, total, &off, &p), 0);

    /* RR with no report blocks (a receiver that has heard nobody yet). */
    rr.report_count = 0;
    CHECK_EQ(rtcp_write_rr(b, sizeof(b), &rr), 8);
    CHECK_EQ(rtcp_validate(b, 8), 0);
}

static void test_fir(void)
{
    uint8_t b[64];
    CHECK_EQ(rtcp_write_fir(b, sizeof(b), 0x1111u, 0x2222u, 77), 20);
    CHECK_EQ(rtcp_validate(b, 20), 0);
    size_t off = 0;
    rtcp_packet p;
    CHECK_EQ(rtcp_next(b, 20, &off, &p), 1);
    CHECK_EQ(p.count, 4);
    rtcp_fb fb;
    CHECK_EQ(rtcp_parse_fb(&p, &fb), 0);
    CHECK_EQ(fb.fmt, 4);
    CHECK_EQ(fb.sender_ssrc, 0x1111u);
    CHECK_EQ(fb.media_ssrc, 0); /* RFC 5104: unused in the common header */
    CHECK_EQ(fb.fci_len, 8);
    uint32_t s = 0;
    uint8_t q = 0;
    CHECK_EQ(rtcp_fir_entry(&fb, 0, &s, &q), 0);
    CHECK_EQ(s, 0x2222u);
    CHECK_EQ(q, 77);
    CHECK_EQ(rtcp_fir_entry(&fb, 1, &s, &q), -RTCP_ERR_SHORT);
    CHECK_EQ(rtcp_fir_entry(&fb, (size_t)-1, &s, &q), -RTCP_ERR_SHORT);

    /* Hand-built FIR asking two senders. */
    const uint8_t two[] = {0x84, 206,  0x00, 0x06, 0, 0, 0,    1,    0,    0,    0, 0, 0xAA, 0xAA,
                           0xAA, 0xAA, 5,    0,    0, 0, 0xBB, 0xBB, 0xBB, 0xBB, 6, 0, 0,    0};
    CHECK_EQ(rtcp_validate(two, sizeof(two)), 0);
    off = 0;
    CHECK_EQ(rtcp_next(two, sizeof(two), &off, &p), 1);
    CHECK_EQ(rtcp_parse_fb(&p, &fb), 0);
    CHECK_EQ(fb.fci_len, 16);
    CHECK_EQ(rtcp_fir_entry(&fb, 1, &s, &q), 0);
    CHECK_EQ(s, 0xBBBBBBBBu);
    CHECK_EQ(q, 6);
    CHECK_EQ(rtcp_fir_entry(&fb, 0, &s, &q), 0);
    CHECK_EQ(s, 0xAAAAAAAAu);
    CHECK_EQ(q, 5);
    CHECK_EQ(rtcp_fir_entry(&fb, 2, &s, &q), -RTCP_ERR_SHORT);

    /* FCI that is not a whole number of entries. */
    uint8_t bad[24];
    memcpy(bad, two, 24);
    bad[3] = 0x05;
    CHECK_EQ(rtcp_validate(bad, 24), -RTCP_ERR_FORMAT);
}

static void test_malformed(void)
{
    uint8_t b[128];
    rtcp_rr rr = {.ssrc = 5, .report_count = 1};
    fill_block(&rr.reports[0], 1);
    int n = rtcp_write_rr(b, sizeof(b), &rr);
    size_t off = 0;
    rtcp_packet p;

    CHECK_EQ(rtcp_validate(b, 0), -RTCP_ERR_SHORT);
    CHECK_EQ(rtcp_next(b, 0, &off, &p), 0);
    CHECK_EQ(rtcp_validate(b, 3), -RTCP_ERR_SHORT);
    /* Length field larger than the buffer. */
    CHECK_EQ(rtcp_validate(b, (size_t)n - 4), -RTCP_ERR_SHORT);
    off = 0;
    CHECK_EQ(rtcp_next(b, (size_t)n - 4, &off, &p), -RTCP_ERR_SHORT);
    CHECK_EQ(off, 0);
    /* Trailing bytes that cannot hold a header. */
    memset(b + n, 0, 2);
    CHECK_EQ(rtcp_validate(b, (size_t)n + 2), -RTCP_ERR_SHORT);
    off = 0;
    CHECK_EQ(rtcp_next(b, (size_t)n + 2, &off, &p), 1);
    CHECK_EQ(rtcp_next(b, (size_t)n + 2, &off, &p), -RTCP_ERR_SHORT);

    /* Version. */
    b[0] = (uint8_t)((b[0] & 0x3F) | 0x40);
    CHECK_EQ(rtcp_validate(b, (size_t)n), -RTCP_ERR_VERSION);
    b[0] = (uint8_t)((b[0] & 0x3F) | 0x80);
    /* A second packet whose type is RTP's range. */
    b[n] = 0x80;
    b[n + 1] = 96;
    b[n + 2] = 0;
    b[n + 3] = 0;
    CHECK_EQ(rtcp_validate(b, (size_t)n + 4), -RTCP_ERR_TYPE);
    /* An unknown type inside the RTCP range is walked, not rejected. */
    b[n + 1] = 210;
    CHECK_EQ(rtcp_validate(b, (size_t)n + 4), 0);

    /* RC says 2 blocks, length has room for 1. */
    b[0] = (uint8_t)((b[0] & 0xE0) | 2);
    CHECK_EQ(rtcp_validate(b, (size_t)n), -RTCP_ERR_FORMAT);
    off = 0;
    CHECK_EQ(rtcp_next(b, (size_t)n, &off, &p), 1);
    rtcp_rr got;
    CHECK_EQ(rtcp_parse_rr(&p, &got), -RTCP_ERR_FORMAT);

    /* SR shorter than its sender info. */
    const uint8_t short_sr[] = {0x80, 200, 0x00, 0x01, 0, 0, 0, 1};
    CHECK_EQ(rtcp_validate(short_sr, sizeof(short_sr)), -RTCP_ERR_FORMAT);
    /* Feedback without the media SSRC. */
    const uint8_t short_fb[] = {0x81, 206, 0x00, 0x01, 0, 0, 0, 1};
    CHECK_EQ(rtcp_validate(short_fb, sizeof(short_fb)), -RTCP_ERR_FORMAT);
    off = 0;
    CHECK_EQ(rtcp_next(short_fb, sizeof(short_fb), &off, &p), 1);
    rtcp_fb fb;
    CHECK_EQ(rtcp_parse_fb(&p, &fb), -RTCP_ERR_FORMAT);
    /* NACK with no FCI. */
    const uint8_t empty_nack[] = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    CHECK_EQ(rtcp_validate(empty_nack, sizeof(empty_nack)), -RTCP_ERR_FORMAT);
    /* SDES item length running past the packet. */
    uint8_t sdes[16];
    put_sdes(sdes, 1);
    sdes[9] = 0x09;
    CHECK_EQ(rtcp_validate(sdes, sizeof(sdes)), -RTCP_ERR_FORMAT);
    /* SDES chunk with no END item. */
    put_sdes(sdes, 1);
    sdes[15] = 'f';
    CHECK_EQ(rtcp_validate(sdes, sizeof(sdes)), -RTCP_ERR_FORMAT);
    /* Two chunks: the first END sits mid-word, so the second chunk starts
     * only after the alignment padding. */
    uint8_t two[] = {0x82, 202, 0x00, 0x05, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b',
                     0x00, 0,   0,    0,    1, 2, 3, 4, 0x01, 0x01, 'z', 0x00};
    CHECK_EQ(rtcp_validate(two, sizeof(two)), 0);
    two[0] = 0x83; /* a third chunk that is not there */
    CHECK_EQ(rtcp_validate(two, sizeof(two)), -RTCP_ERR_FORMAT);
    /* APP needs SSRC and name; XR needs the sender SSRC. */
    const uint8_t app[] = {0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 'c', 'o', 'n', 'f'};
    CHECK_EQ(rtcp_validate(app, sizeof(app)), 0);
    const uint8_t short_app[] = {0x80, 204, 0x00, 0x01, 0, 0, 0, 1};
    CHECK_EQ(rtcp_validate(short_app, sizeof(short_app)), -RTCP_ERR_FORMAT);
    const uint8_t xr[] = {0x80, 207, 0x00, 0x01, 0, 0, 0, 1};
    CHECK_EQ(rtcp_validate(xr, sizeof(xr)), 0);
    CHECK_EQ(rtcp_validate(xr, 4), -RTCP_ERR_SHORT);
    const uint8_t short_xr[] = {0x80, 207, 0x00, 0x00};
    CHECK_EQ(rtcp_validate(short_xr, sizeof(short_xr)), -RTCP_ERR_FORMAT);
    /* BYE claiming 2 SSRCs in 1 word; then a fitting BYE with a reason. */
    const uint8_t bye[] = {0x82, 203, 0x00, 0x01, 0, 0, 0, 1};
    CHECK_EQ(rtcp_validate(bye, sizeof(bye)), -RTCP_ERR_FORMAT);
    uint8_t bye_reason[] = {0x81, 203, 0x00, 0x02, 0, 0, 0, 1, 3, 'b', 'y', 'e'};
    CHECK_EQ(rtcp_validate(bye_reason, sizeof(bye_reason)), 0);
    bye_reason[8] = 4;
    CHECK_EQ(rtcp_validate(bye_reason, sizeof(bye_reason)), -RTCP_ERR_FORMAT);
}

static void test_padding(void)
{
    /* RR without blocks plus 4 bytes of padding (P bit, last byte = 4). */
    uint8_t b[12] = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};
    CHECK_EQ(rtcp_validate(b, sizeof(b)), 0);
    size_t off = 0;
    rtcp_packet p;
    CHECK_EQ(rtcp_next(b, sizeof(b), &off, &p), 1);
    CHECK_EQ(p.len, 12);
    rtcp_rr rr;
    CHECK_EQ(rtcp_parse_rr(&p, &rr), 0);
    CHECK_EQ(rr.ssrc, 9);
    CHECK_EQ(rr.report_count, 0);
    b[11] = 0;
    CHECK_EQ(rtcp_validate(b, sizeof(b)), -RTCP_ERR_FORMAT);
    b[11] = 9; /* reaches into the header */
    CHECK_EQ(rtcp_validate(b, sizeof(b)), -RTCP_ERR_FORMAT);
    b[11] = 200; /* longer than the packet itself */
    CHECK_EQ(rtcp_validate(b, sizeof(b)), -RTCP_ERR_FORMAT);
    CHECK_EQ(rtcp_parse_rr(&p, &rr), -RTCP_ERR_FORMAT);
    /* Padding that hides the media SSRC of a PLI. */
    uint8_t pli[16] = {0xA1, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 8};
    CHECK_EQ(rtcp_validate(pli, sizeof(pli)), -RTCP_ERR_FORMAT);
    pli[15] = 4;
    CHECK_EQ(rtcp_validate(pli, sizeof(pli)), 0);
    off = 0;
    CHECK_EQ(rtcp_next(pli, sizeof(pli), &off, &p), 1);
    rtcp_fb fb;
    CHECK_EQ(rtcp_parse_fb(&p, &fb), 0);
    CHECK_EQ(fb.fci_len, 0);
}

static void test_writer_limits(void)
{
    rtcp_rr rr = {.ssrc = 42, .report_count = RTCP_MAX_REPORTS};
    for (int i = 0; i < RTCP_MAX_REPORTS; i++)
        fill_block(&rr.reports[i], (uint32_t)i);
    uint8_t b[1024];
    size_t need = 8 + 31 * 24;
    memset(b, 0x5A, sizeof(b));
    CHECK_EQ(rtcp_write_rr(b, need - 1, &rr), -1);
    for (size_t i = 0; i < sizeof(b); i++)
        if (b[i] != 0x5A) {
            CHECK(0 && "writer touched the buffer on failure");
            break;
        }
    CHECK_EQ(rtcp_write_rr(b, need, &rr), (int)need);
    CHECK_EQ(b[need], 0x5A);
    CHECK_EQ(b[0] & 0x1F, 31);
    CHECK_EQ(rtcp_validate(b, need), 0);
    size_t off = 0;
    rtcp_packet p;
    CHECK_EQ(rtcp_next(b, need, &off, &p), 1);
    rtcp_rr got;
    CHECK_EQ(rtcp_parse_rr(&p, &got), 0);
    CHECK_EQ(got.report_count, 31);
    for (int i = 0; i < RTCP_MAX_REPORTS; i++)
        check_block(&got.reports[i], &rr.reports[i]);

    rr.report_count = 32;
    CHECK_EQ(rtcp_write_rr(b, sizeof(b), &rr), -1);

    rtcp_sr sr = {.ssrc = 1, .report_count = 0};
    CHECK_EQ(rtcp_write_sr(b, 27, &sr), -1);
    CHECK_EQ(rtcp_write_sr(b, 28, &sr), 28);
    CHECK_EQ(b[0] & 0x1F, 0);
    CHECK_EQ(rtcp_write_pli(b, 11, 1, 2), -1);
    CHECK_EQ(rtcp_write_fir(b, 19, 1, 2, 3), -1);

    /* Loss counts beyond 24 bits clamp instead of wrapping. */
    sr.report_count = 2;
    fill_block(&sr.reports[0], 1);
    fill_block(&sr.reports[1], 2);
    sr.reports[0].cumulative_lost = 0x1000000;
    sr.reports[1].cumulative_lost = -0x900000;
    int n = rtcp_write_sr(b, sizeof(b), &sr);
    CHECK_EQ(n, 76);
    off = 0;
    CHECK_EQ(rtcp_next(b, (size_t)n, &off, &p), 1);
    rtcp_sr gsr;
    CHECK_EQ(rtcp_parse_sr(&p, &gsr), 0);
    CHECK_EQ(gsr.reports[0].cumulative_lost, 0x7FFFFF);
    CHECK_EQ(gsr.reports[1].cumulative_lost, -0x800000);
}

static void test_ntp(void)
{
    const uint64_t offset = 2208988800ull;
    CHECK(rtcp_ntp_from_unix_us(0) == offset << 32);
    CHECK(rtcp_ntp_from_unix_us(1500000) == (((offset + 1) << 32) | 0x80000000ull));
    CHECK(rtcp_ntp_to_unix_us(((offset + 2) << 32) | 0x40000000ull) == 2250000);
    /* Before 1970 clamps to 0. */
    CHECK(rtcp_ntp_to_unix_us((offset - 10) << 32) == 0);

    /* Round trip, including dates after the 2036 NTP era rollover. */
    const uint64_t samples[] = {0,
                                1,
                                999999,
                                1000000,
                                1700000000123456ull,
                                2085978495999999ull, /* just before the rollover */
                                2085978496000000ull, /* 2036-02-07T06:28:16Z */
                                3000000000000001ull};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
        CHECK(rtcp_ntp_to_unix_us(rtcp_ntp_from_unix_us(samples[i])) == samples[i]);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int bad = 0;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t us = x % 4000000000000000ull; /* up to ~2096 */
        if (rtcp_ntp_to_unix_us(rtcp_ntp_from_unix_us(us)) != us) bad++;
    }
    CHECK_EQ(bad, 0);
    /* Era 1: the seconds field wrapped to a small number. */
    uint64_t after = rtcp_ntp_from_unix_us(2085978496000000ull + 5000000);
    CHECK_EQ(after >> 32, 5);
}

int main(void)
{
    test_sr_sdes();
    test_rr_pli();
    test_fir();
    test_malformed();
    test_padding();
    test_writer_limits();
    test_ntp();
    return check_finish("test_rtcp");
}

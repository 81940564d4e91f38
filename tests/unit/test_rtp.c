/*
 * RTP header, RFC 8285 extension and keyframe detection tests. Every packet
 * is assembled byte by byte here so the expected values are independent of
 * the code under test.
 */
#include "sfu/rtp.h"

#include "check.h"

#include <stdint.h>
#include <string.h>

/* Writes a fixed header (no CSRC) and returns 12. */
static size_t put_header(uint8_t *b, int p, int x, int cc, int m, int pt, uint16_t seq, uint32_t ts,
                         uint32_t ssrc)
{
    b[0] = (uint8_t)(0x80 | (p << 5) | (x << 4) | cc);
    b[1] = (uint8_t)((m << 7) | pt);
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    b[4] = (uint8_t)(ts >> 24);
    b[5] = (uint8_t)(ts >> 16);
    b[6] = (uint8_t)(ts >> 8);
    b[7] = (uint8_t)ts;
    b[8] = (uint8_t)(ssrc >> 24);
    b[9] = (uint8_t)(ssrc >> 16);
    b[10] = (uint8_t)(ssrc >> 8);
    b[11] = (uint8_t)ssrc;
    return 12;
}

static void test_fixed_header(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 0, 0, 0, 1, 111, 0xBEEF, 0xDEADBEEF, 0x12345678);
    memcpy(b + n, "\x01\x02\x03\x04\x05", 5);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n + 5, &h), RTP_OK);
    CHECK_EQ(h.padding, 0);
    CHECK_EQ(h.extension, 0);
    CHECK_EQ(h.csrc_count, 0);
    CHECK_EQ(h.marker, 1);
    CHECK_EQ(h.payload_type, 111);
    CHECK_EQ(h.seq, 0xBEEF);
    CHECK_EQ(h.timestamp, 0xDEADBEEFu);
    CHECK_EQ(h.ssrc, 0x12345678u);
    CHECK_EQ(h.ext_profile, 0);
    CHECK_EQ(h.header_len, 12);
    CHECK_EQ(h.payload_len, 5);
    CHECK_EQ(h.padding_len, 0);
    CHECK_EQ(rtp_peek_ssrc(b), 0x12345678u);

    /* Marker clear and a header-only packet are both fine. */
    put_header(b, 0, 0, 0, 0, 96, 1, 2, 3);
    CHECK_EQ(rtp_parse(b, 12, &h), RTP_OK);
    CHECK_EQ(h.marker, 0);
    CHECK_EQ(h.payload_type, 96);
    CHECK_EQ(h.payload_len, 0);
}

static void test_csrc(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 0, 0, 3, 0, 96, 7, 8, 9);
    for (int i = 0; i < 12; i++)
        b[n + i] = (uint8_t)(0xA0 + i);
    n += 12;
    b[n++] = 0x42;
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.csrc_count, 3);
    CHECK_EQ(h.header_len, 24);
    CHECK_EQ(h.payload_len, 1);
    CHECK_EQ(b[h.header_len], 0x42);
    /* CC says 3 CSRCs, only 2 are present. */
    CHECK_EQ(rtp_parse(b, 20, &h), -RTP_ERR_SHORT);
}

/* Fixed header, then a one-byte block: id 1 (1 byte), a padding byte,
 * id 3 (4 bytes), padded to 8 bytes; then a 2-byte payload. */
static size_t build_one_byte(uint8_t *b)
{
    size_t n = put_header(b, 0, 1, 0, 0, 100, 1, 2, 3);
    const uint8_t ext[] = {0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0x00, 0x33, 0x01, 0x02, 0x03, 0x04};
    memcpy(b + n, ext, sizeof(ext));
    n += sizeof(ext);
    b[n++] = 0x77;
    b[n++] = 0x88;
    return n;
}

static void test_one_byte_ext(void)
{
    uint8_t b[64];
    size_t n = build_one_byte(b);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.extension, 1);
    CHECK_EQ(h.ext_profile, 0xBEDE);
    CHECK_EQ(h.ext_offset, 16);
    CHECK_EQ(h.ext_len, 8);
    CHECK_EQ(h.header_len, 24);
    CHECK_EQ(h.payload_len, 2);

    const uint8_t *v = NULL;
    size_t vl = 0;
    CHECK_EQ(rtp_ext_find(b, &h, 1, &v, &vl), 0);
    CHECK_EQ(vl, 1);
    CHECK(v == b + 17);
    CHECK_EQ(v[0], 0xAA);
    CHECK_EQ(rtp_ext_find(b, &h, 3, &v, &vl), 0);
    CHECK_EQ(vl, 4);
    CHECK(memcmp(v, "\x01\x02\x03\x04", 4) == 0);
    CHECK_EQ(rtp_ext_find(b, &h, 2, &v, &vl), -1);
    CHECK_EQ(rtp_ext_find(b, &h, 0, &v, &vl), -1);
    CHECK_EQ(rtp_ext_find(b, &h, 15, &v, &vl), -1);
    CHECK_EQ(rtp_ext_find(b, &h, 200, &v, &vl), -1);
}

static void test_one_byte_id15_stops(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 0, 1, 0, 0, 100, 1, 2, 3);
    /* id 2, then id 15: what follows (id 4 with a length that would overrun
     * the block if 15 were read as an element) is not parsed, so the packet
     * is accepted and id 4 is not found. */
    const uint8_t ext[] = {0xBE, 0xDE, 0x00, 0x02, 0x20, 0x55, 0xF0, 0x00, 0x4F, 0x00, 0x00, 0x00};
    memcpy(b + n, ext, sizeof(ext));
    n += sizeof(ext);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    const uint8_t *v;
    size_t vl;
    CHECK_EQ(rtp_ext_find(b, &h, 2, &v, &vl), 0);
    CHECK_EQ(v[0], 0x55);
    CHECK_EQ(rtp_ext_find(b, &h, 4, &v, &vl), -1);
}

/* Two-byte form with appbits 5: id 1 with an empty value, padding,
 * id 200 with 3 bytes, padding to 8 bytes. */
static size_t build_two_byte(uint8_t *b)
{
    size_t n = put_header(b, 0, 1, 0, 0, 100, 1, 2, 3);
    const uint8_t ext[] = {0x10, 0x05, 0x00, 0x02, 0x01, 0x00, 0x00, 0xC8, 0x03, 0x61, 0x62, 0x63};
    memcpy(b + n, ext, sizeof(ext));
    n += sizeof(ext);
    b[n++] = 0x99;
    return n;
}

static void test_two_byte_ext(void)
{
    uint8_t b[64];
    size_t n = build_two_byte(b);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.ext_profile, 0x1005);
    CHECK_EQ(h.ext_len, 8);
    CHECK_EQ(h.header_len, 24);
    CHECK_EQ(h.payload_len, 1);
    const uint8_t *v;
    size_t vl = 99;
    CHECK_EQ(rtp_ext_find(b, &h, 1, &v, &vl), 0);
    CHECK_EQ(vl, 0);
    CHECK_EQ(rtp_ext_find(b, &h, 200, &v, &vl), 0);
    CHECK_EQ(vl, 3);
    CHECK(memcmp(v, "abc", 3) == 0);
    CHECK_EQ(rtp_ext_find(b, &h, 2, &v, &vl), -1);

    /* An element header cut by the end of the block. */
    b[18] = 0x00;
    b[19] = 0x00;
    b[20] = 0x00;
    b[21] = 0x00;
    b[22] = 0x00;
    b[23] = 0x07; /* id 7, length byte would be the payload */
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_EXTENSION);
}

static void test_unknown_profile(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 0, 1, 0, 0, 100, 1, 2, 3);
    const uint8_t ext[] = {0x12, 0x34, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF};
    memcpy(b + n, ext, sizeof(ext));
    n += sizeof(ext);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.ext_profile, 0x1234);
    CHECK_EQ(h.ext_len, 4);
    const uint8_t *v;
    size_t vl;
    CHECK_EQ(rtp_ext_find(b, &h, 15, &v, &vl), -1);
    uint8_t map[256] = {0};
    uint8_t before[64];
    memcpy(before, b, n);
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), 0);
    CHECK(memcmp(before, b, n) == 0);

    /* No extension block at all. */
    put_header(b, 0, 0, 0, 0, 100, 1, 2, 3);
    CHECK_EQ(rtp_parse(b, 12, &h), RTP_OK);
    CHECK_EQ(rtp_ext_find(b, &h, 1, &v, &vl), -1);
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), 0);
}

static void test_padding(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 1, 0, 0, 0, 96, 1, 2, 3);
    memcpy(b + n, "\x11\x22\x00\x00\x03", 5);
    n += 5;
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.padding, 1);
    CHECK_EQ(h.padding_len, 3);
    CHECK_EQ(h.payload_len, 2);

    b[n - 1] = 5; /* padding takes the whole payload: allowed */
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.payload_len, 0);
    b[n - 1] = 6; /* would eat into the header */
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_PADDING);
    b[n - 1] = 0;
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_PADDING);
    /* P bit on a header-only packet: the count byte is header. */
    CHECK_EQ(rtp_parse(b, 12, &h), -RTP_ERR_PADDING);

    /* Padding after an extension block may not reach into it. */
    n = build_one_byte(b);
    b[0] |= 0x20;
    b[n - 1] = 2;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.payload_len, 0);
    CHECK_EQ(h.padding_len, 2);
    b[n - 1] = 3;
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_PADDING);
}

static void test_errors(void)
{
    uint8_t b[64];
    rtp_header h;
    size_t n = put_header(b, 0, 0, 0, 0, 96, 1, 2, 3);
    CHECK_EQ(rtp_parse(b, 11, &h), -RTP_ERR_SHORT);
    CHECK_EQ(rtp_parse(b, 0, &h), -RTP_ERR_SHORT);
    CHECK_EQ(rtp_parse(NULL, 12, &h), -RTP_ERR_SHORT);
    b[0] = (uint8_t)((b[0] & 0x3F) | 0x40); /* version 1 */
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_VERSION);
    b[0] = (uint8_t)(b[0] & 0x3F); /* version 0 */
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_VERSION);

    /* X set but the 4-byte block header is cut. */
    put_header(b, 0, 1, 0, 0, 96, 1, 2, 3);
    b[12] = 0xBE;
    b[13] = 0xDE;
    CHECK_EQ(rtp_parse(b, 14, &h), -RTP_ERR_SHORT);
    /* The block claims more words than the packet holds. */
    n = build_one_byte(b);
    b[15] = 0x09;
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_SHORT);
    /* An element that runs past the end of the block. */
    n = build_one_byte(b);
    b[19] = 0x37; /* id 3 with 8 bytes, block has 5 left */
    CHECK_EQ(rtp_parse(b, n, &h), -RTP_ERR_EXTENSION);
}

static void test_rewrite_one_byte(void)
{
    uint8_t b[64];
    size_t n = build_one_byte(b);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    uint8_t map[256];
    for (int i = 0; i < 256; i++)
        map[i] = (uint8_t)i;
    map[1] = 5;
    map[3] = 0; /* remove */
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), 0);
    const uint8_t expect[] = {0x50, 0xAA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    CHECK(memcmp(b + 16, expect, sizeof(expect)) == 0);
    CHECK_EQ(b[24], 0x77); /* payload untouched */

    rtp_header h2;
    CHECK_EQ(rtp_parse(b, n, &h2), RTP_OK);
    CHECK_EQ(h2.header_len, h.header_len);
    const uint8_t *v;
    size_t vl;
    CHECK_EQ(rtp_ext_find(b, &h2, 5, &v, &vl), 0);
    CHECK_EQ(vl, 1);
    CHECK_EQ(v[0], 0xAA);
    CHECK_EQ(rtp_ext_find(b, &h2, 1, &v, &vl), -1);
    CHECK_EQ(rtp_ext_find(b, &h2, 3, &v, &vl), -1);

    /* An id the one-byte form cannot carry is removed, not truncated. */
    n = build_one_byte(b);
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    for (int i = 0; i < 256; i++)
        map[i] = (uint8_t)i;
    map[3] = 20;
    map[1] = 15;
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), 0);
    for (int i = 16; i < 24; i++)
        CHECK_EQ(b[i], 0);
}

static void test_rewrite_two_byte(void)
{
    uint8_t b[64];
    size_t n = build_two_byte(b);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    uint8_t map[256];
    for (int i = 0; i < 256; i++)
        map[i] = (uint8_t)i;
    map[200] = 17;
    map[1] = 0;
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), 0);
    const uint8_t expect[] = {0x00, 0x00, 0x00, 0x11, 0x03, 0x61, 0x62, 0x63};
    CHECK(memcmp(b + 16, expect, sizeof(expect)) == 0);
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    const uint8_t *v;
    size_t vl;
    CHECK_EQ(rtp_ext_find(b, &h, 17, &v, &vl), 0);
    CHECK_EQ(vl, 3);
    CHECK_EQ(rtp_ext_find(b, &h, 200, &v, &vl), -1);
    CHECK_EQ(rtp_ext_find(b, &h, 1, &v, &vl), -1);
}

static void test_rewrite_malformed(void)
{
    uint8_t b[64];
    size_t n = build_one_byte(b);
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    b[19] = 0x37; /* break the block after parsing */
    uint8_t before[64];
    memcpy(before, b, n);
    uint8_t map[256] = {0};
    map[1] = 9;
    CHECK_EQ(rtp_ext_rewrite_ids(b, &h, map), -1);
    CHECK(memcmp(before, b, n) == 0); /* id 1 was not rewritten either */
}

static void test_setters(void)
{
    uint8_t b[64];
    size_t n = put_header(b, 0, 0, 0, 1, 96, 1, 2, 3);
    b[n++] = 0xEE;
    rtp_set_seq(b, 0xFFFE);
    rtp_set_timestamp(b, 0xCAFEBABE);
    rtp_set_ssrc(b, 0x0BADF00D);
    rtp_set_payload_type(b, 0xFF); /* only 7 bits are stored */
    rtp_header h;
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.seq, 0xFFFE);
    CHECK_EQ(h.timestamp, 0xCAFEBABEu);
    CHECK_EQ(h.ssrc, 0x0BADF00Du);
    CHECK_EQ(h.payload_type, 127);
    CHECK_EQ(h.marker, 1);
    CHECK_EQ(rtp_peek_ssrc(b), 0x0BADF00Du);
    rtp_set_payload_type(b, 45);
    CHECK_EQ(rtp_parse(b, n, &h), RTP_OK);
    CHECK_EQ(h.payload_type, 45);
    CHECK_EQ(h.marker, 1);
}

static void test_is_rtcp(void)
{
    uint8_t b[2] = {0x80, 200};
    CHECK(rtp_is_rtcp(b, 2));
    b[1] = 192;
    CHECK(rtp_is_rtcp(b, 2));
    b[1] = 223;
    CHECK(rtp_is_rtcp(b, 2));
    b[1] = 191;
    CHECK(!rtp_is_rtcp(b, 2));
    b[1] = 224;
    CHECK(!rtp_is_rtcp(b, 2));
    b[1] = 96 | 0x80; /* PT 96 with marker */
    CHECK(!rtp_is_rtcp(b, 2));
    b[1] = 200;
    CHECK(!rtp_is_rtcp(b, 1));
}

static void test_vp8(void)
{
    /* S=1 PID=0, frame tag with P=0. */
    const uint8_t key[] = {0x10, 0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A};
    CHECK(rtp_is_keyframe("VP8", key, sizeof(key)));
    CHECK(rtp_is_keyframe("vp8", key, sizeof(key)));
    const uint8_t delta[] = {0x10, 0x51, 0x01, 0x00};
    CHECK(!rtp_is_keyframe("VP8", delta, sizeof(delta)));
    const uint8_t not_start[] = {0x00, 0x50, 0x01, 0x00};
    CHECK(!rtp_is_keyframe("VP8", not_start, sizeof(not_start)));
    const uint8_t pid1[] = {0x11, 0x50, 0x01, 0x00};
    CHECK(!rtp_is_keyframe("VP8", pid1, sizeof(pid1)));
    CHECK(!rtp_is_keyframe("VP8", key, 1)); /* descriptor only */

    /* X with I (15-bit picture id), L, T and K: the frame tag is byte 6. */
    const uint8_t ext_key[] = {0x90, 0xF0, 0x81, 0x23, 0x05, 0x40, 0x50, 0x01};
    CHECK(rtp_is_keyframe("VP8", ext_key, sizeof(ext_key)));
    CHECK(!rtp_is_keyframe("VP8", ext_key, 6));
    const uint8_t ext_delta[] = {0x90, 0xF0, 0x81, 0x23, 0x05, 0x40, 0x51, 0x01};
    CHECK(!rtp_is_keyframe("VP8", ext_delta, sizeof(ext_delta)));
    /* 7-bit picture id and only K: frame tag is byte 4. Byte 3 has P=1 so a
     * wrong offset would give a different answer. */
    const uint8_t ext_short[] = {0x90, 0x90, 0x12, 0x21, 0x50};
    CHECK(rtp_is_keyframe("VP8", ext_short, sizeof(ext_short)));
    const uint8_t ext_short_delta[] = {0x90, 0x90, 0x12, 0x20, 0x51};
    CHECK(!rtp_is_keyframe("VP8", ext_short_delta, sizeof(ext_short_delta)));
}

static void test_vp9(void)
{
    const uint8_t key[] = {0x08, 0x82};
    CHECK(rtp_is_keyframe("VP9", key, sizeof(key)));
    CHECK(rtp_is_keyframe("vp9", key, sizeof(key)));
    CHECK(!rtp_is_keyframe("VP9", key, 1)); /* no payload after descriptor */
    const uint8_t inter[] = {0x48, 0x82};
    CHECK(!rtp_is_keyframe("VP9", inter, sizeof(inter)));
    const uint8_t not_begin[] = {0x04, 0x82};
    CHECK(!rtp_is_keyframe("VP9", not_begin, sizeof(not_begin)));

    /* I (15-bit id) + L in non-flexible mode: 2 layer bytes. */
    const uint8_t layered[] = {0xA8, 0x80, 0x01, 0x00, 0x07, 0x82};
    CHECK(rtp_is_keyframe("VP9", layered, sizeof(layered)));
    CHECK(!rtp_is_keyframe("VP9", layered, 5));
    const uint8_t upper_layer[] = {0xA8, 0x80, 0x01, 0x02, 0x07, 0x82}; /* SID 1 */
    CHECK(!rtp_is_keyframe("VP9", upper_layer, sizeof(upper_layer)));
    /* Flexible mode: 1 layer byte. */
    const uint8_t flex[] = {0xB8, 0x05, 0x00, 0x82};
    CHECK(rtp_is_keyframe("VP9", flex, sizeof(flex)));
    CHECK(!rtp_is_keyframe("VP9", flex, 3));

    /* V: SS with N_S=2 layers, Y (2 x 4 bytes) and G with 2 groups, the
     * second referencing 2 pictures. Descriptor is 16 bytes. */
    const uint8_t ss[] = {0x0A, 0x38, 0x01, 0x40, 0x00, 0xF0, 0x02, 0x80, 0x01,
                          0x68, 0x02, 0x04, 0x01, 0x08, 0x01, 0x02, 0x82};
    CHECK(rtp_is_keyframe("VP9", ss, sizeof(ss)));
    CHECK(!rtp_is_keyframe("VP9", ss, sizeof(ss) - 1));
    CHECK(!rtp_is_keyframe("VP9", ss, 12));
}

static void test_h264(void)
{
    const uint8_t idr[] = {0x65, 0x88};
    const uint8_t sps[] = {0x67, 0x42};
    const uint8_t slice[] = {0x41, 0x9A};
    const uint8_t pps[] = {0x68, 0xCE};
    CHECK(rtp_is_keyframe("H264", idr, sizeof(idr)));
    CHECK(rtp_is_keyframe("h264", sps, sizeof(sps)));
    CHECK(!rtp_is_keyframe("H264", slice, sizeof(slice)));
    CHECK(!rtp_is_keyframe("H264", pps, sizeof(pps)));
    CHECK(!rtp_is_keyframe("H264", idr, 0));

    /* STAP-A: SEI (6) then SPS (7). */
    const uint8_t stap_key[] = {0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x03, 0x67, 0x42, 0x00};
    CHECK(rtp_is_keyframe("H264", stap_key, sizeof(stap_key)));
    /* STAP-A: PPS and a non-IDR slice. */
    const uint8_t stap_delta[] = {0x78, 0x00, 0x02, 0x68, 0xCE, 0x00, 0x02, 0x41, 0x9A};
    CHECK(!rtp_is_keyframe("H264", stap_delta, sizeof(stap_delta)));
    /* Second NAL's size overruns: the SPS inside it must not count. */
    CHECK(!rtp_is_keyframe("H264", stap_key, 8));
    const uint8_t stap_overrun[] = {0x78, 0x00, 0x09, 0x67, 0x42};
    CHECK(!rtp_is_keyframe("H264", stap_overrun, sizeof(stap_overrun)));

    /* FU-A: start bit with IDR inside; middle fragment; start of non-IDR. */
    const uint8_t fu_start[] = {0x7C, 0x85, 0x88};
    const uint8_t fu_middle[] = {0x7C, 0x05, 0x88};
    const uint8_t fu_slice[] = {0x7C, 0x81, 0x9A};
    CHECK(rtp_is_keyframe("H264", fu_start, sizeof(fu_start)));
    CHECK(!rtp_is_keyframe("H264", fu_middle, sizeof(fu_middle)));
    CHECK(!rtp_is_keyframe("H264", fu_slice, sizeof(fu_slice)));
    CHECK(!rtp_is_keyframe("H264", fu_start, 1));

    CHECK(!rtp_is_keyframe("opus", idr, sizeof(idr)));
    CHECK(!rtp_is_keyframe("H26", idr, sizeof(idr)));
    CHECK(!rtp_is_keyframe(NULL, idr, sizeof(idr)));
}

int main(void)
{
    test_fixed_header();
    test_csrc();
    test_one_byte_ext();
    test_one_byte_id15_stops();
    test_two_byte_ext();
    test_unknown_profile();
    test_padding();
    test_errors();
    test_rewrite_one_byte();
    test_rewrite_two_byte();
    test_rewrite_malformed();
    test_setters();
    test_is_rtcp();
    test_vp8();
    test_vp9();
    test_h264();
    return check_finish("test_rtp");
}

/*
 * libFuzzer target for the RTP and RTCP codecs. The input is parsed both as
 * RTP and as compound RTCP; besides memory safety it checks invariants that
 * must hold for any input, and aborts when one does not.
 */
#include "sfu/rtcp.h"
#include "sfu/rtp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_rtp_ext(const uint8_t *buf, const rtp_header *h, size_t len)
{
    for (unsigned id = 0; id < 256; id++) {
        const uint8_t *v = NULL;
        size_t vl = 0;
        if (rtp_ext_find(buf, h, (uint8_t)id, &v, &vl) != 0) continue;
        /* A found value must lie inside the extension block. */
        if (v < buf + h->ext_offset || vl > h->ext_len ||
            (size_t)(v - buf) + vl > h->ext_offset + h->ext_len || h->ext_offset + h->ext_len > len)
            abort();
    }
}

/* Rewrites ids on a private copy sized exactly to the input so ASan catches
 * any write past the end; the result must still parse the same way. */
static void fuzz_rtp_rewrite(const uint8_t *data, size_t size, const rtp_header *h)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return;
    memcpy(copy, data, size);
    uint8_t map[256];
    uint8_t k = size ? data[size - 1] : 0;
    for (unsigned i = 0; i < 256; i++)
        map[i] = (uint8_t)((i * 7 + k) % 5 == 0 ? 0 : (i ^ k));
    /* rtp_parse already checked the block, so the rewrite cannot fail. */
    if (rtp_ext_rewrite_ids(copy, h, map) != 0) abort();
    rtp_header h2;
    if (rtp_parse(copy, size, &h2) != RTP_OK) abort();
    if (h2.header_len != h->header_len || h2.payload_len != h->payload_len) abort();
    if (memcmp(copy + h->header_len, data + h->header_len, size - h->header_len) != 0) abort();
    fuzz_rtp_ext(copy, &h2, size);
    rtp_set_seq(copy, 1);
    rtp_set_timestamp(copy, 2);
    rtp_set_ssrc(copy, 3);
    rtp_set_payload_type(copy, 4);
    if (rtp_peek_ssrc(copy) != 3) abort();
    free(copy);
}

static void fuzz_rtp(const uint8_t *data, size_t size)
{
    (void)rtp_is_rtcp(data, size);
    rtp_header h;
    if (rtp_parse(data, size, &h) != RTP_OK) return;
    if (h.header_len + h.payload_len + h.padding_len != size) abort();
    fuzz_rtp_ext(data, &h, size);
    fuzz_rtp_rewrite(data, size, &h);
    const uint8_t *pl = data + h.header_len;
    (void)rtp_is_keyframe("VP8", pl, h.payload_len);
    (void)rtp_is_keyframe("VP9", pl, h.payload_len);
    (void)rtp_is_keyframe("H264", pl, h.payload_len);
}

/* Whatever parses must write back and parse to the same values. */
static void fuzz_sr_roundtrip(const rtcp_sr *sr)
{
    uint8_t out[28 + RTCP_MAX_REPORTS * 24];
    int n = rtcp_write_sr(out, sizeof(out), sr);
    if (n < 0) abort();
    size_t off = 0;
    rtcp_packet p;
    rtcp_sr back;
    if (rtcp_next(out, (size_t)n, &off, &p) != 1 || rtcp_parse_sr(&p, &back) != 0) abort();
    if (back.ntp != sr->ntp || back.report_count != sr->report_count) abort();
    for (unsigned i = 0; i < sr->report_count; i++)
        if (back.reports[i].cumulative_lost != sr->reports[i].cumulative_lost) abort();
}

static void fuzz_rtcp_packet(const rtcp_packet *p)
{
    rtcp_sr sr;
    rtcp_rr rr;
    rtcp_fb fb;
    if (rtcp_parse_sr(p, &sr) == 0) fuzz_sr_roundtrip(&sr);
    if (rtcp_parse_rr(p, &rr) == 0) {
        uint8_t out[8 + RTCP_MAX_REPORTS * 24];
        if (rtcp_write_rr(out, sizeof(out), &rr) < 0) abort();
    }
    if (rtcp_parse_fb(p, &fb) == 0) {
        if (fb.fci < p->data || fb.fci + fb.fci_len > p->data + p->len) abort();
        uint32_t ssrc;
        uint8_t seq;
        for (size_t i = 0; rtcp_fir_entry(&fb, i, &ssrc, &seq) == 0; i++) {
            if (i > p->len) abort();
        }
    }
}

static void fuzz_rtcp(const uint8_t *data, size_t size)
{
    int valid = rtcp_validate(data, size);
    size_t off = 0;
    rtcp_packet p;
    int r;
    while ((r = rtcp_next(data, size, &off, &p)) == 1) {
        if (p.data < data || p.len < 4 || p.data + p.len > data + size) abort();
        fuzz_rtcp_packet(&p);
    }
    /* validate may be stricter than rtcp_next, never looser. */
    if (valid == 0 && r != 0) abort();
    (void)rtcp_ntp_to_unix_us(size >= 8 ? ((uint64_t)data[0] << 56) | data[7] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact-size heap copy: reads past the end hit the redzone. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    fuzz_rtp(buf, size);
    fuzz_rtcp(buf, size);
    free(buf);
    return 0;
}

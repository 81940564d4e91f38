/*
 * RTCP compound iteration, body checks, parsers and writers.
 *
 * rtcp_next only checks the common header so a caller can skip packet types
 * it does not care about; the per-type body checks live in rtcp_check_body,
 * shared by rtcp_validate and the parsers, so both agree on what is valid.
 */
#include "rtcp.h"

#include "bytes.h"

#include <string.h>

#define RTCP_HEADER       4
#define RTCP_REPORT_BLOCK 24
#define RTCP_SR_FIXED     28 /* header, sender SSRC, 20 bytes of sender info */
#define RTCP_RR_FIXED     8  /* header, sender SSRC */
#define RTCP_FB_FIXED     12 /* header, sender SSRC, media SSRC */
#define RTCP_FIR_ENTRY    8
#define RTCP_FMT_NACK     1
#define RTCP_FMT_PLI      1
#define RTCP_FMT_FIR      4
#define NTP_UNIX_OFFSET   2208988800ULL /* seconds from 1900 to 1970 */
#define US_PER_SEC        1000000ULL
#define RTCP_LOST_MAX     0x7FFFFF
#define RTCP_LOST_MIN     (-0x800000)

/* ---- Iteration and validation ---- */

int rtcp_next(const uint8_t *buf, size_t len, size_t *off, rtcp_packet *out)
{
    if (!buf || !off || !out || *off >= len) return 0;
    size_t rem = len - *off;
    const uint8_t *p = buf + *off;
    if (rem < RTCP_HEADER) return -RTCP_ERR_SHORT;
    if ((p[0] >> 6) != 2) return -RTCP_ERR_VERSION;
    /* RFC 5761 reserves 192..223 for RTCP; unknown types in that range are
     * still walked so the caller can skip them. */
    if (p[1] < 192 || p[1] > 223) return -RTCP_ERR_TYPE;
    size_t plen = ((size_t)rd16(p + 2) + 1) * 4;
    if (plen > rem) return -RTCP_ERR_SHORT;
    out->type = p[1];
    out->count = p[0] & 0x1F;
    out->data = p;
    out->len = plen;
    *off += plen;
    return 1;
}

/* Length of the packet without its trailing padding (P bit, RFC 3550 6.4.1). */
static int rtcp_body_len(const rtcp_packet *p, size_t *blen)
{
    if (!p->data || p->len < RTCP_HEADER) return -RTCP_ERR_SHORT;
    size_t pad = 0;
    if (p->data[0] & 0x20) {
        pad = p->data[p->len - 1];
        if (pad == 0 || pad > p->len - RTCP_HEADER) return -RTCP_ERR_FORMAT;
    }
    *blen = p->len - pad;
    return RTCP_OK;
}

/* SDES chunks: SSRC, items (type, length, text), a zero type ends the list
 * and is followed by padding to the next 32-bit boundary. */
static int rtcp_check_sdes(const uint8_t *d, size_t blen, unsigned chunks)
{
    size_t off = RTCP_HEADER;
    for (unsigned c = 0; c < chunks; c++) {
        if (blen - off < 4) return -RTCP_ERR_FORMAT;
        off += 4;
        for (;;) {
            if (off >= blen) return -RTCP_ERR_FORMAT;
            if (d[off] == 0) break;
            if (blen - off < 2 || d[off + 1] > blen - off - 2) return -RTCP_ERR_FORMAT;
            off += 2 + (size_t)d[off + 1];
        }
        off = (off + 4) & ~(size_t)3; /* past the END byte, up to 4-byte alignment */
        if (off > blen) return -RTCP_ERR_FORMAT;
    }
    return RTCP_OK;
}

static int rtcp_check_bye(const uint8_t *d, size_t blen, unsigned count)
{
    size_t off = RTCP_HEADER + (size_t)count * 4;
    if (off > blen) return -RTCP_ERR_FORMAT;
    if (off < blen && (size_t)d[off] > blen - off - 1) return -RTCP_ERR_FORMAT; /* reason */
    return RTCP_OK;
}

static int rtcp_check_fb(const rtcp_packet *p, size_t blen)
{
    if (blen < RTCP_FB_FIXED) return -RTCP_ERR_FORMAT;
    size_t fci = blen - RTCP_FB_FIXED;
    if (p->type == RTCP_RTPFB && p->count == RTCP_FMT_NACK && (fci == 0 || fci % 4))
        return -RTCP_ERR_FORMAT;
    if (p->type == RTCP_PSFB && p->count == RTCP_FMT_FIR && (fci == 0 || fci % RTCP_FIR_ENTRY))
        return -RTCP_ERR_FORMAT;
    return RTCP_OK;
}

/* Checks that the body of one packet fits its type; returns the body length
 * (padding excluded) through *blen. */
static int rtcp_check_body(const rtcp_packet *p, size_t *blen)
{
    int r = rtcp_body_len(p, blen);
    if (r != RTCP_OK) return r;
    size_t need = RTCP_HEADER;
    switch (p->type) {
    case RTCP_SR:
        need = RTCP_SR_FIXED + (size_t)p->count * RTCP_REPORT_BLOCK;
        break;
    case RTCP_RR:
        need = RTCP_RR_FIXED + (size_t)p->count * RTCP_REPORT_BLOCK;
        break;
    case RTCP_SDES:
        return rtcp_check_sdes(p->data, *blen, p->count);
    case RTCP_BYE:
        return rtcp_check_bye(p->data, *blen, p->count);
    case RTCP_APP:
        need = 12; /* header, SSRC, 4-character name */
        break;
    case RTCP_RTPFB:
    case RTCP_PSFB:
        return rtcp_check_fb(p, *blen);
    case RTCP_XR:
        need = 8;
        break;
    default:
        break;
    }
    return *blen < need ? -RTCP_ERR_FORMAT : RTCP_OK;
}

int rtcp_validate(const uint8_t *buf, size_t len)
{
    if (!buf || len < RTCP_HEADER) return -RTCP_ERR_SHORT;
    size_t off = 0, blen;
    rtcp_packet p;
    int r;
    while ((r = rtcp_next(buf, len, &off, &p)) == 1) {
        int c = rtcp_check_body(&p, &blen);
        if (c != RTCP_OK) return c;
    }
    return r;
}

/* ---- Parsers ---- */

static void parse_report_block(const uint8_t *d, rtcp_report_block *b)
{
    b->ssrc = rd32(d);
    b->fraction_lost = d[4];
    uint32_t lost = rd24(d + 5);
    /* Sign-extend the 24-bit two's complement value. */
    b->cumulative_lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    b->highest_seq = rd32(d + 8);
    b->jitter = rd32(d + 12);
    b->lsr = rd32(d + 16);
    b->dlsr = rd32(d + 20);
}

static int rtcp_expect(const rtcp_packet *p, uint8_t type, size_t *blen)
{
    if (!p) return -RTCP_ERR_SHORT;
    if (p->type != type) return -RTCP_ERR_TYPE;
    return rtcp_check_body(p, blen);
}

int rtcp_parse_sr(const rtcp_packet *p, rtcp_sr *out)
{
    size_t blen;
    int r = rtcp_expect(p, RTCP_SR, &blen);
    if (r != RTCP_OK) return r;
    const uint8_t *d = p->data;
    out->ssrc = rd32(d + 4);
    out->ntp = ((uint64_t)rd32(d + 8) << 32) | rd32(d + 12);
    out->rtp_ts = rd32(d + 16);
    out->packet_count = rd32(d + 20);
    out->octet_count = rd32(d + 24);
    out->report_count = p->count;
    for (unsigned i = 0; i < p->count; i++)
        parse_report_block(d + RTCP_SR_FIXED + i * RTCP_REPORT_BLOCK, &out->reports[i]);
    return RTCP_OK;
}

int rtcp_parse_rr(const rtcp_packet *p, rtcp_rr *out)
{
    size_t blen;
    int r = rtcp_expect(p, RTCP_RR, &blen);
    if (r != RTCP_OK) return r;
    out->ssrc = rd32(p->data + 4);
    out->report_count = p->count;
    for (unsigned i = 0; i < p->count; i++)
        parse_report_block(p->data + RTCP_RR_FIXED + i * RTCP_REPORT_BLOCK, &out->reports[i]);
    return RTCP_OK;
}

int rtcp_parse_fb(const rtcp_packet *p, rtcp_fb *out)
{
    if (!p) return -RTCP_ERR_SHORT;
    if (p->type != RTCP_RTPFB && p->type != RTCP_PSFB) return -RTCP_ERR_TYPE;
    size_t blen;
    int r = rtcp_check_body(p, &blen);
    if (r != RTCP_OK) return r;
    out->type = p->type;
    out->fmt = p->count;
    out->sender_ssrc = rd32(p->data + 4);
    out->media_ssrc = rd32(p->data + 8);
    out->fci = p->data + RTCP_FB_FIXED;
    out->fci_len = blen - RTCP_FB_FIXED;
    return RTCP_OK;
}

/* Returns 0, -RTCP_ERR_TYPE when fb is not a FIR, or -RTCP_ERR_SHORT once
 * index is past the last entry (so callers loop until non-zero). */
int rtcp_fir_entry(const rtcp_fb *fb, size_t index, uint32_t *ssrc, uint8_t *seq)
{
    if (!fb || fb->type != RTCP_PSFB || fb->fmt != RTCP_FMT_FIR) return -RTCP_ERR_TYPE;
    if (!fb->fci || index >= fb->fci_len / RTCP_FIR_ENTRY) return -RTCP_ERR_SHORT;
    const uint8_t *e = fb->fci + index * RTCP_FIR_ENTRY;
    if (ssrc) *ssrc = rd32(e);
    if (seq) *seq = e[4];
    return RTCP_OK;
}

/* ---- Writers ---- */

/* Common header for a packet of `len` bytes (a multiple of 4). */
static void write_header(uint8_t *buf, uint8_t count, uint8_t type, size_t len)
{
    buf[0] = (uint8_t)(0x80 | (count & 0x1F));
    buf[1] = type;
    wr16(buf + 2, (uint16_t)(len / 4 - 1));
}

int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
    if (!buf || cap < RTCP_FB_FIXED) return -1;
    write_header(buf, RTCP_FMT_PLI, RTCP_PSFB, RTCP_FB_FIXED);
    wr32(buf + 4, sender_ssrc);
    wr32(buf + 8, media_ssrc);
    return RTCP_FB_FIXED;
}

/* RFC 5104 4.3.1.2: the FCI entry names the media sender, and the common
 * header's media source field SHALL be 0. */
int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq)
{
    const size_t len = RTCP_FB_FIXED + RTCP_FIR_ENTRY;
    if (!buf || cap < len) return -1;
    write_header(buf, RTCP_FMT_FIR, RTCP_PSFB, len);
    wr32(buf + 4, sender_ssrc);
    wr32(buf + 8, 0);
    wr32(buf + 12, media_ssrc);
    buf[16] = seq;
    buf[17] = buf[18] = buf[19] = 0;
    return (int)len;
}

static void write_report_block(uint8_t *d, const rtcp_report_block *b)
{
    /* RFC 3550 6.4.1: out-of-range loss counts are clamped, not wrapped. */
    int32_t lost = b->cumulative_lost;
    if (lost > RTCP_LOST_MAX) lost = RTCP_LOST_MAX;
    if (lost < RTCP_LOST_MIN) lost = RTCP_LOST_MIN;
    uint32_t l24 = (uint32_t)lost & 0xFFFFFF;
    wr32(d, b->ssrc);
    d[4] = b->fraction_lost;
    d[5] = (uint8_t)(l24 >> 16);
    d[6] = (uint8_t)(l24 >> 8);
    d[7] = (uint8_t)l24;
    wr32(d + 8, b->highest_seq);
    wr32(d + 12, b->jitter);
    wr32(d + 16, b->lsr);
    wr32(d + 20, b->dlsr);
}

int rtcp_write_sr(uint8_t *buf, size_t cap, const rtcp_sr *sr)
{
    if (!buf || !sr || sr->report_count > RTCP_MAX_REPORTS) return -1;
    size_t len = RTCP_SR_FIXED + (size_t)sr->report_count * RTCP_REPORT_BLOCK;
    if (cap < len) return -1;
    write_header(buf, sr->report_count, RTCP_SR, len);
    wr32(buf + 4, sr->ssrc);
    wr32(buf + 8, (uint32_t)(sr->ntp >> 32));
    wr32(buf + 12, (uint32_t)sr->ntp);
    wr32(buf + 16, sr->rtp_ts);
    wr32(buf + 20, sr->packet_count);
    wr32(buf + 24, sr->octet_count);
    for (unsigned i = 0; i < sr->report_count; i++)
        write_report_block(buf + RTCP_SR_FIXED + i * RTCP_REPORT_BLOCK, &sr->reports[i]);
    return (int)len;
}

int rtcp_write_rr(uint8_t *buf, size_t cap, const rtcp_rr *rr)
{
    if (!buf || !rr || rr->report_count > RTCP_MAX_REPORTS) return -1;
    size_t len = RTCP_RR_FIXED + (size_t)rr->report_count * RTCP_REPORT_BLOCK;
    if (cap < len) return -1;
    write_header(buf, rr->report_count, RTCP_RR, len);
    wr32(buf + 4, rr->ssrc);
    for (unsigned i = 0; i < rr->report_count; i++)
        write_report_block(buf + RTCP_RR_FIXED + i * RTCP_REPORT_BLOCK, &rr->reports[i]);
    return (int)len;
}

/* ---- NTP time ---- */

/* The 32-bit seconds field wraps in 2036 (NTP era 1); it is truncated here
 * and reinterpreted on the way back, which covers 1968..2104. */
uint64_t rtcp_ntp_from_unix_us(uint64_t us)
{
    uint64_t sec = us / US_PER_SEC + NTP_UNIX_OFFSET;
    uint64_t frac = ((us % US_PER_SEC) << 32) / US_PER_SEC;
    return ((sec & 0xFFFFFFFFULL) << 32) | frac;
}

/* Seconds with the top bit clear are taken as era 1 (RFC 5905 practice);
 * times before 1970 clamp to 0. The fraction is rounded so that a round trip
 * through rtcp_ntp_from_unix_us returns the same microsecond. */
uint64_t rtcp_ntp_to_unix_us(uint64_t ntp)
{
    uint64_t sec = ntp >> 32;
    if (!(sec & 0x80000000ULL)) sec += 1ULL << 32;
    if (sec < NTP_UNIX_OFFSET) return 0;
    uint64_t frac_us = ((ntp & 0xFFFFFFFFULL) * US_PER_SEC + (1ULL << 31)) >> 32;
    return (sec - NTP_UNIX_OFFSET) * US_PER_SEC + frac_us;
}

/*
 * RTP header view, RFC 8285 header extensions and keyframe detection.
 *
 * Everything here runs once per forwarded packet, so the code only walks the
 * few bytes it needs and never copies or moves payload data.
 */
#include "rtp.h"

#include "bytes.h"

#include <string.h>
#include <strings.h>

/* ---- Header extensions (RFC 8285) ---- */

enum ext_form {
    EXT_FORM_NONE = 0, /* unknown profile: elements are opaque to us */
    EXT_FORM_ONE_BYTE = 1,
    EXT_FORM_TWO_BYTE = 2,
};

/* One element; offsets are absolute positions in the packet buffer. */
typedef struct ext_elem {
    uint8_t id;
    size_t start; /* first byte of the element header */
    size_t data;  /* first byte of the value */
    size_t len;   /* value length */
} ext_elem;

static enum ext_form ext_form_of(const rtp_header *h)
{
    if (!h->extension) return EXT_FORM_NONE;
    if (h->ext_profile == RTP_EXT_ONE_BYTE) return EXT_FORM_ONE_BYTE;
    /* The low four bits of 0x100X are "appbits" the sender may set freely. */
    if ((h->ext_profile & 0xFFF0) == 0x1000) return EXT_FORM_TWO_BYTE;
    return EXT_FORM_NONE;
}

/* Steps to the next element at or after *pos (below end). Returns 1 with *e
 * filled, 0 at the end of the block, -1 when an element overruns the block. */
static int ext_next(const uint8_t *buf, size_t *pos, size_t end, enum ext_form form, ext_elem *e)
{
    while (*pos < end) {
        size_t at = *pos;
        uint8_t b = buf[at];
        size_t hdr, n;
        if (form == EXT_FORM_ONE_BYTE) {
            uint8_t id = b >> 4;
            /* Id 0 is padding; like common receivers we skip the single byte
             * even if its length nibble is not zero, so odd senders still
             * interoperate. */
            if (id == 0) {
                (*pos)++;
                continue;
            }
            if (id == 15) return 0; /* reserved: the rest of the block is not for us */
            e->id = id;
            hdr = 1;
            n = (size_t)(b & 0x0F) + 1;
        } else {
            if (b == 0) {
                (*pos)++;
                continue;
            }
            if (end - at < 2) return -1;
            e->id = b;
            hdr = 2;
            n = buf[at + 1];
        }
        if (n > end - at - hdr) return -1;
        e->start = at;
        e->data = at + hdr;
        e->len = n;
        *pos = at + hdr + n;
        return 1;
    }
    return 0;
}

/* Walks the whole block once; 0 when every element fits, -1 otherwise. */
static int ext_check(const uint8_t *buf, const rtp_header *h, enum ext_form form)
{
    size_t pos = h->ext_offset, end = h->ext_offset + h->ext_len;
    ext_elem e;
    int r;
    while ((r = ext_next(buf, &pos, end, form, &e)) == 1) {
    }
    return r;
}

int rtp_ext_find(const uint8_t *buf, const rtp_header *h, uint8_t id, const uint8_t **data,
                 size_t *len)
{
    if (!buf || !h || id == 0) return -1;
    enum ext_form form = ext_form_of(h);
    if (form == EXT_FORM_NONE) return -1;
    if (form == EXT_FORM_ONE_BYTE && id > RTP_MAX_EXT_ID) return -1;
    size_t pos = h->ext_offset, end = h->ext_offset + h->ext_len;
    ext_elem e;
    while (ext_next(buf, &pos, end, form, &e) == 1) {
        if (e.id != id) continue;
        if (data) *data = buf + e.data;
        if (len) *len = e.len;
        return 0;
    }
    return -1;
}

/* An id that the one-byte form cannot carry (0, or above 14) has to go:
 * leaving it would either end parsing early (15) or be read as padding. */
static void ext_rewrite_one(uint8_t *buf, const ext_elem *e, enum ext_form form, uint8_t to)
{
    if (to == e->id) return;
    if (to == 0 || (form == EXT_FORM_ONE_BYTE && to > RTP_MAX_EXT_ID)) {
        memset(buf + e->start, 0, e->data + e->len - e->start);
    } else if (form == EXT_FORM_ONE_BYTE) {
        buf[e->start] = (uint8_t)((to << 4) | (buf[e->start] & 0x0F));
    } else {
        buf[e->start] = to;
    }
}

int rtp_ext_rewrite_ids(uint8_t *buf, const rtp_header *h, const uint8_t map[256])
{
    if (!buf || !h || !map) return -1;
    enum ext_form form = ext_form_of(h);
    if (form == EXT_FORM_NONE) return 0;
    /* Check first so a malformed block is left exactly as it came. */
    if (ext_check(buf, h, form) != 0) return -1;
    size_t pos = h->ext_offset, end = h->ext_offset + h->ext_len;
    ext_elem e;
    while (ext_next(buf, &pos, end, form, &e) == 1)
        ext_rewrite_one(buf, &e, form, map[e.id]);
    return 0;
}

/* ---- Fixed header ---- */

/* Reads the extension block header at *off; advances *off past the block. */
static int parse_ext_block(const uint8_t *buf, size_t len, size_t *off, rtp_header *out)
{
    if (len - *off < 4) return -RTP_ERR_SHORT;
    out->ext_profile = rd16(buf + *off);
    size_t ext_len = (size_t)rd16(buf + *off + 2) * 4;
    *off += 4;
    if (ext_len > len - *off) return -RTP_ERR_SHORT;
    out->ext_offset = *off;
    out->ext_len = ext_len;
    *off += ext_len;
    return RTP_OK;
}

int rtp_parse(const uint8_t *buf, size_t len, rtp_header *out)
{
    if (!out) return -RTP_ERR_SHORT;
    memset(out, 0, sizeof(*out));
    if (!buf || len < RTP_MIN_HEADER) return -RTP_ERR_SHORT;
    if ((buf[0] >> 6) != 2) return -RTP_ERR_VERSION;
    out->padding = (buf[0] >> 5) & 1;
    out->extension = (buf[0] >> 4) & 1;
    out->csrc_count = buf[0] & 0x0F;
    out->marker = buf[1] >> 7;
    out->payload_type = buf[1] & 0x7F;
    out->seq = rd16(buf + 2);
    out->timestamp = rd32(buf + 4);
    out->ssrc = rd32(buf + 8);

    size_t off = RTP_MIN_HEADER + (size_t)out->csrc_count * 4;
    if (off > len) return -RTP_ERR_SHORT;
    if (out->extension) {
        int r = parse_ext_block(buf, len, &off, out);
        if (r != RTP_OK) return r;
    }
    size_t pad = 0;
    if (out->padding) {
        pad = buf[len - 1];
        if (pad == 0 || pad > len - off) return -RTP_ERR_PADDING;
    }
    enum ext_form form = ext_form_of(out);
    if (form != EXT_FORM_NONE && ext_check(buf, out, form) != 0) return -RTP_ERR_EXTENSION;
    out->header_len = off;
    out->padding_len = pad;
    out->payload_len = len - off - pad;
    return RTP_OK;
}

bool rtp_is_rtcp(const uint8_t *buf, size_t len)
{
    return buf && len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

void rtp_set_seq(uint8_t *buf, uint16_t seq)
{
    wr16(buf + 2, seq);
}

void rtp_set_timestamp(uint8_t *buf, uint32_t ts)
{
    wr32(buf + 4, ts);
}

void rtp_set_ssrc(uint8_t *buf, uint32_t ssrc)
{
    wr32(buf + 8, ssrc);
}

void rtp_set_payload_type(uint8_t *buf, uint8_t pt)
{
    buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7F));
}

uint32_t rtp_peek_ssrc(const uint8_t *buf)
{
    return rd32(buf + 8);
}

/* ---- Keyframe detection ---- */

/* Skips a picture id (RFC 7741 / RFC 9628): 7 bits, or 15 when M is set. */
static bool skip_picture_id(const uint8_t *p, size_t len, size_t *off)
{
    if (*off >= len) return false;
    *off += (p[*off] & 0x80) ? 2 : 1;
    return true;
}

/* RFC 7741 section 4.2 descriptor, then the VP8 frame tag's P bit
 * (RFC 6386 section 9.1: 0 means key frame). */
static bool vp8_is_keyframe(const uint8_t *p, size_t len)
{
    if (len < 1) return false;
    uint8_t b0 = p[0];
    bool start = (b0 & 0x10) != 0;
    uint8_t pid = b0 & 0x07;
    if (!start || pid != 0) return false;
    size_t off = 1;
    if (b0 & 0x80) { /* X: extension byte with I, L, T, K */
        if (len < 2) return false;
        uint8_t x = p[1];
        off = 2;
        if ((x & 0x80) && !skip_picture_id(p, len, &off)) return false;
        if (x & 0x40) off++; /* TL0PICIDX */
        if (x & 0x30) off++; /* TID/Y/KEYIDX, shared by T and K */
    }
    return off < len && (p[off] & 0x01) == 0;
}

/* Skips the scalability structure (RFC 9628 section 4.2.1). */
static bool vp9_skip_ss(const uint8_t *p, size_t len, size_t *off)
{
    if (*off >= len) return false;
    uint8_t b = p[(*off)++];
    size_t spatial = (size_t)(b >> 5) + 1;
    if (b & 0x10) *off += spatial * 4; /* Y: width and height per layer */
    if (!(b & 0x08)) return true;      /* G: picture group description */
    if (*off >= len) return false;
    size_t groups = p[(*off)++];
    for (size_t i = 0; i < groups; i++) {
        if (*off >= len) return false;
        size_t refs = (p[(*off)++] >> 2) & 0x03;
        *off += refs;
    }
    return true;
}

/* RFC 9628 section 4.2. A decoder can only start on a picture that is not
 * inter-predicted (P=0), at its first packet (B=1), in the base spatial
 * layer: upper layers of a key picture still depend on the layer below. */
static bool vp9_is_keyframe(const uint8_t *p, size_t len)
{
    if (len < 1) return false;
    uint8_t b0 = p[0];
    bool has_pid = b0 & 0x80, inter = b0 & 0x40, has_layer = b0 & 0x20;
    bool flexible = b0 & 0x10, begin = b0 & 0x08, has_ss = b0 & 0x02;
    if (!begin || inter) return false;
    size_t off = 1;
    if (has_pid && !skip_picture_id(p, len, &off)) return false;
    if (has_layer) {
        if (off >= len) return false;
        uint8_t sid = (p[off] >> 1) & 0x07;
        if (sid != 0) return false;
        off += flexible ? 1 : 2; /* non-flexible mode adds TL0PICIDX */
    }
    /* No P_DIFF bytes: they only exist when P=1. */
    if (has_ss && !vp9_skip_ss(p, len, &off)) return false;
    return off < len;
}

static bool h264_nal_is_key(uint8_t nal_header)
{
    uint8_t type = nal_header & 0x1F;
    return type == 5 || type == 7; /* IDR slice, or SPS that precedes one */
}

/* RFC 6184 sections 5.7.1 (STAP-A) and 5.8 (FU-A). */
static bool h264_is_keyframe(const uint8_t *p, size_t len)
{
    if (len < 1) return false;
    uint8_t type = p[0] & 0x1F;
    if (type == 24) {
        size_t off = 1;
        while (len - off >= 2) {
            size_t n = rd16(p + off);
            off += 2;
            if (n == 0 || n > len - off) return false;
            if (h264_nal_is_key(p[off])) return true;
            off += n;
        }
        return false;
    }
    if (type == 28) return len >= 2 && (p[1] & 0x80) && h264_nal_is_key(p[1]);
    return h264_nal_is_key(p[0]);
}

bool rtp_is_keyframe(const char *codec, const uint8_t *payload, size_t len)
{
    if (!codec || !payload) return false;
    if (strcasecmp(codec, "VP8") == 0) return vp8_is_keyframe(payload, len);
    if (strcasecmp(codec, "VP9") == 0) return vp9_is_keyframe(payload, len);
    if (strcasecmp(codec, "H264") == 0) return h264_is_keyframe(payload, len);
    return false;
}

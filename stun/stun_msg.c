/*
 * STUN decoder (stun_msg.h). Every read is bounds-checked against the
 * message length before it happens.
 */
#include "stun_msg.h"

#include "bytes.h"

#include <pthread.h>
#include <string.h>

static const char *const reason_names[] = {
    [STUN_OK] = "ok",
    [STUN_E_SHORT] = "shorter than a STUN header",
    [STUN_E_NOT_STUN] = "first two bits are not zero",
    [STUN_E_LENGTH_ALIGN] = "length is not a multiple of 4",
    [STUN_E_LENGTH_MISMATCH] = "length field disagrees with the message size",
    [STUN_E_ATTR_TRUNCATED] = "attribute runs past the end of the message",
    [STUN_E_ATTR_LENGTH] = "attribute has an invalid length",
    [STUN_E_ADDR_FAMILY] = "address attribute has an unknown family",
    [STUN_E_AFTER_FINGERPRINT] = "attribute after FINGERPRINT",
    [STUN_E_FINGERPRINT] = "FINGERPRINT does not match",
    [STUN_E_ERROR_CODE] = "ERROR-CODE out of range",
};

const char *stun_reason_name(stun_reason r)
{
    if ((unsigned)r >= sizeof reason_names / sizeof reason_names[0] || !reason_names[r])
        return "unknown reason";
    return reason_names[r];
}

/* ---- CRC-32 ---- */

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t stun_crc32(const uint8_t *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* ---- header ---- */

uint16_t stun_type(uint16_t method, uint8_t cls)
{
    return (uint16_t)((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                      ((cls & 1u) << 4) | ((cls & 2u) << 7));
}

static void split_type(uint16_t t, uint16_t *method, uint8_t *cls)
{
    *method = (uint16_t)((t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2));
    *cls = (uint8_t)(((t >> 4) & 1u) | ((t >> 7) & 2u));
}

size_t stun_frame_length(const uint8_t *hdr)
{
    if (hdr[0] & 0xC0) return 0;
    uint16_t len = rd16(hdr + 2);
    if (len & 3) return 0;
    return STUN_HEADER_LEN + (size_t)len;
}

bool stun_looks_like(const uint8_t *buf, size_t len)
{
    return len >= STUN_HEADER_LEN && stun_frame_length(buf) == len;
}

/* ---- attributes ---- */

/* An address value (RFC 8489 14.1/14.2); xor with the header's bytes 4..19. */
static stun_reason read_addr(const uint8_t *v, size_t len, const uint8_t *tid, bool xor,
                             stun_addr *a)
{
    if (len < 4) return STUN_E_ATTR_LENGTH;
    uint8_t fam = v[1];
    size_t iplen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
    if (!iplen) return STUN_E_ADDR_FAMILY;
    if (len != 4 + iplen) return STUN_E_ATTR_LENGTH;
    a->family = fam == 1 ? 4 : 6;
    a->port = rd16(v + 2);
    memcpy(a->ip, v + 4, iplen);
    if (xor) {
        a->port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
        for (size_t i = 0; i < iplen; i++)
            a->ip[i] ^= tid[i];
    }
    return STUN_OK;
}

static stun_reason read_string(const uint8_t *v, size_t len, size_t max, stun_bytes *out)
{
    if (len > max) return STUN_E_ATTR_LENGTH;
    out->p = v;
    out->len = len;
    return STUN_OK;
}

static stun_reason read_error(const uint8_t *v, size_t len, stun_msg *m)
{
    if (len < 4 || len > 4 + STUN_MAX_REASON) return STUN_E_ATTR_LENGTH;
    unsigned cls = v[2] & 0x07, num = v[3];
    if (cls < 3 || cls > 6 || num > 99) return STUN_E_ERROR_CODE;
    m->error_code = (uint16_t)(cls * 100 + num);
    m->reason.p = v + 4;
    m->reason.len = len - 4;
    return STUN_OK;
}

static stun_reason read_unknown_list(const uint8_t *v, size_t len, stun_msg *m)
{
    if (len & 1) return STUN_E_ATTR_LENGTH;
    for (size_t i = 0; i + 1 < len && m->n_unknown_attrs < STUN_MAX_UNKNOWN; i += 2)
        m->unknown_attrs[m->n_unknown_attrs++] = rd16(v + i);
    return STUN_OK;
}

static stun_reason read_fixed_u32(const uint8_t *v, size_t len, uint32_t *out)
{
    if (len != 4) return STUN_E_ATTR_LENGTH;
    *out = rd32(v);
    return STUN_OK;
}

/* Address-valued attributes: which field and flag each fills. */
static stun_addr *addr_slot(stun_msg *m, uint16_t type, uint32_t *flag, bool * xor)
{
    *xor = false;
    switch (type) {
    case STUN_ATTR_MAPPED_ADDRESS:
        *flag = STUN_HAS_MAPPED;
        return &m->mapped;
    case STUN_ATTR_XOR_MAPPED_ADDRESS:
        *flag = STUN_HAS_XOR_MAPPED;
        *xor = true;
        return &m->xor_mapped;
    case STUN_ATTR_OTHER_ADDRESS:
        *flag = STUN_HAS_OTHER_ADDRESS;
        return &m->other_address;
    case STUN_ATTR_RESPONSE_ORIGIN:
        *flag = STUN_HAS_RESPONSE_ORIGIN;
        return &m->response_origin;
    case STUN_ATTR_SOURCE_ADDRESS:
        *flag = STUN_HAS_SOURCE_ADDRESS;
        return &m->source_address;
    case STUN_ATTR_CHANGED_ADDRESS:
        *flag = STUN_HAS_CHANGED_ADDRESS;
        return &m->changed_address;
    }
    return NULL;
}

/* Known non-address attributes; *flag is 0 for those without a bit. Returns
 * -1 (as a reason the caller never sees) for attributes it does not know. */
static int read_other(stun_msg *m, uint16_t type, const uint8_t *v, size_t len, size_t off,
                      uint32_t *flag)
{
    uint32_t scratch;
    *flag = 0;
    switch (type) {
    case STUN_ATTR_CHANGE_REQUEST:
        *flag = STUN_HAS_CHANGE_REQUEST;
        if (m->has & *flag) return STUN_OK;
        if (read_fixed_u32(v, len, &scratch) != STUN_OK) return STUN_E_ATTR_LENGTH;
        m->change_flags = scratch & (STUN_CHANGE_IP | STUN_CHANGE_PORT);
        return STUN_OK;
    case STUN_ATTR_PRIORITY:
        *flag = STUN_HAS_PRIORITY;
        return read_fixed_u32(v, len, &m->priority);
    case STUN_ATTR_PADDING:
        *flag = STUN_HAS_PADDING;
        if (!(m->has & *flag)) m->padding_len = (uint16_t)len;
        return STUN_OK;
    case STUN_ATTR_RESPONSE_PORT:
        *flag = STUN_HAS_RESPONSE_PORT;
        if (len != 4) return STUN_E_ATTR_LENGTH;
        if (!(m->has & *flag)) m->response_port = rd16(v);
        return STUN_OK;
    case STUN_ATTR_USE_CANDIDATE:
        *flag = STUN_HAS_USE_CANDIDATE;
        return len == 0 ? STUN_OK : STUN_E_ATTR_LENGTH;
    case STUN_ATTR_ICE_CONTROLLED:
    case STUN_ATTR_ICE_CONTROLLING:
        return len == 8 ? STUN_OK : STUN_E_ATTR_LENGTH;
    case STUN_ATTR_USERHASH:
        return len == 32 ? STUN_OK : STUN_E_ATTR_LENGTH;
    case STUN_ATTR_SOFTWARE:
        return m->software.p ? STUN_OK : read_string(v, len, STUN_MAX_SOFTWARE, &m->software);
    case STUN_ATTR_USERNAME:
        return m->username.p ? STUN_OK : read_string(v, len, STUN_MAX_USERNAME, &m->username);
    case STUN_ATTR_REALM:
        return m->realm.p ? STUN_OK : read_string(v, len, STUN_MAX_REALM, &m->realm);
    case STUN_ATTR_NONCE:
        return m->nonce.p ? STUN_OK : read_string(v, len, STUN_MAX_NONCE, &m->nonce);
    case STUN_ATTR_ERROR_CODE:
        *flag = STUN_HAS_ERROR_CODE;
        return (m->has & *flag) ? STUN_OK : read_error(v, len, m);
    case STUN_ATTR_UNKNOWN_ATTRIBUTES:
        *flag = STUN_HAS_UNKNOWN_ATTRIBUTES;
        return (m->has & *flag) ? STUN_OK : read_unknown_list(v, len, m);
    case STUN_ATTR_MESSAGE_INTEGRITY:
        *flag = STUN_HAS_INTEGRITY;
        if (len != 20) return STUN_E_ATTR_LENGTH;
        if (!(m->has & *flag)) m->integrity_off = off;
        return STUN_OK;
    case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
        *flag = STUN_HAS_INTEGRITY_SHA256;
        if (len < 16 || len > 32 || (len & 3)) return STUN_E_ATTR_LENGTH;
        if (!(m->has & *flag)) {
            m->integrity_sha256_off = off;
            m->integrity_sha256_len = len;
        }
        return STUN_OK;
    }
    return -1;
}

static void note_unknown(stun_msg *m, uint16_t type)
{
    /* 0x0000-0x7FFF are comprehension-required (RFC 8489 14). */
    if (type >= 0x8000) return;
    for (unsigned i = 0; i < m->n_unknown; i++)
        if (m->unknown[i] == type) return;
    if (m->n_unknown < STUN_MAX_UNKNOWN) m->unknown[m->n_unknown++] = type;
}

static stun_reason read_attr(stun_msg *m, uint16_t type, const uint8_t *v, size_t len, size_t off)
{
    uint32_t flag;
    bool xor ;
    stun_addr *slot = addr_slot(m, type, &flag, &xor);
    if (slot) {
        stun_addr a = {0};
        stun_reason r = read_addr(v, len, m->tid, xor, &a);
        if (r != STUN_OK) return r;
        if (!(m->has & flag)) *slot = a;
        m->has |= flag;
        return STUN_OK;
    }
    int r = read_other(m, type, v, len, off, &flag);
    if (r < 0) {
        note_unknown(m, type);
        return STUN_OK;
    }
    if (r == STUN_OK) m->has |= flag;
    return (stun_reason)r;
}

static stun_reason check_fingerprint(const uint8_t *buf, size_t off, const uint8_t *v)
{
    uint32_t want = stun_crc32(buf, off) ^ STUN_FINGERPRINT_XOR;
    return rd32(v) == want ? STUN_OK : STUN_E_FINGERPRINT;
}

static stun_reason read_attrs(const uint8_t *buf, size_t len, stun_msg *m)
{
    size_t off = STUN_HEADER_LEN;
    bool after_integrity = false;
    while (off < len) {
        if (len - off < 4) return STUN_E_ATTR_TRUNCATED;
        uint16_t type = rd16(buf + off);
        size_t alen = rd16(buf + off + 2);
        size_t padded = (alen + 3) & ~(size_t)3;
        if (padded > len - off - 4) return STUN_E_ATTR_TRUNCATED;
        const uint8_t *v = buf + off + 4;
        if (type == STUN_ATTR_FINGERPRINT) {
            if (alen != 4) return STUN_E_ATTR_LENGTH;
            if (off + 8 != len) return STUN_E_AFTER_FINGERPRINT;
            m->has |= STUN_HAS_FINGERPRINT;
            return check_fingerprint(buf, off, v);
        }
        /* After MESSAGE-INTEGRITY only its SHA256 sibling and FINGERPRINT
         * count (RFC 8489 14.5); the rest is ignored, but still framed. */
        if (!after_integrity || type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
            stun_reason r = read_attr(m, type, v, alen, off);
            if (r != STUN_OK) return r;
        }
        if (type == STUN_ATTR_MESSAGE_INTEGRITY || type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
            after_integrity = true;
        off += 4 + padded;
    }
    return STUN_OK;
}

stun_reason stun_decode(const uint8_t *buf, size_t len, stun_msg *m)
{
    memset(m, 0, sizeof *m);
    if (len < STUN_HEADER_LEN) return STUN_E_SHORT;
    if (buf[0] & 0xC0) return STUN_E_NOT_STUN;
    size_t body = rd16(buf + 2);
    if (body & 3) return STUN_E_LENGTH_ALIGN;
    if (STUN_HEADER_LEN + body != len) return STUN_E_LENGTH_MISMATCH;
    split_type(rd16(buf), &m->method, &m->cls);
    m->length = len;
    memcpy(m->tid, buf + 4, 16);
    m->classic = rd32(buf + 4) != STUN_MAGIC_COOKIE;
    return read_attrs(buf, len, m);
}

/*
 * STUN encoder and MESSAGE-INTEGRITY (stun_msg.h). HMACs come from
 * OpenSSL's EVP_MAC; the header's length field is patched to what RFC 8489
 * 14.5/14.6 say the HMAC covers.
 */
#include "stun_msg.h"

#include "bytes.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

/* ---- HMAC ---- */

static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_init(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* HMAC over header (with its length field set to fake_len) + body. */
static bool hmac_msg(const char *digest, const uint8_t *key, size_t key_len, const uint8_t *msg,
                     size_t covered, uint16_t fake_len, uint8_t *out, size_t out_cap)
{
    pthread_once(&hmac_once, hmac_init);
    if (!hmac_alg || covered < STUN_HEADER_LEN) return false;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_alg);
    if (!ctx) return false;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    uint8_t hdr[STUN_HEADER_LEN];
    memcpy(hdr, msg, sizeof hdr);
    wr16(hdr + 2, fake_len);
    size_t n = 0;
    /* An empty key is legal for HMAC; OpenSSL wants a non-NULL pointer. */
    static const uint8_t empty;
    bool ok = EVP_MAC_init(ctx, key_len ? key : &empty, key_len, params) &&
              EVP_MAC_update(ctx, hdr, sizeof hdr) &&
              EVP_MAC_update(ctx, msg + STUN_HEADER_LEN, covered - STUN_HEADER_LEN) &&
              EVP_MAC_final(ctx, out, &n, out_cap);
    EVP_MAC_CTX_free(ctx);
    return ok && n == out_cap;
}

static bool equal_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint8_t)(a[i] ^ b[i]);
    return d == 0;
}

bool stun_check_integrity(const uint8_t *buf, const stun_msg *m, const uint8_t *key, size_t key_len)
{
    if (!(m->has & STUN_HAS_INTEGRITY)) return false;
    size_t off = m->integrity_off;
    uint8_t mac[20];
    if (!hmac_msg("SHA1", key, key_len, buf, off, (uint16_t)(off + 24 - STUN_HEADER_LEN), mac,
                  sizeof mac))
        return false;
    return equal_ct(mac, buf + off + 4, sizeof mac);
}

bool stun_check_integrity_sha256(const uint8_t *buf, const stun_msg *m, const uint8_t *key,
                                 size_t key_len)
{
    if (!(m->has & STUN_HAS_INTEGRITY_SHA256)) return false;
    size_t off = m->integrity_sha256_off, n = m->integrity_sha256_len;
    uint8_t mac[32];
    if (!hmac_msg("SHA256", key, key_len, buf, off, (uint16_t)(off + 4 + n - STUN_HEADER_LEN), mac,
                  sizeof mac))
        return false;
    /* A truncated value is compared on its leading bytes (RFC 8489 14.6). */
    return equal_ct(mac, buf + off + 4, n);
}

/* ---- writer ---- */

static uint8_t *reserve(stun_writer *w, uint16_t type, size_t len)
{
    size_t padded = (len + 3) & ~(size_t)3;
    if (w->failed || len > 0xFFFF || w->cap - w->len < 4 + padded ||
        w->len + 4 + padded - STUN_HEADER_LEN > 0xFFFF) {
        w->failed = true;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    wr16(p, type);
    wr16(p + 2, (uint16_t)len);
    memset(p + 4 + len, 0, padded - len);
    w->len += 4 + padded;
    wr16(w->buf + 2, (uint16_t)(w->len - STUN_HEADER_LEN));
    return p + 4;
}

bool stun_writer_init(stun_writer *w, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                      const uint8_t tid[16])
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->failed = cap < STUN_HEADER_LEN;
    if (w->failed) return false;
    wr16(buf, stun_type(method, cls));
    wr16(buf + 2, 0);
    memcpy(buf + 4, tid, 16);
    w->len = STUN_HEADER_LEN;
    return true;
}

bool stun_put_bytes(stun_writer *w, uint16_t type, const void *value, size_t len)
{
    uint8_t *p = reserve(w, type, len);
    if (!p) return false;
    if (len) memcpy(p, value, len);
    return true;
}

bool stun_put_u32(stun_writer *w, uint16_t type, uint32_t v)
{
    uint8_t *p = reserve(w, type, 4);
    if (!p) return false;
    wr32(p, v);
    return true;
}

static bool put_addr(stun_writer *w, uint16_t type, const stun_addr *a, bool xor)
{
    size_t iplen = a->family == 6 ? 16 : 4;
    if (a->family != 4 && a->family != 6) {
        w->failed = true;
        return false;
    }
    uint8_t *p = reserve(w, type, 4 + iplen);
    if (!p) return false;
    p[0] = 0;
    p[1] = a->family == 6 ? 2 : 1;
    uint16_t port = a->port;
    if (xor) port ^= (uint16_t)(STUN_MAGIC_COOKIE >> 16);
    wr16(p + 2, port);
    for (size_t i = 0; i < iplen; i++)
        p[4 + i] = xor? (uint8_t)(a->ip[i] ^ w->buf[4 + i]) : a->ip[i];
    return true;
}

bool stun_put_addr(stun_writer *w, uint16_t type, const stun_addr *a)
{
    return put_addr(w, type, a, false);
}

bool stun_put_xor_addr(stun_writer *w, uint16_t type, const stun_addr *a)
{
    return put_addr(w, type, a, true);
}

bool stun_put_error(stun_writer *w, uint16_t code, const char *reason)
{
    size_t rl = reason ? strlen(reason) : 0;
    if (code < 300 || code > 699 || rl > STUN_MAX_REASON) {
        w->failed = true;
        return false;
    }
    uint8_t *p = reserve(w, STUN_ATTR_ERROR_CODE, 4 + rl);
    if (!p) return false;
    p[0] = p[1] = 0;
    p[2] = (uint8_t)(code / 100);
    p[3] = (uint8_t)(code % 100);
    if (rl) memcpy(p + 4, reason, rl);
    return true;
}

bool stun_put_unknown(stun_writer *w, const uint16_t *types, unsigned n)
{
    uint8_t *p = reserve(w, STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * (size_t)n);
    if (!p) return false;
    for (unsigned i = 0; i < n; i++)
        wr16(p + 2 * i, types[i]);
    return true;
}

bool stun_put_integrity(stun_writer *w, const uint8_t *key, size_t key_len)
{
    size_t off = w->len;
    uint8_t *p = reserve(w, STUN_ATTR_MESSAGE_INTEGRITY, 20);
    if (!p) return false;
    if (!hmac_msg("SHA1", key, key_len, w->buf, off, (uint16_t)(w->len - STUN_HEADER_LEN), p, 20)) {
        w->failed = true;
        return false;
    }
    return true;
}

bool stun_put_integrity_sha256(stun_writer *w, const uint8_t *key, size_t key_len)
{
    size_t off = w->len;
    uint8_t *p = reserve(w, STUN_ATTR_MESSAGE_INTEGRITY_SHA256, 32);
    if (!p) return false;
    if (!hmac_msg("SHA256", key, key_len, w->buf, off, (uint16_t)(w->len - STUN_HEADER_LEN), p,
                  32)) {
        w->failed = true;
        return false;
    }
    return true;
}

bool stun_put_fingerprint(stun_writer *w)
{
    size_t off = w->len;
    uint8_t *p = reserve(w, STUN_ATTR_FINGERPRINT, 4);
    if (!p) return false;
    wr32(p, stun_crc32(w->buf, off) ^ STUN_FINGERPRINT_XOR);
    return true;
}

size_t stun_writer_finish(const stun_writer *w)
{
    return w->failed ? 0 : w->len;
}

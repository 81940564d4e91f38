/*
 * STUN codec (stun/stun_msg.h): the RFC 5769 test vectors, typed in from the
 * RFC, every malformed case the decoder rejects, and encode/decode round
 * trips.
 */
#include "check.h"
#include "stun/stun_msg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* RFC 5769 2.1: sample request (short-term credentials). */
static const uint8_t sample_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

/* RFC 5769 2.2: sample IPv4 response. */
static const uint8_t sample_v4_response[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

/* RFC 5769 2.3: sample IPv6 response. */
static const uint8_t sample_v6_response[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

/* RFC 5769 2.4: sample request with long-term authentication. */
static const uint8_t sample_lt_request[] = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72,
    0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88,
    0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00,
    0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
    0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,
    0x41, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72,
    0x67, 0x00, 0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02,
    0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66};

static const char short_term_password[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* MD5("<username>:example.org:TheMatrIX"), the long-term key of RFC 5769
 * 2.4 (the password after SASLprep), computed here independently. */
#include <openssl/evp.h>
static void lt_key(uint8_t key[16])
{
    static const char input[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
                                "\xe3\x82\xb9:example.org:TheMatrIX";
    unsigned n = 16;
    EVP_Digest(input, strlen(input), key, &n, EVP_md5(), NULL);
}

static bool bytes_is(stun_bytes b, const char *s)
{
    return b.p && b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
}

static void test_sample_request(void)
{
    stun_msg m;
    CHECK_EQ(stun_decode(sample_request, sizeof sample_request, &m), STUN_OK);
    CHECK_EQ(m.method, STUN_METHOD_BINDING);
    CHECK_EQ(m.cls, STUN_REQUEST);
    CHECK(!m.classic);
    CHECK(bytes_is(m.software, "STUN test client"));
    CHECK(bytes_is(m.username, "evtj:h6vY"));
    CHECK(m.has & STUN_HAS_PRIORITY);
    CHECK_EQ(m.priority, 0x6e0001ff);
    CHECK(m.has & STUN_HAS_FINGERPRINT);
    CHECK(m.has & STUN_HAS_INTEGRITY);
    CHECK_EQ(m.n_unknown, 0);
    const uint8_t *pw = (const uint8_t *)short_term_password;
    CHECK(stun_check_integrity(sample_request, &m, pw, strlen(short_term_password)));
    CHECK(!stun_check_integrity(sample_request, &m, pw, strlen(short_term_password) - 1));
    /* A changed byte anywhere before the integrity fails both checks. */
    uint8_t copy[sizeof sample_request];
    memcpy(copy, sample_request, sizeof copy);
    copy[30] ^= 1;
    CHECK_EQ(stun_decode(copy, sizeof copy, &m), STUN_E_FINGERPRINT);
}

static void test_response(const uint8_t *buf, size_t len, int family, const char *ip)
{
    stun_msg m;
    CHECK_EQ(stun_decode(buf, len, &m), STUN_OK);
    CHECK_EQ(m.cls, STUN_SUCCESS);
    CHECK_EQ(m.method, STUN_METHOD_BINDING);
    CHECK(bytes_is(m.software, "test vector"));
    CHECK(m.has & STUN_HAS_XOR_MAPPED);
    CHECK_EQ(m.xor_mapped.family, family);
    CHECK_EQ(m.xor_mapped.port, 32853);
    uint8_t want[16];
    inet_pton(family == 4 ? AF_INET : AF_INET6, ip, want);
    CHECK(memcmp(m.xor_mapped.ip, want, family == 4 ? 4 : 16) == 0);
    const uint8_t *pw = (const uint8_t *)short_term_password;
    CHECK(stun_check_integrity(buf, &m, pw, strlen(short_term_password)));
    /* Re-encode: the same attributes give the same XOR-MAPPED-ADDRESS bytes,
     * the same HMAC and the same CRC (SOFTWARE padded as in the RFC). */
    uint8_t out[256];
    stun_writer w;
    stun_writer_init(&w, out, sizeof out, STUN_METHOD_BINDING, STUN_SUCCESS, m.tid);
    stun_put_bytes(&w, STUN_ATTR_SOFTWARE, "test vector", 11);
    out[w.len - 1] = 0x20; /* the RFC pads with a space */
    stun_put_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, &m.xor_mapped);
    stun_put_integrity(&w, pw, strlen(short_term_password));
    stun_put_fingerprint(&w);
    CHECK_EQ(stun_writer_finish(&w), len);
    CHECK(memcmp(out, buf, len) == 0);
}

static void test_lt_request(void)
{
    stun_msg m;
    CHECK_EQ(stun_decode(sample_lt_request, sizeof sample_lt_request, &m), STUN_OK);
    CHECK_EQ(m.cls, STUN_REQUEST);
    CHECK(bytes_is(m.username, "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
                               "\xe3\x82\xb9"));
    CHECK(bytes_is(m.nonce, "f//499k954d6OL34oL9FSTvy64sA"));
    CHECK(bytes_is(m.realm, "example.org"));
    CHECK(!(m.has & STUN_HAS_FINGERPRINT));
    uint8_t key[16];
    lt_key(key);
    CHECK(stun_check_integrity(sample_lt_request, &m, key, sizeof key));
    key[0] ^= 1;
    CHECK(!stun_check_integrity(sample_lt_request, &m, key, sizeof key));
}

/* ---- malformed input ---- */

static uint8_t mbuf[2048];

/* A Binding request header followed by the given attribute bytes. */
static size_t msg_with(const uint8_t *attrs, size_t n, int length_adjust)
{
    memcpy(mbuf, sample_request, 20);
    if (n) memcpy(mbuf + 20, attrs, n);
    uint16_t l = (uint16_t)((int)n + length_adjust);
    mbuf[2] = (uint8_t)(l >> 8);
    mbuf[3] = (uint8_t)l;
    return 20 + n;
}

static stun_reason decode_attrs(const uint8_t *attrs, size_t n)
{
    stun_msg m;
    return stun_decode(mbuf, msg_with(attrs, n, 0), &m);
}

static void test_malformed_header(void)
{
    stun_msg m;
    CHECK_EQ(stun_decode(sample_request, 0, &m), STUN_E_SHORT);
    CHECK_EQ(stun_decode(sample_request, 19, &m), STUN_E_SHORT);
    memcpy(mbuf, sample_request, sizeof sample_request);
    mbuf[0] |= 0x80;
    CHECK_EQ(stun_decode(mbuf, sizeof sample_request, &m), STUN_E_NOT_STUN);
    mbuf[0] = 0x40;
    CHECK_EQ(stun_decode(mbuf, sizeof sample_request, &m), STUN_E_NOT_STUN);
    /* Length not a multiple of 4; length vs. buffer. */
    CHECK_EQ(stun_decode(mbuf, msg_with(NULL, 0, 2), &m), STUN_E_LENGTH_ALIGN);
    CHECK_EQ(stun_decode(mbuf, msg_with(NULL, 0, 4), &m), STUN_E_LENGTH_MISMATCH);
    CHECK_EQ(stun_decode(sample_request, sizeof sample_request - 4, &m), STUN_E_LENGTH_MISMATCH);
    CHECK_EQ(stun_decode(mbuf, msg_with(NULL, 0, 0), &m), STUN_OK);
    CHECK(!stun_looks_like(sample_request, 19));
    CHECK(stun_looks_like(sample_request, sizeof sample_request));
    CHECK(!stun_looks_like(sample_request, sizeof sample_request + 4));
    CHECK_EQ(stun_frame_length(sample_request), sizeof sample_request);
    CHECK_EQ(stun_frame_length((const uint8_t *)"GET / HTTP/1.1\r\n\r\n\r\n"), 0);
}

static void test_malformed_attrs(void)
{
    /* Attribute header cut short, value past the end, padding past the end. */
    CHECK_EQ(decode_attrs((const uint8_t[]){0x80, 0x22, 0x00, 0x08, 0, 0, 0, 0}, 8),
             STUN_E_ATTR_TRUNCATED);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x80, 0x22, 0x00, 0x05, 'a', 'b', 'c', 'd'}, 8),
             STUN_E_ATTR_TRUNCATED);
    /* Address families and lengths. */
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x20, 0x00, 0x08, 0, 3, 0, 1, 1, 2, 3, 4}, 12),
             STUN_E_ADDR_FAMILY);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x20, 0x00, 0x04, 0, 1, 0, 1}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x01, 0x00, 0x14, 0, 1, 0, 1, 1, 2, 3, 4,
                                            0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0},
                          24),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x01, 0x00, 0x02, 0, 1, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    /* Fixed-size attributes with the wrong size. */
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x03, 0x00, 0x02, 0, 4, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x08, 0x00, 0x04, 0, 4, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs(
                 (const uint8_t[]){0x00, 0x1c, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x25, 0x00, 0x04, 0, 0, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x24, 0x00, 0x00}, 4), STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x80, 0x29, 0x00, 0x04, 0, 0, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x80, 0x28, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}, 12),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x0a, 0x00, 0x03, 0, 1, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    /* ERROR-CODE: too short, class out of range, number out of range. */
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x09, 0x00, 0x02, 0, 0, 0, 0}, 8),
             STUN_E_ATTR_LENGTH);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x09, 0x00, 0x04, 0, 0, 2, 0}, 8),
             STUN_E_ERROR_CODE);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x09, 0x00, 0x04, 0, 0, 7, 0}, 8),
             STUN_E_ERROR_CODE);
    CHECK_EQ(decode_attrs((const uint8_t[]){0x00, 0x09, 0x00, 0x04, 0, 0, 4, 100}, 8),
             STUN_E_ERROR_CODE);
    /* Anything after FINGERPRINT. */
    CHECK_EQ(
        decode_attrs((const uint8_t[]){0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0, 0x80, 0x22, 0, 0}, 12),
        STUN_E_AFTER_FINGERPRINT);
    /* Strings over their limits. */
    static uint8_t big[4 + 764];
    big[0] = 0x80;
    big[1] = 0x22;
    big[2] = 764 >> 8;
    big[3] = 764 & 0xFF;
    CHECK_EQ(decode_attrs(big, sizeof big), STUN_E_ATTR_LENGTH);
    big[0] = 0x00;
    big[1] = 0x06;
    big[2] = 516 >> 8;
    big[3] = 516 & 0xFF;
    CHECK_EQ(decode_attrs(big, 4 + 516), STUN_E_ATTR_LENGTH);
}

static void test_unknown_attrs(void)
{
    stun_msg m;
    /* Required 0x0029 and 0x7f00 listed once each; optional 0xc000 skipped;
     * a repeated unknown only once. */
    const uint8_t a[] = {0x00, 0x29, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x01, 9,    0,    0,    0,
                         0xc0, 0x00, 0x00, 0x02, 1,    2,    0,    0,    0x00, 0x29, 0x00, 0x00};
    CHECK_EQ(stun_decode(mbuf, msg_with(a, sizeof a, 0), &m), STUN_OK);
    CHECK_EQ(m.n_unknown, 2);
    CHECK_EQ(m.unknown[0], 0x0029);
    CHECK_EQ(m.unknown[1], 0x7f00);
    /* Only the first of a repeated attribute counts. */
    const uint8_t b[] = {0x00, 0x03, 0x00, 0x04, 0, 0, 0, 6, 0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0};
    CHECK_EQ(stun_decode(mbuf, msg_with(b, sizeof b, 0), &m), STUN_OK);
    CHECK_EQ(m.change_flags, STUN_CHANGE_IP | STUN_CHANGE_PORT);
    /* Attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored,
     * even unknown required ones. */
    uint8_t c[24 + 4];
    memset(c, 0, sizeof c);
    c[1] = 0x08;
    c[3] = 20;
    c[24] = 0x7f;
    c[25] = 0x01;
    CHECK_EQ(stun_decode(mbuf, msg_with(c, sizeof c, 0), &m), STUN_OK);
    CHECK_EQ(m.n_unknown, 0);
}

/* Every prefix and every single-byte corruption of the vectors is either
 * rejected or decodes within bounds (ASan would catch a read past them). */
static void test_mutations(void)
{
    const uint8_t *vectors[] = {sample_request, sample_v4_response, sample_v6_response,
                                sample_lt_request};
    const size_t lens[] = {sizeof sample_request, sizeof sample_v4_response,
                           sizeof sample_v6_response, sizeof sample_lt_request};
    int ok = 0;
    for (int v = 0; v < 4; v++) {
        for (size_t n = 0; n < lens[v]; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, vectors[v], n);
            stun_msg m;
            if (stun_decode(copy, n, &m) == STUN_OK) ok++;
            free(copy);
        }
        for (size_t i = 0; i < lens[v]; i++) {
            uint8_t *copy = malloc(lens[v]);
            memcpy(copy, vectors[v], lens[v]);
            copy[i] ^= 0x5a;
            stun_msg m;
            stun_reason r = stun_decode(copy, lens[v], &m);
            /* Every vector but 2.4 ends in a FINGERPRINT: a change anywhere
             * breaks it, except in its own type (it then becomes an unknown
             * optional attribute, legitimately skipped). */
            if (v < 3 && i != lens[v] - 8 && i != lens[v] - 7) CHECK(r != STUN_OK);
            free(copy);
        }
    }
    CHECK_EQ(ok, 0); /* no strict prefix of a message is a message */
}

static bool addr_eq(const stun_addr *a, const stun_addr *b)
{
    return a->family == b->family && a->port == b->port &&
           memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

static void test_roundtrip(void)
{
    uint8_t tid[16] = {0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t out[512];
    stun_writer w;
    stun_addr v4 = {.family = 4, .port = 3478, .ip = {192, 0, 2, 7}};
    stun_addr v6 = {.family = 6, .port = 1, .ip = {0x20, 0x01, 0x0d, 0xb8, [15] = 9}};
    stun_writer_init(&w, out, sizeof out, STUN_METHOD_BINDING, STUN_ERROR, tid);
    stun_put_error(&w, 420, "unknown attribute");
    const uint16_t unk[] = {0x0026, 0x7f00, 0x0001};
    stun_put_unknown(&w, unk, 3);
    stun_put_addr(&w, STUN_ATTR_OTHER_ADDRESS, &v6);
    stun_put_addr(&w, STUN_ATTR_RESPONSE_ORIGIN, &v4);
    stun_put_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, &v6);
    stun_put_integrity_sha256(&w, (const uint8_t *)"k", 1);
    stun_put_fingerprint(&w);
    size_t n = stun_writer_finish(&w);
    CHECK(n > 0);
    stun_msg m;
    CHECK_EQ(stun_decode(out, n, &m), STUN_OK);
    CHECK_EQ(m.cls, STUN_ERROR);
    CHECK_EQ(m.error_code, 420);
    CHECK(bytes_is(m.reason, "unknown attribute"));
    CHECK_EQ(m.n_unknown_attrs, 3);
    CHECK_EQ(m.unknown_attrs[2], 0x0001);
    CHECK(addr_eq(&m.other_address, &v6));
    CHECK(addr_eq(&m.response_origin, &v4));
    CHECK(addr_eq(&m.xor_mapped, &v6));
    CHECK(stun_check_integrity_sha256(out, &m, (const uint8_t *)"k", 1));
    CHECK(!stun_check_integrity_sha256(out, &m, (const uint8_t *)"K", 1));
    CHECK(!stun_check_integrity(out, &m, (const uint8_t *)"k", 1)); /* absent */
    /* A buffer too small fails cleanly, and the type bits are right. */
    stun_writer_init(&w, out, 30, STUN_METHOD_BINDING, STUN_SUCCESS, tid);
    CHECK(!stun_put_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, &v4));
    CHECK_EQ(stun_writer_finish(&w), 0);
    CHECK_EQ(stun_type(STUN_METHOD_BINDING, STUN_SUCCESS), 0x0101);
    CHECK_EQ(stun_type(STUN_METHOD_BINDING, STUN_ERROR), 0x0111);
    CHECK_EQ(stun_type(STUN_METHOD_BINDING, STUN_INDICATION), 0x0011);
    CHECK_EQ(stun_type(0xFFF, STUN_REQUEST), 0x3EEF);
    CHECK_EQ(stun_crc32((const uint8_t *)"123456789", 9), 0xCBF43926);
    for (int r = 0; r <= STUN_E_ERROR_CODE; r++)
        CHECK(strcmp(stun_reason_name((stun_reason)r), "unknown reason") != 0);
}

int main(void)
{
    test_sample_request();
    test_response(sample_v4_response, sizeof sample_v4_response, 4, "192.0.2.1");
    test_response(sample_v6_response, sizeof sample_v6_response, 6,
                  "2001:db8:1234:5678:11:2233:4455:6677");
    test_lt_request();
    test_malformed_header();
    test_malformed_attrs();
    test_unknown_attrs();
    test_mutations();
    test_roundtrip();
    return check_finish("test_stun");
}

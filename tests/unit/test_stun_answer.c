/*
 * The STUN server's answers (stun/stun_answer.h): Binding success with
 * XOR-MAPPED-ADDRESS, MAPPED-ADDRESS for RFC 3489 clients, 420 with
 * UNKNOWN-ATTRIBUTES, 400 for malformed requests, silence for non-STUN and
 * non-requests, RFC 5780 OTHER-ADDRESS / RESPONSE-ORIGIN / CHANGE-REQUEST,
 * and the amplification bound.
 */
#include "check.h"
#include "stun/stun_answer.h"

#include <string.h>

static const stun_addr client4 = {.family = 4, .port = 50000, .ip = {198, 51, 100, 7}};
static const stun_addr client6 = {
    .family = 6, .port = 443, .ip = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, [15] = 0x42}};

static stun_answer_ctx ctx_plain(void)
{
    stun_answer_ctx c = {.software = "confab-stun test"};
    c.self[0][0] = (stun_addr){.family = 4, .port = 3478, .ip = {192, 0, 2, 1}};
    return c;
}

static stun_answer_ctx ctx_5780(void)
{
    stun_answer_ctx c = ctx_plain();
    c.self[0][1] = (stun_addr){.family = 4, .port = 3479, .ip = {192, 0, 2, 1}};
    c.self[1][0] = (stun_addr){.family = 4, .port = 3478, .ip = {192, 0, 2, 2}};
    c.self[1][1] = (stun_addr){.family = 4, .port = 3479, .ip = {192, 0, 2, 2}};
    return c;
}

static const uint8_t tid_modern[16] = {0x21, 0x12, 0xa4, 0x42, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
static const uint8_t tid_classic[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A Binding request with optional CHANGE-REQUEST and an extra attribute. */
static size_t request(uint8_t *buf, const uint8_t *tid, int change, uint16_t extra_type,
                      bool fingerprint)
{
    stun_writer w;
    stun_writer_init(&w, buf, 512, STUN_METHOD_BINDING, STUN_REQUEST, tid);
    if (change >= 0) stun_put_u32(&w, STUN_ATTR_CHANGE_REQUEST, (uint32_t)change);
    if (extra_type) stun_put_u32(&w, extra_type, 0);
    if (fingerprint) stun_put_fingerprint(&w);
    return stun_writer_finish(&w);
}

static bool addr_eq(const stun_addr *a, const stun_addr *b)
{
    return a->family == b->family && a->port == b->port &&
           memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

static void answer(const uint8_t *req, size_t len, const stun_addr *src, const stun_answer_ctx *c,
                   stun_answer *a, stun_msg *m, uint8_t *out)
{
    stun_answer_build(req, len, src, c, out, a);
    if (a->verdict != STUN_DROP) {
        CHECK_EQ(stun_decode(out, a->len, m), STUN_OK);
        CHECK(a->len <= len + STUN_ANSWER_MAX_GROWTH);
        CHECK(memcmp(m->tid, req + 4, 16) == 0);
    }
}

static void test_binding(void)
{
    uint8_t req[512], out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_msg m;
    stun_answer_ctx c = ctx_plain();
    size_t n = request(req, tid_modern, -1, 0, false);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK_EQ(m.cls, STUN_SUCCESS);
    CHECK_EQ(m.method, STUN_METHOD_BINDING);
    CHECK(m.has & STUN_HAS_XOR_MAPPED);
    CHECK(!(m.has & STUN_HAS_MAPPED));
    CHECK(addr_eq(&m.xor_mapped, &client4));
    CHECK(!(m.has & (STUN_HAS_OTHER_ADDRESS | STUN_HAS_RESPONSE_ORIGIN)));
    /* A bare request gets the mapped address only: 32 bytes. */
    CHECK(!(m.has & STUN_HAS_FINGERPRINT));
    CHECK(!m.software.p);
    CHECK_EQ(a.len, 32);
    /* FINGERPRINT when the request had one. */
    n = request(req, tid_modern, -1, 0, true);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK(m.has & STUN_HAS_FINGERPRINT);
    CHECK(!m.software.p);
    /* SOFTWARE when the request carried SOFTWARE. */
    stun_writer w;
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_bytes(&w, STUN_ATTR_SOFTWARE, "x", 1);
    stun_put_fingerprint(&w);
    n = stun_writer_finish(&w);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK(m.has & STUN_HAS_FINGERPRINT);
    CHECK(m.software.p && m.software.len == strlen("confab-stun test"));
    /* ... or when the request is as large as the answer with it. */
    static const uint8_t pad[64];
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_bytes(&w, 0x8fff, pad, sizeof pad);
    n = stun_writer_finish(&w);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK(m.software.p && m.software.len == strlen("confab-stun test"));
    CHECK(a.len <= n + STUN_ANSWER_SLACK);
    n = request(req, tid_modern, -1, 0, false);
    /* IPv6 client. */
    answer(req, n, &client6, &c, &a, &m, out);
    CHECK(addr_eq(&m.xor_mapped, &client6));
    /* RFC 3489: MAPPED-ADDRESS and SOURCE-ADDRESS, no FINGERPRINT, no XOR. */
    n = request(req, tid_classic, -1, 0, false);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK(a.classic);
    CHECK(m.classic);
    CHECK(m.has & STUN_HAS_MAPPED);
    CHECK(!(m.has & STUN_HAS_XOR_MAPPED));
    CHECK(addr_eq(&m.mapped, &client4));
    CHECK(m.has & STUN_HAS_SOURCE_ADDRESS);
    CHECK(!(m.has & STUN_HAS_CHANGED_ADDRESS));
    CHECK(!(m.has & STUN_HAS_FINGERPRINT));
}

static void test_errors(void)
{
    uint8_t req[512], out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_msg m;
    stun_answer_ctx c = ctx_plain();
    /* Unknown comprehension-required attribute: 420 naming it. */
    size_t n = request(req, tid_modern, -1, 0x0029, true);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_ERROR_RESPONSE);
    CHECK_EQ(m.cls, STUN_ERROR);
    CHECK_EQ(m.error_code, 420);
    CHECK_EQ(m.n_unknown_attrs, 1);
    CHECK_EQ(m.unknown_attrs[0], 0x0029);
    /* Unknown optional attribute: ignored, success. */
    n = request(req, tid_modern, -1, 0xC001, true);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    /* Malformed attribute in a request: 400 with the reason. */
    n = request(req, tid_modern, -1, 0, false);
    req[3] = 8;
    memcpy(req + 20, (const uint8_t[]){0x00, 0x20, 0x00, 0x04, 0, 1, 0, 1}, 8);
    answer(req, 28, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_ERROR_RESPONSE);
    CHECK_EQ(m.error_code, 400);
    CHECK_EQ(a.reason, STUN_E_ATTR_LENGTH);
    /* Another method: 400. */
    stun_writer w;
    stun_writer_init(&w, req, sizeof req, 0x003, STUN_REQUEST, tid_modern);
    answer(req, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(m.error_code, 400);
    /* ... without a reason phrase for a 20-byte request: 28 bytes, not 48. */
    CHECK_EQ(a.len, 28);
    CHECK_EQ(m.reason.len, 0);
    /* A request large enough gets the phrase. */
    static const uint8_t big[64];
    stun_writer_init(&w, req, sizeof req, 0x003, STUN_REQUEST, tid_modern);
    stun_put_bytes(&w, 0x8fff, big, sizeof big);
    answer(req, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(m.error_code, 400);
    CHECK(m.reason.len == strlen("unsupported method"));
    /* Silence: not STUN, a response, an indication, a bad FINGERPRINT. */
    answer((const uint8_t *)"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
    answer((const uint8_t *)"\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20, &client4, &c, &a,
           &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_SUCCESS, tid_modern);
    answer(req, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_INDICATION, tid_modern);
    answer(req, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
    n = request(req, tid_modern, -1, 0, true);
    req[n - 1] ^= 1;
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
    CHECK_EQ(a.reason, STUN_E_FINGERPRINT);
    /* Short and misaligned input. */
    answer(req, 19, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
}

static void test_5780(void)
{
    uint8_t req[512], out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_msg m;
    stun_answer_ctx c = ctx_5780();
    size_t n = request(req, tid_modern, 0, 0, false);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK_EQ(a.change, 0);
    CHECK(addr_eq(&m.other_address, &c.self[1][1]));
    CHECK(addr_eq(&m.response_origin, &c.self[0][0]));
    const unsigned flags[] = {STUN_CHANGE_PORT, STUN_CHANGE_IP, STUN_CHANGE_IP | STUN_CHANGE_PORT};
    for (int i = 0; i < 3; i++) {
        n = request(req, tid_modern, (int)flags[i], 0, false);
        answer(req, n, &client4, &c, &a, &m, out);
        CHECK_EQ(a.change, flags[i]);
        const stun_addr *want =
            &c.self[!!(flags[i] & STUN_CHANGE_IP)][!!(flags[i] & STUN_CHANGE_PORT)];
        CHECK(addr_eq(&m.response_origin, want));
    }
    /* Classic client: CHANGED-ADDRESS and SOURCE-ADDRESS. */
    n = request(req, tid_classic, STUN_CHANGE_IP, 0, false);
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK(m.has & STUN_HAS_CHANGED_ADDRESS);
    CHECK(addr_eq(&m.changed_address, &c.self[1][1]));
    CHECK(addr_eq(&m.source_address, &c.self[1][0]));
    /* Without an alternate: a change is a 420 naming CHANGE-REQUEST; over
     * TCP a 400. A zero CHANGE-REQUEST is fine anywhere. */
    stun_answer_ctx p = ctx_plain();
    n = request(req, tid_modern, STUN_CHANGE_PORT, 0, false);
    answer(req, n, &client4, &p, &a, &m, out);
    CHECK_EQ(m.error_code, 420);
    CHECK_EQ(m.unknown_attrs[0], STUN_ATTR_CHANGE_REQUEST);
    c.tcp = true;
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(m.error_code, 400);
    n = request(req, tid_modern, 0, 0, false);
    answer(req, n, &client4, &p, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK_EQ(a.response_port, 0);
    /* RESPONSE-PORT (as turnutils_stunclient sends it): answered to that
     * port over UDP, ignored over TCP; a bad length is a 400. */
    stun_writer w;
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_u32(&w, STUN_ATTR_RESPONSE_PORT, 0xdfeb0000u);
    stun_put_u32(&w, STUN_ATTR_CHANGE_REQUEST, STUN_CHANGE_IP | STUN_CHANGE_PORT);
    n = stun_writer_finish(&w);
    c.tcp = false;
    answer(req, n, &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK_EQ(a.response_port, 0xdfeb);
    CHECK(addr_eq(&m.xor_mapped, &client4));
    /* Without RFC 5780 configured RESPONSE-PORT is an unknown
     * comprehension-required attribute: 420 naming it, no redirect. */
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_u32(&w, STUN_ATTR_RESPONSE_PORT, 0xdfeb0000u);
    n = stun_writer_finish(&w);
    answer(req, n, &client4, &p, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_ERROR_RESPONSE);
    CHECK_EQ(m.error_code, 420);
    CHECK_EQ(m.n_unknown_attrs, 1);
    CHECK_EQ(m.unknown_attrs[0], STUN_ATTR_RESPONSE_PORT);
    CHECK_EQ(a.response_port, 0);
    n = request(req, tid_modern, -1, 0, false);
    stun_writer_init(&w, req, sizeof req, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_bytes(&w, STUN_ATTR_RESPONSE_PORT, "\x12\x34", 2);
    answer(req, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(m.error_code, 400);
    /* PADDING: the answer is padded as much as the request (RFC 5780 7.6). */
    static const uint8_t pad[1000];
    uint8_t big[1100], bigout[STUN_ANSWER_BUF];
    stun_writer_init(&w, big, sizeof big, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    stun_put_bytes(&w, STUN_ATTR_PADDING, pad, sizeof pad);
    n = stun_writer_finish(&w);
    answer(big, n, &client4, &c, &a, &m, bigout);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK_EQ(m.padding_len, 1000);
    CHECK(a.len > n);
}

/* The smallest request (20 bytes) with an IPv6 source and RFC 5780 gets
 * the mandatory attributes only: 92 bytes, the worst case (4.6x). */
static void test_amplification(void)
{
    uint8_t req[512], out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_msg m;
    stun_answer_ctx c = ctx_5780();
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++)
            c.self[i][k].family = 6;
    char soft[700];
    memset(soft, 'x', sizeof soft - 1);
    soft[sizeof soft - 1] = 0;
    c.software = soft;
    size_t n = request(req, tid_modern, -1, 0, false);
    CHECK_EQ(n, 20);
    answer(req, n, &client6, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_SUCCESS_RESPONSE);
    CHECK(a.len <= 20 + STUN_ANSWER_MAX_GROWTH);
    CHECK_EQ(a.len, 92);
    CHECK(!m.software.p);
    CHECK(!(m.has & STUN_HAS_FINGERPRINT));
    /* Every request with an IPv6 source under RFC 5780: at most 72 bytes
     * more than the request. */
    for (int change = -1; change < 8; change += 2) {
        n = request(req, tid_modern, change, 0, change > 3);
        answer(req, n, &client6, &c, &a, &m, out);
        CHECK(a.len <= n + 72);
    }
    /* Too large a request is dropped. */
    static uint8_t big[STUN_ANSWER_MAX_REQUEST + 4];
    stun_writer w;
    stun_writer_init(&w, big, sizeof big, STUN_METHOD_BINDING, STUN_REQUEST, tid_modern);
    static const uint8_t filler[STUN_ANSWER_MAX_REQUEST];
    stun_put_bytes(&w, 0x8fff, filler, STUN_ANSWER_MAX_REQUEST - 20);
    answer(big, stun_writer_finish(&w), &client4, &c, &a, &m, out);
    CHECK_EQ(a.verdict, STUN_DROP);
}

int main(void)
{
    test_binding();
    test_errors();
    test_5780();
    test_amplification();
    return check_finish("test_stun_answer");
}

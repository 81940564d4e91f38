/*
 * libFuzzer target for the STUN codec and the server's answer logic. Any
 * input is decoded; a message that decodes is re-encoded attribute by
 * attribute and must decode the same way; every answer must respect the
 * amplification bound and itself be a valid STUN message. Aborts on any
 * broken invariant.
 */
#include "stun/stun_answer.h"
#include "stun/stun_msg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_answer(const uint8_t *data, size_t size, int tcp)
{
    static const stun_addr src = {.family = 4, .port = 40000, .ip = {10, 0, 0, 2}};
    stun_answer_ctx ctx = {.tcp = tcp, .software = "confab-stun fuzz"};
    ctx.self[0][0] = (stun_addr){.family = 4, .port = 3478, .ip = {10, 0, 0, 1}};
    if (!tcp) {
        ctx.self[0][1] = (stun_addr){.family = 4, .port = 3479, .ip = {10, 0, 0, 1}};
        ctx.self[1][0] = (stun_addr){.family = 4, .port = 3478, .ip = {10, 0, 0, 9}};
        ctx.self[1][1] = (stun_addr){.family = 4, .port = 3479, .ip = {10, 0, 0, 9}};
    }
    uint8_t out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_answer_build(data, size, &src, &ctx, out, &a);
    if (a.verdict == STUN_DROP) return;
    if (a.len > size + STUN_ANSWER_MAX_GROWTH) abort();
    stun_msg m;
    if (stun_decode(out, a.len, &m) != STUN_OK) abort();
    if (m.cls != (a.verdict == STUN_SUCCESS_RESPONSE ? STUN_SUCCESS : STUN_ERROR)) abort();
    if (memcmp(m.tid, data + 4, 16) != 0) abort();
}

/* Re-encodes the attributes the decoder understood and compares. */
static void check_roundtrip(const stun_msg *m)
{
    uint8_t out[4096];
    stun_writer w;
    stun_writer_init(&w, out, sizeof out, m->method, m->cls, m->tid);
    if (m->has & STUN_HAS_XOR_MAPPED)
        stun_put_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, &m->xor_mapped);
    if (m->has & STUN_HAS_MAPPED) stun_put_addr(&w, STUN_ATTR_MAPPED_ADDRESS, &m->mapped);
    if (m->software.p) stun_put_bytes(&w, STUN_ATTR_SOFTWARE, m->software.p, m->software.len);
    if (m->has & STUN_HAS_CHANGE_REQUEST)
        stun_put_u32(&w, STUN_ATTR_CHANGE_REQUEST, m->change_flags);
    stun_put_fingerprint(&w);
    size_t n = stun_writer_finish(&w);
    if (!n) abort();
    stun_msg m2;
    if (stun_decode(out, n, &m2) != STUN_OK) abort();
    if (m2.method != m->method || m2.cls != m->cls || m2.change_flags != m->change_flags) abort();
    if ((m->has & STUN_HAS_XOR_MAPPED) && (m2.xor_mapped.port != m->xor_mapped.port ||
                                           memcmp(m2.xor_mapped.ip, m->xor_mapped.ip, 16) != 0))
        abort();
    if (m2.software.len != m->software.len) abort();
    (void)stun_check_integrity(out, &m2, (const uint8_t *)"k", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy of exactly size bytes: ASan sees any read past it. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    stun_msg m;
    stun_reason r = stun_decode(buf, size, &m);
    if (r == STUN_OK) {
        if (m.length != size || m.n_unknown > STUN_MAX_UNKNOWN) abort();
        if (m.software.p && (m.software.p < buf || m.software.p + m.software.len > buf + size))
            abort();
        (void)stun_check_integrity(buf, &m, (const uint8_t *)"key", 3);
        (void)stun_check_integrity_sha256(buf, &m, (const uint8_t *)"key", 3);
        check_roundtrip(&m);
    }
    if (stun_looks_like(buf, size) != (size >= 20 && stun_frame_length(buf) == size)) abort();
    check_answer(buf, size, 0);
    check_answer(buf, size, 1);
    free(buf);
    return 0;
}

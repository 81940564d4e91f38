/*
 * The server's answer to one message (stun_answer.h).
 */
#include "stun_answer.h"

#include <string.h>

/* Decode failures that mean "this is not STUN": stay silent (RFC 8489 6.3). */
static bool not_stun(stun_reason r)
{
    return r == STUN_E_SHORT || r == STUN_E_NOT_STUN || r == STUN_E_LENGTH_ALIGN ||
           r == STUN_E_LENGTH_MISMATCH || r == STUN_E_FINGERPRINT;
}

/* Optional trailing attributes. FINGERPRINT only when the request had one
 * (RFC 8489 14.7: clients that check it send it). Our SOFTWARE only when
 * the request carried SOFTWARE itself, or the answer with it stays within
 * the request's size plus STUN_ANSWER_SLACK: a spoofed minimal request gets
 * the mandatory attributes and nothing else. */
static void put_optional(stun_writer *w, const stun_msg *m, const stun_answer_ctx *ctx,
                         size_t req_len, bool pad)
{
    size_t limit = req_len + STUN_ANSWER_MAX_GROWTH;
    /* RFC 5780 7.6: PADDING as large as the request's, which the size bound
     * allows by construction (the request carried as much). */
    static const uint8_t zeros[STUN_ANSWER_MAX_REQUEST];
    size_t fp = !m->classic && (m->has & STUN_HAS_FINGERPRINT) ? 8 : 0;
    size_t padding = pad ? m->padding_len : 0;
    if (padding && padding <= sizeof zeros && w->len + 4 + padding + fp <= limit)
        stun_put_bytes(w, STUN_ATTR_PADDING, zeros, padding);
    /* RFC 3489 clients want string lengths in multiples of 4 (the old
     * SERVER attribute): they get none. */
    size_t sl = ctx->software && !m->classic ? strlen(ctx->software) : 0;
    if (sl > STUN_MAX_SOFTWARE) sl = STUN_MAX_SOFTWARE;
    size_t with = w->len + 4 + ((sl + 3) & ~(size_t)3) + fp;
    size_t own = req_len + STUN_ANSWER_SLACK;
    if (sl && with <= limit && (m->software.p || with <= own))
        stun_put_bytes(w, STUN_ATTR_SOFTWARE, ctx->software, sl);
    if (fp && w->len + fp <= limit) stun_put_fingerprint(w);
}

static void error_answer(const stun_msg *m, uint16_t code, const char *text, const uint16_t *unk,
                         unsigned n_unk, const stun_answer_ctx *ctx, size_t req_len, uint8_t *out,
                         stun_answer *ans)
{
    /* The reason phrase is for people: it goes only where the answer stays
     * within the request's size, or a 20-byte request could fetch ~70. */
    size_t with = STUN_HEADER_LEN + 8 + ((strlen(text) + 3) & ~(size_t)3);
    if (n_unk) with += 4 + ((2 * (size_t)n_unk + 3) & ~(size_t)3);
    if (with > req_len + STUN_ANSWER_SLACK) text = "";
    stun_writer w;
    stun_writer_init(&w, out, STUN_ANSWER_BUF, m->method, STUN_ERROR, m->tid);
    stun_put_error(&w, code, text);
    if (n_unk) stun_put_unknown(&w, unk, n_unk);
    put_optional(&w, m, ctx, req_len, false);
    ans->len = stun_writer_finish(&w);
    ans->verdict = ans->len ? STUN_ERROR_RESPONSE : STUN_DROP;
    ans->error_code = code;
}

static bool has(const stun_addr *a)
{
    return a->family != 0;
}

static void success_answer(const stun_msg *m, const stun_addr *source, const stun_answer_ctx *ctx,
                           size_t req_len, uint8_t *out, stun_answer *ans)
{
    const stun_addr *origin =
        &ctx->self[!!(m->change_flags & STUN_CHANGE_IP)][!!(m->change_flags & STUN_CHANGE_PORT)];
    const stun_addr *other = &ctx->self[1][1];
    stun_writer w;
    stun_writer_init(&w, out, STUN_ANSWER_BUF, m->method, STUN_SUCCESS, m->tid);
    if (m->classic) {
        /* RFC 3489 11.2: MAPPED-ADDRESS, SOURCE-ADDRESS, CHANGED-ADDRESS. */
        stun_put_addr(&w, STUN_ATTR_MAPPED_ADDRESS, source);
        if (has(origin)) stun_put_addr(&w, STUN_ATTR_SOURCE_ADDRESS, origin);
        if (has(other)) stun_put_addr(&w, STUN_ATTR_CHANGED_ADDRESS, other);
    } else {
        stun_put_xor_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, source);
        if (has(other)) {
            stun_put_addr(&w, STUN_ATTR_RESPONSE_ORIGIN, origin);
            stun_put_addr(&w, STUN_ATTR_OTHER_ADDRESS, other);
        }
    }
    put_optional(&w, m, ctx, req_len, true);
    ans->len = stun_writer_finish(&w);
    ans->verdict = ans->len ? STUN_SUCCESS_RESPONSE : STUN_DROP;
    ans->change = m->change_flags;
    /* Same host, another port: the per-source limit and the size bound
     * hold as for any answer. Meaningless on a stream. */
    if ((m->has & STUN_HAS_RESPONSE_PORT) && !ctx->tcp && m->response_port)
        ans->response_port = m->response_port;
}

/* A CHANGE-REQUEST the server cannot honour: 420 naming it (RFC 5780 7.2),
 * or 400 over TCP, where a response cannot come from elsewhere. */
static bool change_impossible(const stun_msg *m, const stun_answer_ctx *ctx)
{
    if (!m->change_flags) return false;
    if (ctx->tcp) return true;
    return !has(
        &ctx->self[!!(m->change_flags & STUN_CHANGE_IP)][!!(m->change_flags & STUN_CHANGE_PORT)]);
}

void stun_answer_build(const uint8_t *req, size_t len, const stun_addr *source,
                       const stun_answer_ctx *ctx, uint8_t *out, stun_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    if (len > STUN_ANSWER_MAX_REQUEST) {
        ans->reason = STUN_E_ATTR_LENGTH;
        return;
    }
    stun_msg m;
    ans->reason = stun_decode(req, len, &m);
    ans->classic = m.classic;
    if (not_stun(ans->reason) || m.cls != STUN_REQUEST) return;
    if (ans->reason != STUN_OK) {
        error_answer(&m, 400, stun_reason_name(ans->reason), NULL, 0, ctx, len, out, ans);
        return;
    }
    if (m.method != STUN_METHOD_BINDING) {
        error_answer(&m, 400, "unsupported method", NULL, 0, ctx, len, out, ans);
        return;
    }
    if (m.n_unknown) {
        error_answer(&m, 420, "unknown attribute", m.unknown, m.n_unknown, ctx, len, out, ans);
        return;
    }
    /* RFC 5780 RESPONSE-PORT (0x0027) is comprehension-required: a server
     * without an alternate address does not do RFC 5780, so it is unknown
     * there (RFC 8489 7.3.1: 420), and nobody can aim answers elsewhere. */
    if ((m.has & STUN_HAS_RESPONSE_PORT) && !has(&ctx->self[1][1])) {
        static const uint16_t rport = STUN_ATTR_RESPONSE_PORT;
        error_answer(&m, 420, "unknown attribute", &rport, 1, ctx, len, out, ans);
        return;
    }
    if (change_impossible(&m, ctx)) {
        static const uint16_t change = STUN_ATTR_CHANGE_REQUEST;
        if (ctx->tcp)
            error_answer(&m, 400, "CHANGE-REQUEST over TCP", NULL, 0, ctx, len, out, ans);
        else
            error_answer(&m, 420, "no alternate address", &change, 1, ctx, len, out, ans);
        return;
    }
    success_answer(&m, source, ctx, len, out, ans);
}

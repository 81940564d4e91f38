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

/* Optional trailing attributes, each only if the answer stays within the
 * amplification bound. */
static void put_optional(stun_writer *w, const stun_answer_ctx *ctx, size_t limit, bool classic,
                         size_t padding)
{
    /* RFC 5780 7.6: PADDING as large as the request's, which the size bound
     * allows by construction (the request carried as much). */
    static const uint8_t zeros[STUN_ANSWER_MAX_REQUEST];
    size_t fp0 = classic ? 0 : 8;
    if (padding && padding <= sizeof zeros && w->len + 4 + padding + fp0 <= limit)
        stun_put_bytes(w, STUN_ATTR_PADDING, zeros, padding);
    /* RFC 3489 clients want string lengths in multiples of 4 (the old
     * SERVER attribute): they get none. */
    size_t sl = ctx->software && !classic ? strlen(ctx->software) : 0;
    if (sl > STUN_MAX_SOFTWARE) sl = STUN_MAX_SOFTWARE;
    size_t fp = classic ? 0 : 8;
    if (sl && w->len + 4 + ((sl + 3) & ~(size_t)3) + fp <= limit)
        stun_put_bytes(w, STUN_ATTR_SOFTWARE, ctx->software, sl);
    if (fp && w->len + fp <= limit) stun_put_fingerprint(w);
}

static void error_answer(const stun_msg *m, uint16_t code, const char *text, const uint16_t *unk,
                         unsigned n_unk, const stun_answer_ctx *ctx, size_t limit, uint8_t *out,
                         stun_answer *ans)
{
    stun_writer w;
    stun_writer_init(&w, out, STUN_ANSWER_BUF, m->method, STUN_ERROR, m->tid);
    stun_put_error(&w, code, text);
    if (n_unk) stun_put_unknown(&w, unk, n_unk);
    put_optional(&w, ctx, limit, m->classic, 0);
    ans->len = stun_writer_finish(&w);
    ans->verdict = ans->len ? STUN_ERROR_RESPONSE : STUN_DROP;
    ans->error_code = code;
}

static bool has(const stun_addr *a)
{
    return a->family != 0;
}

static void success_answer(const stun_msg *m, const stun_addr *source, const stun_answer_ctx *ctx,
                           size_t limit, uint8_t *out, stun_answer *ans)
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
    put_optional(&w, ctx, limit, m->classic, m->padding_len);
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
    size_t limit = len + STUN_ANSWER_MAX_GROWTH;
    if (not_stun(ans->reason) || m.cls != STUN_REQUEST) return;
    if (ans->reason != STUN_OK) {
        error_answer(&m, 400, stun_reason_name(ans->reason), NULL, 0, ctx, limit, out, ans);
        return;
    }
    if (m.method != STUN_METHOD_BINDING) {
        error_answer(&m, 400, "unsupported method", NULL, 0, ctx, limit, out, ans);
        return;
    }
    if (m.n_unknown) {
        error_answer(&m, 420, "unknown attribute", m.unknown, m.n_unknown, ctx, limit, out, ans);
        return;
    }
    if (change_impossible(&m, ctx)) {
        static const uint16_t change = STUN_ATTR_CHANGE_REQUEST;
        if (ctx->tcp)
            error_answer(&m, 400, "CHANGE-REQUEST over TCP", NULL, 0, ctx, limit, out, ans);
        else
            error_answer(&m, 420, "no alternate address", &change, 1, ctx, limit, out, ans);
        return;
    }
    success_answer(&m, source, ctx, limit, out, ans);
}

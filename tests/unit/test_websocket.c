/*
 * Unit tests for the WebSocket codec: RFC 6455 examples, every reader rule,
 * UTF-8 edge cases, handshake checks and the frame writers.
 */
#include "signaling/websocket.h"
#include "check.h"

#include <stdlib.h>

static const uint8_t KEY[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Builds a client frame independently of the codec's writer. b0 carries
 * FIN, RSV and opcode as they appear on the wire. */
static size_t frame(uint8_t *out, uint8_t b0, bool masked, const void *payload, size_t len)
{
    size_t h = 0;
    out[h++] = b0;
    uint8_t m = masked ? 0x80 : 0;
    if (len < 126) {
        out[h++] = m | (uint8_t)len;
    } else if (len <= 0xffff) {
        out[h++] = m | 126;
        out[h++] = (uint8_t)(len >> 8);
        out[h++] = (uint8_t)len;
    } else {
        out[h++] = m | 127;
        for (int i = 7; i >= 0; i--)
            out[h++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    if (masked) {
        memcpy(out + h, KEY, 4);
        h += 4;
    }
    for (size_t i = 0; i < len; i++)
        out[h + i] = ((const uint8_t *)payload)[i] ^ (masked ? KEY[i & 3] : 0);
    return h + len;
}

typedef struct got {
    ws_event_type type;
    uint16_t code;
    size_t len;
    uint8_t data[256];
} got;

/* Plays the caller: appends `chunk` bytes at a time to an input buffer, and
 * calls the reader while it consumes bytes or returns events, dropping
 * consumed bytes. Stops at the first error. Returns the number of events. */
static int run(ws_reader *r, const uint8_t *s, size_t n, size_t chunk, got *out, int max)
{
    uint8_t *in = malloc(n ? n : 1);
    size_t have = 0, fed = 0;
    int count = 0;
    while (fed < n && count < max) {
        size_t k = n - fed < chunk ? n - fed : chunk;
        memcpy(in + have, s + fed, k);
        have += k;
        fed += k;
        for (;;) {
            size_t used;
            ws_event ev;
            ws_reader_next(r, in, have, &used, &ev);
            CHECK(used <= have);
            memmove(in, in + used, have - used);
            have -= used;
            if (ev.type != WS_EV_NONE) {
                got *g = &out[count++];
                g->type = ev.type;
                g->code = ev.close_code;
                g->len = ev.len;
                if (ev.len) /* errors carry no data */
                    memcpy(g->data, ev.data, ev.len < sizeof(g->data) ? ev.len : sizeof(g->data));
                if (ev.type == WS_EV_ERROR || count == max) goto out;
            } else if (used == 0) {
                break;
            }
        }
    }
out:
    free(in);
    return count;
}

/* Runs a whole stream through a fresh reader and returns the last event. */
static got last_event(const uint8_t *s, size_t n, size_t max_message)
{
    ws_reader r;
    got ev[16];
    ws_reader_init(&r, max_message);
    int c = run(&r, s, n, n ? n : 1, ev, 16);
    ws_reader_free(&r);
    if (c == 0) return (got){.type = WS_EV_NONE};
    return ev[c - 1];
}

static void test_header_parse(void)
{
    ws_frame_header h;
    uint8_t b[16] = {0x81, 0x85, 1, 2, 3, 4};
    CHECK_EQ(ws_frame_header_parse(b, 0, &h), 0);
    CHECK_EQ(ws_frame_header_parse(b, 1, &h), 0);
    CHECK_EQ(ws_frame_header_parse(b, 5, &h), 0);
    CHECK_EQ(ws_frame_header_parse(b, 6, &h), 6);
    CHECK(h.fin && h.masked && h.opcode == 1 && h.rsv == 0 && h.payload_len == 5);
    CHECK(h.mask[0] == 1 && h.mask[3] == 4 && h.header_len == 6);

    uint8_t rsv[2] = {0x71, 0x00};
    CHECK_EQ(ws_frame_header_parse(rsv, 2, &h), 2);
    CHECK(!h.fin && !h.masked && h.rsv == 7 && h.payload_len == 0);

    uint8_t e16[4] = {0x82, 126, 0x00, 125}; /* 125 fits in 7 bits */
    CHECK_EQ(ws_frame_header_parse(e16, 3, &h), 0);
    CHECK_EQ(ws_frame_header_parse(e16, 4, &h), -1);
    e16[3] = 126;
    CHECK_EQ(ws_frame_header_parse(e16, 4, &h), 4);
    CHECK_EQ(h.payload_len, 126);

    uint8_t e64[10] = {0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff}; /* fits in 16 bits */
    CHECK_EQ(ws_frame_header_parse(e64, 9, &h), 0);
    CHECK_EQ(ws_frame_header_parse(e64, 10, &h), -1);
    e64[7] = 1, e64[8] = 0, e64[9] = 0;
    CHECK_EQ(ws_frame_header_parse(e64, 10, &h), 10);
    CHECK_EQ(h.payload_len, 65536);
    e64[2] = 0x80; /* most significant bit must be 0 */
    CHECK_EQ(ws_frame_header_parse(e64, 10, &h), -1);
    e64[2] = 0x7f;
    CHECK_EQ(ws_frame_header_parse(e64, 10, &h), 10);
    CHECK(h.payload_len == 0x7f00000000010000ull);
}

static void test_mask(void)
{
    uint8_t a[9] = "abcdefgh", b[9] = "abcdefgh";
    ws_mask(a, 8, KEY, 0);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(a[i], (uint8_t)("abcdefgh"[i] ^ KEY[i & 3]));
    /* Masking in two pieces with the offset gives the same bytes. */
    ws_mask(b, 3, KEY, 0);
    ws_mask(b + 3, 5, KEY, 3);
    CHECK(memcmp(a, b, 8) == 0);
    ws_mask(a, 8, KEY, 0);
    CHECK(memcmp(a, "abcdefgh", 8) == 0);
}

/* RFC 6455 section 5.7. */
static void test_rfc_examples(void)
{
    const uint8_t unmasked_hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    got g = last_event(unmasked_hello, sizeof(unmasked_hello), 1024);
    CHECK(g.type == WS_EV_ERROR && g.code == WS_CLOSE_PROTOCOL);

    const uint8_t masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                    0x7f, 0x9f, 0x4d, 0x51, 0x58};
    g = last_event(masked_hello, sizeof(masked_hello), 1024);
    CHECK(g.type == WS_EV_TEXT && g.len == 5 && memcmp(g.data, "Hello", 5) == 0);

    /* Fragmented unmasked text: the server rejects the first fragment. */
    const uint8_t frag[] = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
    ws_reader r;
    got ev[4];
    ws_reader_init(&r, 1024);
    CHECK_EQ(run(&r, frag, sizeof(frag), sizeof(frag), ev, 4), 1);
    CHECK(ev[0].type == WS_EV_ERROR && ev[0].code == WS_CLOSE_PROTOCOL);
    ws_reader_free(&r);

    const uint8_t unmasked_ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    g = last_event(unmasked_ping, sizeof(unmasked_ping), 1024);
    CHECK(g.type == WS_EV_ERROR && g.code == WS_CLOSE_PROTOCOL);

    const uint8_t masked_pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                   0x7f, 0x9f, 0x4d, 0x51, 0x58};
    g = last_event(masked_pong, sizeof(masked_pong), 1024);
    CHECK(g.type == WS_EV_PONG && g.len == 5 && memcmp(g.data, "Hello", 5) == 0);

    uint8_t masked_ping[sizeof(masked_pong)];
    memcpy(masked_ping, masked_pong, sizeof(masked_ping));
    masked_ping[0] = 0x89;
    g = last_event(masked_ping, sizeof(masked_ping), 1024);
    CHECK(g.type == WS_EV_PING && g.len == 5 && memcmp(g.data, "Hello", 5) == 0);

    /* 256 bytes and 64 KiB: the header encodings from the RFC. */
    ws_frame_header h;
    const uint8_t h256[] = {0x82, 0x7e, 0x01, 0x00};
    CHECK_EQ(ws_frame_header_parse(h256, sizeof(h256), &h), 4);
    CHECK(h.payload_len == 256 && h.opcode == WS_OP_BINARY && h.fin && !h.masked);
    const uint8_t h64k[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    CHECK_EQ(ws_frame_header_parse(h64k, sizeof(h64k), &h), 10);
    CHECK(h.payload_len == 65536 && h.opcode == WS_OP_BINARY);
}

static void test_large_binary(size_t n, size_t max_message, bool ok)
{
    uint8_t *payload = malloc(n), *wire = malloc(n + 14);
    for (size_t i = 0; i < n; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    size_t w = frame(wire, 0x82, true, payload, n);
    CHECK_EQ(w, n + (n < 126 ? 6 : n <= 0xffff ? 8 : 14));

    ws_reader r;
    ws_event ev;
    size_t used;
    ws_reader_init(&r, max_message);
    ws_reader_next(&r, wire, w, &used, &ev);
    if (ok) {
        CHECK(ev.type == WS_EV_BINARY && ev.len == n && used == w);
        CHECK(ev.type == WS_EV_BINARY && memcmp(ev.data, payload, n) == 0);
    } else {
        CHECK(ev.type == WS_EV_ERROR && ev.close_code == WS_CLOSE_TOO_BIG && used == 0);
    }
    ws_reader_free(&r);
    free(payload);
    free(wire);
}

static void test_accept_key(void)
{
    char out[29];
    ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
    CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK_EQ(strlen(out), 28);
}

static int hs(const char *m, const char *v, const char *up, const char *conn, const char *ver,
              const char *key)
{
    const char *reason = NULL;
    int rc = ws_handshake_check(m, v, up, conn, ver, key, &reason);
    CHECK(rc == 0 ? reason == NULL : reason != NULL && reason[0] != 0);
    return rc;
}

static void test_handshake(void)
{
    const char *K = "dGhlIHNhbXBsZSBub25jZQ==";
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", K), 0);
    CHECK_EQ(hs("GET", "HTTP/1.1", "WebSocket", "keep-alive, Upgrade", "13", K), 0);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "keep-alive,upgrade ,x", "13", K), 0);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "\tUPGRADE\t", "13", K), 0);

    CHECK_EQ(hs(NULL, "HTTP/1.1", "websocket", "Upgrade", "13", K), 400);
    CHECK_EQ(hs("POST", "HTTP/1.1", "websocket", "Upgrade", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.0", "websocket", "Upgrade", "13", K), 400);
    CHECK_EQ(hs("GET", NULL, "websocket", "Upgrade", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", NULL, "Upgrade", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "h2c", "Upgrade", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", NULL, "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "keep-alive", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "upgraded", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "", "13", K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", NULL, K), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", NULL), 400);

    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "8", K), 426);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "130", K), 426);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "", K), 426);

    /* Keys: exactly base64 of 16 bytes. */
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", ""), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ="), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQ==="), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZ!=="), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZR=="), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "dGhlIHNhbXBsZSBub25jZQAA"), 400);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "AAAAAAAAAAAAAAAAAAAAAA=="), 0);
    CHECK_EQ(hs("GET", "HTTP/1.1", "websocket", "Upgrade", "13", "+/+/+/+/+/+/+/+/+/+/+w=="), 0);
}

/* A fragmented text message with a ping between its fragments, then a
 * binary message and a close, fed in every chunk size from 1 byte up. */
static void test_stream_chunks(void)
{
    uint8_t s[256];
    size_t n = 0;
    n += frame(s + n, 0x01, true, "Hel", 3);
    n += frame(s + n, 0x89, true, "p!", 2);
    n += frame(s + n, 0x00, true, "lo, ", 4);
    n += frame(s + n, 0x8a, true, "", 0);
    n += frame(s + n, 0x80, true, "world", 5);
    n += frame(s + n, 0x82, true, "\x00\xff", 2);
    n += frame(s + n, 0x88, true,
               "\x03\xe8"
               "bye",
               5);

    for (size_t chunk = 1; chunk <= n; chunk++) {
        ws_reader r;
        got ev[8];
        ws_reader_init(&r, 64);
        int c = run(&r, s, n, chunk, ev, 8);
        CHECK_EQ(c, 5);
        CHECK(ev[0].type == WS_EV_PING && ev[0].len == 2 && memcmp(ev[0].data, "p!", 2) == 0);
        CHECK(ev[1].type == WS_EV_PONG && ev[1].len == 0);
        CHECK(ev[2].type == WS_EV_TEXT && ev[2].len == 12);
        CHECK(memcmp(ev[2].data, "Hello, world", 12) == 0);
        CHECK(ev[3].type == WS_EV_BINARY && ev[3].len == 2 && ev[3].data[1] == 0xff);
        CHECK(ev[4].type == WS_EV_CLOSE && ev[4].code == 1000 && ev[4].len == 5);
        ws_reader_free(&r);
    }
}

/* Only whole frames are consumed: every strict prefix gives NONE and 0. */
static void test_incomplete(void)
{
    uint8_t s[300], body[200];
    memset(body, 'x', sizeof(body));
    size_t n = frame(s, 0x81, true, body, sizeof(body));
    ws_reader r;
    ws_reader_init(&r, 1024);
    bool all_none = true;
    for (size_t k = 0; k < n; k++) {
        size_t used = 99;
        ws_event ev;
        ws_reader_next(&r, s, k, &used, &ev);
        all_none = all_none && used == 0 && ev.type == WS_EV_NONE;
    }
    CHECK(all_none);
    size_t used;
    ws_event ev;
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_TEXT && ev.len == 200 && used == n);

    /* With two frames in the buffer, one call takes only the first. */
    size_t m = frame(s, 0x89, true, "a", 1);
    m += frame(s + m, 0x89, true, "b", 1);
    ws_reader_next(&r, s, m, &used, &ev);
    CHECK(ev.type == WS_EV_PING && used == m / 2 && ev.data[0] == 'a');
    ws_reader_free(&r);
}

/* Builds a one-frame stream and returns the reader's verdict on it. */
static got one(uint8_t b0, const void *payload, size_t len)
{
    uint8_t s[300];
    return last_event(s, frame(s, b0, true, payload, len), 1024);
}

static void check_error(got g, uint16_t code)
{
    CHECK_EQ(g.type, WS_EV_ERROR);
    CHECK_EQ(g.code, code);
}

static void test_frame_rules(void)
{
    uint8_t big[126];
    memset(big, 'p', sizeof(big));
    check_error(one(0x89, big, 126), WS_CLOSE_PROTOCOL);
    check_error(one(0x8a, big, 126), WS_CLOSE_PROTOCOL);
    check_error(one(0x88, big, 126), WS_CLOSE_PROTOCOL);
    got g = one(0x89, big, 125);
    CHECK(g.type == WS_EV_PING && g.len == 125);

    /* The 126-byte ping fails from its header alone. */
    uint8_t hdr[] = {0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4};
    check_error(last_event(hdr, sizeof(hdr), 1024), WS_CLOSE_PROTOCOL);

    check_error(one(0x09, "x", 1), WS_CLOSE_PROTOCOL); /* fragmented ping */
    check_error(one(0x08, "", 0), WS_CLOSE_PROTOCOL);  /* fragmented close */
    check_error(one(0xc1, "x", 1), WS_CLOSE_PROTOCOL); /* RSV1 */
    check_error(one(0xa1, "x", 1), WS_CLOSE_PROTOCOL); /* RSV2 */
    check_error(one(0x91, "x", 1), WS_CLOSE_PROTOCOL); /* RSV3 */
    check_error(one(0xc9, "x", 1), WS_CLOSE_PROTOCOL); /* RSV on a control frame */
    const uint8_t unknown[] = {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf};
    for (size_t i = 0; i < sizeof(unknown); i++)
        check_error(one(0x80 | unknown[i], "x", 1), WS_CLOSE_PROTOCOL);
    check_error(one(0x80, "x", 1), WS_CLOSE_PROTOCOL); /* continuation without start */
    check_error(one(0x00, "x", 1), WS_CLOSE_PROTOCOL);

    uint8_t s[64];
    size_t n = frame(s, 0x01, true, "ab", 2);
    n += frame(s + n, 0x81, true, "cd", 2); /* new text inside a message */
    check_error(last_event(s, n, 1024), WS_CLOSE_PROTOCOL);
    n = frame(s, 0x02, true, "ab", 2);
    n += frame(s + n, 0x02, true, "cd", 2); /* new binary inside a message */
    check_error(last_event(s, n, 1024), WS_CLOSE_PROTOCOL);

    /* Non-minimal lengths: 5 bytes in the 16-bit and 64-bit forms. */
    uint8_t nm16[] = {0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'};
    check_error(last_event(nm16, sizeof(nm16), 1024), WS_CLOSE_PROTOCOL);
    uint8_t nm64[] = {0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'};
    check_error(last_event(nm64, sizeof(nm64), 1024), WS_CLOSE_PROTOCOL);
}

static void test_empty_messages(void)
{
    got g = one(0x81, "", 0);
    CHECK(g.type == WS_EV_TEXT && g.len == 0);
    g = one(0x82, "", 0);
    CHECK(g.type == WS_EV_BINARY && g.len == 0);
    uint8_t s[32];
    size_t n = frame(s, 0x01, true, "", 0);
    n += frame(s + n, 0x00, true, "", 0);
    n += frame(s + n, 0x80, true, "", 0);
    g = last_event(s, n, 16);
    CHECK(g.type == WS_EV_TEXT && g.len == 0);
}

static bool utf8_ok(const char *s, size_t n)
{
    uint32_t st = 0;
    return ws_utf8_step(&st, (const uint8_t *)s, n) && st == 0;
}

static void test_utf8(void)
{
    CHECK(utf8_ok("", 0));
    CHECK(utf8_ok("plain ascii", 11));
    CHECK(utf8_ok("\xc2\x80\xdf\xbf", 4));                 /* U+0080, U+07FF */
    CHECK(utf8_ok("\xe0\xa0\x80\xef\xbf\xbf", 6));         /* U+0800, U+FFFF */
    CHECK(utf8_ok("\xed\x9f\xbf\xee\x80\x80", 6));         /* around the surrogates */
    CHECK(utf8_ok("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 8)); /* U+10000, U+10FFFF */
    CHECK(utf8_ok("\xf0\x9f\x98\x80", 4));                 /* emoji */
    CHECK(!utf8_ok("\xc0\x80", 2));                        /* overlong NUL */
    CHECK(!utf8_ok("\xc1\xbf", 2));                        /* overlong */
    CHECK(!utf8_ok("\xe0\x9f\xbf", 3));                    /* overlong 3-byte */
    CHECK(!utf8_ok("\xf0\x8f\xbf\xbf", 4));                /* overlong 4-byte */
    CHECK(!utf8_ok("\xed\xa0\x80", 3));                    /* surrogate U+D800 */
    CHECK(!utf8_ok("\xed\xbf\xbf", 3));                    /* surrogate U+DFFF */
    CHECK(!utf8_ok("\xf4\x90\x80\x80", 4));                /* U+110000 */
    CHECK(!utf8_ok("\xf5\x80\x80\x80", 4));
    CHECK(!utf8_ok("\xff", 1));
    CHECK(!utf8_ok("\x80", 1));     /* lone continuation */
    CHECK(!utf8_ok("\xe2\x82", 2)); /* truncated at end */
    CHECK(!utf8_ok("\xe2\x82"
                   "a",
                   3)); /* interrupted */

    /* Split anywhere, the emoji is still valid; the state carries over. */
    const uint8_t emoji[] = {0xf0, 0x9f, 0x98, 0x80};
    for (size_t cut = 0; cut <= 4; cut++) {
        uint32_t st = 0;
        CHECK(ws_utf8_step(&st, emoji, cut));
        CHECK(cut == 0 || cut == 4 ? st == 0 : st != 0);
        CHECK(ws_utf8_step(&st, emoji + cut, 4 - cut));
        CHECK_EQ(st, 0);
    }
    uint32_t st = 0;
    CHECK(ws_utf8_step(&st, (const uint8_t *)"\xed", 1));
    CHECK(!ws_utf8_step(&st, (const uint8_t *)"\xa0\x80", 2)); /* surrogate across chunks */
}

static void test_utf8_reader(void)
{
    check_error(one(0x81, "\xc0\x80", 2), WS_CLOSE_INVALID_DATA);
    check_error(one(0x81, "\xed\xa0\x80", 3), WS_CLOSE_INVALID_DATA);
    check_error(one(0x81, "\xf4\x90\x80\x80", 4), WS_CLOSE_INVALID_DATA);
    check_error(one(0x81, "ok\xe2\x82", 4), WS_CLOSE_INVALID_DATA);
    got g = one(0x82, "\xc0\x80", 2); /* binary is not checked */
    CHECK(g.type == WS_EV_BINARY);

    /* An invalid first fragment fails at once, without waiting for FIN. */
    uint8_t s[64];
    size_t n = frame(s, 0x01, true, "a\xff", 2);
    check_error(last_event(s, n, 1024), WS_CLOSE_INVALID_DATA);

    /* A truncated code point is fine mid-message but fails at FIN. */
    ws_reader r;
    got ev[4];
    ws_reader_init(&r, 1024);
    n = frame(s, 0x01, true, "a\xe2\x82", 3);
    CHECK_EQ(run(&r, s, n, n, ev, 4), 0);
    n = frame(s, 0x80, true, "", 0);
    CHECK_EQ(run(&r, s, n, n, ev, 4), 1);
    CHECK(ev[0].type == WS_EV_ERROR && ev[0].code == WS_CLOSE_INVALID_DATA);
    ws_reader_free(&r);

    /* A 4-byte emoji split across three fragments is valid. */
    n = frame(s, 0x01, true, "\xf0", 1);
    n += frame(s + n, 0x00, true, "\x9f\x98", 2);
    n += frame(s + n, 0x80, true, "\x80!", 2);
    g = last_event(s, n, 1024);
    CHECK(g.type == WS_EV_TEXT && g.len == 5 && memcmp(g.data, "\xf0\x9f\x98\x80!", 5) == 0);
}

static got close_with(uint16_t code, const char *reason)
{
    uint8_t p[130];
    p[0] = (uint8_t)(code >> 8);
    p[1] = (uint8_t)code;
    size_t rl = strlen(reason);
    memcpy(p + 2, reason, rl);
    return one(0x88, p, 2 + rl);
}

static void test_close(void)
{
    ws_reader r;
    ws_event ev;
    size_t used;
    uint8_t s[140];
    size_t n = frame(s, 0x88, true, "", 0);
    ws_reader_init(&r, 1024);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_CLOSE && ev.close_code == WS_CLOSE_NO_STATUS && ev.reason_len == 0);
    CHECK(used == n);

    n = frame(s, 0x88, true,
              "\x0f\xa0"
              "caf\xc3\xa9",
              7);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_CLOSE && ev.close_code == 4000 && ev.reason_len == 5);
    CHECK(ev.type == WS_EV_CLOSE && memcmp(ev.reason, "caf\xc3\xa9", 5) == 0);
    CHECK(ev.reason == (const char *)ev.data + 2);
    ws_reader_free(&r);

    /* 0x0f alone would read as a valid 3840 if the length were not checked. */
    check_error(one(0x88, "\x0f", 1), WS_CLOSE_PROTOCOL);
    const uint16_t good[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        got g = close_with(good[i], "");
        CHECK(g.type == WS_EV_CLOSE && g.code == good[i]);
    }
    const uint16_t bad[] = {0, 999, 1004, 1005, 1006, 1012, 1015, 2000, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check_error(close_with(bad[i], ""), WS_CLOSE_PROTOCOL);
    check_error(close_with(1000, "bad \xff"), WS_CLOSE_INVALID_DATA);
    check_error(close_with(1000, "cut \xc3"), WS_CLOSE_INVALID_DATA);
}

static void test_too_big(void)
{
    /* Declared length over the limit fails from the header, no payload. */
    uint8_t hdr[] = {0x82, 0xfe, 0x04, 0x01, 1, 2, 3, 4}; /* 1025 bytes */
    ws_reader r;
    ws_event ev;
    size_t used;
    ws_reader_init(&r, 1024);
    ws_reader_next(&r, hdr, sizeof(hdr), &used, &ev);
    CHECK(ev.type == WS_EV_ERROR && ev.close_code == WS_CLOSE_TOO_BIG);
    ws_reader_free(&r);
    uint8_t huge[] = {0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    check_error(last_event(huge, sizeof(huge), 65536), WS_CLOSE_TOO_BIG);

    /* Fragments that add up to more than the limit. */
    uint8_t s[64], body[20];
    memset(body, 'z', sizeof(body));
    size_t n = frame(s, 0x01, true, body, 10);
    n += frame(s + n, 0x80, true, body, 11);
    check_error(last_event(s, n, 20), WS_CLOSE_TOO_BIG);
    n = frame(s, 0x01, true, body, 10);
    n += frame(s + n, 0x80, true, body, 10);
    got g = last_event(s, n, 20);
    CHECK(g.type == WS_EV_TEXT && g.len == 20);

    /* Control frames do not count toward the message limit. */
    g = last_event(s, frame(s, 0x89, true, body, 20), 4);
    CHECK(g.type == WS_EV_PING && g.len == 20);

    test_large_binary(256, 1024, true);
    test_large_binary(65536, 65536, true);
    test_large_binary(65536, 65535, false);
}

/* The message buffer is kept between messages instead of reallocated. */
static void test_buffer_reuse(void)
{
    uint8_t s[600], body[500];
    memset(body, 'q', sizeof(body));
    ws_reader r;
    ws_event ev;
    size_t used;
    ws_reader_init(&r, 4096);
    size_t n = frame(s, 0x82, true, body, 500);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_BINARY && ev.len == 500);
    const uint8_t *first = ev.data;
    n = frame(s, 0x81, true, body, 100);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_TEXT && ev.len == 100 && ev.data == first);
    CHECK(r.msg_cap >= 500 && r.msg_cap <= 4096);
    ws_reader_free(&r);
    ws_reader_free(&r); /* safe twice */
}

static void test_stays_failed(void)
{
    ws_reader r;
    ws_event ev;
    size_t used;
    uint8_t s[32];
    ws_reader_init(&r, 1024);
    size_t n = frame(s, 0xc1, true, "x", 1);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_ERROR && ev.close_code == WS_CLOSE_PROTOCOL && used == 0);
    CHECK(ev.reason && ev.reason_len == strlen(ev.reason));
    n = frame(s, 0x81, true, "fine", 4);
    ws_reader_next(&r, s, n, &used, &ev);
    CHECK(ev.type == WS_EV_ERROR && ev.close_code == WS_CLOSE_PROTOCOL && used == 0);
    ws_reader_free(&r);
}

static void test_writer(void)
{
    uint8_t out[10];
    ws_frame_header h;
    const uint64_t lens[] = {0, 125, 126, 65535, 65536, 1ull << 40};
    const size_t sizes[] = {2, 2, 4, 4, 10, 10};
    for (size_t i = 0; i < 6; i++) {
        size_t w = ws_frame_header_write(out, WS_OP_TEXT, true, lens[i]);
        CHECK_EQ(w, sizes[i]);
        CHECK_EQ(ws_frame_header_parse(out, w, &h), (int)w);
        CHECK(h.payload_len == lens[i] && h.fin && !h.masked && h.opcode == WS_OP_TEXT);
    }
    CHECK_EQ(ws_frame_header_write(out, WS_OP_BINARY, false, 126), 4);
    CHECK(out[0] == 0x02 && out[1] == 126 && out[2] == 0 && out[3] == 126);
    CHECK_EQ(ws_frame_header_write(out, WS_OP_PONG, true, 65536), 10);
    CHECK(out[0] == 0x8a && out[1] == 127 && out[7] == 1 && out[8] == 0 && out[9] == 0);

    uint8_t cf[127];
    size_t n = ws_close_frame_write(cf, WS_CLOSE_TOO_BIG, "message too big");
    CHECK_EQ(n, 2 + 2 + 15);
    CHECK(cf[0] == 0x88 && cf[1] == 17 && cf[2] == 0x03 && cf[3] == 0xf1);
    CHECK(memcmp(cf + 4, "message too big", 15) == 0);
    CHECK_EQ(ws_close_frame_write(cf, WS_CLOSE_NORMAL, NULL), 4);
    CHECK_EQ(ws_close_frame_write(cf, WS_CLOSE_NO_STATUS, "ignored"), 2);
    CHECK(cf[0] == 0x88 && cf[1] == 0);

    /* Long reasons are cut to 125 bytes of payload, never inside a code
     * point: with two-byte characters, bytes 122-123 form one, so the cut
     * at 123 backs off to 122. */
    char reason[200] = "";
    for (int i = 0; i < 70; i++)
        memcpy(reason + 2 * i, "\xc3\xa9", 3);
    n = ws_close_frame_write(cf, 1000, reason);
    CHECK_EQ(n, 2 + 2 + 122);
    uint32_t st = 0;
    CHECK(ws_utf8_step(&st, cf + 4, n - 4) && st == 0);
    memset(reason, 'a', 199);
    reason[199] = 0;
    n = ws_close_frame_write(cf, 1000, reason);
    CHECK_EQ(n, 127);
    CHECK_EQ(cf[1], 125);
}

/* The client side (the bench reading a server): unmasked frames are the rule,
 * a masked one is a protocol error, and a message ends in a NUL. */
static void test_client_reader(void)
{
    ws_reader r;
    ws_event ev;
    size_t used;
    ws_reader_init_client(&r, 64);
    uint8_t text[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    ws_reader_next(&r, text, sizeof text, &used, &ev);
    CHECK_EQ(ev.type, WS_EV_TEXT);
    CHECK_EQ(used, sizeof text);
    CHECK_EQ(ev.len, 5);
    CHECK_STR((const char *)ev.data, "Hello");
    uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    ws_reader_next(&r, masked, sizeof masked, &used, &ev);
    CHECK_EQ(ev.type, WS_EV_ERROR);
    CHECK_EQ(ev.close_code, WS_CLOSE_PROTOCOL);
    CHECK_STR(ev.reason, "server frame is masked");
    ws_reader_free(&r);
    /* The server side refuses the unmasked one. */
    ws_reader_init(&r, 64);
    ws_reader_next(&r, text, sizeof text, &used, &ev);
    CHECK_EQ(ev.type, WS_EV_ERROR);
    CHECK_STR(ev.reason, "client frame not masked");
    ws_reader_free(&r);
}

int main(void)
{
    test_client_reader();
    test_header_parse();
    test_mask();
    test_rfc_examples();
    test_accept_key();
    test_handshake();
    test_stream_chunks();
    test_incomplete();
    test_frame_rules();
    test_empty_messages();
    test_utf8();
    test_utf8_reader();
    test_close();
    test_too_big();
    test_buffer_reuse();
    test_stays_failed();
    test_writer();
    return check_finish("test_websocket");
}

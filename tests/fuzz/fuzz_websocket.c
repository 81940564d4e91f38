/*
 * libFuzzer target for the WebSocket codec. The input drives a server-like
 * read loop (random chunk sizes taken from the first bytes), the handshake
 * check on a newline split of the input, and a few invariants that must
 * hold for any bytes.
 *
 * Input layout: byte 0 picks how many chunk-size bytes follow (1..8); the
 * rest is the client's byte stream, and also the handshake's six values
 * separated by newlines.
 */
#include "signaling/websocket.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE (64 * 1024)
/* The largest frame the reader can accept: header of 14 bytes plus a full
 * message. Bigger declared lengths fail from the header, so the server's
 * input buffer never needs more. */
#define MAX_FRAME (MAX_MESSAGE + 14)

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) __builtin_trap();                                                                \
    } while (0)

static bool utf8_valid(const uint8_t *p, size_t n)
{
    uint32_t st = 0;
    return ws_utf8_step(&st, p, n) && st == 0;
}

/* Small sizes exercise byte-wise feeding, the high bit reaches big frames. */
static size_t chunk_size(uint8_t b)
{
    size_t n = (size_t)(b & 0x7f) + 1;
    return b & 0x80 ? n * 512 : n;
}

static volatile uint8_t sink;

/* Returns false when the server would stop reading. */
static bool handle_event(ws_reader *r, const ws_event *ev)
{
    uint8_t out[10 + 125];
    switch (ev->type) {
    case WS_EV_NONE:
    case WS_EV_PONG:
        return true;
    case WS_EV_PING:
        REQUIRE(ev->len <= 125);
        ws_frame_header_write(out, WS_OP_PONG, true, ev->len);
        memcpy(out + 2, ev->data, ev->len);
        return true;
    case WS_EV_TEXT:
        REQUIRE(ev->len <= MAX_MESSAGE && utf8_valid(ev->data, ev->len));
        return true;
    case WS_EV_BINARY:
        REQUIRE(ev->len <= MAX_MESSAGE);
        /* Touch both ends so ASan sees any out-of-bounds data pointer. */
        if (ev->len) sink = ev->data[0] ^ ev->data[ev->len - 1];
        return true;
    case WS_EV_CLOSE:
        REQUIRE(ev->len <= 125 && ev->reason_len <= ev->len);
        REQUIRE(utf8_valid((const uint8_t *)ev->reason, ev->reason_len));
        ws_close_frame_write(out, ev->close_code, NULL);
        return false;
    case WS_EV_ERROR: {
        uint16_t c = ev->close_code;
        REQUIRE(c == WS_CLOSE_PROTOCOL || c == WS_CLOSE_INVALID_DATA || c == WS_CLOSE_TOO_BIG ||
                c == WS_CLOSE_INTERNAL);
        REQUIRE(ev->reason && strlen(ev->reason) == ev->reason_len);
        ws_close_frame_write(out, c, ev->reason);
        /* A failed reader keeps failing with the same code. */
        ws_event again;
        size_t used;
        uint8_t b = 0x81;
        ws_reader_next(r, &b, 1, &used, &again);
        REQUIRE(again.type == WS_EV_ERROR && again.close_code == c && used == 0);
        return false;
    }
    }
    __builtin_trap();
}

static void run_reader(const uint8_t *sizes, size_t nsizes, const uint8_t *s, size_t n)
{
    static uint8_t in[MAX_FRAME];
    size_t have = 0, fed = 0, turn = 0;
    ws_reader r;
    ws_reader_init(&r, MAX_MESSAGE);
    bool go = true;
    while (go && fed < n) {
        size_t k = chunk_size(sizes[turn++ % nsizes]);
        if (k > n - fed) k = n - fed;
        if (k > sizeof(in) - have) k = sizeof(in) - have;
        memcpy(in + have, s + fed, k);
        have += k;
        fed += k;
        for (;;) {
            ws_event ev;
            size_t used;
            ws_reader_next(&r, in, have, &used, &ev);
            REQUIRE(used <= have);
            memmove(in, in + used, have - used);
            have -= used;
            go = handle_event(&r, &ev);
            if (!go) break;
            if (ev.type == WS_EV_NONE && used == 0) {
                /* Waiting for more with a full buffer would deadlock. */
                REQUIRE(have < sizeof(in));
                break;
            }
        }
    }
    ws_reader_free(&r);
}

/* Splits the input at newlines into the six handshake values; missing
 * pieces are absent headers. */
static void run_handshake(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    const char *part[6] = {0};
    char *p = copy;
    for (int i = 0; i < 6 && p; i++) {
        part[i] = p;
        p = strchr(p, '\n');
        if (p) *p++ = 0;
    }
    const char *reason = NULL;
    int rc = ws_handshake_check(part[0], part[1], part[2], part[3], part[4], part[5], &reason);
    REQUIRE(rc == 0 || rc == 400 || rc == 426);
    REQUIRE(rc == 0 ? reason == NULL : reason != NULL);
    if (rc == 0) {
        char accept[29];
        ws_accept_key(part[5], accept);
        REQUIRE(strlen(accept) == 28);
    }
    /* Whatever the reason text, our close frame stays within 125 bytes of
     * payload and never cuts a valid reason into invalid UTF-8. */
    if (part[0]) {
        uint8_t out[127];
        ws_frame_header h;
        size_t n = ws_close_frame_write(out, WS_CLOSE_NORMAL, part[0]);
        REQUIRE(n <= 127 && ws_frame_header_parse(out, n, &h) == 2);
        REQUIRE(h.payload_len + 2 == n);
        if (utf8_valid((const uint8_t *)part[0], strlen(part[0])))
            REQUIRE(utf8_valid(out + 4, n - 4));
    }
    free(copy);
}

/* Validating in two pieces must agree with validating at once. */
static void check_utf8_split(const uint8_t *data, size_t size, size_t cut)
{
    if (cut > size) cut = size;
    uint32_t a = 0, b = 0;
    bool whole = ws_utf8_step(&a, data, size) && a == 0;
    bool split = ws_utf8_step(&b, data, cut) && ws_utf8_step(&b, data + cut, size - cut) && b == 0;
    REQUIRE(whole == split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t nsizes = (size_t)(data[0] % 8) + 1;
    if (size < 1 + nsizes) return 0;
    const uint8_t *sizes = data + 1;
    const uint8_t *stream = data + 1 + nsizes;
    size_t n = size - 1 - nsizes;
    run_reader(sizes, nsizes, stream, n);
    run_handshake(stream, n);
    check_utf8_split(stream, n, chunk_size(sizes[0]));
    return 0;
}

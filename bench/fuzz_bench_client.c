/*
 * libFuzzer target for what the bench reads from a server: the handshake
 * response, the server's frames (fed in chunks as a socket would deliver
 * them, the way wsclient.c buffers them) and the protocol messages.
 *
 * Input layout: byte 0 is the chunk size for the frame stream; the rest is
 * both the handshake response and the byte stream.
 */
#include "sigmsg.h"
#include "wsproto.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE 4096

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) __builtin_trap();                                                                \
    } while (0)

static void check_event(const ws_event *ev)
{
    if (ev->type == WS_EV_TEXT) {
        uint32_t st = 0;
        REQUIRE(ws_utf8_step(&st, ev->data, ev->len) && st == 0);
        REQUIRE(ev->len <= MAX_MESSAGE);
        REQUIRE(ev->data[ev->len] == 0);
        sigmsg m;
        sigmsg_decode((const char *)ev->data, ev->len, &m);
        REQUIRE(m.type <= SIGMSG_INVALID);
    }
    if (ev->type == WS_EV_PING || ev->type == WS_EV_PONG) REQUIRE(ev->len <= 125);
}

/* Appends chunks to a buffer and drains events, as wsclient.c does. */
static void read_stream(const uint8_t *data, size_t size, size_t chunk)
{
    ws_reader r;
    ws_reader_init_client(&r, MAX_MESSAGE);
    uint8_t *buf = malloc(size + 1);
    size_t have = 0, fed = 0;
    bool failed = false;
    while (fed < size && !failed) {
        size_t n = size - fed < chunk ? size - fed : chunk;
        memcpy(buf + have, data + fed, n);
        have += n;
        fed += n;
        for (;;) {
            size_t used;
            ws_event ev;
            ws_reader_next(&r, buf, have, &used, &ev);
            REQUIRE(used <= have);
            if (ev.type == WS_EV_ERROR) {
                REQUIRE(used == 0 && ev.reason && ev.close_code >= 1002);
                failed = true;
                break;
            }
            check_event(&ev);
            if (ev.type == WS_EV_NONE && used == 0) break;
            memmove(buf, buf + used, have - used);
            have -= used;
        }
    }
    free(buf);
    ws_reader_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = (size_t)data[0] + 1;
    data++;
    size--;
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    const char *reason;
    long head = wsc_handshake_check((const char *)data, size, key, &reason);
    REQUIRE(head <= (long)size);
    REQUIRE(head >= 0 || reason != NULL);
    read_stream(data, size, chunk);
    return 0;
}

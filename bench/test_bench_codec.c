/*
 * Unit tests of the bench's pure parts: the client side of RFC 6455 (checked
 * against the server codec of signaling/websocket.h), the target rule, the
 * percentiles and the protocol messages.
 */
#include "check.h"
#include "sigmsg.h"
#include "stats.h"
#include "target.h"
#include "websocket.h"
#include "wsproto.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>

static const uint8_t MASK[4] = {0x12, 0x34, 0x56, 0x78};

/* A masked frame of every length class is read back by the server codec. */
static void test_masked_frames_reach_the_server(void)
{
    static const size_t lens[] = {0, 1, 125, 126, 65535, 65536};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        char *text = malloc(len + 1);
        uint8_t *frame = malloc(len + WSC_HEADER_MAX);
        memset(text, 'a' + (int)k, len);
        size_t flen = wsc_frame_write(frame, WS_OP_TEXT, text, len, MASK);
        ws_reader r;
        ws_reader_init(&r, 1 << 20);
        size_t used;
        ws_event ev;
        ws_reader_next(&r, frame, flen, &used, &ev);
        CHECK_EQ(ev.type, WS_EV_TEXT);
        CHECK_EQ(used, flen);
        CHECK_EQ(ev.len, len);
        CHECK(len == 0 || memcmp(ev.data, text, len) == 0);
        ws_reader_free(&r);
        free(text);
        free(frame);
    }
}

/* A server frame: unmasked header from the server codec, then payload. */
static size_t server_frame(uint8_t *out, uint8_t opcode, bool fin, const void *p, size_t len)
{
    size_t hl = ws_frame_header_write(out, opcode, fin, len);
    memcpy(out + hl, p, len);
    return hl + len;
}

static ws_event read_one(ws_reader *r, const uint8_t *buf, size_t len, size_t *used)
{
    ws_event ev;
    ws_reader_next(r, buf, len, used, &ev);
    return ev;
}

static void test_reader_messages(void)
{
    uint8_t buf[512];
    size_t used, n;
    ws_reader r;
    ws_reader_init_client(&r, 1000);

    n = server_frame(buf, WS_OP_TEXT, true, "hello", 5);
    ws_event ev = read_one(&r, buf, n - 1, &used); /* partial: wait */
    CHECK_EQ(ev.type, WS_EV_NONE);
    CHECK_EQ(used, 0);
    ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_TEXT);
    CHECK_EQ(used, n);
    CHECK_STR((const char *)ev.data, "hello");

    /* fragmented, with a ping between the fragments */
    n = server_frame(buf, WS_OP_TEXT, false, "ab", 2);
    ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_NONE);
    CHECK_EQ(used, n);
    n = server_frame(buf, WS_OP_PING, true, "pp", 2);
    ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_PING);
    CHECK_EQ(ev.len, 2);
    n = server_frame(buf, WS_OP_CONTINUATION, true, "cd", 2);
    ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_TEXT);
    CHECK_STR((const char *)ev.data, "abcd");

    n = ws_close_frame_write(buf, 1001, "bye");
    ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_CLOSE);
    CHECK_EQ(ev.close_code, 1001);
    CHECK_EQ(ev.reason_len, 3);
    CHECK(memcmp(ev.reason, "bye", 3) == 0);
    ws_reader_free(&r);
}

/* Each breaks one rule; the reader fails and stays failed. */
static void test_reader_errors(void)
{
    uint8_t buf[2048];
    size_t n, used;
    ws_reader r;

    ws_reader_init_client(&r, 1000);
    n = wsc_frame_write(buf, WS_OP_TEXT, "x", 1, MASK); /* masked by a server */
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR);
    n = server_frame(buf, WS_OP_TEXT, true, "x", 1);
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR); /* stays failed */
    ws_reader_free(&r);

    ws_reader_init_client(&r, 1000);
    n = server_frame(buf, WS_OP_TEXT, true, "x", 1);
    buf[0] |= 0x40; /* RSV1 */
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR);
    ws_reader_free(&r);

    ws_reader_init_client(&r, 1000);
    n = server_frame(buf, WS_OP_TEXT, true, "\xc3\x28", 2); /* bad UTF-8 */
    ws_event ev = read_one(&r, buf, n, &used);
    CHECK_EQ(ev.type, WS_EV_ERROR);
    CHECK_EQ(ev.close_code, WS_CLOSE_INVALID_DATA);
    ws_reader_free(&r);

    ws_reader_init_client(&r, 1000);
    char big[1001];
    memset(big, 'a', sizeof big);
    n = server_frame(buf, WS_OP_BINARY, true, big, sizeof big); /* over max_message */
    ev = read_one(&r, buf, 4, &used);                           /* fails on the header alone */
    CHECK_EQ(ev.type, WS_EV_ERROR);
    CHECK_EQ(ev.close_code, WS_CLOSE_TOO_BIG);
    ws_reader_free(&r);

    ws_reader_init_client(&r, 1000);
    n = server_frame(buf, WS_OP_CONTINUATION, true, "x", 1);
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR);
    ws_reader_free(&r);

    ws_reader_init_client(&r, 1000);
    n = server_frame(buf, WS_OP_PING, false, "x", 1); /* fragmented control */
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR);
    n = server_frame(buf, 0x3, true, "x", 1);
    ws_reader_free(&r);
    ws_reader_init_client(&r, 1000);
    CHECK_EQ(read_one(&r, buf, n, &used).type, WS_EV_ERROR); /* reserved opcode */
    ws_reader_free(&r);
}

static void test_handshake(void)
{
    uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    char key[25], req[512], accept[29], resp[512];
    const char *reason;
    wsc_make_key(nonce, key);
    CHECK_EQ(strlen(key), 24);
    /* The server's own check accepts our key. */
    CHECK_EQ(ws_handshake_check("GET", "HTTP/1.1", "websocket", "Upgrade", "13", key, &reason), 0);
    size_t n = wsc_handshake_write(req, sizeof req, "127.0.0.1:8080", "/ws", key);
    CHECK(n > 0 && strstr(req, "GET /ws HTTP/1.1\r\n") == req);
    CHECK(strstr(req, "\r\nSec-WebSocket-Key: ") != NULL && strstr(req, key) != NULL);
    CHECK(n > 4 && strcmp(req + n - 4, "\r\n\r\n") == 0);
    CHECK_EQ(wsc_handshake_write(req, sizeof req, "h\r\nX: y", "/ws", key), 0);
    CHECK_EQ(wsc_handshake_write(req, 20, "127.0.0.1", "/ws", key), 0);

    ws_accept_key(key, accept);
    int len = snprintf(resp, sizeof resp,
                       "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
                       "connection: keep-alive, Upgrade\r\nsec-websocket-accept: %s\r\n\r\nXY",
                       accept);
    CHECK_EQ(wsc_handshake_check(resp, (size_t)len - 5, key, &reason), 0); /* incomplete */
    CHECK_EQ(wsc_handshake_check(resp, (size_t)len, key, &reason), len - 2);

    char other[25];
    nonce[0] = 99;
    wsc_make_key(nonce, other);
    CHECK_EQ(wsc_handshake_check(resp, (size_t)len, other, &reason), -1); /* wrong accept */
    CHECK(reason != NULL);
    const char *refused = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    CHECK_EQ(wsc_handshake_check(refused, strlen(refused), key, &reason), -1);
    char big[9000];
    memset(big, 'a', sizeof big);
    CHECK_EQ(wsc_handshake_check(big, sizeof big, key, &reason), -1);
}

static bool allowed(const char *url)
{
    bench_target t;
    char err[128];
    return target_parse_url(url, &t, err, sizeof err) == 0 &&
           target_is_allowed((const struct sockaddr *)&t.addr);
}

static void test_target(void)
{
    bench_target t;
    char err[128];
    CHECK_EQ(target_parse_url("ws://127.0.0.1:8080/ws", &t, err, sizeof err), 0);
    CHECK_EQ(t.port, 8080);
    CHECK_STR(t.path, "/ws");
    CHECK_STR(t.host_header, "127.0.0.1:8080");
    CHECK_EQ(target_parse_url("ws://[::1]:9/x/y", &t, err, sizeof err), 0);
    CHECK_STR(t.host_header, "[::1]:9");
    CHECK_STR(t.path, "/x/y");
    CHECK_EQ(target_parse_url("ws://localhost", &t, err, sizeof err), 0);
    CHECK_EQ(t.port, 80);
    CHECK_STR(t.path, "/");

    CHECK_EQ(target_parse_url("http://127.0.0.1/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws://example.com/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws://127.0.0.1:0/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws://127.0.0.1:70000/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws://127.0.0.1:80x/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws://[::1/", &t, err, sizeof err), -1);
    CHECK_EQ(target_parse_url("ws:///ws", &t, err, sizeof err), -1);

    CHECK(allowed("ws://127.0.0.1:1/"));
    CHECK(allowed("ws://127.200.3.4:1/"));
    CHECK(allowed("ws://[::1]:1/"));
    CHECK(!allowed("ws://192.0.2.7:1/")); /* TEST-NET-1: on no interface here */
    CHECK(!allowed("ws://[2001:db8::1]:1/"));
    CHECK(!allowed("ws://[::ffff:192.0.2.7]:1/"));
}

static void test_percentiles(void)
{
    samples s = {0};
    CHECK(isnan(samples_percentile(&s, 50)));
    for (int i = 100; i >= 1; i--)
        samples_add(&s, i);
    CHECK_EQ(samples_percentile(&s, 50), 50);
    CHECK_EQ(samples_percentile(&s, 99), 99);
    CHECK_EQ(samples_percentile(&s, 100), 100);
    CHECK_EQ(samples_percentile(&s, 0), 1);
    samples_add(&s, 1000); /* adding after sorting is allowed */
    CHECK_EQ(samples_percentile(&s, 100), 1000);
    samples_free(&s);
}

static void test_sigmsg(void)
{
    sigmsg m;
    const char *reply =
        "{\"type\":\"reply\",\"id\":1,\"data\":{\"peer_id\":\"p1\",\"room\":\"r\","
        "\"peers\":[{\"id\":\"p2\",\"name\":\"a\"},{\"id\":\"p3\",\"name\":\"b\"}]}}";
    sigmsg_decode(reply, strlen(reply), &m);
    CHECK_EQ(m.type, SIGMSG_REPLY);
    CHECK_EQ(m.id, 1);
    CHECK_EQ(m.n_peers, 2);
    const char *err = "{\"type\":\"error\",\"id\":7,\"code\":\"room_full\",\"message\":\"full\"}";
    sigmsg_decode(err, strlen(err), &m);
    CHECK_EQ(m.type, SIGMSG_ERROR);
    CHECK_EQ(m.id, 7);
    CHECK_STR(m.code, "room_full");
    CHECK_STR(m.text, "full");
    const char *joined = "{\"type\":\"peer_joined\",\"peer\":{\"id\":\"p9\",\"name\":\"x\"}}";
    sigmsg_decode(joined, strlen(joined), &m);
    CHECK_EQ(m.type, SIGMSG_PEER_JOINED);
    const char *chat = "{\"type\":\"chat\",\"message\":{\"id\":4,\"peer_id\":\"p1\","
                       "\"name\":\"a\",\"text\":\"7 3 99 xx\",\"ts\":1}}";
    sigmsg_decode(chat, strlen(chat), &m);
    CHECK_EQ(m.type, SIGMSG_CHAT);
    CHECK_STR(m.text, "7 3 99 xx");
    CHECK_EQ(m.msg_id, 4);
    sigmsg_decode("{\"type\":\"offer\"}", 16, &m);
    CHECK_EQ(m.type, SIGMSG_OTHER);
    sigmsg_decode("[1]", 3, &m);
    CHECK_EQ(m.type, SIGMSG_INVALID);
    sigmsg_decode("{\"type\":1}", 10, &m);
    CHECK_EQ(m.type, SIGMSG_INVALID);
    sigmsg_decode("{\"type\":\"reply\",\"type\":\"x\"}", 27, &m);
    CHECK_EQ(m.type, SIGMSG_INVALID);

    char out[128];
    size_t n = sigmsg_write_join(out, sizeof out, 3, "room-1", "Ada \"L\"");
    CHECK(n > 0);
    CHECK_STR(out, "{\"type\":\"join\",\"id\":3,\"room\":\"room-1\",\"name\":\"Ada \\\"L\\\"\"}");
    CHECK_EQ(sigmsg_write_join(out, 16, 3, "room-1", "Ada"), 0);
}

int main(void)
{
    test_masked_frames_reach_the_server();
    test_reader_messages();
    test_reader_errors();
    test_handshake();
    test_target();
    test_percentiles();
    test_sigmsg();
    return check_finish("test_bench_codec");
}

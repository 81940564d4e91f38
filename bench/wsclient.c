/*
 * Non-blocking WebSocket client. See wsclient.h.
 */
#include "wsclient.h"

#include "wsproto.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define HANDSHAKE_MAX  1024
#define CLOSE_WAIT_MS  2000
#define READS_PER_WAKE 4
#define READ_CHUNK     16384

typedef enum wsc_state {
    ST_CONNECTING,
    ST_HANDSHAKE,
    ST_OPEN,
    ST_CLOSING, /* our close frame is out; waiting for the server's */
    ST_DONE,
} wsc_state;

struct wsclient {
    bench_loop *loop;
    bench_watch watch;
    int fd;
    wsc_state state;
    wsclient_callbacks cb;
    void *user;
    char key[25];
    char protocol[64]; /* the subprotocol asked for, "" when none */
    uint64_t rng;      /* masks need only be unpredictable to proxies, not secret */
    ws_reader reader;
    uint8_t *in;
    size_t in_len, in_cap, in_max;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    guint close_timer;
};

static void on_io(void *user, uint32_t events);

/* ---- lifecycle ---- */

static void finish(wsclient *c, uint16_t code, const char *reason)
{
    if (c->state == ST_DONE) return;
    c->state = ST_DONE;
    bench_loop_remove(c->loop, &c->watch);
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    bench_loop_cancel(c->loop, c->close_timer);
    c->close_timer = 0;
    c->cb.on_close(c->user, code, reason);
}

static void fail_errno(wsclient *c, const char *what)
{
    finish(c, WSCLIENT_CLOSE_ABNORMAL, what ? what : g_strerror(errno));
}

static int open_socket(const wsclient_options *o)
{
    int fd = socket(o->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    /* Every message is small and latency is what is measured. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, o->addr, o->addrlen) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

wsclient *wsclient_connect(bench_loop *l, const wsclient_options *o, const wsclient_callbacks *cb,
                           void *user)
{
    uint8_t rnd[24];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) return NULL;
    int fd = open_socket(o);
    if (fd < 0) return NULL;
    wsclient *c = g_new0(wsclient, 1);
    c->loop = l;
    c->fd = fd;
    c->cb = *cb;
    c->user = user;
    wsc_make_key(rnd, c->key);
    memcpy(&c->rng, rnd + 16, 8);
    c->rng |= 1;
    ws_reader_init_client(&c->reader, o->max_message);
    c->in_max = o->max_message + WSC_HEADER_MAX + HANDSHAKE_MAX;
    c->out_cap = HANDSHAKE_MAX;
    c->out = g_malloc(c->out_cap);
    /* A subprotocol too long to keep becomes "", which the writer refuses. */
    const char *proto = NULL;
    if (o->protocol && g_strlcpy(c->protocol, o->protocol, sizeof c->protocol) < sizeof c->protocol)
        proto = c->protocol;
    else if (o->protocol)
        proto = "";
    c->out_len =
        wsc_handshake_write_proto((char *)c->out, c->out_cap, o->host, o->path, c->key, proto);
    if (c->out_len == 0 || bench_loop_add(l, &c->watch, fd, EPOLLOUT, on_io, c) < 0) {
        int e = c->out_len ? errno : EINVAL;
        close(fd);
        ws_reader_free(&c->reader);
        g_free(c->out);
        g_free(c);
        errno = e;
        return NULL;
    }
    return c;
}

void wsclient_free(wsclient *c)
{
    if (!c) return;
    if (c->state != ST_DONE) {
        bench_loop_remove(c->loop, &c->watch);
        if (c->fd >= 0) close(c->fd);
        bench_loop_cancel(c->loop, c->close_timer);
    }
    ws_reader_free(&c->reader);
    g_free(c->in);
    g_free(c->out);
    g_free(c);
}

size_t wsclient_pending(const wsclient *c)
{
    return c->out_len - c->out_off;
}

/* ---- output ---- */

static void update_interest(wsclient *c)
{
    if (c->state == ST_DONE) return;
    uint32_t ev = c->state == ST_CONNECTING ? EPOLLOUT : EPOLLIN;
    if (c->state != ST_CONNECTING && c->out_off < c->out_len) ev |= EPOLLOUT;
    if (bench_loop_modify(c->loop, &c->watch, ev) < 0) fail_errno(c, NULL);
}

static void flush(wsclient *c)
{
    while (c->state != ST_DONE && c->state != ST_CONNECTING && c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) fail_errno(c, NULL);
            break;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
    update_interest(c);
}

static uint32_t next_mask(wsclient *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (uint32_t)(c->rng >> 16);
}

static void queue_frame(wsclient *c, uint8_t opcode, const void *payload, size_t len)
{
    size_t need = c->out_len + WSC_HEADER_MAX + len;
    if (need > c->out_cap) {
        /* Compact first: what was sent is dead weight. */
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
        need = c->out_len + WSC_HEADER_MAX + len;
        if (need > c->out_cap) {
            c->out_cap = need * 2;
            c->out = g_realloc(c->out, c->out_cap);
        }
    }
    uint32_t m = next_mask(c);
    uint8_t mask[4];
    memcpy(mask, &m, 4);
    c->out_len += wsc_frame_write(c->out + c->out_len, opcode, payload, len, mask);
}

int wsclient_send_text(wsclient *c, const char *text, size_t len)
{
    if (c->state != ST_OPEN) return -1;
    queue_frame(c, WS_OP_TEXT, text, len);
    flush(c);
    return 0;
}

static gboolean close_timeout(gpointer data)
{
    wsclient *c = data;
    c->close_timer = 0;
    finish(c, WSCLIENT_CLOSE_ABNORMAL, "no close frame from the server in time");
    return G_SOURCE_REMOVE;
}

static void send_close(wsclient *c, uint16_t code, const char *reason)
{
    uint8_t body[125];
    size_t len = 0;
    if (code != WS_CLOSE_NO_STATUS) {
        body[0] = (uint8_t)(code >> 8);
        body[1] = (uint8_t)code;
        size_t rl = reason ? strnlen(reason, sizeof body - 2) : 0;
        memcpy(body + 2, reason, rl);
        len = 2 + rl;
    }
    queue_frame(c, WS_OP_CLOSE, body, len);
    flush(c);
}

void wsclient_close(wsclient *c, uint16_t code, const char *reason)
{
    if (c->state == ST_CONNECTING || c->state == ST_HANDSHAKE) {
        finish(c, WSCLIENT_CLOSE_ABNORMAL, "closed before the handshake completed");
        return;
    }
    if (c->state != ST_OPEN) return;
    c->state = ST_CLOSING;
    send_close(c, code, reason);
    if (c->state == ST_CLOSING)
        c->close_timer = bench_loop_every(c->loop, CLOSE_WAIT_MS, close_timeout, c);
}

/* ---- input ---- */

static void on_frame(wsclient *c, const ws_event *ev)
{
    switch (ev->type) {
    case WS_EV_TEXT:
        if (c->state == ST_OPEN) c->cb.on_text(c->user, (const char *)ev->data, ev->len);
        break;
    case WS_EV_PING:
        if (c->state == ST_OPEN) {
            queue_frame(c, WS_OP_PONG, ev->data, ev->len);
            flush(c);
        }
        break;
    case WS_EV_CLOSE: {
        char reason[126];
        memcpy(reason, ev->reason, ev->reason_len);
        reason[ev->reason_len] = 0;
        /* Echo the server's close (RFC 6455 5.5.1), then the exchange is
         * complete whichever side began it. */
        if (c->state == ST_OPEN) send_close(c, ev->close_code, NULL);
        finish(c, ev->close_code, reason);
        break;
    }
    case WS_EV_ERROR:
        if (c->state == ST_OPEN) send_close(c, ev->close_code, ev->reason);
        finish(c, ev->close_code, ev->reason);
        break;
    default: /* binary messages and pongs mean nothing to the bench */
        break;
    }
}

static void drop_input(wsclient *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

static void process_frames(wsclient *c)
{
    while (c->state == ST_OPEN || c->state == ST_CLOSING) {
        size_t used;
        ws_event ev;
        ws_reader_next(&c->reader, c->in, c->in_len, &used, &ev);
        if (ev.type == WS_EV_NONE && used == 0) return;
        on_frame(c, &ev);
        if (c->state != ST_DONE) drop_input(c, used);
    }
}

static void process_input(wsclient *c)
{
    if (c->state == ST_HANDSHAKE) {
        const char *reason;
        long head = wsc_handshake_check_proto((const char *)c->in, c->in_len, c->key,
                                              c->protocol[0] ? c->protocol : NULL, &reason);
        if (head == 0) return;
        if (head < 0) {
            finish(c, WSCLIENT_CLOSE_ABNORMAL, reason);
            return;
        }
        drop_input(c, (size_t)head);
        c->state = ST_OPEN;
        c->cb.on_open(c->user);
    }
    process_frames(c);
}

/* Returns false when nothing more can be read now. */
static bool read_some(wsclient *c)
{
    if (c->in_cap - c->in_len < READ_CHUNK && c->in_cap < c->in_max) {
        size_t cap = c->in_cap ? c->in_cap * 2 : READ_CHUNK * 2;
        c->in_cap = cap < c->in_max ? cap : c->in_max;
        c->in = g_realloc(c->in, c->in_cap);
    }
    if (c->in_len == c->in_cap) {
        finish(c, WS_CLOSE_TOO_BIG, "server message larger than the client accepts");
        return false;
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n < 0) {
        if (errno == EINTR) return true;
        if (errno != EAGAIN && errno != EWOULDBLOCK) fail_errno(c, NULL);
        return false;
    }
    if (n == 0) {
        finish(c, WSCLIENT_CLOSE_ABNORMAL, "the server closed the connection");
        return false;
    }
    c->in_len += (size_t)n;
    process_input(c);
    return c->state != ST_DONE;
}

static void on_connected(wsclient *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        errno = err;
        fail_errno(c, NULL);
        return;
    }
    c->state = ST_HANDSHAKE;
    flush(c);
}

static void on_io(void *user, uint32_t events)
{
    wsclient *c = user;
    if (c->state == ST_CONNECTING) {
        on_connected(c);
        return;
    }
    if (events & EPOLLOUT) flush(c);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        for (int i = 0; i < READS_PER_WAKE && c->state != ST_DONE && read_some(c); i++)
            ;
}

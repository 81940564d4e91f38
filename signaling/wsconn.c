/*
 * One WebSocket connection per upgraded socket, on the control thread.
 */
#include "wsconn.h"

#include "protocol.h"
#include "websocket.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* One whole frame of the largest message fits, so the reader always sees a
 * complete frame; anything longer has already failed its header check. */
#define IN_CAP    (WSCONN_MAX_MESSAGE + 14)
#define US_PER_MS 1000
#define FLUSH_IOV 64

typedef enum conn_state {
    CONN_OPEN,
    CONN_CLOSING, /* our close frame is queued; no more data either way */
} conn_state;

typedef struct wsconn {
    session_transport transport; /* first: the session sees only this */
    wsconn_server *srv;
    GList link; /* in srv->conns */
    GSource *source;
    gpointer fd_tag;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
    session *session;
    ws_reader reader;
    uint8_t *in;
    size_t in_len;
    bool reading;     /* false after the client's close or a protocol error */
    GQueue out;       /* GBytes, each one whole frame */
    size_t out_off;   /* bytes of the head frame already sent */
    size_t out_bytes; /* bytes queued and not yet sent */
    conn_state state;
    bool linger;    /* CLOSING: wait for the client's close frame */
    bool dead;      /* the socket failed: finish at the next dispatch */
    gint64 last_rx; /* monotonic µs of the last byte received */
    gint64 next_ping;
    gint64 close_deadline;
} wsconn;

struct wsconn_server {
    GMainContext *ctx;
    session_registry *reg;
    GQueue conns;
    bool stopping;
};

typedef struct conn_source {
    GSource base;
    wsconn *conn;
} conn_source;

static void conn_update(wsconn *c);

/* ---- output ---- */

static void queue_frame(wsconn *c, uint8_t opcode, const void *payload, size_t len)
{
    uint8_t hdr[10];
    size_t hl = ws_frame_header_write(hdr, opcode, true, len);
    uint8_t *frame = g_malloc(hl + len);
    memcpy(frame, hdr, hl);
    if (len) memcpy(frame + hl, payload, len);
    g_queue_push_tail(&c->out, g_bytes_new_take(frame, hl + len));
    c->out_bytes += hl + len;
}

static void queue_close_frame(wsconn *c, uint16_t code, const char *reason)
{
    uint8_t frame[127];
    size_t len;
    if (code == WS_CLOSE_NO_STATUS) /* echo "no status" as an empty close */
        len = ws_frame_header_write(frame, WS_OP_CLOSE, true, 0);
    else
        len = ws_close_frame_write(frame, code, reason);
    g_queue_push_tail(&c->out, g_bytes_new(frame, len));
    c->out_bytes += len;
}

/* Drops every frame not yet started; a partly sent frame must be completed
 * or the stream would be corrupt. */
static void drop_unsent(wsconn *c)
{
    GBytes *head = c->out_off > 0 ? g_queue_pop_head(&c->out) : NULL;
    GBytes *b;
    while ((b = g_queue_pop_head(&c->out)))
        g_bytes_unref(b);
    c->out_bytes = 0;
    if (head) {
        g_queue_push_head(&c->out, head);
        c->out_bytes = g_bytes_get_size(head) - c->out_off;
    }
}

/* Drops n sent bytes from the front of the queue. */
static void consume(wsconn *c, size_t n)
{
    c->out_bytes -= n;
    while (n > 0) {
        GBytes *head = g_queue_peek_head(&c->out);
        size_t left = g_bytes_get_size(head) - c->out_off;
        if (n < left) {
            c->out_off += n;
            return;
        }
        n -= left;
        g_bytes_unref(g_queue_pop_head(&c->out));
        c->out_off = 0;
    }
}

/* Writes as much of the queue as the socket takes, many frames per call. */
static void flush(wsconn *c)
{
    while (!c->dead && c->out.length > 0) {
        struct iovec iov[FLUSH_IOV];
        int n = 0;
        size_t off = c->out_off;
        for (GList *l = c->out.head; l && n < FLUSH_IOV; l = l->next, n++) {
            size_t len;
            const uint8_t *data = g_bytes_get_data(l->data, &len);
            iov[n] = (struct iovec){(void *)(data + off), len - off};
            off = 0;
        }
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t sent = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                g_debug("websocket send: %s", g_strerror(errno));
                c->dead = true;
            }
            return;
        }
        consume(c, (size_t)sent);
    }
}

/* Starts the closing handshake. linger: wait for the client's close frame
 * (up to WSCONN_CLOSE_WAIT_MS) rather than ending once the frame is out. */
static void begin_close(wsconn *c, uint16_t code, const char *reason, bool linger)
{
    if (c->state != CONN_OPEN) return;
    queue_close_frame(c, code, reason);
    c->state = CONN_CLOSING;
    c->linger = linger;
    c->close_deadline = g_get_monotonic_time() + (gint64)WSCONN_CLOSE_WAIT_MS * US_PER_MS;
    flush(c);
}

/* ---- session transport ---- */

static void transport_send(session_transport *t, const char *text, size_t len)
{
    wsconn *c = (wsconn *)t;
    if (c->state != CONN_OPEN || c->dead) return;
    if (c->out_bytes + len + 10 > WSCONN_SEND_CAP) {
        /* The client does not read: stop queueing rather than grow without
         * bound, and tell it why in place of everything it has not read. */
        g_debug("%s: send queue full", c->session ? c->session->peer_id : "?");
        drop_unsent(c);
        begin_close(c, WS_CLOSE_POLICY, "send queue full", true);
    } else {
        queue_frame(c, WS_OP_TEXT, text, len);
        flush(c);
    }
    conn_update(c);
}

static void transport_close(session_transport *t, uint16_t code, const char *reason)
{
    wsconn *c = (wsconn *)t;
    begin_close(c, code, reason, true);
    conn_update(c);
}

static const session_transport_ops transport_ops = {transport_send, transport_close};

/* ---- input ---- */

static void on_close_frame(wsconn *c, const ws_event *ev)
{
    c->reading = false;
    if (c->state == CONN_OPEN) {
        queue_close_frame(c, ev->close_code, NULL);
        c->state = CONN_CLOSING;
        c->close_deadline = g_get_monotonic_time() + (gint64)WSCONN_CLOSE_WAIT_MS * US_PER_MS;
        flush(c);
    }
    /* Both close frames are exchanged: only the flush remains. */
    c->linger = false;
}

static void on_event(wsconn *c, const ws_event *ev)
{
    switch (ev->type) {
    case WS_EV_TEXT:
        if (c->state == CONN_OPEN && c->session)
            session_received(c->session, (const char *)ev->data, ev->len);
        break;
    case WS_EV_BINARY:
        if (c->state == CONN_OPEN && c->session) {
            char *err = proto_encode_error(0, "bad_json", "messages must be text frames");
            session_send(c->session, err);
            free(err);
        }
        break;
    case WS_EV_PING:
        if (c->state == CONN_OPEN) {
            queue_frame(c, WS_OP_PONG, ev->data, ev->len);
            flush(c);
        }
        break;
    case WS_EV_CLOSE:
        on_close_frame(c, ev);
        break;
    case WS_EV_ERROR:
        c->reading = false;
        begin_close(c, ev->close_code, ev->reason, false);
        c->linger = false;
        break;
    case WS_EV_PONG:
    case WS_EV_NONE:
        break;
    }
}

/* Runs every complete frame in the input buffer through the reader. */
static void process_input(wsconn *c)
{
    size_t off = 0;
    while (c->reading && !c->dead) {
        size_t used;
        ws_event ev;
        ws_reader_next(&c->reader, c->in + off, c->in_len - off, &used, &ev);
        off += used;
        if (ev.type == WS_EV_NONE && used == 0) break;
        on_event(c, &ev);
    }
    if (!c->reading) {
        c->in_len = 0;
        return;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    if (c->in_len == IN_CAP) { /* cannot happen with a working reader; never spin */
        c->reading = false;
        c->in_len = 0;
        begin_close(c, WS_CLOSE_TOO_BIG, "frame too big", false);
    }
}

static void read_input(wsconn *c, gint64 now)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
    if (n == 0) {
        c->dead = true; /* the client closed TCP without a close frame */
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            g_debug("websocket recv: %s", g_strerror(errno));
            c->dead = true;
        }
        return;
    }
    c->last_rx = now;
    if (!c->reading) return; /* after a close or an error, input is only drained */
    c->in_len += (size_t)n;
    process_input(c);
}

/* ---- lifetime ---- */

static void conn_finish(wsconn *c)
{
    g_source_destroy(c->source);
    g_source_unref(c->source);
    /* MHD closes the socket; after this call it may do so at any time. */
    MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
    g_queue_unlink(&c->srv->conns, &c->link);
    session *s = c->session;
    c->session = NULL;
    if (s) session_transport_closed(s);
    GBytes *b;
    while ((b = g_queue_pop_head(&c->out)))
        g_bytes_unref(b);
    ws_reader_free(&c->reader);
    g_free(c->in);
    g_free(c);
}

static bool finished(const wsconn *c, gint64 now)
{
    if (c->dead) return true;
    if (c->state != CONN_CLOSING) return false;
    if (now >= c->close_deadline) return true;
    return c->out.length == 0 && !c->linger;
}

static void run_timers(wsconn *c, gint64 now)
{
    if (c->state != CONN_OPEN) return;
    if (now - c->last_rx >= (gint64)WSCONN_IDLE_MS * US_PER_MS) {
        g_debug("%s: idle timeout", c->session ? c->session->peer_id : "?");
        begin_close(c, WS_CLOSE_GOING_AWAY, "idle timeout", false);
        c->dead = true; /* a silent client will not finish the handshake */
        return;
    }
    if (now >= c->next_ping) {
        queue_frame(c, WS_OP_PING, "confab", 6);
        c->next_ping = now + (gint64)WSCONN_PING_MS * US_PER_MS;
        flush(c);
    }
}

/* A closing connection carries nothing more for its session: the session
 * gets it back at once (to queue for a resume, or to end) instead of after
 * the closing handshake, which can take WSCONN_CLOSE_WAIT_MS. Runs from the
 * source's dispatch, never from inside a transport call. */
static void release_session(wsconn *c)
{
    session *s = c->session;
    if (!s || c->state != CONN_CLOSING) return;
    c->session = NULL;
    session_transport_closed(s);
}

static gint64 next_wakeup(const wsconn *c)
{
    if (c->dead || (c->state == CONN_CLOSING && !c->linger && c->out.length == 0))
        return 0; /* finish at the next dispatch */
    /* A closing connection first hands its session back (release_session). */
    if (c->state == CONN_CLOSING && c->session) return 0;
    if (c->state == CONN_CLOSING) return c->close_deadline;
    gint64 idle = c->last_rx + (gint64)WSCONN_IDLE_MS * US_PER_MS;
    return MIN(idle, c->next_ping);
}

static void conn_update(wsconn *c)
{
    GIOCondition cond = 0;
    if (!c->dead) {
        /* Keep reading after the close to notice the client's FIN. */
        cond |= G_IO_IN;
        if (c->out.length > 0) cond |= G_IO_OUT;
    }
    g_source_modify_unix_fd(c->source, c->fd_tag, cond);
    g_source_set_ready_time(c->source, next_wakeup(c));
}

static gboolean conn_dispatch(GSource *source, GSourceFunc cb, gpointer user)
{
    (void)cb;
    (void)user;
    wsconn *c = ((conn_source *)source)->conn;
    gint64 now = g_source_get_time(source);
    GIOCondition rev = g_source_query_unix_fd(source, c->fd_tag);
    if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) read_input(c, now);
    if (rev & G_IO_OUT) flush(c);
    run_timers(c, now);
    release_session(c);
    if (finished(c, now)) {
        conn_finish(c);
        return G_SOURCE_REMOVE;
    }
    conn_update(c);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs conn_source_funcs = {NULL, NULL, conn_dispatch, NULL, NULL, NULL};

static void socket_setup(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    /* Messages are written whole; Nagle would only delay them. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static wsconn *conn_new(wsconn_server *srv, int fd, struct MHD_UpgradeResponseHandle *urh)
{
    wsconn *c = g_new0(wsconn, 1);
    c->transport.ops = &transport_ops;
    c->srv = srv;
    c->link.data = c;
    c->fd = fd;
    c->urh = urh;
    c->in = g_malloc(IN_CAP);
    c->reading = true;
    g_queue_init(&c->out);
    ws_reader_init(&c->reader, WSCONN_MAX_MESSAGE);
    c->last_rx = g_get_monotonic_time();
    c->next_ping = c->last_rx + (gint64)WSCONN_PING_MS * US_PER_MS;
    c->source = g_source_new(&conn_source_funcs, sizeof(conn_source));
    ((conn_source *)c->source)->conn = c;
    g_source_set_name(c->source, "confab websocket");
    c->fd_tag = g_source_add_unix_fd(c->source, fd, G_IO_IN);
    return c;
}

void wsconn_server_accept(wsconn_server *srv, int fd, struct MHD_UpgradeResponseHandle *urh,
                          const uint8_t *extra, size_t extra_len)
{
    if (srv->stopping || extra_len > IN_CAP) {
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    socket_setup(fd);
    wsconn *c = conn_new(srv, fd, urh);
    c->session = session_new(srv->reg, &c->transport);
    g_source_attach(c->source, srv->ctx);
    g_queue_push_tail_link(&srv->conns, &c->link);
    if (!c->session) {
        begin_close(c, WS_CLOSE_INTERNAL, "no session", false);
        conn_update(c);
        return;
    }
    g_debug("%s: websocket connected", c->session->peer_id);
    if (extra_len) {
        memcpy(c->in, extra, extra_len);
        c->in_len = extra_len;
        process_input(c);
    }
    conn_update(c);
}

wsconn_server *wsconn_server_new(GMainContext *ctx, session_registry *reg)
{
    wsconn_server *srv = g_new0(wsconn_server, 1);
    srv->ctx = g_main_context_ref(ctx);
    srv->reg = reg;
    g_queue_init(&srv->conns);
    return srv;
}

void wsconn_server_stop(wsconn_server *srv)
{
    srv->stopping = true;
    GList *link;
    while ((link = srv->conns.head)) {
        wsconn *c = link->data;
        begin_close(c, WS_CLOSE_GOING_AWAY, "server shutting down", false);
        conn_finish(c);
    }
}

void wsconn_server_free(wsconn_server *srv)
{
    if (!srv) return;
    wsconn_server_stop(srv);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}

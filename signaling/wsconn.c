/*
 * One WebSocket connection per upgraded socket, on the control thread.
 */
#include "wsconn.h"

#include "fdwatch.h"
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

/*
 * Deadlines without a timer per connection: every connection has the same
 * ping interval, idle timeout and close wait, so a connection appended to a
 * queue when its deadline is set (now + a constant, on the monotonic clock)
 * keeps that queue sorted. One GSource of the server waits for the earliest
 * head: setting, moving or dropping a deadline is O(1), and a loop
 * iteration looks at three heads whatever the number of connections.
 *
 * A link is in its queue when its data is set.
 */
typedef struct wsconn {
    session_transport transport; /* first: the session sees only this */
    wsconn_server *srv;
    GList link;         /* in srv->conns */
    GList ping_link;    /* OPEN: in srv->ping_due, by next_ping */
    GList idle_link;    /* OPEN: in srv->idle_due, by last_rx */
    GList close_link;   /* CLOSING: in srv->close_due, by close_deadline */
    GList pending_link; /* in srv->pending: settle at the next iteration */
    fdwatch watch;
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
    bool dead;      /* the socket failed: finish at the next settle */
    gint64 last_rx; /* monotonic µs of the last byte received */
    gint64 next_ping;
    gint64 close_deadline;
} wsconn;

struct wsconn_server {
    GMainContext *ctx;
    session_registry *reg;
    fdwatch_set *watches; /* every connection's socket */
    GSource *timers;      /* the deadlines below, and pending settles */
    GQueue conns;
    GQueue pending;
    GQueue ping_due;
    GQueue idle_due;
    GQueue close_due;
    bool stopping;
};

typedef struct timer_source {
    GSource base;
    wsconn_server *srv;
} timer_source;

static void conn_update(wsconn *c);

/* ---- deadline queues ---- */

/* Appends c, or moves it to the tail if it is already queued. */
static void due_push(GQueue *q, GList *l, wsconn *c)
{
    if (l->data) g_queue_unlink(q, l);
    l->data = c;
    g_queue_push_tail_link(q, l);
}

static void due_drop(GQueue *q, GList *l)
{
    if (!l->data) return;
    g_queue_unlink(q, l);
    l->data = NULL;
}

static wsconn *due_head(const GQueue *q)
{
    return q->head ? q->head->data : NULL;
}

/* From OPEN to CLOSING: pings and the idle timeout stop, the close wait
 * starts. */
static void enter_closing(wsconn *c)
{
    wsconn_server *srv = c->srv;
    c->state = CONN_CLOSING;
    c->close_deadline = g_get_monotonic_time() + (gint64)WSCONN_CLOSE_WAIT_MS * US_PER_MS;
    due_drop(&srv->ping_due, &c->ping_link);
    due_drop(&srv->idle_due, &c->idle_link);
    due_push(&srv->close_due, &c->close_link, c);
}

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
    enter_closing(c);
    c->linger = linger;
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
        enter_closing(c);
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
    if (c->idle_link.data) due_push(&c->srv->idle_due, &c->idle_link, c);
    if (!c->reading) return; /* after a close or an error, input is only drained */
    c->in_len += (size_t)n;
    process_input(c);
}

/* ---- lifetime ---- */

static void conn_finish(wsconn *c)
{
    wsconn_server *srv = c->srv;
    fdwatch_remove(srv->watches, &c->watch);
    due_drop(&srv->pending, &c->pending_link);
    due_drop(&srv->ping_due, &c->ping_link);
    due_drop(&srv->idle_due, &c->idle_link);
    due_drop(&srv->close_due, &c->close_link);
    /* MHD closes the socket; after this call it may do so at any time. */
    MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
    g_queue_unlink(&srv->conns, &c->link);
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

/* A closing connection carries nothing more for its session: the session
 * gets it back at once (to queue for a resume, or to end) instead of after
 * the closing handshake, which can take WSCONN_CLOSE_WAIT_MS. Runs from a
 * dispatch, never from inside a transport call. */
static void release_session(wsconn *c)
{
    session *s = c->session;
    if (!s || c->state != CONN_CLOSING) return;
    c->session = NULL;
    session_transport_closed(s);
}

/* What a dispatch does after touching a connection: hand the session back,
 * finish, or wait with the right events. */
static void conn_settle(wsconn *c, gint64 now)
{
    release_session(c);
    if (finished(c, now)) {
        conn_finish(c);
        return;
    }
    conn_update(c);
}

/* Whether the connection has work that cannot wait for I/O or a deadline;
 * transport calls come here, and may not settle themselves. */
static bool needs_settle(const wsconn *c)
{
    if (c->dead) return true;
    if (c->state != CONN_CLOSING) return false;
    return c->session || (!c->linger && c->out.length == 0);
}

static void conn_update(wsconn *c)
{
    uint32_t events = 0;
    if (!c->dead) {
        /* Keep reading after the close to notice the client's FIN; ask for
         * writability only while output waits, or epoll reports it always. */
        events = EPOLLIN;
        if (c->out.length > 0) events |= EPOLLOUT;
    }
    if (fdwatch_modify(c->srv->watches, &c->watch, events) < 0) c->dead = true;
    if (needs_settle(c) && !c->pending_link.data) due_push(&c->srv->pending, &c->pending_link, c);
}

static void on_io(void *user, uint32_t events)
{
    wsconn *c = user;
    gint64 now = g_get_monotonic_time();
    if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_input(c, now);
    if (!c->dead && (events & EPOLLOUT)) flush(c);
    conn_settle(c, now);
}

/* ---- deadlines ---- */

static gint64 next_deadline(const wsconn_server *srv)
{
    gint64 t = G_MAXINT64;
    const wsconn *c;
    if ((c = due_head(&srv->idle_due))) t = MIN(t, c->last_rx + (gint64)WSCONN_IDLE_MS * US_PER_MS);
    if ((c = due_head(&srv->ping_due))) t = MIN(t, c->next_ping);
    if ((c = due_head(&srv->close_due))) t = MIN(t, c->close_deadline);
    return t;
}

static gboolean timers_prepare(GSource *src, gint *timeout)
{
    const wsconn_server *srv = ((timer_source *)src)->srv;
    *timeout = -1;
    if (srv->pending.length > 0) {
        *timeout = 0;
        return TRUE;
    }
    gint64 t = next_deadline(srv);
    if (t == G_MAXINT64) return FALSE;
    gint64 left = t - g_source_get_time(src);
    if (left <= 0) {
        *timeout = 0;
        return TRUE;
    }
    gint64 ms = (left + US_PER_MS - 1) / US_PER_MS; /* never wake early and spin */
    *timeout = ms > G_MAXINT ? G_MAXINT : (gint)ms;
    return FALSE;
}

static gboolean timers_check(GSource *src)
{
    const wsconn_server *srv = ((timer_source *)src)->srv;
    return srv->pending.length > 0 || next_deadline(srv) <= g_source_get_time(src);
}

static void idle_timeout(wsconn *c, gint64 now)
{
    due_drop(&c->srv->idle_due, &c->idle_link);
    g_debug("%s: idle timeout", c->session ? c->session->peer_id : "?");
    begin_close(c, WS_CLOSE_GOING_AWAY, "idle timeout", false);
    c->dead = true; /* a silent client will not finish the handshake */
    conn_settle(c, now);
}

static void send_ping(wsconn *c, gint64 now)
{
    queue_frame(c, WS_OP_PING, "confab", 6);
    c->next_ping = now + (gint64)WSCONN_PING_MS * US_PER_MS;
    due_push(&c->srv->ping_due, &c->ping_link, c);
    flush(c);
    conn_update(c);
}

/* Idle before ping: a connection idle for WSCONN_IDLE_MS is closed rather
 * than pinged once more. */
static gboolean timers_dispatch(GSource *src, GSourceFunc cb, gpointer user)
{
    (void)cb;
    (void)user;
    wsconn_server *srv = ((timer_source *)src)->srv;
    gint64 now = g_get_monotonic_time();
    wsconn *c;
    while ((c = due_head(&srv->pending))) {
        due_drop(&srv->pending, &c->pending_link);
        conn_settle(c, now);
    }
    while ((c = due_head(&srv->idle_due)) && c->last_rx + (gint64)WSCONN_IDLE_MS * US_PER_MS <= now)
        idle_timeout(c, now);
    while ((c = due_head(&srv->ping_due)) && c->next_ping <= now)
        send_ping(c, now);
    while ((c = due_head(&srv->close_due)) && c->close_deadline <= now) {
        due_drop(&srv->close_due, &c->close_link);
        conn_settle(c, now);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {timers_prepare, timers_check, timers_dispatch,
                                          NULL,           NULL,         NULL};

static void socket_setup(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    /* Messages are written whole; Nagle would only delay them. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* NULL when the socket cannot be watched (the caller closes it). */
static wsconn *conn_new(wsconn_server *srv, int fd, struct MHD_UpgradeResponseHandle *urh)
{
    wsconn *c = g_new0(wsconn, 1);
    if (fdwatch_add(srv->watches, &c->watch, fd, EPOLLIN, on_io, c) < 0) {
        g_warning("websocket: cannot watch the socket: %s", g_strerror(errno));
        g_free(c);
        return NULL;
    }
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
    due_push(&srv->ping_due, &c->ping_link, c);
    due_push(&srv->idle_due, &c->idle_link, c);
    g_queue_push_tail_link(&srv->conns, &c->link);
    return c;
}

size_t wsconn_server_count(const wsconn_server *srv)
{
    return srv ? g_queue_get_length((GQueue *)&srv->conns) : 0;
}

void wsconn_server_accept(wsconn_server *srv, int fd, struct MHD_UpgradeResponseHandle *urh,
                          const uint8_t *extra, size_t extra_len, const char *host)
{
    if (srv->stopping || extra_len > IN_CAP) {
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    socket_setup(fd);
    wsconn *c = conn_new(srv, fd, urh);
    if (!c) {
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    g_strlcpy(c->transport.host, host ? host : "", sizeof c->transport.host);
    c->session = session_new(srv->reg, &c->transport);
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
    fdwatch_set *watches = fdwatch_set_new(ctx);
    if (!watches) g_error("websocket: cannot create an epoll set: %s", g_strerror(errno));
    wsconn_server *srv = g_new0(wsconn_server, 1);
    srv->ctx = g_main_context_ref(ctx);
    srv->reg = reg;
    srv->watches = watches;
    g_queue_init(&srv->conns);
    g_queue_init(&srv->pending);
    g_queue_init(&srv->ping_due);
    g_queue_init(&srv->idle_due);
    g_queue_init(&srv->close_due);
    srv->timers = g_source_new(&timer_source_funcs, sizeof(timer_source));
    ((timer_source *)srv->timers)->srv = srv;
    g_source_set_name(srv->timers, "confab websocket deadlines");
    g_source_attach(srv->timers, ctx);
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
    g_source_destroy(srv->timers);
    g_source_unref(srv->timers);
    fdwatch_set_free(srv->watches);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}

/*
 * HTTP long-poll clients on the control thread, and the requests that MHD's
 * thread hands over to them.
 */
#include "longpoll_req.h"
#include "protocol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define US_PER_MS 1000

#define CLOSE_NORMAL     1000
#define CLOSE_GOING_AWAY 1001
#define CLOSE_POLICY     1008

typedef struct lpclient {
    session_transport transport; /* first: the session sees only this */
    longpoll_server *srv;
    char sid[LPCODEC_SID_LEN + 1];
    session *session;
    GSource *source; /* wakes the client for its deadlines */
    GQueue out;      /* char * (malloc'd JSON texts), oldest first */
    size_t out_bytes;
    lp_request *poll; /* the pending GET, or NULL */
    gint64 poll_deadline;
    gint64 idle_deadline; /* valid while no GET is pending */
    bool closing;         /* the close message is queued: nothing more to send */
} lpclient;

typedef struct client_source {
    GSource base;
    lpclient *client;
} client_source;

static const char ERR_FULL[] = "{\"type\":\"error\",\"id\":null,\"code\":\"server_full\","
                               "\"message\":\"too many long-poll sessions\"}";
static const char ERR_INTERNAL[] = "{\"type\":\"error\",\"id\":null,\"code\":\"internal\","
                                   "\"message\":\"could not create a session\"}";

static gint64 ms_to_us(unsigned ms)
{
    return (gint64)ms * US_PER_MS;
}

/* ---- answering requests ---- */

/* Hands r back to MHD's thread with its answer; r is not ours afterwards.
 * MHD_resume_connection takes the daemon's mutex that MHD's thread takes
 * before it looks at the connection again, so the writes to r are seen. */
static void request_answer(lp_request *r, unsigned status, char *body)
{
    g_atomic_int_inc(&r->srv->unsent);
    r->status = status;
    r->answer = body;
    r->answered = true;
    MHD_resume_connection(r->conn);
}

static void request_answer_static(lp_request *r, unsigned status, const char *body)
{
    request_answer(r, status, body ? g_strdup(body) : NULL);
}

/* ---- clients ---- */

static void client_schedule(lpclient *c)
{
    gint64 t;
    if (c->poll)
        t = c->out.length > 0 ? 0 : c->poll_deadline; /* 0: at the next iteration */
    else
        t = c->idle_deadline;
    g_source_set_ready_time(c->source, t);
}

/* Everything queued, as one JSON array, in order. */
static char *drain_queue(lpclient *c)
{
    GString *s = g_string_sized_new(c->out_bytes + c->out.length + 2);
    g_string_append_c(s, '[');
    char *msg;
    for (bool first = true; (msg = g_queue_pop_head(&c->out)); first = false) {
        if (!first) g_string_append_c(s, ',');
        g_string_append(s, msg);
        free(msg);
    }
    g_string_append_c(s, ']');
    c->out_bytes = 0;
    return g_string_free(s, FALSE);
}

static void answer_poll(lpclient *c, gint64 now)
{
    lp_request *r = c->poll;
    c->poll = NULL;
    c->idle_deadline = now + ms_to_us(c->srv->opt.idle_ms);
    request_answer(r, MHD_HTTP_OK, drain_queue(c));
}

static void queue_message(lpclient *c, char *text)
{
    if (!text) return;
    g_queue_push_tail(&c->out, text);
    c->out_bytes += strlen(text) + 1;
}

static void queue_close(lpclient *c, uint16_t code, const char *reason)
{
    if (c->closing) return;
    queue_message(c, lpcodec_close_message(code, reason));
    c->closing = true;
}

/* Forgets c: answers its pending GET (with what is queued and a close
 * message), then tells its session the transport is gone. */
static void client_end(lpclient *c, uint16_t code, const char *reason)
{
    longpoll_server *srv = c->srv;
    g_hash_table_steal(srv->clients, c->sid);
    if (c->poll) {
        queue_close(c, code, reason);
        answer_poll(c, g_get_monotonic_time());
    }
    g_source_destroy(c->source);
    g_source_unref(c->source);
    g_queue_clear_full(&c->out, free);
    session *s = c->session;
    g_debug("long-poll %.8s… ended (%u %s)", c->sid, (unsigned)code, reason);
    g_free(c);
    if (s) session_transport_closed(s);
}

/* The client's state machine: answers a GET that has something to say or
 * waited long enough, and ends a client that stopped polling or whose close
 * message went out. */
static void client_service(lpclient *c, gint64 now)
{
    if (c->poll && (c->out.length > 0 || now >= c->poll_deadline)) {
        bool closed = c->closing;
        answer_poll(c, now);
        if (closed) {
            client_end(c, 0, "closed");
            return;
        }
    }
    if (!c->poll && now >= c->idle_deadline) {
        g_debug("long-poll %.8s…: no poll for %u ms", c->sid, c->srv->opt.idle_ms);
        client_end(c, CLOSE_GOING_AWAY, "idle timeout");
        return;
    }
    client_schedule(c);
}

static gboolean client_dispatch(GSource *source, GSourceFunc cb, gpointer user)
{
    (void)cb;
    (void)user;
    lpclient *c = ((client_source *)source)->client;
    client_service(c, g_get_monotonic_time());
    return G_SOURCE_CONTINUE; /* client_end destroyed it if need be */
}

static GSourceFuncs client_source_funcs = {NULL, NULL, client_dispatch, NULL, NULL, NULL};

/* ---- session transport ---- */

static void transport_send(session_transport *t, const char *text, size_t len)
{
    lpclient *c = (lpclient *)t;
    if (c->closing) return;
    if (c->out_bytes + len + 1 > LONGPOLL_SEND_CAP) {
        /* The client does not poll: stop queueing rather than grow without
         * bound, and tell it why in place of everything it has not read. */
        g_debug("long-poll %.8s…: send queue full", c->sid);
        g_queue_clear_full(&c->out, free);
        c->out_bytes = 0;
        queue_close(c, CLOSE_POLICY, "send queue full");
    } else {
        char *copy = malloc(len + 1);
        if (!copy) return;
        memcpy(copy, text, len);
        copy[len] = '\0';
        queue_message(c, copy);
    }
    client_schedule(c);
}

static void transport_close(session_transport *t, uint16_t code, const char *reason)
{
    lpclient *c = (lpclient *)t;
    queue_close(c, code, reason);
    client_schedule(c);
}

static const session_transport_ops transport_ops = {transport_send, transport_close};

static bool random_sid(char sid[LPCODEC_SID_LEN + 1])
{
    uint8_t bytes[LPCODEC_SID_BYTES];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += (size_t)n;
    }
    lpcodec_sid_format(bytes, sid);
    return true;
}

static lpclient *client_new(longpoll_server *srv, const char *host)
{
    lpclient *c = g_new0(lpclient, 1);
    do {
        if (!random_sid(c->sid)) {
            g_warning("getrandom failed: %s", g_strerror(errno));
            g_free(c);
            return NULL;
        }
    } while (g_hash_table_contains(srv->clients, c->sid));
    c->transport.ops = &transport_ops;
    g_strlcpy(c->transport.host, host, sizeof c->transport.host);
    c->srv = srv;
    g_queue_init(&c->out);
    c->session = session_new(srv->reg, &c->transport);
    if (!c->session) {
        g_free(c);
        return NULL;
    }
    c->idle_deadline = g_get_monotonic_time() + ms_to_us(srv->opt.idle_ms);
    c->source = g_source_new(&client_source_funcs, sizeof(client_source));
    ((client_source *)c->source)->client = c;
    g_source_set_name(c->source, "confab long-poll");
    g_source_attach(c->source, srv->ctx);
    g_hash_table_insert(srv->clients, c->sid, c);
    client_schedule(c);
    return c;
}

/* ---- requests, on the control thread ---- */

static void handle_create(longpoll_server *srv, lp_request *r)
{
    if (g_hash_table_size(srv->clients) >= LONGPOLL_MAX_CLIENTS) {
        request_answer_static(r, MHD_HTTP_SERVICE_UNAVAILABLE, ERR_FULL);
        return;
    }
    lpclient *c = client_new(srv, r->host);
    if (!c) {
        request_answer_static(r, MHD_HTTP_INTERNAL_SERVER_ERROR, ERR_INTERNAL);
        return;
    }
    g_debug("%s: long-poll %.8s… created", c->session->peer_id, c->sid);
    request_answer(r, MHD_HTTP_CREATED, g_strdup_printf("{\"sid\":\"%s\"}", c->sid));
}

static void deliver(void *user, const char *text, size_t len)
{
    lpclient *c = user;
    /* After a close (e.g. leave) the rest is ignored, as on a WebSocket. */
    if (!c->closing && c->session) session_received(c->session, text, len);
}

static void handle_post(lpclient *c, lp_request *r)
{
    const char *err = NULL;
    const char *body = r->body ? (const char *)r->body->data : "";
    size_t len = r->body ? r->body->len : 0;
    if (lpcodec_split_body(body, len, NULL, NULL, &err) < 0) {
        char *e = proto_encode_error(0, "bad_json", err);
        request_answer(r, MHD_HTTP_BAD_REQUEST, e ? g_strdup(e) : NULL);
        free(e);
        return;
    }
    /* In order, before the answer: r (and the body) is not ours after it.
     * Delivering never ends c: transports report their end later. */
    lpcodec_split_body(body, len, deliver, c, &err);
    request_answer_static(r, MHD_HTTP_NO_CONTENT, NULL);
}

static void handle_get(lpclient *c, lp_request *r)
{
    gint64 now = g_get_monotonic_time();
    if (c->poll) { /* one GET at a time: the newer one wins */
        lp_request *old = c->poll;
        c->poll = NULL;
        request_answer_static(old, MHD_HTTP_OK, "[]");
    }
    c->poll = r;
    c->poll_deadline = now + ms_to_us(c->srv->opt.hold_ms);
    client_service(c, now);
}

static gboolean request_run(gpointer data)
{
    lp_request *r = data;
    longpoll_server *srv = r->srv;
    if (srv->stopping) {
        request_answer_static(r, MHD_HTTP_SERVICE_UNAVAILABLE, LP_ERR_STOPPING);
        return G_SOURCE_REMOVE;
    }
    if (r->kind == LP_CREATE) {
        handle_create(srv, r);
        return G_SOURCE_REMOVE;
    }
    lpclient *c = g_hash_table_lookup(srv->clients, r->sid);
    if (!c) {
        request_answer_static(r, MHD_HTTP_NOT_FOUND, LP_ERR_UNKNOWN);
        return G_SOURCE_REMOVE;
    }
    switch (r->kind) {
    case LP_POST:
        handle_post(c, r);
        break;
    case LP_GET:
        handle_get(c, r);
        break;
    case LP_DELETE:
        request_answer_static(r, MHD_HTTP_NO_CONTENT, NULL);
        client_end(c, CLOSE_NORMAL, "closed by the client");
        break;
    case LP_CREATE:
        break;
    }
    return G_SOURCE_REMOVE;
}

/* MHD's thread: the gate makes "still accepting" and "suspended and
 * posted" one step, so that once longpoll_server_stop closed it, every
 * suspended connection has a message on its way to the control thread,
 * where draining the context resumes it before MHD stops. */
bool longpoll_submit(longpoll_server *srv, lp_request *r)
{
    g_mutex_lock(&srv->gate);
    bool open = srv->gate_open;
    if (open) {
        MHD_suspend_connection(r->conn);
        g_main_context_invoke_full(srv->ctx, G_PRIORITY_DEFAULT, request_run, r, NULL);
    }
    g_mutex_unlock(&srv->gate);
    return open;
}

/* ---- lifetime ---- */

longpoll_server *longpoll_server_new(GMainContext *ctx, session_registry *reg,
                                     const longpoll_options *opt)
{
    longpoll_server *srv = g_new0(longpoll_server, 1);
    srv->ctx = g_main_context_ref(ctx);
    srv->reg = reg;
    srv->opt.hold_ms = opt && opt->hold_ms ? opt->hold_ms : LONGPOLL_HOLD_MS;
    srv->opt.idle_ms = opt && opt->idle_ms ? opt->idle_ms : LONGPOLL_IDLE_MS;
    srv->clients = g_hash_table_new(g_str_hash, g_str_equal);
    srv->live = g_hash_table_new(NULL, NULL);
    g_mutex_init(&srv->gate);
    srv->gate_open = true;
    return srv;
}

void longpoll_server_stop(longpoll_server *srv)
{
    if (!srv || srv->stopping) return;
    g_mutex_lock(&srv->gate);
    srv->gate_open = false;
    g_mutex_unlock(&srv->gate);
    srv->stopping = true;
    GList *all = g_hash_table_get_values(srv->clients);
    for (GList *l = all; l; l = l->next)
        client_end(l->data, CLOSE_GOING_AWAY, "server shutting down");
    g_list_free(all);
}

void longpoll_server_flush(longpoll_server *srv, unsigned timeout_ms)
{
    if (!srv) return;
    gint64 end = g_get_monotonic_time() + ms_to_us(timeout_ms);
    while (g_atomic_int_get(&srv->unsent) > 0 && g_get_monotonic_time() < end)
        g_usleep(1000);
}

void longpoll_server_free(longpoll_server *srv)
{
    if (!srv) return;
    longpoll_server_stop(srv);
    g_hash_table_destroy(srv->clients);
    /* MHD stopped: it reported every request completed. */
    g_hash_table_destroy(srv->live);
    g_mutex_clear(&srv->gate);
    g_main_context_unref(srv->ctx);
    g_free(srv);
}

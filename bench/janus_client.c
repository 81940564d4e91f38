/*
 * Janus VideoRoom signaling for the bench. See janus_client.h.
 *
 * Every request carries a transaction "t<N>"; a small table maps N to what
 * the request was, so each reply is handled by kind. Janus answers a plugin
 * message with an "ack" and later an "event" bearing the same transaction
 * (or at once with "success"); notifications (new publishers, trickle,
 * hangup) carry no transaction and are told apart by their sender handle.
 * Messages are built and read with jansson: a few per participant, never
 * per packet.
 */
#include "janus_client.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsclient.h"

#define MAX_MESSAGE     (1 << 20) /* an offer for many feeds is tens of KiB */
#define KEEPALIVE_MS    25000     /* Janus ends sessions silent for 60 s */
#define MAX_PENDING     16
#define ROOM_EXISTS     427 /* JANUS_VIDEOROOM_ERROR_ROOM_EXISTS */
#define FEEDS_PER_ROUND 64

typedef enum req_kind {
    REQ_NONE,
    REQ_SESSION,
    REQ_ATTACH_PUB,
    REQ_ATTACH_SUB,
    REQ_ROOM,
    REQ_JOIN,
    REQ_PUBLISH,
    REQ_SUBSCRIBE, /* join as subscriber, or add feeds: both end in an offer */
    REQ_START,
} req_kind;

/* The subscriber handle's negotiation: one at a time. */
typedef enum sub_state {
    SUB_IDLE,
    SUB_ATTACHING,
    SUB_WAIT_OFFER,
    SUB_WAIT_ANSWER,
    SUB_WAIT_STARTED,
} sub_state;

struct janus_client {
    janus_client_options o;
    janus_client_callbacks cb;
    void *user;
    wsclient *ws;
    guint keepalive;
    uint32_t next_tx;
    struct {
        uint32_t tx;
        req_kind kind;
    } pending[MAX_PENDING];
    json_int_t session, pub, sub, my_id;
    char mid[2][32]; /* first mid of each leg's local description: trickles name it */
    bool failed;
    sub_state sub_state;
    GArray *feeds; /* json_int_t: every feed asked for or to ask for */
    guint n_requested;
};

static void fail(janus_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(janus_client *c, const char *fmt, ...)
{
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->failed = true;
    c->cb.on_error(c->user, text);
}

/* Keeps the first a=mid of a local description, to tag trickled candidates
 * with it as a browser does (everything is bundled on it). */
static void keep_mid(janus_client *c, janus_leg leg, const char *sdp)
{
    const char *m = strstr(sdp, "a=mid:");
    size_t n = m ? strcspn(m + 6, "\r\n") : 0;
    if (!m || n == 0 || n >= sizeof c->mid[leg]) return;
    memcpy(c->mid[leg], m + 6, n);
    c->mid[leg][n] = 0;
}

/* ---- sending --------------------------------------------------------------- */

static uint32_t remember(janus_client *c, req_kind kind)
{
    uint32_t tx = ++c->next_tx;
    if (kind == REQ_NONE) return tx;
    for (int i = 0; i < MAX_PENDING; i++)
        if (c->pending[i].kind == REQ_NONE) {
            c->pending[i].tx = tx;
            c->pending[i].kind = kind;
            return tx;
        }
    fail(c, "too many Janus requests in flight");
    return tx;
}

/* Sends msg (consumed) with a new transaction of kind, and session_id /
 * handle_id when nonzero. */
static int send_req(janus_client *c, json_t *msg, req_kind kind, json_int_t handle)
{
    char tx[16];
    snprintf(tx, sizeof tx, "t%u", remember(c, kind));
    json_object_set_new(msg, "transaction", json_string(tx));
    if (c->session) json_object_set_new(msg, "session_id", json_integer(c->session));
    if (handle) json_object_set_new(msg, "handle_id", json_integer(handle));
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    int rc = text && wsclient_send_text(c->ws, text, strlen(text)) == 0 ? 0 : -1;
    free(text);
    if (rc < 0 && !c->failed) fail(c, "could not send to Janus");
    return rc;
}

/* A VideoRoom request: body (consumed), and a JSEP when sdp is set. */
static int send_message(janus_client *c, json_int_t handle, req_kind kind, json_t *body,
                        const char *type, const char *sdp)
{
    json_t *msg = json_pack("{s:s, s:o}", "janus", "message", "body", body);
    if (sdp) json_object_set_new(msg, "jsep", json_pack("{s:s, s:s}", "type", type, "sdp", sdp));
    return send_req(c, msg, kind, handle);
}

static gboolean keepalive(gpointer data)
{
    janus_client *c = data;
    send_req(c, json_pack("{s:s}", "janus", "keepalive"), REQ_NONE, 0);
    return G_SOURCE_CONTINUE;
}

/* ---- subscriber handle --------------------------------------------------------- */

static json_t *streams_from(janus_client *c, guint from)
{
    json_t *streams = json_array();
    for (guint i = from; i < c->feeds->len && i < from + FEEDS_PER_ROUND; i++)
        json_array_append_new(streams,
                              json_pack("{s:I}", "feed", g_array_index(c->feeds, json_int_t, i)));
    return streams;
}

/* Starts the next negotiation when feeds wait and none is in progress. */
static void sub_pump(janus_client *c)
{
    if (c->failed || c->sub_state != SUB_IDLE || c->n_requested == c->feeds->len) return;
    if (!c->sub) {
        c->sub_state = SUB_ATTACHING;
        send_req(c, json_pack("{s:s, s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"),
                 REQ_ATTACH_SUB, 0);
        return;
    }
    guint from = c->n_requested;
    json_t *streams = streams_from(c, from);
    c->n_requested += (guint)json_array_size(streams);
    c->sub_state = SUB_WAIT_OFFER;
    json_t *body = from == 0
                       ? json_pack("{s:s, s:s, s:I, s:o}", "request", "join", "ptype", "subscriber",
                                   "room", (json_int_t)c->o.room, "streams", streams)
                       : json_pack("{s:s, s:o}", "request", "subscribe", "streams", streams);
    send_message(c, c->sub, REQ_SUBSCRIBE, body, NULL, NULL);
}

static bool known_feed(const janus_client *c, json_int_t id)
{
    for (guint i = 0; i < c->feeds->len; i++)
        if (g_array_index(c->feeds, json_int_t, i) == id) return true;
    return false;
}

/* A "publishers" list (joined event or notification): subscribe to the new. */
static void add_publishers(janus_client *c, json_t *list)
{
    if (!c->o.subscribe || !json_is_array(list)) return;
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        json_int_t id = json_integer_value(json_object_get(p, "id"));
        if (id && id != c->my_id && !known_feed(c, id)) g_array_append_val(c->feeds, id);
    }
    sub_pump(c);
}

/* ---- replies ------------------------------------------------------------------- */

static req_kind take_pending(janus_client *c, const char *tx)
{
    if (!tx || tx[0] != 't') return REQ_NONE;
    uint32_t n = (uint32_t)strtoul(tx + 1, NULL, 10);
    for (int i = 0; i < MAX_PENDING; i++)
        if (c->pending[i].kind != REQ_NONE && c->pending[i].tx == n) {
            req_kind k = c->pending[i].kind;
            c->pending[i].kind = REQ_NONE;
            return k;
        }
    return REQ_NONE;
}

/* The VideoRoom's reply data, or NULL (after failing) when it is an error. */
static json_t *plugin_data(janus_client *c, json_t *msg, const char *what, int tolerated)
{
    json_t *data = json_object_get(json_object_get(msg, "plugindata"), "data");
    if (!json_is_object(data)) {
        fail(c, "%s: Janus reply without plugin data", what);
        return NULL;
    }
    json_int_t code = json_integer_value(json_object_get(data, "error_code"));
    if (code && code != tolerated) {
        fail(c, "%s: VideoRoom error %lld: %s", what, (long long)code,
             json_string_value(json_object_get(data, "error")));
        return NULL;
    }
    return data;
}

static const char *jsep_sdp(json_t *msg, const char *type)
{
    json_t *jsep = json_object_get(msg, "jsep");
    const char *t = json_string_value(json_object_get(jsep, "type"));
    return t && !strcmp(t, type) ? json_string_value(json_object_get(jsep, "sdp")) : NULL;
}

static void on_room(janus_client *c, json_t *msg)
{
    if (!plugin_data(c, msg, "create room", ROOM_EXISTS)) return;
    json_t *body =
        json_pack("{s:s, s:s, s:I, s:s}", "request", "join", "ptype", "publisher", "room",
                  (json_int_t)c->o.room, "display", c->o.display ? c->o.display : "bench");
    send_message(c, c->pub, REQ_JOIN, body, NULL, NULL);
}

static void create_room(janus_client *c)
{
    json_t *body = json_pack("{s:s, s:I, s:i, s:s, s:s, s:b, s:b}", "request", "create", "room",
                             (json_int_t)c->o.room, "publishers",
                             c->o.max_publishers > 0 ? c->o.max_publishers : 100, "audiocodec",
                             "opus", "videocodec", "vp8", "notify_joining", 0, "permanent", 0);
    send_message(c, c->pub, REQ_ROOM, body, NULL, NULL);
}

static void on_joined(janus_client *c, json_t *msg)
{
    json_t *data = plugin_data(c, msg, "join", 0);
    if (!data) return;
    c->my_id = json_integer_value(json_object_get(data, "id"));
    c->cb.on_joined(c->user, (uint64_t)c->my_id);
    if (!c->failed) add_publishers(c, json_object_get(data, "publishers"));
}

static void on_offer_reply(janus_client *c, json_t *msg)
{
    if (!plugin_data(c, msg, "subscribe", 0)) return;
    const char *sdp = jsep_sdp(msg, "offer");
    if (!sdp) {
        fail(c, "subscribe: Janus sent no offer");
        return;
    }
    c->sub_state = SUB_WAIT_ANSWER;
    c->cb.on_offer(c->user, sdp);
}

static void on_success(janus_client *c, req_kind kind, json_t *msg)
{
    json_int_t id = json_integer_value(json_object_get(json_object_get(msg, "data"), "id"));
    switch (kind) {
    case REQ_SESSION:
        c->session = id;
        c->keepalive = bench_loop_every(c->o.loop, KEEPALIVE_MS, keepalive, c);
        send_req(c, json_pack("{s:s, s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"),
                 REQ_ATTACH_PUB, 0);
        break;
    case REQ_ATTACH_PUB:
        c->pub = id;
        create_room(c);
        break;
    case REQ_ATTACH_SUB:
        c->sub = id;
        c->sub_state = SUB_IDLE;
        sub_pump(c);
        break;
    default:
        break;
    }
}

static const char *kind_name(req_kind k)
{
    static const char *const names[] = {"?",    "create session", "attach",    "attach", "room",
                                        "join", "publish",        "subscribe", "start"};
    return names[k];
}

/* A final reply ("success" or "event") to one of our requests. */
static void on_reply(janus_client *c, req_kind kind, json_t *msg)
{
    switch (kind) {
    case REQ_SESSION:
    case REQ_ATTACH_PUB:
    case REQ_ATTACH_SUB:
        on_success(c, kind, msg);
        break;
    case REQ_ROOM:
        on_room(c, msg);
        break;
    case REQ_JOIN:
        on_joined(c, msg);
        break;
    case REQ_PUBLISH: {
        const char *sdp = plugin_data(c, msg, "publish", 0) ? jsep_sdp(msg, "answer") : NULL;
        if (sdp)
            c->cb.on_answer(c->user, sdp);
        else if (!c->failed)
            fail(c, "publish: Janus sent no answer");
        break;
    }
    case REQ_SUBSCRIBE:
        on_offer_reply(c, msg);
        break;
    case REQ_START:
        if (!plugin_data(c, msg, "start", 0)) return;
        c->sub_state = SUB_IDLE;
        sub_pump(c);
        break;
    case REQ_NONE:
        break;
    }
}

/* ---- notifications ----------------------------------------------------------------- */

static void on_trickle(janus_client *c, json_int_t sender, json_t *msg)
{
    janus_leg leg = sender == c->sub ? JANUS_LEG_SUB : JANUS_LEG_PUB;
    json_t *cand = json_object_get(msg, "candidate");
    const char *line = json_string_value(json_object_get(cand, "candidate"));
    if (json_is_true(json_object_get(cand, "completed")) || !line) line = "";
    c->cb.on_candidate(c->user, leg, line);
}

static void on_notification(janus_client *c, const char *type, json_t *msg)
{
    json_int_t sender = json_integer_value(json_object_get(msg, "sender"));
    const char *leg = sender == c->sub ? "subscriber" : "publisher";
    if (!strcmp(type, "trickle")) {
        on_trickle(c, sender, msg);
    } else if (!strcmp(type, "hangup")) {
        fail(c, "Janus hung up the %s connection: %s", leg,
             json_string_value(json_object_get(msg, "reason")));
    } else if (!strcmp(type, "detached") || !strcmp(type, "timeout")) {
        fail(c, "Janus %s the %s handle", type, leg);
    } else if (!strcmp(type, "event") && sender == c->pub) {
        json_t *data = json_object_get(json_object_get(msg, "plugindata"), "data");
        add_publishers(c, json_object_get(data, "publishers"));
    }
    /* webrtcup, media, slowlink, other events: nothing the bench needs. */
}

static void on_text(void *user, const char *text, size_t len)
{
    janus_client *c = user;
    if (c->failed) return;
    json_t *msg = json_loadb(text, len, 0, NULL);
    const char *type = json_string_value(json_object_get(msg, "janus"));
    if (!type) {
        fail(c, "Janus sent something that is not a Janus message");
    } else if (strcmp(type, "ack") != 0) {
        req_kind kind = take_pending(c, json_string_value(json_object_get(msg, "transaction")));
        if (!strcmp(type, "error")) {
            json_t *e = json_object_get(msg, "error");
            fail(c, "%s: Janus error %lld: %s", kind_name(kind),
                 (long long)json_integer_value(json_object_get(e, "code")),
                 json_string_value(json_object_get(e, "reason")));
        } else if (kind != REQ_NONE) {
            on_reply(c, kind, msg);
        } else {
            on_notification(c, type, msg);
        }
    }
    json_decref(msg);
}

static void on_open(void *user)
{
    janus_client *c = user;
    send_req(c, json_pack("{s:s}", "janus", "create"), REQ_SESSION, 0);
}

static void on_close(void *user, uint16_t code, const char *reason)
{
    janus_client *c = user;
    if (!c->failed) fail(c, "Janus closed the WebSocket (%u %s)", code, reason ? reason : "");
}

static const wsclient_callbacks ws_cb = {
    .on_open = on_open,
    .on_text = on_text,
    .on_close = on_close,
};

/* ---- API ------------------------------------------------------------------------------ */

janus_client *janus_client_start(const janus_client_options *o, const janus_client_callbacks *cb,
                                 void *user)
{
    janus_client *c = g_new0(janus_client, 1);
    c->o = *o;
    c->cb = *cb;
    c->user = user;
    c->feeds = g_array_new(FALSE, FALSE, sizeof(json_int_t));
    c->sub_state = SUB_IDLE;
    strcpy(c->mid[0], "0");
    strcpy(c->mid[1], "0");
    const bench_target *t = o->target;
    wsclient_options wo = {
        .addr = (const struct sockaddr *)&t->addr,
        .addrlen = t->addrlen,
        .host = t->host_header,
        .path = t->path,
        .max_message = MAX_MESSAGE,
        .protocol = "janus-protocol",
    };
    c->ws = wsclient_connect(o->loop, &wo, &ws_cb, c);
    if (!c->ws) {
        janus_client_free(c);
        return NULL;
    }
    return c;
}

int janus_client_publish(janus_client *c, const char *offer)
{
    if (c->failed || !c->pub || !c->my_id) return -1;
    keep_mid(c, JANUS_LEG_PUB, offer);
    return send_message(c, c->pub, REQ_PUBLISH, json_pack("{s:s}", "request", "publish"), "offer",
                        offer);
}

int janus_client_answer(janus_client *c, const char *answer)
{
    if (c->failed || c->sub_state != SUB_WAIT_ANSWER) return -1;
    c->sub_state = SUB_WAIT_STARTED;
    keep_mid(c, JANUS_LEG_SUB, answer);
    return send_message(c, c->sub, REQ_START, json_pack("{s:s}", "request", "start"), "answer",
                        answer);
}

int janus_client_trickle(janus_client *c, janus_leg leg, const char *candidate)
{
    json_int_t handle = leg == JANUS_LEG_SUB ? c->sub : c->pub;
    if (c->failed || !handle) return -1;
    if (candidate && !strncmp(candidate, "a=", 2)) candidate += 2;
    json_t *cand = candidate && *candidate ? json_pack("{s:s, s:s, s:i}", "candidate", candidate,
                                                       "sdpMid", c->mid[leg], "sdpMLineIndex", 0)
                                           : json_pack("{s:b}", "completed", 1);
    return send_req(c, json_pack("{s:s, s:o}", "janus", "trickle", "candidate", cand), REQ_NONE,
                    handle);
}

int janus_client_n_feeds(const janus_client *c)
{
    return (int)c->n_requested;
}

void janus_client_free(janus_client *c)
{
    if (!c) return;
    if (c->keepalive) bench_loop_cancel(c->o.loop, c->keepalive);
    if (c->ws) wsclient_free(c->ws);
    g_array_free(c->feeds, TRUE);
    g_free(c);
}

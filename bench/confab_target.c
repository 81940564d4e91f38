/*
 * Confab's signaling for the media modes. See confab_target.h.
 *
 * Messages are built and read with jansson directly: they happen a few
 * times per participant, never per packet.
 */
#include "confab_target.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wsclient.h"

#define MAX_MESSAGE (1 << 20) /* an offer for a large room is tens of KiB */

typedef struct ct_peer ct_peer;

/* One of the participant's two connections. */
typedef struct ct_leg {
    ct_peer *cp;
    const char *name; /* "publish" or "subscribe", as the protocol names it */
    media_peer *mp;
} ct_leg;

struct ct_peer {
    media_participant *part;
    wsclient *ws;
    int64_t next_id, join_id, publish_id;
    bool joined, stopping;
    ct_leg pub, sub;
};

static void send_json(ct_peer *cp, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!text || wsclient_send_text(cp->ws, text, strlen(text)) != 0)
        media_run_problem(cp->part, "could not send a message");
    free(text);
}

/* ---- media peer callbacks -------------------------------------------------- */

static void on_local_sdp(void *user, const char *sdp)
{
    ct_leg *l = user;
    ct_peer *cp = l->cp;
    int64_t id = cp->next_id++;
    if (l == &cp->pub) cp->publish_id = id;
    send_json(cp, json_pack("{s:s, s:I, s:s}", "type", l == &cp->pub ? "publish" : "answer", "id",
                            (json_int_t)id, "sdp", sdp));
}

static void on_candidate(void *user, const char *candidate)
{
    ct_leg *l = user;
    ct_peer *cp = l->cp;
    json_t *c = *candidate ? json_pack("{s:s, s:s, s:i}", "candidate", candidate, "sdpMid", "0",
                                       "sdpMLineIndex", 0)
                           : json_null();
    send_json(cp, json_pack("{s:s, s:I, s:s, s:o}", "type", "candidate", "id",
                            (json_int_t)cp->next_id++, "transport", l->name, "candidate", c));
}

static void on_state(void *user, transport_state st, const char *reason)
{
    ct_leg *l = user;
    media_participant *mp = l->cp->part;
    if (st == TRANSPORT_CONNECTED && l == &l->cp->pub && !mp->t_pub_connected)
        mp->t_pub_connected = bench_now_us();
    else if (st == TRANSPORT_FAILED || st == TRANSPORT_CLOSED)
        media_run_problem(mp, "%s transport %s: %s", l->name,
                          st == TRANSPORT_FAILED ? "failed" : "closed", reason ? reason : "");
}

static void on_error(void *user, const char *what)
{
    ct_leg *l = user;
    media_run_problem(l->cp->part, "%s: %s", l->name, what);
}

static const media_peer_callbacks peer_cb = {
    .on_local_sdp = on_local_sdp,
    .on_candidate = on_candidate,
    .on_state = on_state,
    .on_error = on_error,
};

/* ---- server messages -------------------------------------------------------- */

static void on_reply(ct_peer *cp, json_int_t id, json_t *data)
{
    if (id == cp->join_id && !cp->joined) {
        cp->joined = true;
        if (cp->part->publishes)
            cp->pub.mp = media_run_peer_new(cp->part, MEDIA_PEER_PUBLISHER, &peer_cb, &cp->pub);
    } else if (id == cp->publish_id && cp->pub.mp) {
        const char *sdp = json_string_value(json_object_get(data, "sdp"));
        if (sdp)
            media_peer_set_remote_sdp(cp->pub.mp, sdp);
        else
            media_run_problem(cp->part, "publish reply without sdp");
    }
}

static void on_offer(ct_peer *cp, json_t *msg)
{
    const char *sdp = json_string_value(json_object_get(msg, "sdp"));
    if (!sdp) {
        media_run_problem(cp->part, "offer event without sdp");
        return;
    }
    if (!cp->sub.mp)
        cp->sub.mp = media_run_peer_new(cp->part, MEDIA_PEER_SUBSCRIBER, &peer_cb, &cp->sub);
    if (cp->sub.mp) media_peer_set_remote_sdp(cp->sub.mp, sdp);
}

static void on_server_candidate(ct_peer *cp, json_t *msg)
{
    const char *tr = json_string_value(json_object_get(msg, "transport"));
    ct_leg *l = tr && !strcmp(tr, "publish") ? &cp->pub : &cp->sub;
    json_t *c = json_object_get(msg, "candidate");
    const char *line = json_is_object(c) ? json_string_value(json_object_get(c, "candidate")) : "";
    if (l->mp) media_peer_add_candidate(l->mp, line ? line : "");
}

static void on_text(void *user, const char *text, size_t len)
{
    ct_peer *cp = user;
    json_t *msg = json_loadb(text, len, 0, NULL);
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (!type) {
        media_run_problem(cp->part, "server sent something that is not a message");
    } else if (!strcmp(type, "reply")) {
        on_reply(cp, json_integer_value(json_object_get(msg, "id")), json_object_get(msg, "data"));
    } else if (!strcmp(type, "error")) {
        media_run_problem(cp->part, "server error %s: %s",
                          json_string_value(json_object_get(msg, "code")),
                          json_string_value(json_object_get(msg, "message")));
    } else if (!strcmp(type, "offer")) {
        on_offer(cp, msg);
    } else if (!strcmp(type, "candidate")) {
        on_server_candidate(cp, msg);
    }
    json_decref(msg);
}

static void on_open(void *user)
{
    ct_peer *cp = user;
    cp->join_id = cp->next_id++;
    send_json(cp, json_pack("{s:s, s:I, s:s, s:s}", "type", "join", "id", (json_int_t)cp->join_id,
                            "room", cp->part->room_name, "name", cp->part->name));
}

static void on_close(void *user, uint16_t code, const char *reason)
{
    ct_peer *cp = user;
    if (!cp->stopping)
        media_run_problem(cp->part, "signaling closed (%u %s)", code, reason ? reason : "");
}

static const wsclient_callbacks ws_cb = {
    .on_open = on_open,
    .on_text = on_text,
    .on_close = on_close,
};

/* ---- target ------------------------------------------------------------------ */

static int ct_start(media_participant *mp)
{
    const bench_target *t = media_run_target(mp->run);
    ct_peer *cp = calloc(1, sizeof *cp);
    if (!cp) return -1;
    cp->part = mp;
    cp->next_id = 1;
    cp->pub = (ct_leg){.cp = cp, .name = "publish"};
    cp->sub = (ct_leg){.cp = cp, .name = "subscribe"};
    mp->target = cp;
    wsclient_options o = {
        .addr = (const struct sockaddr *)&t->addr,
        .addrlen = t->addrlen,
        .host = t->host_header,
        .path = t->path,
        .max_message = MAX_MESSAGE,
    };
    cp->ws = wsclient_connect(media_run_loop(mp->run), &o, &ws_cb, cp);
    return cp->ws ? 0 : -1;
}

static void ct_stop(media_participant *mp)
{
    ct_peer *cp = mp->target;
    if (!cp) return;
    cp->stopping = true;
    if (cp->ws) wsclient_free(cp->ws);
    media_peer_free(cp->pub.mp);
    media_peer_free(cp->sub.mp);
    free(cp);
    mp->target = NULL;
}

const media_target_ops confab_target_ops = {
    .name = "confab",
    .start = ct_start,
    .stop = ct_stop,
};

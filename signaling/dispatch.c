/*
 * Requests to sfu calls, sfu events to client messages (docs/protocol.md).
 */
#include "dispatch.h"

#include "protocol.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

struct dispatch {
    session_registry *reg;
    sfu *sfu;
    bool stopping;
};

/* Sends a message produced by an encoder and releases it. */
static void send_owned(session *s, char *text)
{
    if (!text) {
        g_warning("%s: could not encode a message (out of memory)", s->peer_id);
        return;
    }
    session_send(s, text);
    free(text);
}

static void send_error(session *s, int64_t id, const char *code, const char *message)
{
    send_owned(s, proto_encode_error(id, code, message));
}

static void broadcast_owned(session *s, char *text)
{
    session_room_broadcast(s, text);
    free(text);
}

/* Takes s out of its room (and the sfu) and tells the others why. */
static void leave_room(dispatch *d, session *s, const char *reason)
{
    if (s->state != SESSION_JOINED) return;
    if (d->sfu) sfu_peer_leave(d->sfu, s->peer_id);
    if (!d->stopping) broadcast_owned(s, proto_encode_peer_left(s->peer_id, reason));
    g_debug("%s left room %s (%s)", s->peer_id, s->room, reason);
    session_room_exit(s);
}

static void handle_join(dispatch *d, session *s, const proto_request *req)
{
    if (s->state != SESSION_NEW) {
        send_error(s, req->id, "already_joined", "this connection has already joined a room");
        return;
    }
    if (!d->sfu || sfu_peer_join(d->sfu, req->room, s->peer_id) < 0) {
        send_error(s, req->id, "internal", "the media core refused the peer");
        return;
    }
    session_room_enter(s, req->room, req->name);
    s->state = SESSION_JOINED;

    size_t n = 0;
    session **others = session_room_others(s, &n);
    proto_peer *peers = g_new0(proto_peer, n + 1);
    for (size_t i = 0; i < n; i++)
        peers[i] = (proto_peer){others[i]->peer_id, others[i]->name};
    send_owned(s, proto_encode_reply_join(req->id, s->peer_id, s->room, peers, n));
    g_free(peers);
    g_free(others);

    broadcast_owned(s, proto_encode_peer_joined(s->peer_id, s->name));
    g_debug("%s joined room %s", s->peer_id, s->room);
}

static void handle_leave(dispatch *d, session *s, const proto_request *req)
{
    leave_room(d, s, "left");
    s->state = SESSION_LEFT;
    send_owned(s, proto_encode_reply_empty(req->id));
    session_close(s, PROTO_CLOSE_LEFT, "left");
}

static void handle_candidate(dispatch *d, session *s, const proto_request *req)
{
    sfu_transport_kind t = req->transport == PROTO_TRANSPORT_SUBSCRIBE ? SFU_TRANSPORT_SUBSCRIBE
                                                                       : SFU_TRANSPORT_PUBLISH;
    /* The sfu wants a string; a candidate without sdpMid still belongs to
     * the single BUNDLE group, so an empty mid is as good as any. */
    sfu_peer_candidate(d->sfu, s->peer_id, t, req->sdp_mid ? req->sdp_mid : "",
                       req->end_of_candidates ? "" : req->candidate);
    send_owned(s, proto_encode_reply_empty(req->id));
}

static void handle_request(dispatch *d, session *s, const proto_request *req)
{
    if (req->type == PROTO_REQ_JOIN) {
        handle_join(d, s, req);
        return;
    }
    if (s->state != SESSION_JOINED) {
        send_error(s, req->id, "not_joined", "join a room first");
        return;
    }
    switch (req->type) {
    case PROTO_REQ_PUBLISH:
        sfu_peer_publish(d->sfu, s->peer_id, req->id, req->sdp);
        break;
    case PROTO_REQ_ANSWER:
        sfu_peer_subscribe_answer(d->sfu, s->peer_id, req->id, req->sdp);
        break;
    case PROTO_REQ_CANDIDATE:
        handle_candidate(d, s, req);
        break;
    case PROTO_REQ_LEAVE:
        handle_leave(d, s, req);
        break;
    case PROTO_REQ_JOIN:
        break;
    }
}

static void on_message(void *user, session *s, const char *text, size_t len)
{
    dispatch *d = user;
    /* After leave the connection is only waiting to close. */
    if (s->state == SESSION_LEFT) return;
    proto_request req;
    proto_error err;
    if (proto_request_decode(text, len, &req, &err) < 0) {
        send_error(s, err.id, err.code, err.message);
        return;
    }
    handle_request(d, s, &req);
    proto_request_clear(&req);
}

static void on_transport_lost(void *user, session *s)
{
    dispatch *d = user;
    /* No session resume yet: a lost transport ends the session. */
    leave_room(d, s, "disconnected");
    session_free(s);
}

dispatch *dispatch_new(void)
{
    static const session_events events = {on_message, on_transport_lost};
    dispatch *d = g_new0(dispatch, 1);
    d->reg = session_registry_new(&events, d);
    return d;
}

void dispatch_free(dispatch *d)
{
    if (!d) return;
    session_registry_free(d->reg);
    g_free(d);
}

session_registry *dispatch_registry(dispatch *d)
{
    return d->reg;
}

void dispatch_set_sfu(dispatch *d, sfu *s)
{
    d->sfu = s;
}

void dispatch_stop(dispatch *d)
{
    d->stopping = true;
}

/* ---- sfu events ---- */

static proto_transport transport_of(const sfu_event *ev)
{
    return ev->transport == SFU_TRANSPORT_SUBSCRIBE ? PROTO_TRANSPORT_SUBSCRIBE
                                                    : PROTO_TRANSPORT_PUBLISH;
}

static proto_track *tracks_of(const sfu_event *ev, size_t *n)
{
    *n = ev->n_tracks > 0 && ev->tracks ? (size_t)ev->n_tracks : 0;
    proto_track *out = g_new0(proto_track, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        const sfu_track_info *t = &ev->tracks[i];
        out[i] = (proto_track){t->track_id, t->peer_id, t->kind, t->mid};
    }
    return out;
}

static void send_tracks_event(session *s, const sfu_event *ev, bool offer)
{
    size_t n;
    proto_track *tracks = tracks_of(ev, &n);
    send_owned(s, offer ? proto_encode_offer(ev->sdp, tracks, n) : proto_encode_tracks(tracks, n));
    g_free(tracks);
}

/* A transport that failed (ICE never connected, or consent freshness lost,
 * e.g. a frozen or vanished browser) means the peer's media is gone: the
 * room learns it at once rather than when the WebSocket times out. */
static void drop_media_timeout(dispatch *d, session *s)
{
    leave_room(d, s, "media_timeout");
    s->state = SESSION_LEFT;
    session_close(s, PROTO_CLOSE_MEDIA_TIMEOUT, "media timeout");
}

void dispatch_sfu_event(void *user, const sfu_event *ev)
{
    dispatch *d = user;
    session *s = session_find(d->reg, ev->peer_id);
    /* Events can trail a peer that already left or disconnected. */
    if (!s || s->state != SESSION_JOINED) return;
    switch (ev->type) {
    case SFU_EV_PUBLISH_ANSWER:
        send_owned(s, proto_encode_reply_sdp(ev->req_id, ev->sdp));
        break;
    case SFU_EV_SUBSCRIBE_DONE:
        send_owned(s, proto_encode_reply_empty(ev->req_id));
        break;
    case SFU_EV_ERROR:
        send_error(s, ev->req_id, ev->code ? ev->code : "internal", ev->message ? ev->message : "");
        break;
    case SFU_EV_SUBSCRIBE_OFFER:
        send_tracks_event(s, ev, true);
        break;
    case SFU_EV_TRACKS:
        send_tracks_event(s, ev, false);
        break;
    case SFU_EV_CANDIDATE:
        send_owned(s, proto_encode_candidate(transport_of(ev), ev->candidate, ev->mid));
        break;
    case SFU_EV_TRANSPORT_STATE:
        send_owned(s, proto_encode_transport_state(transport_of(ev), ev->state));
        if (ev->state && strcmp(ev->state, "failed") == 0) drop_media_timeout(d, s);
        break;
    }
}

/*
 * Client requests to sfu calls, room changes and events (docs/protocol.md).
 */
#include "dispatch_internal.h"
#include "iceservers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dispatch_send_owned(session *s, char *text)
{
    if (!text) {
        g_warning("%s: could not encode a message (out of memory)", s->peer_id);
        return;
    }
    session_send(s, text);
    free(text);
}

void dispatch_send_error(session *s, int64_t id, const char *code, const char *message)
{
    dispatch_send_owned(s, proto_encode_error(id, code, message));
}

void dispatch_broadcast_owned(sigroom *r, const session *except, char *text)
{
    sigroom_broadcast(r, except, text);
    free(text);
}

void dispatch_broadcast_room_tracks(sigroom *r)
{
    size_t n;
    proto_room_track *tracks = sigroom_tracks(r, &n);
    dispatch_broadcast_owned(r, NULL, proto_encode_room_tracks(tracks, n));
    g_free(tracks);
}

void dispatch_send_session_reply(dispatch *d, session *s, int64_t id)
{
    proto_session_info info = {
        .peer_id = s->peer_id, .room = sigroom_name(s->room), .resume_token = s->token};
    char url[ICESERVERS_URL_MAX];
    const char *urls[1] = {url};
    if (d->opt.stun_url)
        urls[0] = d->opt.stun_url;
    else if (!s->transport || !iceservers_stun_url(s->transport->host, d->opt.stun_port, url))
        urls[0] = NULL;
    info.ice_urls = urls;
    info.n_ice_urls = urls[0] ? 1 : 0;
    proto_peer *peers = sigroom_peers(s->room, s, &info.n_peers);
    proto_chat *chat = sigroom_chat_history(s->room, &info.n_chat);
    proto_room_track *tracks = sigroom_tracks(s->room, &info.n_tracks);
    info.peers = peers;
    info.chat = chat;
    info.tracks = tracks;
    dispatch_send_owned(s, proto_encode_reply_session(id, &info));
    g_free(peers);
    g_free(chat);
    g_free(tracks);
}

void dispatch_end_session(dispatch *d, session *s, const char *reason)
{
    resume_cancel_timers(s);
    session_revoke_token(s);
    if (s->state != SESSION_JOINED) return;
    s->state = SESSION_LEFT;
    if (d->sfu) sfu_peer_leave(d->sfu, s->peer_id);
    sigroom *r = s->room;
    g_debug("%s left room %s (%s)", s->peer_id, sigroom_name(r), reason);
    if (!d->stopping) dispatch_broadcast_owned(r, s, proto_encode_peer_left(s->peer_id, reason));
    bool tracks_changed = sigroom_exit(s);
    /* room_exit returns true only while others remain, so r is alive. */
    if (tracks_changed && !d->stopping) dispatch_broadcast_room_tracks(r);
}

/* ---- requests ---- */

static bool admit(dispatch *d, session *s, const proto_request *req)
{
    char msg[160];
    switch (sigroom_admit(d->rooms, req->room)) {
    case SIGROOM_ADMIT:
        return true;
    case SIGROOM_FULL:
        snprintf(msg, sizeof msg, "room %s is full (%u peers)", req->room, d->opt.rooms.max_peers);
        dispatch_send_error(s, req->id, "room_full", msg);
        return false;
    case SIGROOM_SERVER_FULL:
        snprintf(msg, sizeof msg, "the server has its maximum of %u rooms", d->opt.rooms.max_rooms);
        dispatch_send_error(s, req->id, "server_full", msg);
        return false;
    }
    return false;
}

static void handle_join(dispatch *d, session *s, const proto_request *req)
{
    if (s->state != SESSION_NEW) {
        dispatch_send_error(s, req->id, "already_joined", "this connection has already joined");
        return;
    }
    if (!admit(d, s, req)) return;
    if (!d->sfu || sfu_peer_join(d->sfu, req->room, s->peer_id) < 0) {
        dispatch_send_error(s, req->id, "internal", "the media core refused the peer");
        return;
    }
    if (!session_issue_token(s)) {
        sfu_peer_leave(d->sfu, s->peer_id);
        dispatch_send_error(s, req->id, "internal", "no random source for the resume token");
        return;
    }
    g_free(s->name);
    s->name = g_strdup(req->name);
    sigroom *r = sigroom_enter(d->rooms, req->room, s);
    s->state = SESSION_JOINED;
    ratelimit_init(&s->chat_limit, d->opt.chat_rate, d->opt.chat_burst, g_get_monotonic_time());
    dispatch_send_session_reply(d, s, req->id);
    dispatch_broadcast_owned(r, s, proto_encode_peer_joined(s->peer_id, s->name));
    g_debug("%s joined room %s", s->peer_id, sigroom_name(r));
}

static void handle_leave(dispatch *d, session *s, const proto_request *req)
{
    dispatch_end_session(d, s, "left");
    dispatch_send_owned(s, proto_encode_reply_empty(req->id));
    session_close(s, PROTO_CLOSE_LEFT, "left");
}

static bool rate_ok(session *s, const proto_request *req)
{
    if (ratelimit_take(&s->chat_limit, g_get_monotonic_time())) return true;
    dispatch_send_error(s, req->id, "rate_limited",
                        "too many chat and mute requests; slow down and retry");
    return false;
}

static void handle_chat(dispatch *d, session *s, const proto_request *req)
{
    if (req->text_len > d->opt.chat_max_bytes) {
        char msg[160];
        snprintf(msg, sizeof msg, "text is %zu bytes; the limit is %u", req->text_len,
                 d->opt.chat_max_bytes);
        dispatch_send_error(s, req->id, "chat_too_long", msg);
        return;
    }
    if (!rate_ok(s, req)) return;
    const proto_chat *m = sigroom_chat_add(s->room, s, req->text, g_get_real_time() / 1000);
    dispatch_send_owned(s, proto_encode_reply_chat(req->id, m->id));
    dispatch_broadcast_owned(s->room, NULL, proto_encode_chat(m));
}

/* Track ids are "<publisher peer id>-<mid>", so ownership shows in the id. */
static bool owns_track(const session *s, const char *track_id)
{
    size_t n = strlen(s->peer_id);
    return strncmp(track_id, s->peer_id, n) == 0 && track_id[n] == '-' && track_id[n + 1];
}

static void handle_mute(session *s, const proto_request *req)
{
    if (!owns_track(s, req->track_id)) {
        dispatch_send_error(s, req->id, "unknown_track",
                            "track_id must name one of your own tracks (<your peer id>-<mid>)");
        return;
    }
    if (!rate_ok(s, req)) return;
    bool was = g_hash_table_contains(s->muted, req->track_id);
    if (!sigroom_set_muted(s, req->track_id, req->muted)) {
        dispatch_send_error(s, req->id, "bad_request", "too many tracks flagged muted");
        return;
    }
    dispatch_send_owned(s, proto_encode_reply_empty(req->id));
    if (was != req->muted)
        dispatch_broadcast_owned(s->room, NULL,
                                 proto_encode_track_muted(req->track_id, s->peer_id, req->muted));
}

static void handle_candidate(dispatch *d, session *s, const proto_request *req)
{
    sfu_transport_kind t = req->transport == PROTO_TRANSPORT_SUBSCRIBE ? SFU_TRANSPORT_SUBSCRIBE
                                                                       : SFU_TRANSPORT_PUBLISH;
    /* The sfu wants a string; a candidate without sdpMid still belongs to
     * the single BUNDLE group, so an empty mid is as good as any. */
    sfu_peer_candidate(d->sfu, s->peer_id, t, req->sdp_mid ? req->sdp_mid : "",
                       req->end_of_candidates ? "" : req->candidate);
    dispatch_send_owned(s, proto_encode_reply_empty(req->id));
}

static void handle_joined_request(dispatch *d, session *s, const proto_request *req)
{
    switch (req->type) {
    case PROTO_REQ_PUBLISH:
        /* Labels first, so that the tracks this offer adds show with them. */
        if (req->has_sources && sigroom_set_sources(s, req->sources, req->n_sources))
            dispatch_broadcast_room_tracks(s->room);
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
    case PROTO_REQ_CHAT:
        handle_chat(d, s, req);
        break;
    case PROTO_REQ_MUTE:
        handle_mute(s, req);
        break;
    case PROTO_REQ_RESTART_ICE:
        sfu_peer_restart_ice(d->sfu, s->peer_id);
        dispatch_send_owned(s, proto_encode_reply_empty(req->id));
        break;
    case PROTO_REQ_JOIN:
    case PROTO_REQ_RESUME:
        break;
    }
}

static void handle_request(dispatch *d, session *s, const proto_request *req)
{
    if (req->type == PROTO_REQ_JOIN) {
        handle_join(d, s, req);
    } else if (req->type == PROTO_REQ_RESUME) {
        resume_request(d, s, req);
    } else if (s->state != SESSION_JOINED) {
        dispatch_send_error(s, req->id, "not_joined", "join a room first");
    } else {
        handle_joined_request(d, s, req);
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
        dispatch_send_error(s, err.id, err.code, err.message);
        return;
    }
    handle_request(d, s, &req);
    proto_request_clear(&req);
}

static void on_transport_lost(void *user, session *s)
{
    resume_transport_lost(user, s);
}

static void on_outbox_full(void *user, session *s)
{
    resume_outbox_full(user, s);
}

/* ---- lifetime ---- */

dispatch *dispatch_new(const dispatch_options *opt, GMainContext *ctx)
{
    static const session_events events = {on_message, on_transport_lost, on_outbox_full};
    dispatch *d = g_new0(dispatch, 1);
    d->opt = *opt;
    d->ctx = g_main_context_ref(ctx);
    d->reg = session_registry_new(&events, d);
    d->rooms = sigroom_registry_new(&opt->rooms, ctx);
    return d;
}

void dispatch_free(dispatch *d)
{
    if (!d) return;
    /* Rooms only borrow the sessions. */
    sigroom_registry_free(d->rooms);
    session_registry_free(d->reg);
    g_main_context_unref(d->ctx);
    g_free(d);
}

session_registry *dispatch_registry(dispatch *d)
{
    return d->reg;
}

void dispatch_counts(dispatch *d, size_t *rooms, size_t *sessions)
{
    *rooms = sigroom_registry_count(d->rooms);
    *sessions = session_registry_count(d->reg);
}

void dispatch_set_sfu(dispatch *d, sfu *s)
{
    d->sfu = s;
}

void dispatch_stop(dispatch *d)
{
    d->stopping = true;
}

/* ---- HTTP API ---- */

char *dispatch_api_rooms(void *user, const char *name, unsigned *status)
{
    dispatch *d = user;
    if (!name) {
        *status = 200;
        return sigroom_registry_list_json(d->rooms);
    }
    if (!proto_room_valid(name)) {
        *status = 400;
        return proto_encode_http_error("bad_request",
                                       "a room name is 1 to 64 characters from A-Z a-z 0-9 _ - .");
    }
    sigroom *r = sigroom_find(d->rooms, name);
    if (!r) {
        *status = 404;
        return proto_encode_http_error("not_found", "no such room");
    }
    *status = 200;
    return sigroom_detail_json(r);
}

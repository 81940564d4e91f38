/*
 * Sessions that lose their transport or their media, and their return
 * (docs/protocol.md, "Resume"):
 * - a joined session whose transport drops stays in its room and in the
 *   sfu for the grace period, queueing what is sent to it; a `resume` with
 *   its token on a new connection takes it back; after the grace period it
 *   ends with peer_left "disconnected";
 * - a media transport that fails starts the same grace period; "connected"
 *   again (the client restarted ICE) cancels it, else the session ends with
 *   peer_left "media_timeout".
 *
 * Timers name their session by peer id, not by pointer: resuming moves an
 * identity (timers included) into another session object.
 */
#include "dispatch_internal.h"

#include <string.h>

typedef struct timer_ref {
    dispatch *d;
    char peer_id[SESSION_PEER_ID_LEN + 1];
    void (*fire)(dispatch *d, session *s);
} timer_ref;

static void drop(GSource **src)
{
    if (!*src) return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

void resume_cancel_timers(session *s)
{
    drop(&s->grace);
    drop(&s->media_grace);
}

static GSource **slot_of(session *s, GSource *src)
{
    if (s->grace == src) return &s->grace;
    if (s->media_grace == src) return &s->media_grace;
    return NULL;
}

static gboolean timer_fired(gpointer data)
{
    timer_ref *t = data;
    session *s = session_find(t->d->reg, t->peer_id);
    GSource **slot = s ? slot_of(s, g_main_current_source()) : NULL;
    if (!slot) return G_SOURCE_REMOVE;
    /* The context keeps its own reference until this returns. */
    g_source_unref(*slot);
    *slot = NULL;
    t->fire(t->d, s);
    return G_SOURCE_REMOVE;
}

static GSource *start_timer(dispatch *d, session *s, void (*fire)(dispatch *, session *))
{
    timer_ref *t = g_new0(timer_ref, 1);
    t->d = d;
    t->fire = fire;
    g_strlcpy(t->peer_id, s->peer_id, sizeof t->peer_id);
    GSource *src = g_timeout_source_new(d->opt.resume_grace_ms);
    g_source_set_callback(src, timer_fired, t, g_free);
    g_source_attach(src, d->ctx);
    return src;
}

/* Ends a session for good: free it when detached, else close its transport
 * (which frees it when it reports the close). */
static void finish(dispatch *d, session *s, const char *reason, uint16_t code, const char *why)
{
    dispatch_end_session(d, s, reason);
    if (s->transport)
        session_close(s, code, why);
    else
        session_free(s);
}

/* ---- lost transports ---- */

/* The grace timer only runs while the session is detached. */
static void grace_expired(dispatch *d, session *s)
{
    g_debug("%s: resume grace period over", s->peer_id);
    dispatch_end_session(d, s, "disconnected");
    session_free(s);
}

void resume_transport_lost(dispatch *d, session *s)
{
    bool keep = s->state == SESSION_JOINED && !d->stopping && d->opt.resume_grace_ms > 0 &&
                !s->media_closed && !s->outbox_overflow;
    if (!keep) {
        dispatch_end_session(d, s, "disconnected");
        session_free(s);
        return;
    }
    g_debug("%s: transport lost; resumable for %u ms", s->peer_id, d->opt.resume_grace_ms);
    drop(&s->grace);
    s->grace = start_timer(d, s, grace_expired);
}

void resume_outbox_full(dispatch *d, session *s)
{
    (void)d;
    g_debug("%s: too much to queue; ending the session", s->peer_id);
    /* Inside a send loop: let the grace timer end it on the next turn. */
    if (s->grace) g_source_set_ready_time(s->grace, 0);
}

/* ---- resume ---- */

static session *resumable(dispatch *d, const char *token)
{
    session *o = session_find_token(d->reg, token);
    if (!o || o->state != SESSION_JOINED || o->outbox_overflow) return NULL;
    return o;
}

/* n (the new connection's session) takes o's identity; o keeps n's fresh
 * one and, if its old transport still lingers, waits for it to close. */
static void take_over(session *n, session *o)
{
    drop(&o->grace);
    session_swap_identity(n, o);
    sigroom_replace_member(n->room, o, n);
    o->state = SESSION_LEFT;
    if (o->transport)
        session_close(o, PROTO_CLOSE_RESUMED, "resumed on another connection");
    else
        session_free(o);
}

void resume_request(dispatch *d, session *s, const proto_request *req)
{
    if (s->state != SESSION_NEW) {
        dispatch_send_error(s, req->id, "already_joined", "resume must be the first request");
        return;
    }
    session *o = resumable(d, req->token);
    if (!o) {
        dispatch_send_error(s, req->id, "resume_failed",
                            "no session to resume with this token (expired, ended or used)");
        return;
    }
    take_over(s, o);
    if (!session_issue_token(s)) {
        dispatch_send_error(s, req->id, "internal", "no random source for the resume token");
        finish(d, s, "disconnected", PROTO_CLOSE_INTERNAL, "no session");
        return;
    }
    g_debug("%s: resumed", s->peer_id);
    dispatch_send_session_reply(d, s, req->id);
    /* An offer sent on the lost connection may never have arrived. */
    if (s->pending_offer && !s->pending_offer_queued) session_send(s, s->pending_offer);
    session_flush_outbox(s);
    s->pending_offer_queued = false;
}

/* ---- media ---- */

static void media_expired(dispatch *d, session *s)
{
    g_debug("%s: media did not come back", s->peer_id);
    finish(d, s, "media_timeout", PROTO_CLOSE_MEDIA_TIMEOUT, "media timeout");
}

void resume_media_state(dispatch *d, session *s, proto_transport t, const char *state)
{
    bool *failed = t == PROTO_TRANSPORT_PUBLISH ? &s->publish_failed : &s->subscribe_failed;
    if (strcmp(state, "failed") == 0) {
        *failed = true;
        if (d->opt.resume_grace_ms == 0)
            media_expired(d, s);
        else if (!s->media_grace)
            s->media_grace = start_timer(d, s, media_expired);
    } else if (strcmp(state, "connected") == 0) {
        *failed = false;
        if (!s->publish_failed && !s->subscribe_failed) drop(&s->media_grace);
    } else if (strcmp(state, "closed") == 0) {
        /* The client closed this connection on purpose (DTLS close_notify):
         * a client without signaling then is gone, not moving networks. */
        s->media_closed = true;
        if (!s->transport) {
            dispatch_end_session(d, s, "disconnected");
            session_free(s);
        }
    }
}

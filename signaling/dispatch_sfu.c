/*
 * Media core events to client messages (docs/protocol.md): replies to
 * publish and answer, offers, track lists, candidates, transport states.
 */
#include "dispatch_internal.h"

#include <stdlib.h>
#include <string.h>

static proto_transport transport_of(const sfu_event *ev)
{
    return ev->transport == SFU_TRANSPORT_SUBSCRIBE ? PROTO_TRANSPORT_SUBSCRIBE
                                                    : PROTO_TRANSPORT_PUBLISH;
}

/* reg, when given, supplies each track's source label from its publisher
 * (a publisher that is gone leaves it out). */
static proto_track *tracks_of(session_registry *reg, const sfu_track_info *info, int count,
                              size_t *n)
{
    *n = count > 0 && info ? (size_t)count : 0;
    proto_track *out = g_new0(proto_track, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        const sfu_track_info *t = &info[i];
        const session *pub = reg ? session_find(reg, t->peer_id) : NULL;
        const char *src = pub ? sigroom_track_source(pub, t->track_id, t->kind) : NULL;
        out[i] = (proto_track){t->track_id, t->peer_id, t->kind, t->mid, src};
    }
    return out;
}

/* What the peer publishes changed: the room's list follows. */
static void on_published(session *s, const sfu_event *ev)
{
    size_t n;
    proto_track *tracks = tracks_of(NULL, ev->tracks, ev->n_tracks, &n);
    if (sigroom_set_published(s, tracks, n)) dispatch_broadcast_room_tracks(s->room);
    g_free(tracks);
}

/* The list a subscriber receives: sent as is and remembered for the offer
 * that follows it. */
static void on_tracks(session *s, const sfu_event *ev)
{
    size_t n;
    proto_track *tracks = tracks_of(s->reg, ev->tracks, ev->n_tracks, &n);
    dispatch_send_owned(s, proto_encode_tracks(tracks, n));
    g_free(tracks);
    g_free(s->last_view);
    s->last_view = n ? g_memdup2(ev->tracks, sizeof(sfu_track_info) * n) : NULL;
    s->n_last_view = (int)n;
}

/* The media core sends the track list just before each offer; the offer
 * event carries it too, so a client can map mids without the tracks event.
 * The offer is kept until answered, to be sent again after a resume. */
static void on_offer(session *s, const sfu_event *ev)
{
    size_t n;
    proto_track *tracks = tracks_of(s->reg, s->last_view, s->n_last_view, &n);
    char *text = proto_encode_offer(ev->sdp, tracks, n);
    g_free(tracks);
    if (!text) {
        g_warning("%s: could not encode an offer (out of memory)", s->peer_id);
        return;
    }
    g_free(s->pending_offer);
    s->pending_offer = g_strdup(text);
    s->pending_offer_queued = s->transport == NULL;
    dispatch_send_owned(s, text);
}

static void on_subscribe_done(session *s, const sfu_event *ev)
{
    g_clear_pointer(&s->pending_offer, g_free);
    dispatch_send_owned(s, proto_encode_reply_empty(ev->req_id));
}

static void on_transport_state(dispatch *d, session *s, const sfu_event *ev)
{
    proto_transport t = transport_of(ev);
    dispatch_send_owned(s, proto_encode_transport_state(t, ev->state));
    if (ev->state) resume_media_state(d, s, t, ev->state);
}

void dispatch_sfu_event(void *user, const sfu_event *ev)
{
    dispatch *d = user;
    session *s = session_find(d->reg, ev->peer_id);
    /* Events can trail a peer that already left or disconnected. */
    if (!s || s->state != SESSION_JOINED) return;
    switch (ev->type) {
    case SFU_EV_PUBLISH_ANSWER:
        dispatch_send_owned(s, proto_encode_reply_sdp(ev->req_id, ev->sdp));
        break;
    case SFU_EV_SUBSCRIBE_DONE:
        on_subscribe_done(s, ev);
        break;
    case SFU_EV_ERROR:
        dispatch_send_error(s, ev->req_id, ev->code ? ev->code : "internal",
                            ev->message ? ev->message : "");
        break;
    case SFU_EV_SUBSCRIBE_OFFER:
        on_offer(s, ev);
        break;
    case SFU_EV_TRACKS:
        on_tracks(s, ev);
        break;
    case SFU_EV_PUBLISHED:
        on_published(s, ev);
        break;
    case SFU_EV_CANDIDATE:
        dispatch_send_owned(s, proto_encode_candidate(transport_of(ev), ev->candidate, ev->mid));
        break;
    case SFU_EV_TRANSPORT_STATE:
        on_transport_state(d, s, ev);
        break;
    }
}

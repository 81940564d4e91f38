/*
 * The subscribe side of a peer: its subscribe transport, one slot per
 * m-section, and the server-driven negotiation (one offer outstanding at a
 * time, re-offers on every change, recovery from refused or unanswered
 * offers). Runs on the room's worker thread, like the rest of the peer.
 */
#include <string.h>

#include "peer.h"

/* Longer than signaling's resume grace: a client that reconnects gets the
 * queued offer and may still answer it. */
#define OFFER_TIMEOUT_MS   30000
#define MAX_OFFER_FAILURES 3

static void disarm_offer_timer(peer *p);

static void sub_on_candidate(void *user, const char *cand)
{
    peer *p = user;
    peer_emit_candidate(p, SFU_TRANSPORT_SUBSCRIBE, p->sub_mid, cand);
}

static void request_keyframes(peer *p)
{
    int64_t now = g_get_monotonic_time();
    for (int i = 0; i < p->n_slots; i++) {
        sub_slot *s = &p->slots[i];
        if (s->active && s->track && s->dt && s->dt->negotiated && !s->dt->started)
            track_request_keyframe(s->track, p->worker, now);
    }
}

static void sub_on_state(void *user, transport_state st, const char *reason)
{
    peer *p = user;
    if (reason) g_message("peer %s: subscribe transport: %s", p->id, reason);
    peer_emit_state(p, SFU_TRANSPORT_SUBSCRIBE, st);
    if (st == TRANSPORT_CONNECTED) request_keyframes(p);
}

static void sub_on_rtp(void *user, uint8_t *buf, size_t len)
{
    (void)user;
    (void)buf;
    (void)len; /* a subscribe transport carries no media towards us */
}

static sub_slot *slot_by_ssrc(peer *p, uint32_t ssrc)
{
    for (int i = 0; i < p->n_slots; i++)
        if (p->slots[i].dt && p->slots[i].dt->ssrc == ssrc) return &p->slots[i];
    return NULL;
}

static void keyframe_for_ssrc(peer *p, uint32_t ssrc, int64_t now)
{
    sub_slot *s = slot_by_ssrc(p, ssrc);
    if (s && s->track) track_request_keyframe(s->track, p->worker, now);
}

/* Receiver reports are ours to consume (they describe our sending, not the
 * publisher's); only keyframe requests travel on to publishers. */
static void sub_on_rtcp(void *user, uint8_t *buf, size_t len)
{
    peer *p = user;
    size_t off = 0;
    rtcp_packet pkt;
    int64_t now = g_get_monotonic_time();
    while (rtcp_next(buf, len, &off, &pkt) == 1) {
        rtcp_fb fb;
        if (pkt.type != RTCP_PSFB || rtcp_parse_fb(&pkt, &fb) != 0) continue;
        if (fb.fmt == 1) {
            keyframe_for_ssrc(p, fb.media_ssrc, now);
        } else if (fb.fmt == 4) {
            uint32_t ssrc;
            uint8_t seq;
            for (size_t i = 0; rtcp_fir_entry(&fb, i, &ssrc, &seq) == 0; i++)
                keyframe_for_ssrc(p, ssrc, now);
        }
    }
}

static const transport_callbacks sub_callbacks = {sub_on_candidate, sub_on_state, sub_on_rtp,
                                                  sub_on_rtcp};

/* Finds room for a new m-section: a fresh one, or (when full) one whose
 * stop the subscriber has already acknowledged, recycled with a new mid as
 * RFC 8829 allows. */
static sub_slot *slot_alloc(peer *p, const char *kind)
{
    if (p->n_slots < SDP_MAX_MEDIA) return &p->slots[p->n_slots++];
    if (p->awaiting_answer) return NULL;
    for (int i = 0; i < p->n_slots; i++) {
        sub_slot *s = &p->slots[i];
        bool tag = strcmp(s->mid, p->sub_mid) == 0;
        /* The paused tag transceiver lives on, so its kind cannot change. */
        if (!s->active && s->stop_acked && (!tag || strcmp(s->kind, kind) == 0)) return s;
    }
    return NULL;
}

/* With every m-section in use and none recyclable yet, a track waits in
 * p->pending and is retried at each negotiation. */
void peer_subscribe_track(peer *p, track *t)
{
    sub_slot *s = slot_alloc(p, t->kind);
    if (!s) {
        if (!g_ptr_array_find(p->pending, t, NULL)) g_ptr_array_add(p->pending, t);
        return;
    }
    g_ptr_array_remove(p->pending, t);
    /* A recycled tag slot keeps its mid: it was never stopped, only
     * paused, and a live transceiver cannot change its mid. */
    bool tag = s->mid[0] && strcmp(s->mid, p->sub_mid) == 0;
    memset(s, 0, sizeof *s);
    if (tag)
        g_strlcpy(s->mid, p->sub_mid, sizeof s->mid);
    else
        g_snprintf(s->mid, sizeof s->mid, "%u", p->next_mid++);
    g_strlcpy(s->kind, t->kind, sizeof s->kind);
    g_strlcpy(s->publisher, t->publisher, sizeof s->publisher);
    g_strlcpy(s->track_id, t->id, sizeof s->track_id);
    s->codec = t->codec;
    s->codec.pt = t->sub_pt;
    s->active = true;
    s->track = t;
    s->dt = track_add_downtrack(t, &p->sub, g_random_int());
    p->dirty = true;
}

static void slot_stop(sub_slot *s)
{
    if (s->dt) {
        track_remove_downtrack(s->track, s->dt);
        g_free(s->dt);
    }
    s->dt = NULL;
    s->track = NULL;
    s->active = false;
    s->stop_acked = false;
}

void peer_unsubscribe_track(peer *p, track *t)
{
    g_ptr_array_remove(p->pending, t);
    for (int i = 0; i < p->n_slots; i++) {
        if (p->slots[i].track != t) continue;
        slot_stop(&p->slots[i]);
        p->dirty = true;
    }
}

static void slot_to_offer(const peer *p, const sub_slot *s, sdp_track_offer *o)
{
    memset(o, 0, sizeof *o);
    g_strlcpy(o->kind, s->kind, sizeof o->kind);
    g_strlcpy(o->mid, s->mid, sizeof o->mid);
    o->active = s->active;
    o->keep_bundled = !s->active && strcmp(s->mid, p->sub_mid) == 0;
    o->ssrc = s->dt ? s->dt->ssrc : 0;
    g_strlcpy(o->cname, s->publisher, sizeof o->cname);
    g_strlcpy(o->stream_id, s->publisher, sizeof o->stream_id);
    g_strlcpy(o->track_id, s->track_id, sizeof o->track_id);
    o->codec = s->codec;
}

static void emit_tracks(peer *p)
{
    sfu_track_info *info = g_new0(sfu_track_info, p->n_slots ? p->n_slots : 1);
    int n = 0;
    for (int i = 0; i < p->n_slots; i++) {
        const sub_slot *s = &p->slots[i];
        if (!s->active) continue;
        g_strlcpy(info[n].track_id, s->track_id, sizeof info[n].track_id);
        g_strlcpy(info[n].peer_id, s->publisher, sizeof info[n].peer_id);
        g_strlcpy(info[n].kind, s->kind, sizeof info[n].kind);
        g_strlcpy(info[n].mid, s->mid, sizeof info[n].mid);
        n++;
    }
    sfu_event ev = {.type = SFU_EV_TRACKS, .peer_id = p->id, .n_tracks = n, .tracks = info};
    sfu_emit(p->sh, &ev);
    g_free(info);
}

/* The tag is fixed by the first offer: the browser binds the transport to
 * it, so it must stay in the group for the transport's whole life. */
static void remember_bundle_tag(peer *p)
{
    if (p->sub_mid[0]) return;
    for (int i = 0; i < p->n_slots; i++) {
        if (p->slots[i].active) {
            g_strlcpy(p->sub_mid, p->slots[i].mid, sizeof p->sub_mid);
            return;
        }
    }
}

static int build_offer(peer *p, sdp_session *offer)
{
    sdp_track_offer *tracks = g_new(sdp_track_offer, p->n_slots);
    for (int i = 0; i < p->n_slots; i++)
        slot_to_offer(p, &p->slots[i], &tracks[i]);
    sdp_local local;
    transport_sdp_local(p->sub, SDP_SETUP_ACTPASS, &local);
    int rc = sdp_offer_subscribe(tracks, p->n_slots, track_sub_extmaps, track_n_sub_extmaps, &local,
                                 p->sub_session_id, ++p->sub_version, offer);
    g_free(tracks);
    return rc;
}

static void disarm_offer_timer(peer *p)
{
    if (!p->offer_timer) return;
    g_source_destroy(p->offer_timer);
    g_source_unref(p->offer_timer);
    p->offer_timer = NULL;
}

/* An offer that was refused or never answered must not block every later
 * change: the next offer (a new version, same slots) replaces it, a few
 * times in a row at most, after which only a new change retries. */
static void offer_failed(peer *p)
{
    disarm_offer_timer(p);
    p->awaiting_answer = false;
    p->dirty = true;
    if (++p->offer_failures <= MAX_OFFER_FAILURES) {
        peer_negotiate(p);
    } else {
        g_warning("peer %s: %d subscribe offers in a row failed", p->id, p->offer_failures);
        p->offer_failures = 0;
    }
}

static gboolean offer_timed_out(gpointer data)
{
    peer *p = data;
    g_source_unref(p->offer_timer);
    p->offer_timer = NULL;
    g_message("peer %s: subscribe offer unanswered for %d s", p->id, OFFER_TIMEOUT_MS / 1000);
    offer_failed(p);
    return G_SOURCE_REMOVE;
}

static void arm_offer_timer(peer *p)
{
    disarm_offer_timer(p);
    p->offer_timer = g_timeout_source_new(OFFER_TIMEOUT_MS);
    g_source_set_callback(p->offer_timer, offer_timed_out, p, NULL);
    g_source_attach(p->offer_timer, p->worker->ctx);
}

void peer_restart_ice(peer *p)
{
    if (!p->sub) return; /* nothing to restart: the first offer is fresh anyway */
    p->restart_pending = true;
    p->dirty = true;
    peer_negotiate(p);
}

static void retry_pending(peer *p)
{
    for (guint i = p->pending->len; i > 0; i--)
        peer_subscribe_track(p, p->pending->pdata[i - 1]);
}

void peer_negotiate(peer *p)
{
    if (p->awaiting_answer) return;
    retry_pending(p);
    if (!p->dirty || p->n_slots == 0) return;
    bool fresh = p->sub == NULL;
    if (fresh) p->sub = peer_make_transport(p, true, &sub_callbacks);
    bool restart = p->restart_pending && !fresh;
    if (restart && transport_restart_ice(p->sub) != 0)
        g_warning("peer %s: ICE restart failed", p->id);
    p->restart_pending = false;
    sdp_session *offer = g_new0(sdp_session, 1);
    char *text = g_malloc(SDP_MAX_TEXT);
    remember_bundle_tag(p);
    if (build_offer(p, offer) != 0 || sdp_write(offer, text, SDP_MAX_TEXT) < 0) {
        g_warning("peer %s: could not build a subscribe offer", p->id);
        g_free(text);
        g_free(offer);
        return;
    }
    p->dirty = false;
    p->awaiting_answer = true;
    p->n_offered = p->n_slots;
    for (int i = 0; i < p->n_slots; i++)
        p->slots[i].offered_active = p->slots[i].active;
    arm_offer_timer(p);
    g_free(p->last_offer);
    p->last_offer = text;
    emit_tracks(p);
    sfu_event ev = {.type = SFU_EV_SUBSCRIBE_OFFER, .peer_id = p->id, .sdp = text};
    sfu_emit(p->sh, &ev);
    if (fresh) transport_gather(p->sub);
    if (restart) transport_emit_local_candidates(p->sub);
    g_free(offer);
}

/* Marks what the answered offer covered: downtracks may now send (the
 * subscriber knows their SSRCs), stopped m-sections may be recycled. */
/* Marks what the answered offer said: downtracks may now send (the
 * subscriber knows their SSRCs), m-sections offered stopped (or rejected by
 * the subscriber) may be recycled. A slot that changed after the offer went
 * out waits for the next answer. */
static void slots_answered(peer *p, const sdp_session *answer)
{
    for (int i = 0; i < p->n_offered && i < p->n_slots && i < answer->n_media; i++) {
        sub_slot *s = &p->slots[i];
        bool rejected = answer->media[i].port == 0 && s->offered_active;
        if (rejected && s->active) {
            g_message("peer %s: subscriber rejected m-section %s", p->id, s->mid);
            slot_stop(s);
        }
        if (!s->offered_active || rejected)
            s->stop_acked = !s->active;
        else if (s->active && s->dt)
            s->dt->negotiated = true;
    }
}

static int answer_apply(peer *p, int64_t req_id, const sdp_session *offer,
                        const sdp_session *answer)
{
    const char *err = NULL;
    int rc = sdp_check_answer(offer, answer, &err);
    if (rc != 0) {
        peer_emit_error(p, req_id, peer_sdp_failure_code(rc),
                        err ? err : "answer does not match the offer");
        return -1;
    }
    const sdp_media *am = peer_first_active(answer);
    if (!am) return 0; /* everything stopped: nothing to connect */
    dtls_role role = am->setup == SDP_SETUP_PASSIVE ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
    if (transport_set_remote(p->sub, am->ice_ufrag, am->ice_pwd, am->fingerprint, role) != 0) {
        peer_emit_error(p, req_id, "ice_restart_unsupported",
                        "ICE credentials changed; ICE restart is not supported yet");
        return -1;
    }
    peer_add_remote_candidates(p->sub, answer);
    return 0;
}

void peer_subscribe_answer(peer *p, int64_t req_id, const char *sdp)
{
    if (!p->awaiting_answer || !p->last_offer) {
        peer_emit_error(p, req_id, "no_offer", "no subscribe offer is waiting for an answer");
        return;
    }
    sdp_session *offer = g_new0(sdp_session, 1);
    sdp_session *answer = g_new0(sdp_session, 1);
    const char *err = NULL;
    int rc = sdp_parse(sdp, strlen(sdp), answer, &err);
    if (rc != 0) {
        peer_emit_error(p, req_id, peer_sdp_failure_code(rc), err ? err : "unparseable SDP");
    } else if (sdp_parse(p->last_offer, strlen(p->last_offer), offer, &err) != 0) {
        peer_emit_error(p, req_id, "internal", "stored offer unreadable");
    } else if (answer_apply(p, req_id, offer, answer) == 0) {
        slots_answered(p, answer);
        p->awaiting_answer = false;
        p->offer_failures = 0;
        disarm_offer_timer(p);
        peer_emit_simple(p, SFU_EV_SUBSCRIBE_DONE, req_id, SFU_TRANSPORT_SUBSCRIBE);
        if (transport_get_state(p->sub) == TRANSPORT_CONNECTED) request_keyframes(p);
        peer_negotiate(p);
        goto out;
    }
    offer_failed(p);
out:
    g_free(offer);
    g_free(answer);
}

void subscriber_init(peer *p)
{
    p->pending = g_ptr_array_new();
    p->sub_session_id = ((uint64_t)g_random_int() << 20) ^ g_random_int();
}

void subscriber_clear(peer *p)
{
    for (int i = 0; i < p->n_slots; i++) {
        if (p->slots[i].dt) {
            track_remove_downtrack(p->slots[i].track, p->slots[i].dt);
            g_free(p->slots[i].dt);
        }
    }
    g_ptr_array_free(p->pending, TRUE);
    disarm_offer_timer(p);
    transport_destroy(p->sub);
    g_free(p->last_offer);
}

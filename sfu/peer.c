#include "peer.h"

#include <string.h>

#define MID_EXT_URI    "urn:ietf:params:rtp-hdrext:sdes:mid"
#define RR_INTERVAL_MS 1000

static void emit_simple(peer *p, sfu_event_type type, int64_t req_id, sfu_transport_kind kind)
{
    sfu_event ev = {.type = type, .peer_id = p->id, .req_id = req_id, .transport = kind};
    sfu_emit(p->sh, &ev);
}

static void emit_error(peer *p, int64_t req_id, const char *code, const char *message)
{
    sfu_emit_error(p->sh, p->id, req_id, code, message);
}

/* Unparseable text is one code for clients; the negotiation failures keep
 * their own, so a client can tell "garbage" from "no usable codec". */
static const char *sdp_failure_code(int rc)
{
    return (rc == -SDP_ERR_SYNTAX || rc == -SDP_ERR_LIMIT) ? "bad_sdp" : sdp_error_code(-rc);
}

static transport *peer_transport(peer *p, sfu_transport_kind kind)
{
    return kind == SFU_TRANSPORT_PUBLISH ? p->pub : p->sub;
}

static void fill_local(peer *p, transport *t, sdp_setup setup, sdp_local *local)
{
    memset(local, 0, sizeof *local);
    g_strlcpy(local->ice_ufrag, transport_ice_ufrag(t), sizeof local->ice_ufrag);
    g_strlcpy(local->ice_pwd, transport_ice_pwd(t), sizeof local->ice_pwd);
    g_strlcpy(local->fingerprint, dtls_cert_fingerprint(p->sh->cert), sizeof local->fingerprint);
    local->setup = setup;
}

static const sdp_media *first_active(const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        if (s->media[i].port != 0) return &s->media[i];
    return NULL;
}

static void add_remote_candidates(transport *t, const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        for (int j = 0; j < s->media[i].n_candidates; j++)
            transport_add_remote_candidate(t, s->media[i].candidates[j]);
}

/* ---- transport callbacks ---------------------------------------------- */

static void emit_candidate(peer *p, sfu_transport_kind kind, const char *mid, const char *cand)
{
    sfu_event ev = {.type = SFU_EV_CANDIDATE,
                    .peer_id = p->id,
                    .transport = kind,
                    .mid = mid,
                    .candidate = cand};
    sfu_emit(p->sh, &ev);
}

static void emit_state(peer *p, sfu_transport_kind kind, transport_state st)
{
    const char *name = st == TRANSPORT_CONNECTED ? "connected"
                       : st == TRANSPORT_FAILED  ? "failed"
                                                 : "closed";
    sfu_event ev = {
        .type = SFU_EV_TRANSPORT_STATE, .peer_id = p->id, .transport = kind, .state = name};
    sfu_emit(p->sh, &ev);
}

static void pub_on_candidate(void *user, const char *cand)
{
    peer *p = user;
    emit_candidate(p, SFU_TRANSPORT_PUBLISH, p->pub_mid, cand);
}

void peer_unpublish_all(peer *p)
{
    if (p->tracks->len == 0) return;
    GPtrArray *removed = g_ptr_array_new_with_free_func((GDestroyNotify)track_free);
    for (guint i = 0; i < p->tracks->len; i++)
        g_ptr_array_add(removed, p->tracks->pdata[i]);
    g_ptr_array_set_size(p->tracks, 0);
    room_on_tracks_changed(p->room, p, NULL, removed);
    g_ptr_array_free(removed, TRUE);
}

static void pub_on_state(void *user, transport_state st, const char *reason)
{
    peer *p = user;
    if (reason) g_message("peer %s: publish transport: %s", p->id, reason);
    emit_state(p, SFU_TRANSPORT_PUBLISH, st);
    /* A closed DTLS association means the browser closed the connection.
     * A failed one may come back through an ICE restart: the tracks stay
     * until signaling gives up on the peer. */
    if (st == TRANSPORT_CLOSED) peer_unpublish_all(p);
}

static track *track_by_ssrc(peer *p, uint32_t ssrc)
{
    for (guint i = 0; i < p->tracks->len; i++) {
        track *t = p->tracks->pdata[i];
        if (t->ssrc == ssrc) return t;
    }
    return NULL;
}

/* A publisher that signalled no a=ssrc is bound by the mid header
 * extension of its first packet (RFC 8843). */
static track *track_by_mid_ext(peer *p, const uint8_t *buf, const rtp_header *h)
{
    const uint8_t *val;
    size_t len;
    if (!p->pub_mid_ext || rtp_ext_find(buf, h, p->pub_mid_ext, &val, &len) != 0) return NULL;
    for (guint i = 0; i < p->tracks->len; i++) {
        track *t = p->tracks->pdata[i];
        if (t->ssrc == 0 && strlen(t->pub_mid) == len && memcmp(t->pub_mid, val, len) == 0) {
            t->ssrc = h->ssrc;
            return t;
        }
    }
    return NULL;
}

static void pub_on_rtp(void *user, uint8_t *buf, size_t len)
{
    peer *p = user;
    rtp_header h;
    if (rtp_parse(buf, len, &h) != 0) return;
    track *t = track_by_ssrc(p, h.ssrc);
    if (!t) t = track_by_mid_ext(p, buf, &h);
    if (!t || h.payload_type != t->codec.pt) return;
    rtp_stats_update(&t->stats, h.seq, h.timestamp, g_get_monotonic_time());
    track_forward_rtp(t, p->worker, buf, len, &h);
}

static void pub_on_rtcp(void *user, uint8_t *buf, size_t len)
{
    peer *p = user;
    size_t off = 0;
    rtcp_packet pkt;
    while (rtcp_next(buf, len, &off, &pkt) == 1) {
        rtcp_sr sr;
        if (pkt.type != RTCP_SR || rtcp_parse_sr(&pkt, &sr) != 0) continue;
        track *t = track_by_ssrc(p, sr.ssrc);
        if (!t) continue;
        rtp_stats_on_sr(&t->stats, sr.ntp, g_get_monotonic_time());
        track_forward_sr(t, p->worker, &sr);
    }
}

static void sub_on_candidate(void *user, const char *cand)
{
    peer *p = user;
    emit_candidate(p, SFU_TRANSPORT_SUBSCRIBE, p->sub_mid, cand);
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
    emit_state(p, SFU_TRANSPORT_SUBSCRIBE, st);
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

/* Our receiver reports tell each publisher what arrives here: its loss
 * based rate control and its RTT figure depend on them. */
static gboolean send_receiver_report(gpointer data)
{
    peer *p = data;
    if (!p->pub || transport_get_state(p->pub) != TRANSPORT_CONNECTED) return G_SOURCE_CONTINUE;
    rtcp_rr rr = {.ssrc = p->rtcp_ssrc};
    int64_t now = g_get_monotonic_time();
    for (guint i = 0; i < p->tracks->len && rr.report_count < RTCP_MAX_REPORTS; i++) {
        track *t = p->tracks->pdata[i];
        if (t->ssrc && rtp_stats_report(&t->stats, t->ssrc, now, &rr.reports[rr.report_count]))
            rr.report_count++;
    }
    if (rr.report_count == 0) return G_SOURCE_CONTINUE;
    int n = rtcp_write_rr(p->worker->out_buf, WORKER_PACKET_MAX, &rr);
    if (n > 0) transport_send_rtcp(p->pub, p->worker->out_buf, (size_t)n, WORKER_BUF_SIZE);
    return G_SOURCE_CONTINUE;
}

static const transport_callbacks pub_callbacks = {pub_on_candidate, pub_on_state, pub_on_rtp,
                                                  pub_on_rtcp};
static const transport_callbacks sub_callbacks = {sub_on_candidate, sub_on_state, sub_on_rtp,
                                                  sub_on_rtcp};

static transport *peer_make_transport(peer *p, bool controlling, const transport_callbacks *cb)
{
    transport_config cfg = {
        .worker = p->worker,
        .cert = p->sh->cert,
        .addresses = (const char *const *)p->sh->addresses,
        .n_addresses = p->sh->n_addresses,
        .port_min = p->sh->port_min,
        .port_max = p->sh->port_max,
        .controlling = controlling,
    };
    return transport_create(&cfg, cb, p);
}

/* ---- lifecycle ---------------------------------------------------------- */

peer *peer_new(room *r, worker *w, const sfu_shared *sh, const char *id)
{
    peer *p = g_new0(peer, 1);
    p->room = r;
    p->worker = w;
    p->sh = sh;
    g_strlcpy(p->id, id, sizeof p->id);
    p->tracks = g_ptr_array_new();
    p->rtcp_ssrc = g_random_int();
    p->sub_session_id = ((uint64_t)g_random_int() << 20) ^ g_random_int();
    return p;
}

void peer_free(peer *p)
{
    for (int i = 0; i < p->n_slots; i++) {
        if (p->slots[i].dt) {
            track_remove_downtrack(p->slots[i].track, p->slots[i].dt);
            g_free(p->slots[i].dt);
        }
    }
    g_ptr_array_free(p->tracks, TRUE);
    if (p->rr_timer) {
        g_source_destroy(p->rr_timer);
        g_source_unref(p->rr_timer);
    }
    transport_destroy(p->pub);
    transport_destroy(p->sub);
    g_free(p->last_offer);
    g_free(p);
}

/* ---- publish negotiation ------------------------------------------------ */

static uint32_t primary_ssrc(const sdp_media *m)
{
    for (int i = 0; i < m->n_ssrc_groups; i++)
        if (m->ssrc_groups[i].n > 0) return m->ssrc_groups[i].ssrcs[0];
    return m->n_ssrcs > 0 ? m->ssrcs[0].ssrc : 0;
}

static int track_index_by_mid(peer *p, const char *mid)
{
    for (guint i = 0; i < p->tracks->len; i++)
        if (strcmp(((track *)p->tracks->pdata[i])->pub_mid, mid) == 0) return (int)i;
    return -1;
}

static bool media_accepted(const sdp_media *m)
{
    return m->port != 0 && (strcmp(m->kind, "audio") == 0 || strcmp(m->kind, "video") == 0);
}

static track *track_from_answer(peer *p, const sdp_media *am, const sdp_media *om)
{
    char id[128];
    g_snprintf(id, sizeof id, "%s-%s", p->id, am->mid);
    return track_new(id, am->kind, am->mid, &am->codecs[0], am->extmaps, am->n_extmaps,
                     om ? primary_ssrc(om) : 0, &p->pub, p->rtcp_ssrc);
}

/* Brings p->tracks in line with an accepted answer: new sending m-sections
 * become tracks, m-sections that stopped sending end theirs. */
static void update_tracks(peer *p, const sdp_session *offer, const sdp_session *answer)
{
    GPtrArray *added = g_ptr_array_new();
    GPtrArray *removed = g_ptr_array_new_with_free_func((GDestroyNotify)track_free);
    for (guint i = 0; i < p->tracks->len;) {
        track *t = p->tracks->pdata[i];
        const sdp_media *am = sdp_find_mid(answer, t->pub_mid);
        if (am && media_accepted(am)) {
            i++;
            continue;
        }
        g_ptr_array_add(removed, t);
        g_ptr_array_remove_index(p->tracks, i);
    }
    for (int i = 0; i < answer->n_media; i++) {
        const sdp_media *am = &answer->media[i];
        if (!media_accepted(am) || am->n_codecs == 0 || track_index_by_mid(p, am->mid) >= 0)
            continue;
        track *t = track_from_answer(p, am, sdp_find_mid(offer, am->mid));
        g_ptr_array_add(p->tracks, t);
        g_ptr_array_add(added, t);
    }
    if (added->len || removed->len) room_on_tracks_changed(p->room, p, added, removed);
    g_ptr_array_free(added, TRUE);
    g_ptr_array_free(removed, TRUE);
}

static void remember_mid_ext(peer *p, const sdp_media *am)
{
    p->pub_mid_ext = 0;
    for (int i = 0; i < am->n_extmaps; i++)
        if (strcmp(am->extmaps[i].uri, MID_EXT_URI) == 0) p->pub_mid_ext = am->extmaps[i].id;
}

static bool ice_restarting(peer *p, const sdp_media *om)
{
    const char *current = transport_remote_ufrag(p->pub);
    return current && om && strcmp(current, om->ice_ufrag) != 0;
}

static int answer_offer(peer *p, int64_t req_id, const sdp_session *offer, sdp_setup setup,
                        sdp_session *answer)
{
    sdp_local local;
    fill_local(p, p->pub, setup, &local);
    const char *err = NULL;
    int rc = sdp_answer_publish(offer, &local, answer, &err);
    if (rc != 0) emit_error(p, req_id, sdp_failure_code(rc), err ? err : "offer not usable");
    return rc;
}

/* Returns 1 when the offer restarted ICE, 0 otherwise, -1 on error. */
static int publish_apply(peer *p, int64_t req_id, const sdp_session *offer, sdp_session *answer)
{
    const sdp_media *om = first_active(offer);
    /* We take the DTLS server role unless the browser insists on it. */
    sdp_setup setup = om && om->setup == SDP_SETUP_PASSIVE ? SDP_SETUP_ACTIVE : SDP_SETUP_PASSIVE;
    if (answer_offer(p, req_id, offer, setup, answer) != 0) return -1;
    const sdp_media *am = first_active(answer);
    om = am ? sdp_find_mid(offer, am->mid) : NULL;
    if (!om) {
        emit_error(p, req_id, "sdp_no_media", "no usable audio or video m-section");
        return -1;
    }
    /* New remote credentials: restart, then answer with our new ones. */
    bool restart = ice_restarting(p, om);
    if (restart) {
        if (transport_restart_ice(p->pub) != 0) {
            emit_error(p, req_id, "internal", "ICE restart failed");
            return -1;
        }
        if (answer_offer(p, req_id, offer, setup, answer) != 0) return -1;
    }
    dtls_role role = setup == SDP_SETUP_ACTIVE ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
    if (transport_set_remote(p->pub, om->ice_ufrag, om->ice_pwd, om->fingerprint, role) != 0) {
        emit_error(p, req_id, "internal", "could not apply the remote ICE parameters");
        return -1;
    }
    g_strlcpy(p->pub_mid, am->mid, sizeof p->pub_mid);
    remember_mid_ext(p, am);
    add_remote_candidates(p->pub, offer);
    return restart ? 1 : 0;
}

static void emit_sdp(peer *p, sfu_event_type type, int64_t req_id, const sdp_session *s)
{
    char *text = g_malloc(SDP_MAX_TEXT);
    if (sdp_write(s, text, SDP_MAX_TEXT) < 0) {
        emit_error(p, req_id, "internal", "description too large");
    } else {
        sfu_event ev = {.type = type, .peer_id = p->id, .req_id = req_id, .sdp = text};
        sfu_emit(p->sh, &ev);
    }
    g_free(text);
}

void peer_publish(peer *p, int64_t req_id, const char *sdp)
{
    sdp_session *offer = g_new0(sdp_session, 1);
    sdp_session *answer = g_new0(sdp_session, 1);
    const char *err = NULL;
    int rc = sdp_parse(sdp, strlen(sdp), offer, &err);
    bool fresh = p->pub == NULL;
    if (rc != 0) {
        emit_error(p, req_id, sdp_failure_code(rc), err ? err : "unparseable SDP");
        goto out;
    }
    if (fresh) p->pub = peer_make_transport(p, false, &pub_callbacks);
    int applied = publish_apply(p, req_id, offer, answer);
    if (applied < 0) {
        if (fresh) {
            transport_destroy(p->pub);
            p->pub = NULL;
        }
        goto out;
    }
    emit_sdp(p, SFU_EV_PUBLISH_ANSWER, req_id, answer);
    /* Gather after the answer went out so candidates follow it. */
    if (applied == 1) transport_emit_local_candidates(p->pub);
    if (fresh) {
        transport_gather(p->pub);
        p->rr_timer = g_timeout_source_new(RR_INTERVAL_MS);
        g_source_set_callback(p->rr_timer, send_receiver_report, p, NULL);
        g_source_attach(p->rr_timer, p->worker->ctx);
    }
    update_tracks(p, offer, answer);
out:
    g_free(offer);
    g_free(answer);
}

void peer_candidate(peer *p, sfu_transport_kind kind, const char *candidate)
{
    transport *t = peer_transport(p, kind);
    if (t) transport_add_remote_candidate(t, candidate);
}

/* ---- subscribe negotiation ---------------------------------------------- */

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

void peer_subscribe_track(peer *p, track *t, const char *publisher_id)
{
    sub_slot *s = slot_alloc(p, t->kind);
    if (!s) {
        g_warning("peer %s: no free m-section for track %s", p->id, t->id);
        return;
    }
    /* A recycled tag slot keeps its mid: it was never stopped, only
     * paused, and a live transceiver cannot change its mid. */
    bool tag = s->mid[0] && strcmp(s->mid, p->sub_mid) == 0;
    memset(s, 0, sizeof *s);
    if (tag)
        g_strlcpy(s->mid, p->sub_mid, sizeof s->mid);
    else
        g_snprintf(s->mid, sizeof s->mid, "%u", p->next_mid++);
    g_strlcpy(s->kind, t->kind, sizeof s->kind);
    g_strlcpy(s->publisher, publisher_id, sizeof s->publisher);
    g_strlcpy(s->track_id, t->id, sizeof s->track_id);
    s->codec = t->codec;
    s->codec.pt = t->sub_pt;
    s->active = true;
    s->track = t;
    s->dt = track_add_downtrack(t, &p->sub, g_random_int());
    p->dirty = true;
}

void peer_unsubscribe_track(peer *p, track *t)
{
    for (int i = 0; i < p->n_slots; i++) {
        sub_slot *s = &p->slots[i];
        if (s->track != t) continue;
        track_remove_downtrack(t, s->dt);
        g_free(s->dt);
        s->dt = NULL;
        s->track = NULL;
        s->active = false;
        s->stop_acked = false;
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
    fill_local(p, p->sub, SDP_SETUP_ACTPASS, &local);
    int rc = sdp_offer_subscribe(tracks, p->n_slots, track_sub_extmaps, track_n_sub_extmaps, &local,
                                 p->sub_session_id, ++p->sub_version, offer);
    g_free(tracks);
    return rc;
}

void peer_restart_ice(peer *p)
{
    if (!p->sub) return; /* nothing to restart: the first offer is fresh anyway */
    p->restart_pending = true;
    p->dirty = true;
    peer_negotiate(p);
}

void peer_negotiate(peer *p)
{
    if (p->awaiting_answer || !p->dirty || p->n_slots == 0) return;
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
static void slots_answered(peer *p)
{
    for (int i = 0; i < p->n_offered && i < p->n_slots; i++) {
        sub_slot *s = &p->slots[i];
        if (s->active && s->dt)
            s->dt->negotiated = true;
        else if (!s->active)
            s->stop_acked = true;
    }
}

static int answer_apply(peer *p, int64_t req_id, const sdp_session *offer,
                        const sdp_session *answer)
{
    const char *err = NULL;
    int rc = sdp_check_answer(offer, answer, &err);
    if (rc != 0) {
        emit_error(p, req_id, sdp_failure_code(rc), err ? err : "answer does not match the offer");
        return -1;
    }
    const sdp_media *am = first_active(answer);
    if (!am) return 0; /* everything stopped: nothing to connect */
    dtls_role role = am->setup == SDP_SETUP_PASSIVE ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
    if (transport_set_remote(p->sub, am->ice_ufrag, am->ice_pwd, am->fingerprint, role) != 0) {
        emit_error(p, req_id, "ice_restart_unsupported",
                   "ICE credentials changed; ICE restart is not supported yet");
        return -1;
    }
    add_remote_candidates(p->sub, answer);
    return 0;
}

void peer_subscribe_answer(peer *p, int64_t req_id, const char *sdp)
{
    if (!p->awaiting_answer || !p->last_offer) {
        emit_error(p, req_id, "no_offer", "no subscribe offer is waiting for an answer");
        return;
    }
    sdp_session *offer = g_new0(sdp_session, 1);
    sdp_session *answer = g_new0(sdp_session, 1);
    const char *err = NULL;
    int rc = sdp_parse(sdp, strlen(sdp), answer, &err);
    if (rc != 0) {
        emit_error(p, req_id, sdp_failure_code(rc), err ? err : "unparseable SDP");
    } else if (sdp_parse(p->last_offer, strlen(p->last_offer), offer, &err) != 0) {
        emit_error(p, req_id, "internal", "stored offer unreadable");
    } else if (answer_apply(p, req_id, offer, answer) == 0) {
        slots_answered(p);
        p->awaiting_answer = false;
        emit_simple(p, SFU_EV_SUBSCRIBE_DONE, req_id, SFU_TRANSPORT_SUBSCRIBE);
        if (transport_get_state(p->sub) == TRANSPORT_CONNECTED) request_keyframes(p);
        peer_negotiate(p);
    }
    g_free(offer);
    g_free(answer);
}

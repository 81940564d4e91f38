/*
 * A peer's lifecycle, its publish side (publish transport, tracks, publish
 * negotiation, receiver reports) and helpers its subscribe side
 * (subscriber.c) shares.
 */
#include "peer.h"

#include <string.h>

#define MID_EXT_URI         "urn:ietf:params:rtp-hdrext:sdes:mid"
#define RR_INTERVAL_MS      1000
#define MAX_TRACKS_PER_PEER 8

void peer_emit_simple(peer *p, sfu_event_type type, int64_t req_id, sfu_transport_kind kind)
{
    sfu_event ev = {.type = type, .peer_id = p->id, .req_id = req_id, .transport = kind};
    sfu_emit(p->sh, &ev);
}

void peer_emit_error(peer *p, int64_t req_id, const char *code, const char *message)
{
    sfu_emit_error(p->sh, p->id, req_id, code, message);
}

/* Unparseable text is one code for clients; the negotiation failures keep
 * their own, so a client can tell "garbage" from "no usable codec". */
const char *peer_sdp_failure_code(int rc)
{
    return (rc == -SDP_ERR_SYNTAX || rc == -SDP_ERR_LIMIT) ? "bad_sdp" : sdp_error_code(-rc);
}

static transport *peer_transport(peer *p, sfu_transport_kind kind)
{
    return kind == SFU_TRANSPORT_PUBLISH ? p->pub : p->sub;
}

const sdp_media *peer_first_active(const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        if (s->media[i].port != 0) return &s->media[i];
    return NULL;
}

void peer_add_remote_candidates(transport *t, const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        for (int j = 0; j < s->media[i].n_candidates; j++)
            transport_add_remote_candidate(t, s->media[i].candidates[j]);
}

/* ---- transport callbacks ---------------------------------------------- */

void peer_emit_candidate(peer *p, sfu_transport_kind kind, const char *mid, const char *cand)
{
    sfu_event ev = {.type = SFU_EV_CANDIDATE,
                    .peer_id = p->id,
                    .transport = kind,
                    .mid = mid,
                    .candidate = cand};
    sfu_emit(p->sh, &ev);
}

void peer_emit_state(peer *p, sfu_transport_kind kind, transport_state st)
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
    peer_emit_candidate(p, SFU_TRANSPORT_PUBLISH, p->pub_mid, cand);
}

/* The publisher's own list: the one exact source of what a room publishes,
 * even while nobody else is there to receive it. */
static void emit_published(peer *p)
{
    sfu_track_info *info = g_new0(sfu_track_info, p->tracks->len + 1);
    for (guint i = 0; i < p->tracks->len; i++) {
        const track *t = p->tracks->pdata[i];
        g_strlcpy(info[i].track_id, t->id, sizeof info[i].track_id);
        g_strlcpy(info[i].peer_id, p->id, sizeof info[i].peer_id);
        g_strlcpy(info[i].kind, t->kind, sizeof info[i].kind);
        g_strlcpy(info[i].mid, t->pub_mid, sizeof info[i].mid);
    }
    sfu_event ev = {.type = SFU_EV_PUBLISHED,
                    .peer_id = p->id,
                    .n_tracks = (int)p->tracks->len,
                    .tracks = info};
    sfu_emit(p->sh, &ev);
    g_free(info);
}

void peer_unpublish_all(peer *p)
{
    if (p->tracks->len == 0) return;
    GPtrArray *removed = g_ptr_array_new_with_free_func((GDestroyNotify)track_free);
    for (guint i = 0; i < p->tracks->len; i++)
        g_ptr_array_add(removed, p->tracks->pdata[i]);
    g_ptr_array_set_size(p->tracks, 0);
    emit_published(p);
    room_on_tracks_changed(p->room, p, NULL, removed);
    g_ptr_array_free(removed, TRUE);
}

static void pub_on_state(void *user, transport_state st, const char *reason)
{
    peer *p = user;
    if (reason) g_message("peer %s: publish transport: %s", p->id, reason);
    peer_emit_state(p, SFU_TRANSPORT_PUBLISH, st);
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

transport *peer_make_transport(peer *p, bool controlling, const transport_callbacks *cb)
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
    subscriber_init(p);
    return p;
}

void peer_free(peer *p)
{
    subscriber_clear(p);
    g_ptr_array_free(p->tracks, TRUE);
    if (p->rr_timer) {
        g_source_destroy(p->rr_timer);
        g_source_unref(p->rr_timer);
    }
    transport_destroy(p->pub);
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

/* An m-section we answered recvonly carries a track; an idle BUNDLE tag we
 * keep (inactive) or a rejected one does not. */
static bool media_accepted(const sdp_media *m)
{
    return m->port != 0 && m->direction == SDP_DIR_RECVONLY &&
           (strcmp(m->kind, "audio") == 0 || strcmp(m->kind, "video") == 0);
}

static track *track_from_answer(peer *p, const sdp_media *am, const sdp_media *om)
{
    char id[128];
    g_snprintf(id, sizeof id, "%s-%s", p->id, am->mid);
    track *t = track_new(id, am->kind, am->mid, &am->codecs[0], am->extmaps, am->n_extmaps,
                         om ? primary_ssrc(om) : 0, &p->pub, p->rtcp_ssrc);
    g_strlcpy(t->publisher, p->id, sizeof t->publisher);
    return t;
}

/* A renegotiation may switch a sending m-section to another codec (after
 * setCodecPreferences) or another SSRC; such a track is ended and made
 * again, so subscribers are re-offered what actually arrives. */
static bool track_unchanged(const track *t, const sdp_media *am, const sdp_media *om)
{
    const sdp_codec *c = &am->codecs[0];
    uint32_t ssrc = om ? primary_ssrc(om) : 0;
    return am->n_codecs > 0 && c->pt == t->codec.pt &&
           g_ascii_strcasecmp(c->name, t->codec.name) == 0 && strcmp(c->fmtp, t->codec.fmtp) == 0 &&
           (!ssrc || !t->ssrc || ssrc == t->ssrc);
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
        if (am && media_accepted(am) && track_unchanged(t, am, sdp_find_mid(offer, t->pub_mid))) {
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
        /* Each track costs every subscriber an m-section: a publisher
         * offering dozens must not crowd everyone else out. */
        if (p->tracks->len >= MAX_TRACKS_PER_PEER) {
            g_warning("peer %s: more than %d tracks; m-section %s ignored", p->id,
                      MAX_TRACKS_PER_PEER, am->mid);
            continue;
        }
        track *t = track_from_answer(p, am, sdp_find_mid(offer, am->mid));
        g_ptr_array_add(p->tracks, t);
        g_ptr_array_add(added, t);
    }
    if (added->len || removed->len) {
        emit_published(p);
        room_on_tracks_changed(p->room, p, added, removed);
    }
    g_ptr_array_free(added, TRUE);
    g_ptr_array_free(removed, TRUE);
}

static void remember_mid_ext(peer *p, const sdp_media *am)
{
    p->pub_mid_ext = 0;
    for (int i = 0; i < am->n_extmaps; i++)
        if (strcmp(am->extmaps[i].uri, MID_EXT_URI) == 0) p->pub_mid_ext = am->extmaps[i].id;
}

/* A first offer must publish something; a later one may stop everything. */
static bool answers_any_track(const sdp_session *answer)
{
    for (int i = 0; i < answer->n_media; i++)
        if (media_accepted(&answer->media[i])) return true;
    return false;
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
    transport_sdp_local(p->pub, setup, &local);
    const char *err = NULL;
    int rc = sdp_answer_publish(offer, &local, answer, &err);
    if (rc != 0)
        peer_emit_error(p, req_id, peer_sdp_failure_code(rc), err ? err : "offer not usable");
    return rc;
}

/* Returns 1 when the offer restarted ICE, 0 otherwise, -1 on error. */
static int publish_apply(peer *p, int64_t req_id, const sdp_session *offer, sdp_session *answer)
{
    const sdp_media *om = peer_first_active(offer);
    /* We take the DTLS server role unless the browser insists on it. */
    sdp_setup setup = om && om->setup == SDP_SETUP_PASSIVE ? SDP_SETUP_ACTIVE : SDP_SETUP_PASSIVE;
    if (answer_offer(p, req_id, offer, setup, answer) != 0) return -1;
    const sdp_media *am = peer_first_active(answer);
    om = am ? sdp_find_mid(offer, am->mid) : NULL;
    if (!om || (!transport_remote_ufrag(p->pub) && !answers_any_track(answer))) {
        peer_emit_error(p, req_id, "sdp_no_media", "no usable audio or video m-section");
        return -1;
    }
    /* New remote credentials: restart, then answer with our new ones. */
    bool restart = ice_restarting(p, om);
    if (restart) {
        if (transport_restart_ice(p->pub) != 0) {
            peer_emit_error(p, req_id, "internal", "ICE restart failed");
            return -1;
        }
        if (answer_offer(p, req_id, offer, setup, answer) != 0) return -1;
    }
    dtls_role role = setup == SDP_SETUP_ACTIVE ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER;
    if (transport_set_remote(p->pub, om->ice_ufrag, om->ice_pwd, om->fingerprint, role) != 0) {
        peer_emit_error(p, req_id, "internal", "could not apply the remote ICE parameters");
        return -1;
    }
    g_strlcpy(p->pub_mid, am->mid, sizeof p->pub_mid);
    remember_mid_ext(p, am);
    peer_add_remote_candidates(p->pub, offer);
    return restart ? 1 : 0;
}

static void emit_sdp(peer *p, sfu_event_type type, int64_t req_id, const sdp_session *s)
{
    char *text = g_malloc(SDP_MAX_TEXT);
    if (sdp_write(s, text, SDP_MAX_TEXT) < 0) {
        peer_emit_error(p, req_id, "internal", "description too large");
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
        peer_emit_error(p, req_id, peer_sdp_failure_code(rc), err ? err : "unparseable SDP");
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
    /* Tracks first: when the publisher holds its answer, the room's track
     * list (SFU_EV_PUBLISHED, delivered in order) already shows them. */
    update_tracks(p, offer, answer);
    emit_sdp(p, SFU_EV_PUBLISH_ANSWER, req_id, answer);
    /* Gather after the answer went out so candidates follow it. */
    if (applied == 1) transport_emit_local_candidates(p->pub);
    if (fresh) {
        transport_gather(p->pub);
        p->rr_timer = g_timeout_source_new(RR_INTERVAL_MS);
        g_source_set_callback(p->rr_timer, send_receiver_report, p, NULL);
        g_source_attach(p->rr_timer, p->worker->ctx);
    }
out:
    g_free(offer);
    g_free(answer);
}

void peer_candidate(peer *p, sfu_transport_kind kind, const char *candidate)
{
    transport *t = peer_transport(p, kind);
    if (t) transport_add_remote_candidate(t, candidate);
}

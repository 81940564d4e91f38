/*
 * A simulated browser peer connection. See media_peer.h.
 *
 * Lifetime: the control thread and the worker both hold a reference; every
 * message crossing threads holds one too, so whichever side finishes last
 * frees the struct. `closed` (set by media_peer_free on the control thread,
 * read only there) stops callbacks that were already on their way.
 */
#include "media_peer.h"

#include <stdlib.h>
#include <string.h>

#include "rtcp.h"
#include "sdp.h"

#define SEND_TICK_MS 5
#define AUDIO_MID    "0"
#define VIDEO_MID    "1"

struct media_peer {
    gint refs;
    media_peer_config cfg;
    media_peer_callbacks cb;
    void *user;
    bool closed; /* control thread only */
    /* Worker thread only from here on. */
    transport *t;
    char *offer; /* publisher: the offer text, to check the answer against */
    GSource *tick;
    synth_gen audio, video;
    bool gathering;
};

typedef enum msg_kind { MSG_SDP, MSG_CANDIDATE, MSG_STATE, MSG_ERROR } msg_kind;

typedef struct msg {
    media_peer *p;
    msg_kind kind;
    transport_state state;
    char *text;
} msg;

static media_peer *peer_ref(media_peer *p)
{
    g_atomic_int_inc(&p->refs);
    return p;
}

static void peer_unref(media_peer *p)
{
    if (!g_atomic_int_dec_and_test(&p->refs)) return;
    g_free(p->offer);
    g_free(p);
}

/* ---- worker → control ---------------------------------------------------- */

static gboolean msg_deliver(gpointer data)
{
    msg *m = data;
    media_peer *p = m->p;
    if (p->closed) return G_SOURCE_REMOVE;
    const char *text = m->text ? m->text : "";
    switch (m->kind) {
    case MSG_SDP:
        p->cb.on_local_sdp(p->user, text);
        break;
    case MSG_CANDIDATE:
        p->cb.on_candidate(p->user, text);
        break;
    case MSG_STATE:
        p->cb.on_state(p->user, m->state, m->text);
        break;
    case MSG_ERROR:
        p->cb.on_error(p->user, text);
        break;
    }
    return G_SOURCE_REMOVE;
}

static void msg_free(gpointer data)
{
    msg *m = data;
    peer_unref(m->p);
    g_free(m->text);
    g_free(m);
}

static void to_control(media_peer *p, msg_kind kind, transport_state st, const char *text)
{
    msg *m = g_new0(msg, 1);
    m->p = peer_ref(p);
    m->kind = kind;
    m->state = st;
    m->text = g_strdup(text);
    g_main_context_invoke_full(p->cfg.control, G_PRIORITY_DEFAULT, msg_deliver, m, msg_free);
}

/* ---- media, on the worker ------------------------------------------------ */

static void emit_rtp(void *user, uint8_t *buf, size_t len)
{
    media_peer *p = user;
    if (transport_send_rtp(p->t, buf, len, WORKER_BUF_SIZE) != 0) return;
    media_tx_stats *tx = p->cfg.tx;
    __atomic_store_n(&tx->packets, tx->packets + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&tx->bytes, tx->bytes + len, __ATOMIC_RELAXED);
}

static gboolean send_tick(gpointer data)
{
    media_peer *p = data;
    if (!__atomic_load_n(&p->cfg.flags->sending, __ATOMIC_RELAXED)) return G_SOURCE_CONTINUE;
    int64_t now = g_get_monotonic_time();
    uint8_t *buf = p->cfg.worker->out_buf;
    synth_poll(&p->audio, now, buf, WORKER_BUF_SIZE, emit_rtp, p);
    if (!p->cfg.audio_only) synth_poll(&p->video, now, buf, WORKER_BUF_SIZE, emit_rtp, p);
    return G_SOURCE_CONTINUE;
}

static void start_sending(media_peer *p)
{
    if (p->tick || p->cfg.role != MEDIA_PEER_PUBLISHER) return;
    int64_t now = g_get_monotonic_time();
    synth_audio_init(&p->audio, p->audio.ssrc, p->audio.track_key, now);
    synth_video_init(&p->video, p->video.ssrc, p->video.track_key, p->cfg.fps, p->cfg.video_bitrate,
                     p->cfg.keyframe_interval_s, now);
    p->tick = g_timeout_source_new(SEND_TICK_MS);
    g_source_set_callback(p->tick, send_tick, p, NULL);
    g_source_attach(p->tick, p->cfg.worker->ctx);
}

static void stop_sending(media_peer *p)
{
    if (!p->tick) return;
    g_source_destroy(p->tick);
    g_source_unref(p->tick);
    p->tick = NULL;
}

/* ---- transport callbacks (worker) ---------------------------------------- */

static void on_t_candidate(void *user, const char *candidate)
{
    to_control(user, MSG_CANDIDATE, 0, candidate);
}

static void on_t_state(void *user, transport_state st, const char *reason)
{
    media_peer *p = user;
    if (st == TRANSPORT_CONNECTED)
        start_sending(p);
    else
        stop_sending(p);
    to_control(p, MSG_STATE, st, reason);
}

static void on_t_rtp(void *user, uint8_t *buf, size_t len)
{
    media_peer *p = user;
    if (!p->cfg.rx) return;
    bool record = __atomic_load_n(&p->cfg.flags->measuring, __ATOMIC_RELAXED) != 0;
    synth_rx_packet(p->cfg.rx, buf, len, g_get_monotonic_time(), record);
}

/* PLI or FIR for our video: the next frame is a keyframe. */
static void on_t_rtcp(void *user, uint8_t *buf, size_t len)
{
    media_peer *p = user;
    if (p->cfg.role != MEDIA_PEER_PUBLISHER) return;
    size_t off = 0;
    rtcp_packet pk;
    while (rtcp_next(buf, len, &off, &pk) == 1) {
        rtcp_fb fb;
        if (pk.type != RTCP_PSFB || rtcp_parse_fb(&pk, &fb) != 0) continue;
        bool pli = fb.fmt == 1 && fb.media_ssrc == p->video.ssrc;
        uint32_t ssrc;
        uint8_t seq;
        bool fir = fb.fmt == 4 && rtcp_fir_entry(&fb, 0, &ssrc, &seq) == 0 && ssrc == p->video.ssrc;
        if (pli || fir) {
            synth_request_keyframe(&p->video);
            media_tx_stats *tx = p->cfg.tx;
            __atomic_store_n(&tx->keyframe_requests, tx->keyframe_requests + 1, __ATOMIC_RELAXED);
        }
    }
}

static const transport_callbacks transport_cb = {
    .on_candidate = on_t_candidate,
    .on_state = on_t_state,
    .on_rtp = on_t_rtp,
    .on_rtcp = on_t_rtcp,
};

/* ---- signaling work (worker) ---------------------------------------------- */

static void make_transport(media_peer *p)
{
    const char *addrs[1] = {p->cfg.address};
    transport_config tc = {
        .worker = p->cfg.worker,
        .cert = p->cfg.cert,
        .addresses = addrs,
        .n_addresses = p->cfg.address ? 1 : 0,
        .controlling = p->cfg.role == MEDIA_PEER_PUBLISHER, /* the offerer controls */
    };
    p->t = transport_create(&tc, &transport_cb, p);
}

static void fill_track(sdp_track_offer *o, const char *kind, const char *mid, uint32_t ssrc,
                       uint32_t key)
{
    memset(o, 0, sizeof *o);
    g_strlcpy(o->kind, kind, sizeof o->kind);
    g_strlcpy(o->mid, mid, sizeof o->mid);
    o->active = true;
    o->ssrc = ssrc;
    g_strlcpy(o->cname, "confab-bench", sizeof o->cname);
    g_snprintf(o->stream_id, sizeof o->stream_id, "bench-%08x", key);
    g_snprintf(o->track_id, sizeof o->track_id, "%s-%08x", kind, ssrc);
    sdp_codec *c = &o->codec;
    if (!strcmp(kind, "audio")) {
        c->pt = SYNTH_AUDIO_PT;
        g_strlcpy(c->name, "opus", sizeof c->name);
        c->clock_rate = 48000;
        c->channels = 2;
        g_strlcpy(c->fmtp, "minptime=10;useinbandfec=1", sizeof c->fmtp);
    } else {
        c->pt = SYNTH_VIDEO_PT;
        g_strlcpy(c->name, "VP8", sizeof c->name);
        c->clock_rate = 90000;
        c->n_fb = 3;
        g_strlcpy(c->fb[0], "nack", sizeof c->fb[0]);
        g_strlcpy(c->fb[1], "nack pli", sizeof c->fb[1]);
        g_strlcpy(c->fb[2], "ccm fir", sizeof c->fb[2]);
    }
}

/* Publisher: a sendonly offer written by the same writer the server uses
 * for its own sendonly offers. */
static void w_start_publisher(worker *w, void *data)
{
    (void)w;
    media_peer *p = data;
    make_transport(p);
    uint32_t key = g_random_int();
    p->audio.ssrc = g_random_int() | 1;
    p->audio.track_key = key & ~1u;
    p->video.ssrc = p->audio.ssrc + 1;
    p->video.track_key = key | 1u;
    sdp_track_offer tracks[2];
    fill_track(&tracks[0], "audio", AUDIO_MID, p->audio.ssrc, key);
    fill_track(&tracks[1], "video", VIDEO_MID, p->video.ssrc, key);
    sdp_local local;
    transport_sdp_local(p->t, SDP_SETUP_ACTPASS, &local);
    sdp_session *s = g_new0(sdp_session, 1);
    char *text = g_malloc(SDP_MAX_TEXT);
    int n_tracks = p->cfg.audio_only ? 1 : 2;
    if (sdp_offer_subscribe(tracks, n_tracks, NULL, 0, &local, g_random_int(), 1, s) != 0 ||
        sdp_write(s, text, SDP_MAX_TEXT) < 0) {
        to_control(p, MSG_ERROR, 0, "could not write the offer");
    } else {
        p->offer = g_strdup(text);
        to_control(p, MSG_SDP, 0, text);
        p->gathering = true;
        transport_gather(p->t);
    }
    g_free(text);
    g_free(s);
}

static const sdp_media *first_active(const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        if (s->media[i].port != 0) return &s->media[i];
    return NULL;
}

/* Candidates written into a description (Janus puts them all in its
 * offers and trickles none): without them only peer-reflexive discovery is
 * left, which fails when the remote's checks arrive before ours can. */
static void add_sdp_candidates(media_peer *p, const sdp_session *s)
{
    for (int i = 0; i < s->n_media; i++)
        for (int j = 0; j < s->media[i].n_candidates; j++)
            transport_add_remote_candidate(p->t, s->media[i].candidates[j]);
}

static int apply_answer(media_peer *p, const char *sdp, const char **err)
{
    sdp_session *offer = g_new0(sdp_session, 1), *answer = g_new0(sdp_session, 1);
    int rc = -1;
    if (!p->offer || sdp_parse(p->offer, strlen(p->offer), offer, err) != 0 ||
        sdp_parse(sdp, strlen(sdp), answer, err) != 0 || sdp_check_answer(offer, answer, err) != 0)
        goto out;
    const sdp_media *m = first_active(answer);
    *err = "answer has no active m-section";
    if (!m) goto out;
    /* We offered actpass: an active answerer makes us the DTLS server. */
    dtls_role role = m->setup == SDP_SETUP_ACTIVE ? DTLS_ROLE_SERVER : DTLS_ROLE_CLIENT;
    *err = "transport refused the remote description";
    if (transport_set_remote(p->t, m->ice_ufrag, m->ice_pwd, m->fingerprint, role) != 0) goto out;
    add_sdp_candidates(p, answer);
    rc = 0;
out:
    g_free(offer);
    g_free(answer);
    return rc;
}

/* Subscriber: answer recvonly, one codec per m-section, setup active. */
static int answer_offer(media_peer *p, const char *sdp, const char **err)
{
    sdp_session *offer = g_new0(sdp_session, 1), *answer = g_new0(sdp_session, 1);
    char *text = g_malloc(SDP_MAX_TEXT);
    int rc = -1;
    if (sdp_parse(sdp, strlen(sdp), offer, err) != 0) goto out;
    const sdp_media *m = first_active(offer);
    *err = "offer has no active m-section";
    if (!m) goto out;
    if (!p->t) make_transport(p);
    sdp_local local;
    transport_sdp_local(p->t, SDP_SETUP_ACTIVE, &local);
    if (sdp_answer_publish(offer, &local, answer, err) != 0) goto out;
    *err = "transport refused the remote description";
    if (transport_set_remote(p->t, m->ice_ufrag, m->ice_pwd, m->fingerprint, DTLS_ROLE_CLIENT))
        goto out;
    add_sdp_candidates(p, offer);
    *err = "could not write the answer";
    if (sdp_write(answer, text, SDP_MAX_TEXT) < 0) goto out;
    to_control(p, MSG_SDP, 0, text);
    if (!p->gathering) {
        p->gathering = true;
        transport_gather(p->t);
    }
    rc = 0;
out:
    g_free(text);
    g_free(offer);
    g_free(answer);
    return rc;
}

static void w_remote_sdp(worker *w, void *data)
{
    (void)w;
    void **args = data;
    media_peer *p = args[0];
    const char *err = "unusable remote description";
    int rc;
    if (p->cfg.role == MEDIA_PEER_PUBLISHER)
        rc = p->t ? apply_answer(p, args[1], &err) : -1;
    else
        rc = answer_offer(p, args[1], &err);
    if (rc != 0) to_control(p, MSG_ERROR, 0, err);
}

static void w_candidate(worker *w, void *data)
{
    (void)w;
    void **args = data;
    media_peer *p = args[0];
    if (p->t) transport_add_remote_candidate(p->t, args[1]);
}

/* Posted payload: the peer (one reference) and a string copy. */
static void args_free(gpointer data)
{
    void **args = data;
    peer_unref(args[0]);
    g_free(args[1]);
    g_free(args);
}

static void post_text(media_peer *p, worker_fn fn, const char *text)
{
    void **args = g_new(void *, 2);
    args[0] = peer_ref(p);
    args[1] = g_strdup(text ? text : "");
    worker_post(p->cfg.worker, fn, args, args_free);
}

static void w_destroy(worker *w, void *data)
{
    (void)w;
    media_peer *p = data;
    stop_sending(p);
    transport_destroy(p->t);
    p->t = NULL;
    peer_unref(p);
}

media_peer *media_peer_new(const media_peer_config *cfg, const media_peer_callbacks *cb, void *user)
{
    if (!cfg->worker || !cfg->control || !cfg->cert || !cfg->flags) return NULL;
    if (cfg->role == MEDIA_PEER_PUBLISHER && !cfg->tx) return NULL;
    media_peer *p = g_new0(media_peer, 1);
    p->refs = 2; /* the control side's and the worker's */
    p->cfg = *cfg;
    p->cb = *cb;
    p->user = user;
    if (cfg->role == MEDIA_PEER_PUBLISHER) worker_post(cfg->worker, w_start_publisher, p, NULL);
    return p;
}

void media_peer_set_remote_sdp(media_peer *p, const char *sdp)
{
    post_text(p, w_remote_sdp, sdp);
}

void media_peer_add_candidate(media_peer *p, const char *candidate)
{
    post_text(p, w_candidate, candidate);
}

void media_peer_free(media_peer *p)
{
    if (!p) return;
    p->closed = true;
    worker_post(p->cfg.worker, w_destroy, p, NULL);
    peer_unref(p);
}

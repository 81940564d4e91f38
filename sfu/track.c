#include "track.h"

#include <string.h>

#define KEYFRAME_INTERVAL_US 300000 /* at most ~3 PLIs a second per track */

const sdp_extmap track_sub_extmaps[] = {
    {1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"},
    {2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
    {3, "urn:3gpp:video-orientation"},
};
const int track_n_sub_extmaps = 3;

uint8_t track_sub_pt_for(const sdp_codec *c)
{
    if (g_ascii_strcasecmp(c->name, "opus") == 0) return 111;
    if (g_ascii_strcasecmp(c->name, "VP8") == 0) return 96;
    if (g_ascii_strcasecmp(c->name, "VP9") == 0) return 98;
    if (g_ascii_strcasecmp(c->name, "H264") == 0) return 102;
    return c->pt;
}

/* Ids the subscriber was not offered map to 0, which rtp_ext_rewrite_ids
 * turns into padding: the publisher's transport-wide sequence numbers and
 * mid must not leak into another transport. */
static void track_build_ext_map(track *t, const sdp_extmap *pub, int n_pub)
{
    memset(t->ext_map, 0, sizeof t->ext_map);
    for (int i = 0; i < n_pub; i++)
        for (int j = 0; j < track_n_sub_extmaps; j++)
            if (strcmp(pub[i].uri, track_sub_extmaps[j].uri) == 0)
                t->ext_map[pub[i].id] = track_sub_extmaps[j].id;
}

track *track_new(const char *id, const char *kind, const char *pub_mid, const sdp_codec *codec,
                 const sdp_extmap *pub_exts, int n_pub_exts, uint32_t ssrc, transport **in,
                 uint32_t rtcp_ssrc)
{
    track *t = g_new0(track, 1);
    g_strlcpy(t->id, id, sizeof t->id);
    g_strlcpy(t->kind, kind, sizeof t->kind);
    g_strlcpy(t->pub_mid, pub_mid, sizeof t->pub_mid);
    t->video = strcmp(kind, "video") == 0;
    t->codec = *codec;
    t->sub_pt = track_sub_pt_for(codec);
    t->ssrc = ssrc;
    t->in = in;
    t->rtcp_ssrc = rtcp_ssrc;
    t->downtracks = g_ptr_array_new();
    rtp_stats_init(&t->stats, codec->clock_rate);
    track_build_ext_map(t, pub_exts, n_pub_exts);
    return t;
}

void track_free(track *t)
{
    if (!t) return;
    for (guint i = 0; i < t->downtracks->len; i++)
        ((downtrack *)t->downtracks->pdata[i])->track = NULL;
    g_ptr_array_free(t->downtracks, TRUE);
    g_free(t);
}

downtrack *track_add_downtrack(track *t, transport **out, uint32_t ssrc)
{
    downtrack *d = g_new0(downtrack, 1);
    d->track = t;
    d->out = out;
    d->ssrc = ssrc;
    d->pt = t->sub_pt;
    d->seq_out0 = (uint16_t)g_random_int();
    d->ts_out0 = g_random_int();
    g_ptr_array_add(t->downtracks, d);
    return d;
}

void track_remove_downtrack(track *t, downtrack *d)
{
    if (t) g_ptr_array_remove_fast(t->downtracks, d);
    d->track = NULL;
}

static bool downtrack_ready(downtrack *d)
{
    return d->negotiated && *d->out && transport_get_state(*d->out) == TRANSPORT_CONNECTED;
}

/* A video downtrack starts at a keyframe so the subscriber's decoder never
 * sees a frame that references one it did not get; until then it keeps
 * asking (throttled) in case the requested keyframe was lost. */
static bool downtrack_start(downtrack *d, track *t, worker *w, const uint8_t *buf,
                            const rtp_header *h)
{
    if (t->video && !rtp_is_keyframe(t->codec.name, buf + h->header_len, h->payload_len)) {
        track_request_keyframe(t, w, g_get_monotonic_time());
        return false;
    }
    d->started = true;
    d->seq_in0 = h->seq;
    d->ts_in0 = h->timestamp;
    return true;
}

void track_forward_rtp(track *t, worker *w, uint8_t *buf, size_t len, const rtp_header *h)
{
    if (t->keyframe_pending) track_request_keyframe(t, w, g_get_monotonic_time());
    /* Extension ids are the same for every subscriber: rewrite once. */
    if (h->extension) rtp_ext_rewrite_ids(buf, h, t->ext_map);
    uint8_t *out = w->out_buf;
    for (guint i = 0; i < t->downtracks->len; i++) {
        downtrack *d = t->downtracks->pdata[i];
        if (!downtrack_ready(d)) continue;
        if (!d->started && !downtrack_start(d, t, w, buf, h)) continue;
        memcpy(out, buf, len);
        rtp_set_ssrc(out, d->ssrc);
        rtp_set_seq(out, (uint16_t)(h->seq - d->seq_in0 + d->seq_out0));
        rtp_set_timestamp(out, h->timestamp - d->ts_in0 + d->ts_out0);
        rtp_set_payload_type(out, d->pt);
        if (transport_send_rtp(*d->out, out, len, WORKER_BUF_SIZE) == 0) {
            d->packets++;
            d->octets += (uint32_t)h->payload_len;
        }
    }
}

/* The NTP time is the publisher's (shared by its audio and video, which is
 * what lip sync needs); the RTP time is moved into each downtrack's
 * timestamp space and the counts are the downtrack's own. */
void track_forward_sr(track *t, worker *w, const rtcp_sr *sr)
{
    for (guint i = 0; i < t->downtracks->len; i++) {
        downtrack *d = t->downtracks->pdata[i];
        if (!d->started || !downtrack_ready(d)) continue;
        rtcp_sr out = {
            .ssrc = d->ssrc,
            .ntp = sr->ntp,
            .rtp_ts = sr->rtp_ts - d->ts_in0 + d->ts_out0,
            .packet_count = d->packets,
            .octet_count = d->octets,
        };
        int n = rtcp_write_sr(w->out_buf, WORKER_PACKET_MAX, &out);
        if (n > 0) transport_send_rtcp(*d->out, w->out_buf, (size_t)n, WORKER_BUF_SIZE);
    }
}

void track_request_keyframe(track *t, worker *w, int64_t now_us)
{
    if (!t->video) return;
    if (t->last_keyframe_req_us && now_us - t->last_keyframe_req_us < KEYFRAME_INTERVAL_US) {
        t->keyframe_pending = true;
        return;
    }
    if (!t->ssrc || !*t->in || transport_get_state(*t->in) != TRANSPORT_CONNECTED) {
        t->keyframe_pending = true;
        return;
    }
    int n = rtcp_write_pli(w->out_buf, WORKER_PACKET_MAX, t->rtcp_ssrc, t->ssrc);
    if (n > 0) transport_send_rtcp(*t->in, w->out_buf, (size_t)n, WORKER_BUF_SIZE);
    t->last_keyframe_req_us = now_us;
    t->keyframe_pending = false;
}

/*
 * Synthetic VP8/Opus-shaped RTP. See synth.h.
 */
#include "synth.h"

#include <math.h>
#include <string.h>

#include "bytes.h"
#include "rtp.h"

#define RTP_HDR         12
#define VIDEO_CLOCK     90000
#define AUDIO_FRAME_US  20000
#define AUDIO_TS_STEP   960 /* 20 ms at 48 kHz */
#define KEY_FACTOR      3   /* a keyframe is this many delta frames */
#define CATCH_UP_MAX_US 1000000
#define VP8_KEY_HDR     10 /* 3-byte frame tag + start code + 4 bytes of size */

/* Small xorshift: sizes vary a little, deterministically per track. */
static uint32_t next_rand(synth_gen *g)
{
    uint32_t x = g->rng ? g->rng : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g->rng = x;
    return x;
}

static void gen_init(synth_gen *g, synth_kind kind, uint32_t ssrc, uint32_t key, int64_t now)
{
    memset(g, 0, sizeof *g);
    g->kind = kind;
    g->ssrc = ssrc;
    g->track_key = key;
    g->rng = ssrc ^ key;
    g->rtp_seq = (uint16_t)next_rand(g);
    g->rtp_ts = next_rand(g);
    g->next_us = now;
}

void synth_video_init(synth_gen *g, uint32_t ssrc, uint32_t track_key, int fps, int bitrate,
                      int key_interval_s, int64_t now_us)
{
    gen_init(g, SYNTH_VIDEO, ssrc, track_key, now_us);
    g->pt = SYNTH_VIDEO_PT;
    if (fps < 1) fps = 1;
    if (key_interval_s < 1) key_interval_s = 1;
    g->interval_us = 1000000 / fps;
    g->key_interval_us = (int64_t)key_interval_s * 1000000;
    g->key_pending = true;
    /* Per key interval: one keyframe (KEY_FACTOR deltas) and frames-1 deltas. */
    double frames = (double)fps * key_interval_s;
    double per_interval = (double)bitrate / 8.0 * key_interval_s;
    double delta = per_interval / (frames - 1 + KEY_FACTOR);
    if (delta < SYNTH_STAMP_LEN + 16) delta = SYNTH_STAMP_LEN + 16;
    g->delta_bytes = (size_t)delta;
    g->key_bytes = g->delta_bytes * KEY_FACTOR;
}

void synth_audio_init(synth_gen *g, uint32_t ssrc, uint32_t track_key, int64_t now_us)
{
    gen_init(g, SYNTH_AUDIO, ssrc, track_key, now_us);
    g->pt = SYNTH_AUDIO_PT;
    g->interval_us = AUDIO_FRAME_US;
}

void synth_request_keyframe(synth_gen *g)
{
    g->key_pending = true;
}

static size_t write_header(synth_gen *g, uint8_t *buf, bool marker)
{
    buf[0] = 0x80;
    buf[1] = (uint8_t)((marker ? 0x80 : 0) | g->pt);
    wr16(buf + 2, g->rtp_seq++);
    wr32(buf + 4, g->rtp_ts);
    wr32(buf + 8, g->ssrc);
    return RTP_HDR;
}

/* Filler, then the stamp in the last SYNTH_STAMP_LEN bytes of the payload. */
static void write_tail(synth_gen *g, uint8_t *p, size_t fill, int64_t now)
{
    memset(p, 0x5a, fill);
    p += fill;
    wr32(p, SYNTH_MAGIC);
    p[4] = (uint8_t)g->kind;
    p[5] = p[6] = p[7] = 0;
    wr32(p + 8, g->track_key);
    wr32(p + 12, g->stamp_seq++);
    wr32(p + 16, (uint32_t)now); /* low 32 bits are enough: ~71 min wrap */
}

static void send_audio(synth_gen *g, int64_t now, uint8_t *buf, synth_emit_fn emit, void *user)
{
    size_t payload = 60 + next_rand(g) % 41;
    size_t off = write_header(g, buf, false);
    buf[off] = 0x78; /* TOC: one 20 ms frame */
    write_tail(g, buf + off + 1, payload - 1 - SYNTH_STAMP_LEN, now);
    g->rtp_ts += AUDIO_TS_STEP;
    emit(user, buf, off + payload);
}

/* RFC 7741: a one-byte descriptor (S bit, PID 0 on the first packet), then
 * on the first packet the VP8 frame tag whose P bit is 0 for a keyframe,
 * and a keyframe's start code and dimensions. */
static void send_frame(synth_gen *g, int64_t now, uint8_t *buf, synth_emit_fn emit, void *user)
{
    bool key = g->key_pending || now >= g->next_key_us;
    if (key) {
        g->key_pending = false;
        g->next_key_us = now + g->key_interval_us;
    }
    size_t frame = key ? g->key_bytes : g->delta_bytes;
    size_t room = SYNTH_MAX_PAYLOAD - 1 - SYNTH_STAMP_LEN; /* frame bytes per packet */
    size_t n = (frame + room - 1) / room;
    if (n == 0) n = 1;
    size_t per = (frame + n - 1) / n;
    if (per < VP8_KEY_HDR) per = VP8_KEY_HDR;
    for (size_t i = 0; i < n; i++) {
        size_t off = write_header(g, buf, i == n - 1);
        uint8_t *p = buf + off;
        p[0] = i == 0 ? 0x10 : 0x00;
        size_t body = 1;
        if (i == 0) {
            static const uint8_t key_hdr[VP8_KEY_HDR] = {0x10, 0x02, 0x00, 0x9d, 0x01,
                                                         0x2a, 0x80, 0x02, 0xe0, 0x01};
            memcpy(p + 1, key_hdr, VP8_KEY_HDR);
            p[1] = key ? 0x10 : 0x11; /* P bit: 0 key, 1 inter */
            body += key ? VP8_KEY_HDR : 3;
        }
        size_t fill = per > body - 1 ? per - (body - 1) : 0;
        write_tail(g, p + body, fill, now);
        emit(user, buf, off + body + fill + SYNTH_STAMP_LEN);
    }
    g->rtp_ts += (uint32_t)(VIDEO_CLOCK * g->interval_us / 1000000);
}

int synth_poll(synth_gen *g, int64_t now_us, uint8_t *buf, size_t cap, synth_emit_fn emit,
               void *user)
{
    if (cap < RTP_HDR + SYNTH_MAX_PAYLOAD + VP8_KEY_HDR) return 0;
    if (now_us - g->next_us > CATCH_UP_MAX_US) g->next_us = now_us;
    int made = 0;
    while (g->next_us <= now_us) {
        if (g->kind == SYNTH_VIDEO)
            send_frame(g, now_us, buf, emit, user);
        else
            send_audio(g, now_us, buf, emit, user);
        g->next_us += g->interval_us;
        made++;
    }
    return made;
}

int synth_stamp_read(const uint8_t *rtp, size_t len, synth_stamp *out)
{
    rtp_header h;
    if (rtp_parse(rtp, len, &h) != 0 || h.payload_len < SYNTH_STAMP_LEN) return -1;
    const uint8_t *p = rtp + h.header_len + h.payload_len - SYNTH_STAMP_LEN;
    if (rd32(p) != SYNTH_MAGIC || (p[4] != SYNTH_AUDIO && p[4] != SYNTH_VIDEO)) return -1;
    out->kind = (synth_kind)p[4];
    out->track_key = rd32(p + 8);
    out->seq = rd32(p + 12);
    out->send_us = rd32(p + 16);
    return 0;
}

void synth_hist_add(synth_hist *h, int64_t us)
{
    size_t i;
    if (us < 0) us = 0;
    if (us < 10000)
        i = (size_t)(us / 10);
    else
        i = 1000 + (size_t)((us - 10000) / 1000);
    if (i >= SYNTH_HIST_BUCKETS) i = SYNTH_HIST_BUCKETS - 1;
    h->b[i]++;
    h->n++;
}

void synth_hist_merge(synth_hist *into, const synth_hist *from)
{
    for (size_t i = 0; i < SYNTH_HIST_BUCKETS; i++)
        into->b[i] += from->b[i];
    into->n += from->n;
}

double synth_hist_percentile(const synth_hist *h, double p)
{
    if (h->n == 0) return NAN;
    uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < SYNTH_HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) return i < 1000 ? (double)(i + 1) * 10 : 10000.0 + (i - 999) * 1000.0;
    }
    return NAN;
}

static synth_rx_track *rx_track(synth_rx *rx, const synth_stamp *s, int64_t now)
{
    for (int i = 0; i < rx->n_tracks; i++)
        if (rx->t[i].track_key == s->track_key) return &rx->t[i];
    if (rx->n_tracks >= SYNTH_MAX_TRACKS) return NULL;
    synth_rx_track *t = &rx->t[rx->n_tracks];
    memset(t, 0, sizeof *t);
    t->track_key = s->track_key;
    t->kind = s->kind;
    t->first_seq = t->max_seq = s->seq;
    t->first_us = now;
    __atomic_store_n(&rx->last_new_us, now, __ATOMIC_RELAXED);
    __atomic_store_n(&rx->n_tracks, rx->n_tracks + 1, __ATOMIC_RELEASE);
    return t;
}

void synth_rx_packet(synth_rx *rx, const uint8_t *rtp, size_t len, int64_t now_us, bool record)
{
    __atomic_store_n(&rx->packets, rx->packets + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&rx->bytes, rx->bytes + len, __ATOMIC_RELAXED);
    synth_stamp s;
    synth_rx_track *t;
    if (synth_stamp_read(rtp, len, &s) != 0 || !(t = rx_track(rx, &s, now_us))) {
        rx->unstamped++;
        return;
    }
    /* The stamp holds the low 32 bits of the sender's clock. */
    int64_t transit = (int64_t)(uint32_t)((uint32_t)now_us - (uint32_t)s.send_us);
    if (record) synth_hist_add(&rx->latency, transit);
    if (t->received > 0) {
        double d = fabs((double)(transit - t->last_transit));
        t->jitter_us += (d - t->jitter_us) / 16.0;
    }
    t->last_transit = transit;
    t->received++;
    if ((int32_t)(s.seq - t->max_seq) > 0) t->max_seq = s.seq;
    t->last_us = now_us;
}

uint64_t synth_rx_track_lost(const synth_rx_track *t)
{
    uint64_t expected = (uint64_t)(uint32_t)(t->max_seq - t->first_seq) + 1;
    return expected > t->received ? expected - t->received : 0;
}

/*
 * Synthetic media for the media modes: RTP packets shaped like VP8 video
 * (RFC 7741) and Opus audio, with no codec behind them (an SFU never
 * decodes). Every payload ends with a stamp: the send time on the bench's
 * monotonic clock (one clock, since the bench runs both ends), a per-track
 * sequence and a track key, so receivers measure one-way latency and loss
 * however the server rewrites SSRCs and sequence numbers.
 *
 * Pure apart from the clock values passed in; no allocation. A generator or
 * receiver is used by one thread (the media worker of its peer).
 */
#ifndef CONFAB_BENCH_SYNTH_H
#define CONFAB_BENCH_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNTH_MAGIC       0x43666231u /* "Cfb1" */
#define SYNTH_STAMP_LEN   20
#define SYNTH_MAX_PAYLOAD 1200 /* bytes of RTP payload per packet at most */
#define SYNTH_AUDIO_PT    111
#define SYNTH_VIDEO_PT    96
#define SYNTH_MAX_TRACKS  64 /* tracks one receiver tells apart */

typedef enum synth_kind { SYNTH_AUDIO = 1, SYNTH_VIDEO = 2 } synth_kind;

typedef struct synth_stamp {
    synth_kind kind;
    uint32_t track_key;
    uint32_t seq;
    int64_t send_us;
} synth_stamp;

/* Called for each packet made; buf may be modified (protected in place). */
typedef void (*synth_emit_fn)(void *user, uint8_t *buf, size_t len);

typedef struct synth_gen {
    synth_kind kind;
    uint32_t ssrc, track_key, stamp_seq, rtp_ts;
    uint16_t rtp_seq;
    uint8_t pt;
    int64_t interval_us; /* between frames (video) or packets (audio) */
    int64_t next_us;
    /* video */
    int64_t key_interval_us, next_key_us;
    bool key_pending;
    size_t delta_bytes, key_bytes;
    uint32_t rng;
} synth_gen;

/* Video at fps frames/s and about bitrate bits/s (keyframes, 3x a delta
 * frame, every key_interval_s seconds and on request). */
void synth_video_init(synth_gen *g, uint32_t ssrc, uint32_t track_key, int fps, int bitrate,
                      int key_interval_s, int64_t now_us);
/* Opus-like: 50 packets/s of 60..100 bytes. */
void synth_audio_init(synth_gen *g, uint32_t ssrc, uint32_t track_key, int64_t now_us);

/* A PLI or FIR arrived: the next frame is a keyframe. */
void synth_request_keyframe(synth_gen *g);

/* Makes every packet due by now_us in buf (capacity cap >= 1500) and
 * passes each to emit. When the caller fell behind by more than a second
 * the schedule restarts instead of bursting. Returns the packets made. */
int synth_poll(synth_gen *g, int64_t now_us, uint8_t *buf, size_t cap, synth_emit_fn emit,
               void *user);

/* Reads the stamp at the end of an RTP packet. Returns 0 or -1. */
int synth_stamp_read(const uint8_t *rtp, size_t len, synth_stamp *out);

/* Latency histogram: 10 us buckets to 10 ms, then 1 ms buckets to ~1 s. */
#define SYNTH_HIST_BUCKETS 2001
typedef struct synth_hist {
    uint64_t n;
    uint32_t b[SYNTH_HIST_BUCKETS];
} synth_hist;

void synth_hist_add(synth_hist *h, int64_t us);
void synth_hist_merge(synth_hist *into, const synth_hist *from);
/* Upper bound of the bucket holding the p-th percentile, in us; NaN when empty. */
double synth_hist_percentile(const synth_hist *h, double p);

/* One received track as the receiver sees it. */
typedef struct synth_rx_track {
    uint32_t track_key;
    synth_kind kind;
    uint32_t first_seq, max_seq;
    uint64_t received;
    double jitter_us; /* RFC 3550 6.4.1 estimator on the stamp's clock */
    int64_t last_transit;
    int64_t first_us, last_us;
} synth_rx_track;

/* What one subscribing peer received. Counters the control thread reads
 * while the worker writes them are accessed with relaxed atomics. */
typedef struct synth_rx {
    int n_tracks;
    int64_t last_new_us; /* when the latest track first arrived */
    uint64_t packets, bytes, unstamped;
    synth_rx_track t[SYNTH_MAX_TRACKS];
    synth_hist latency;
} synth_rx;

/* Accounts one decrypted RTP packet received at now_us; latency goes into
 * the histogram only when record is true (the measured window). */
void synth_rx_packet(synth_rx *rx, const uint8_t *rtp, size_t len, int64_t now_us, bool record);

/* Packets missing from a track (by stamp sequence). */
uint64_t synth_rx_track_lost(const synth_rx_track *t);

#endif

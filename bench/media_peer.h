/*
 * One simulated browser peer connection for the media modes, independent of
 * any signaling protocol: an sfu/ transport in the client role plus the SDP
 * a browser would write, synthetic media out (publisher) and accounting of
 * what comes in (subscriber).
 *
 * - Publisher: makes a sendonly audio + video offer (ICE controlling,
 *   setup actpass), takes the server's answer, sends synth.h media once
 *   connected and answers PLI/FIR with a keyframe.
 * - Subscriber: answers each remote offer recvonly with one codec per
 *   m-section (ICE controlled, setup active: the bench is the DTLS client)
 *   and accounts every packet in a synth_rx.
 *
 * Threads: the API below is called on the control thread (the one running
 * `control`); the transport lives on cfg.worker's thread, and every
 * callback is delivered back on `control`. Per packet nothing is allocated
 * and no thread is crossed. The stats structs are owned by the caller and
 * written on the worker: read them with relaxed atomics while running, or
 * freely after the worker has stopped.
 */
#ifndef CONFAB_BENCH_MEDIA_PEER_H
#define CONFAB_BENCH_MEDIA_PEER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dtls.h"
#include "synth.h"
#include "transport.h"
#include "worker.h"

typedef struct media_peer media_peer;

typedef enum media_peer_role {
    MEDIA_PEER_PUBLISHER,
    MEDIA_PEER_SUBSCRIBER,
} media_peer_role;

/* Switches shared by every peer of a run, set by the control thread. */
typedef struct media_flags {
    int sending;   /* publishers send while this is nonzero */
    int measuring; /* receivers record latency while this is nonzero */
} media_flags;

typedef struct media_tx_stats {
    uint64_t packets, bytes, keyframe_requests;
} media_tx_stats;

typedef struct media_peer_config {
    media_peer_role role;
    worker *worker;
    GMainContext *control;
    const dtls_cert *cert;
    const char *address; /* the one local address to gather on, e.g. "127.0.0.1" */
    const media_flags *flags;
    /* Publisher */
    bool audio_only;
    int video_bitrate, fps, keyframe_interval_s;
    media_tx_stats *tx;
    /* Subscriber */
    synth_rx *rx;
} media_peer_config;

typedef struct media_peer_callbacks {
    /* The local description to send: the offer (publisher) or the answer
     * to the last remote offer (subscriber). */
    void (*on_local_sdp)(void *user, const char *sdp);
    /* A local candidate "candidate:...", or "" when gathering is done. */
    void (*on_candidate)(void *user, const char *candidate);
    void (*on_state)(void *user, transport_state state, const char *reason);
    /* Something the remote sent could not be used (bad SDP, ...). */
    void (*on_error)(void *user, const char *what);
} media_peer_callbacks;

/* Creates the peer; a publisher starts at once: its offer arrives through
 * on_local_sdp, then its candidates. NULL on bad config. */
media_peer *media_peer_new(const media_peer_config *cfg, const media_peer_callbacks *cb,
                           void *user);

/* Publisher: the server's answer. Subscriber: an offer (creates the
 * transport on the first one; a renegotiation keeps it). */
void media_peer_set_remote_sdp(media_peer *p, const char *sdp);

/* A remote candidate (with or without "a="), or "" / NULL for the end. */
void media_peer_add_candidate(media_peer *p, const char *candidate);

/* No callback is delivered after this; the transport is closed on its
 * worker, so stop workers only after freeing their peers. */
void media_peer_free(media_peer *p);

#endif

/*
 * The media scenario: rooms of simulated participants that publish
 * synthetic audio + video and receive everyone else's, over real ICE, DTLS
 * and SRTP (media_peer.h), then a report of what a user of an SFU wants to
 * know: tracks received, join time, throughput, loss, latency, jitter, and
 * the server's CPU and memory per unit of work.
 *
 * The scenario knows nothing of signaling: a target (confab_target.h, later
 * Janus) connects each participant, and creates its media peers through
 * media_run_peer_new.
 *
 * Threads: the scenario and its targets run on the bench loop's thread (the
 * control thread); media peers run on media workers.
 */
#ifndef CONFAB_BENCH_MEDIA_H
#define CONFAB_BENCH_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "media_peer.h"
#include "report.h"
#include "target.h"

typedef struct media_options {
    int rooms;
    int publishers;  /* per room; they also receive each other */
    int subscribers; /* per room, receive only */
    double duration_s;
    double join_rate; /* participants started per second */
    bool audio_only;
    int video_bitrate, fps, keyframe_interval_s;
    int threads; /* media worker threads of the bench */
    int server_pid;
    double floor_ns; /* 0: measure it at the end of the run */
} media_options;

typedef struct media_run media_run;

/* One simulated person. Counters are written on its media worker. */
typedef struct media_participant {
    media_run *run;
    int index, room;
    char room_name[32], name[32];
    bool publishes;
    int expected_tracks;
    media_tx_stats tx;
    synth_rx rx;
    int64_t t_start;         /* when the target started connecting it */
    int64_t t_pub_connected; /* its publish transport connected, or 0 */
    int64_t t_ready;         /* every expected track arrived (and publishing), or 0 */
    bool failed;
    void *target; /* the target's own state */
} media_participant;

typedef struct media_target_ops {
    const char *name;
    /* Connects mp, joins mp->room_name, publishes when mp->publishes and
     * receives what the server offers. Returns 0, or -1 (a problem). */
    int (*start)(media_participant *mp);
    /* Ends signaling and frees mp's media peers; no callback afterwards. */
    void (*stop)(media_participant *mp);
} media_target_ops;

/* For targets: a media peer on mp's worker with mp's stats attached. */
media_peer *media_run_peer_new(media_participant *mp, media_peer_role role,
                               const media_peer_callbacks *cb, void *user);
/* Records a problem of mp (the run then fails) and marks it failed. */
void media_run_problem(media_participant *mp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bench_loop *media_run_loop(const media_run *r);
const bench_target *media_run_target(const media_run *r);

/* Seconds the run can take at most, for the watchdog alarm. */
double media_time_cap(const media_options *o);

/* Runs the scenario against t through ops and fills r. Returns 0, or -1
 * when the run could not start. */
int media_run_scenario(const media_options *o, const bench_target *t, const media_target_ops *ops,
                       report *r);

#endif

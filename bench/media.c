/*
 * The media scenario: phases and participants. See media.h; the figures
 * are computed in media_report.c.
 *
 * Phases, each with a deadline: JOIN (participants start at the join rate,
 * until every one receives every track it should), WARMUP, MEASURE (the
 * window the figures describe), DRAIN (publishers stop; what is in flight
 * arrives). Publishers send from the moment they connect, since that is
 * what lets the others' tracks appear.
 */
#include "media_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"

#define TICK_MS      100
#define JOIN_SLACK_S 15.0 /* beyond the last start, for ICE + DTLS + offers */
#define WARMUP_S     1.0
#define DRAIN_S      0.5
#define MAX_PROBLEMS 20

/* The bench's own media goes out from the server's address: Linux does not
 * route between 127.0.0.1 and another local address, and the target rule
 * already guarantees that address is loopback or this namespace's own. */
static const char *media_address(const bench_target *t)
{
    return strcmp(t->host, "localhost") == 0 ? "127.0.0.1" : t->host;
}

media_peer *media_run_peer_new(media_participant *mp, media_peer_role role,
                               const media_peer_callbacks *cb, void *user)
{
    media_run *r = mp->run;
    const media_options *o = r->o;
    media_peer_config cfg = {
        .role = role,
        .worker = r->workers[mp->index % r->n_workers],
        .control = bench_loop_context(r->loop),
        .cert = r->cert,
        .address = media_address(r->t),
        .flags = &r->flags,
        .audio_only = o->audio_only,
        .video_bitrate = o->video_bitrate,
        .fps = o->fps,
        .keyframe_interval_s = o->keyframe_interval_s,
        .tx = &mp->tx,
        .rx = &mp->rx,
    };
    media_peer *p = media_peer_new(&cfg, cb, user);
    if (!p) media_run_problem(mp, "could not create a media peer");
    return p;
}

void media_run_problem(media_participant *mp, const char *fmt, ...)
{
    media_run *r = mp->run;
    mp->failed = true;
    if (++r->n_problems > MAX_PROBLEMS) return;
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (r->n_problems == MAX_PROBLEMS)
        report_problem(r->rep, "more problems follow; only the first %d are listed", MAX_PROBLEMS);
    else
        report_problem(r->rep, "%s (participant %d, room %s)", text, mp->index, mp->room_name);
}

bench_loop *media_run_loop(const media_run *r)
{
    return r->loop;
}

const bench_target *media_run_target(const media_run *r)
{
    return r->t;
}

static int participants(const media_options *o)
{
    return o->rooms * (o->publishers + o->subscribers);
}

double media_time_cap(const media_options *o)
{
    return participants(o) / o->join_rate + JOIN_SLACK_S + WARMUP_S + o->duration_s + DRAIN_S + 5.0;
}

static void setup_participants(media_run *r)
{
    const media_options *o = r->o;
    int tracks = o->audio_only ? 1 : 2;
    for (int i = 0; i < r->n; i++) {
        media_participant *mp = &r->parts[i];
        /* Rooms fill in turn, so every room grows while joins go on. */
        mp->run = r;
        mp->index = i;
        mp->room = i % o->rooms;
        int slot = i / o->rooms;
        mp->publishes = slot < o->publishers;
        mp->expected_tracks = (o->publishers - (mp->publishes ? 1 : 0)) * tracks;
        snprintf(mp->room_name, sizeof mp->room_name, "bench-%d", mp->room);
        snprintf(mp->name, sizeof mp->name, "%s-%d", mp->publishes ? "pub" : "sub", i);
    }
}

/* Ready: publishing (when it should) and receiving every expected track. */
static bool check_ready(media_participant *mp)
{
    if (mp->t_ready) return true;
    if (mp->publishes && !mp->t_pub_connected) return false;
    if (__atomic_load_n(&mp->rx.n_tracks, __ATOMIC_ACQUIRE) < mp->expected_tracks) return false;
    int64_t t = mp->t_pub_connected;
    if (mp->expected_tracks > 0) {
        int64_t last = __atomic_load_n(&mp->rx.last_new_us, __ATOMIC_RELAXED);
        if (last > t) t = last;
    }
    mp->t_ready = t;
    return true;
}

static void snapshot(media_run *r, media_snap *s)
{
    memset(s, 0, sizeof *s);
    s->t_us = bench_now_us();
    for (int i = 0; i < r->n; i++) {
        s->tx_packets += __atomic_load_n(&r->parts[i].tx.packets, __ATOMIC_RELAXED);
        s->tx_bytes += __atomic_load_n(&r->parts[i].tx.bytes, __ATOMIC_RELAXED);
        s->rx_packets += __atomic_load_n(&r->parts[i].rx.packets, __ATOMIC_RELAXED);
        s->rx_bytes += __atomic_load_n(&r->parts[i].rx.bytes, __ATOMIC_RELAXED);
    }
    s->server_cpu_us = r->o->server_pid ? procstat_cpu_us(r->o->server_pid) : -1;
    s->server_rss_kib = r->o->server_pid ? procstat_rss_kib(r->o->server_pid) : -1;
    s->self_cpu_us = procstat_self_cpu_us();
}

static void enter(media_run *r, media_phase ph)
{
    r->phase = ph;
    r->phase_start = bench_now_us();
}

static double phase_elapsed(const media_run *r)
{
    return (double)(bench_now_us() - r->phase_start) / 1e6;
}

static void tick_join(media_run *r)
{
    double el = phase_elapsed(r);
    while (r->started < r->n && r->started < (int)(el * r->o->join_rate) + 1) {
        media_participant *mp = &r->parts[r->started++];
        mp->t_start = bench_now_us();
        if (r->ops->start(mp) != 0) media_run_problem(mp, "could not start connecting");
    }
    int ready = 0;
    for (int i = 0; i < r->started; i++)
        ready += check_ready(&r->parts[i]) || r->parts[i].failed;
    double cap = r->n / r->o->join_rate + JOIN_SLACK_S;
    if ((r->started == r->n && ready == r->n) || el > cap) {
        r->join_s = el;
        enter(r, PHASE_WARMUP);
    }
}

static gboolean on_tick(gpointer data)
{
    media_run *r = data;
    switch (r->phase) {
    case PHASE_JOIN:
        tick_join(r);
        break;
    case PHASE_WARMUP:
        if (phase_elapsed(r) < WARMUP_S) break;
        snapshot(r, &r->start);
        __atomic_store_n(&r->flags.measuring, 1, __ATOMIC_RELAXED);
        enter(r, PHASE_MEASURE);
        break;
    case PHASE_MEASURE:
        if (phase_elapsed(r) < r->o->duration_s) break;
        snapshot(r, &r->end);
        r->stop_sending_us = bench_now_us();
        __atomic_store_n(&r->flags.sending, 0, __ATOMIC_RELAXED);
        enter(r, PHASE_DRAIN);
        break;
    case PHASE_DRAIN:
        if (phase_elapsed(r) < DRAIN_S) break;
        __atomic_store_n(&r->flags.measuring, 0, __ATOMIC_RELAXED);
        bench_loop_quit(r->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static int run_setup(media_run *r)
{
    r->cert = dtls_cert_create();
    r->loop = bench_loop_new(NULL);
    r->parts = calloc((size_t)r->n, sizeof *r->parts);
    if (!r->cert || !r->loop || !r->parts || srtp_session_global_init() != 0) return -1;
    r->n_workers = r->o->threads > 0 ? r->o->threads : 1;
    r->workers = calloc((size_t)r->n_workers, sizeof *r->workers);
    if (!r->workers) return -1;
    for (int i = 0; i < r->n_workers; i++)
        r->workers[i] = worker_start(i);
    setup_participants(r);
    return 0;
}

/* Peers first (their transports close on the workers), then the workers,
 * then the callbacks that were still on their way to this thread. */
static void run_teardown(media_run *r)
{
    for (int i = 0; r->parts && i < r->n; i++)
        if (r->parts[i].target) r->ops->stop(&r->parts[i]);
    for (int i = 0; r->workers && i < r->n_workers; i++)
        if (r->workers[i]) worker_stop(r->workers[i], NULL);
    if (r->loop)
        while (g_main_context_iteration(bench_loop_context(r->loop), FALSE))
            ;
    free(r->workers);
    free(r->parts);
    if (r->loop) bench_loop_free(r->loop);
    if (r->cert) dtls_cert_free(r->cert);
}

int media_run_scenario(const media_options *o, const bench_target *t, const media_target_ops *ops,
                       report *rep)
{
    media_run *r = calloc(1, sizeof *r);
    if (!r) return -1;
    r->o = o;
    r->t = t;
    r->ops = ops;
    r->rep = rep;
    r->n = participants(o);
    r->flags.sending = 1;
    int rc = -1;
    if (run_setup(r) == 0) {
        media_report_config(r);
        r->base_rss_kib = o->server_pid ? procstat_rss_kib(o->server_pid) : -1;
        enter(r, PHASE_JOIN);
        bench_loop_every(r->loop, TICK_MS, on_tick, r);
        on_tick(r);
        bench_loop_run(r->loop);
        /* Media workers stop before the figures are read: no more writers. */
        for (int i = 0; i < r->n; i++)
            if (r->parts[i].target) r->ops->stop(&r->parts[i]);
        for (int i = 0; i < r->n_workers; i++) {
            worker_stop(r->workers[i], NULL);
            r->workers[i] = NULL;
        }
        media_report_fill(r);
        rc = 0;
    }
    run_teardown(r);
    free(r);
    return rc;
}

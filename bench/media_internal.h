/*
 * State of a media run, shared by media.c (phases) and media_report.c
 * (figures). Control thread only.
 */
#ifndef CONFAB_BENCH_MEDIA_INTERNAL_H
#define CONFAB_BENCH_MEDIA_INTERNAL_H

#include "media.h"

typedef enum media_phase {
    PHASE_JOIN,
    PHASE_WARMUP,
    PHASE_MEASURE,
    PHASE_DRAIN,
} media_phase;

/* Counters summed over participants, and the server, at one moment. */
typedef struct media_snap {
    int64_t t_us;
    uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
    long long server_cpu_us, self_cpu_us;
    long server_rss_kib;
} media_snap;

struct media_run {
    const media_options *o;
    const bench_target *t;
    const media_target_ops *ops;
    report *rep;
    bench_loop *loop;
    dtls_cert *cert;
    worker **workers;
    int n_workers;
    media_flags flags;
    media_participant *parts;
    int n, started, n_problems;
    media_phase phase;
    int64_t phase_start, stop_sending_us;
    double join_s;
    long base_rss_kib;
    media_snap start, end;
};

void media_report_config(media_run *r);
void media_report_fill(media_run *r);

#endif

/*
 * The figures of a media run. See media.h for what they mean; everything
 * here runs after the media workers stopped, so the counters are stable.
 */
#include "media_internal.h"

#include <math.h>

#include "floor.h"
#include "stats.h"

#define FLOOR_PACKETS 200000
#define RECENT_US     1000000 /* a track is receiving if a packet came this recently */

void media_report_config(media_run *r)
{
    const media_options *o = r->o;
    report *rep = r->rep;
    report_config(rep, "target", json_string(r->ops->name));
    report_config(rep, "rooms", json_integer(o->rooms));
    report_config(rep, "publishers_per_room", json_integer(o->publishers));
    report_config(rep, "subscribers_per_room", json_integer(o->subscribers));
    report_config(rep, "duration_s", json_real(o->duration_s));
    report_config(rep, "join_rate", json_real(o->join_rate));
    report_config(rep, "audio_only", json_boolean(o->audio_only));
    report_config(rep, "video_bitrate", json_integer(o->video_bitrate));
    report_config(rep, "fps", json_integer(o->fps));
    report_config(rep, "keyframe_interval_s", json_integer(o->keyframe_interval_s));
    report_config(rep, "bench_media_threads", json_integer(r->n_workers));
    report_config(rep, "server_pid", o->server_pid ? json_integer(o->server_pid) : json_null());
}

static void fill_tracks(media_run *r)
{
    long long expected = 0, seen = 0, receiving = 0, ready = 0, subscribing = 0;
    samples join = {0};
    for (int i = 0; i < r->n; i++) {
        media_participant *mp = &r->parts[i];
        expected += mp->expected_tracks;
        subscribing += mp->expected_tracks > 0;
        seen += mp->rx.n_tracks;
        for (int k = 0; k < mp->rx.n_tracks; k++)
            receiving += mp->rx.t[k].last_us >= r->stop_sending_us - RECENT_US;
        if (mp->t_ready) {
            ready++;
            samples_add(&join, (double)(mp->t_ready - mp->t_start) / 1000.0);
        }
    }
    report *rep = r->rep;
    report_add_count(rep, "tracks", "participants", "participants", r->n);
    report_add_count(rep, "tracks", "subscribing", "participants receiving tracks", subscribing);
    report_add_count(rep, "tracks", "expected", "tracks expected", expected);
    report_add_count(rep, "tracks", "seen", "tracks seen", seen);
    report_add_count(rep, "tracks", "receiving", "tracks receiving at the end", receiving);
    report_add_count(rep, "tracks", "ready", "participants fully joined", ready);
    report_add(rep, "join", "p50_ms", "join time p50", samples_percentile(&join, 50), "ms");
    report_add(rep, "join", "p99_ms", "join time p99", samples_percentile(&join, 99), "ms");
    report_add(rep, "join", "phase_s", "join phase", r->join_s, "s");
    samples_free(&join);
    if (receiving < expected)
        report_problem(rep, "%lld of %lld expected tracks were receiving at the end", receiving,
                       expected);
    /* Which participants fell short, so that a failed run can be looked
     * into rather than only counted. */
    for (int i = 0; i < r->n; i++) {
        const media_participant *mp = &r->parts[i];
        if (mp->rx.n_tracks < mp->expected_tracks)
            report_problem(rep, "%s saw %d of its %d tracks (publish transport %s)", mp->name,
                           mp->rx.n_tracks, mp->expected_tracks,
                           mp->t_pub_connected ? "connected" : "not connected");
    }
}

static void fill_quality(media_run *r)
{
    synth_hist *lat = calloc(1, sizeof *lat);
    uint64_t lost = 0, got = 0, unstamped = 0;
    double jitter_sum = 0, jitter_max = 0;
    long n_tracks = 0;
    for (int i = 0; i < r->n; i++) {
        synth_rx *rx = &r->parts[i].rx;
        if (lat) synth_hist_merge(lat, &rx->latency);
        unstamped += rx->unstamped;
        for (int k = 0; k < rx->n_tracks; k++) {
            lost += synth_rx_track_lost(&rx->t[k]);
            got += rx->t[k].received;
            jitter_sum += rx->t[k].jitter_us;
            if (rx->t[k].jitter_us > jitter_max) jitter_max = rx->t[k].jitter_us;
            n_tracks++;
        }
    }
    report *rep = r->rep;
    double loss = got + lost ? 100.0 * (double)lost / (double)(got + lost) : NAN;
    report_add_count(rep, "quality", "packets_lost", "packets lost", (long long)lost);
    report_add(rep, "quality", "loss_pct", "loss", loss, "%");
    report_add(rep, "quality", "latency_p50_ms", "latency p50",
               lat ? synth_hist_percentile(lat, 50) / 1000 : NAN, "ms");
    report_add(rep, "quality", "latency_p95_ms", "latency p95",
               lat ? synth_hist_percentile(lat, 95) / 1000 : NAN, "ms");
    report_add(rep, "quality", "latency_p99_ms", "latency p99",
               lat ? synth_hist_percentile(lat, 99) / 1000 : NAN, "ms");
    report_add(rep, "quality", "jitter_mean_ms", "jitter mean",
               n_tracks ? jitter_sum / n_tracks / 1000 : NAN, "ms");
    report_add(rep, "quality", "jitter_max_ms", "jitter max", n_tracks ? jitter_max / 1000 : NAN,
               "ms");
    free(lat);
    if (lost) report_problem(rep, "%llu packets lost", (unsigned long long)lost);
    if (unstamped)
        report_problem(rep, "%llu packets without a bench stamp", (unsigned long long)unstamped);
}

static void fill_traffic(media_run *r, double window_s)
{
    const media_snap *a = &r->start, *b = &r->end;
    report *rep = r->rep;
    double in_pps = (double)(b->tx_packets - a->tx_packets) / window_s;
    double out_pps = (double)(b->rx_packets - a->rx_packets) / window_s;
    report_add(rep, "traffic", "window_s", "measured window", window_s, "s");
    report_add(rep, "traffic", "in_pps", "packets/s into the server", in_pps, "pkt/s");
    report_add(rep, "traffic", "out_pps", "packets/s out of the server", out_pps, "pkt/s");
    report_add(rep, "traffic", "in_mbps", "Mbps into the server",
               (double)(b->tx_bytes - a->tx_bytes) * 8 / window_s / 1e6, "Mbps");
    report_add(rep, "traffic", "out_mbps", "Mbps out of the server",
               (double)(b->rx_bytes - a->rx_bytes) * 8 / window_s / 1e6, "Mbps");
    double bench_cpu = (double)(b->self_cpu_us - a->self_cpu_us) / (window_s * 1e6) * 100;
    report_add(rep, "bench", "cpu_pct", "bench CPU (all its threads)", bench_cpu, "%");
}

static double floor_ns(media_run *r)
{
    if (r->o->floor_ns > 0) return r->o->floor_ns;
    floor_result f;
    return floor_measure(DTLS_SRTP_AEAD_AES_128_GCM, FLOOR_PACKETS, &f) == 0 ? f.total_ns : NAN;
}

static void fill_server(media_run *r, double window_s)
{
    const media_snap *a = &r->start, *b = &r->end;
    report *rep = r->rep;
    double cpu = NAN, per_pkt = NAN, rss = NAN, per_sub = NAN;
    uint64_t fwd = b->rx_packets - a->rx_packets;
    if (a->server_cpu_us >= 0 && b->server_cpu_us >= 0) {
        double used = (double)(b->server_cpu_us - a->server_cpu_us);
        cpu = used / (window_s * 1e6) * 100;
        if (fwd) per_pkt = used / (double)fwd;
    }
    long subs = 0;
    for (int i = 0; i < r->n; i++)
        subs += r->parts[i].expected_tracks > 0;
    if (b->server_rss_kib >= 0) {
        rss = (double)b->server_rss_kib / 1024;
        if (subs && r->base_rss_kib >= 0)
            per_sub = (double)(b->server_rss_kib - r->base_rss_kib) / (double)subs;
    }
    double fl = floor_ns(r);
    report_add(rep, "server", "cpu_pct", "server CPU", cpu, "%");
    report_add(rep, "server", "cpu_us_per_fwd_packet", "server CPU per forwarded packet", per_pkt,
               "us");
    report_add(rep, "server", "floor_us", "floor (protect + sendmsg)", fl / 1000, "us");
    report_add(rep, "server", "per_packet_over_floor", "server per packet / floor",
               per_pkt / (fl / 1000), "x");
    report_add(rep, "server", "rss_mib", "server RSS", rss, "MiB");
    report_add(rep, "server", "rss_kib_per_subscriber", "server RSS growth per subscriber", per_sub,
               "KiB");
}

void media_report_fill(media_run *r)
{
    double window_s = (double)(r->end.t_us - r->start.t_us) / 1e6;
    if (r->phase < PHASE_DRAIN || window_s <= 0) {
        report_problem(r->rep, "the run ended before its measured window");
        window_s = NAN;
    }
    fill_tracks(r);
    fill_quality(r);
    fill_traffic(r, window_s);
    fill_server(r, window_s);
}

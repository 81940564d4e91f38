/*
 * The signaling load scenario. See sigbench.h.
 *
 * One loop, one 1 ms tick that moves the run through its phases:
 * JOIN (open connections at the join rate, each joins its room) → SETTLE
 * (everyone sees the full room; the server's memory is read) → CHAT (every
 * peer sends at the chat rate) → DRAIN (wait for the last deliveries) →
 * CLOSE. Each phase has a deadline, so the run ends by itself.
 */
#include "sigbench.h"

#include "loop.h"
#include "procstat.h"
#include "sigbench_peer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS      1
#define JOIN_GRACE_S 30.0 /* beyond peers / join_rate */
#define SETTLE_MIN_S 1.0  /* lets the server's RSS settle before reading it */
#define SETTLE_MAX_S 10.0
#define DRAIN_MAX_S  10.0
#define CLOSE_MAX_S  5.0
#define US           1e6
#define MAX_MESSAGE  (64 * 1024)

static double phase_limit_s(const sigbench *b)
{
    switch (b->phase) {
    case PH_JOIN:
        return b->o->peers / b->o->join_rate + JOIN_GRACE_S;
    case PH_SETTLE:
        return SETTLE_MAX_S;
    case PH_CHAT:
        return b->o->duration_s;
    case PH_DRAIN:
        return DRAIN_MAX_S;
    default:
        return CLOSE_MAX_S;
    }
}

double sigbench_time_cap(const sigbench_options *o)
{
    double chat = o->chat_rate > 0 ? o->duration_s + DRAIN_MAX_S : 0;
    return o->peers / o->join_rate + JOIN_GRACE_S + SETTLE_MAX_S + chat + CLOSE_MAX_S;
}

static void take_mark(const sigbench *b, cpu_mark *m)
{
    m->wall_us = bench_now_us();
    m->server_us = b->o->server_pid > 0 ? procstat_cpu_us((pid_t)b->o->server_pid) : -1;
    m->self_us = procstat_self_cpu_us();
}

static void enter(sigbench *b, sigbench_phase ph)
{
    b->phase = ph;
    b->phase_start = bench_now_us();
}

static bool phase_expired(const sigbench *b, int64_t now)
{
    return (double)(now - b->phase_start) >= phase_limit_s(b) * US;
}

/* ---- phases ---- */

static void open_due(sigbench *b, int64_t now)
{
    double elapsed = (double)(now - b->phase_start) / US;
    long due = (long)floor(elapsed * b->o->join_rate) + 1;
    if (due > b->o->peers) due = b->o->peers;
    while (b->opened < due)
        peer_open(b, &b->peers[b->opened++], now);
}

static void tick_join(sigbench *b, int64_t now)
{
    open_due(b, now);
    if (b->resolved == b->o->peers) {
        b->t_join_done = now;
        take_mark(b, &b->join_end);
        enter(b, PH_SETTLE);
    } else if (phase_expired(b, now)) {
        report_problem(b->r, "join phase timed out: %d of %d peers got no answer",
                       b->o->peers - b->resolved, b->o->peers);
        b->t_join_done = now;
        take_mark(b, &b->join_end);
        enter(b, PH_SETTLE);
    }
}

/* True when every joined peer has seen every other joined member of its
 * room (join reply + peer_joined - peer_left). */
static bool views_complete(const sigbench *b)
{
    for (int i = 0; i < b->o->peers; i++) {
        const peer *p = &b->peers[i];
        if (p->state == PEER_JOINED && p->known_peers != b->room_joined[p->room] - 1) return false;
    }
    return true;
}

static void tick_settle(sigbench *b, int64_t now)
{
    if ((double)(now - b->phase_start) < SETTLE_MIN_S * US) return;
    bool complete = views_complete(b);
    if (!complete && !phase_expired(b, now)) return;
    if (!complete) report_problem(b->r, "some peers never saw everyone in their room");
    if (b->o->server_pid > 0) b->rss_after = procstat_rss_kib((pid_t)b->o->server_pid);
    b->joined_at_rss = b->joined;
    if (b->o->chat_rate > 0 && b->joined > 0) {
        enter(b, PH_CHAT);
        b->t_chat_start = b->phase_start;
        take_mark(b, &b->chat_start);
        for (int i = 0; i < b->o->peers; i++)
            peer_schedule_chat(b, &b->peers[i]);
    } else {
        enter(b, PH_CLOSE);
    }
}

static void tick_chat(sigbench *b, int64_t now)
{
    if (phase_expired(b, now)) {
        b->t_chat_end = now;
        take_mark(b, &b->chat_end);
        enter(b, PH_DRAIN);
        return;
    }
    for (int i = 0; i < b->o->peers; i++)
        if (b->peers[i].state == PEER_JOINED && b->peers[i].next_chat_us <= now)
            peer_send_chat(b, &b->peers[i], now);
}

static uint64_t expected_deliveries(const sigbench *b)
{
    uint64_t n = 0;
    for (int i = 0; i < b->o->peers; i++) {
        const peer *p = &b->peers[i];
        int receivers = b->room_joined[p->room] - (b->chat_echo ? 0 : 1);
        n += (uint64_t)p->chat_accepted * (uint64_t)(receivers > 0 ? receivers : 0);
    }
    return n;
}

static void tick_drain(sigbench *b, int64_t now)
{
    bool answered = b->chat_accepted + b->chat_refused + b->chat_failed == b->chat_sent;
    bool all_closed = b->closed == b->opened; /* nothing more can arrive */
    if ((answered && b->delivered >= expected_deliveries(b)) || all_closed || phase_expired(b, now))
        enter(b, PH_CLOSE);
}

static void tick_close(sigbench *b, int64_t now)
{
    if (!b->closing_started) {
        b->closing_started = true;
        for (int i = 0; i < b->o->peers; i++)
            peer_close(&b->peers[i]);
    }
    if (b->closed == b->opened || phase_expired(b, now)) {
        enter(b, PH_DONE);
        bench_loop_quit(b->loop);
    }
}

static gboolean on_tick(gpointer data)
{
    sigbench *b = data;
    int64_t now = bench_now_us();
    switch (b->phase) {
    case PH_JOIN:
        tick_join(b, now);
        break;
    case PH_SETTLE:
        tick_settle(b, now);
        break;
    case PH_CHAT:
        tick_chat(b, now);
        break;
    case PH_DRAIN:
        tick_drain(b, now);
        break;
    case PH_CLOSE:
        tick_close(b, now);
        break;
    case PH_DONE:
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/* ---- report ---- */

static void report_cpu(sigbench *b, const char *section, const cpu_mark *m0, const cpu_mark *m1)
{
    double wall = (double)(m1->wall_us - m0->wall_us);
    bool server = m0->server_us >= 0 && m1->server_us >= 0 && wall > 0;
    if (b->o->server_pid > 0)
        report_add(b->r, section, "server_cpu_pct", "server CPU (100% = one core)",
                   server ? (double)(m1->server_us - m0->server_us) / wall * 100 : NAN, "%");
    report_add(b->r, section, "bench_cpu_pct", "bench CPU (100% = one core)",
               wall > 0 ? (double)(m1->self_us - m0->self_us) / wall * 100 : NAN, "%");
}

static void report_config_of(const sigbench *b)
{
    const sigbench_options *o = b->o;
    report_config(b->r, "peers", json_integer(o->peers));
    report_config(b->r, "rooms", json_integer(o->rooms));
    report_config(b->r, "join_rate", json_real(o->join_rate));
    report_config(b->r, "chat_rate", json_real(o->chat_rate));
    report_config(b->r, "duration_s", json_real(o->duration_s));
    report_config(b->r, "chat_size", json_integer(o->chat_size));
    report_config(b->r, "server_pid", o->server_pid ? json_integer(o->server_pid) : json_null());
}

static void report_join(sigbench *b)
{
    report *r = b->r;
    double phase_s = (double)(b->t_join_done - b->t_start) / US;
    report_add_count(r, "join", "peers", "peers", b->o->peers);
    report_add_count(r, "join", "joined", "joined", b->joined);
    report_add_count(r, "join", "failed", "failed (connect, handshake, error)",
                     b->o->peers - b->joined);
    report_add(r, "join", "connect_p50_ms", "connect + handshake p50",
               samples_percentile(&b->open_lat, 50) / 1e3, "ms");
    report_add(r, "join", "connect_p99_ms", "connect + handshake p99",
               samples_percentile(&b->open_lat, 99) / 1e3, "ms");
    report_add(r, "join", "latency_p50_ms", "join latency p50",
               samples_percentile(&b->join_lat, 50) / 1e3, "ms");
    report_add(r, "join", "latency_p99_ms", "join latency p99",
               samples_percentile(&b->join_lat, 99) / 1e3, "ms");
    report_add(r, "join", "latency_max_ms", "join latency max",
               samples_percentile(&b->join_lat, 100) / 1e3, "ms");
    report_add(r, "join", "phase_s", "join phase", phase_s, "s");
    report_add(r, "join", "rate_per_s", "joins completed per second",
               phase_s > 0 ? b->joined / phase_s : NAN, "/s");
    report_cpu(b, "join", &b->join_start, &b->join_end);
    if (b->joined < b->o->peers)
        report_problem(r, "%d of %d joins failed%s%s", b->o->peers - b->joined, b->o->peers,
                       b->first_failure[0] ? "; first: " : "", b->first_failure);
}

static void report_memory(sigbench *b)
{
    if (b->o->server_pid <= 0) return;
    report *r = b->r;
    bool have = b->rss_before >= 0 && b->rss_after >= 0 && b->joined_at_rss > 0;
    report_add(r, "memory", "rss_before_mib", "server RSS before",
               b->rss_before >= 0 ? b->rss_before / 1024.0 : NAN, "MiB");
    report_add(r, "memory", "rss_joined_mib", "server RSS, everyone joined",
               b->rss_after >= 0 ? b->rss_after / 1024.0 : NAN, "MiB");
    report_add(r, "memory", "per_idle_session_kib", "per idle session",
               have ? (double)(b->rss_after - b->rss_before) / b->joined_at_rss : NAN, "KiB");
    if (!have) report_problem(r, "could not read VmRSS of pid %ld", b->o->server_pid);
}

static void chat_problems(sigbench *b, uint64_t lost, uint64_t extra)
{
    report *r = b->r;
    if (lost) report_problem(r, "%llu chat events lost", (unsigned long long)lost);
    if (extra)
        report_problem(r, "%llu chat events duplicated or unexpected", (unsigned long long)extra);
    if (b->out_of_order)
        report_problem(r, "%llu chat events out of order", (unsigned long long)b->out_of_order);
    if (b->id_gaps)
        report_problem(r, "%llu chat events broke their room's message.id sequence",
                       (unsigned long long)b->id_gaps);
    if (b->chat_refused)
        report_problem(r, "%llu chat messages refused by the rate limit",
                       (unsigned long long)b->chat_refused);
    uint64_t unanswered = b->chat_sent - b->chat_accepted - b->chat_refused - b->chat_failed;
    if (b->chat_failed || unanswered)
        report_problem(r, "%llu chat messages failed, %llu unanswered%s%s",
                       (unsigned long long)b->chat_failed, (unsigned long long)unanswered,
                       b->first_chat_error[0] ? "; first error: " : "", b->first_chat_error);
}

static void report_chat(sigbench *b)
{
    if (b->o->chat_rate <= 0) return;
    report *r = b->r;
    uint64_t expected = expected_deliveries(b);
    uint64_t lost = 0, extra = 0;
    for (int i = 0; i < b->o->peers; i++)
        peer_count_losses(b, &b->peers[i], &lost, &extra);
    double send_s = (double)(b->t_chat_end - b->t_chat_start) / US;
    double span_s = (double)(b->t_last_delivery - b->t_chat_start) / US;
    report_add_count(r, "chat", "sent", "messages sent", (long long)b->chat_sent);
    report_add_count(r, "chat", "accepted", "accepted (reply)", (long long)b->chat_accepted);
    report_add_count(r, "chat", "refused", "refused (rate limit)", (long long)b->chat_refused);
    report_add_count(r, "chat", "delivered", "chat events delivered", (long long)b->delivered);
    report_add_count(r, "chat", "expected", "chat events expected", (long long)expected);
    report_add_count(r, "chat", "lost", "lost", (long long)lost);
    report_add_count(r, "chat", "unexpected", "duplicated or unexpected", (long long)extra);
    report_add_count(r, "chat", "out_of_order", "out of order", (long long)b->out_of_order);
    report_add_count(r, "chat", "id_gaps", "breaks in a room's message.id", (long long)b->id_gaps);
    report_add(r, "chat", "sent_per_s", "messages sent per second",
               send_s > 0 ? b->chat_sent / send_s : NAN, "/s");
    report_add(r, "chat", "delivered_per_s", "chat events delivered per second",
               span_s > 0 && b->delivered ? b->delivered / span_s : NAN, "/s");
    report_add(r, "chat", "latency_p50_ms", "delivery latency p50",
               samples_percentile(&b->chat_lat, 50) / 1e3, "ms");
    report_add(r, "chat", "latency_p99_ms", "delivery latency p99",
               samples_percentile(&b->chat_lat, 99) / 1e3, "ms");
    report_cpu(b, "chat", &b->chat_start, &b->chat_end);
    chat_problems(b, lost, extra);
}

static void report_all(sigbench *b)
{
    report_config_of(b);
    report_join(b);
    report_memory(b);
    report_chat(b);
    if (b->closed_early)
        report_problem(b->r, "%d connections closed during the run; first: %s", b->closed_early,
                       b->first_close);
}

/* ---- run ---- */

static void setup(sigbench *b, const sigbench_options *o, const bench_target *t, report *r)
{
    memset(b, 0, sizeof *b);
    b->o = o;
    b->t = t;
    b->r = r;
    b->max_message = MAX_MESSAGE;
    b->slots = (o->peers + o->rooms - 1) / o->rooms;
    b->chat_echo = SIGBENCH_CHAT_ECHO;
    snprintf(b->tag, sizeof b->tag, "b%ld", (long)getpid());
    b->peers = g_new0(peer, o->peers);
    b->room_joined = g_new0(int, o->rooms);
    for (int i = 0; i < o->peers; i++)
        peer_init(b, &b->peers[i], i);
    b->rss_before = b->rss_after = -1;
}

static void teardown(sigbench *b)
{
    for (int i = 0; i < b->o->peers; i++)
        peer_free(&b->peers[i]);
    g_free(b->peers);
    g_free(b->room_joined);
    samples_free(&b->join_lat);
    samples_free(&b->open_lat);
    samples_free(&b->chat_lat);
}

int sigbench_run(const sigbench_options *o, const bench_target *t, report *r)
{
    sigbench b;
    setup(&b, o, t, r);
    b.loop = bench_loop_new(NULL);
    if (!b.loop) {
        teardown(&b);
        return -1;
    }
    if (o->server_pid > 0) b.rss_before = procstat_rss_kib((pid_t)o->server_pid);
    enter(&b, PH_JOIN);
    b.t_start = b.phase_start;
    take_mark(&b, &b.join_start);
    guint tick = bench_loop_every(b.loop, TICK_MS, on_tick, &b);
    bench_loop_run(b.loop);
    bench_loop_cancel(b.loop, tick);
    report_all(&b);
    teardown(&b);
    bench_loop_free(b.loop);
    return 0;
}

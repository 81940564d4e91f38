/*
 * confab: the daemon. Parses options, starts the media core and the HTTP
 * server, runs the control loop until SIGINT or SIGTERM, then takes
 * everything down in order and exits 0.
 */
#include "config.h"
#include "dispatch.h"
#include "http.h"
#include "longpoll.h"
#include "metrics.h"
#include "sfu.h"
#include "stun_server.h"
#include "wsconn.h"

#include <glib-unix.h>
#include <glib.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

typedef struct app {
    GMainContext *ctx;
    GMainLoop *loop;
    GSource *signals[2];
    dispatch *dispatch;
    sfu *sfu;
    wsconn_server *ws;
    longpoll_server *lp;
    http_server *http;
    stun_server *stun; /* NULL when off */
    metrics *metrics;
    GSource *metrics_timer;
} app;

static gboolean on_signal(gpointer data)
{
    app *a = data;
    g_message("shutting down");
    g_main_loop_quit(a->loop);
    return G_SOURCE_CONTINUE;
}

static void watch_signals(app *a)
{
    const int sigs[2] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        a->signals[i] = g_unix_signal_source_new(sigs[i]);
        g_source_set_callback(a->signals[i], on_signal, a, NULL);
        g_source_attach(a->signals[i], a->ctx);
    }
}

/* The embedded STUN server on its own thread. False only when the user
 * asked for a port explicitly and it cannot be had; the default port being
 * taken (say, a second confab in the same namespace) is only a warning. */
static bool start_stun(app *a, const config *cfg)
{
    if (!cfg->stun_port) return true;
    stun_server_config sc = {
        .n_listen = 1,
        .port = cfg->stun_port,
        .threads = 1,
        .udp = true,
        .tcp = true,
        .software = "confab " CONFAB_VERSION,
        .rate = 200,
        .burst = 400,
        /* Well below the descriptor limit that media, HTTP and WebSocket
         * share (main() raises it to the hard limit). */
        .max_tcp_per_thread = 256,
    };
    sc.listen[0] = cfg->stun_address ? cfg->stun_address : cfg->bind;
    char err[256];
    bool inuse = false;
    a->stun = stun_server_start(&sc, err, sizeof err, &inuse);
    if (a->stun) {
        g_message("STUN server on UDP and TCP port %u", (unsigned)stun_server_port(a->stun));
        return true;
    }
    if (!cfg->stun_port_set && inuse) {
        g_warning("STUN server not started (%s); ice_servers will be empty", err);
        return true;
    }
    fprintf(stderr, "confab: STUN server: %s\n", err);
    return false;
}

static gboolean on_metrics_tick(gpointer data)
{
    app *a = data;
    size_t rooms, sessions;
    dispatch_counts(a->dispatch, &rooms, &sessions);
    metrics_set_gauges(a->metrics, rooms, sessions, wsconn_server_count(a->ws));
    return G_SOURCE_CONTINUE;
}

static void start_metrics(app *a)
{
    a->metrics = metrics_new(a->stun);
    on_metrics_tick(a);
    a->metrics_timer = g_timeout_source_new_seconds(1);
    g_source_set_callback(a->metrics_timer, on_metrics_tick, a, NULL);
    g_source_attach(a->metrics_timer, a->ctx);
}

/* Runs whatever is ready on the control context until nothing is. */
static void drain(GMainContext *ctx)
{
    while (ctx && g_main_context_iteration(ctx, FALSE))
        ;
}

static bool app_start(app *a, const config *cfg)
{
    a->ctx = g_main_context_new();
    /* Anything on this thread that uses the thread-default context (GIO,
     * the sfu's helpers) lands on the control loop. */
    g_main_context_push_thread_default(a->ctx);
    a->loop = g_main_loop_new(a->ctx, FALSE);
    watch_signals(a);
    if (!start_stun(a, cfg)) return false;
    dispatch_options dopt = {
        .rooms = {.max_rooms = cfg->max_rooms,
                  .max_peers = cfg->max_peers_per_room,
                  .chat_history = cfg->chat_history,
                  .linger_ms = cfg->room_linger_s * 1000},
        .chat_max_bytes = cfg->chat_max_bytes,
        .chat_rate = cfg->chat_rate,
        .chat_burst = cfg->chat_burst,
        .resume_grace_ms = cfg->resume_grace_s * 1000,
        .stun_url = cfg->stun_url,
        .stun_port = a->stun ? stun_server_port(a->stun) : 0,
    };
    a->dispatch = dispatch_new(&dopt, a->ctx);

    sfu_config sc = {
        .workers = cfg->workers,
        .ice_addresses = (const char *const *)cfg->ice_addresses,
        .n_ice_addresses = cfg->n_ice_addresses,
        .port_min = cfg->ice_port_min,
        .port_max = cfg->ice_port_max,
    };
    a->sfu = sfu_create(&sc, a->ctx, dispatch_sfu_event, a->dispatch);
    if (!a->sfu) return false;
    dispatch_set_sfu(a->dispatch, a->sfu);

    a->ws = wsconn_server_new(a->ctx, dispatch_registry(a->dispatch));
    longpoll_options lo = {cfg->longpoll_hold_ms, cfg->longpoll_idle_ms};
    a->lp = longpoll_server_new(a->ctx, dispatch_registry(a->dispatch), &lo);
    http_options ho = {.bind = cfg->bind,
                       .port = cfg->port,
                       .www_dir = cfg->www_dir,
                       .allow_origins = (const char *const *)cfg->allow_origins,
                       .n_allow_origins = cfg->n_allow_origins,
                       .api_query = dispatch_api_rooms,
                       .api_user = a->dispatch};
    ho.longpoll = a->lp;
    start_metrics(a);
    ho.metrics = a->metrics;
    a->http = http_start(&ho, a->ctx, a->ws);
    if (!a->http) return false;
    g_message("listening on http://%s%s%s:%u/ (%s web client)", strchr(cfg->bind, ':') ? "[" : "",
              cfg->bind, strchr(cfg->bind, ':') ? "]" : "", (unsigned)http_port(a->http),
              cfg->www_dir ? cfg->www_dir : "embedded");
    return true;
}

/* The order matters: no new connections, then close the clients (so nobody
 * produces new work), close the upgrades already handed over, stop the HTTP
 * thread, and only then the media core. */
static void app_stop(app *a)
{
    http_quiesce(a->http);
    if (a->dispatch) dispatch_stop(a->dispatch);
    if (a->ws) wsconn_server_stop(a->ws);
    /* Long-poll requests still on their way are answered by this drain:
     * MHD must not stop with one suspended. */
    if (a->lp) longpoll_server_stop(a->lp);
    drain(a->ctx);
    longpoll_server_flush(a->lp, LONGPOLL_FLUSH_MS);
    http_stop(a->http);
    /* Hand-offs queued in the meantime are now no-ops. */
    drain(a->ctx);
    http_free(a->http);
    /* MHD's thread, which renders /metrics, is gone: now the STUN server. */
    if (a->metrics_timer) {
        g_source_destroy(a->metrics_timer);
        g_source_unref(a->metrics_timer);
    }
    metrics_free(a->metrics);
    stun_server_stop(a->stun);
    wsconn_server_free(a->ws);
    longpoll_server_free(a->lp);
    if (a->sfu) sfu_destroy(a->sfu);
    /* Events the sfu queued before it stopped find no session now. */
    drain(a->ctx);
    dispatch_free(a->dispatch);
    for (int i = 0; i < 2; i++) {
        if (a->signals[i]) {
            g_source_destroy(a->signals[i]);
            g_source_unref(a->signals[i]);
        }
    }
    if (a->loop) g_main_loop_unref(a->loop);
    if (a->ctx) {
        g_main_context_pop_thread_default(a->ctx);
        g_main_context_unref(a->ctx);
    }
}

int main(int argc, char **argv)
{
    /* Each negotiation parses into multi-megabyte sdp_sessions. With glibc's
     * default, freeing one raises the mmap threshold above that size, and
     * every later one is carved from the heap, which never shrinks: measured,
     * 467 KiB of RSS per webinar subscriber instead of 181 KiB. A fixed
     * threshold keeps large blocks in mmap, returned to the system on free
     * (and zeroed for free by the kernel). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    g_set_prgname("confab");
    config cfg;
    config_result cr = config_parse(argc, argv, &cfg, stdout, stderr);
    if (cr != CONFIG_OK) {
        config_free(&cfg);
        return cr == CONFIG_EXIT ? 0 : 2;
    }
    /* Writes to a vanished peer must fail with EPIPE, not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    /* Sockets of media, HTTP, WebSocket and STUN over TCP all count: take
     * the hard limit, not the soft default of 1024. */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }

    app a = {0};
    int rc = 0;
    if (app_start(&a, &cfg))
        g_main_loop_run(a.loop);
    else
        rc = 1;
    app_stop(&a);
    config_free(&cfg);
    return rc;
}

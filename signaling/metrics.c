/*
 * GET /metrics (metrics.h).
 */
#include "metrics.h"

#include <glib.h>
#include <stdatomic.h>

struct metrics {
    const stun_server *stun;
    atomic_size_t rooms, sessions, websockets;
};

metrics *metrics_new(const stun_server *stun)
{
    metrics *m = g_new0(metrics, 1);
    m->stun = stun;
    return m;
}

void metrics_free(metrics *m)
{
    g_free(m);
}

void metrics_set_gauges(metrics *m, size_t rooms, size_t sessions, size_t websockets)
{
    atomic_store_explicit(&m->rooms, rooms, memory_order_relaxed);
    atomic_store_explicit(&m->sessions, sessions, memory_order_relaxed);
    atomic_store_explicit(&m->websockets, websockets, memory_order_relaxed);
}

static void gauge(GString *s, const char *name, const char *help, size_t v)
{
    g_string_append_printf(s, "# HELP %s %s\n# TYPE %s gauge\n%s %zu\n", name, help, name, name, v);
}

char *metrics_render(const metrics *m)
{
    GString *s = g_string_new(NULL);
    gauge(s, "confab_rooms", "rooms with at least one peer or lingering chat",
          atomic_load_explicit(&m->rooms, memory_order_relaxed));
    gauge(s, "confab_sessions", "signaling sessions (connected or waiting to resume)",
          atomic_load_explicit(&m->sessions, memory_order_relaxed));
    gauge(s, "confab_websocket_connections", "open WebSocket connections",
          atomic_load_explicit(&m->websockets, memory_order_relaxed));
    gauge(s, "confab_stun_enabled", "1 when the embedded STUN server runs", m->stun ? 1 : 0);
    if (m->stun) {
        stun_counters c;
        stun_server_counters(m->stun, &c);
        char buf[4096];
        int n = stun_counters_format(&c, "confab_stun", buf, sizeof buf);
        if (n > 0 && (size_t)n < sizeof buf) g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}

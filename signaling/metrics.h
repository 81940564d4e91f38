/*
 * GET /metrics (Prometheus text format): the embedded STUN server's
 * counters and the control thread's rooms, sessions and WebSocket
 * connections.
 *
 * Threads: metrics_set_gauges runs on the control thread (a 1 s timer in
 * main.c copies the counts in); metrics_render runs on libmicrohttpd's
 * thread. They share only atomics; the STUN counters are read with
 * stun_server_counters, which any thread may call.
 */
#ifndef CONFAB_METRICS_H
#define CONFAB_METRICS_H

#include "stun_server.h"

#include <stddef.h>

typedef struct metrics metrics;

/* stun: the embedded server, or NULL when it is off; borrowed, and must
 * outlive every metrics_render (stop HTTP before the STUN server). */
metrics *metrics_new(const stun_server *stun);
void metrics_free(metrics *m);

void metrics_set_gauges(metrics *m, size_t rooms, size_t sessions, size_t websockets);

/* The whole page, g_malloc'd. */
char *metrics_render(const metrics *m);

#endif

/*
 * The HTTP server (libmicrohttpd on its own thread): the web client's
 * static files, /healthz, the room API (api.h), and the WebSocket upgrade
 * at /ws (with its Origin check, origin.h).
 *
 * Threads: MHD's thread only parses HTTP and answers plain requests. An
 * upgraded socket is handed to the control thread as an owned message on
 * the control GMainContext (wsconn_server_accept runs there). Nothing
 * mutable is shared between the two threads.
 */
#ifndef CONFAB_HTTP_H
#define CONFAB_HTTP_H

#include "longpoll.h"
#include "api.h"
#include "wsconn.h"

#include <glib.h>
#include <stdint.h>

typedef struct http_options {
    const char *bind;          /* IPv4 or IPv6 literal */
    uint16_t port;             /* 0 = any free port */
    const char *www_dir;       /* NULL = embedded files */
    longpoll_server *longpoll; /* serves /lp and /lp/...; NULL = 404 there */
    /* Origins a WebSocket handshake may come from besides the server's own
     * (normalized, or "*"); none: localhost and 127.0.0.1 (origin.h). */
    const char *const *allow_origins;
    int n_allow_origins;
    /* Answers /api/rooms on the control thread; NULL: 404. */
    api_query_fn api_query;
    void *api_user;
    /* Serves GET /metrics (metrics.h) from MHD's thread; NULL: 404. */
    struct metrics *metrics;
} http_options;

typedef struct http_server http_server;

/* Starts listening. Returns NULL with a message on stderr on failure. */
http_server *http_start(const http_options *opt, GMainContext *control, wsconn_server *ws);

/* The port actually bound. */
uint16_t http_port(const http_server *srv);

/* Stops accepting new TCP connections; requests on open ones continue. */
void http_quiesce(http_server *srv);

/* Stops the MHD thread and closes every connection it still holds. Hand-offs
 * already queued on the control context become no-ops: run that context
 * until idle before http_free. */
void http_stop(http_server *srv);
void http_free(http_server *srv);

#endif

/*
 * The HTTP long-poll transport: the protocol's messages over plain HTTP
 * requests, for clients whose WebSocket cannot connect (docs/protocol.md,
 * "HTTP long-poll"). Each long-poll client is a session transport
 * (session.h), like a WebSocket connection.
 *
 *   POST   /lp        creates a client: 201 {"sid":"<32 hex digits>"}
 *   POST   /lp/<sid>  one message or an array of messages: 204
 *   GET    /lp/<sid>  held until messages are queued (or the hold time
 *                     passes): 200 with a JSON array of them, in order
 *   DELETE /lp/<sid>  ends the client: 204
 *
 * Threads: requests arrive on libmicrohttpd's thread (longpoll_http_*),
 * clients live on the control thread. A complete request is suspended
 * (MHD_suspend_connection) and handed to the control thread as an owned
 * message; the control thread writes the answer into it and resumes the
 * connection, and MHD's thread then sends the answer. A request belongs to
 * exactly one thread at a time. The only state both threads touch is the
 * gate, a mutex-protected flag (see longpoll.c for why it is needed).
 */
#ifndef CONFAB_LONGPOLL_H
#define CONFAB_LONGPOLL_H

#include "session.h"

#include <glib.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#define LONGPOLL_MAX_BODY    (64 * 1024)   /* POST bodies; larger: 413 */
#define LONGPOLL_SEND_CAP    (1024 * 1024) /* queued bytes; beyond: close 1008 */
#define LONGPOLL_MAX_CLIENTS 4096          /* beyond: 503 server_full */
#define LONGPOLL_HOLD_MS     25000         /* a GET with nothing to say returns [] */
#define LONGPOLL_IDLE_MS     35000         /* no GET pending this long: dropped */
#define LONGPOLL_FLUSH_MS    1000          /* longest wait for answers at shutdown */

typedef struct longpoll_options {
    unsigned hold_ms; /* 0 = LONGPOLL_HOLD_MS */
    unsigned idle_ms; /* 0 = LONGPOLL_IDLE_MS */
} longpoll_options;

typedef struct longpoll_server longpoll_server;

/* Control thread. Create before the HTTP server starts, stop before it
 * stops (so that no connection is left suspended: MHD_stop_daemon aborts
 * on one), free after it stopped. */
longpoll_server *longpoll_server_new(GMainContext *ctx, session_registry *reg,
                                     const longpoll_options *opt);
/* Answers every pending request, ends every client (close 1001 "server
 * shutting down") and from then on refuses new requests with 503. Requests
 * already on their way to the control thread are answered when it runs
 * them: run the control context until idle before stopping MHD. */
void longpoll_server_stop(longpoll_server *srv);
/* After longpoll_server_stop and that drain, right before MHD stops: waits
 * (at most timeout_ms) until MHD's thread has sent the answers the control
 * thread gave it, so that waiting clients learn of the shutdown. The only
 * wait on the control thread, and only while the server is going down. */
void longpoll_server_flush(longpoll_server *srv, unsigned timeout_ms);
void longpoll_server_free(longpoll_server *srv);

/* MHD's thread. */

/* True for the URLs this transport answers (/lp and /lp/...). */
bool longpoll_http_matches(const char *url);

/* The MHD access handler for those URLs. */
enum MHD_Result longpoll_http_request(longpoll_server *srv, struct MHD_Connection *conn,
                                      const char *url, const char *method, const char *upload_data,
                                      size_t *upload_data_size, void **req_cls);

/* From MHD's request-completed callback, with any request's req_cls: frees
 * it if longpoll_http_request started it, else does nothing. */
void longpoll_http_completed(longpoll_server *srv, void *req_cls);

#endif

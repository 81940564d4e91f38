/*
 * WebSocket connections on the control thread: one per upgraded HTTP
 * socket, each a session transport (session.h).
 *
 * A connection is a non-blocking socket. All of a server's sockets share
 * one epoll set, a single GSource on the control GMainContext (fdwatch.h),
 * and all their deadlines one more source, so that a loop iteration costs
 * what is ready, not what is open. A connection frames and queues outgoing
 * messages up to a byte cap, answers pings, pings the client every
 * WSCONN_PING_MS, drops it after WSCONN_IDLE_MS without any frame, and
 * performs the closing handshake.
 * A connection that starts closing hands its session back at once
 * (session_transport_closed), so that the session can wait for a resume
 * while the closing handshake finishes on its own.
 * The socket belongs to libmicrohttpd: a connection never closes it, it ends
 * with MHD_upgrade_action(MHD_UPGRADE_ACTION_CLOSE).
 */
#ifndef CONFAB_WSCONN_H
#define CONFAB_WSCONN_H

#include "session.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define WSCONN_MAX_MESSAGE (64 * 1024)   /* larger messages: close 1009 */
#define WSCONN_SEND_CAP    (1024 * 1024) /* queued bytes; beyond: close 1008 */
#ifndef WSCONN_PING_MS
#define WSCONN_PING_MS 20000
#endif
#ifndef WSCONN_IDLE_MS
#define WSCONN_IDLE_MS 60000
#endif
#ifndef WSCONN_CLOSE_WAIT_MS
#define WSCONN_CLOSE_WAIT_MS 5000 /* for the client's close frame */
#endif

struct MHD_UpgradeResponseHandle;

typedef struct wsconn_server wsconn_server;

/* Everything below runs on the thread of ctx (the control thread). Aborts
 * with a message if the process cannot create an epoll descriptor. */
wsconn_server *wsconn_server_new(GMainContext *ctx, session_registry *reg);

/* Takes over an upgraded socket (control thread). extra holds bytes the
 * client sent after its HTTP request, already read by libmicrohttpd. */
void wsconn_server_accept(wsconn_server *srv, int fd, struct MHD_UpgradeResponseHandle *urh,
                          const uint8_t *extra, size_t extra_len, const char *host);
/* Open WebSocket connections (for GET /metrics). */
size_t wsconn_server_count(const wsconn_server *srv);

/* Closes every connection (best-effort close frame 1001) and from then on
 * closes new ones at once. */
void wsconn_server_stop(wsconn_server *srv);
void wsconn_server_free(wsconn_server *srv);

#endif

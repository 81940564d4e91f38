/*
 * The HTTP API for web pages (docs/protocol.md, "HTTP API"):
 *
 *   GET /api/rooms        the listed rooms and their participant counts
 *   GET /api/rooms/NAME   one room's peers and tracks (404 when absent)
 *
 * Threads: requests arrive on libmicrohttpd's thread, room state lives on
 * the control thread. A complete request is suspended
 * (MHD_suspend_connection) and handed to the control thread as an owned
 * message; the control thread writes the answer into it and resumes the
 * connection, and MHD's thread then sends the answer. A request belongs to
 * one thread at a time. The only state both threads touch is the gate (a
 * mutex-protected open flag and count of requests on their way), which lets
 * api_server_stop know when no connection is left suspended.
 */
#ifndef CONFAB_API_H
#define CONFAB_API_H

#include <glib.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/* Control thread: the JSON body for a room (name) or the list (name NULL),
 * malloc'd, and its HTTP status in *status. */
typedef char *(*api_query_fn)(void *user, const char *name, unsigned *status);

typedef struct api_server api_server;

api_server *api_server_new(GMainContext *ctx, api_query_fn fn, void *user);
/* Control thread, before MHD_stop_daemon: answers every request on its way
 * (running ctx until there is none) and answers later ones with 503. */
void api_server_stop(api_server *a);
void api_server_free(api_server *a);

/* MHD's thread. */

/* True for /api/rooms and /api/rooms/... */
bool api_http_matches(const char *url);

/* The MHD access handler for those URLs (needs MHD_ALLOW_SUSPEND_RESUME). */
enum MHD_Result api_http_request(api_server *a, struct MHD_Connection *conn, const char *url,
                                 const char *method, size_t *upload_data_size, void **req_cls);

/* From MHD's request-completed callback with any request's req_cls: frees
 * it if api_http_request made it, ignores it otherwise. */
void api_http_completed(void *req_cls);

#endif

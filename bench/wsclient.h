/*
 * A non-blocking WebSocket client connection on a bench_loop: TCP connect,
 * the opening handshake, masked text frames out, server frames in, pings
 * answered, the closing handshake. Thousands of them share one loop.
 *
 * Threads: a wsclient is used only on the thread running its loop.
 * Callbacks run from the loop; inside one, the client may send or close but
 * must not be freed (free it later, from outside its callbacks).
 */
#ifndef CONFAB_BENCH_WSCLIENT_H
#define CONFAB_BENCH_WSCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"

typedef struct wsclient wsclient;

typedef struct wsclient_callbacks {
    /* The handshake completed: messages may be sent. */
    void (*on_open)(void *user);
    /* One complete text message, NUL-terminated; valid during the call. */
    void (*on_text)(void *user, const char *text, size_t len);
    /* The connection is over (called once). code: the server's close code,
     * 1005 when it gave none, 1006 when the connection failed without a
     * close (then reason says why). */
    void (*on_close)(void *user, uint16_t code, const char *reason);
} wsclient_callbacks;

typedef struct wsclient_options {
    const struct sockaddr *addr;
    socklen_t addrlen;
    const char *host; /* Host header */
    const char *path; /* request target, e.g. "/ws" */
    size_t max_message;
    const char *protocol; /* subprotocol to ask for, or NULL */
} wsclient_options;

/* Starts connecting. Returns NULL (and sets errno) only when no socket
 * could be made; later failures come through on_close. */
wsclient *wsclient_connect(bench_loop *l, const wsclient_options *o, const wsclient_callbacks *cb,
                           void *user);

/* Queues one text message. Returns 0, or -1 when the connection is not open. */
int wsclient_send_text(wsclient *c, const char *text, size_t len);

/* Starts the closing handshake; on_close follows when it completes (or
 * after a short wait for the server's close frame). */
void wsclient_close(wsclient *c, uint16_t code, const char *reason);

/* Bytes queued and not yet written to the socket. */
size_t wsclient_pending(const wsclient *c);

/* Closes the socket if still open (no callback) and frees the client. */
void wsclient_free(wsclient *c);

#define WSCLIENT_CLOSE_ABNORMAL 1006

#endif

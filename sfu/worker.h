/*
 * A media worker: one thread running a GLib main loop on its own
 * GMainContext. Every room, transport, DTLS session and SRTP context placed
 * on a worker is only ever touched by that worker's thread, so the packet
 * path needs no locks.
 *
 * Threads: worker_start/worker_stop are called by the thread that owns the
 * sfu (the control thread). worker_post may be called from any thread; the
 * message is run on the worker thread in the order posted.
 */
#ifndef CONFAB_WORKER_H
#define CONFAB_WORKER_H

#include <glib.h>
#include <stdint.h>

#include "srtp_session.h"

/* Largest datagram the packet path handles, plus room for SRTP trailers. */
#define WORKER_PACKET_MAX 1500
#define WORKER_BUF_SIZE   (WORKER_PACKET_MAX + SRTP_MAX_TRAILER)

typedef struct worker worker;

/* A message for a worker: run(data) on the worker thread, then free(data). */
typedef void (*worker_fn)(worker *w, void *data);

typedef struct worker {
    int index;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    GAsyncQueue *mailbox;
    gint pending; /* messages in the mailbox */
    GSource *mailbox_source;
    void *user; /* worker-owned state of the layer above (the room registry) */
    /* Scratch buffers for the packet path, owned by the worker thread. */
    _Alignas(16) uint8_t in_buf[WORKER_BUF_SIZE]; /* libsrtp reads 32-bit words */
    _Alignas(16) uint8_t out_buf[WORKER_BUF_SIZE];
} worker;

worker *worker_start(int index);

/* Runs `cleanup` (may be NULL) on the worker thread as its last message,
 * then stops the loop, joins the thread and frees the worker. */
void worker_stop(worker *w, worker_fn cleanup);

/* Queues fn(w, data) to run on the worker thread; free_fn(data) runs after
 * it (free_fn may be NULL). */
void worker_post(worker *w, worker_fn fn, void *data, GDestroyNotify free_fn);

#endif

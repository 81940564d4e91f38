/*
 * The bench's event loop: a GLib main context, with every socket of the
 * load generator on one epoll set that is itself a single GSource
 * (signaling/fdwatch.h, shared with the confab daemon's WebSockets).
 *
 * Why both: the media modes reuse sfu/ transports, whose libnice agents and
 * callbacks live on GMainContexts, so the bench has to be a GLib program;
 * but a GLib source per socket makes every loop iteration walk thousands of
 * sources, which would turn the bench itself into the bottleneck. With one
 * epoll source, an iteration costs what is ready, not what is open.
 *
 * This file adds only the bench's conveniences: run/quit, periodic timers
 * and the clock. Ownership and the rules for watches are fdwatch.h's.
 *
 * Threads: everything here runs on the thread that runs the loop.
 */
#ifndef CONFAB_BENCH_LOOP_H
#define CONFAB_BENCH_LOOP_H

#include "fdwatch.h"

#include <glib.h>
#include <stdint.h>
#include <sys/epoll.h>

typedef struct bench_loop bench_loop;

/* events: EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP as epoll reported them. */
typedef fdwatch_fn bench_io_fn;

/* A registration, embedded in its owner so the loop allocates nothing. */
typedef fdwatch bench_watch;

/* Attaches to ctx (NULL: the thread-default context). NULL on failure. */
bench_loop *bench_loop_new(GMainContext *ctx);
void bench_loop_free(bench_loop *l);
GMainContext *bench_loop_context(const bench_loop *l);

/* Watches fd for events; fills w. Returns 0 or -1 (errno set). */
int bench_loop_add(bench_loop *l, bench_watch *w, int fd, uint32_t events, bench_io_fn fn,
                   void *user);
/* Changes the events of a watched fd; a no-op when they are unchanged. */
int bench_loop_modify(bench_loop *l, bench_watch *w, uint32_t events);
/* Stops watching. Safe from inside any callback, including for a watch
 * whose event is still pending in the batch being dispatched. */
void bench_loop_remove(bench_loop *l, bench_watch *w);

/* Calls fn(data) every interval_ms until it returns G_SOURCE_REMOVE or the
 * loop is freed. Returns the source id. */
guint bench_loop_every(bench_loop *l, guint interval_ms, GSourceFunc fn, void *data);
void bench_loop_cancel(bench_loop *l, guint id);

/* Runs until bench_loop_quit. */
void bench_loop_run(bench_loop *l);
void bench_loop_quit(bench_loop *l);

/* Monotonic clock in microseconds (the one every bench figure uses). */
int64_t bench_now_us(void);

#endif

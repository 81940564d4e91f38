/*
 * Many file descriptors on one GLib main context for the price of one:
 * a single epoll set, attached to the context as a single GSource.
 *
 * Why: a GSource per socket makes every loop iteration poll() every socket
 * and walk every source, so an iteration costs what is open. With one epoll
 * source it costs what is ready. Both the confab control thread (one
 * WebSocket per client, signaling/wsconn.c) and the load generator
 * (bench/loop.c) hold thousands of sockets this way.
 *
 * Ownership: the set owns its epoll descriptor and its GSource, nothing
 * else. A watch (fdwatch) is owned by whoever embeds it, usually the
 * connection it belongs to, so adding one allocates nothing. The watched fd
 * stays its owner's: the set never closes it. Remove a watch before closing
 * its fd or freeing the memory that holds it.
 *
 * Threads: a set belongs to the thread that runs its GMainContext. Every
 * function here, and every callback, runs on that thread; only
 * fdwatch_set_new may be called elsewhere, before the context runs.
 *
 * Readiness is level-triggered: a callback that leaves data unread is
 * called again at the next iteration. At most FDWATCH_BATCH descriptors are
 * dispatched per iteration, so timers and other sources never starve.
 */
#ifndef CONFAB_FDWATCH_H
#define CONFAB_FDWATCH_H

#include <glib.h>
#include <stdint.h>
#include <sys/epoll.h>

#define FDWATCH_BATCH 256

typedef struct fdwatch_set fdwatch_set;

/* events: EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP as epoll reported them
 * (EPOLLERR and EPOLLHUP come whether asked for or not). */
typedef void (*fdwatch_fn)(void *user, uint32_t events);

/* A registration, embedded in its owner. fd is -1 when not watching. */
typedef struct fdwatch {
    int fd;
    uint32_t events;
    fdwatch_fn fn;
    void *user;
} fdwatch;

/* Attaches to ctx (NULL: the thread-default context). NULL on failure
 * (errno set). */
fdwatch_set *fdwatch_set_new(GMainContext *ctx);
/* Detaches and frees. Every watch must have been removed, or its owner must
 * no longer use it. Never from inside one of the set's callbacks. */
void fdwatch_set_free(fdwatch_set *s);
GMainContext *fdwatch_set_context(const fdwatch_set *s);

/* Watches fd for events, calling fn(user, events) when ready; fills w.
 * Returns 0, or -1 with errno set and w->fd == -1. */
int fdwatch_add(fdwatch_set *s, fdwatch *w, int fd, uint32_t events, fdwatch_fn fn, void *user);
/* Changes the events of a watch; no system call when they are unchanged. */
int fdwatch_modify(fdwatch_set *s, fdwatch *w, uint32_t events);
/* Stops watching (a no-op when w->fd is -1). Safe from inside any callback
 * of the set, including for a watch whose event is still pending in the
 * batch being dispatched: that event is dropped. */
void fdwatch_remove(fdwatch_set *s, fdwatch *w);

#endif

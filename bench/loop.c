/*
 * One epoll set as one GSource. See loop.h.
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 256

typedef struct epoll_source {
    GSource base;
    bench_loop *loop;
    gpointer tag;
} epoll_source;

struct bench_loop {
    GMainContext *ctx;
    GMainLoop *main;
    GSource *source;
    int epfd;
    /* The batch being dispatched, so a removal can cancel pending events. */
    struct epoll_event batch[BATCH];
    int batch_len;
    int batch_pos;
};

int64_t bench_now_us(void)
{
    return g_get_monotonic_time();
}

/* Dispatches one batch of ready fds; the next iteration gets the rest, so
 * timers and other sources are never starved by a busy epoll set. */
static gboolean epoll_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    (void)cb;
    (void)data;
    bench_loop *l = ((epoll_source *)src)->loop;
    int n;
    do {
        n = epoll_wait(l->epfd, l->batch, BATCH, 0);
    } while (n < 0 && errno == EINTR);
    l->batch_len = n > 0 ? n : 0;
    for (l->batch_pos = 0; l->batch_pos < l->batch_len; l->batch_pos++) {
        bench_watch *w = l->batch[l->batch_pos].data.ptr;
        if (w) w->fn(w->user, l->batch[l->batch_pos].events);
    }
    l->batch_len = 0;
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_funcs = {NULL, NULL, epoll_dispatch, NULL, NULL, NULL};

bench_loop *bench_loop_new(GMainContext *ctx)
{
    bench_loop *l = g_new0(bench_loop, 1);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        g_free(l);
        return NULL;
    }
    l->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    l->main = g_main_loop_new(l->ctx, FALSE);
    l->source = g_source_new(&epoll_funcs, sizeof(epoll_source));
    ((epoll_source *)l->source)->loop = l;
    ((epoll_source *)l->source)->tag = g_source_add_unix_fd(l->source, l->epfd, G_IO_IN);
    g_source_set_name(l->source, "bench epoll");
    g_source_attach(l->source, l->ctx);
    return l;
}

void bench_loop_free(bench_loop *l)
{
    if (!l) return;
    g_source_destroy(l->source);
    g_source_unref(l->source);
    g_main_loop_unref(l->main);
    g_main_context_unref(l->ctx);
    close(l->epfd);
    g_free(l);
}

GMainContext *bench_loop_context(const bench_loop *l)
{
    return l->ctx;
}

int bench_loop_add(bench_loop *l, bench_watch *w, int fd, uint32_t events, bench_io_fn fn,
                   void *user)
{
    *w = (bench_watch){.fd = fd, .events = events, .fn = fn, .user = user};
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int bench_loop_modify(bench_loop *l, bench_watch *w, uint32_t events)
{
    if (w->events == events) return 0;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0) return -1;
    w->events = events;
    return 0;
}

void bench_loop_remove(bench_loop *l, bench_watch *w)
{
    if (w->fd < 0) return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    for (int i = l->batch_pos + 1; i < l->batch_len; i++)
        if (l->batch[i].data.ptr == w) l->batch[i].data.ptr = NULL;
    w->fd = -1;
}

guint bench_loop_every(bench_loop *l, guint interval_ms, GSourceFunc fn, void *data)
{
    GSource *s = g_timeout_source_new(interval_ms);
    g_source_set_callback(s, fn, data, NULL);
    guint id = g_source_attach(s, l->ctx);
    g_source_unref(s);
    return id;
}

void bench_loop_cancel(bench_loop *l, guint id)
{
    GSource *s = id ? g_main_context_find_source_by_id(l->ctx, id) : NULL;
    if (s) g_source_destroy(s);
}

void bench_loop_run(bench_loop *l)
{
    g_main_loop_run(l->main);
}

void bench_loop_quit(bench_loop *l)
{
    g_main_loop_quit(l->main);
}

/*
 * The bench's loop: an fdwatch set plus run/quit and timers. See loop.h.
 */
#include "loop.h"

struct bench_loop {
    fdwatch_set *watches;
    GMainLoop *main;
};

int64_t bench_now_us(void)
{
    return g_get_monotonic_time();
}

bench_loop *bench_loop_new(GMainContext *ctx)
{
    fdwatch_set *set = fdwatch_set_new(ctx);
    if (!set) return NULL;
    bench_loop *l = g_new0(bench_loop, 1);
    l->watches = set;
    l->main = g_main_loop_new(fdwatch_set_context(set), FALSE);
    return l;
}

void bench_loop_free(bench_loop *l)
{
    if (!l) return;
    g_main_loop_unref(l->main);
    fdwatch_set_free(l->watches);
    g_free(l);
}

GMainContext *bench_loop_context(const bench_loop *l)
{
    return fdwatch_set_context(l->watches);
}

int bench_loop_add(bench_loop *l, bench_watch *w, int fd, uint32_t events, bench_io_fn fn,
                   void *user)
{
    return fdwatch_add(l->watches, w, fd, events, fn, user);
}

int bench_loop_modify(bench_loop *l, bench_watch *w, uint32_t events)
{
    return fdwatch_modify(l->watches, w, events);
}

void bench_loop_remove(bench_loop *l, bench_watch *w)
{
    fdwatch_remove(l->watches, w);
}

guint bench_loop_every(bench_loop *l, guint interval_ms, GSourceFunc fn, void *data)
{
    GSource *s = g_timeout_source_new(interval_ms);
    g_source_set_callback(s, fn, data, NULL);
    guint id = g_source_attach(s, bench_loop_context(l));
    g_source_unref(s);
    return id;
}

void bench_loop_cancel(bench_loop *l, guint id)
{
    GSource *s = id ? g_main_context_find_source_by_id(bench_loop_context(l), id) : NULL;
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

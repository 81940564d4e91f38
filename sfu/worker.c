#include "worker.h"

#include <stdlib.h>

typedef struct worker_msg {
    worker_fn fn;
    void *data;
    GDestroyNotify free_fn;
} worker_msg;

typedef struct mailbox_source {
    GSource base;
    worker *w;
} mailbox_source;

/* An atomic count, not g_async_queue_length: that takes the queue's lock on
 * every loop iteration of a busy media thread. */
static gboolean mailbox_prepare(GSource *src, gint *timeout)
{
    *timeout = -1;
    return g_atomic_int_get(&((mailbox_source *)src)->w->pending) > 0;
}

static gboolean mailbox_check(GSource *src)
{
    return g_atomic_int_get(&((mailbox_source *)src)->w->pending) > 0;
}

/* Drains the whole queue in one dispatch so messages run in posting order
 * and a burst costs one wake-up. */
static gboolean mailbox_dispatch(GSource *src, GSourceFunc cb, gpointer user)
{
    (void)cb;
    (void)user;
    worker *w = ((mailbox_source *)src)->w;
    worker_msg *m;
    while ((m = g_async_queue_try_pop(w->mailbox)) != NULL) {
        g_atomic_int_dec_and_test(&w->pending);
        m->fn(w, m->data);
        if (m->free_fn) m->free_fn(m->data);
        g_free(m);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs mailbox_funcs = {
    .prepare = mailbox_prepare,
    .check = mailbox_check,
    .dispatch = mailbox_dispatch,
};

static gpointer worker_main(gpointer data)
{
    worker *w = data;
    g_main_context_push_thread_default(w->ctx);
    g_main_loop_run(w->loop);
    g_main_context_pop_thread_default(w->ctx);
    return NULL;
}

worker *worker_start(int index)
{
    worker *w = g_new0(worker, 1);
    w->index = index;
    w->ctx = g_main_context_new();
    w->loop = g_main_loop_new(w->ctx, FALSE);
    w->mailbox = g_async_queue_new();
    w->mailbox_source = g_source_new(&mailbox_funcs, sizeof(mailbox_source));
    ((mailbox_source *)w->mailbox_source)->w = w;
    g_source_attach(w->mailbox_source, w->ctx);
    char name[16];
    g_snprintf(name, sizeof name, "media-%d", index);
    w->thread = g_thread_new(name, worker_main, w);
    return w;
}

void worker_post(worker *w, worker_fn fn, void *data, GDestroyNotify free_fn)
{
    worker_msg *m = g_new(worker_msg, 1);
    m->fn = fn;
    m->data = data;
    m->free_fn = free_fn;
    g_async_queue_push(w->mailbox, m);
    g_atomic_int_inc(&w->pending);
    g_main_context_wakeup(w->ctx);
}

static void worker_quit(worker *w, void *data)
{
    worker_fn cleanup = (worker_fn)(uintptr_t)data;
    if (cleanup) cleanup(w, NULL);
    g_main_loop_quit(w->loop);
}

void worker_stop(worker *w, worker_fn cleanup)
{
    worker_post(w, worker_quit, (void *)(uintptr_t)cleanup, NULL);
    g_thread_join(w->thread);
    /* Sources the cleanup left (none expected) die with the context. */
    g_source_destroy(w->mailbox_source);
    g_source_unref(w->mailbox_source);
    worker_msg *m;
    while ((m = g_async_queue_try_pop(w->mailbox)) != NULL) {
        if (m->free_fn) m->free_fn(m->data);
        g_free(m);
    }
    g_async_queue_unref(w->mailbox);
    g_main_loop_unref(w->loop);
    g_main_context_unref(w->ctx);
    g_free(w);
}

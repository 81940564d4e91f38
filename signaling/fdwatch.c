/*
 * One epoll set as one GSource. See fdwatch.h.
 */
#include "fdwatch.h"

#include <errno.h>
#include <unistd.h>

typedef struct epoll_source {
    GSource base;
    fdwatch_set *set;
} epoll_source;

struct fdwatch_set {
    GMainContext *ctx;
    GSource *source;
    int epfd;
    /* The batch being dispatched, so a removal can cancel pending events. */
    struct epoll_event batch[FDWATCH_BATCH];
    int batch_len;
    int batch_pos;
};

/* GLib polls the epoll descriptor itself (readable when anything in the set
 * is ready); this collects one batch and hands it out. */
static gboolean epoll_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    (void)cb;
    (void)data;
    fdwatch_set *s = ((epoll_source *)src)->set;
    int n;
    do {
        n = epoll_wait(s->epfd, s->batch, FDWATCH_BATCH, 0);
    } while (n < 0 && errno == EINTR);
    s->batch_len = n > 0 ? n : 0;
    for (s->batch_pos = 0; s->batch_pos < s->batch_len; s->batch_pos++) {
        fdwatch *w = s->batch[s->batch_pos].data.ptr;
        if (w) w->fn(w->user, s->batch[s->batch_pos].events);
    }
    s->batch_len = 0;
    s->batch_pos = 0;
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs epoll_funcs = {NULL, NULL, epoll_dispatch, NULL, NULL, NULL};

fdwatch_set *fdwatch_set_new(GMainContext *ctx)
{
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return NULL;
    fdwatch_set *s = g_new0(fdwatch_set, 1);
    s->epfd = epfd;
    s->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    s->source = g_source_new(&epoll_funcs, sizeof(epoll_source));
    ((epoll_source *)s->source)->set = s;
    g_source_add_unix_fd(s->source, s->epfd, G_IO_IN);
    g_source_set_name(s->source, "fdwatch epoll");
    g_source_attach(s->source, s->ctx);
    return s;
}

void fdwatch_set_free(fdwatch_set *s)
{
    if (!s) return;
    g_source_destroy(s->source);
    g_source_unref(s->source);
    g_main_context_unref(s->ctx);
    close(s->epfd);
    g_free(s);
}

GMainContext *fdwatch_set_context(const fdwatch_set *s)
{
    return s->ctx;
}

int fdwatch_add(fdwatch_set *s, fdwatch *w, int fd, uint32_t events, fdwatch_fn fn, void *user)
{
    *w = (fdwatch){.fd = fd, .events = events, .fn = fn, .user = user};
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) return 0;
    w->fd = -1;
    return -1;
}

int fdwatch_modify(fdwatch_set *s, fdwatch *w, uint32_t events)
{
    if (w->events == events) return 0;
    struct epoll_event ev = {.events = events, .data.ptr = w};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0) return -1;
    w->events = events;
    return 0;
}

void fdwatch_remove(fdwatch_set *s, fdwatch *w)
{
    if (w->fd < 0) return;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    for (int i = s->batch_pos + 1; i < s->batch_len; i++)
        if (s->batch[i].data.ptr == w) s->batch[i].data.ptr = NULL;
    w->fd = -1;
}

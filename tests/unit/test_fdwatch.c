/*
 * fdwatch: readiness reaches the right callback, events can be changed,
 * a removal cancels an event already collected, and one iteration never
 * dispatches more than a batch.
 */
#include "check.h"
#include "signaling/fdwatch.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MANY (FDWATCH_BATCH + 44)

typedef struct end {
    fdwatch w;
    int fd, peer;
    int calls;
    uint32_t last;
    fdwatch_set *set;
    struct end *victim; /* removed by this one's callback */
} end;

static void on_ready(void *user, uint32_t events)
{
    end *e = user;
    e->calls++;
    e->last = events;
    char buf[64];
    if (events & EPOLLIN) (void)!read(e->fd, buf, sizeof buf);
    if (e->victim) fdwatch_remove(e->set, &e->victim->w);
}

static void open_pair(end *e, fdwatch_set *set)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    *e = (end){.fd = sv[0], .peer = sv[1], .set = set};
}

static void close_pair(end *e)
{
    close(e->fd);
    close(e->peer);
}

static void spin(GMainContext *ctx)
{
    for (int i = 0; i < 5; i++)
        g_main_context_iteration(ctx, FALSE);
}

static void test_in_out(GMainContext *ctx, fdwatch_set *set)
{
    end e;
    open_pair(&e, set);
    CHECK_EQ(fdwatch_add(set, &e.w, e.fd, EPOLLIN, on_ready, &e), 0);
    spin(ctx);
    CHECK_EQ(e.calls, 0); /* nothing to read yet */
    CHECK_EQ(write(e.peer, "x", 1), 1);
    spin(ctx);
    CHECK_EQ(e.calls, 1); /* read it all: level-triggered, no repeat */
    CHECK(e.last & EPOLLIN);
    CHECK_EQ(fdwatch_modify(set, &e.w, EPOLLOUT), 0);
    CHECK_EQ(fdwatch_modify(set, &e.w, EPOLLOUT), 0); /* unchanged: no-op */
    g_main_context_iteration(ctx, FALSE);
    CHECK(e.calls >= 2);
    CHECK(e.last & EPOLLOUT);
    fdwatch_remove(set, &e.w);
    CHECK_EQ(e.w.fd, -1);
    fdwatch_remove(set, &e.w); /* twice: a no-op */
    int before = e.calls;
    spin(ctx);
    CHECK_EQ(e.calls, before);
    close_pair(&e);
}

static void test_hangup(GMainContext *ctx, fdwatch_set *set)
{
    end e;
    open_pair(&e, set);
    CHECK_EQ(fdwatch_add(set, &e.w, e.fd, EPOLLIN, on_ready, &e), 0);
    close(e.peer);
    e.peer = -1;
    g_main_context_iteration(ctx, FALSE);
    CHECK(e.calls >= 1);
    CHECK(e.last & (EPOLLIN | EPOLLHUP));
    fdwatch_remove(set, &e.w);
    close(e.fd);
}

/* Whichever of the two is dispatched first removes the other, whose event
 * is already in the batch: it must never be delivered. */
static void test_remove_pending(GMainContext *ctx, fdwatch_set *set)
{
    end a, b;
    open_pair(&a, set);
    open_pair(&b, set);
    a.victim = &b;
    b.victim = &a;
    CHECK_EQ(fdwatch_add(set, &a.w, a.fd, EPOLLIN, on_ready, &a), 0);
    CHECK_EQ(fdwatch_add(set, &b.w, b.fd, EPOLLIN, on_ready, &b), 0);
    CHECK_EQ(write(a.peer, "x", 1), 1);
    CHECK_EQ(write(b.peer, "x", 1), 1);
    spin(ctx);
    CHECK_EQ(a.calls + b.calls, 1);
    CHECK((a.w.fd == -1) != (b.w.fd == -1));
    fdwatch_remove(set, &a.w);
    fdwatch_remove(set, &b.w);
    close_pair(&a);
    close_pair(&b);
}

static void test_batch(GMainContext *ctx, fdwatch_set *set)
{
    static end e[MANY];
    for (int i = 0; i < MANY; i++) {
        open_pair(&e[i], set);
        CHECK_EQ(fdwatch_add(set, &e[i].w, e[i].fd, EPOLLIN, on_ready, &e[i]), 0);
        CHECK_EQ(write(e[i].peer, "x", 1), 1);
    }
    g_main_context_iteration(ctx, FALSE);
    int n = 0;
    for (int i = 0; i < MANY; i++)
        n += e[i].calls;
    CHECK_EQ(n, FDWATCH_BATCH);
    spin(ctx);
    for (int i = 0; i < MANY; i++) {
        CHECK_EQ(e[i].calls, 1);
        fdwatch_remove(set, &e[i].w);
        close_pair(&e[i]);
    }
}

static void test_bad_fd(fdwatch_set *set)
{
    fdwatch w;
    errno = 0;
    CHECK_EQ(fdwatch_add(set, &w, -5, EPOLLIN, on_ready, NULL), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(w.fd, -1);
    fdwatch_remove(set, &w);
}

int main(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2 * MANY + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    GMainContext *ctx = g_main_context_new();
    fdwatch_set *set = fdwatch_set_new(ctx);
    CHECK(set != NULL);
    CHECK(fdwatch_set_context(set) == ctx);
    test_in_out(ctx, set);
    test_hangup(ctx, set);
    test_remove_pending(ctx, set);
    test_batch(ctx, set);
    test_bad_fd(set);
    fdwatch_set_free(set);
    g_main_context_unref(ctx);
    return check_finish("test_fdwatch");
}

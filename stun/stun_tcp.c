/*
 * STUN over TCP (RFC 8489 6.2.2): messages back to back on the stream, no
 * extra framing. One server thread owns each connection. A peer that sends
 * something that is not STUN, a message larger than the buffer, or does not
 * read its answers is disconnected; nobody else notices. Only an answered
 * message keeps a connection alive (a byte a minute does not), no
 * connection lives longer than tcp_lifetime_s, one source holds at most
 * max_tcp_per_source, and a full table makes room by closing the
 * connection idle longest.
 */
#include "stun_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static void conn_close(stun_thread *t, stun_conn *c)
{
    epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        t->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    t->n_conns--;
    stun_count(&t->counters, C_TCP_CLOSED, 1);
    free(c);
}

/* Out of file descriptors: level-triggered epoll would report the pending
 * connection forever, so the listener is unwatched until the next sweep. */
static void pause_listener(stun_thread *t, stun_sock *listener)
{
    struct epoll_event ev = {.events = 0, .data.ptr = listener};
    if (epoll_ctl(t->epfd, EPOLL_CTL_MOD, listener->fd, &ev) == 0) listener->paused = true;
    stun_count(&t->counters, C_TCP_PAUSED, 1);
}

static void resume_listeners(stun_thread *t)
{
    for (int i = 0; i < t->n_tcp; i++) {
        stun_sock *k = &t->tcp[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
        if (k->paused && epoll_ctl(t->epfd, EPOLL_CTL_MOD, k->fd, &ev) == 0) k->paused = false;
    }
}

static unsigned per_source(const stun_thread *t, const uint8_t key[17])
{
    unsigned n = 0;
    for (const stun_conn *c = t->conns; c; c = c->next)
        n += memcmp(c->source, key, 17) == 0;
    return n;
}

/* The table is full: the connection idle longest gives way, so holding
 * slots costs an attacker a message answered every so often per slot. */
static void close_most_idle(stun_thread *t)
{
    stun_conn *idle = t->conns;
    for (stun_conn *c = t->conns; c; c = c->next)
        if (c->last_ms < idle->last_ms) idle = c;
    if (idle) conn_close(t, idle);
}

static void add_conn(stun_thread *t, stun_sock *listener, int fd, const stun_addr *src,
                     const struct sockaddr_storage *peer)
{
    stun_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->kind = KIND_CONN;
    c->fd = fd;
    c->ep = listener->ep;
    c->peer = *peer;
    stun_source_key(src, c->source);
    c->born_ms = c->last_ms = stun_now_us() / 1000;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        free(c);
        return;
    }
    c->next = t->conns;
    if (t->conns) t->conns->prev = c;
    t->conns = c;
    t->n_conns++;
    stun_count(&t->counters, C_TCP_ACCEPTED, 1);
}

void stun_tcp_accept(stun_thread *t, stun_sock *listener)
{
    const stun_server_config *cfg = &t->srv->cfg;
    unsigned max = cfg->max_tcp_per_thread ? cfg->max_tcp_per_thread : 1024;
    unsigned max_src = cfg->max_tcp_per_source ? cfg->max_tcp_per_source : 8;
    for (int i = 0; i < STUN_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd =
            accept4(listener->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pause_listener(t, listener);
            return; /* EAGAIN, or a connection that died in the queue */
        }
        stun_addr src;
        stun_addr_from_sockaddr(&peer, &src);
        uint8_t key[17];
        stun_source_key(&src, key);
        if (per_source(t, key) >= max_src) {
            close(fd);
            stun_count(&t->counters, C_TCP_REFUSED, 1);
            continue;
        }
        if (t->n_conns >= max) close_most_idle(t);
        add_conn(t, listener, fd, &src, &peer);
    }
}

/* Answers one whole message; false when the connection must go. */
static bool answer(stun_thread *t, stun_conn *c, const uint8_t *msg, size_t len)
{
    stun_count(&t->counters, C_TCP_REQ, 1);
    stun_count(&t->counters, C_BYTES_IN, len);
    stun_addr src;
    stun_addr_from_sockaddr(&c->peer, &src);
    if (!stun_ratelimit_allow(&t->rl, &src, stun_now_us())) {
        stun_count(&t->counters, C_RATE_LIMITED, 1);
        return true;
    }
    stun_answer_ctx ctx;
    struct sockaddr_storage local;
    socklen_t llen = sizeof local;
    stun_addr dst = {0};
    if (c->ep->wildcard && getsockname(c->fd, (struct sockaddr *)&local, &llen) == 0)
        stun_addr_from_sockaddr(&local, &dst);
    stun_answer_ctx_fill(t->srv, c->ep, &dst, true, &ctx);
    uint8_t out[STUN_ANSWER_BUF];
    stun_answer a;
    stun_answer_build(msg, len, &src, &ctx, out, &a);
    if (a.verdict == STUN_DROP) {
        stun_count(&t->counters, C_DROPPED, 1);
        /* Not a request: harmless on a stream; not STUN at all: hang up. */
        return a.reason == STUN_OK || a.reason == STUN_E_FINGERPRINT;
    }
    stun_count(&t->counters, a.verdict == STUN_SUCCESS_RESPONSE ? C_SUCCESS : C_ERRORS, 1);
    if (a.classic) stun_count(&t->counters, C_CLASSIC, 1);
    ssize_t n = send(c->fd, out, a.len, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n != (ssize_t)a.len) {
        stun_count(&t->counters, C_SEND_ERRORS, 1);
        return false;
    }
    stun_count(&t->counters, C_BYTES_OUT, a.len);
    c->last_ms = stun_now_us() / 1000;
    return true;
}

void stun_tcp_readable(stun_thread *t, stun_conn *c)
{
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        conn_close(t, c);
        return;
    }
    c->len += (size_t)n;
    size_t off = 0;
    while (c->len - off >= STUN_HEADER_LEN) {
        size_t fl = stun_frame_length(c->buf + off);
        if (fl == 0 || fl > sizeof c->buf || fl > STUN_ANSWER_MAX_REQUEST) {
            stun_count(&t->counters, C_DROPPED, 1);
            conn_close(t, c);
            return;
        }
        if (c->len - off < fl) break;
        if (!answer(t, c, c->buf + off, fl)) {
            conn_close(t, c);
            return;
        }
        off += fl;
    }
    if (off) memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

void stun_tcp_sweep(stun_thread *t, uint64_t now_ms)
{
    const stun_server_config *cfg = &t->srv->cfg;
    uint64_t idle_ms = (uint64_t)(cfg->tcp_idle_s ? cfg->tcp_idle_s : 30) * 1000;
    uint64_t life_ms = (uint64_t)(cfg->tcp_lifetime_s ? cfg->tcp_lifetime_s : 300) * 1000;
    for (stun_conn *c = t->conns, *next; c; c = next) {
        next = c->next;
        if (now_ms - c->last_ms > idle_ms || now_ms - c->born_ms > life_ms) conn_close(t, c);
    }
    resume_listeners(t);
}

void stun_tcp_close_all(stun_thread *t)
{
    while (t->conns)
        conn_close(t, t->conns);
}

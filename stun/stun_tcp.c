/*
 * STUN over TCP (RFC 8489 6.2.2): messages back to back on the stream, no
 * extra framing. One server thread owns each connection. A peer that sends
 * something that is not STUN, a message larger than the buffer, or does not
 * read its answers is disconnected; nobody else notices.
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

void stun_tcp_accept(stun_thread *t, stun_sock *listener)
{
    unsigned max = t->srv->cfg.max_tcp_per_thread ? t->srv->cfg.max_tcp_per_thread : 1024;
    for (int i = 0; i < STUN_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd =
            accept4(listener->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or a connection that died in the queue */
        stun_conn *c = t->n_conns < max ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            close(fd);
            stun_count(&t->counters, C_TCP_REFUSED, 1);
            continue;
        }
        c->kind = KIND_CONN;
        c->fd = fd;
        c->ep = listener->ep;
        c->peer = peer;
        c->last_ms = stun_now_us() / 1000;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = t->conns;
        if (t->conns) t->conns->prev = c;
        t->conns = c;
        t->n_conns++;
        stun_count(&t->counters, C_TCP_ACCEPTED, 1);
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
    c->last_ms = stun_now_us() / 1000;
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
    unsigned idle_s = t->srv->cfg.tcp_idle_s ? t->srv->cfg.tcp_idle_s : 30;
    for (stun_conn *c = t->conns, *next; c; c = next) {
        next = c->next;
        if (now_ms - c->last_ms > (uint64_t)idle_s * 1000) conn_close(t, c);
    }
}

void stun_tcp_close_all(stun_thread *t)
{
    while (t->conns)
        conn_close(t, t->conns);
}

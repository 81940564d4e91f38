/*
 * STUN server core (stun_server.h): threads, the UDP batch path, counters.
 *
 * Per thread: one epoll, one SO_REUSEPORT socket per endpoint and protocol.
 * UDP datagrams are read STUN_BATCH at a time with recvmmsg, answered by the
 * pure stun_answer_build, and written back with one sendmmsg per sending
 * socket (RFC 5780 answers may leave from another endpoint).
 */
#include "stun_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define DRAIN_ROUNDS 8 /* batches per socket before looking at the others */
#define CMSG_SPACE_PKTINFO                                                                         \
    (CMSG_SPACE(sizeof(struct in6_pktinfo)) > CMSG_SPACE(sizeof(struct in_pktinfo))                \
         ? CMSG_SPACE(sizeof(struct in6_pktinfo))                                                  \
         : CMSG_SPACE(sizeof(struct in_pktinfo)))

/* One datagram in and its answer out. */
typedef struct udp_slot {
    uint8_t in[STUN_ANSWER_MAX_REQUEST + 1];
    uint8_t out[STUN_ANSWER_BUF];
    struct sockaddr_storage peer;
    _Alignas(struct cmsghdr) uint8_t cin[CMSG_SPACE_PKTINFO];
    _Alignas(struct cmsghdr) uint8_t cout[CMSG_SPACE_PKTINFO];
    struct iovec iov_in, iov_out;
    int target; /* endpoint index to send from, -1 = nothing to send */
    size_t out_len, cout_len;
} udp_slot;

typedef struct udp_batch {
    udp_slot slot[STUN_BATCH];
    struct mmsghdr in[STUN_BATCH];
    struct mmsghdr out[STUN_BATCH];
} udp_batch;

/* The local address a datagram was sent to, and its interface. */
static void read_pktinfo(struct msghdr *mh, stun_addr *dst, int *ifindex)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            dst->family = 4;
            memcpy(dst->ip, &pi.ipi_addr, 4);
            *ifindex = pi.ipi_ifindex;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            dst->family = 6;
            memcpy(dst->ip, &pi.ipi6_addr, 16);
            *ifindex = (int)pi.ipi6_ifindex;
        }
    }
}

/* Makes a wildcard socket answer from the address the request was sent to. */
static size_t write_pktinfo(uint8_t *buf, const stun_addr *dst, int ifindex)
{
    struct msghdr mh = {.msg_control = buf, .msg_controllen = CMSG_SPACE_PKTINFO};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    memset(buf, 0, CMSG_SPACE_PKTINFO);
    if (dst->family == 4) {
        struct in_pktinfo pi = {.ipi_ifindex = 0};
        memcpy(&pi.ipi_spec_dst, dst->ip, 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof pi);
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
        return CMSG_SPACE(sizeof pi);
    }
    struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned)ifindex};
    memcpy(&pi.ipi6_addr, dst->ip, 16);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
    return CMSG_SPACE(sizeof pi);
}

static void count_answer(stun_thread *t, const stun_answer *a)
{
    if (a->verdict == STUN_DROP) {
        stun_count(&t->counters, C_DROPPED, 1);
        return;
    }
    stun_count(&t->counters, a->verdict == STUN_SUCCESS_RESPONSE ? C_SUCCESS : C_ERRORS, 1);
    if (a->classic) stun_count(&t->counters, C_CLASSIC, 1);
    if (a->change) stun_count(&t->counters, C_CHANGED, 1);
}

static void udp_answer(stun_thread *t, stun_sock *k, udp_slot *sl, struct msghdr *mh, size_t len,
                       uint64_t now_us)
{
    const struct stun_server *s = t->srv;
    sl->target = -1;
    stun_addr src, dst = {0};
    int ifindex = 0;
    stun_addr_from_sockaddr(&sl->peer, &src);
    if (!stun_ratelimit_allow(&t->rl, &src, now_us)) {
        stun_count(&t->counters, C_RATE_LIMITED, 1);
        return;
    }
    read_pktinfo(mh, &dst, &ifindex);
    stun_answer_ctx ctx;
    stun_answer_ctx_fill(s, k->ep, &dst, false, &ctx);
    stun_answer a;
    stun_answer_build(sl->in, len, &src, &ctx, sl->out, &a);
    count_answer(t, &a);
    if (a.verdict == STUN_DROP) return;
    const stun_endpoint *ep = k->ep;
    sl->target = stun_endpoint_find(s, ep->group, ep->ipi ^ !!(a.change & STUN_CHANGE_IP),
                                    ep->porti ^ !!(a.change & STUN_CHANGE_PORT));
    sl->out_len = a.len;
    sl->cout_len = 0;
    if (a.response_port) {
        if (sl->peer.ss_family == AF_INET)
            ((struct sockaddr_in *)&sl->peer)->sin_port = htons(a.response_port);
        else
            ((struct sockaddr_in6 *)&sl->peer)->sin6_port = htons(a.response_port);
    }
    if (sl->target >= 0 && s->eps[sl->target].wildcard && dst.family)
        sl->cout_len = write_pktinfo(sl->cout, &dst, ifindex);
}

static void udp_send(stun_thread *t, udp_batch *b, int n)
{
    for (int e = 0; e < t->n_udp; e++) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            udp_slot *sl = &b->slot[i];
            if (sl->target != e) continue;
            sl->iov_out = (struct iovec){sl->out, sl->out_len};
            b->out[m].msg_hdr = (struct msghdr){
                .msg_name = &sl->peer,
                .msg_namelen = b->in[i].msg_hdr.msg_namelen,
                .msg_iov = &sl->iov_out,
                .msg_iovlen = 1,
                .msg_control = sl->cout_len ? sl->cout : NULL,
                .msg_controllen = sl->cout_len,
            };
            m++;
        }
        int sent = 0;
        while (sent < m) {
            int r = sendmmsg(t->udp[e].fd, b->out + sent, (unsigned)(m - sent), MSG_DONTWAIT);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) continue;
                /* A full buffer or an unreachable peer: drop this one, go on. */
                stun_count(&t->counters, C_SEND_ERRORS, 1);
                sent++;
                continue;
            }
            for (int i = sent; i < sent + r; i++)
                stun_count(&t->counters, C_BYTES_OUT, b->out[i].msg_hdr.msg_iov->iov_len);
            sent += r;
        }
    }
}

static void udp_drain(stun_thread *t, stun_sock *k, udp_batch *b)
{
    for (int round = 0; round < DRAIN_ROUNDS; round++) {
        for (int i = 0; i < STUN_BATCH; i++) {
            udp_slot *sl = &b->slot[i];
            sl->iov_in = (struct iovec){sl->in, sizeof sl->in};
            b->in[i].msg_hdr = (struct msghdr){
                .msg_name = &sl->peer,
                .msg_namelen = sizeof sl->peer,
                .msg_iov = &sl->iov_in,
                .msg_iovlen = 1,
                .msg_control = sl->cin,
                .msg_controllen = sizeof sl->cin,
            };
        }
        int n = recvmmsg(k->fd, b->in, STUN_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) return;
        uint64_t now = stun_now_us();
        stun_count(&t->counters, C_UDP_REQ, (uint64_t)n);
        for (int i = 0; i < n; i++) {
            stun_count(&t->counters, C_BYTES_IN, b->in[i].msg_len);
            /* A truncated datagram is larger than any request we answer. */
            size_t len = b->in[i].msg_len;
            if (b->in[i].msg_hdr.msg_flags & MSG_TRUNC) len = sizeof b->slot[i].in;
            udp_answer(t, k, &b->slot[i], &b->in[i].msg_hdr, len, now);
        }
        udp_send(t, b, n);
        if (n < STUN_BATCH) return;
    }
}

static void *thread_main(void *arg)
{
    stun_thread *t = arg;
    udp_batch *b = malloc(sizeof *b);
    if (!b) return NULL;
    struct epoll_event evs[64];
    uint64_t last_sweep = stun_now_us() / 1000;
    while (!atomic_load_explicit(&t->srv->stop, memory_order_acquire)) {
        int n = epoll_wait(t->epfd, evs, 64, 1000);
        /* Accepting may close another connection (a full table): only
         * after the batch, whose events may point at it. */
        stun_sock *listeners[64];
        int n_listeners = 0;
        for (int i = 0; i < n; i++) {
            int kind = *(int *)evs[i].data.ptr;
            if (kind == KIND_UDP)
                udp_drain(t, evs[i].data.ptr, b);
            else if (kind == KIND_LISTENER)
                listeners[n_listeners++] = evs[i].data.ptr;
            else if (kind == KIND_CONN)
                stun_tcp_readable(t, evs[i].data.ptr);
        }
        for (int i = 0; i < n_listeners; i++)
            stun_tcp_accept(t, listeners[i]);
        uint64_t now_ms = stun_now_us() / 1000;
        if (now_ms - last_sweep >= 1000) {
            stun_tcp_sweep(t, now_ms);
            last_sweep = now_ms;
        }
    }
    free(b);
    return NULL;
}

/* ---- lifetime ---- */

static int watch(stun_thread *t, stun_sock *k)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = k};
    return epoll_ctl(t->epfd, EPOLL_CTL_ADD, k->fd, &ev);
}

static void set_port(struct stun_server *s, uint16_t port)
{
    s->port = port;
    for (int i = 0; i < s->n_eps; i++) {
        if (s->eps[i].porti) continue;
        if (s->eps[i].addr.ss_family == AF_INET)
            ((struct sockaddr_in *)&s->eps[i].addr)->sin_port = htons(port);
        else
            ((struct sockaddr_in6 *)&s->eps[i].addr)->sin6_port = htons(port);
    }
}

/* With port 0, the first socket picks the port every other one uses. */
static void learn_port(struct stun_server *s, int fd)
{
    if (s->port) return;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return;
    stun_addr a;
    stun_addr_from_sockaddr(&ss, &a);
    set_port(s, a.port);
}

static int open_thread_sockets(struct stun_server *s, stun_thread *t, char *err, size_t err_len,
                               bool *inuse)
{
    for (int proto = 0; proto < 2; proto++) {
        bool tcp = proto == 1;
        if ((tcp && !s->cfg.tcp) || (!tcp && !s->cfg.udp)) continue;
        for (int e = 0; e < s->n_eps; e++) {
            int fd = stun_socket_open(&s->eps[e], tcp, err, err_len, inuse);
            if (fd < 0) return -1;
            learn_port(s, fd);
            stun_sock *k = tcp ? &t->tcp[e] : &t->udp[e];
            *k = (stun_sock){
                .kind = tcp ? KIND_LISTENER : KIND_UDP, .fd = fd, .index = e, .ep = &s->eps[e]};
            if (tcp)
                t->n_tcp = e + 1;
            else
                t->n_udp = e + 1;
            if (watch(t, k) != 0) {
                snprintf(err, err_len, "epoll: %s", strerror(errno));
                return -1;
            }
        }
    }
    return 0;
}

static int thread_init(struct stun_server *s, stun_thread *t, char *err, size_t err_len,
                       bool *inuse)
{
    t->srv = s;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (t->epfd < 0 || stun_ratelimit_init(&t->rl, s->cfg.rate, s->cfg.burst) != 0) {
        snprintf(err, err_len, "out of resources: %s", strerror(errno));
        return -1;
    }
    t->wake = (stun_sock){.kind = KIND_WAKE, .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
    if (t->wake.fd < 0 || watch(t, &t->wake) != 0) {
        snprintf(err, err_len, "eventfd: %s", strerror(errno));
        return -1;
    }
    return open_thread_sockets(s, t, err, err_len, inuse);
}

/* With a fixed port, every endpoint must be free before SO_REUSEPORT
 * sockets go on it (port 0 picks a fresh port: nothing to check). */
static int probe_ports(struct stun_server *s, char *err, size_t err_len, bool *inuse)
{
    if (!s->cfg.port) return 0;
    for (int e = 0; e < s->n_eps; e++) {
        if (s->cfg.udp && stun_socket_probe(&s->eps[e], false, err, err_len, inuse) != 0) return -1;
        if (s->cfg.tcp && stun_socket_probe(&s->eps[e], true, err, err_len, inuse) != 0) return -1;
    }
    return 0;
}

static int validate(const stun_server_config *cfg, char *err, size_t err_len)
{
    if (cfg->n_listen < 1 || cfg->n_listen > STUN_SERVER_MAX_LISTEN)
        snprintf(err, err_len, "between 1 and %d listen addresses", STUN_SERVER_MAX_LISTEN);
    else if (cfg->threads < 1 || cfg->threads > STUN_SERVER_MAX_THREADS)
        snprintf(err, err_len, "threads must be from 1 to %d", STUN_SERVER_MAX_THREADS);
    else if (!cfg->udp && !cfg->tcp)
        snprintf(err, err_len, "neither UDP nor TCP enabled");
    else
        return 0;
    return -1;
}

stun_server *stun_server_start(const stun_server_config *cfg, char *err, size_t err_len,
                               bool *eaddrinuse)
{
    if (eaddrinuse) *eaddrinuse = false;
    if (validate(cfg, err, err_len) != 0) return NULL;
    struct stun_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    s->port = cfg->port;
    s->software = cfg->software && *cfg->software ? strdup(cfg->software) : NULL;
    s->threads = calloc((size_t)cfg->threads, sizeof *s->threads);
    if (!s->threads || stun_endpoints_plan(s, err, err_len) != 0) {
        stun_server_stop(s);
        return NULL;
    }
    s->n_threads = cfg->threads;
    for (int i = 0; i < s->n_threads; i++)
        s->threads[i].epfd = s->threads[i].wake.fd = -1;
    if (probe_ports(s, err, err_len, eaddrinuse) != 0) {
        stun_server_stop(s);
        return NULL;
    }
    for (int i = 0; i < s->n_threads; i++) {
        if (thread_init(s, &s->threads[i], err, err_len, eaddrinuse) != 0) {
            stun_server_stop(s);
            return NULL;
        }
    }
    for (int i = 0; i < s->n_threads; i++) {
        if (pthread_create(&s->threads[i].tid, NULL, thread_main, &s->threads[i]) != 0) {
            snprintf(err, err_len, "cannot start a thread");
            stun_server_stop(s);
            return NULL;
        }
        s->threads[i].started = true;
    }
    return s;
}

uint16_t stun_server_port(const stun_server *s)
{
    return s->port;
}

void stun_server_stop(stun_server *s)
{
    if (!s) return;
    atomic_store_explicit(&s->stop, true, memory_order_release);
    for (int i = 0; i < s->n_threads; i++) {
        stun_thread *t = &s->threads[i];
        uint64_t one = 1;
        if (t->wake.fd >= 0 && write(t->wake.fd, &one, sizeof one) < 0) {
            /* The thread still sees the flag within a second. */
        }
    }
    for (int i = 0; i < s->n_threads; i++) {
        stun_thread *t = &s->threads[i];
        if (t->started) pthread_join(t->tid, NULL);
        stun_tcp_close_all(t);
        for (int k = 0; k < t->n_udp; k++)
            close(t->udp[k].fd);
        for (int k = 0; k < t->n_tcp; k++)
            close(t->tcp[k].fd);
        if (t->wake.fd >= 0) close(t->wake.fd);
        if (t->epfd >= 0) close(t->epfd);
        stun_ratelimit_free(&t->rl);
    }
    free(s->threads);
    free(s->software);
    free(s);
}

void stun_server_counters(const stun_server *s, stun_counters *out)
{
    uint64_t v[C_COUNT] = {0};
    for (int i = 0; i < s->n_threads; i++)
        for (int k = 0; k < C_COUNT; k++)
            v[k] += atomic_load_explicit(&s->threads[i].counters.v[k], memory_order_relaxed);
    *out = (stun_counters){
        .udp_requests = v[C_UDP_REQ],
        .tcp_requests = v[C_TCP_REQ],
        .success = v[C_SUCCESS],
        .errors = v[C_ERRORS],
        .classic = v[C_CLASSIC],
        .changed = v[C_CHANGED],
        .dropped = v[C_DROPPED],
        .rate_limited = v[C_RATE_LIMITED],
        .send_errors = v[C_SEND_ERRORS],
        .tcp_accepted = v[C_TCP_ACCEPTED],
        .tcp_refused = v[C_TCP_REFUSED],
        .tcp_closed = v[C_TCP_CLOSED],
        .bytes_in = v[C_BYTES_IN],
        .bytes_out = v[C_BYTES_OUT],
        .tcp_paused = v[C_TCP_PAUSED],
    };
}

int stun_counters_format(const stun_counters *c, const char *p, char *buf, size_t cap)
{
    const struct {
        const char *name, *help;
        uint64_t v;
    } rows[] = {
        {"udp_requests_total", "STUN datagrams received", c->udp_requests},
        {"tcp_requests_total", "STUN messages received over TCP", c->tcp_requests},
        {"success_responses_total", "Binding success responses sent", c->success},
        {"error_responses_total", "STUN error responses sent (400, 420)", c->errors},
        {"classic_responses_total", "answers to RFC 3489 requests", c->classic},
        {"changed_responses_total", "answers sent from the other address or port (RFC 5780)",
         c->changed},
        {"dropped_total", "messages ignored: not STUN, not a request", c->dropped},
        {"rate_limited_total", "requests dropped by the per-source limit", c->rate_limited},
        {"send_errors_total", "responses the kernel refused", c->send_errors},
        {"tcp_accepted_total", "TCP connections accepted", c->tcp_accepted},
        {"tcp_refused_total", "TCP connections refused over the per-source limit", c->tcp_refused},
        {"tcp_closed_total", "TCP connections closed", c->tcp_closed},
        {"tcp_accept_paused_total", "times accepting stopped for lack of file descriptors",
         c->tcp_paused},
        {"received_bytes_total", "STUN bytes received", c->bytes_in},
        {"sent_bytes_total", "STUN bytes sent", c->bytes_out},
    };
    size_t off = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int n =
            snprintf(buf + (off < cap ? off : cap), off < cap ? cap - off : 0,
                     "# HELP %s_%s %s\n# TYPE %s_%s counter\n%s_%s %llu\n", p, rows[i].name,
                     rows[i].help, p, rows[i].name, p, rows[i].name, (unsigned long long)rows[i].v);
        if (n < 0) return n;
        off += (size_t)n;
    }
    return (int)off;
}

/*
 * Local addresses of the STUN server: which endpoints exist, opening their
 * SO_REUSEPORT sockets, and the answer context of each (stun_internal.h).
 */
#include "stun_internal.h"
#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t stun_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool is_wildcard(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static int add_endpoint(struct stun_server *s, int group, int ipi, int porti, const char *ip,
                        uint16_t port, char *err, size_t err_len)
{
    stun_endpoint *ep = &s->eps[s->n_eps];
    memset(ep, 0, sizeof *ep);
    if (!netaddr_parse(ip, port, &ep->addr, &ep->addr_len)) {
        snprintf(err, err_len, "'%s' is not an IPv4 or IPv6 address", ip);
        return -1;
    }
    ep->group = group;
    ep->ipi = ipi;
    ep->porti = porti;
    ep->wildcard = is_wildcard(&ep->addr);
    s->n_eps++;
    return 0;
}

int stun_endpoints_plan(struct stun_server *s, char *err, size_t err_len)
{
    const stun_server_config *c = &s->cfg;
    for (int i = 0; i < c->n_listen; i++)
        if (add_endpoint(s, i, 0, 0, c->listen[i], c->port, err, err_len) < 0) return -1;
    if (!c->alt_address) return 0;
    if (s->eps[0].wildcard) {
        snprintf(err, err_len,
                 "an alternate address (RFC 5780) needs a specific first listen address, not %s",
                 c->listen[0]);
        return -1;
    }
    if (!c->alt_port || c->alt_port == c->port) {
        snprintf(err, err_len, "the alternate port must differ from the port");
        return -1;
    }
    if (add_endpoint(s, 0, 0, 1, c->listen[0], c->alt_port, err, err_len) < 0 ||
        add_endpoint(s, 0, 1, 0, c->alt_address, c->port, err, err_len) < 0 ||
        add_endpoint(s, 0, 1, 1, c->alt_address, c->alt_port, err, err_len) < 0)
        return -1;
    if (s->eps[0].addr.ss_family != s->eps[s->n_eps - 1].addr.ss_family) {
        snprintf(err, err_len, "the alternate address must be of the first address's family");
        return -1;
    }
    return 0;
}

int stun_endpoint_find(const struct stun_server *s, int group, int ipi, int porti)
{
    for (int i = 0; i < s->n_eps; i++)
        if (s->eps[i].group == group && s->eps[i].ipi == ipi && s->eps[i].porti == porti) return i;
    return -1;
}

static void describe(const stun_endpoint *ep, bool tcp, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    uint16_t port;
    if (ep->addr.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ep->addr;
        inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
        port = ntohs(v4->sin_port);
    } else {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ep->addr;
        inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
        port = ntohs(v6->sin6_port);
    }
    bool v6 = ep->addr.ss_family == AF_INET6;
    snprintf(out, len, "%s %s%s%s:%u", tcp ? "TCP" : "UDP", v6 ? "[" : "", ip, v6 ? "]" : "",
             (unsigned)port);
}

static int fail(int fd, const stun_endpoint *ep, bool tcp, const char *what, char *err,
                size_t err_len, bool *eaddrinuse)
{
    int e = errno;
    char where[80];
    describe(ep, tcp, where, sizeof where);
    snprintf(err, err_len, "%s: %s: %s", where, what, strerror(e));
    if (eaddrinuse) *eaddrinuse = e == EADDRINUSE;
    if (fd >= 0) close(fd);
    return -1;
}

static int fail(int fd, const stun_endpoint *ep, bool tcp, const char *what, char *err,
                size_t err_len, bool *eaddrinuse);

int stun_socket_probe(const stun_endpoint *ep, bool tcp, char *err, size_t err_len,
                      bool *eaddrinuse)
{
    int fd = socket(ep->addr.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(fd, ep, tcp, "socket", err, err_len, eaddrinuse);
    int one = 1;
    /* TIME_WAIT leftovers are no owner; a bound socket is. */
    if (tcp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ep->addr.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&ep->addr, ep->addr_len) != 0)
        return fail(fd, ep, tcp, "bind", err, err_len, eaddrinuse);
    close(fd);
    return 0;
}

int stun_socket_open(const stun_endpoint *ep, bool tcp, char *err, size_t err_len, bool *eaddrinuse)
{
    int fam = ep->addr.ss_family;
    int fd = socket(fam, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(fd, ep, tcp, "socket", err, err_len, eaddrinuse);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (tcp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fam == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (!tcp) {
        /* The destination address of each datagram, on wildcard sockets:
         * they answer from it, and RESPONSE-ORIGIN names it. */
        if (ep->wildcard && fam == AF_INET)
            setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        else if (ep->wildcard)
            setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
        /* A burst arriving while the thread is descheduled must not
         * overflow the default ~200 KiB (each datagram costs ~1 KiB of
         * buffer): ask for more, beyond rmem_max when privileged. */
        int rcv = STUN_UDP_RCVBUF, snd = STUN_UDP_SNDBUF;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) != 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    } else {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (bind(fd, (const struct sockaddr *)&ep->addr, ep->addr_len) != 0)
        return fail(fd, ep, tcp, "bind", err, err_len, eaddrinuse);
    if (tcp && listen(fd, 256) != 0) return fail(fd, ep, tcp, "listen", err, err_len, eaddrinuse);
    return fd;
}

void stun_addr_from_sockaddr(const struct sockaddr_storage *ss, stun_addr *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
        a->family = 4;
        a->port = ntohs(v4->sin_port);
        memcpy(a->ip, &v4->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
        a->family = 6;
        a->port = ntohs(v6->sin6_port);
        memcpy(a->ip, &v6->sin6_addr, 16);
    }
}

void stun_answer_ctx_fill(const struct stun_server *s, const stun_endpoint *ep,
                          const stun_addr *dst, bool tcp, stun_answer_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->tcp = tcp;
    ctx->software = s->software;
    for (int ipi = 0; ipi < 2; ipi++) {
        for (int porti = 0; porti < 2; porti++) {
            int k = stun_endpoint_find(s, ep->group, ep->ipi ^ ipi, ep->porti ^ porti);
            if (k < 0) continue;
            stun_addr_from_sockaddr(&s->eps[k].addr, &ctx->self[ipi][porti]);
        }
    }
    /* A wildcard endpoint is known by the address the client used. */
    if (ep->wildcard && dst && dst->family) memcpy(ctx->self[0][0].ip, dst->ip, 16);
}

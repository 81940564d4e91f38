/*
 * Internals of the STUN server core, shared by stun_server.c (threads, UDP),
 * stun_tcp.c, stun_sockets.c and stun_ratelimit.c. Everything in a
 * stun_thread belongs to that thread, except the counters, which other
 * threads read (relaxed atomics, single writer).
 */
#ifndef CONFAB_STUN_INTERNAL_H
#define CONFAB_STUN_INTERNAL_H

#include "stun_answer.h"
#include "stun_server.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#define STUN_BATCH       32
#define STUN_MAX_SOCKETS (STUN_SERVER_MAX_LISTEN + 3) /* group 0 has 4 with RFC 5780 */
#define STUN_RL_SLOTS    4096                         /* per thread, power of two */
#define STUN_TCP_BUF     STUN_ANSWER_MAX_REQUEST
#define STUN_UDP_RCVBUF  (4 << 20)
#define STUN_UDP_SNDBUF  (1 << 20)

enum stun_kind { KIND_UDP, KIND_LISTENER, KIND_CONN, KIND_WAKE };

/* One local transport address: the address family, group (which --listen
 * it belongs to) and position in the RFC 5780 square. */
typedef struct stun_endpoint {
    int group;
    int ipi, porti; /* 0 = primary, 1 = alternate */
    bool wildcard;  /* bound to 0.0.0.0 / :: */
    struct sockaddr_storage addr;
    socklen_t addr_len;
} stun_endpoint;

typedef struct stun_sock {
    int kind; /* first: epoll data.ptr points here */
    int fd;
    int index;   /* in the thread's udp[] or tcp[] */
    bool paused; /* a listener out of file descriptors: unwatched until the sweep */
    const stun_endpoint *ep;
} stun_sock;

typedef struct stun_conn {
    int kind;
    int fd;
    struct stun_conn *prev, *next;
    const stun_endpoint *ep;
    struct sockaddr_storage peer;
    uint8_t source[17]; /* stun_source_key of peer */
    uint64_t born_ms;
    uint64_t last_ms; /* accepted, or the last message answered */
    size_t len;
    uint8_t buf[STUN_TCP_BUF];
} stun_conn;

/* A source's rate-limit key: family + address; IPv6 is keyed on its /64
 * (the rest zero), since one subscriber usually holds a whole /64. */
typedef struct stun_rl_slot {
    uint8_t key[17];
    uint8_t used;
    int64_t tokens_u; /* micro-tokens */
    uint64_t last_us;
} stun_rl_slot;

typedef struct stun_ratelimit {
    unsigned rate, burst;
    uint64_t k0, k1;     /* SipHash key, random per table */
    stun_rl_slot *slots; /* STUN_RL_SLOTS */
} stun_ratelimit;

enum {
    C_UDP_REQ,
    C_TCP_REQ,
    C_SUCCESS,
    C_ERRORS,
    C_CLASSIC,
    C_CHANGED,
    C_DROPPED,
    C_RATE_LIMITED,
    C_SEND_ERRORS,
    C_TCP_ACCEPTED,
    C_TCP_REFUSED,
    C_TCP_CLOSED,
    C_BYTES_IN,
    C_BYTES_OUT,
    C_TCP_PAUSED,
    C_COUNT
};

/* Per-thread counters: one writer (the thread), any readers. */
typedef struct stun_thread_counters {
    _Alignas(64) atomic_uint_fast64_t v[C_COUNT];
} stun_thread_counters;

static inline void stun_count(stun_thread_counters *c, int i, uint64_t n)
{
    /* Single writer: a plain load and store, no locked instruction. */
    atomic_store_explicit(&c->v[i], atomic_load_explicit(&c->v[i], memory_order_relaxed) + n,
                          memory_order_relaxed);
}

struct stun_server;

typedef struct stun_thread {
    struct stun_server *srv;
    pthread_t tid;
    bool started;
    int epfd;
    stun_sock wake;
    stun_sock udp[STUN_MAX_SOCKETS];
    int n_udp;
    stun_sock tcp[STUN_MAX_SOCKETS];
    int n_tcp;
    stun_conn *conns; /* list head */
    unsigned n_conns;
    stun_ratelimit rl;
    stun_thread_counters counters;
} stun_thread;

struct stun_server {
    stun_server_config cfg;
    char *software;
    stun_endpoint eps[STUN_MAX_SOCKETS];
    int n_eps;
    uint16_t port;
    atomic_bool stop;
    int n_threads;
    stun_thread *threads;
};

/* stun_sockets.c */
int stun_endpoints_plan(struct stun_server *s, char *err, size_t err_len);
int stun_socket_open(const stun_endpoint *ep, bool tcp, char *err, size_t err_len,
                     bool *eaddrinuse);
/* SO_REUSEPORT would let us share a port another process already serves
 * (same user): a plain bind first tells whether it is free. 0 = free. */
int stun_socket_probe(const stun_endpoint *ep, bool tcp, char *err, size_t err_len,
                      bool *eaddrinuse);
void stun_addr_from_sockaddr(const struct sockaddr_storage *ss, stun_addr *a);
/* The answer context for a request that reached ep at local address dst
 * (dst matters for wildcard endpoints; NULL = ep's own address). */
void stun_answer_ctx_fill(const struct stun_server *s, const stun_endpoint *ep,
                          const stun_addr *dst, bool tcp, stun_answer_ctx *ctx);
/* The endpoint of the same group at [ipi][porti], or NULL. */
int stun_endpoint_find(const struct stun_server *s, int group, int ipi, int porti);
uint64_t stun_now_us(void);

/* stun_ratelimit.c */
int stun_ratelimit_init(stun_ratelimit *rl, unsigned rate, unsigned burst);
void stun_ratelimit_free(stun_ratelimit *rl);
bool stun_ratelimit_allow(stun_ratelimit *rl, const stun_addr *src, uint64_t now_us);
/* Test hooks: a fixed key, and the first of the PROBES slots src maps to. */
void stun_ratelimit_set_key(stun_ratelimit *rl, uint64_t k0, uint64_t k1);
uint32_t stun_ratelimit_home(const stun_ratelimit *rl, const stun_addr *src);
/* The key of src as the table and the TCP per-source cap see it. */
void stun_source_key(const stun_addr *src, uint8_t key[17]);

/* stun_tcp.c */
void stun_tcp_accept(stun_thread *t, stun_sock *listener);
void stun_tcp_readable(stun_thread *t, stun_conn *c);
void stun_tcp_sweep(stun_thread *t, uint64_t now_ms);
void stun_tcp_close_all(stun_thread *t);

#endif

/*
 * The STUN server core: UDP and TCP Binding service on its own threads.
 *
 * Ownership and threads: stun_server_start creates the sockets and
 * cfg->threads threads; each thread owns one SO_REUSEPORT socket per
 * address/port/protocol (the kernel spreads clients over them), its TCP
 * connections, its rate-limit table and its counter block. Nothing is
 * shared between server threads. The caller's thread (any one, but only
 * one) calls stun_server_stop; stun_server_counters may be called from any
 * thread at any time while the server exists (it reads the per-thread
 * counters with relaxed atomics).
 */
#ifndef CONFAB_STUN_SERVER_H
#define CONFAB_STUN_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_DEFAULT_PORT       3478
#define STUN_SERVER_MAX_LISTEN  4
#define STUN_SERVER_MAX_THREADS 64

typedef struct stun_server_config {
    /* IP literals to listen on; "0.0.0.0" / "::" listen on every address
     * (responses then leave from the address the request was sent to). */
    const char *listen[STUN_SERVER_MAX_LISTEN];
    int n_listen;
    uint16_t port; /* 0 = any free port (the same one for UDP and TCP) */
    /* RFC 5780: a second IP address of this host (same family as listen[0],
     * which must then be a specific address) and a second port. Both set,
     * or neither. */
    const char *alt_address;
    uint16_t alt_port;
    int threads; /* >= 1 */
    bool udp, tcp;
    const char *software; /* SOFTWARE attribute; NULL or "" = none */
    /* Per-source-address (IPv6: per /64) token bucket (requests per second,
     * burst); rate 0 = no limit. Kept per thread: SO_REUSEPORT sends one client's 5-tuple to
     * one thread, so a source spreading over ports gets at most threads x
     * rate. */
    unsigned rate, burst;
    /* TCP: connections per thread (when full, the longest idle one makes
     * room for a new one), per source address (IPv6: per /64) and thread,
     * seconds without an answered message, and seconds in all. */
    unsigned max_tcp_per_thread; /* 0 = 1024 */
    unsigned max_tcp_per_source; /* 0 = 8 */
    unsigned tcp_idle_s;         /* 0 = 30 */
    unsigned tcp_lifetime_s;     /* 0 = 300 */
} stun_server_config;

/* Counter totals over all threads. */
typedef struct stun_counters {
    uint64_t udp_requests; /* datagrams received */
    uint64_t tcp_requests; /* messages received over TCP */
    uint64_t success;      /* Binding success responses sent */
    uint64_t errors;       /* error responses sent (400, 420) */
    uint64_t classic;      /* answers to RFC 3489 requests */
    uint64_t changed;      /* answers sent from another address/port (RFC 5780) */
    uint64_t dropped;      /* ignored: not STUN, not a request, bad FINGERPRINT */
    uint64_t rate_limited; /* dropped by the per-source limit */
    uint64_t send_errors;  /* responses the kernel refused */
    uint64_t tcp_accepted; /* TCP connections accepted */
    uint64_t tcp_refused;  /* ... closed at once: over the per-source limit */
    uint64_t tcp_closed;   /* TCP connections closed (any reason) */
    uint64_t bytes_in, bytes_out;
    uint64_t tcp_paused; /* accepting stopped for lack of descriptors (EMFILE, ...) */
} stun_counters;

typedef struct stun_server stun_server;

/* Opens every socket and starts the threads. NULL on failure, with a
 * message in err (e.g. "UDP 0.0.0.0:3478: Address already in use");
 * *eaddrinuse tells whether that was the cause (may be NULL). */
stun_server *stun_server_start(const stun_server_config *cfg, char *err, size_t err_len,
                               bool *eaddrinuse);
uint16_t stun_server_port(const stun_server *s);
void stun_server_counters(const stun_server *s, stun_counters *out);
/* Stops and joins the threads, closes every socket, frees s (NULL is fine). */
void stun_server_stop(stun_server *s);

/* Prometheus text exposition of c, metric names prefixed with prefix
 * (e.g. "confab_stun"). Returns the length written (snprintf semantics). */
int stun_counters_format(const stun_counters *c, const char *prefix, char *buf, size_t cap);

#endif

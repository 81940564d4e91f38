/*
 * Where the bench may send: a ws:// URL, resolved without DNS, and the
 * rule that keeps a load generator from loading anyone else's machine.
 */
#ifndef CONFAB_BENCH_TARGET_H
#define CONFAB_BENCH_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct bench_target {
    char host[64];        /* as written in the URL, brackets removed */
    char host_header[80]; /* host[:port] as the Host header wants it */
    char path[256];       /* "/ws" */
    unsigned port;
    struct sockaddr_storage addr;
    socklen_t addrlen;
} bench_target;

/* Parses ws://HOST[:PORT][/PATH] where HOST is an IPv4 literal, a
 * bracketed IPv6 literal or "localhost" (names are not resolved: the bench
 * must know exactly where it sends). Returns 0, or -1 with err filled. */
int target_parse_url(const char *url, bench_target *t, char *err, size_t errlen);

/* True when addr is loopback (127.0.0.0/8, ::1) or an address of an
 * interface of the bench's own network namespace. */
bool target_is_allowed(const struct sockaddr *addr);

/* Both of the above for a mode's --url: 0, or -1 after saying why on
 * stderr. */
int target_resolve(const char *url, bench_target *t);

/* After a mode's getopt loop: no stray arguments left, and --url given.
 * 0, or -1 after saying which on stderr. */
int target_args_done(int argc, char **argv, int optind_after, const char *url);

#endif

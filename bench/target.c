/*
 * URL parsing and the target address rule. See target.h.
 */
#include "target.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* Splits "HOST[:PORT]" or "[V6][:PORT]" into t->host and t->port. */
static int parse_authority(const char *a, size_t len, bench_target *t, char *err, size_t errlen)
{
    const char *port = NULL, *h = a, *he;
    if (len > 0 && a[0] == '[') {
        he = memchr(a, ']', len);
        if (!he) return fail(err, errlen, "unterminated [ in the URL host");
        h = a + 1;
        if (he + 1 < a + len) {
            if (he[1] != ':') return fail(err, errlen, "junk after ] in the URL host");
            port = he + 2;
        }
    } else {
        he = memchr(a, ':', len);
        if (he)
            port = he + 1;
        else
            he = a + len;
    }
    if (he == h || (size_t)(he - h) >= sizeof t->host) return fail(err, errlen, "bad URL host");
    memcpy(t->host, h, (size_t)(he - h));
    t->host[he - h] = 0;
    t->port = 80;
    if (port) {
        char *end;
        unsigned long p = strtoul(port, &end, 10);
        if (end != a + len || end == port || p == 0 || p > 65535)
            return fail(err, errlen, "bad URL port");
        t->port = (unsigned)p;
    }
    return 0;
}

static int resolve(bench_target *t, char *err, size_t errlen)
{
    const char *lit = strcmp(t->host, "localhost") == 0 ? "127.0.0.1" : t->host;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&t->addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->addr;
    memset(&t->addr, 0, sizeof t->addr);
    if (inet_pton(AF_INET, lit, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)t->port);
        t->addrlen = sizeof *v4;
    } else if (inet_pton(AF_INET6, lit, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)t->port);
        t->addrlen = sizeof *v6;
    } else {
        return fail(err, errlen, "the URL host must be an IP literal or localhost");
    }
    bool v6host = strchr(t->host, ':') != NULL;
    snprintf(t->host_header, sizeof t->host_header, "%s%s%s:%u", v6host ? "[" : "", t->host,
             v6host ? "]" : "", t->port);
    return 0;
}

int target_parse_url(const char *url, bench_target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (strncmp(url, "ws://", 5) != 0) return fail(err, errlen, "the URL must start with ws://");
    const char *a = url + 5;
    const char *slash = strchr(a, '/');
    size_t alen = slash ? (size_t)(slash - a) : strlen(a);
    if (parse_authority(a, alen, t, err, errlen) < 0) return -1;
    const char *path = slash ? slash : "/";
    if (strlen(path) >= sizeof t->path) return fail(err, errlen, "URL path too long");
    strcpy(t->path, path);
    return resolve(t, err, errlen);
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family) return false;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

bool target_is_allowed(const struct sockaddr *addr)
{
    if (addr->sa_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr);
        if ((a >> 24) == 127) return true;
    } else if (addr->sa_family == AF_INET6) {
        if (IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)addr)->sin6_addr)) return true;
    } else {
        return false;
    }
    /* getifaddrs lists only this network namespace's interfaces. */
    struct ifaddrs *ifs, *i;
    if (getifaddrs(&ifs) < 0) return false;
    bool found = false;
    for (i = ifs; i && !found; i = i->ifa_next)
        found = i->ifa_addr && same_addr(i->ifa_addr, addr);
    freeifaddrs(ifs);
    return found;
}

int target_resolve(const char *url, bench_target *t)
{
    char err[128];
    if (target_parse_url(url, t, err, sizeof err) < 0) {
        fprintf(stderr, "confab-bench: %s: %s\n", url, err);
        return -1;
    }
    if (!target_is_allowed((const struct sockaddr *)&t->addr)) {
        fprintf(stderr,
                "confab-bench: refusing %s: only loopback or an address of this network "
                "namespace's own interfaces may be targeted\n",
                t->host);
        return -1;
    }
    return 0;
}

int target_args_done(int argc, char **argv, int optind_after, const char *url)
{
    if (optind_after < argc) {
        fprintf(stderr, "confab-bench: unexpected argument '%s'\n", argv[optind_after]);
        return -1;
    }
    if (!url) {
        fprintf(stderr, "confab-bench: --url is required\n");
        return -1;
    }
    return 0;
}

/*
 * Origin checking (origin.h).
 */
#include "origin.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
           c == '~' || c == '%';
}

static bool ipv6_char(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Copies the host (a name, an IPv4 address or a bracketed IPv6 address) in
 * lowercase; returns its length in the input, or 0 when it is not one. */
static size_t copy_host(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    bool bracket = in[0] == '[';
    if (bracket) out[n++] = '[';
    for (size_t i = bracket; in[i] && n + 2 < cap; i++) {
        char c = lower(in[i]);
        if (bracket && c == ']') {
            if (n == 1) return 0;
            out[n++] = ']';
            out[n] = '\0';
            return i + 1;
        }
        if (!bracket && (c == ':' || c == '/')) break;
        if (bracket ? !ipv6_char(c) : !host_char(c)) return 0;
        out[n++] = c;
    }
    if (bracket || n == 0) return 0;
    out[n] = '\0';
    return n;
}

/* Parses ":digits" at p (or nothing); *port gets 0 when absent. Returns the
 * bytes used, or -1 when malformed. */
static int parse_port(const char *p, long *port)
{
    *port = 0;
    if (*p != ':') return 0;
    int i = 1;
    long v = 0;
    for (; p[i] >= '0' && p[i] <= '9'; i++) {
        v = v * 10 + (p[i] - '0');
        if (v > 65535) return -1;
    }
    if (i == 1 || v == 0) return -1;
    *port = v;
    return i;
}

bool origin_normalize(const char *origin, char out[ORIGIN_MAX])
{
    if (!origin || strlen(origin) >= ORIGIN_MAX) return false;
    bool tls;
    if (strncasecmp(origin, "http://", 7) == 0)
        tls = false;
    else if (strncasecmp(origin, "https://", 8) == 0)
        tls = true;
    else
        return false;
    const char *p = origin + (tls ? 8 : 7);
    char host[ORIGIN_MAX];
    size_t used = copy_host(p, host, sizeof host);
    if (used == 0) return false;
    p += used;
    long port;
    int pl = parse_port(p, &port);
    if (pl < 0) return false;
    p += pl;
    if (*p == '/') p++;
    if (*p) return false;
    if (port == (tls ? 443 : 80)) port = 0;
    const char *scheme = tls ? "https" : "http";
    int n = port ? snprintf(out, ORIGIN_MAX, "%s://%s:%ld", scheme, host, port)
                 : snprintf(out, ORIGIN_MAX, "%s://%s", scheme, host);
    /* An origin too long to write out is not one we allow. */
    return n > 0 && n < ORIGIN_MAX;
}

static bool same_site_as_host(const char *norm, const char *host)
{
    if (!host || strlen(host) > ORIGIN_MAX - 16) return false;
    char url[ORIGIN_MAX], mine[ORIGIN_MAX];
    const char *schemes[2] = {"http", "https"};
    for (int i = 0; i < 2; i++) {
        snprintf(url, sizeof url, "%s://%s", schemes[i], host);
        if (origin_normalize(url, mine) && strcmp(mine, norm) == 0) return true;
    }
    return false;
}

static bool is_loopback(const char *norm)
{
    const char *host = strstr(norm, "://") + 3;
    const char *names[3] = {"localhost", "127.0.0.1", "[::1]"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(host, names[i], n) == 0 && (host[n] == '\0' || host[n] == ':')) return true;
    }
    return false;
}

bool origin_allowed(const char *origin, const char *host, const char *const *allowed, int n_allowed)
{
    if (!origin) return true;
    char norm[ORIGIN_MAX];
    if (!origin_normalize(origin, norm)) {
        /* "null" and other opaque origins match only a literal "*". */
        for (int i = 0; i < n_allowed; i++)
            if (strcmp(allowed[i], "*") == 0) return true;
        return false;
    }
    if (same_site_as_host(norm, host)) return true;
    if (n_allowed == 0) return is_loopback(norm);
    for (int i = 0; i < n_allowed; i++)
        if (strcmp(allowed[i], "*") == 0 || strcmp(allowed[i], norm) == 0) return true;
    return false;
}

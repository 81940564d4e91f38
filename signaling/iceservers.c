/*
 * ice_servers URLs (iceservers.h).
 */
#include "iceservers.h"

#include <stdio.h>
#include <string.h>

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

static bool v6_char(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
           c == '.';
}

static bool port_ok(const char *p)
{
    if (!*p) return true;
    if (*p != ':') return false;
    size_t n = strspn(p + 1, "0123456789");
    return n >= 1 && n <= 5 && p[1 + n] == '\0';
}

bool iceservers_host_from_header(const char *h, char out[ICESERVERS_HOST_MAX])
{
    out[0] = '\0';
    if (!h || !*h) return false;
    size_t n;
    if (h[0] == '[') {
        const char *close = strchr(h, ']');
        if (!close || close == h + 1) return false;
        for (const char *p = h + 1; p < close; p++)
            if (!v6_char(*p)) return false;
        n = (size_t)(close - h) + 1;
    } else {
        n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
        if (n == 0 || !name_char(h[0]) || h[0] == '-' || h[0] == '.') return false;
    }
    if (n >= ICESERVERS_HOST_MAX || !port_ok(h + n)) return false;
    memcpy(out, h, n);
    out[n] = '\0';
    return true;
}

bool iceservers_stun_url(const char *host, uint16_t port, char out[ICESERVERS_URL_MAX])
{
    out[0] = '\0';
    if (!host || !*host || !port) return false;
    int n = snprintf(out, ICESERVERS_URL_MAX, "stun:%s:%u", host, (unsigned)port);
    if (n < 0 || n >= ICESERVERS_URL_MAX) {
        out[0] = '\0';
        return false;
    }
    return true;
}

bool iceservers_url_valid(const char *url)
{
    if (!url || strlen(url) >= ICESERVERS_URL_MAX) return false;
    if (strncmp(url, "stun:", 5) != 0 && strncmp(url, "stuns:", 6) != 0) return false;
    const char *rest = url + (url[4] == ':' ? 5 : 6);
    if (!*rest) return false;
    for (const char *p = rest; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\') return false;
    return true;
}

/*
 * Client side of RFC 6455. See wsproto.h.
 */
#include "wsproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#define HEAD_MAX 8192

/* ---- handshake ---------------------------------------------------------- */

void wsc_make_key(const uint8_t nonce[16], char out[25])
{
    EVP_EncodeBlock((unsigned char *)out, nonce, 16);
}

static bool header_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || *s == 0x7f) return false;
    return true;
}

size_t wsc_handshake_write(char *out, size_t cap, const char *host, const char *path,
                           const char *key)
{
    return wsc_handshake_write_proto(out, cap, host, path, key, NULL);
}

size_t wsc_handshake_write_proto(char *out, size_t cap, const char *host, const char *path,
                                 const char *key, const char *protocol)
{
    if (!header_safe(host) || !header_safe(path) || path[0] != '/') return 0;
    if (protocol && (!*protocol || !header_safe(protocol))) return 0;
    int n = snprintf(out, cap,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "%s%s%s"
                     "\r\n",
                     path, host, key, protocol ? "Sec-WebSocket-Protocol: " : "",
                     protocol ? protocol : "", protocol ? "\r\n" : "");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The value of header `name` within head[0..len) with surrounding blanks
 * cut, copied into out; false when absent or longer than cap - 1. */
static bool header_value(const char *head, size_t len, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *end = head + len;
    const char *line = memchr(head, '\n', len); /* skip the status line */
    while (line && ++line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol) break;
        if ((size_t)(eol - line) > nlen && line[nlen] == ':' && !strncasecmp(line, name, nlen)) {
            const char *v = line + nlen + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if ((size_t)(ve - v) >= cap) return false;
            memcpy(out, v, (size_t)(ve - v));
            out[ve - v] = 0;
            return true;
        }
        line = eol;
    }
    return false;
}

/* True when a comma-separated value has `token` as an element (any case). */
static bool has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - start) == tlen && !strncasecmp(start, token, tlen)) return true;
    }
    return false;
}

static const char *check_head(const char *head, size_t len, const char *key, const char *protocol)
{
    char v[256], want[29];
    if (len < 12 || memcmp(head, "HTTP/1.1 ", 9) != 0) return "not an HTTP/1.1 response";
    if (memcmp(head + 9, "101", 3) != 0) return "the server refused the upgrade (status not 101)";
    if (!header_value(head, len, "Upgrade", v, sizeof v) || !has_token(v, "websocket"))
        return "response lacks Upgrade: websocket";
    if (!header_value(head, len, "Connection", v, sizeof v) || !has_token(v, "upgrade"))
        return "response lacks Connection: upgrade";
    ws_accept_key(key, want);
    if (!header_value(head, len, "Sec-WebSocket-Accept", v, sizeof v) || strcmp(v, want) != 0)
        return "wrong or missing Sec-WebSocket-Accept";
    /* We asked for neither; RFC 6455 4.1 says to fail if one is chosen. */
    if (header_value(head, len, "Sec-WebSocket-Extensions", v, sizeof v))
        return "server chose an extension we did not offer";
    if (header_value(head, len, "Sec-WebSocket-Protocol", v, sizeof v) &&
        (!protocol || strcmp(v, protocol) != 0))
        return "server chose a subprotocol we did not offer";
    return NULL;
}

long wsc_handshake_check(const char *buf, size_t len, const char *key, const char **reason)
{
    return wsc_handshake_check_proto(buf, len, key, NULL, reason);
}

long wsc_handshake_check_proto(const char *buf, size_t len, const char *key, const char *protocol,
                               const char **reason)
{
    *reason = NULL;
    size_t scan = len < HEAD_MAX ? len : HEAD_MAX;
    const char *end = memmem(buf, scan, "\r\n\r\n", 4);
    if (!end) {
        if (len < HEAD_MAX) return 0;
        *reason = "handshake response head too long";
        return -1;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    *reason = check_head(buf, head_len, key, protocol);
    return *reason ? -1 : (long)head_len;
}

/* ---- frames ------------------------------------------------------------- */

size_t wsc_frame_write(uint8_t *out, uint8_t opcode, const void *payload, size_t len,
                       const uint8_t mask[4])
{
    size_t hl = ws_frame_header_write(out, opcode, true, len);
    out[1] |= 0x80;
    memcpy(out + hl, mask, 4);
    hl += 4;
    if (len) {
        memcpy(out + hl, payload, len);
        ws_mask(out + hl, len, mask, 0);
    }
    return hl + len;
}

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

/* The two reader errors that are not 1002 (RFC 6455 7.4.1). */
static const char ERR_UTF8[] = "text message is not valid UTF-8";
static const char ERR_TOO_BIG[] = "message too big";

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

void wsc_reader_init(wsc_reader *r, size_t max_message)
{
    memset(r, 0, sizeof(*r));
    r->max_message = max_message;
}

void wsc_reader_free(wsc_reader *r)
{
    free(r->msg);
    r->msg = NULL;
    r->msg_len = r->msg_cap = 0;
}

static const char *check_header(const wsc_reader *r, const ws_frame_header *h)
{
    if (h->rsv) return "reserved bits set";
    if (h->masked) return "server frame is masked";
    bool control = h->opcode & 0x08;
    if (control && h->opcode != WS_OP_CLOSE && h->opcode != WS_OP_PING && h->opcode != WS_OP_PONG)
        return "unknown opcode";
    if (!control && h->opcode > WS_OP_BINARY) return "unknown opcode";
    if (control)
        return !h->fin                ? "fragmented control frame"
               : h->payload_len > 125 ? "control frame over 125 bytes"
                                      : NULL;
    if (h->opcode == WS_OP_CONTINUATION && !r->msg_opcode) return "continuation without a message";
    if (h->opcode != WS_OP_CONTINUATION && r->msg_opcode)
        return "new message inside a fragmented one";
    size_t so_far = h->opcode == WS_OP_CONTINUATION ? r->msg_len : 0;
    if (h->payload_len > r->max_message - so_far) return ERR_TOO_BIG;
    return NULL;
}

static const char *read_control(wsc_reader *r, const ws_frame_header *h, const uint8_t *p,
                                ws_event *ev)
{
    size_t len = (size_t)h->payload_len;
    memcpy(r->ctrl, p, len);
    r->ctrl[len] = 0;
    ev->data = r->ctrl;
    ev->len = len;
    if (h->opcode != WS_OP_CLOSE) {
        ev->type = h->opcode == WS_OP_PING ? WS_EV_PING : WS_EV_PONG;
        return NULL;
    }
    ev->type = WS_EV_CLOSE;
    ev->close_code = WS_CLOSE_NO_STATUS;
    ev->reason = (const char *)r->ctrl;
    if (len == 1) return "close payload of 1 byte";
    if (len >= 2) {
        ev->close_code = (uint16_t)(r->ctrl[0] << 8 | r->ctrl[1]);
        ev->reason = (const char *)r->ctrl + 2;
        ev->reason_len = len - 2;
    }
    return NULL;
}

static const char *read_data(wsc_reader *r, const ws_frame_header *h, const uint8_t *p,
                             ws_event *ev)
{
    size_t len = (size_t)h->payload_len;
    if (h->opcode != WS_OP_CONTINUATION) {
        r->msg_opcode = h->opcode;
        r->msg_len = 0;
        r->utf8_state = 0;
    }
    if (r->msg_len + len + 1 > r->msg_cap) {
        size_t cap = (r->msg_len + len + 1) * 2;
        uint8_t *m = realloc(r->msg, cap);
        if (!m) return "out of memory";
        r->msg = m;
        r->msg_cap = cap;
    }
    memcpy(r->msg + r->msg_len, p, len);
    bool text = r->msg_opcode == WS_OP_TEXT;
    if (text && !ws_utf8_step(&r->utf8_state, r->msg + r->msg_len, len)) return ERR_UTF8;
    r->msg_len += len;
    if (!h->fin) return NULL;
    if (text && r->utf8_state != 0) return ERR_UTF8;
    r->msg[r->msg_len] = 0; /* lets the caller treat text as a C string */
    ev->type = text ? WS_EV_TEXT : WS_EV_BINARY;
    ev->data = r->msg;
    ev->len = r->msg_len;
    r->msg_opcode = 0;
    return NULL;
}

/* Decodes one frame if it is complete: NULL with *consumed set (0 while
 * the frame is partial), or the rule it breaks. */
static const char *reader_frame(wsc_reader *r, const uint8_t *buf, size_t len, size_t *consumed,
                                ws_event *ev)
{
    ws_frame_header h;
    int hl = ws_frame_header_parse(buf, len, &h);
    if (hl < 0) return "invalid frame length encoding";
    if (hl == 0) return NULL;
    const char *err = check_header(r, &h);
    if (err || len - (size_t)hl < h.payload_len) return err;
    bool control = h.opcode & 0x08;
    err = control ? read_control(r, &h, buf + hl, ev) : read_data(r, &h, buf + hl, ev);
    if (!err) *consumed = (size_t)hl + (size_t)h.payload_len;
    return err;
}

void wsc_reader_next(wsc_reader *r, const uint8_t *buf, size_t len, size_t *consumed, ws_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    *consumed = 0;
    if (!r->error) r->error = reader_frame(r, buf, len, consumed, ev);
    if (!r->error) return;
    memset(ev, 0, sizeof(*ev));
    *consumed = 0;
    ev->type = WS_EV_ERROR;
    ev->close_code = r->error == ERR_UTF8      ? WS_CLOSE_INVALID_DATA
                     : r->error == ERR_TOO_BIG ? WS_CLOSE_TOO_BIG
                                               : WS_CLOSE_PROTOCOL;
    ev->reason = r->error;
    ev->reason_len = strlen(r->error);
}

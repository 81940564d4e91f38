/*
 * WebSocket (RFC 6455) server-side codec. See websocket.h for the contract.
 */
#include "websocket.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

/* ---- frame headers ------------------------------------------------------ */

int ws_frame_header_parse(const uint8_t *buf, size_t len, ws_frame_header *out)
{
    if (len < 2) return 0;
    uint8_t len7 = buf[1] & 0x7f;
    size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    bool masked = buf[1] & 0x80;
    size_t hlen = 2 + ext + (masked ? 4 : 0);
    if (len < hlen) return 0;

    uint64_t plen = len7;
    if (ext) {
        plen = 0;
        for (size_t i = 0; i < ext; i++)
            plen = plen << 8 | buf[2 + i];
        /* RFC 6455 5.2: the minimal number of bytes MUST be used, and the
         * most significant bit of a 64-bit length MUST be 0. */
        if (ext == 2 && plen < 126) return -1;
        if (ext == 8 && (plen < 65536 || plen >> 63)) return -1;
    }

    out->fin = buf[0] & 0x80;
    out->rsv = (buf[0] >> 4) & 0x07;
    out->opcode = buf[0] & 0x0f;
    out->masked = masked;
    if (masked)
        memcpy(out->mask, buf + 2 + ext, 4);
    else
        memset(out->mask, 0, 4);
    out->payload_len = plen;
    out->header_len = hlen;
    return (int)hlen;
}

void ws_mask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset)
{
    for (size_t i = 0; i < len; i++)
        data[i] ^= mask[(offset + i) & 3];
}

size_t ws_frame_header_write(uint8_t *out, uint8_t opcode, bool fin, uint64_t len)
{
    out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xffff) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}

/* Cuts a reason at n bytes without splitting a UTF-8 sequence, so the peer
 * does not fail our close frame with 1007. */
static size_t utf8_truncate(const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len <= n) return len;
    while (n > 0 && ((uint8_t)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

size_t ws_close_frame_write(uint8_t *out, uint16_t code, const char *reason)
{
    /* 1005 means "no code", which is expressed as an empty close body. */
    if (code == WS_CLOSE_NO_STATUS) return ws_frame_header_write(out, WS_OP_CLOSE, true, 0);
    size_t rlen = reason ? utf8_truncate(reason, 125 - 2) : 0;
    size_t h = ws_frame_header_write(out, WS_OP_CLOSE, true, 2 + rlen);
    out[h] = (uint8_t)(code >> 8);
    out[h + 1] = (uint8_t)code;
    if (rlen) memcpy(out + h + 2, reason, rlen);
    return h + 2 + rlen;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/*
 * The state packs what the next byte must be: bits 0-7 hold how many
 * continuation bytes are still due, bits 8-15 and 16-23 the allowed range
 * of the next one. Only the first continuation byte after E0, ED, F0 and F4
 * has a narrower range; that is where overlongs, surrogates and code points
 * above U+10FFFF are excluded. State 0 means "between code points".
 */
static uint32_t utf8_lead(uint8_t b)
{
    uint32_t need, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b == 0xe0) lo = 0xa0;
        if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b == 0xf0) lo = 0x90;
        if (b == 0xf4) hi = 0x8f;
    } else {
        return UINT32_MAX;
    }
    return need | lo << 8 | hi << 16;
}

bool ws_utf8_step(uint32_t *state, const uint8_t *data, size_t len)
{
    uint32_t s = *state;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (s == 0) {
            if (b < 0x80) continue;
            s = utf8_lead(b);
            if (s == UINT32_MAX) {
                *state = s;
                return false;
            }
            continue;
        }
        if (b < ((s >> 8) & 0xff) || b > ((s >> 16) & 0xff)) {
            *state = UINT32_MAX;
            return false;
        }
        uint32_t need = (s & 0xff) - 1;
        s = need ? (need | 0x80u << 8 | 0xbfu << 16) : 0;
    }
    *state = s;
    return true;
}

/* ---- reader ------------------------------------------------------------- */

enum reader_error {
    ERR_LENGTH,
    ERR_UNMASKED,
    ERR_MASKED,
    ERR_RSV,
    ERR_OPCODE,
    ERR_CTRL_FRAGMENTED,
    ERR_CTRL_TOO_LONG,
    ERR_BAD_CONTINUATION,
    ERR_EXPECTED_CONTINUATION,
    ERR_TOO_BIG,
    ERR_UTF8,
    ERR_CLOSE_SHORT,
    ERR_CLOSE_CODE,
    ERR_CLOSE_UTF8,
    ERR_NOMEM,
};

static const struct {
    uint16_t code;
    const char *reason;
} reader_errors[] = {
    [ERR_LENGTH] = {WS_CLOSE_PROTOCOL, "invalid frame length encoding"},
    [ERR_UNMASKED] = {WS_CLOSE_PROTOCOL, "client frame not masked"},
    [ERR_MASKED] = {WS_CLOSE_PROTOCOL, "server frame is masked"},
    [ERR_RSV] = {WS_CLOSE_PROTOCOL, "reserved bits set"},
    [ERR_OPCODE] = {WS_CLOSE_PROTOCOL, "unknown opcode"},
    [ERR_CTRL_FRAGMENTED] = {WS_CLOSE_PROTOCOL, "fragmented control frame"},
    [ERR_CTRL_TOO_LONG] = {WS_CLOSE_PROTOCOL, "control frame payload over 125 bytes"},
    [ERR_BAD_CONTINUATION] = {WS_CLOSE_PROTOCOL, "continuation frame without a message"},
    [ERR_EXPECTED_CONTINUATION] = {WS_CLOSE_PROTOCOL, "new message inside a fragmented one"},
    [ERR_TOO_BIG] = {WS_CLOSE_TOO_BIG, "message too big"},
    [ERR_UTF8] = {WS_CLOSE_INVALID_DATA, "text message is not valid UTF-8"},
    [ERR_CLOSE_SHORT] = {WS_CLOSE_PROTOCOL, "close payload of 1 byte"},
    [ERR_CLOSE_CODE] = {WS_CLOSE_PROTOCOL, "invalid close code"},
    [ERR_CLOSE_UTF8] = {WS_CLOSE_INVALID_DATA, "close reason is not valid UTF-8"},
    [ERR_NOMEM] = {WS_CLOSE_INTERNAL, "out of memory"},
};

/* A failed reader keeps the error's index in ctrl[0] (ctrl is unused once
 * failed) so repeated calls keep reporting the same error. */
static void reader_report(const ws_reader *r, ws_event *ev)
{
    const char *reason = reader_errors[r->ctrl[0]].reason;
    ev->type = WS_EV_ERROR;
    ev->close_code = reader_errors[r->ctrl[0]].code;
    ev->reason = reason;
    ev->reason_len = strlen(reason);
}

void ws_reader_init(ws_reader *r, size_t max_message)
{
    memset(r, 0, sizeof(*r));
    r->max_message = max_message;
}

void ws_reader_init_client(ws_reader *r, size_t max_message)
{
    ws_reader_init(r, max_message);
    r->client = true;
}

void ws_reader_free(ws_reader *r)
{
    free(r->msg);
    r->msg = NULL;
    r->msg_len = r->msg_cap = 0;
}

static bool is_control(uint8_t opcode)
{
    return opcode & 0x08;
}

/* Every rule that can be decided from the header alone, so a bad or huge
 * frame fails before its payload has to be buffered. Returns -1 when ok. */
static int check_header(const ws_reader *r, const ws_frame_header *h)
{
    if (h->rsv) return ERR_RSV;
    switch (h->opcode) {
    case WS_OP_CONTINUATION:
    case WS_OP_TEXT:
    case WS_OP_BINARY:
    case WS_OP_CLOSE:
    case WS_OP_PING:
    case WS_OP_PONG:
        break;
    default:
        return ERR_OPCODE;
    }
    /* RFC 6455 5.1: clients mask every frame, servers none. */
    if (h->masked == r->client) return r->client ? ERR_MASKED : ERR_UNMASKED;
    if (is_control(h->opcode)) {
        if (!h->fin) return ERR_CTRL_FRAGMENTED;
        if (h->payload_len > 125) return ERR_CTRL_TOO_LONG;
        return -1;
    }
    if (h->opcode == WS_OP_CONTINUATION && !r->msg_opcode) return ERR_BAD_CONTINUATION;
    if (h->opcode != WS_OP_CONTINUATION && r->msg_opcode) return ERR_EXPECTED_CONTINUATION;
    size_t so_far = h->opcode == WS_OP_CONTINUATION ? r->msg_len : 0;
    if (h->payload_len > r->max_message - so_far) return ERR_TOO_BIG;
    return -1;
}

/* Grows the message buffer geometrically, never beyond max_message. */
static bool reader_reserve(ws_reader *r, size_t need)
{
    if (need <= r->msg_cap) return true;
    size_t cap = r->msg_cap ? r->msg_cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > r->max_message + 1) cap = r->max_message + 1;
    uint8_t *p = realloc(r->msg, cap);
    if (!p) return false;
    r->msg = p;
    r->msg_cap = cap;
    return true;
}

static bool close_code_valid(uint16_t c)
{
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1011) || (c >= 3000 && c <= 4999);
}

static int read_close(ws_reader *r, size_t len, ws_event *ev)
{
    ev->type = WS_EV_CLOSE;
    ev->close_code = WS_CLOSE_NO_STATUS;
    ev->reason = (const char *)r->ctrl;
    ev->reason_len = 0;
    if (len == 0) return -1;
    if (len == 1) return ERR_CLOSE_SHORT;
    uint16_t code = (uint16_t)(r->ctrl[0] << 8 | r->ctrl[1]);
    if (!close_code_valid(code)) return ERR_CLOSE_CODE;
    uint32_t st = 0;
    if (!ws_utf8_step(&st, r->ctrl + 2, len - 2) || st != 0) return ERR_CLOSE_UTF8;
    ev->close_code = code;
    ev->reason = (const char *)r->ctrl + 2;
    ev->reason_len = len - 2;
    return -1;
}

/* Control payloads are copied out of the caller's buffer because the caller
 * drops consumed bytes, and the event must outlive that. */
static int read_control(ws_reader *r, const ws_frame_header *h, const uint8_t *payload,
                        ws_event *ev)
{
    size_t len = (size_t)h->payload_len;
    memcpy(r->ctrl, payload, len);
    if (h->masked) ws_mask(r->ctrl, len, h->mask, 0);
    r->ctrl[len] = 0; /* lets a caller print the close reason */
    ev->data = r->ctrl;
    ev->len = len;
    if (h->opcode == WS_OP_PING) {
        ev->type = WS_EV_PING;
        return -1;
    }
    if (h->opcode == WS_OP_PONG) {
        ev->type = WS_EV_PONG;
        return -1;
    }
    return read_close(r, len, ev);
}

static int read_data(ws_reader *r, const ws_frame_header *h, const uint8_t *payload, ws_event *ev)
{
    size_t len = (size_t)h->payload_len;
    if (h->opcode != WS_OP_CONTINUATION) {
        r->msg_opcode = h->opcode;
        r->msg_len = 0;
        r->utf8_state = 0;
    }
    /* One byte more than the message, for the NUL below. */
    if (!reader_reserve(r, r->msg_len + len + 1)) return ERR_NOMEM;
    uint8_t *dst = r->msg + r->msg_len;
    if (len) {
        memcpy(dst, payload, len);
        if (h->masked) ws_mask(dst, len, h->mask, 0);
    }
    r->msg_len += len;
    bool text = r->msg_opcode == WS_OP_TEXT;
    if (text && !ws_utf8_step(&r->utf8_state, dst, len)) return ERR_UTF8;
    if (!h->fin) return -1;
    if (text && r->utf8_state != 0) return ERR_UTF8;
    ev->type = text ? WS_EV_TEXT : WS_EV_BINARY;
    r->msg[r->msg_len] = 0; /* lets a caller parse text as a C string */
    ev->data = r->msg;
    ev->len = r->msg_len;
    r->msg_opcode = 0;
    return -1;
}

/* Decodes one frame if it is complete. Returns an error index, or -1 with
 * *consumed and ev set (consumed stays 0 while the frame is partial). */
static int reader_frame(ws_reader *r, const uint8_t *buf, size_t len, size_t *consumed,
                        ws_event *ev)
{
    ws_frame_header h;
    int hl = ws_frame_header_parse(buf, len, &h);
    if (hl < 0) return ERR_LENGTH;
    if (hl == 0) return -1;
    int err = check_header(r, &h);
    if (err >= 0 || len - (size_t)hl < h.payload_len) return err;

    const uint8_t *payload = buf + hl;
    err = is_control(h.opcode) ? read_control(r, &h, payload, ev) : read_data(r, &h, payload, ev);
    if (err < 0) *consumed = (size_t)hl + (size_t)h.payload_len;
    return err;
}

void ws_reader_next(ws_reader *r, const uint8_t *buf, size_t len, size_t *consumed, ws_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = WS_EV_NONE;
    *consumed = 0;
    if (!r->failed) {
        int err = reader_frame(r, buf, len, consumed, ev);
        if (err < 0) return;
        r->failed = true;
        r->ctrl[0] = (uint8_t)err;
        memset(ev, 0, sizeof(*ev));
        *consumed = 0;
    }
    reader_report(r, ev);
}

/* ---- handshake ---------------------------------------------------------- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* True when the comma-separated header value has `token` as one element
 * (case-insensitive, optional whitespace around elements). */
static bool has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;
    while (*p) {
        while (is_ows(*p) || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && is_ows(end[-1]))
            end--;
        if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0) return true;
    }
    return false;
}

/* Compares a header value with `want` after trimming surrounding whitespace. */
static bool trimmed_equals(const char *value, const char *want)
{
    while (is_ows(*value))
        value++;
    size_t n = strlen(value);
    while (n > 0 && is_ows(value[n - 1]))
        n--;
    return n == strlen(want) && memcmp(value, want, n) == 0;
}

static bool is_b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* 16 bytes encode to 22 base64 characters and "=="; the 22nd character
 * carries 2 data bits and 4 zero bits, so only A, Q, g and w are canonical. */
static bool key_valid(const char *key)
{
    /* No trimming: the key is hashed verbatim by ws_accept_key. */
    if (strlen(key) != 24 || key[22] != '=' || key[23] != '=') return false;
    for (int i = 0; i < 22; i++)
        if (!is_b64_char(key[i])) return false;
    return strchr("AQgw", key[21]) != NULL;
}

int ws_handshake_check(const char *method, const char *version, const char *upgrade,
                       const char *connection, const char *ws_version, const char *ws_key,
                       const char **reason)
{
    *reason = NULL;
    if (!method || strcmp(method, "GET") != 0) {
        *reason = "WebSocket upgrade needs method GET";
        return 400;
    }
    if (!version || strcmp(version, "HTTP/1.1") != 0) {
        *reason = "WebSocket upgrade needs HTTP/1.1";
        return 400;
    }
    if (!upgrade || !has_token(upgrade, "websocket")) {
        *reason = "missing or wrong Upgrade header (need websocket)";
        return 400;
    }
    if (!connection || !has_token(connection, "upgrade")) {
        *reason = "Connection header does not contain upgrade";
        return 400;
    }
    if (!ws_version) {
        *reason = "missing Sec-WebSocket-Version header";
        return 400;
    }
    if (!trimmed_equals(ws_version, "13")) {
        *reason = "unsupported Sec-WebSocket-Version (need 13)";
        return 426;
    }
    if (!ws_key || !key_valid(ws_key)) {
        *reason = "missing or invalid Sec-WebSocket-Key (need base64 of 16 bytes)";
        return 400;
    }
    return 0;
}

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

void ws_accept_key(const char *key, char out[29])
{
    /* Keys that pass ws_handshake_check are 24 characters; much longer
     * input cannot be a valid key and gets "". */
    char buf[128 + sizeof(WS_GUID)];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t klen = strlen(key);
    out[0] = 0;
    if (klen > 128) return;
    memcpy(buf, key, klen);
    memcpy(buf + klen, WS_GUID, sizeof(WS_GUID) - 1);
    if (!EVP_Digest(buf, klen + sizeof(WS_GUID) - 1, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
        return;
    EVP_EncodeBlock((unsigned char *)out, md, 20);
}

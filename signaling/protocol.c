/*
 * Decoding of the signaling protocol (docs/protocol.md); the encoders are in
 * protocol_encode.c.
 */
#include "protocol.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define ERR_BAD_JSON     "bad_json"
#define ERR_BAD_REQUEST  "bad_request"
#define ERR_UNKNOWN_TYPE "unknown_type"

static const struct {
    const char *name;
    proto_req_type type;
} req_types[] = {
    {"join", PROTO_REQ_JOIN},
    {"publish", PROTO_REQ_PUBLISH},
    {"answer", PROTO_REQ_ANSWER},
    {"candidate", PROTO_REQ_CANDIDATE},
    {"leave", PROTO_REQ_LEAVE},
    {"chat", PROTO_REQ_CHAT},
    {"mute", PROTO_REQ_MUTE},
    {"resume", PROTO_REQ_RESUME},
    {"restart_ice", PROTO_REQ_RESTART_ICE},
};

/* Error messages are sent back to the client inside JSON strings, so
 * anything copied from the input is reduced to printable ASCII here. */
static void ascii_copy(char *dst, size_t cap, const char *src, size_t max_src)
{
    size_t n = 0;
    for (size_t i = 0; src[i] && i < max_src && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

static int fail(proto_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(proto_error *err, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

static bool id_valid(const json_t *v)
{
    if (!json_is_integer(v)) return false;
    json_int_t id = json_integer_value(v);
    return id >= 1 && id <= PROTO_ID_MAX;
}

/* A required string field of 1..max bytes. */
static int get_string(json_t *obj, const char *key, size_t max, const char **out, proto_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return fail(err, ERR_BAD_REQUEST, "missing field: %s", key);
    if (!json_is_string(v)) return fail(err, ERR_BAD_REQUEST, "%s must be a string", key);
    size_t len = json_string_length(v);
    if (len == 0 || len > max)
        return fail(err, ERR_BAD_REQUEST, "%s must be 1 to %zu bytes", key, max);
    *out = json_string_value(v);
    return 0;
}

static bool room_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

bool proto_room_valid(const char *room)
{
    size_t n = strlen(room);
    if (n < 1 || n > PROTO_ROOM_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!room_char(room[i])) return false;
    return true;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 when malformed
 * (jansson already rejects invalid UTF-8; this stays safe regardless). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t n;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        *cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        *cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    return n;
}

/* C0 and C1 controls and DEL: they would let a name break a UI line or
 * smuggle terminal escapes into logs. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool proto_name_valid(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t chars = 0;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0 || is_control(cp) || ++chars > PROTO_NAME_MAX) return false;
        p += n;
    }
    return chars >= 1;
}

static bool printable_ascii(const char *s, bool allow_space)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || (c == ' ' && !allow_space)) return false;
    }
    return true;
}

static int decode_join(json_t *doc, proto_request *req, proto_error *err)
{
    if (get_string(doc, "room", 256, &req->room, err) < 0) return -1;
    if (!proto_room_valid(req->room))
        return fail(err, ERR_BAD_REQUEST, "room must be 1 to %d characters from A-Z a-z 0-9 _ - .",
                    PROTO_ROOM_MAX);
    if (get_string(doc, "name", PROTO_NAME_MAX * 4, &req->name, err) < 0) return -1;
    if (!proto_name_valid(req->name))
        return fail(err, ERR_BAD_REQUEST,
                    "name must be 1 to %d characters without control characters", PROTO_NAME_MAX);
    return 0;
}

static int decode_sdp(json_t *doc, proto_request *req, proto_error *err)
{
    return get_string(doc, "sdp", PROTO_SDP_MAX, &req->sdp, err);
}

bool proto_source_valid(const char *source)
{
    size_t n = strlen(source);
    if (n < 1 || n > PROTO_SOURCE_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = source[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

const char *proto_source_default(const char *kind)
{
    return kind && strcmp(kind, "video") == 0 ? "camera" : "microphone";
}

/* sources: {"<mid>": "<label>", ...}; jansson keys may hold \u0000, so the
 * key's length is checked against strlen. */
static int decode_sources(json_t *doc, proto_request *req, proto_error *err)
{
    json_t *obj = json_object_get(doc, "sources");
    if (!obj) return 0;
    if (!json_is_object(obj)) return fail(err, ERR_BAD_REQUEST, "sources must be an object");
    if (json_object_size(obj) > PROTO_SOURCES_MAX)
        return fail(err, ERR_BAD_REQUEST, "sources has more than %d entries", PROTO_SOURCES_MAX);
    const char *mid;
    size_t mid_len;
    json_t *v;
    json_object_keylen_foreach(obj, mid, mid_len, v)
    {
        if (mid_len < 1 || mid_len > PROTO_MID_MAX || strlen(mid) != mid_len ||
            !printable_ascii(mid, false))
            return fail(err, ERR_BAD_REQUEST,
                        "sources keys must be mids of 1 to %d printable ASCII characters",
                        PROTO_MID_MAX);
        const char *src = json_string_value(v);
        if (!src || strlen(src) != json_string_length(v) || !proto_source_valid(src))
            return fail(err, ERR_BAD_REQUEST,
                        "sources values must be 1 to %d characters from a-z 0-9 _ -",
                        PROTO_SOURCE_MAX);
        req->sources[req->n_sources++] = (proto_source){mid, src};
    }
    req->has_sources = true;
    return 0;
}

static int decode_publish(json_t *doc, proto_request *req, proto_error *err)
{
    if (decode_sdp(doc, req, err) < 0) return -1;
    return decode_sources(doc, req, err);
}

static int decode_transport(json_t *doc, proto_request *req, proto_error *err)
{
    json_t *v = json_object_get(doc, "transport");
    const char *s = json_string_value(v);
    if (s && strcmp(s, "publish") == 0)
        req->transport = PROTO_TRANSPORT_PUBLISH;
    else if (s && strcmp(s, "subscribe") == 0)
        req->transport = PROTO_TRANSPORT_SUBSCRIBE;
    else
        return fail(err, ERR_BAD_REQUEST, "transport must be \"publish\" or \"subscribe\"");
    return 0;
}

static int decode_mid_and_index(json_t *cand, proto_request *req, proto_error *err)
{
    json_t *mid = json_object_get(cand, "sdpMid");
    if (mid && !json_is_null(mid)) {
        const char *s = json_string_value(mid);
        if (!s || json_string_length(mid) < 1 || json_string_length(mid) > PROTO_MID_MAX ||
            !printable_ascii(s, false))
            return fail(err, ERR_BAD_REQUEST,
                        "candidate.sdpMid must be null or 1 to %d printable ASCII characters",
                        PROTO_MID_MAX);
        req->sdp_mid = s;
    }
    json_t *idx = json_object_get(cand, "sdpMLineIndex");
    if (idx && !json_is_null(idx)) {
        if (!json_is_integer(idx) || json_integer_value(idx) < 0 || json_integer_value(idx) > 65535)
            return fail(err, ERR_BAD_REQUEST,
                        "candidate.sdpMLineIndex must be null or an integer 0 to 65535");
        req->sdp_mline_index = (int)json_integer_value(idx);
    }
    return 0;
}

static int decode_candidate(json_t *doc, proto_request *req, proto_error *err)
{
    if (decode_transport(doc, req, err) < 0) return -1;
    json_t *cand = json_object_get(doc, "candidate");
    if (!cand) return fail(err, ERR_BAD_REQUEST, "missing field: candidate");
    if (json_is_null(cand)) {
        req->end_of_candidates = true;
        return 0;
    }
    if (!json_is_object(cand))
        return fail(err, ERR_BAD_REQUEST, "candidate must be an object or null");
    json_t *line = json_object_get(cand, "candidate");
    const char *s = json_string_value(line);
    if (!s) return fail(err, ERR_BAD_REQUEST, "candidate.candidate must be a string");
    if (decode_mid_and_index(cand, req, err) < 0) return -1;
    if (*s == '\0') {
        req->end_of_candidates = true;
        return 0;
    }
    if (json_string_length(line) > PROTO_CANDIDATE_MAX || strncmp(s, "candidate:", 10) != 0 ||
        !printable_ascii(s, true))
        return fail(err, ERR_BAD_REQUEST,
                    "candidate.candidate must be \"\" or \"candidate:...\" of at most %d "
                    "printable ASCII characters",
                    PROTO_CANDIDATE_MAX);
    req->candidate = s;
    return 0;
}

/* Chat text may span lines; other control characters are refused for the
 * same reason as in names. */
static bool chat_text_valid(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0 || (is_control(cp) && cp != '\n' && cp != '\r' && cp != '\t')) return false;
        p += n;
    }
    return true;
}

static int decode_chat(json_t *doc, proto_request *req, proto_error *err)
{
    /* Any length a message can carry: the server's cap (chat_too_long) is
     * checked by the dispatcher, so that every over-long text gets it. */
    if (get_string(doc, "text", PROTO_SDP_MAX, &req->text, err) < 0) return -1;
    if (!chat_text_valid(req->text))
        return fail(err, ERR_BAD_REQUEST,
                    "text must not contain control characters other than tab and line breaks");
    req->text_len = strlen(req->text);
    return 0;
}

static int decode_mute(json_t *doc, proto_request *req, proto_error *err)
{
    if (get_string(doc, "track_id", PROTO_TRACK_ID_MAX, &req->track_id, err) < 0) return -1;
    if (!printable_ascii(req->track_id, false))
        return fail(err, ERR_BAD_REQUEST, "track_id must be printable ASCII without spaces");
    json_t *muted = json_object_get(doc, "muted");
    if (!json_is_boolean(muted)) return fail(err, ERR_BAD_REQUEST, "muted must be true or false");
    req->muted = json_is_true(muted);
    return 0;
}

static bool lower_hex(const char *s, size_t len)
{
    if (strlen(s) != len) return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static int decode_resume(json_t *doc, proto_request *req, proto_error *err)
{
    if (get_string(doc, "token", 256, &req->token, err) < 0) return -1;
    if (!lower_hex(req->token, PROTO_TOKEN_LEN))
        return fail(err, ERR_BAD_REQUEST, "token must be %d lowercase hex digits", PROTO_TOKEN_LEN);
    return 0;
}

static int decode_restart_ice(json_t *doc, proto_request *req, proto_error *err)
{
    if (decode_transport(doc, req, err) < 0) return -1;
    if (req->transport != PROTO_TRANSPORT_SUBSCRIBE)
        return fail(err, ERR_BAD_REQUEST,
                    "only the subscribe transport restarts this way; restart the publish "
                    "transport with a new publish offer");
    return 0;
}

static int decode_body(json_t *doc, proto_request *req, proto_error *err)
{
    switch (req->type) {
    case PROTO_REQ_JOIN:
        return decode_join(doc, req, err);
    case PROTO_REQ_PUBLISH:
        return decode_publish(doc, req, err);
    case PROTO_REQ_ANSWER:
        return decode_sdp(doc, req, err);
    case PROTO_REQ_CANDIDATE:
        return decode_candidate(doc, req, err);
    case PROTO_REQ_LEAVE:
        return 0;
    case PROTO_REQ_CHAT:
        return decode_chat(doc, req, err);
    case PROTO_REQ_MUTE:
        return decode_mute(doc, req, err);
    case PROTO_REQ_RESUME:
        return decode_resume(doc, req, err);
    case PROTO_REQ_RESTART_ICE:
        return decode_restart_ice(doc, req, err);
    }
    return fail(err, ERR_UNKNOWN_TYPE, "unknown type");
}

static int decode_type(json_t *doc, proto_request *req, proto_error *err)
{
    json_t *v = json_object_get(doc, "type");
    if (!json_is_string(v)) return fail(err, ERR_BAD_REQUEST, "missing or non-string field: type");
    const char *type = json_string_value(v);
    for (size_t i = 0; i < sizeof req_types / sizeof req_types[0]; i++) {
        if (strcmp(type, req_types[i].name) == 0) {
            req->type = req_types[i].type;
            return 0;
        }
    }
    char shown[40];
    ascii_copy(shown, sizeof shown, type, 32);
    return fail(err, ERR_UNKNOWN_TYPE, "unknown type \"%s\"", shown);
}

static int decode_doc(json_t *doc, proto_request *req, proto_error *err)
{
    if (!json_is_object(doc)) return fail(err, ERR_BAD_JSON, "a message must be a JSON object");
    json_t *id = json_object_get(doc, "id");
    if (id_valid(id)) err->id = json_integer_value(id);
    if (decode_type(doc, req, err) < 0) return -1;
    if (!id_valid(id)) return fail(err, ERR_BAD_REQUEST, "id must be an integer from 1 to 2^53-1");
    req->id = err->id;
    return decode_body(doc, req, err);
}

int proto_request_decode(const char *data, size_t len, proto_request *req, proto_error *err)
{
    memset(req, 0, sizeof *req);
    req->sdp_mline_index = -1;
    err->code = NULL;
    err->message[0] = '\0';
    err->id = 0;

    json_error_t jerr;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        char text[100];
        ascii_copy(text, sizeof text, jerr.text, sizeof jerr.text);
        return fail(err, ERR_BAD_JSON, "invalid JSON at line %d column %d: %s", jerr.line,
                    jerr.column, text);
    }
    if (decode_doc(doc, req, err) < 0) {
        json_decref(doc);
        memset(req, 0, sizeof *req);
        return -1;
    }
    req->doc_ = doc;
    return 0;
}

void proto_request_clear(proto_request *req)
{
    json_decref(req->doc_);
    memset(req, 0, sizeof *req);
}

const char *proto_transport_name(proto_transport t)
{
    return t == PROTO_TRANSPORT_SUBSCRIBE ? "subscribe" : "publish";
}

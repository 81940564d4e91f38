/*
 * Long-poll routes, session ids and POST bodies.
 */
#include "lpcodec.h"

#include <jansson.h>
#include <string.h>

#define LP_PREFIX     "/lp"
#define LP_PREFIX_LEN (sizeof LP_PREFIX - 1)

static bool is_hex_lower(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool lpcodec_sid_valid(const char *sid)
{
    if (!sid) return false;
    for (size_t i = 0; i < LPCODEC_SID_LEN; i++)
        if (!is_hex_lower(sid[i])) return false;
    return sid[LPCODEC_SID_LEN] == '\0';
}

void lpcodec_sid_format(const uint8_t bytes[LPCODEC_SID_BYTES], char sid[LPCODEC_SID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < LPCODEC_SID_BYTES; i++) {
        sid[2 * i] = hex[bytes[i] >> 4];
        sid[2 * i + 1] = hex[bytes[i] & 0x0f];
    }
    sid[LPCODEC_SID_LEN] = '\0';
}

lpcodec_route lpcodec_parse_route(const char *path, char sid[LPCODEC_SID_LEN + 1])
{
    if (!path || strncmp(path, LP_PREFIX, LP_PREFIX_LEN) != 0) return LPCODEC_ROUTE_NONE;
    const char *rest = path + LP_PREFIX_LEN;
    if (*rest == '\0') return LPCODEC_ROUTE_CREATE;
    if (*rest != '/') return LPCODEC_ROUTE_NONE; /* e.g. /lpx: some other file */
    if (!lpcodec_sid_valid(rest + 1)) return LPCODEC_ROUTE_BAD_SID;
    memcpy(sid, rest + 1, LPCODEC_SID_LEN + 1);
    return LPCODEC_ROUTE_SESSION;
}

/* ---- POST bodies ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_blank(const char *d, size_t len, size_t i)
{
    while (i < len && is_blank(d[i]))
        i++;
    return i;
}

/* Finds the end of the array element that starts at *pos: the ',' or ']'
 * that follows it outside any string or nested value. Brackets must match,
 * so that a broken array is refused rather than cut at a wrong place. */
static bool find_element_end(const char *d, size_t len, size_t *pos, const char **err)
{
    char closers[LPCODEC_MAX_DEPTH];
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = *pos; i < len; i++) {
        char c = d[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped byte cannot end the string */
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (depth == LPCODEC_MAX_DEPTH) {
                *err = "an array element is nested too deeply";
                return false;
            }
            closers[depth++] = c == '[' ? ']' : '}';
        } else if (c == ']' || c == '}') {
            if (depth == 0 && c == ']') {
                *pos = i;
                return true;
            }
            if (depth == 0 || closers[--depth] != c) {
                *err = "mismatched brackets in the message array";
                return false;
            }
        } else if (c == ',' && depth == 0) {
            *pos = i;
            return true;
        }
    }
    *err = in_string ? "unterminated string in the message array" : "unterminated message array";
    return false;
}

/* Passes each element of the array to fn; i is just past the opening '['.
 * Returns the end of the array (just past its ']'), or 0 on error. */
static size_t split_elements(const char *d, size_t len, size_t i, lpcodec_message_fn fn, void *user,
                             long *n, const char **err)
{
    i = skip_blank(d, len, i);
    if (i < len && d[i] == ']') return i + 1; /* [] : no message at all */
    for (;;) {
        size_t start = i, end = i;
        if (!find_element_end(d, len, &end, err)) return 0;
        size_t stop = end;
        while (stop > start && is_blank(d[stop - 1]))
            stop--;
        if (stop == start) {
            *err = "empty element in the message array";
            return 0;
        }
        if (fn) fn(user, d + start, stop - start);
        (*n)++;
        if (d[end] == ']') return end + 1;
        i = skip_blank(d, len, end + 1);
    }
}

static long split(const char *d, size_t len, lpcodec_message_fn fn, void *user, const char **err)
{
    size_t i = skip_blank(d, len, 0);
    if (i == len) {
        *err = "empty body: expected a message or an array of messages";
        return -1;
    }
    if (d[i] != '[') {
        if (fn) fn(user, d, len);
        return 1;
    }
    long n = 0;
    size_t end = split_elements(d, len, i + 1, fn, user, &n, err);
    if (end == 0) return -1;
    if (skip_blank(d, len, end) != len) {
        *err = "data after the message array";
        return -1;
    }
    return n;
}

long lpcodec_split_body(const char *data, size_t len, lpcodec_message_fn fn, void *user,
                        const char **err)
{
    const char *unused;
    if (!err) err = &unused;
    if (!data) len = 0;
    /* Check everything first: a broken body delivers nothing. */
    long n = split(data, len, NULL, NULL, err);
    if (n > 0 && fn) split(data, len, fn, user, err);
    return n;
}

char *lpcodec_close_message(uint16_t code, const char *reason)
{
    json_t *obj = json_pack("{s:s, s:i, s:s}", "type", "close", "code", (json_int_t)code, "reason",
                            reason ? reason : "");
    if (!obj) return NULL;
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return text;
}

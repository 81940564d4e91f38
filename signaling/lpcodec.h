/*
 * The pure parts of the HTTP long-poll transport (docs/protocol.md, "HTTP
 * long-poll"): routes and session ids, splitting a POST body into protocol
 * messages, and the close message that stands for a WebSocket close frame.
 *
 * No I/O and no global state, so it is unit-tested and fuzzed directly.
 */
#ifndef CONFAB_LPCODEC_H
#define CONFAB_LPCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LPCODEC_SID_BYTES 16 /* 128 random bits */
#define LPCODEC_SID_LEN   (2 * LPCODEC_SID_BYTES)
/* Nesting allowed inside one element of a message array; real messages
 * nest three levels at most. */
#define LPCODEC_MAX_DEPTH 64

typedef enum lpcodec_route {
    LPCODEC_ROUTE_NONE,    /* not a long-poll URL */
    LPCODEC_ROUTE_CREATE,  /* /lp */
    LPCODEC_ROUTE_SESSION, /* /lp/<sid> with a well-formed sid */
    LPCODEC_ROUTE_BAD_SID, /* /lp/<anything else> */
} lpcodec_route;

/* Classifies a request path (without its query string). For
 * LPCODEC_ROUTE_SESSION the sid is copied to sid (NUL-terminated). */
lpcodec_route lpcodec_parse_route(const char *path, char sid[LPCODEC_SID_LEN + 1]);

/* True for exactly LPCODEC_SID_LEN lowercase hex digits. */
bool lpcodec_sid_valid(const char *sid);

/* Writes bytes as LPCODEC_SID_LEN lowercase hex digits and a NUL. */
void lpcodec_sid_format(const uint8_t bytes[LPCODEC_SID_BYTES], char sid[LPCODEC_SID_LEN + 1]);

typedef void (*lpcodec_message_fn)(void *user, const char *text, size_t len);

/* Splits a POST body into messages. A body whose first non-blank byte is
 * '[' is an array: each element's text (blanks around it trimmed, content
 * not parsed) is one message. Any other non-blank body is one message,
 * passed as it is. The framing of the whole body is checked before the
 * first call of fn (which may be NULL to only check): returns the number of
 * messages, or -1 with *err set to a static ASCII explanation, and then fn
 * was never called. */
long lpcodec_split_body(const char *data, size_t len, lpcodec_message_fn fn, void *user,
                        const char **err);

/* {"type":"close","code":N,"reason":"..."}: the last message a client gets
 * from a connection the server closed. malloc'd (free()), NULL without
 * memory. */
char *lpcodec_close_message(uint16_t code, const char *reason);

#endif

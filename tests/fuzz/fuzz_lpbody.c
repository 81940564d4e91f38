/*
 * Fuzz target: long-poll POST bodies (lpcodec_split_body) and request
 * paths (lpcodec_parse_route), as any HTTP client can send them.
 */
#include "signaling/lpcodec.h"

#include <stdlib.h>
#include <string.h>

typedef struct span_check {
    const char *data;
    size_t len;
    long calls;
} span_check;

/* Every message must lie inside the body and be non-empty. */
static void on_message(void *user, const char *text, size_t len)
{
    span_check *c = user;
    if (text < c->data || len == 0 || (size_t)(text - c->data) + len > c->len) abort();
    c->calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    span_check c = {body, size, 0};
    const char *err = NULL;
    long checked = lpcodec_split_body(body, size, NULL, NULL, &err);
    long n = lpcodec_split_body(body, size, on_message, &c, &err);
    if (n != checked) abort();
    if (n < 0 ? (c.calls != 0 || !err) : c.calls != n) abort();

    char *path = malloc(size + 1);
    if (!path) return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    char sid[LPCODEC_SID_LEN + 1];
    if (lpcodec_parse_route(path, sid) == LPCODEC_ROUTE_SESSION && !lpcodec_sid_valid(sid)) abort();
    free(path);
    return 0;
}

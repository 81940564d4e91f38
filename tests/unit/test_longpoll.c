/*
 * Unit tests for the pure parts of the HTTP long-poll transport: routes,
 * session ids, splitting POST bodies into messages, the close message.
 */
#include "signaling/lpcodec.h"
#include "check.h"

#include <jansson.h>
#include <stdlib.h>

/* ---- routes and session ids ---- */

static const char SID[] = "0123456789abcdef0123456789abcdef";

static void test_routes(void)
{
    char sid[LPCODEC_SID_LEN + 1] = "";
    CHECK_EQ(lpcodec_parse_route("/lp", sid), LPCODEC_ROUTE_CREATE);
    CHECK_EQ(lpcodec_parse_route("/lp/0123456789abcdef0123456789abcdef", sid),
             LPCODEC_ROUTE_SESSION);
    CHECK_STR(sid, SID);

    /* Other URLs are not the transport's business. */
    CHECK_EQ(lpcodec_parse_route("/", sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route("/ws", sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route("/lpx", sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route("/l", sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route("", sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route(NULL, sid), LPCODEC_ROUTE_NONE);
    CHECK_EQ(lpcodec_parse_route("/LP", sid), LPCODEC_ROUTE_NONE);

    /* Under /lp/ but not a session id: answered 404 by the transport. */
    const char *bad[] = {
        "/lp/",
        "/lp/xyz",
        "/lp/0123456789abcdef0123456789abcde",   /* 31 digits */
        "/lp/0123456789abcdef0123456789abcdef0", /* 33 digits */
        "/lp/0123456789ABCDEF0123456789abcdef",  /* upper case */
        "/lp/0123456789abcdef0123456789abcdeg",
        "/lp/0123456789abcdef0123456789abcdef/",
        "/lp/0123456789abcdef0123456789abcdef/x",
        "/lp//0123456789abcdef0123456789abcdef",
        "/lp/../www/index.html",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sid[0] = 'X';
        CHECK_EQ(lpcodec_parse_route(bad[i], sid), LPCODEC_ROUTE_BAD_SID);
        CHECK_EQ(sid[0], 'X'); /* untouched */
    }
}

static void test_sid(void)
{
    CHECK(lpcodec_sid_valid(SID));
    CHECK(!lpcodec_sid_valid(NULL));
    CHECK(!lpcodec_sid_valid(""));
    CHECK(!lpcodec_sid_valid("0123456789abcdef0123456789abcdeF"));
    CHECK(!lpcodec_sid_valid("0123456789abcdef0123456789abcde"));
    CHECK(!lpcodec_sid_valid("0123456789abcdef0123456789abcdef "));

    uint8_t bytes[LPCODEC_SID_BYTES];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 17 + 0x0f);
    char out[LPCODEC_SID_LEN + 1];
    lpcodec_sid_format(bytes, out);
    CHECK_STR(out, "0f2031425364758697a8b9cadbecfd0e");
    CHECK(lpcodec_sid_valid(out));
    memset(bytes, 0xff, sizeof bytes);
    lpcodec_sid_format(bytes, out);
    CHECK_STR(out, "ffffffffffffffffffffffffffffffff");
}

/* ---- POST bodies ---- */

typedef struct got {
    int n;
    char text[16][128];
} got;

static void collect(void *user, const char *text, size_t len)
{
    got *g = user;
    if (g->n < 16 && len < sizeof g->text[0]) {
        memcpy(g->text[g->n], text, len);
        g->text[g->n][len] = '\0';
    }
    g->n++;
}

static long split(const char *body, got *g, const char **err)
{
    memset(g, 0, sizeof *g);
    *err = NULL;
    return lpcodec_split_body(body, strlen(body), collect, g, err);
}

static void test_single_message(void)
{
    got g;
    const char *err;
    const char *msg = "{\"type\":\"join\",\"id\":1,\"room\":\"r\",\"name\":\"A\"}";
    CHECK_EQ(split(msg, &g, &err), 1);
    CHECK_EQ(g.n, 1);
    CHECK_STR(g.text[0], msg);

    /* Not an array: passed on untouched, for the protocol decoder to judge
     * exactly as it judges a WebSocket message. */
    CHECK_EQ(split(" {\"type\":\"leave\",\"id\":2} \n", &g, &err), 1);
    CHECK_STR(g.text[0], " {\"type\":\"leave\",\"id\":2} \n");
    CHECK_EQ(split("not json at all", &g, &err), 1);
    CHECK_STR(g.text[0], "not json at all");
    CHECK_EQ(split("42", &g, &err), 1);
    CHECK_STR(g.text[0], "42");
}

static void test_array(void)
{
    got g;
    const char *err;
    CHECK_EQ(split("[{\"type\":\"a\",\"id\":1},{\"type\":\"b\",\"id\":2}]", &g, &err), 2);
    CHECK_EQ(g.n, 2);
    CHECK_STR(g.text[0], "{\"type\":\"a\",\"id\":1}");
    CHECK_STR(g.text[1], "{\"type\":\"b\",\"id\":2}");

    /* Blanks around elements and the array are trimmed. */
    CHECK_EQ(split(" \r\n[ {\"id\":1} ,\t{\"id\":2}\n ]\n", &g, &err), 2);
    CHECK_STR(g.text[0], "{\"id\":1}");
    CHECK_STR(g.text[1], "{\"id\":2}");

    /* Commas and brackets inside strings and nested values do not split. */
    CHECK_EQ(split("[{\"s\":\"a,b]c}\",\"x\":[1,{\"y\":[2,3]}]},{\"t\":\"\\\"],\"}]", &g, &err), 2);
    CHECK_STR(g.text[0], "{\"s\":\"a,b]c}\",\"x\":[1,{\"y\":[2,3]}]}");
    CHECK_STR(g.text[1], "{\"t\":\"\\\"],\"}");

    /* An escaped backslash ends before the closing quote. */
    CHECK_EQ(split("[\"a\\\\\",\"b\"]", &g, &err), 2);
    CHECK_STR(g.text[0], "\"a\\\\\"");
    CHECK_STR(g.text[1], "\"b\"");

    /* Elements that are not objects are still messages: the decoder turns
     * each into a bad_json error, as on a WebSocket. */
    CHECK_EQ(split("[1, \"x\", null, [2]]", &g, &err), 4);
    CHECK_STR(g.text[0], "1");
    CHECK_STR(g.text[1], "\"x\"");
    CHECK_STR(g.text[2], "null");
    CHECK_STR(g.text[3], "[2]");

    /* Content errors inside an element are the decoder's business too. */
    CHECK_EQ(split("[{\"a\":1} {\"b\":2}, tru]", &g, &err), 2);
    CHECK_STR(g.text[0], "{\"a\":1} {\"b\":2}");
    CHECK_STR(g.text[1], "tru");

    /* An empty array is a valid body with nothing in it. */
    CHECK_EQ(split("[]", &g, &err), 0);
    CHECK_EQ(g.n, 0);
    CHECK_EQ(split(" [ \n ] ", &g, &err), 0);
    CHECK_EQ(g.n, 0);
}

static void check_refused(const char *body, const char *why)
{
    got g;
    const char *err;
    long n = split(body, &g, &err);
    CHECK_EQ(n, -1);
    CHECK_EQ(g.n, 0); /* nothing delivered, not even the good first part */
    CHECK(err != NULL);
    if (n != -1 || !err || !strstr(err, why))
        fprintf(stderr, "body %s: got %ld, err %s (want '%s')\n", body, n, err ? err : "-", why);
}

static void test_refused(void)
{
    check_refused("", "empty");
    check_refused(" \r\n\t", "empty");
    check_refused("[", "unterminated");
    check_refused("[{\"id\":1}", "unterminated");
    check_refused("[{\"id\":1},", "unterminated");
    check_refused("[{\"id\":1},{\"id\":2}", "unterminated");
    check_refused("[\"abc", "unterminated string");
    check_refused("[\"abc\\\"]", "unterminated string");
    check_refused("[\"abc\\", "unterminated string");
    check_refused("[{\"id\":1},]", "empty element");
    check_refused("[,{\"id\":1}]", "empty element");
    check_refused("[{\"id\":1},,{\"id\":2}]", "empty element");
    check_refused("[ , ]", "empty element");
    check_refused("[{\"id\":1}] x", "after the message array");
    check_refused("[{\"id\":1}][]", "after the message array");
    check_refused("[{\"id\":1]}]", "mismatched");
    check_refused("[{\"id\":[1}]]", "mismatched");
    check_refused("[}]", "mismatched");

    char deep[LPCODEC_MAX_DEPTH * 2 + 8];
    size_t n = 0;
    deep[n++] = '[';
    for (int i = 0; i <= LPCODEC_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i <= LPCODEC_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n++] = ']';
    deep[n] = '\0';
    check_refused(deep, "nested too deeply");

    /* Just within the limit is fine. */
    n = 0;
    deep[n++] = '[';
    for (int i = 0; i < LPCODEC_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < LPCODEC_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n++] = ']';
    deep[n] = '\0';
    got g;
    const char *err;
    CHECK_EQ(split(deep, &g, &err), 1);
}

static void test_check_only_and_binary(void)
{
    const char *err = NULL;
    /* fn NULL only checks. */
    CHECK_EQ(lpcodec_split_body("[1,2,3]", 7, NULL, NULL, &err), 3);
    CHECK_EQ(lpcodec_split_body("[1,", 3, NULL, NULL, &err), -1);
    CHECK(err != NULL);
    CHECK_EQ(lpcodec_split_body(NULL, 0, NULL, NULL, NULL), -1);

    /* Lengths are honoured: bytes past len do not exist, NUL is a byte. */
    got g;
    memset(&g, 0, sizeof g);
    CHECK_EQ(lpcodec_split_body("[1,2]garbage", 5, collect, &g, &err), 2);
    CHECK_EQ(g.n, 2);
    memset(&g, 0, sizeof g);
    CHECK_EQ(lpcodec_split_body("[\"a\0b\",2]", 9, collect, &g, &err), 2);
    CHECK_EQ(g.n, 2);
    CHECK_EQ(lpcodec_split_body("[1,2", 3, collect, &g, &err), -1);
}

/* ---- the close message ---- */

static void test_close_message(void)
{
    char *text = lpcodec_close_message(1008, "send queue full");
    CHECK(text != NULL);
    json_error_t e;
    json_t *doc = text ? json_loads(text, 0, &e) : NULL;
    CHECK(doc != NULL);
    CHECK_STR(json_string_value(json_object_get(doc, "type")), "close");
    CHECK_EQ(json_integer_value(json_object_get(doc, "code")), 1008);
    CHECK_STR(json_string_value(json_object_get(doc, "reason")), "send queue full");
    json_decref(doc);
    free(text);

    /* Reasons are escaped. */
    text = lpcodec_close_message(1000, "a \"quoted\"\nreason");
    doc = text ? json_loads(text, 0, &e) : NULL;
    CHECK(doc != NULL);
    CHECK_STR(json_string_value(json_object_get(doc, "reason")), "a \"quoted\"\nreason");
    json_decref(doc);
    free(text);

    text = lpcodec_close_message(1001, NULL);
    CHECK_STR(text, "{\"type\":\"close\",\"code\":1001,\"reason\":\"\"}");
    free(text);
}

int main(void)
{
    test_routes();
    test_sid();
    test_single_message();
    test_array();
    test_refused();
    test_check_only_and_binary();
    test_close_message();
    return check_finish("test_longpoll");
}

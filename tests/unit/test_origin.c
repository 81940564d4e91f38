/*
 * Unit tests for the WebSocket Origin check (signaling/origin.h).
 */
#include "signaling/origin.h"
#include "check.h"

static void expect_norm(const char *in, const char *want, int line)
{
    char out[ORIGIN_MAX];
    bool ok = origin_normalize(in, out);
    if (!ok || strcmp(out, want) != 0)
        fprintf(stderr, "line %d: %s -> %s\n", line, in, ok ? out : "(refused)");
    CHECK(ok);
    CHECK_STR(ok ? out : "", want);
}
#define NORM(in, want) expect_norm(in, want, __LINE__)

static void test_normalize(void)
{
    NORM("http://example.com", "http://example.com");
    NORM("HTTPS://Example.COM", "https://example.com");
    NORM("https://example.com:443", "https://example.com");
    NORM("http://example.com:80/", "http://example.com");
    NORM("http://example.com:443", "http://example.com:443");
    NORM("https://example.com:8443", "https://example.com:8443");
    NORM("http://localhost:08080", "http://localhost:8080");
    NORM("http://127.0.0.1:5173", "http://127.0.0.1:5173");
    NORM("http://[::1]:3000", "http://[::1]:3000");
    NORM("http://[FE80::1]", "http://[fe80::1]");

    const char *bad[] = {
        "null",
        "",
        "ftp://example.com",
        "http://",
        "http://example.com/path",
        "http://user@example.com",
        "http://example.com:",
        "http://example.com:0",
        "http://example.com:65536",
        "http://example.com:99999999999999999999",
        "http://exa mple.com",
        "http://example.com?x",
        "http://[::1",
        "http://[]",
        "http://[::1]x",
        "//example.com",
        "file:///etc/passwd",
    };
    char out[ORIGIN_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool ok = origin_normalize(bad[i], out);
        if (ok) fprintf(stderr, "accepted: %s -> %s\n", bad[i], out);
        CHECK(!ok);
    }
    char huge[600];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    memcpy(huge, "http://", 7);
    CHECK(!origin_normalize(huge, out));
    CHECK(!origin_normalize(NULL, out));
}

static void test_defaults(void)
{
    /* No Origin: not a browser. */
    CHECK(origin_allowed(NULL, "example.com", NULL, 0));
    /* The server's own origin, either scheme (TLS may end at a proxy). */
    CHECK(origin_allowed("http://meet.example.com:8080", "meet.example.com:8080", NULL, 0));
    CHECK(origin_allowed("https://meet.example.com", "meet.example.com", NULL, 0));
    CHECK(origin_allowed("https://meet.example.com", "meet.example.com:443", NULL, 0));
    CHECK(origin_allowed("HTTPS://MEET.example.com", "meet.EXAMPLE.com", NULL, 0));
    CHECK(!origin_allowed("https://meet.example.com:8443", "meet.example.com", NULL, 0));
    CHECK(!origin_allowed("https://evil.example.com", "meet.example.com", NULL, 0));
    /* Loopback on any port. */
    CHECK(origin_allowed("http://localhost:5173", "meet.example.com", NULL, 0));
    CHECK(origin_allowed("https://127.0.0.1", "meet.example.com", NULL, 0));
    CHECK(origin_allowed("http://[::1]:9", NULL, NULL, 0));
    /* Look-alikes of loopback names are not loopback. */
    CHECK(!origin_allowed("http://localhost.evil.com", "meet.example.com", NULL, 0));
    CHECK(!origin_allowed("http://127.0.0.1.evil.com", "meet.example.com", NULL, 0));
    CHECK(!origin_allowed("null", "meet.example.com", NULL, 0));
    /* No Host header: only loopback (and no Origin) remain. */
    CHECK(!origin_allowed("http://example.com", NULL, NULL, 0));
    /* A Host header that is not an authority matches nothing. */
    CHECK(!origin_allowed("http://a", "a/b", NULL, 0));
}

static void test_configured(void)
{
    const char *list[] = {"https://app.example.org", "http://10.0.0.5:8000"};
    CHECK(origin_allowed("https://app.example.org", "meet.example.com", list, 2));
    CHECK(origin_allowed("https://APP.example.org:443", "meet.example.com", list, 2));
    CHECK(origin_allowed("http://10.0.0.5:8000", "meet.example.com", list, 2));
    CHECK(!origin_allowed("http://10.0.0.5", "meet.example.com", list, 2));
    /* A configured list replaces the loopback default... */
    CHECK(!origin_allowed("http://localhost:5173", "meet.example.com", list, 2));
    /* ... but never the server's own origin. */
    CHECK(origin_allowed("http://meet.example.com", "meet.example.com", list, 2));

    const char *any[] = {"*"};
    CHECK(origin_allowed("https://anything.example", "meet.example.com", any, 1));
    CHECK(origin_allowed("null", "meet.example.com", any, 1));
}

int main(void)
{
    test_normalize();
    test_defaults();
    test_configured();
    return check_finish("test_origin");
}

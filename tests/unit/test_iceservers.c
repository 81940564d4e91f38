/*
 * ice_servers URLs (signaling/iceservers.h): the Host header's host part,
 * and what may and may not become a URL.
 */
#include "check.h"
#include "iceservers.h"

#include <string.h>

static const char *host_of(const char *header)
{
    static char out[ICESERVERS_HOST_MAX];
    return iceservers_host_from_header(header, out) ? out : NULL;
}

int main(void)
{
    CHECK_STR(host_of("meet.example.org"), "meet.example.org");
    CHECK_STR(host_of("meet.example.org:8080"), "meet.example.org");
    CHECK_STR(host_of("127.0.0.1:41234"), "127.0.0.1");
    CHECK_STR(host_of("[::1]:8080"), "[::1]");
    CHECK_STR(host_of("[2001:db8::7]"), "[2001:db8::7]");
    /* Anything that could break out of a URL or JSON string, or is not a
     * host at all, gives nothing. */
    const char *bad[] = {NULL,   "",         ":8080", "a b",       "a\"b",   "x:80:90",
                         "x:",   "x:123456", "[::1",  "[]:80",     "[::g]",  "a/b",
                         "a\\b", "-x",       "x?y",   "user@host", "[::1]x", "exa mple.org:1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(host_of(bad[i]) == NULL);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK(host_of(longname) == NULL);

    char url[ICESERVERS_URL_MAX];
    CHECK(iceservers_stun_url("meet.example.org", 3478, url));
    CHECK_STR(url, "stun:meet.example.org:3478");
    CHECK(iceservers_stun_url("[::1]", 3478, url));
    CHECK_STR(url, "stun:[::1]:3478");
    CHECK(!iceservers_stun_url("", 3478, url));
    CHECK_STR(url, "");
    CHECK(!iceservers_stun_url("x", 0, url));

    CHECK(iceservers_url_valid("stun:stun.example.org:3478"));
    CHECK(iceservers_url_valid("stuns:stun.example.org"));
    CHECK(!iceservers_url_valid("turn:x"));
    CHECK(!iceservers_url_valid("stun:"));
    CHECK(!iceservers_url_valid("stun:a b"));
    CHECK(!iceservers_url_valid("stun:a\"b"));
    CHECK(!iceservers_url_valid(NULL));
    return check_finish("test_iceservers");
}

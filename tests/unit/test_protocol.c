/*
 * Unit tests for the signaling message decoder and the reply/event encoders
 * (docs/protocol.md).
 */
#include "signaling/protocol.h"
#include "check.h"

#include <stdlib.h>

static proto_request req;
static proto_error err;

/* Decodes a NUL-terminated message; returns the decoder's result. */
static int decode(const char *msg)
{
    return proto_request_decode(msg, strlen(msg), &req, &err);
}

/* Expects a decode failure with the given code and id (0 = null). */
static void expect_error(const char *msg, const char *code, int64_t id, int line)
{
    int rc = decode(msg);
    if (rc != -1 || !err.code || strcmp(err.code, code) != 0 || err.id != id) {
        fprintf(stderr, "line %d: %s -> rc %d code %s id %lld (%s)\n", line, msg, rc,
                err.code ? err.code : "(none)", (long long)err.id, err.message);
    }
    CHECK_EQ(rc, -1);
    CHECK_STR(err.code, code);
    CHECK_EQ(err.id, id);
    CHECK(err.message[0] != '\0');
    if (rc == 0) proto_request_clear(&req);
}
#define EXPECT_ERROR(msg, code, id) expect_error(msg, code, id, __LINE__)

static void expect_ok(const char *msg, int line)
{
    int rc = decode(msg);
    if (rc != 0) fprintf(stderr, "line %d: %s -> %s: %s\n", line, msg, err.code, err.message);
    CHECK_EQ(rc, 0);
}
#define EXPECT_OK(msg) expect_ok(msg, __LINE__)

static char *repeat(const char *unit, int n)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + ul * (size_t)i, unit, ul);
    s[ul * (size_t)n] = '\0';
    return s;
}

static void test_join(void)
{
    EXPECT_OK("{\"type\":\"join\",\"id\":1,\"room\":\"standup\",\"name\":\"Ada\"}");
    CHECK_EQ(req.type, PROTO_REQ_JOIN);
    CHECK_EQ(req.id, 1);
    CHECK_STR(req.room, "standup");
    CHECK_STR(req.name, "Ada");
    proto_request_clear(&req);

    /* Unknown fields are ignored; field order does not matter. */
    EXPECT_OK("{\"name\":\"Grace Hopper\",\"extra\":[1,2],\"room\":\"A-z_0.9\",\"id\":"
              "9007199254740991,\"type\":\"join\"}");
    CHECK_EQ(req.id, 9007199254740991LL);
    CHECK_STR(req.room, "A-z_0.9");
    CHECK_STR(req.name, "Grace Hopper");
    proto_request_clear(&req);

    EXPECT_ERROR("{\"type\":\"join\",\"id\":2,\"name\":\"Ada\"}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"join\",\"id\":2,\"room\":\"r\"}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"join\",\"id\":2,\"room\":5,\"name\":\"Ada\"}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"join\",\"id\":2,\"room\":\"r\",\"name\":null}", "bad_request", 2);
}

static void join_with(const char *room, const char *name, bool ok, int line)
{
    char *msg = malloc(strlen(room) + strlen(name) + 64);
    sprintf(msg, "{\"type\":\"join\",\"id\":3,\"room\":\"%s\",\"name\":\"%s\"}", room, name);
    if (ok) {
        expect_ok(msg, line);
        proto_request_clear(&req);
    } else {
        expect_error(msg, "bad_request", 3, line);
    }
    free(msg);
}

static void test_room_rules(void)
{
    char *r64 = repeat("a", 64), *r65 = repeat("a", 65);
    join_with(r64, "n", true, __LINE__);
    join_with(r65, "n", false, __LINE__);
    join_with("", "n", false, __LINE__);
    join_with("a b", "n", false, __LINE__);
    join_with("a/b", "n", false, __LINE__);
    join_with("caf\\u00e9", "n", false, __LINE__);
    /* NUL is refused by the JSON parser itself. */
    EXPECT_ERROR("{\"type\":\"join\",\"id\":3,\"room\":\"a\\u0000b\",\"name\":\"n\"}", "bad_json",
                 0);
    free(r64);
    free(r65);
}

static void test_name_rules(void)
{
    /* 64 two-byte characters is 128 bytes and still valid: the limit counts
     * characters, not bytes. */
    char *e64 = repeat("\xc3\xa9", 64), *e65 = repeat("\xc3\xa9", 65);
    char *emoji64 = repeat("\xf0\x9f\x98\x80", 64);
    join_with("r", e64, true, __LINE__);
    join_with("r", emoji64, true, __LINE__);
    join_with("r", e65, false, __LINE__);
    join_with("r", "", false, __LINE__);
    join_with("r", "bell\\u0007", false, __LINE__);
    join_with("r", "tab\\there", false, __LINE__);
    join_with("r", "del\\u007f", false, __LINE__);
    join_with("r", "c1\\u0085", false, __LINE__);
    join_with("r", "nbsp\\u00a0ok", true, __LINE__);
    free(e64);
    free(e65);
    free(emoji64);
}

static void test_envelope(void)
{
    EXPECT_ERROR("", "bad_json", 0);
    EXPECT_ERROR("{", "bad_json", 0);
    EXPECT_ERROR("[1,2]", "bad_json", 0);
    EXPECT_ERROR("\"join\"", "bad_json", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":1} trailing", "bad_json", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":1,\"id\":2}", "bad_json", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":99999999999999999999999}", "bad_json", 0);
    /* Invalid UTF-8 inside a string. */
    EXPECT_ERROR("{\"type\":\"join\",\"id\":1,\"room\":\"r\",\"name\":\"\xff\"}", "bad_json", 0);

    EXPECT_ERROR("{\"id\":4}", "bad_request", 4);
    EXPECT_ERROR("{\"type\":7,\"id\":4}", "bad_request", 4);
    EXPECT_ERROR("{\"type\":\"dance\",\"id\":5}", "unknown_type", 5);
    EXPECT_ERROR("{\"type\":\"Join\",\"id\":5}", "unknown_type", 5);
    EXPECT_ERROR("{\"type\":\"dance\"}", "unknown_type", 0);

    /* The id: an integer 1 .. 2^53-1; an unreadable id is reported as null. */
    EXPECT_ERROR("{\"type\":\"leave\"}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":0}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":-3}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":1.0}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":\"1\"}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":null}", "bad_request", 0);
    EXPECT_ERROR("{\"type\":\"leave\",\"id\":9007199254740992}", "bad_request", 0);

    EXPECT_OK(" {\"type\":\"leave\",\"id\":12} \n");
    CHECK_EQ(req.type, PROTO_REQ_LEAVE);
    CHECK_EQ(req.id, 12);
    proto_request_clear(&req);
}

static void test_sdp_requests(void)
{
    EXPECT_OK("{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\\r\\n\"}");
    CHECK_EQ(req.type, PROTO_REQ_PUBLISH);
    CHECK_STR(req.sdp, "v=0\r\n");
    proto_request_clear(&req);

    EXPECT_OK("{\"type\":\"answer\",\"id\":3,\"sdp\":\"v=0\\r\\n\"}");
    CHECK_EQ(req.type, PROTO_REQ_ANSWER);
    CHECK_EQ(req.id, 3);
    proto_request_clear(&req);

    EXPECT_ERROR("{\"type\":\"publish\",\"id\":2}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"publish\",\"id\":2,\"sdp\":\"\"}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"answer\",\"id\":2,\"sdp\":{}}", "bad_request", 2);

    char *big = repeat("a", PROTO_SDP_MAX + 1);
    char *msg = malloc(strlen(big) + 64);
    sprintf(msg, "{\"type\":\"publish\",\"id\":6,\"sdp\":\"%s\"}", big);
    EXPECT_ERROR(msg, "bad_request", 6);
    free(big);
    free(msg);
}

static void test_publish_sources(void)
{
    EXPECT_OK("{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\",\"sources\":"
              "{\"0\":\"microphone\",\"1\":\"camera\",\"2\":\"screen\"}}");
    CHECK(req.has_sources);
    CHECK_EQ(req.n_sources, 3);
    bool screen = false;
    for (size_t i = 0; i < req.n_sources; i++)
        if (strcmp(req.sources[i].mid, "2") == 0)
            screen = strcmp(req.sources[i].source, "screen") == 0;
    CHECK(screen);
    proto_request_clear(&req);

    /* Without sources, or an empty object (which still says "none named"). */
    EXPECT_OK("{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\"}");
    CHECK(!req.has_sources);
    proto_request_clear(&req);
    EXPECT_OK("{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\",\"sources\":{}}");
    CHECK(req.has_sources);
    CHECK_EQ(req.n_sources, 0);
    proto_request_clear(&req);
    EXPECT_OK(
        "{\"type\":\"publish\",\"id\":2,\"sdp\":\"v=0\",\"sources\":{\"a\":\"0123456789abcdef\"}}");
    proto_request_clear(&req);

    const char *bad[] = {
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":[]}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":\"camera\"}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"0\":1}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"0\":\"\"}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"0\":\"Camera\"}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"0\":\"my cam\"}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"0\":\"0123456789abcdefg\"}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"\":\"camera\"}}",
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"a b\":\"camera\"}}",
        ("{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{"
         "\"0123456789abcdef0123456789abcdef\":\"camera\"}}"),
        /* sdp is checked first */
        "{\"type\":\"publish\",\"id\":3,\"sources\":{\"0\":\"camera\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_ERROR(bad[i], "bad_request", 3);
    /* jansson refuses a NUL in a key by itself. */
    EXPECT_ERROR(
        "{\"type\":\"publish\",\"id\":3,\"sdp\":\"v=0\",\"sources\":{\"a\\u0000\":\"camera\"}}",
        "bad_json", 0);

    /* At most PROTO_SOURCES_MAX entries. */
    char many[4096];
    for (int limit = PROTO_SOURCES_MAX; limit <= PROTO_SOURCES_MAX + 1; limit++) {
        int len = snprintf(many, sizeof many,
                           "{\"type\":\"publish\",\"id\":4,\"sdp\":\"v=0\",\"sources\":{");
        for (int i = 0; i < limit; i++)
            len += snprintf(many + len, sizeof many - (size_t)len, "%s\"%d\":\"screen\"",
                            i ? "," : "", i);
        snprintf(many + len, sizeof many - (size_t)len, "}}");
        if (limit > PROTO_SOURCES_MAX) {
            EXPECT_ERROR(many, "bad_request", 4);
            continue;
        }
        EXPECT_OK(many);
        CHECK_EQ(req.n_sources, PROTO_SOURCES_MAX);
        proto_request_clear(&req);
    }

    CHECK(proto_source_valid("screen"));
    CHECK(proto_source_valid("a_b-9"));
    CHECK(!proto_source_valid(""));
    CHECK(!proto_source_valid("A"));
    CHECK_STR(proto_source_default("video"), "camera");
    CHECK_STR(proto_source_default("audio"), "microphone");
}

static void test_candidate(void)
{
    EXPECT_OK("{\"type\":\"candidate\",\"id\":4,\"transport\":\"publish\",\"candidate\":{"
              "\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\","
              "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"abcd\"}}");
    CHECK_EQ(req.type, PROTO_REQ_CANDIDATE);
    CHECK_EQ(req.transport, PROTO_TRANSPORT_PUBLISH);
    CHECK(!req.end_of_candidates);
    CHECK_STR(req.candidate, "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
    CHECK_STR(req.sdp_mid, "0");
    CHECK_EQ(req.sdp_mline_index, 0);
    proto_request_clear(&req);

    EXPECT_OK("{\"type\":\"candidate\",\"id\":5,\"transport\":\"subscribe\",\"candidate\":null}");
    CHECK_EQ(req.transport, PROTO_TRANSPORT_SUBSCRIBE);
    CHECK(req.end_of_candidates);
    CHECK(req.candidate == NULL);
    CHECK(req.sdp_mid == NULL);
    CHECK_EQ(req.sdp_mline_index, -1);
    proto_request_clear(&req);

    /* Browsers signal the end of gathering with an empty candidate line. */
    EXPECT_OK("{\"type\":\"candidate\",\"id\":6,\"transport\":\"publish\",\"candidate\":{"
              "\"candidate\":\"\",\"sdpMid\":null,\"sdpMLineIndex\":null}}");
    CHECK(req.end_of_candidates);
    CHECK(req.candidate == NULL);
    proto_request_clear(&req);

    const char *bad[] = {
        "{\"type\":\"candidate\",\"id\":7,\"candidate\":null}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"both\",\"candidate\":null}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\"}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":\"x\"}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"a=candidate:1 1 udp 1 1.2.3.4 5 typ host\"}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\\r\\na=inject\"}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1\",\"sdpMid\":\"0123456789012345678901234567890123\"}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1\",\"sdpMid\":\"a b\"}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1\",\"sdpMid\":0}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1\",\"sdpMLineIndex\":-1}}",
        "{\"type\":\"candidate\",\"id\":7,\"transport\":\"publish\",\"candidate\":{"
        "\"candidate\":\"candidate:1\",\"sdpMLineIndex\":\"0\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT_ERROR(bad[i], "bad_request", 7);

    char *longc = repeat("x", PROTO_CANDIDATE_MAX);
    char *msg = malloc(strlen(longc) + 128);
    sprintf(msg,
            "{\"type\":\"candidate\",\"id\":8,\"transport\":\"publish\",\"candidate\":{"
            "\"candidate\":\"candidate:%s\"}}",
            longc);
    EXPECT_ERROR(msg, "bad_request", 8);
    free(longc);
    free(msg);
}

static void test_chat(void)
{
    EXPECT_OK("{\"type\":\"chat\",\"id\":9,\"text\":\"hello\\nworld\\t\\u00e9\"}");
    CHECK_EQ(req.type, PROTO_REQ_CHAT);
    CHECK_EQ(req.id, 9);
    CHECK_STR(req.text, "hello\nworld\t\xc3\xa9");
    CHECK_EQ(req.text_len, 14);
    proto_request_clear(&req);

    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9}", "bad_request", 9);
    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9,\"text\":\"\"}", "bad_request", 9);
    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9,\"text\":5}", "bad_request", 9);
    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9,\"text\":\"bell\\u0007\"}", "bad_request", 9);
    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9,\"text\":\"esc\\u001b[31m\"}", "bad_request", 9);
    EXPECT_ERROR("{\"type\":\"chat\",\"id\":9,\"text\":\"c1\\u0085\"}", "bad_request", 9);

    /* Any text a message can hold decodes (the server's cap is checked
     * later, with its own error code); beyond that it is a bad request. */
    char *max = repeat("a", PROTO_SDP_MAX), *over = repeat("a", PROTO_SDP_MAX + 1);
    char *msg = malloc(PROTO_SDP_MAX + 64);
    sprintf(msg, "{\"type\":\"chat\",\"id\":10,\"text\":\"%s\"}", max);
    EXPECT_OK(msg);
    CHECK_EQ(req.text_len, PROTO_SDP_MAX);
    proto_request_clear(&req);
    sprintf(msg, "{\"type\":\"chat\",\"id\":10,\"text\":\"%s\"}", over);
    EXPECT_ERROR(msg, "bad_request", 10);
    free(max);
    free(over);
    free(msg);
}

static void test_mute(void)
{
    EXPECT_OK("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1-0\",\"muted\":true}");
    CHECK_EQ(req.type, PROTO_REQ_MUTE);
    CHECK_STR(req.track_id, "p1-0");
    CHECK(req.muted);
    proto_request_clear(&req);
    EXPECT_OK("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1-0\",\"muted\":false}");
    CHECK(!req.muted);
    proto_request_clear(&req);

    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1-0\"}", "bad_request", 3);
    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1-0\",\"muted\":1}", "bad_request",
                 3);
    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1-0\",\"muted\":\"true\"}",
                 "bad_request", 3);
    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"muted\":true}", "bad_request", 3);
    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"track_id\":\"p1 0\",\"muted\":true}", "bad_request",
                 3);
    EXPECT_ERROR("{\"type\":\"mute\",\"id\":3,\"track_id\":\"\",\"muted\":true}", "bad_request", 3);
    char *longid = repeat("x", PROTO_TRACK_ID_MAX + 1);
    char *msg = malloc(strlen(longid) + 64);
    sprintf(msg, "{\"type\":\"mute\",\"id\":3,\"track_id\":\"%s\",\"muted\":true}", longid);
    EXPECT_ERROR(msg, "bad_request", 3);
    free(longid);
    free(msg);
}

static void test_resume_and_restart(void)
{
    EXPECT_OK("{\"type\":\"resume\",\"id\":1,\"token\":\"0123456789abcdef0123456789abcdef\"}");
    CHECK_EQ(req.type, PROTO_REQ_RESUME);
    CHECK_STR(req.token, "0123456789abcdef0123456789abcdef");
    proto_request_clear(&req);

    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1}", "bad_request", 1);
    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1,\"token\":7}", "bad_request", 1);
    /* Uppercase, short, long, not hex. */
    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1,\"token\":\"0123456789ABCDEF0123456789abcdef\"}",
                 "bad_request", 1);
    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1,\"token\":\"0123456789abcdef\"}", "bad_request", 1);
    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1,\"token\":\"0123456789abcdef0123456789abcdef0\"}",
                 "bad_request", 1);
    EXPECT_ERROR("{\"type\":\"resume\",\"id\":1,\"token\":\"0123456789abcdef0123456789abcdeg\"}",
                 "bad_request", 1);

    EXPECT_OK("{\"type\":\"restart_ice\",\"id\":2,\"transport\":\"subscribe\"}");
    CHECK_EQ(req.type, PROTO_REQ_RESTART_ICE);
    CHECK_EQ(req.transport, PROTO_TRANSPORT_SUBSCRIBE);
    proto_request_clear(&req);
    EXPECT_ERROR("{\"type\":\"restart_ice\",\"id\":2,\"transport\":\"publish\"}", "bad_request", 2);
    EXPECT_ERROR("{\"type\":\"restart_ice\",\"id\":2}", "bad_request", 2);
}

static void test_validators(void)
{
    CHECK(proto_room_valid("standup"));
    CHECK(proto_room_valid("_private.room-1"));
    CHECK(!proto_room_valid(""));
    CHECK(!proto_room_valid("a/b"));
    CHECK(!proto_room_valid("..%2f"));
    CHECK(proto_name_valid("Ada Lovelace"));
    CHECK(!proto_name_valid(""));
    CHECK(!proto_name_valid("line\nbreak"));
}

/* Parses encoder output back; NULL when it is not a JSON object. */
static json_t *parse(char *text)
{
    CHECK(text != NULL);
    if (!text) return NULL;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    free(text);
    CHECK(json_is_object(v));
    return v;
}

static const char *str_at(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void test_encode_replies(void)
{
    char *s = proto_encode_reply_empty(7);
    CHECK_STR(s, "{\"type\":\"reply\",\"id\":7,\"data\":{}}");
    free(s);

    s = proto_encode_error(0, "bad_json", "a message must be a JSON object");
    CHECK_STR(s, "{\"type\":\"error\",\"id\":null,\"code\":\"bad_json\",\"message\":"
                 "\"a message must be a JSON object\"}");
    free(s);

    json_t *v = parse(proto_encode_reply_sdp(9007199254740991LL, "v=0\r\n"));
    CHECK_EQ(json_integer_value(json_object_get(v, "id")), 9007199254740991LL);
    CHECK_STR(str_at(json_object_get(v, "data"), "sdp"), "v=0\r\n");
    json_decref(v);

    proto_peer peers[] = {{"p77aa01b3", "Grace"}, {"p0000000000000001", "\xc3\xa9"}};
    v = parse(proto_encode_reply_join(1, "p4f1c2a9e", "standup", peers, 2));
    json_t *data = json_object_get(v, "data");
    CHECK_STR(str_at(v, "type"), "reply");
    CHECK_STR(str_at(data, "peer_id"), "p4f1c2a9e");
    CHECK_STR(str_at(data, "room"), "standup");
    json_t *list = json_object_get(data, "peers");
    CHECK_EQ(json_array_size(list), 2);
    CHECK_STR(str_at(json_array_get(list, 1), "id"), "p0000000000000001");
    CHECK_STR(str_at(json_array_get(list, 1), "name"), "\xc3\xa9");
    CHECK(json_is_array(json_object_get(data, "ice_servers")));
    json_decref(v);

    v = parse(proto_encode_reply_join(2, "p1", "r", NULL, 0));
    CHECK_EQ(json_array_size(json_object_get(json_object_get(v, "data"), "peers")), 0);
    json_decref(v);

    /* A message truncated inside a UTF-8 sequence still gives valid JSON. */
    v = parse(proto_encode_error(3, "bad_sdp", "line \xc3"));
    CHECK_STR(str_at(v, "message"), "line ?");
    CHECK_EQ(json_integer_value(json_object_get(v, "id")), 3);
    json_decref(v);
}

static void test_encode_events(void)
{
    char *s = proto_encode_candidate(PROTO_TRANSPORT_SUBSCRIBE, "", "0");
    CHECK_STR(s, "{\"type\":\"candidate\",\"transport\":\"subscribe\",\"candidate\":null}");
    free(s);
    s = proto_encode_candidate(PROTO_TRANSPORT_PUBLISH, NULL, NULL);
    CHECK_STR(s, "{\"type\":\"candidate\",\"transport\":\"publish\",\"candidate\":null}");
    free(s);

    json_t *v = parse(proto_encode_candidate(PROTO_TRANSPORT_PUBLISH, "candidate:1 1 udp 5", "1"));
    json_t *c = json_object_get(v, "candidate");
    CHECK_STR(str_at(c, "candidate"), "candidate:1 1 udp 5");
    CHECK_STR(str_at(c, "sdpMid"), "1");
    CHECK_EQ(json_integer_value(json_object_get(c, "sdpMLineIndex")), 0);
    json_decref(v);

    proto_track tracks[] = {{"p1-0", "p1", "audio", "0", NULL},
                            {"p1-1", "p1", "video", "1", "screen"}};
    v = parse(proto_encode_offer("v=0\r\n", tracks, 2));
    CHECK_STR(str_at(v, "type"), "offer");
    CHECK_STR(str_at(v, "sdp"), "v=0\r\n");
    json_t *list = json_object_get(v, "tracks");
    CHECK_EQ(json_array_size(list), 2);
    CHECK_STR(str_at(json_array_get(list, 1), "track_id"), "p1-1");
    CHECK_STR(str_at(json_array_get(list, 1), "kind"), "video");
    CHECK_STR(str_at(json_array_get(list, 0), "mid"), "0");
    CHECK_STR(str_at(json_array_get(list, 0), "peer_id"), "p1");
    CHECK(json_object_get(json_array_get(list, 0), "source") == NULL); /* none given */
    CHECK_STR(str_at(json_array_get(list, 1), "source"), "screen");
    json_decref(v);

    s = proto_encode_tracks(NULL, 0);
    CHECK_STR(s, "{\"type\":\"tracks\",\"tracks\":[]}");
    free(s);

    s = proto_encode_peer_joined("p77aa01b3", "Grace");
    CHECK_STR(s, "{\"type\":\"peer_joined\",\"peer\":{\"id\":\"p77aa01b3\",\"name\":\"Grace\"}}");
    free(s);

    s = proto_encode_peer_left("p77aa01b3", "disconnected");
    CHECK_STR(s, "{\"type\":\"peer_left\",\"peer_id\":\"p77aa01b3\",\"reason\":\"disconnected\"}");
    free(s);

    s = proto_encode_transport_state(PROTO_TRANSPORT_PUBLISH, "connected");
    CHECK_STR(s,
              "{\"type\":\"transport_state\",\"transport\":\"publish\",\"state\":\"connected\"}");
    free(s);

    /* Names with quotes and backslashes survive a round trip. */
    v = parse(proto_encode_peer_joined("p1", "a\"b\\c"));
    CHECK_STR(str_at(json_object_get(v, "peer"), "name"), "a\"b\\c");
    json_decref(v);
}

static void test_encode_session(void)
{
    proto_peer peers[] = {{"p2", "Grace"}};
    proto_chat chat[] = {{1, 1700000000000LL, "p2", "Grace", "hi"},
                         {2, 1700000000001LL, "p1", "Ada", "hello \"you\""}};
    proto_room_track tracks[] = {{"p2-0", "p2", "audio", true, NULL},
                                 {"p2-1", "p2", "video", false, "screen"}};
    const char *urls[] = {"stun:meet.example.org:3478"};
    proto_session_info info = {"p1", "standup", "00ff", peers, 1, chat, 2, tracks, 2, urls, 1};
    json_t *v = parse(proto_encode_reply_session(4, &info));
    json_t *data = json_object_get(v, "data");
    CHECK_EQ(json_integer_value(json_object_get(v, "id")), 4);
    CHECK_STR(str_at(data, "peer_id"), "p1");
    CHECK_STR(str_at(data, "room"), "standup");
    CHECK_STR(str_at(data, "resume_token"), "00ff");
    CHECK_EQ(json_array_size(json_object_get(data, "peers")), 1);
    json_t *ice = json_object_get(data, "ice_servers");
    CHECK_EQ(json_array_size(ice), 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(json_array_get(ice, 0), "urls"), 0)),
              "stun:meet.example.org:3478");
    json_t *c = json_object_get(data, "chat");
    CHECK_EQ(json_array_size(c), 2);
    CHECK_EQ(json_integer_value(json_object_get(json_array_get(c, 0), "id")), 1);
    CHECK_EQ(json_integer_value(json_object_get(json_array_get(c, 0), "ts")), 1700000000000LL);
    CHECK_STR(str_at(json_array_get(c, 1), "text"), "hello \"you\"");
    CHECK_STR(str_at(json_array_get(c, 1), "name"), "Ada");
    json_t *t = json_object_get(data, "room_tracks");
    CHECK_EQ(json_array_size(t), 2);
    CHECK(json_is_true(json_object_get(json_array_get(t, 0), "muted")));
    CHECK(json_is_false(json_object_get(json_array_get(t, 1), "muted")));
    CHECK_STR(str_at(json_array_get(t, 1), "kind"), "video");
    CHECK_STR(str_at(json_array_get(t, 1), "peer_id"), "p2");
    CHECK_STR(str_at(json_array_get(t, 0), "source"), "microphone"); /* the default */
    CHECK_STR(str_at(json_array_get(t, 1), "source"), "screen");
    json_decref(v);

    proto_session_info empty = {"p1", "r", "t", NULL, 0, NULL, 0, NULL, 0, NULL, 0};
    char *s = proto_encode_reply_session(5, &empty);
    CHECK_STR(s, "{\"type\":\"reply\",\"id\":5,\"data\":{\"peer_id\":\"p1\",\"room\":\"r\","
                 "\"peers\":[],\"ice_servers\":[],\"resume_token\":\"t\",\"chat\":[],"
                 "\"room_tracks\":[]}}");
    free(s);

    s = proto_encode_reply_chat(6, 42);
    CHECK_STR(s, "{\"type\":\"reply\",\"id\":6,\"data\":{\"message_id\":42}}");
    free(s);
}

static void test_encode_room_events(void)
{
    proto_chat m = {7, 1700000000123LL, "p9", "Bo", "line1\nline2"};
    char *s = proto_encode_chat(&m);
    CHECK_STR(s, "{\"type\":\"chat\",\"message\":{\"id\":7,\"peer_id\":\"p9\",\"name\":\"Bo\","
                 "\"text\":\"line1\\nline2\",\"ts\":1700000000123}}");
    free(s);

    proto_room_track t[] = {{"p9-0", "p9", "audio", false, "mic-2"}};
    s = proto_encode_room_tracks(t, 1);
    CHECK_STR(s, "{\"type\":\"room_tracks\",\"tracks\":[{\"track_id\":\"p9-0\",\"peer_id\":\"p9\","
                 "\"kind\":\"audio\",\"muted\":false,\"source\":\"mic-2\"}]}");
    free(s);
    s = proto_encode_room_tracks(NULL, 0);
    CHECK_STR(s, "{\"type\":\"room_tracks\",\"tracks\":[]}");
    free(s);

    s = proto_encode_track_muted("p9-0", "p9", true);
    CHECK_STR(s,
              "{\"type\":\"track_muted\",\"track_id\":\"p9-0\",\"peer_id\":\"p9\",\"muted\":true}");
    free(s);
}

static void test_encode_api(void)
{
    proto_room_summary rooms[] = {{"a", 2}, {"b", 1}};
    char *s = proto_encode_room_list(rooms, 2);
    CHECK_STR(s, "{\"rooms\":[{\"name\":\"a\",\"peers\":2},{\"name\":\"b\",\"peers\":1}]}");
    free(s);
    s = proto_encode_room_list(NULL, 0);
    CHECK_STR(s, "{\"rooms\":[]}");
    free(s);

    proto_peer peers[] = {{"p1", "Ada"}};
    proto_room_track t[] = {{"p1-0", "p1", "video", true, NULL}};
    s = proto_encode_room_detail("a", peers, 1, t, 1);
    CHECK_STR(s, "{\"name\":\"a\",\"peers\":[{\"id\":\"p1\",\"name\":\"Ada\"}],\"tracks\":[{"
                 "\"track_id\":\"p1-0\",\"peer_id\":\"p1\",\"kind\":\"video\",\"muted\":true,"
                 "\"source\":\"camera\"}]}");
    free(s);

    s = proto_encode_http_error("not_found", "no such room");
    CHECK_STR(s, "{\"code\":\"not_found\",\"message\":\"no such room\"}");
    free(s);
}

int main(void)
{
    test_join();
    test_room_rules();
    test_name_rules();
    test_envelope();
    test_sdp_requests();
    test_publish_sources();
    test_candidate();
    test_chat();
    test_mute();
    test_resume_and_restart();
    test_validators();
    test_encode_replies();
    test_encode_events();
    test_encode_session();
    test_encode_room_events();
    test_encode_api();
    return check_finish("test_protocol");
}

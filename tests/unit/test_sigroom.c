/*
 * Unit tests for sessions (signaling/session.h: ids, tokens, outboxes,
 * identity swaps) and signaling rooms (signaling/sigroom.h: limits,
 * lingering, chat history, published tracks, API JSON).
 */
#include "signaling/session.h"
#include "signaling/sigroom.h"
#include "check.h"

#include <stdlib.h>

/* ---- a transport that records what it is given ---- */

typedef struct fake_transport {
    session_transport base;
    GPtrArray *sent; /* char * */
    int closes;
    uint16_t close_code;
} fake_transport;

static void fake_send(session_transport *t, const char *text, size_t len)
{
    g_ptr_array_add(((fake_transport *)t)->sent, g_strndup(text, len));
}

static void fake_close(session_transport *t, uint16_t code, const char *reason)
{
    (void)reason;
    ((fake_transport *)t)->closes++;
    ((fake_transport *)t)->close_code = code;
}

static const session_transport_ops fake_ops = {fake_send, fake_close};

static void fake_init(fake_transport *f)
{
    f->base.ops = &fake_ops;
    f->sent = g_ptr_array_new_with_free_func(g_free);
    f->closes = 0;
}

static int outbox_full_calls;

static void ev_message(void *user, session *s, const char *text, size_t len)
{
    (void)user, (void)s, (void)text, (void)len;
}

static void ev_lost(void *user, session *s)
{
    (void)user, (void)s;
}

static void ev_full(void *user, session *s)
{
    (void)user, (void)s;
    outbox_full_calls++;
}

static const session_events events = {ev_message, ev_lost, ev_full};

static bool hex_string(const char *s, size_t len)
{
    if (strlen(s) != len) return false;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i])) return false;
    return true;
}

/* ---- sessions ---- */

static void test_ids_and_tokens(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    fake_transport ta, tb;
    fake_init(&ta);
    fake_init(&tb);
    session *a = session_new(reg, &ta.base);
    session *b = session_new(reg, &tb.base);
    CHECK(a && b);
    CHECK_EQ(a->peer_id[0], 'p');
    CHECK(hex_string(a->peer_id + 1, SESSION_PEER_ID_LEN - 1));
    CHECK(strcmp(a->peer_id, b->peer_id) != 0);
    CHECK(session_find(reg, a->peer_id) == a);
    CHECK(session_find(reg, "p0000000000000000") == NULL);
    CHECK_EQ(session_registry_count(reg), 2);

    CHECK_STR(a->token, "");
    CHECK(session_find_token(reg, "") == NULL);
    CHECK(session_issue_token(a));
    CHECK(hex_string(a->token, SESSION_TOKEN_LEN));
    char old[SESSION_TOKEN_LEN + 1];
    strcpy(old, a->token);
    CHECK(session_find_token(reg, old) == a);
    CHECK(session_issue_token(a));
    CHECK(strcmp(old, a->token) != 0);
    CHECK(session_find_token(reg, old) == NULL);
    CHECK(session_find_token(reg, a->token) == a);
    strcpy(old, a->token);
    session_revoke_token(a);
    CHECK(session_find_token(reg, old) == NULL);

    CHECK(session_issue_token(b));
    strcpy(old, b->token);
    session_free(b);
    CHECK(session_find_token(reg, old) == NULL);
    CHECK_EQ(session_registry_count(reg), 1);
    session_registry_free(reg);
    g_ptr_array_unref(ta.sent);
    g_ptr_array_unref(tb.sent);
}

static void test_outbox(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    fake_transport t1, t2;
    fake_init(&t1);
    fake_init(&t2);
    session *s = session_new(reg, &t1.base);
    session_send(s, "direct");
    CHECK_EQ(t1.sent->len, 1);

    /* Detached before joining: nothing to keep. */
    s->transport = NULL;
    session_send(s, "dropped");
    CHECK_EQ(s->outbox.length, 0);

    /* Detached while joined: queued in order, delivered by a flush. */
    s->state = SESSION_JOINED;
    session_send(s, "one");
    session_send(s, "two");
    CHECK_EQ(s->outbox.length, 2);
    CHECK_EQ(s->outbox_bytes, 6);
    s->transport = &t2.base;
    session_flush_outbox(s);
    CHECK_EQ(t2.sent->len, 2);
    CHECK_STR(t2.sent->pdata[0], "one");
    CHECK_STR(t2.sent->pdata[1], "two");
    CHECK_EQ(s->outbox.length, 0);
    CHECK_EQ(s->outbox_bytes, 0);

    /* The message bound: the one over it empties the box, reported once. */
    s->transport = NULL;
    outbox_full_calls = 0;
    for (int i = 0; i < SESSION_OUTBOX_MESSAGES; i++)
        session_send(s, "x");
    CHECK_EQ(s->outbox.length, SESSION_OUTBOX_MESSAGES);
    CHECK(!s->outbox_overflow);
    session_send(s, "x");
    session_send(s, "x");
    CHECK(s->outbox_overflow);
    CHECK_EQ(outbox_full_calls, 1);
    CHECK_EQ(s->outbox.length, 0);
    session_free(s);

    /* The byte bound. */
    s = session_new(reg, NULL);
    s->state = SESSION_JOINED;
    char *big = g_malloc(300 * 1024 + 1);
    memset(big, 'b', 300 * 1024);
    big[300 * 1024] = '\0';
    outbox_full_calls = 0;
    for (int i = 0; i < 3; i++)
        session_send(s, big);
    CHECK(!s->outbox_overflow);
    session_send(s, big);
    CHECK(s->outbox_overflow);
    CHECK_EQ(outbox_full_calls, 1);
    g_free(big);
    session_registry_free(reg);
    g_ptr_array_unref(t1.sent);
    g_ptr_array_unref(t2.sent);
}

static void test_swap_identity(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    fake_transport old_t, new_t;
    fake_init(&old_t);
    fake_init(&new_t);
    session *o = session_new(reg, &old_t.base);
    session *n = session_new(reg, &new_t.base);
    o->state = SESSION_JOINED;
    o->name = g_strdup("Ada");
    CHECK(session_issue_token(o));
    char id_o[SESSION_PEER_ID_LEN + 1], id_n[SESSION_PEER_ID_LEN + 1], tok[SESSION_TOKEN_LEN + 1];
    strcpy(id_o, o->peer_id);
    strcpy(id_n, n->peer_id);
    strcpy(tok, o->token);
    o->transport = NULL;
    session_send(o, "queued");
    g_hash_table_add(o->muted, g_strdup("x-0"));

    session_swap_identity(n, o);
    /* n is now the old peer, on the new transport. */
    CHECK_STR(n->peer_id, id_o);
    CHECK_STR(n->name, "Ada");
    CHECK_EQ(n->state, SESSION_JOINED);
    CHECK(n->transport == &new_t.base);
    CHECK_EQ(n->outbox.length, 1);
    CHECK(g_hash_table_contains(n->muted, "x-0"));
    CHECK(session_find(reg, id_o) == n);
    CHECK(session_find_token(reg, tok) == n);
    /* o holds what n was. */
    CHECK_STR(o->peer_id, id_n);
    CHECK_EQ(o->state, SESSION_NEW);
    CHECK(o->transport == NULL);
    CHECK(session_find(reg, id_n) == o);
    CHECK_EQ(o->outbox.length, 0);

    session_flush_outbox(n);
    CHECK_EQ(new_t.sent->len, 1);
    CHECK_STR(new_t.sent->pdata[0], "queued");
    session_free(o);
    CHECK_EQ(session_registry_count(reg), 1);
    session_registry_free(reg);
    g_ptr_array_unref(old_t.sent);
    g_ptr_array_unref(new_t.sent);
}

/* ---- rooms ---- */

static GMainContext *ctx;

static void run_for(unsigned ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
}

static session *joined(session_registry *reg, sigroom_registry *rr, const char *room,
                       const char *name)
{
    session *s = session_new(reg, NULL);
    s->name = g_strdup(name);
    s->state = SESSION_JOINED;
    CHECK_EQ(sigroom_admit(rr, room), SIGROOM_ADMIT);
    sigroom_enter(rr, room, s);
    return s;
}

static void test_limits_and_linger(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 2, .max_peers = 2, .chat_history = 3, .linger_ms = 50};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    session *a = joined(reg, rr, "one", "a");
    session *b = joined(reg, rr, "one", "b");
    CHECK(a->room == b->room);
    CHECK_EQ(sigroom_size(a->room), 2);
    CHECK(sigroom_member(a->room, 0) == a);
    CHECK(sigroom_member(a->room, 1) == b);
    CHECK_EQ(sigroom_admit(rr, "one"), SIGROOM_FULL);
    session *c = joined(reg, rr, "two", "c");
    CHECK_EQ(sigroom_admit(rr, "three"), SIGROOM_SERVER_FULL);
    CHECK_EQ(sigroom_registry_count(rr), 2);

    /* An empty room lingers... */
    sigroom *two = c->room;
    sigroom_chat_add(two, c, "remember me", 1);
    sigroom_exit(c);
    CHECK(c->room == NULL);
    CHECK(sigroom_find(rr, "two") == two);
    /* ... and can be taken back, history and all, cancelling the linger. */
    sigroom_enter(rr, "two", c);
    run_for(80);
    CHECK(sigroom_find(rr, "two") == two);
    size_t n;
    proto_chat *hist = sigroom_chat_history(two, &n);
    CHECK_EQ(n, 1);
    CHECK_STR(hist[0].text, "remember me");
    g_free(hist);
    sigroom_exit(c);
    run_for(80);
    CHECK(sigroom_find(rr, "two") == NULL);
    CHECK_EQ(sigroom_registry_count(rr), 1);

    /* At max_rooms an empty lingering room makes place for a new one. */
    session *d = joined(reg, rr, "two", "d");
    sigroom_exit(d);
    CHECK_EQ(sigroom_registry_count(rr), 2);
    CHECK_EQ(sigroom_admit(rr, "three"), SIGROOM_ADMIT);
    sigroom_enter(rr, "three", d);
    CHECK_EQ(sigroom_registry_count(rr), 2);
    CHECK(sigroom_find(rr, "two") == NULL);

    /* Replacing a member keeps its place. */
    session *e = session_new(reg, NULL);
    sigroom_replace_member(a->room, a, e);
    CHECK(sigroom_member(b->room, 0) == e);
    sigroom_replace_member(b->room, e, a);

    sigroom_registry_free(rr);
    session_registry_free(reg);
}

static void test_linger_zero(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 5, .max_peers = 5, .chat_history = 0, .linger_ms = 0};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    session *a = joined(reg, rr, "r", "a");
    /* A history of 0 keeps nothing but still numbers messages. */
    const proto_chat *m = sigroom_chat_add(a->room, a, "hi", 5);
    CHECK_EQ(m->id, 1);
    CHECK_STR(m->text, "hi");
    CHECK_EQ(m->ts, 5);
    size_t n;
    proto_chat *hist = sigroom_chat_history(a->room, &n);
    CHECK_EQ(n, 0);
    g_free(hist);
    sigroom_exit(a);
    CHECK(sigroom_find(rr, "r") == NULL);
    sigroom_registry_free(rr);
    session_registry_free(reg);
}

static void test_chat_history(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 5, .max_peers = 5, .chat_history = 3, .linger_ms = 0};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    session *a = joined(reg, rr, "r", "Ada");
    char text[16];
    for (int i = 1; i <= 5; i++) {
        snprintf(text, sizeof text, "m%d", i);
        const proto_chat *m = sigroom_chat_add(a->room, a, text, 100 + i);
        CHECK_EQ(m->id, (uint64_t)i);
        CHECK_STR(m->peer_id, a->peer_id);
        CHECK_STR(m->name, "Ada");
    }
    size_t n;
    proto_chat *hist = sigroom_chat_history(a->room, &n);
    CHECK_EQ(n, 3);
    CHECK_STR(hist[0].text, "m3");
    CHECK_EQ(hist[0].id, 3);
    CHECK_STR(hist[2].text, "m5");
    CHECK_EQ(hist[2].ts, 105);
    g_free(hist);
    sigroom_registry_free(rr);
    session_registry_free(reg);
}

static void test_tracks(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 5, .max_peers = 5, .chat_history = 3, .linger_ms = 0};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    session *a = joined(reg, rr, "r", "a");
    session *b = joined(reg, rr, "r", "b");
    session *c = joined(reg, rr, "r", "c");
    sigroom *r = a->room;
    char a0[64], a1[64], b0[64];
    snprintf(a0, sizeof a0, "%s-0", a->peer_id);
    snprintf(a1, sizeof a1, "%s-1", a->peer_id);
    snprintf(b0, sizeof b0, "%s-0", b->peer_id);

    /* a publishes two tracks; saying the same again changes nothing. */
    proto_track pub_a[] = {{a0, a->peer_id, "audio", "0", NULL},
                           {a1, a->peer_id, "video", "1", NULL}};
    CHECK(sigroom_set_published(a, pub_a, 2));
    CHECK(!sigroom_set_published(a, pub_a, 2));
    /* Entries naming someone else are not a's. */
    proto_track stray[] = {{b0, b->peer_id, "audio", "0", NULL}};
    CHECK(!sigroom_set_published(c, stray, 1));
    size_t n;
    proto_room_track *t = sigroom_tracks(r, &n);
    CHECK_EQ(n, 2);
    CHECK_STR(t[0].track_id, a0);
    CHECK_STR(t[0].peer_id, a->peer_id);
    CHECK_STR(t[0].kind, "audio");
    CHECK(!t[0].muted);
    CHECK_STR(t[1].kind, "video");
    g_free(t);

    /* Mute flags show in the list; flags for tracks not seen yet are kept. */
    CHECK(sigroom_set_muted(a, a0, true));
    CHECK(sigroom_set_muted(b, b0, true));
    t = sigroom_tracks(r, &n);
    CHECK(t[0].muted);
    CHECK(!t[1].muted);
    g_free(t);

    /* b publishes: listed in member order after a's tracks. */
    proto_track pub_b[] = {{b0, b->peer_id, "audio", "0", NULL}};
    CHECK(sigroom_set_published(b, pub_b, 1));
    t = sigroom_tracks(r, &n);
    CHECK_EQ(n, 3);
    CHECK_STR(t[2].track_id, b0);
    CHECK(t[2].muted);
    g_free(t);

    /* a drops its video, then leaves. */
    CHECK(sigroom_set_published(a, pub_a, 1));
    t = sigroom_tracks(r, &n);
    CHECK_EQ(n, 2);
    g_free(t);
    CHECK(sigroom_exit(a));
    t = sigroom_tracks(r, &n);
    CHECK_EQ(n, 1);
    CHECK_STR(t[0].track_id, b0);
    g_free(t);
    /* A member that published nothing leaves without a change. */
    CHECK(!sigroom_exit(c));

    /* The cap on flags; unflagging frees a place. */
    char id[64];
    for (int i = 0; i < SIGROOM_MUTED_MAX - 1; i++) {
        snprintf(id, sizeof id, "%s-x%d", b->peer_id, i);
        CHECK(sigroom_set_muted(b, id, true));
    }
    CHECK(!sigroom_set_muted(b, "extra", true));
    CHECK(sigroom_set_muted(b, b0, true)); /* already flagged */
    CHECK(sigroom_set_muted(b, b0, false));
    CHECK(sigroom_set_muted(b, "extra", true));

    sigroom_registry_free(rr);
    session_registry_free(reg);
}

static void test_sources(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 5, .max_peers = 5, .chat_history = 3, .linger_ms = 0};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    session *a = joined(reg, rr, "r", "a");
    char a0[64], a1[64], a2[64];
    snprintf(a0, sizeof a0, "%s-0", a->peer_id);
    snprintf(a1, sizeof a1, "%s-1", a->peer_id);
    snprintf(a2, sizeof a2, "%s-2", a->peer_id);

    /* Labels named before the tracks exist change nothing listed yet. */
    proto_source first[] = {{"1", "camera"}, {"2", "screen"}};
    CHECK(!sigroom_set_sources(a, first, 2));
    proto_track pub[] = {{a0, a->peer_id, "audio", "0", NULL},
                         {a1, a->peer_id, "video", "1", NULL},
                         {a2, a->peer_id, "video", "2", NULL}};
    CHECK(sigroom_set_published(a, pub, 3));
    size_t n;
    proto_room_track *t = sigroom_tracks(a->room, &n);
    CHECK_EQ(n, 3);
    CHECK_STR(t[0].source, "microphone"); /* not named: the default of audio */
    CHECK_STR(t[1].source, "camera");
    CHECK_STR(t[2].source, "screen");
    g_free(t);

    /* The same labels again: no change; a new set replaces the old one
     * (mid 2 falls back to the default of video). */
    CHECK(!sigroom_set_sources(a, first, 2));
    proto_source second[] = {{"0", "mic-2"}, {"1", "camera"}};
    CHECK(sigroom_set_sources(a, second, 2));
    CHECK_STR(sigroom_track_source(a, a0, "audio"), "mic-2");
    CHECK_STR(sigroom_track_source(a, a2, "video"), "camera");
    CHECK_STR(sigroom_track_source(a, "other-5", "video"), "camera");

    /* The HTTP API lists them. */
    char *json = sigroom_detail_json(a->room);
    CHECK(strstr(json, "\"kind\":\"audio\",\"muted\":false,\"source\":\"mic-2\"") != NULL);
    free(json);
    sigroom_registry_free(rr);
    session_registry_free(reg);
}

static void test_api_json(void)
{
    session_registry *reg = session_registry_new(&events, NULL);
    sigroom_limits lim = {.max_rooms = 9, .max_peers = 9, .chat_history = 3, .linger_ms = 1000};
    sigroom_registry *rr = sigroom_registry_new(&lim, ctx);
    char *json = sigroom_registry_list_json(rr);
    CHECK_STR(json, "{\"rooms\":[]}");
    free(json);
    session *z = joined(reg, rr, "zeta", "z");
    session *a = joined(reg, rr, "alpha", "a");
    joined(reg, rr, "alpha", "a2");
    joined(reg, rr, "_hidden", "h");
    session *e = joined(reg, rr, "empty", "e");
    sigroom_exit(e);
    json = sigroom_registry_list_json(rr);
    CHECK_STR(json,
              "{\"rooms\":[{\"name\":\"alpha\",\"peers\":2},{\"name\":\"zeta\",\"peers\":1}]}");
    free(json);

    json = sigroom_detail_json(z->room);
    char want[256];
    snprintf(want, sizeof want,
             "{\"name\":\"zeta\",\"peers\":[{\"id\":\"%s\",\"name\":\"z\"}],"
             "\"tracks\":[]}",
             z->peer_id);
    CHECK_STR(json, want);
    free(json);

    size_t n;
    proto_peer *peers = sigroom_peers(a->room, a, &n);
    CHECK_EQ(n, 1);
    CHECK_STR(peers[0].name, "a2");
    g_free(peers);
    sigroom_registry_free(rr);
    session_registry_free(reg);
}

int main(void)
{
    ctx = g_main_context_new();
    test_ids_and_tokens();
    test_outbox();
    test_swap_identity();
    test_limits_and_linger();
    test_linger_zero();
    test_chat_history();
    test_tracks();
    test_sources();
    test_api_json();
    g_main_context_unref(ctx);
    return check_finish("test_sigroom");
}

/*
 * Session registry, resume tokens and outboxes. Control thread only.
 */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

struct session_registry {
    GHashTable *by_id;    /* peer id (in the session) -> session (owned) */
    GHashTable *by_token; /* token (in the session) -> session (borrowed) */
    session_events events;
    void *user;
};

static void track_free(gpointer p)
{
    session_track *t = p;
    g_free(t->track_id);
    g_free(t);
}

static void drop_source(GSource **src)
{
    if (!*src) return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

static void outbox_clear(session *s)
{
    char *text;
    while ((text = g_queue_pop_head(&s->outbox)))
        g_free(text);
    s->outbox_bytes = 0;
}

static void session_destroy(gpointer p)
{
    session *s = p;
    outbox_clear(s);
    drop_source(&s->grace);
    drop_source(&s->media_grace);
    g_ptr_array_unref(s->published);
    g_hash_table_destroy(s->muted);
    g_hash_table_destroy(s->sources);
    g_free(s->pending_offer);
    g_free(s->last_view);
    g_free(s->name);
    g_free(s);
}

session_registry *session_registry_new(const session_events *events, void *user)
{
    session_registry *reg = g_new0(session_registry, 1);
    reg->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, session_destroy);
    reg->by_token = g_hash_table_new(g_str_hash, g_str_equal);
    reg->events = *events;
    reg->user = user;
    return reg;
}

void session_registry_free(session_registry *reg)
{
    if (!reg) return;
    g_hash_table_destroy(reg->by_token);
    g_hash_table_destroy(reg->by_id);
    g_free(reg);
}

size_t session_registry_count(const session_registry *reg)
{
    return g_hash_table_size(reg->by_id);
}

bool session_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += (size_t)r;
    }
    return true;
}

static void hex(const uint8_t *bytes, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* Peer ids are unguessable so that knowing someone's id (every room member
 * does) is worth nothing; resuming needs the separate, secret token. */
static bool random_peer_id(char out[SESSION_PEER_ID_LEN + 1])
{
    uint8_t bytes[(SESSION_PEER_ID_LEN - 1) / 2];
    if (!session_random(bytes, sizeof bytes)) return false;
    out[0] = 'p';
    hex(bytes, sizeof bytes, out + 1);
    return true;
}

session *session_new(session_registry *reg, session_transport *t)
{
    session *s = g_new0(session, 1);
    do {
        if (!random_peer_id(s->peer_id)) {
            g_warning("getrandom failed: %s", g_strerror(errno));
            g_free(s);
            return NULL;
        }
    } while (g_hash_table_contains(reg->by_id, s->peer_id));
    s->reg = reg;
    s->transport = t;
    s->state = SESSION_NEW;
    g_queue_init(&s->outbox);
    s->published = g_ptr_array_new_with_free_func(track_free);
    s->muted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->sources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_insert(reg->by_id, s->peer_id, s);
    return s;
}

void session_free(session *s)
{
    if (!s) return;
    session_revoke_token(s);
    g_hash_table_remove(s->reg->by_id, s->peer_id);
}

session *session_find(session_registry *reg, const char *peer_id)
{
    return peer_id ? g_hash_table_lookup(reg->by_id, peer_id) : NULL;
}

session *session_find_token(session_registry *reg, const char *token)
{
    return token && *token ? g_hash_table_lookup(reg->by_token, token) : NULL;
}

void session_revoke_token(session *s)
{
    if (!s->token[0]) return;
    g_hash_table_remove(s->reg->by_token, s->token);
    s->token[0] = '\0';
}

bool session_issue_token(session *s)
{
    session_revoke_token(s);
    uint8_t bytes[SESSION_TOKEN_LEN / 2];
    if (!session_random(bytes, sizeof bytes)) {
        g_warning("getrandom failed: %s", g_strerror(errno));
        return false;
    }
    hex(bytes, sizeof bytes, s->token);
    g_hash_table_insert(s->reg->by_token, s->token, s);
    return true;
}

/* Both tables are keyed by strings inside the sessions, so entries are
 * taken out before the swap and put back after it. */
static void unindex(session *s)
{
    g_hash_table_steal(s->reg->by_id, s->peer_id);
    if (s->token[0]) g_hash_table_remove(s->reg->by_token, s->token);
}

static void reindex(session *s)
{
    g_hash_table_insert(s->reg->by_id, s->peer_id, s);
    if (s->token[0]) g_hash_table_insert(s->reg->by_token, s->token, s);
}

void session_swap_identity(session *a, session *b)
{
    if (a == b) return;
    unindex(a);
    unindex(b);
    session tmp = *a;
    *a = *b;
    *b = tmp;
    /* The transports stay where they were. */
    b->transport = a->transport;
    a->transport = tmp.transport;
    /* A GQueue holds no pointer to itself, so copying it moved it. */
    reindex(a);
    reindex(b);
}

void session_received(session *s, const char *text, size_t len)
{
    s->reg->events.message(s->reg->user, s, text, len);
}

void session_transport_closed(session *s)
{
    s->transport = NULL;
    s->reg->events.transport_lost(s->reg->user, s);
}

static void outbox_push(session *s, const char *text)
{
    if (s->outbox_overflow) return;
    size_t len = strlen(text);
    if (s->outbox.length >= SESSION_OUTBOX_MESSAGES ||
        s->outbox_bytes + len > SESSION_OUTBOX_BYTES) {
        s->outbox_overflow = true;
        outbox_clear(s);
        s->reg->events.outbox_full(s->reg->user, s);
        return;
    }
    g_queue_push_tail(&s->outbox, g_strdup(text));
    s->outbox_bytes += len;
}

void session_send(session *s, const char *text)
{
    if (!text) return;
    if (s->transport)
        s->transport->ops->send(s->transport, text, strlen(text));
    else if (s->state == SESSION_JOINED)
        outbox_push(s, text);
}

void session_flush_outbox(session *s)
{
    char *text;
    while (s->transport && (text = g_queue_pop_head(&s->outbox))) {
        s->transport->ops->send(s->transport, text, strlen(text));
        g_free(text);
    }
    outbox_clear(s);
}

void session_close(session *s, uint16_t code, const char *reason)
{
    if (s->transport) s->transport->ops->close(s->transport, code, reason);
}

/*
 * Session registry and room membership. Control thread only.
 */
#include "session.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

struct session_registry {
    GHashTable *by_id; /* peer id -> session (owned) */
    GHashTable *rooms; /* room name (owned) -> GPtrArray of session (borrowed) */
    session_events events;
    void *user;
};

static void session_destroy(gpointer p)
{
    session *s = p;
    g_free(s->room);
    g_free(s->name);
    g_free(s);
}

session_registry *session_registry_new(const session_events *events, void *user)
{
    session_registry *reg = g_new0(session_registry, 1);
    reg->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, session_destroy);
    reg->rooms =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    reg->events = *events;
    reg->user = user;
    return reg;
}

void session_registry_free(session_registry *reg)
{
    if (!reg) return;
    /* Rooms first: they only borrow the sessions. */
    g_hash_table_destroy(reg->rooms);
    g_hash_table_destroy(reg->by_id);
    g_free(reg);
}

size_t session_registry_count(const session_registry *reg)
{
    return g_hash_table_size(reg->by_id);
}

/* Peer ids are unguessable so that knowing someone's id (every room member
 * does) never lets a client act as them, e.g. when resuming later. */
static bool random_peer_id(char out[SESSION_PEER_ID_LEN + 1])
{
    uint8_t bytes[8];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += (size_t)n;
    }
    out[0] = 'p';
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", bytes[i]);
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
    g_hash_table_insert(reg->by_id, s->peer_id, s);
    return s;
}

void session_free(session *s)
{
    if (!s) return;
    session_room_exit(s);
    g_hash_table_remove(s->reg->by_id, s->peer_id);
}

session *session_find(session_registry *reg, const char *peer_id)
{
    return peer_id ? g_hash_table_lookup(reg->by_id, peer_id) : NULL;
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

void session_send(session *s, const char *text)
{
    if (s->transport && text) s->transport->ops->send(s->transport, text, strlen(text));
}

void session_close(session *s, uint16_t code, const char *reason)
{
    if (s->transport) s->transport->ops->close(s->transport, code, reason);
}

void session_room_enter(session *s, const char *room, const char *name)
{
    session_room_exit(s);
    GPtrArray *members = g_hash_table_lookup(s->reg->rooms, room);
    if (!members) {
        members = g_ptr_array_new();
        g_hash_table_insert(s->reg->rooms, g_strdup(room), members);
    }
    g_ptr_array_add(members, s);
    s->room = g_strdup(room);
    s->name = g_strdup(name);
}

void session_room_exit(session *s)
{
    if (!s->room) return;
    GPtrArray *members = g_hash_table_lookup(s->reg->rooms, s->room);
    if (members) {
        g_ptr_array_remove(members, s);
        if (members->len == 0) g_hash_table_remove(s->reg->rooms, s->room);
    }
    g_clear_pointer(&s->room, g_free);
    g_clear_pointer(&s->name, g_free);
}

session **session_room_others(session *s, size_t *n)
{
    GPtrArray *members = s->room ? g_hash_table_lookup(s->reg->rooms, s->room) : NULL;
    size_t len = members ? members->len : 0;
    session **out = g_new0(session *, len + 1);
    *n = 0;
    for (size_t i = 0; i < len; i++)
        if (members->pdata[i] != s) out[(*n)++] = members->pdata[i];
    return out;
}

void session_room_broadcast(session *s, const char *text)
{
    GPtrArray *members = s->room ? g_hash_table_lookup(s->reg->rooms, s->room) : NULL;
    if (!members || !text) return;
    for (guint i = 0; i < members->len; i++)
        if (members->pdata[i] != s) session_send(members->pdata[i], text);
}

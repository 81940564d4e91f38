#include "room.h"

#include <string.h>

#include "peer.h"

struct room {
    char *name;
    GPtrArray *peers; /* peer*, owned */
};

typedef struct registry {
    const sfu_shared *sh;
    GHashTable *rooms; /* name -> room* */
    GHashTable *peers; /* peer id -> peer* (owned by their rooms) */
} registry;

static registry *reg_of(worker *w)
{
    return w->user;
}

void room_registry_init(worker *w, const sfu_shared *sh)
{
    registry *r = g_new0(registry, 1);
    r->sh = sh;
    r->rooms = g_hash_table_new(g_str_hash, g_str_equal);
    r->peers = g_hash_table_new(g_str_hash, g_str_equal);
    w->user = r;
}

static void room_free(room *r)
{
    g_ptr_array_free(r->peers, TRUE);
    g_free(r->name);
    g_free(r);
}

static void peer_remove(registry *reg, peer *p)
{
    room *r = p->room;
    peer_unpublish_all(p);
    g_ptr_array_remove(r->peers, p);
    g_hash_table_remove(reg->peers, p->id);
    peer_free(p);
    if (r->peers->len == 0) {
        g_hash_table_remove(reg->rooms, r->name);
        room_free(r);
    }
}

void room_registry_free(worker *w)
{
    registry *reg = reg_of(w);
    if (!reg) return;
    GList *peers = g_hash_table_get_values(reg->peers);
    for (GList *l = peers; l; l = l->next)
        peer_remove(reg, l->data);
    g_list_free(peers);
    g_hash_table_destroy(reg->rooms);
    g_hash_table_destroy(reg->peers);
    g_free(reg);
    w->user = NULL;
}

void room_on_tracks_changed(room *r, peer *publisher, GPtrArray *added, GPtrArray *removed)
{
    for (guint i = 0; i < r->peers->len; i++) {
        peer *q = r->peers->pdata[i];
        if (q == publisher) continue;
        for (guint j = 0; removed && j < removed->len; j++)
            peer_unsubscribe_track(q, removed->pdata[j]);
        for (guint j = 0; added && j < added->len; j++)
            peer_subscribe_track(q, added->pdata[j]);
        peer_negotiate(q);
    }
}

void room_join(worker *w, const char *room_name, const char *peer_id)
{
    registry *reg = reg_of(w);
    if (g_hash_table_contains(reg->peers, peer_id)) return;
    room *r = g_hash_table_lookup(reg->rooms, room_name);
    if (!r) {
        r = g_new0(room, 1);
        r->name = g_strdup(room_name);
        r->peers = g_ptr_array_new();
        g_hash_table_insert(reg->rooms, r->name, r);
    }
    peer *p = peer_new(r, w, reg->sh, peer_id);
    g_hash_table_insert(reg->peers, p->id, p);
    /* The newcomer receives everything already published. */
    for (guint i = 0; i < r->peers->len; i++) {
        peer *q = r->peers->pdata[i];
        for (guint j = 0; j < q->tracks->len; j++)
            peer_subscribe_track(p, q->tracks->pdata[j]);
    }
    g_ptr_array_add(r->peers, p);
    peer_negotiate(p);
}

static peer *lookup(worker *w, const char *peer_id, int64_t req_id)
{
    registry *reg = reg_of(w);
    peer *p = g_hash_table_lookup(reg->peers, peer_id);
    if (!p && req_id)
        sfu_emit_error(reg->sh, peer_id, req_id, "not_joined", "peer is not in a room");
    return p;
}

void room_leave(worker *w, const char *peer_id)
{
    peer *p = lookup(w, peer_id, 0);
    if (p) peer_remove(reg_of(w), p);
}

void room_publish(worker *w, const char *peer_id, int64_t req_id, const char *sdp)
{
    peer *p = lookup(w, peer_id, req_id);
    if (p) peer_publish(p, req_id, sdp);
}

void room_subscribe_answer(worker *w, const char *peer_id, int64_t req_id, const char *sdp)
{
    peer *p = lookup(w, peer_id, req_id);
    if (p) peer_subscribe_answer(p, req_id, sdp);
}

void room_candidate(worker *w, const char *peer_id, sfu_transport_kind kind, const char *mid,
                    const char *candidate)
{
    (void)mid; /* one BUNDLE transport per kind: the mid names no separate agent */
    peer *p = lookup(w, peer_id, 0);
    if (p) peer_candidate(p, kind, candidate);
}

void room_restart_ice(worker *w, const char *peer_id)
{
    peer *p = lookup(w, peer_id, 0);
    if (p) peer_restart_ice(p);
}

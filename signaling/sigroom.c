/*
 * Signaling rooms (room.h). Control thread only.
 */
#include "sigroom.h"

#include <stdlib.h>
#include <string.h>

typedef struct chat_entry {
    proto_chat msg; /* its strings point into the entry */
    char *peer_id;
    char *name;
    char *text;
} chat_entry;

struct sigroom {
    char *name;
    sigroom_registry *rr;
    GPtrArray *members; /* session *, borrowed, in join order */
    GQueue chat;        /* chat_entry *, oldest first */
    uint64_t next_chat_id;
    GSource *linger;
};

struct sigroom_registry {
    GHashTable *rooms; /* name (in the room) -> room (owned) */
    sigroom_limits lim;
    GMainContext *ctx;
};

static void chat_entry_free(gpointer p)
{
    chat_entry *e = p;
    g_free(e->peer_id);
    g_free(e->name);
    g_free(e->text);
    g_free(e);
}

static void sigroom_free(gpointer p)
{
    sigroom *r = p;
    if (r->linger) {
        g_source_destroy(r->linger);
        g_source_unref(r->linger);
    }
    g_queue_clear_full(&r->chat, chat_entry_free);
    g_ptr_array_unref(r->members);
    g_free(r->name);
    g_free(r);
}

sigroom_registry *sigroom_registry_new(const sigroom_limits *lim, GMainContext *ctx)
{
    sigroom_registry *rr = g_new0(sigroom_registry, 1);
    rr->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, sigroom_free);
    rr->lim = *lim;
    rr->ctx = g_main_context_ref(ctx);
    return rr;
}

void sigroom_registry_free(sigroom_registry *rr)
{
    if (!rr) return;
    g_hash_table_destroy(rr->rooms);
    g_main_context_unref(rr->ctx);
    g_free(rr);
}

size_t sigroom_registry_count(const sigroom_registry *rr)
{
    return g_hash_table_size(rr->rooms);
}

sigroom *sigroom_find(sigroom_registry *rr, const char *name)
{
    return name ? g_hash_table_lookup(rr->rooms, name) : NULL;
}

static sigroom *find_empty(sigroom_registry *rr)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rr->rooms);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (((sigroom *)value)->members->len == 0) return value;
    return NULL;
}

sigroom_admission sigroom_admit(sigroom_registry *rr, const char *name)
{
    sigroom *r = sigroom_find(rr, name);
    if (r) return r->members->len >= rr->lim.max_peers ? SIGROOM_FULL : SIGROOM_ADMIT;
    if (g_hash_table_size(rr->rooms) < rr->lim.max_rooms || find_empty(rr)) return SIGROOM_ADMIT;
    return SIGROOM_SERVER_FULL;
}

static void sigroom_destroy(sigroom *r)
{
    g_debug("room %s closed", r->name);
    g_hash_table_remove(r->rr->rooms, r->name);
}

static gboolean linger_done(gpointer data)
{
    sigroom *r = data;
    /* Let go of the source first, or sigroom_free would destroy it again. */
    g_source_unref(r->linger);
    r->linger = NULL;
    sigroom_destroy(r);
    return G_SOURCE_REMOVE;
}

sigroom *sigroom_enter(sigroom_registry *rr, const char *name, session *s)
{
    sigroom *r = sigroom_find(rr, name);
    if (!r) {
        sigroom *spare = g_hash_table_size(rr->rooms) >= rr->lim.max_rooms ? find_empty(rr) : NULL;
        if (spare) sigroom_destroy(spare);
        r = g_new0(sigroom, 1);
        r->name = g_strdup(name);
        r->rr = rr;
        r->members = g_ptr_array_new();
        r->next_chat_id = 1;
        g_queue_init(&r->chat);
        g_hash_table_insert(rr->rooms, r->name, r);
        g_debug("room %s opened", r->name);
    }
    if (r->linger) {
        g_source_destroy(r->linger);
        g_source_unref(r->linger);
        r->linger = NULL;
    }
    g_ptr_array_add(r->members, s);
    s->room = r;
    return r;
}

bool sigroom_exit(session *s)
{
    sigroom *r = s->room;
    if (!r) return false;
    bool changed = s->published->len > 0;
    g_ptr_array_set_size(s->published, 0);
    g_ptr_array_remove(r->members, s);
    s->room = NULL;
    if (r->members->len > 0) return changed;
    if (r->rr->lim.linger_ms == 0) {
        sigroom_destroy(r);
        return false;
    }
    r->linger = g_timeout_source_new(r->rr->lim.linger_ms);
    g_source_set_callback(r->linger, linger_done, r, NULL);
    g_source_attach(r->linger, r->rr->ctx);
    return false;
}

void sigroom_replace_member(sigroom *r, session *a, session *b)
{
    for (guint i = 0; r && i < r->members->len; i++)
        if (r->members->pdata[i] == a) r->members->pdata[i] = b;
}

const char *sigroom_name(const sigroom *r)
{
    return r->name;
}

size_t sigroom_size(const sigroom *r)
{
    return r->members->len;
}

session *sigroom_member(const sigroom *r, size_t i)
{
    return i < r->members->len ? r->members->pdata[i] : NULL;
}

void sigroom_broadcast(sigroom *r, const session *except, const char *text)
{
    if (!r || !text) return;
    for (guint i = 0; i < r->members->len; i++)
        if (r->members->pdata[i] != except) session_send(r->members->pdata[i], text);
}

proto_peer *sigroom_peers(const sigroom *r, const session *except, size_t *n)
{
    proto_peer *out = g_new0(proto_peer, r->members->len + 1);
    *n = 0;
    for (guint i = 0; i < r->members->len; i++) {
        const session *m = r->members->pdata[i];
        if (m != except) out[(*n)++] = (proto_peer){m->peer_id, m->name};
    }
    return out;
}

/* ---- chat ---- */

/* The newest message is always kept, even with a history of 0, so that the
 * caller can encode it after the call. */
const proto_chat *sigroom_chat_add(sigroom *r, const session *s, const char *text, int64_t now_ms)
{
    chat_entry *e = g_new0(chat_entry, 1);
    e->peer_id = g_strdup(s->peer_id);
    e->name = g_strdup(s->name);
    e->text = g_strdup(text);
    e->msg = (proto_chat){r->next_chat_id++, now_ms, e->peer_id, e->name, e->text};
    g_queue_push_tail(&r->chat, e);
    unsigned keep = MAX(r->rr->lim.chat_history, 1u);
    while (r->chat.length > keep)
        chat_entry_free(g_queue_pop_head(&r->chat));
    return &e->msg;
}

proto_chat *sigroom_chat_history(const sigroom *r, size_t *n)
{
    proto_chat *out = g_new0(proto_chat, r->chat.length + 1);
    *n = 0;
    if (r->rr->lim.chat_history == 0) return out;
    for (GList *l = r->chat.head; l; l = l->next)
        out[(*n)++] = ((chat_entry *)l->data)->msg;
    return out;
}

/* ---- tracks ---- */

static bool same_tracks(const GPtrArray *have, const proto_track *view, size_t n,
                        const char *peer_id)
{
    guint j = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(view[i].peer_id, peer_id) != 0) continue;
        if (j >= have->len) return false;
        const session_track *t = have->pdata[j++];
        if (strcmp(t->track_id, view[i].track_id) != 0 || strcmp(t->kind, view[i].kind) != 0)
            return false;
    }
    return j == have->len;
}

static void set_tracks(session *p, const proto_track *view, size_t n)
{
    g_ptr_array_set_size(p->published, 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(view[i].peer_id, p->peer_id) != 0) continue;
        session_track *t = g_new0(session_track, 1);
        t->track_id = g_strdup(view[i].track_id);
        g_strlcpy(t->kind, view[i].kind, sizeof t->kind);
        g_ptr_array_add(p->published, t);
    }
}

bool sigroom_set_published(session *p, const proto_track *list, size_t n)
{
    if (same_tracks(p->published, list, n, p->peer_id)) return false;
    set_tracks(p, list, n);
    return true;
}

proto_room_track *sigroom_tracks(const sigroom *r, size_t *n)
{
    size_t total = 0;
    for (guint i = 0; i < r->members->len; i++)
        total += ((session *)r->members->pdata[i])->published->len;
    proto_room_track *out = g_new0(proto_room_track, total + 1);
    *n = 0;
    for (guint i = 0; i < r->members->len; i++) {
        const session *m = r->members->pdata[i];
        for (guint j = 0; j < m->published->len; j++) {
            const session_track *t = m->published->pdata[j];
            bool muted = g_hash_table_contains(m->muted, t->track_id);
            const char *src = sigroom_track_source(m, t->track_id, t->kind);
            out[(*n)++] = (proto_room_track){t->track_id, m->peer_id, t->kind, muted, src};
        }
    }
    return out;
}

bool sigroom_set_muted(session *s, const char *track_id, bool muted)
{
    if (!muted) {
        g_hash_table_remove(s->muted, track_id);
        return true;
    }
    if (g_hash_table_contains(s->muted, track_id)) return true;
    if (g_hash_table_size(s->muted) >= SIGROOM_MUTED_MAX) return false;
    g_hash_table_add(s->muted, g_strdup(track_id));
    return true;
}

const char *sigroom_track_source(const session *s, const char *track_id, const char *kind)
{
    const char *src = g_hash_table_lookup(s->sources, track_id);
    return src ? src : proto_source_default(kind);
}

/* The published tracks' labels, joined, to tell whether they changed. */
static char *published_sources(const session *s)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < s->published->len; i++) {
        const session_track *t = s->published->pdata[i];
        g_string_append_printf(out, "%s ", sigroom_track_source(s, t->track_id, t->kind));
    }
    return g_string_free(out, FALSE);
}

bool sigroom_set_sources(session *s, const proto_source *src, size_t n)
{
    char *before = published_sources(s);
    g_hash_table_remove_all(s->sources);
    for (size_t i = 0; i < n; i++)
        g_hash_table_replace(s->sources, g_strdup_printf("%s-%s", s->peer_id, src[i].mid),
                             g_strdup(src[i].source));
    char *after = published_sources(s);
    bool changed = strcmp(before, after) != 0;
    g_free(before);
    g_free(after);
    return changed;
}

/* ---- HTTP API ---- */

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(((const proto_room_summary *)a)->name, ((const proto_room_summary *)b)->name);
}

char *sigroom_registry_list_json(sigroom_registry *rr)
{
    GArray *list = g_array_new(FALSE, FALSE, sizeof(proto_room_summary));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rr->rooms);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const sigroom *r = value;
        if (r->members->len == 0 || r->name[0] == '_') continue;
        proto_room_summary sum = {r->name, r->members->len};
        g_array_append_val(list, sum);
    }
    g_array_sort(list, by_name);
    char *json = proto_encode_room_list((proto_room_summary *)(void *)list->data, list->len);
    g_array_free(list, TRUE);
    return json;
}

char *sigroom_detail_json(const sigroom *r)
{
    size_t n_peers, n_tracks;
    proto_peer *peers = sigroom_peers(r, NULL, &n_peers);
    proto_room_track *tracks = sigroom_tracks(r, &n_tracks);
    char *json = proto_encode_room_detail(r->name, peers, n_peers, tracks, n_tracks);
    g_free(peers);
    g_free(tracks);
    return json;
}

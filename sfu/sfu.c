#include "sfu.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "room.h"
#include "sfu_internal.h"
#include "srtp_session.h"
#include "worker.h"

/* Where events go. Refcounted because events posted by a worker may still be
 * queued on the control context when the sfu is destroyed. */
struct sfu_sink {
    GMainContext *ctx;
    sfu_event_fn fn;
    void *user;
    gint alive;
};

typedef struct room_entry {
    int worker;
    int peers;
} room_entry;

struct sfu {
    sfu_shared sh;
    worker **workers;
    int n_workers;
    int *rooms_per_worker;
    GHashTable *rooms; /* name -> room_entry* */
    GHashTable *peers; /* peer id -> room name (owned copy) */
};

/* ---- events: worker -> control ------------------------------------------ */

typedef struct owned_event {
    sfu_event ev;
    sfu_sink *sink;
    char *strings[8];
    sfu_track_info *tracks;
} owned_event;

static const char *own(owned_event *o, int slot, const char *s)
{
    o->strings[slot] = s ? g_strdup(s) : NULL;
    return o->strings[slot];
}

static void sink_clear(sfu_sink *k)
{
    g_main_context_unref(k->ctx);
}

static gboolean deliver_event(gpointer data)
{
    owned_event *o = data;
    if (g_atomic_int_get(&o->sink->alive)) o->sink->fn(o->sink->user, &o->ev);
    return G_SOURCE_REMOVE;
}

static void free_event(gpointer data)
{
    owned_event *o = data;
    for (int i = 0; i < 8; i++)
        g_free(o->strings[i]);
    g_free(o->tracks);
    g_atomic_rc_box_release_full(o->sink, (GDestroyNotify)sink_clear);
    g_free(o);
}

void sfu_emit(const sfu_shared *sh, const sfu_event *ev)
{
    owned_event *o = g_new0(owned_event, 1);
    o->ev = *ev;
    o->sink = g_atomic_rc_box_acquire(sh->sink);
    o->ev.peer_id = own(o, 0, ev->peer_id);
    o->ev.sdp = own(o, 1, ev->sdp);
    o->ev.mid = own(o, 2, ev->mid);
    o->ev.candidate = own(o, 3, ev->candidate);
    o->ev.state = own(o, 4, ev->state);
    o->ev.code = own(o, 5, ev->code);
    o->ev.message = own(o, 6, ev->message);
    if (ev->n_tracks > 0) {
        o->tracks = g_memdup2(ev->tracks, sizeof(sfu_track_info) * (gsize)ev->n_tracks);
        o->ev.tracks = o->tracks;
    }
    /* Always through the loop, never inline: an error raised on the control
     * thread itself must not re-enter its caller. Same-priority sources run
     * in the order attached, so events keep their order. */
    GSource *src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, deliver_event, o, free_event);
    g_source_attach(src, sh->sink->ctx);
    g_source_unref(src);
}

void sfu_emit_error(const sfu_shared *sh, const char *peer_id, int64_t req_id, const char *code,
                    const char *message)
{
    sfu_event ev = {.type = SFU_EV_ERROR,
                    .peer_id = peer_id,
                    .req_id = req_id,
                    .code = code,
                    .message = message};
    sfu_emit(sh, &ev);
}

/* ---- requests: control -> worker ------------------------------------------ */

typedef enum req_op {
    REQ_JOIN,
    REQ_LEAVE,
    REQ_PUBLISH,
    REQ_ANSWER,
    REQ_CANDIDATE,
    REQ_RESTART,
} req_op;

typedef struct sfu_req {
    req_op op;
    int64_t req_id;
    sfu_transport_kind kind;
    char peer_id[SFU_ID_MAX];
    char *room;
    char *mid;
    char *text;
} sfu_req;

static void req_free(gpointer data)
{
    sfu_req *r = data;
    g_free(r->room);
    g_free(r->mid);
    g_free(r->text);
    g_free(r);
}

static void req_run(worker *w, void *data)
{
    sfu_req *r = data;
    switch (r->op) {
    case REQ_JOIN:
        room_join(w, r->room, r->peer_id);
        break;
    case REQ_LEAVE:
        room_leave(w, r->peer_id);
        break;
    case REQ_PUBLISH:
        room_publish(w, r->peer_id, r->req_id, r->text);
        break;
    case REQ_ANSWER:
        room_subscribe_answer(w, r->peer_id, r->req_id, r->text);
        break;
    case REQ_CANDIDATE:
        room_candidate(w, r->peer_id, r->kind, r->mid, r->text);
        break;
    case REQ_RESTART:
        room_restart_ice(w, r->peer_id);
        break;
    }
}

static sfu_req *req_new(req_op op, const char *peer_id, int64_t req_id, const char *text)
{
    sfu_req *r = g_new0(sfu_req, 1);
    r->op = op;
    r->req_id = req_id;
    g_strlcpy(r->peer_id, peer_id, sizeof r->peer_id);
    r->text = g_strdup(text ? text : "");
    return r;
}

static worker *worker_of_peer(sfu *s, const char *peer_id)
{
    const char *room = g_hash_table_lookup(s->peers, peer_id);
    if (!room) return NULL;
    room_entry *e = g_hash_table_lookup(s->rooms, room);
    return e ? s->workers[e->worker] : NULL;
}

/* Posts to the peer's worker, or answers not_joined at once. */
static void post_to_peer(sfu *s, sfu_req *r)
{
    worker *w = worker_of_peer(s, r->peer_id);
    if (!w) {
        if (r->req_id)
            sfu_emit_error(&s->sh, r->peer_id, r->req_id, "not_joined", "peer is not in a room");
        req_free(r);
        return;
    }
    worker_post(w, req_run, r, req_free);
}

/* ---- configuration ------------------------------------------------------ */

static void add_address(GPtrArray *out, const char *ip)
{
    for (guint i = 0; i < out->len; i++)
        if (strcmp(out->pdata[i], ip) == 0) return;
    g_ptr_array_add(out, g_strdup(ip));
}

/* An interface name stands for every address it has; link-local IPv6 is
 * left out because browsers cannot use it without a scope. */
static int add_interface(GPtrArray *out, const char *name)
{
    struct ifaddrs *ifs = NULL;
    int found = 0;
    if (getifaddrs(&ifs) != 0) return 0;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0) continue;
        char ip[INET6_ADDRSTRLEN];
        int fam = i->ifa_addr->sa_family;
        if (fam == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof ip);
        } else if (fam == AF_INET6) {
            struct in6_addr *a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
            if (IN6_IS_ADDR_LINKLOCAL(a)) continue;
            inet_ntop(AF_INET6, a, ip, sizeof ip);
        } else {
            continue;
        }
        add_address(out, ip);
        found++;
    }
    freeifaddrs(ifs);
    return found;
}

static int resolve_addresses(const sfu_config *cfg, sfu_shared *sh)
{
    GPtrArray *out = g_ptr_array_new();
    for (int i = 0; i < cfg->n_ice_addresses; i++) {
        const char *a = cfg->ice_addresses[i];
        unsigned char buf[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1) {
            add_address(out, a);
        } else if (add_interface(out, a) == 0) {
            fprintf(stderr, "confab: ICE address '%s' is neither an IP nor an interface with one\n",
                    a);
            g_ptr_array_free(out, TRUE);
            return -1;
        }
    }
    sh->n_addresses = (int)out->len;
    g_ptr_array_add(out, NULL);
    sh->addresses = (char **)g_ptr_array_free(out, FALSE);
    return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void worker_init_rooms(worker *w, void *data)
{
    room_registry_init(w, data);
}

static void worker_free_rooms(worker *w, void *data)
{
    (void)data;
    room_registry_free(w);
}

sfu *sfu_create(const sfu_config *cfg, GMainContext *control, sfu_event_fn fn, void *user)
{
    if (srtp_session_global_init() != 0) {
        fprintf(stderr, "confab: libsrtp initialisation failed\n");
        return NULL;
    }
    sfu *s = g_new0(sfu, 1);
    if (resolve_addresses(cfg, &s->sh) != 0) {
        g_free(s);
        return NULL;
    }
    s->sh.cert = dtls_cert_create();
    if (!s->sh.cert) {
        fprintf(stderr, "confab: could not create the DTLS certificate\n");
        g_strfreev(s->sh.addresses);
        g_free(s);
        return NULL;
    }
    s->sh.port_min = cfg->port_min;
    s->sh.port_max = cfg->port_max;
    s->sh.sink = g_atomic_rc_box_new0(sfu_sink);
    s->sh.sink->ctx = g_main_context_ref(control);
    s->sh.sink->fn = fn;
    s->sh.sink->user = user;
    s->sh.sink->alive = 1;
    s->n_workers = cfg->workers > 0 ? cfg->workers : (int)g_get_num_processors();
    g_message("media: %d worker(s), SRTP by %s", s->n_workers, srtp_session_backend());
    s->workers = g_new0(worker *, s->n_workers);
    s->rooms_per_worker = g_new0(int, s->n_workers);
    for (int i = 0; i < s->n_workers; i++) {
        s->workers[i] = worker_start(i);
        worker_post(s->workers[i], worker_init_rooms, &s->sh, NULL);
    }
    s->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return s;
}

void sfu_destroy(sfu *s)
{
    if (!s) return;
    g_atomic_int_set(&s->sh.sink->alive, 0);
    for (int i = 0; i < s->n_workers; i++)
        worker_stop(s->workers[i], worker_free_rooms);
    g_atomic_rc_box_release_full(s->sh.sink, (GDestroyNotify)sink_clear);
    dtls_cert_free(s->sh.cert);
    g_strfreev(s->sh.addresses);
    g_hash_table_destroy(s->rooms);
    g_hash_table_destroy(s->peers);
    g_free(s->rooms_per_worker);
    g_free(s->workers);
    g_free(s);
}

const char *sfu_fingerprint(const sfu *s)
{
    return dtls_cert_fingerprint(s->sh.cert);
}

/* ---- requests ----------------------------------------------------------- */

/* New rooms go to the worker with the fewest rooms. */
static int pick_worker(sfu *s)
{
    int best = 0;
    for (int i = 1; i < s->n_workers; i++)
        if (s->rooms_per_worker[i] < s->rooms_per_worker[best]) best = i;
    return best;
}

int sfu_peer_join(sfu *s, const char *room, const char *peer_id)
{
    if (g_hash_table_contains(s->peers, peer_id) || strlen(peer_id) >= SFU_ID_MAX) return -1;
    room_entry *e = g_hash_table_lookup(s->rooms, room);
    if (!e) {
        e = g_new0(room_entry, 1);
        e->worker = pick_worker(s);
        s->rooms_per_worker[e->worker]++;
        g_hash_table_insert(s->rooms, g_strdup(room), e);
    }
    e->peers++;
    g_hash_table_insert(s->peers, g_strdup(peer_id), g_strdup(room));
    sfu_req *r = req_new(REQ_JOIN, peer_id, 0, NULL);
    r->room = g_strdup(room);
    worker_post(s->workers[e->worker], req_run, r, req_free);
    return 0;
}

void sfu_peer_leave(sfu *s, const char *peer_id)
{
    const char *room = g_hash_table_lookup(s->peers, peer_id);
    if (!room) return;
    room_entry *e = g_hash_table_lookup(s->rooms, room);
    worker_post(s->workers[e->worker], req_run, req_new(REQ_LEAVE, peer_id, 0, NULL), req_free);
    if (--e->peers == 0) {
        s->rooms_per_worker[e->worker]--;
        g_hash_table_remove(s->rooms, room);
    }
    g_hash_table_remove(s->peers, peer_id);
}

void sfu_peer_publish(sfu *s, const char *peer_id, int64_t req_id, const char *offer_sdp)
{
    post_to_peer(s, req_new(REQ_PUBLISH, peer_id, req_id, offer_sdp));
}

void sfu_peer_subscribe_answer(sfu *s, const char *peer_id, int64_t req_id, const char *sdp)
{
    post_to_peer(s, req_new(REQ_ANSWER, peer_id, req_id, sdp));
}

void sfu_peer_candidate(sfu *s, const char *peer_id, sfu_transport_kind t, const char *mid,
                        const char *candidate)
{
    sfu_req *r = req_new(REQ_CANDIDATE, peer_id, 0, candidate);
    r->kind = t;
    r->mid = g_strdup(mid ? mid : "");
    post_to_peer(s, r);
}

void sfu_peer_restart_ice(sfu *s, const char *peer_id)
{
    post_to_peer(s, req_new(REQ_RESTART, peer_id, 0, NULL));
}

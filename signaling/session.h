/*
 * Sessions (one per client), on the control thread.
 *
 * A session is reached through a transport: a WebSocket connection (wsconn)
 * or an HTTP long-poll client. The transport is a small interface so that a
 * session can outlive one transport and be resumed on another: while it has
 * none (detached), what is sent to a joined session waits in its outbox,
 * which is bounded.
 *
 * What a session does with messages is not decided here: the registry
 * forwards them to the session_events given at creation (dispatch.c).
 *
 * A transport keeps the session pointer it got from session_new for its
 * whole life. Resuming therefore moves the old session's identity into the
 * new transport's session object (session_swap_identity) rather than moving
 * transports between sessions.
 */
#ifndef CONFAB_SESSION_H
#define CONFAB_SESSION_H

#include "ratelimit.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_PEER_ID_LEN     17 /* "p" + 16 hex characters */
#define SESSION_TOKEN_LEN       32 /* 128 random bits in hex */
#define SESSION_OUTBOX_MESSAGES 512
#define SESSION_OUTBOX_BYTES    (1024 * 1024)

typedef struct session session;
typedef struct session_registry session_registry;
typedef struct session_transport session_transport;
struct sigroom;

typedef struct session_transport_ops {
    /* Queues one text message. Never calls back into the session. */
    void (*send)(session_transport *t, const char *text, size_t len);
    /* Starts an orderly close. The transport reports the end later through
     * session_transport_closed, never from inside this call. */
    void (*close)(session_transport *t, uint16_t code, const char *reason);
} session_transport_ops;

struct session_transport {
    const session_transport_ops *ops;
    /* The host part of the HTTP Host header this client connected with
     * (iceservers.h), "" when unknown: its STUN server URL uses it. */
    char host[256];
};

typedef enum session_state {
    SESSION_NEW,    /* connected, not in a room */
    SESSION_JOINED, /* in a room and known to the sfu (attached or detached) */
    SESSION_LEFT,   /* finished; waiting for its transport to close */
} session_state;

/* One track a peer publishes, as signaling learned it (room.c). */
typedef struct session_track {
    char *track_id;
    char kind[8];
} session_track;

struct session {
    /* Not moved by session_swap_identity: they belong to the object. */
    session_transport *transport; /* NULL while detached */
    session_registry *reg;

    /* The identity. */
    char peer_id[SESSION_PEER_ID_LEN + 1];
    char token[SESSION_TOKEN_LEN + 1]; /* "" when none is valid */
    char *name;
    struct sigroom *room; /* set while joined */
    session_state state;

    /* Messages for a detached session, in order (char *, owned). */
    GQueue outbox;
    size_t outbox_bytes;
    bool outbox_overflow;

    /* The dispatcher's per-peer state; freed with the session. */
    ratelimit chat_limit;
    GPtrArray *published; /* session_track *: what this peer publishes */
    GHashTable *muted;    /* track ids this peer flagged muted (set of owned strings) */
    GHashTable *sources;  /* track id -> source label named in publish (both owned) */
    GSource *grace;       /* ends a detached session */
    GSource *media_grace; /* ends a session whose media transport failed */
    bool publish_failed, subscribe_failed, media_closed;
    char *pending_offer;       /* the last offer event, until answered */
    bool pending_offer_queued; /* ... and it went to the outbox */
    void *last_view;           /* sfu_track_info[]: the last tracks event (g_free) */
    int n_last_view;
};

typedef struct session_events {
    /* One complete text message from the client. */
    void (*message)(void *user, session *s, const char *text, size_t len);
    /* The transport is gone (s->transport is already NULL). The handler
     * decides the session's fate; it may call session_free. */
    void (*transport_lost)(void *user, session *s);
    /* The outbox of a detached session just overflowed (called once, from
     * inside session_send: the handler must not free or move sessions). */
    void (*outbox_full)(void *user, session *s);
} session_events;

session_registry *session_registry_new(const session_events *events, void *user);
/* Frees every remaining session without notifying anyone. */
void session_registry_free(session_registry *reg);
size_t session_registry_count(const session_registry *reg);

/* A new session with a fresh random peer id, attached to t. NULL when the
 * system random source failed. */
session *session_new(session_registry *reg, session_transport *t);
/* Forgets the session and frees everything it owns. Does not touch the
 * transport or the room: the caller detaches or closes the first and
 * leaves the second before. */
void session_free(session *s);
session *session_find(session_registry *reg, const char *peer_id);
session *session_find_token(session_registry *reg, const char *token);

/* Replaces the session's resume token with a fresh random one. False when
 * the system random source failed (the session then has none). */
bool session_issue_token(session *s);
void session_revoke_token(session *s);

/* Swaps everything but the transport between a and b (peer ids, tokens,
 * rooms, outboxes, timers, per-peer state) and keeps the lookups right.
 * The caller fixes room membership (room_replace_member). */
void session_swap_identity(session *a, session *b);

/* Called by transports. */
void session_received(session *s, const char *text, size_t len);
void session_transport_closed(session *s);

/* Called by the dispatcher. A joined session without a transport queues
 * the message (up to SESSION_OUTBOX_MESSAGES and SESSION_OUTBOX_BYTES;
 * beyond, the message is dropped and outbox_full reported once). */
void session_send(session *s, const char *text);
/* Sends everything the outbox holds over the transport, in order. */
void session_flush_outbox(session *s);
void session_close(session *s, uint16_t code, const char *reason);

/* Fills buf with n random bytes from the kernel; false when it failed. */
bool session_random(void *buf, size_t n);

#endif

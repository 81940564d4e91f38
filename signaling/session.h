/*
 * Sessions (one per client) and room membership, on the control thread.
 *
 * A session is reached through a transport: today a WebSocket connection
 * (wsconn), later also HTTP long-poll. The transport is a small interface so
 * that a session can outlive one transport and be resumed on another: the
 * session never assumes it has one (sends are dropped while detached).
 *
 * What a session does with messages is not decided here: the registry
 * forwards them to the session_events given at creation (dispatch.c).
 */
#ifndef CONFAB_SESSION_H
#define CONFAB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_PEER_ID_LEN 17 /* "p" + 16 hex characters */

typedef struct session session;
typedef struct session_registry session_registry;
typedef struct session_transport session_transport;

typedef struct session_transport_ops {
    /* Queues one text message. Never calls back into the session. */
    void (*send)(session_transport *t, const char *text, size_t len);
    /* Starts an orderly close. The transport reports the end later through
     * session_transport_closed, never from inside this call. */
    void (*close)(session_transport *t, uint16_t code, const char *reason);
} session_transport_ops;

struct session_transport {
    const session_transport_ops *ops;
};

typedef enum session_state {
    SESSION_NEW,    /* connected, not in a room */
    SESSION_JOINED, /* in a room and known to the sfu */
    SESSION_LEFT,   /* said leave; waiting for its transport to close */
} session_state;

struct session {
    char peer_id[SESSION_PEER_ID_LEN + 1];
    char *room; /* set while joined */
    char *name;
    session_state state;
    session_transport *transport; /* NULL while detached */
    session_registry *reg;
};

typedef struct session_events {
    /* One complete text message from the client. */
    void (*message)(void *user, session *s, const char *text, size_t len);
    /* The transport is gone (s->transport is already NULL). The handler
     * decides the session's fate; it may call session_free. */
    void (*transport_lost)(void *user, session *s);
} session_events;

session_registry *session_registry_new(const session_events *events, void *user);
/* Frees every remaining session without notifying anyone. */
void session_registry_free(session_registry *reg);
size_t session_registry_count(const session_registry *reg);

/* A new session with a fresh random peer id, attached to t. NULL when the
 * system random source failed. */
session *session_new(session_registry *reg, session_transport *t);
/* Leaves the room, forgets the session. Does not touch the transport: the
 * caller detaches or closes it first. */
void session_free(session *s);
session *session_find(session_registry *reg, const char *peer_id);

/* Called by transports. */
void session_received(session *s, const char *text, size_t len);
void session_transport_closed(session *s);

/* Called by the dispatcher. */
void session_send(session *s, const char *text);
void session_close(session *s, uint16_t code, const char *reason);

/* Room membership, in join order. */
void session_room_enter(session *s, const char *room, const char *name);
void session_room_exit(session *s);
/* The members of s's room other than s; *n gets their number. The array is
 * owned by the caller (g_free), the sessions are not. */
session **session_room_others(session *s, size_t *n);
/* Sends text to every member of s's room except s. */
void session_room_broadcast(session *s, const char *text);

#endif

/*
 * Rooms as signaling sees them (the sfu keeps its own media rooms), on the
 * control thread: members in join order, chat history, the tracks published
 * in the room, and the lifetime rules (made by the first join, kept for a
 * linger time after the last member left, limits on rooms and members).
 */
#ifndef CONFAB_SIGROOM_H
#define CONFAB_SIGROOM_H

#include "protocol.h"
#include "session.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define SIGROOM_MUTED_MAX 32 /* track ids one peer may flag muted */

typedef struct sigroom_limits {
    unsigned max_rooms;    /* rooms, lingering ones included */
    unsigned max_peers;    /* members per room, detached ones included */
    unsigned chat_history; /* messages kept per room */
    unsigned linger_ms;    /* an empty room lives this long */
} sigroom_limits;

typedef struct sigroom sigroom;
typedef struct sigroom_registry sigroom_registry;

/* Linger timers run on ctx. */
sigroom_registry *sigroom_registry_new(const sigroom_limits *lim, GMainContext *ctx);
void sigroom_registry_free(sigroom_registry *rr);
size_t sigroom_registry_count(const sigroom_registry *rr);
sigroom *sigroom_find(sigroom_registry *rr, const char *name);

typedef enum sigroom_admission {
    SIGROOM_ADMIT,
    SIGROOM_FULL,        /* the room has max_peers members */
    SIGROOM_SERVER_FULL, /* max_rooms rooms exist and none is empty */
} sigroom_admission;

/* Whether one more peer may enter the room called name. */
sigroom_admission sigroom_admit(sigroom_registry *rr, const char *name);
/* Puts s in the room (made if needed, evicting an empty lingering room when
 * at max_rooms); sets s->room. Call after sigroom_admit said SIGROOM_ADMIT. */
sigroom *sigroom_enter(sigroom_registry *rr, const char *name, session *s);
/* Takes s out of its room and forgets what it published; an empty room
 * lingers (or goes at once with linger_ms 0: do not use the room after).
 * Returns true when the room's track list changed. */
bool sigroom_exit(session *s);
/* Puts b where a was in a's room (after session_swap_identity). */
void sigroom_replace_member(sigroom *r, session *a, session *b);

const char *sigroom_name(const sigroom *r);
size_t sigroom_size(const sigroom *r);
session *sigroom_member(const sigroom *r, size_t i);
/* Sends text to every member but except (which may be NULL). */
void sigroom_broadcast(sigroom *r, const session *except, const char *text);
/* The members but except as proto_peers (g_free the array). */
proto_peer *sigroom_peers(const sigroom *r, const session *except, size_t *n);

/* Adds a chat message from s with the next id of the room and keeps the
 * history at chat_history messages. The result lives until the next call. */
const proto_chat *sigroom_chat_add(sigroom *r, const session *s, const char *text, int64_t now_ms);
/* The history, oldest first (g_free the array; it points into the room). */
proto_chat *sigroom_chat_history(const sigroom *r, size_t *n);

/* Sets what p publishes from the sfu's list (entries naming another peer
 * are ignored). Returns true when the room's track list changed. */
bool sigroom_set_published(session *p, const proto_track *list, size_t n);
/* The room's tracks in member order (g_free the array; it points into the
 * sessions). */
proto_room_track *sigroom_tracks(const sigroom *r, size_t *n);
/* Flags one of s's tracks (muted or not). False when s already flagged
 * SIGROOM_MUTED_MAX tracks. */
bool sigroom_set_muted(session *s, const char *track_id, bool muted);

/* Replaces the source labels s named for its tracks (mid -> label, from
 * publish). Returns true when the label of a track s publishes changed. */
bool sigroom_set_sources(session *s, const proto_source *src, size_t n);
/* The label of one of s's tracks: the one named in publish, else the
 * default of kind. Points into s or is static. */
const char *sigroom_track_source(const session *s, const char *track_id, const char *kind);

/* JSON of the HTTP API: the listed rooms that have members (names that
 * start with "_" are not listed), and one room's members and tracks. */
char *sigroom_registry_list_json(sigroom_registry *rr);
char *sigroom_detail_json(const sigroom *r);

#endif

/*
 * The signaling logic on the control thread: client requests (decoded by
 * protocol.c) become sfu calls, room changes and events; sfu events become
 * replies, errors and events for the session they name; lost transports
 * start the resume grace period (resume.c).
 */
#ifndef CONFAB_DISPATCH_H
#define CONFAB_DISPATCH_H

#include "sigroom.h"
#include "session.h"
#include "sfu.h"

#include <glib.h>

typedef struct dispatch_options {
    sigroom_limits rooms;
    unsigned chat_max_bytes;  /* longer chat text: chat_too_long */
    double chat_rate;         /* chat and mute requests per second and peer ... */
    double chat_burst;        /* ... with bursts of this many */
    unsigned resume_grace_ms; /* 0: a lost transport or failed media ends the session at once */
    /* ice_servers in join/resume replies (iceservers.h): stun_url when set
     * (borrowed: outlives the dispatcher), else stun:HOST:stun_port with
     * the client's Host; stun_port 0 = no STUN server, empty ice_servers. */
    const char *stun_url;
    uint16_t stun_port;
} dispatch_options;

typedef struct dispatch dispatch;

/* Creates the dispatcher and the session registry it serves; its timers
 * run on ctx. */
dispatch *dispatch_new(const dispatch_options *opt, GMainContext *ctx);
/* Frees the dispatcher and every remaining session. */
void dispatch_free(dispatch *d);

session_registry *dispatch_registry(dispatch *d);

/* Rooms and sessions right now (GET /metrics). */
void dispatch_counts(dispatch *d, size_t *rooms, size_t *sessions);

/* The media core to drive; set once, after sfu_create. */
void dispatch_set_sfu(dispatch *d, sfu *s);

/* From now on a closing transport ends its session at once and no longer
 * produces peer_left events: everyone is being disconnected. */
void dispatch_stop(dispatch *d);

/* The sfu_event_fn handed to sfu_create, with the dispatcher as user. */
void dispatch_sfu_event(void *user, const sfu_event *ev);

/* GET /api/rooms (name NULL) or /api/rooms/NAME: the JSON body (malloc'd,
 * NULL without memory) and its HTTP status in *status. An api_query_fn
 * (api.h) with the dispatcher as user. */
char *dispatch_api_rooms(void *user, const char *name, unsigned *status);

#endif

/*
 * The signaling logic on the control thread: client requests (decoded by
 * protocol.c) become sfu calls and room events; sfu events become replies,
 * errors and events for the session they name.
 */
#ifndef CONFAB_DISPATCH_H
#define CONFAB_DISPATCH_H

#include "session.h"
#include "sfu.h"

typedef struct dispatch dispatch;

/* Creates the dispatcher and the session registry it serves. */
dispatch *dispatch_new(void);
/* Frees the dispatcher and every remaining session. */
void dispatch_free(dispatch *d);

session_registry *dispatch_registry(dispatch *d);

/* The media core to drive; set once, after sfu_create. */
void dispatch_set_sfu(dispatch *d, sfu *s);

/* From now on a closing transport no longer produces peer_left events:
 * everyone is being disconnected at once. */
void dispatch_stop(dispatch *d);

/* The sfu_event_fn handed to sfu_create, with the dispatcher as user. */
void dispatch_sfu_event(void *user, const sfu_event *ev);

#endif

/*
 * What the parts of the dispatcher share (dispatch.c: requests,
 * dispatch_sfu.c: media core events, resume.c: lost transports, resume and
 * grace periods). Control thread only.
 */
#ifndef CONFAB_DISPATCH_INTERNAL_H
#define CONFAB_DISPATCH_INTERNAL_H

#include "dispatch.h"
#include "protocol.h"

struct dispatch {
    session_registry *reg;
    sigroom_registry *rooms;
    GMainContext *ctx;
    sfu *sfu;
    dispatch_options opt;
    bool stopping;
};

/* Sends a message produced by an encoder and releases it. */
void dispatch_send_owned(session *s, char *text);
void dispatch_send_error(session *s, int64_t id, const char *code, const char *message);
void dispatch_broadcast_owned(sigroom *r, const session *except, char *text);
void dispatch_broadcast_room_tracks(sigroom *r);

/* The join and resume reply. */
void dispatch_send_session_reply(dispatch *d, session *s, int64_t id);

/* Takes a joined session out of its room and the sfu, tells the others why
 * (peer_left with reason) and marks it SESSION_LEFT. Does not free it or
 * touch its transport. */
void dispatch_end_session(dispatch *d, session *s, const char *reason);

/* resume.c */
void resume_transport_lost(dispatch *d, session *s);
void resume_outbox_full(dispatch *d, session *s);
void resume_request(dispatch *d, session *s, const proto_request *req);
/* A media transport changed state: "failed" starts the grace period,
 * "connected" (after an ICE restart) cancels it. */
void resume_media_state(dispatch *d, session *s, proto_transport t, const char *state);
void resume_cancel_timers(session *s);

#endif

/*
 * One participant of a Janus VideoRoom (Janus 1.1 API over its WebSocket
 * transport, subprotocol "janus-protocol"), as the bench needs it: a
 * session kept alive, a publisher handle that creates the room if needed
 * and joins it (also how it learns which feeds exist), and a subscriber
 * handle that receives every other feed of the room, renegotiating as
 * feeds appear.
 *
 * The client speaks only signaling: SDP and candidates come from and go to
 * the caller (the bench's media peers, or janus_probe).
 *
 * Threads: used only on the thread running its bench_loop; callbacks run
 * from that loop. Inside a callback the client may be used but not freed.
 */
#ifndef CONFAB_BENCH_JANUS_CLIENT_H
#define CONFAB_BENCH_JANUS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "target.h"

typedef struct janus_client janus_client;

/* Which of the participant's two peer connections. */
typedef enum janus_leg {
    JANUS_LEG_PUB,
    JANUS_LEG_SUB,
} janus_leg;

typedef struct janus_client_callbacks {
    /* Joined the room (as a publisher that does not send yet): publishing
     * may start. id is the participant's feed id. */
    void (*on_joined)(void *user, uint64_t id);
    /* Janus's answer to janus_client_publish. */
    void (*on_answer)(void *user, const char *sdp);
    /* An offer for the subscriber connection, first or renegotiated: the
     * caller replies with janus_client_answer. */
    void (*on_offer)(void *user, const char *sdp);
    /* A candidate from Janus ("candidate:..."), or "" for the end. */
    void (*on_candidate)(void *user, janus_leg leg, const char *candidate);
    /* Something failed; the participant is done (no further callbacks
     * except more on_error). */
    void (*on_error)(void *user, const char *what);
} janus_client_callbacks;

typedef struct janus_client_options {
    bench_loop *loop;
    const bench_target *target; /* ws://ADDR:PORT/ of Janus's WebSocket transport */
    uint64_t room;              /* numeric VideoRoom id; created when missing */
    const char *display;        /* name shown to the others */
    bool subscribe;             /* receive every other feed of the room */
    int max_publishers;         /* the room's limit, when this client creates it */
} janus_client_options;

/* Starts connecting. NULL when no socket could be made. */
janus_client *janus_client_start(const janus_client_options *o, const janus_client_callbacks *cb,
                                 void *user);

/* Publishes with a sendonly offer (after on_joined). Returns 0 or -1. */
int janus_client_publish(janus_client *c, const char *offer);

/* Answers the last on_offer. Returns 0 or -1. */
int janus_client_answer(janus_client *c, const char *answer);

/* Trickles a local candidate ("candidate:..." with or without "a=") of leg,
 * or "" / NULL for the end of candidates. Returns 0 or -1. */
int janus_client_trickle(janus_client *c, janus_leg leg, const char *candidate);

/* Feeds requested on the subscriber handle so far. */
int janus_client_n_feeds(const janus_client *c);

/* Closes the connection (Janus then ends the session) and frees. */
void janus_client_free(janus_client *c);

#endif

/*
 * A peer: one participant's media state in a room. It has a publish
 * transport (the browser offers) and a subscribe transport (the server
 * offers and renegotiates as tracks come and go), its published tracks, and
 * one subscribe slot per m-section of its subscribe transport.
 *
 * Threads: only the room's worker thread touches a peer. The room owns it.
 */
#ifndef CONFAB_PEER_H
#define CONFAB_PEER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sdp.h"
#include "sfu.h"
#include "sfu_internal.h"
#include "track.h"
#include "transport.h"
#include "worker.h"

typedef struct room room;
typedef struct peer peer;

/* One m-section of the subscribe transport. A slot whose track ended stays
 * (inactive, port 0) so m-line indexes never shift. */
typedef struct sub_slot {
    char mid[16];
    char kind[8];
    bool active;
    bool stop_acked;     /* the subscriber answered an offer with it stopped */
    bool offered_active; /* what the outstanding offer said of it */
    track *track;        /* NULL once the track ended */
    downtrack *dt;       /* owned by the slot */
    char publisher[SFU_ID_MAX];
    char track_id[128];
    sdp_codec codec;
} sub_slot;

struct peer {
    room *room;
    worker *worker;
    const sfu_shared *sh;
    char id[SFU_ID_MAX];
    transport *pub;
    transport *sub;
    char pub_mid[32];    /* bundle tag of the publish transport, for candidates */
    uint8_t pub_mid_ext; /* publisher's extension id of the sdes:mid header, 0 if none */
    GPtrArray *tracks;   /* track*, published by this peer */
    GPtrArray *pending;  /* track* waiting for a free subscribe m-section */
    uint32_t rtcp_ssrc;
    GSource *rr_timer; /* receiver reports to the publisher, while publishing */
    /* Subscribe negotiation: only one offer is outstanding at a time. */
    sub_slot slots[SDP_MAX_MEDIA];
    int n_slots;
    unsigned next_mid;
    uint64_t sub_session_id;
    uint64_t sub_version;
    bool awaiting_answer;
    bool dirty;
    bool restart_pending; /* the next subscribe offer restarts ICE */
    int offer_failures;   /* refused or unanswered offers in a row */
    GSource *offer_timer; /* running while an offer is outstanding */
    char sub_mid[16];     /* bundle tag of the subscribe transport, for candidates */
    char *last_offer;     /* text of the outstanding offer */
    int n_offered;        /* slots that the outstanding offer covers */
};

peer *peer_new(room *r, worker *w, const sfu_shared *sh, const char *id);
void peer_free(peer *p);

/* Ends every track p publishes (others are told and renegotiate). */
void peer_unpublish_all(peer *p);

void peer_publish(peer *p, int64_t req_id, const char *sdp);
void peer_subscribe_answer(peer *p, int64_t req_id, const char *sdp);
void peer_candidate(peer *p, sfu_transport_kind kind, const char *candidate);

/* Subscribes p to t (adds a slot) / ends a slot for t; then renegotiates. */
void peer_subscribe_track(peer *p, track *t);
void peer_unsubscribe_track(peer *p, track *t);
/* Restarts ICE on the subscribe transport with the next offer. */
void peer_restart_ice(peer *p);
/* Sends a new offer if something changed and none is outstanding. */
void peer_negotiate(peer *p);

/* subscriber.c: set up and tear down the subscribe side. */
void subscriber_init(peer *p);
void subscriber_clear(peer *p);

/* Shared by peer.c and subscriber.c only. */
void peer_emit_simple(peer *p, sfu_event_type type, int64_t req_id, sfu_transport_kind kind);
void peer_emit_error(peer *p, int64_t req_id, const char *code, const char *message);
void peer_emit_candidate(peer *p, sfu_transport_kind kind, const char *mid, const char *cand);
void peer_emit_state(peer *p, sfu_transport_kind kind, transport_state st);
const char *peer_sdp_failure_code(int rc);
const sdp_media *peer_first_active(const sdp_session *s);
void peer_add_remote_candidates(transport *t, const sdp_session *s);
transport *peer_make_transport(peer *p, bool controlling, const transport_callbacks *cb);

/* Implemented by room.c: tells the others that p's tracks changed. */
void room_on_tracks_changed(room *r, peer *publisher, GPtrArray *added, GPtrArray *removed);

#endif

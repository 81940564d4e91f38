/*
 * The media core's public interface, used by signaling/ (and bench/).
 *
 * Threads and ownership:
 * - Every sfu_* function is called from one thread only: the control thread
 *   that owns the GMainContext passed to sfu_create (the signaling thread).
 * - The sfu owns its media workers (one thread each). Rooms live on exactly
 *   one worker; the control thread only forwards requests to it as owned
 *   messages, and never waits for an answer.
 * - Events come back by calling the sfu_event_fn on the control context. The
 *   sfu_event and everything it points to is valid only during the call.
 * - Peer ids and room names are chosen by the caller (strings, unique on the
 *   server) and copied by the sfu.
 */
#ifndef CONFAB_SFU_H
#define CONFAB_SFU_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SFU_ID_MAX 64

typedef struct sfu sfu;

typedef struct sfu_config {
    int workers; /* media worker threads; 0 = one per core */
    /* Addresses (IP literals) or interface names ICE gathers on. None: every
     * non-loopback interface, libnice's own choice. */
    const char *const *ice_addresses;
    int n_ice_addresses;
    uint16_t port_min; /* UDP port range for ICE; 0,0 = any */
    uint16_t port_max;
} sfu_config;

typedef enum sfu_transport_kind {
    SFU_TRANSPORT_PUBLISH = 0,   /* the browser offers, the server receives media */
    SFU_TRANSPORT_SUBSCRIBE = 1, /* the server offers, the server sends media */
} sfu_transport_kind;

typedef enum sfu_event_type {
    SFU_EV_PUBLISH_ANSWER,  /* req_id, sdp: answer to sfu_peer_publish */
    SFU_EV_SUBSCRIBE_OFFER, /* sdp: a new offer on the subscribe transport */
    SFU_EV_SUBSCRIBE_DONE,  /* req_id: sfu_peer_subscribe_answer was applied */
    SFU_EV_CANDIDATE,       /* transport, mid, candidate ("" = end-of-candidates) */
    SFU_EV_TRACKS,          /* tracks: everything this peer now receives */
    SFU_EV_PUBLISHED,       /* tracks: everything this peer now publishes (its own mids) */
    SFU_EV_TRANSPORT_STATE, /* transport, state: "connected", "failed", "closed" */
    SFU_EV_ERROR,           /* req_id (0 = none), code, message */
} sfu_event_type;

typedef struct sfu_track_info {
    char track_id[SFU_ID_MAX + 40]; /* stable id: "<publisher peer id>-<publisher mid>" */
    char peer_id[SFU_ID_MAX];       /* the publisher */
    char kind[8];                   /* "audio" | "video" */
    char mid[32]; /* SFU_EV_TRACKS: mid on the subscribe transport; PUBLISHED: the publisher's */
} sfu_track_info;

typedef struct sfu_event {
    sfu_event_type type;
    const char *peer_id;
    int64_t req_id;
    sfu_transport_kind transport;
    const char *sdp;
    const char *mid;
    const char *candidate;
    const char *state;
    const char *code;    /* stable error code, e.g. "bad_sdp", "not_found" */
    const char *message; /* human readable */
    int n_tracks;
    const sfu_track_info *tracks;
} sfu_event;

typedef void (*sfu_event_fn)(void *user, const sfu_event *ev);

/* Starts the workers. Returns NULL (with a message on stderr) on failure. */
sfu *sfu_create(const sfu_config *cfg, GMainContext *control, sfu_event_fn fn, void *user);

/* Stops every worker and frees everything; no event is delivered after. */
void sfu_destroy(sfu *s);

/* Puts a peer in a room (made on first join, freed when empty). Returns 0,
 * or -1 when the peer id is already in use. */
int sfu_peer_join(sfu *s, const char *room, const char *peer_id);

/* Removes the peer: its tracks end for everyone, its transports close. */
void sfu_peer_leave(sfu *s, const char *peer_id);

/* The browser's offer for its publish transport; answered with
 * SFU_EV_PUBLISH_ANSWER or SFU_EV_ERROR carrying req_id. A later offer on the
 * same transport renegotiates (tracks added or removed). */
void sfu_peer_publish(sfu *s, const char *peer_id, int64_t req_id, const char *offer_sdp);

/* The browser's answer to the last SFU_EV_SUBSCRIBE_OFFER. */
void sfu_peer_subscribe_answer(sfu *s, const char *peer_id, int64_t req_id, const char *sdp);

/* A trickled remote candidate ("candidate:..."), or NULL/"" for
 * end-of-candidates. */
void sfu_peer_candidate(sfu *s, const char *peer_id, sfu_transport_kind t, const char *mid,
                        const char *candidate);

/* ICE restart of the subscribe transport (the client's network changed):
 * the server answers with a new SFU_EV_SUBSCRIBE_OFFER carrying new ICE
 * credentials (sent as soon as no other offer is outstanding); the DTLS
 * session and SRTP keys stay. A publish transport restarts when the client
 * sends a publish offer with new credentials (createOffer({iceRestart:
 * true})). */
void sfu_peer_restart_ice(sfu *s, const char *peer_id);

/* The DTLS fingerprint the server presents (for diagnostics and tests). */
const char *sfu_fingerprint(const sfu *s);

#endif

/*
 * A transport is one WebRTC peer connection on the server: a libnice ICE
 * agent (one stream, one component: BUNDLE + rtcp-mux), a DTLS-SRTP session
 * over it, and the SRTP contexts keyed from it.
 *
 * Threads and ownership: a transport is created, used and destroyed on one
 * worker thread; its agent runs on that worker's GMainContext and every
 * callback is invoked there. The owner (a peer) owns the transport. Buffers
 * handed to callbacks are valid only during the call.
 */
#ifndef CONFAB_TRANSPORT_H
#define CONFAB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls.h"
#include "sdp.h"
#include "worker.h"

typedef struct transport transport;

typedef enum transport_state {
    TRANSPORT_NEW,
    TRANSPORT_CONNECTED, /* ICE connected and SRTP keyed: media may flow */
    TRANSPORT_FAILED,    /* ICE failed, consent lost, or DTLS failed */
    TRANSPORT_CLOSED,    /* DTLS close_notify from the peer */
} transport_state;

typedef struct transport_callbacks {
    /* A local candidate ("candidate:..."), or "" when gathering is done. */
    void (*on_candidate)(void *user, const char *candidate);
    void (*on_state)(void *user, transport_state state, const char *reason);
    /* Decrypted RTP / RTCP; buf is writable scratch of WORKER_BUF_SIZE. */
    void (*on_rtp)(void *user, uint8_t *buf, size_t len);
    void (*on_rtcp)(void *user, uint8_t *buf, size_t len);
} transport_callbacks;

typedef struct transport_config {
    worker *worker;
    const dtls_cert *cert;
    const char *const *addresses; /* IP literals to gather on (already resolved) */
    int n_addresses;
    uint16_t port_min, port_max;
    bool controlling; /* ICE role: true when the server made the offer */
} transport_config;

transport *transport_create(const transport_config *cfg, const transport_callbacks *cb, void *user);
void transport_destroy(transport *t);

/* Local ICE credentials (owned by the transport). */
const char *transport_ice_ufrag(const transport *t);
const char *transport_ice_pwd(const transport *t);

/* Starts gathering; candidates come through on_candidate. */
int transport_gather(transport *t);

/* Remote ICE credentials and DTLS parameters from the remote description.
 * The first call fixes the DTLS role and fingerprint; later calls with the
 * same credentials are no-ops. Returns 0 or -1. */
int transport_set_remote(transport *t, const char *ufrag, const char *pwd, const char *fingerprint,
                         dtls_role role);

/* A trickled remote candidate ("candidate:..." with or without "a="), or
 * NULL/"" for end-of-candidates. Unusable candidates (mDNS names, TCP) are
 * ignored: the browser's checks still reach us as peer-reflexive. */
int transport_add_remote_candidate(transport *t, const char *candidate);

transport_state transport_get_state(const transport *t);

/* What this transport puts in a description: its ICE credentials and its
 * certificate's fingerprint, with the given DTLS setup. */
void transport_sdp_local(const transport *t, sdp_setup setup, sdp_local *out);

/* The remote ufrag last set, or NULL before transport_set_remote. */
const char *transport_remote_ufrag(const transport *t);

/* ICE restart: new local credentials (read them again with
 * transport_ice_ufrag/pwd), connectivity checks start over once the new
 * remote credentials are set; DTLS and SRTP carry over, and a transport that
 * failed on ICE alone can become CONNECTED again. Returns 0 or -1. */
int transport_restart_ice(transport *t);

/* Re-announces every local candidate through on_candidate, then ""
 * (end-of-candidates): after a restart the remote side needs them again. */
void transport_emit_local_candidates(transport *t);

/* Protects buf (plaintext, len bytes, capacity cap) in place and sends it.
 * Returns 0, or -1 when not connected or protection failed. */
int transport_send_rtp(transport *t, uint8_t *buf, size_t len, size_t cap);
int transport_send_rtcp(transport *t, uint8_t *buf, size_t len, size_t cap);

#endif

/*
 * A track is one incoming media stream of a publisher; a downtrack is one
 * subscriber's view of it. Forwarding lives here: it is the per-packet path,
 * so nothing in this file allocates, locks or leaves the worker thread once a
 * track and its downtracks exist.
 *
 * Ownership: the publishing peer owns its tracks; a track owns its
 * downtracks' array but not the downtracks, which the subscribing peer owns
 * (in its subscribe slots). All on the room's worker thread.
 */
#ifndef CONFAB_TRACK_H
#define CONFAB_TRACK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtcp.h"
#include "rtp.h"
#include "rtp_stats.h"
#include "sdp.h"
#include "transport.h"
#include "worker.h"

typedef struct track track;

typedef struct downtrack {
    track *track;
    transport **out; /* the subscriber's subscribe transport slot (may hold NULL) */
    uint32_t ssrc;   /* SSRC on the subscribe transport */
    uint8_t pt;      /* payload type on the subscribe transport */
    bool negotiated; /* the subscriber answered an offer that includes it */
    bool started;    /* forwarding began (video: at a keyframe) */
    uint16_t seq_in0, seq_out0;
    uint32_t ts_in0, ts_out0;
    uint32_t packets, octets; /* sent, for our sender reports */
} downtrack;

struct track {
    char id[128];
    char publisher[64]; /* the publishing peer's id */
    char kind[8];
    char pub_mid[32];
    bool video;
    uint32_t ssrc;         /* publisher's SSRC, 0 until known */
    sdp_codec codec;       /* as negotiated with the publisher */
    uint8_t sub_pt;        /* payload type used on subscribe transports */
    uint8_t ext_map[256];  /* publisher extension id -> subscriber id (0: drop) */
    transport **in;        /* the publisher's publish transport slot */
    uint32_t rtcp_ssrc;    /* our SSRC as the sender of feedback to the publisher */
    GPtrArray *downtracks; /* downtrack* */
    rtp_stats stats;       /* what we received, for our receiver reports */
    int64_t last_keyframe_req_us;
    bool keyframe_pending;
    uint8_t fir_seq;
};

/* Subscribe-side payload types, one per codec, fixed so every m-section of
 * a BUNDLE agrees whichever publisher a track comes from. */
uint8_t track_sub_pt_for(const sdp_codec *c);

/* Subscribe-side extension ids and the URIs they carry: one table for every
 * m-section, since a BUNDLE group must give an id one meaning. */
extern const sdp_extmap track_sub_extmaps[];
extern const int track_n_sub_extmaps;

track *track_new(const char *id, const char *kind, const char *pub_mid, const sdp_codec *codec,
                 const sdp_extmap *pub_exts, int n_pub_exts, uint32_t ssrc, transport **in,
                 uint32_t rtcp_ssrc);
/* Detaches every downtrack (their owners keep them) and frees the track. */
void track_free(track *t);

downtrack *track_add_downtrack(track *t, transport **out, uint32_t ssrc);
void track_remove_downtrack(track *t, downtrack *d);

/* The per-packet path: rewrite and send one decrypted packet to every
 * started downtrack. buf is the worker's input scratch, h its parsed header. */
void track_forward_rtp(track *t, worker *w, uint8_t *buf, size_t len, const rtp_header *h);

/* Translates a publisher sender report into one per downtrack. */
void track_forward_sr(track *t, worker *w, const rtcp_sr *sr);

/* Asks the publisher for a keyframe, collapsed and throttled per track. */
void track_request_keyframe(track *t, worker *w, int64_t now_us);

#endif

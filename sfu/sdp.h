/*
 * SDP (RFC 8866) for WebRTC Unified Plan (RFC 8829): a pure parser, a pure
 * writer, and the two negotiations Confab does:
 *   - answering a browser's offer on its publish transport;
 *   - building the server's offer for a subscribe transport.
 *
 * No I/O, no global state; any thread may call these. sdp_session is large
 * (fixed capacity, no internal pointers): callers allocate it on the heap,
 * and it can be copied with memcpy. Negotiation runs at signaling time, never
 * on the per-packet path.
 */
#ifndef CONFAB_SDP_H
#define CONFAB_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 64
/* 64, not 32: a receiving Chromium 156 video m-line lists 34 payload types. */
#define SDP_MAX_CODECS      64
#define SDP_MAX_FB          6
#define SDP_MAX_EXTMAP      16
#define SDP_MAX_SSRCS       8
#define SDP_MAX_SSRC_GROUPS 4
#define SDP_MAX_CANDIDATES  16
#define SDP_MAX_TEXT        65536 /* longer input is rejected */

/* Stable error codes (negated return values). sdp_error_code() names them. */
enum sdp_error {
    SDP_OK = 0,
    SDP_ERR_SYNTAX = 1, /* a line is not "x=value", or a known attribute is malformed */
    SDP_ERR_LIMIT = 2,  /* more media/codecs/... than the fixed capacity, or text too long */
    SDP_ERR_NO_ICE = 3, /* ice-ufrag or ice-pwd missing for a used m-section */
    SDP_ERR_NO_FINGERPRINT = 4, /* no (sha-256) fingerprint for a used m-section */
    SDP_ERR_NO_MEDIA = 5,       /* no usable audio or video m-section */
    SDP_ERR_NO_CODEC = 6,       /* an m-section offers no codec Confab forwards */
    SDP_ERR_BUNDLE = 7,         /* several m-sections but no BUNDLE group covering them */
    SDP_ERR_SETUP = 8,          /* a=setup value unusable for this role */
    SDP_ERR_MISMATCH = 9,       /* an answer does not match the offer it answers */
    SDP_ERR_NO_RTCP_MUX = 10,   /* rtcp-mux is required */
};

typedef enum sdp_direction {
    SDP_DIR_SENDRECV = 0,
    SDP_DIR_SENDONLY,
    SDP_DIR_RECVONLY,
    SDP_DIR_INACTIVE,
} sdp_direction;

typedef enum sdp_setup {
    SDP_SETUP_NONE = 0,
    SDP_SETUP_ACTPASS,
    SDP_SETUP_ACTIVE,
    SDP_SETUP_PASSIVE,
} sdp_setup;

typedef struct sdp_codec {
    uint8_t pt;
    char name[32]; /* as written in a=rtpmap, e.g. "VP8", "opus", "H264", "rtx" */
    uint32_t clock_rate;
    uint8_t channels; /* 0 when absent */
    char fmtp[160];   /* a=fmtp parameters as written, "" when none */
    int n_fb;
    char fb[SDP_MAX_FB][32]; /* a=rtcp-fb values for this pt (and "*"): "nack pli", "ccm fir" */
} sdp_codec;

typedef struct sdp_extmap {
    uint8_t id;
    char uri[128];
} sdp_extmap;

typedef struct sdp_ssrc {
    uint32_t ssrc;
    char cname[64];
    char msid[136]; /* "stream track" from a=ssrc:N msid:..., "" when absent */
} sdp_ssrc;

typedef struct sdp_ssrc_group {
    char semantics[16]; /* "FID", "SIM", ... */
    int n;
    uint32_t ssrcs[4];
} sdp_ssrc_group;

typedef struct sdp_media {
    char kind[16];  /* "audio", "video", "application", ... */
    uint16_t port;  /* 0: rejected or stopped */
    char proto[48]; /* "UDP/TLS/RTP/SAVPF" */
    char mid[32];
    sdp_direction direction;
    /* ICE/DTLS parameters; the parser copies session-level values here when
     * the m-section has none, so users only look at the media level. */
    char ice_ufrag[64];
    char ice_pwd[128];
    char fingerprint_alg[16]; /* lower case, e.g. "sha-256" */
    char fingerprint[160];    /* upper-case hex with colons */
    sdp_setup setup;
    bool rtcp_mux;
    bool rtcp_rsize;
    char msid_stream[64]; /* from a=msid:<stream> <track> */
    char msid_track[64];
    int n_codecs;
    sdp_codec codecs[SDP_MAX_CODECS]; /* in m= line order (preference order) */
    int n_extmaps;
    sdp_extmap extmaps[SDP_MAX_EXTMAP];
    int n_ssrcs;
    sdp_ssrc ssrcs[SDP_MAX_SSRCS];
    int n_ssrc_groups;
    sdp_ssrc_group ssrc_groups[SDP_MAX_SSRC_GROUPS];
    int n_candidates;
    char candidates[SDP_MAX_CANDIDATES][256]; /* "candidate:..." (no "a=") */
    bool end_of_candidates;
} sdp_media;

typedef struct sdp_session {
    uint64_t session_id;
    uint64_t session_version;
    bool ice_lite;
    int n_bundle;
    char bundle[SDP_MAX_MEDIA][32]; /* mids of the first a=group:BUNDLE */
    int n_media;
    sdp_media media[SDP_MAX_MEDIA];
} sdp_session;

/* Parses SDP text (CRLF or LF line ends). Returns 0 or a negated sdp_error;
 * on error *err (if not NULL) points at a static human-readable reason. */
int sdp_parse(const char *text, size_t len, sdp_session *out, const char **err);

/* Writes s as SDP text with CRLF line ends and a terminating NUL. Returns the
 * length written (without the NUL) or -1 when cap is too small. */
int sdp_write(const sdp_session *s, char *buf, size_t cap);

/* Attribute spellings indexed by sdp_direction / sdp_setup, shared by the
 * parser and the writer. */
extern const char *const sdp_direction_names[4];
extern const char *const sdp_setup_names[4];

/* Stable code for an error, e.g. "sdp_syntax", "sdp_no_ice". */
const char *sdp_error_code(int err);

const sdp_media *sdp_find_mid(const sdp_session *s, const char *mid);

/* Looks up key in an fmtp string ("a=1;b=2"). Copies the value and returns 0,
 * or -1 when absent or too long for cap. */
int sdp_fmtp_get(const char *fmtp, const char *key, char *out, size_t cap);

/* What Confab puts in its own descriptions. */
typedef struct sdp_local {
    char ice_ufrag[64];
    char ice_pwd[128];
    char fingerprint[160]; /* sha-256, upper-case hex with colons */
    sdp_setup setup;       /* answers: PASSIVE; offers: ACTPASS */
} sdp_local;

/*
 * Answers a browser's offer on a publish transport.
 * - Each audio/video m-section that sends (sendrecv/sendonly) is accepted as
 *   recvonly with exactly one codec: the first in the offer's order that
 *   Confab forwards (audio: opus/48000/2; video: VP8, VP9 profile 0,
 *   H264 with packetization-mode=1 and a constrained-baseline or baseline
 *   profile-level-id). Its pt, fmtp and the supported rtcp-fb
 *   ("nack pli", "ccm fir") are kept.
 * - Offered extmaps whose URI Confab knows (sdp_known_extmaps) keep their ids.
 * - Other m-sections (application, recvonly, unknown) are rejected (port 0),
 *   except the offer's BUNDLE tag (first mid of its group) when it is an
 *   audio/video m-section that stopped sending: that one is kept, a=inactive,
 *   since rejecting it would tear down the transport the others share.
 * - The answer has a BUNDLE group of the accepted mids, rtcp-mux, the local
 *   ICE credentials, fingerprint and setup, a=ice-options:trickle and no
 *   candidates.
 * Returns 0 or a negated sdp_error (NO_ICE, NO_FINGERPRINT, NO_MEDIA when
 * nothing is accepted or kept, NO_CODEC, BUNDLE, SETUP, NO_RTCP_MUX).
 */
int sdp_answer_publish(const sdp_session *offer, const sdp_local *local, sdp_session *answer,
                       const char **err);

/* One m-section of a subscribe offer. */
typedef struct sdp_track_offer {
    char kind[8]; /* "audio" or "video" */
    char mid[32]; /* the subscriber-side mid */
    bool active;  /* false: port 0 (the track is gone; the m-section stays) */
    /* With active false: a=inactive but port 9 and still in the BUNDLE group.
     * For the m-section that carries the BUNDLE tag: rejecting it would make
     * the browser tear down the transport every other m-section shares. */
    bool keep_bundled;
    uint32_t ssrc; /* SSRC the server sends this track with */
    char cname[64];
    char stream_id[64]; /* a=msid stream id: the publisher's peer id */
    char track_id[64];
    sdp_codec codec; /* the one codec offered, pt as used on this transport */
} sdp_track_offer;

/*
 * Builds the server's offer for a subscribe transport: one sendonly
 * m-section per entry (in order), all in one BUNDLE group, rtcp-mux and
 * rtcp-rsize, a=msid, a=ssrc with cname and msid, the given extmaps on every
 * active m-section, local ICE credentials and fingerprint, setup actpass.
 * `version` becomes the o= session version (bump it on each renegotiation).
 * Returns 0 or a negated sdp_error (LIMIT, NO_MEDIA when n == 0).
 */
int sdp_offer_subscribe(const sdp_track_offer *tracks, int n, const sdp_extmap *exts, int n_exts,
                        const sdp_local *local, uint64_t session_id, uint64_t version,
                        sdp_session *out);

/* Checks that `answer` answers `offer`: same number of m-sections, same mids,
 * ICE credentials and a sha-256 fingerprint present, setup active or
 * passive, and each active m-section keeps the offered codec pt or is
 * rejected (port 0: RFC 3264 lets an answerer refuse any m-section).
 * Returns 0 or a negated sdp_error. */
int sdp_check_answer(const sdp_session *offer, const sdp_session *answer, const char **err);

/* The header extension URIs Confab forwards, NULL-terminated. */
extern const char *const sdp_known_extmaps[];

#endif

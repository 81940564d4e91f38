/*
 * The signaling protocol of docs/protocol.md: decoding of one client message
 * (protocol.c) and encoding of replies, errors, events and the JSON of the
 * HTTP API (protocol_encode.c).
 *
 * Pure: bytes in, structs or JSON text out, no I/O and no global state, so
 * it is unit-tested and fuzzed directly. Every encoder returns a malloc'd
 * NUL-terminated compact JSON text (free with free()), or NULL when memory
 * ran out.
 */
#ifndef CONFAB_PROTOCOL_H
#define CONFAB_PROTOCOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_ROOM_MAX      64 /* characters (all ASCII) */
#define PROTO_NAME_MAX      64 /* characters (Unicode code points) */
#define PROTO_ID_MAX        ((INT64_C(1) << 53) - 1)
#define PROTO_CANDIDATE_MAX 1024  /* bytes of candidate.candidate */
#define PROTO_MID_MAX       31    /* bytes of candidate.sdpMid */
#define PROTO_SDP_MAX       65536 /* bytes */
#define PROTO_CHAT_MAX      32768 /* the highest chat cap a server may set (bytes) */
#define PROTO_TRACK_ID_MAX  128   /* bytes of a track id */
#define PROTO_TOKEN_LEN     32    /* hex digits of a resume token (128 bits) */
#define PROTO_SOURCE_MAX    16    /* bytes of a track source label */
#define PROTO_SOURCES_MAX   64    /* entries of publish's sources (one per m-section) */

/* WebSocket close codes of the protocol (besides RFC 6455's own). */
#define PROTO_CLOSE_LEFT          1000 /* after the reply to leave */
#define PROTO_CLOSE_MEDIA_TIMEOUT 4001 /* a media transport failed */
#define PROTO_CLOSE_RESUMED       4002 /* the session was resumed on another connection */
#define PROTO_CLOSE_INTERNAL      1011 /* the server could not go on with the session */

typedef enum proto_req_type {
    PROTO_REQ_JOIN = 1,
    PROTO_REQ_PUBLISH,
    PROTO_REQ_ANSWER,
    PROTO_REQ_CANDIDATE,
    PROTO_REQ_LEAVE,
    PROTO_REQ_CHAT,
    PROTO_REQ_MUTE,
    PROTO_REQ_RESUME,
    PROTO_REQ_RESTART_ICE,
} proto_req_type;

/* A track source label of publish: the publisher's mid and what the track
 * shows ("camera", "microphone", "screen", ...). */
typedef struct proto_source {
    const char *mid;
    const char *source;
} proto_source;

typedef enum proto_transport {
    PROTO_TRANSPORT_PUBLISH = 0,
    PROTO_TRANSPORT_SUBSCRIBE = 1,
} proto_transport;

/* A decoded request. The strings point into the parsed document and live
 * until proto_request_clear. */
typedef struct proto_request {
    proto_req_type type;
    int64_t id;
    const char *room;          /* join */
    const char *name;          /* join */
    const char *sdp;           /* publish, answer */
    proto_transport transport; /* candidate, restart_ice */
    bool end_of_candidates;    /* candidate: null, or its "candidate" is "" */
    const char *candidate;     /* candidate: "candidate:..." or NULL at end */
    const char *sdp_mid;       /* candidate: NULL when absent or null */
    int sdp_mline_index;       /* candidate: -1 when absent or null */
    const char *text;          /* chat */
    size_t text_len;           /* chat: bytes of text */
    const char *track_id;      /* mute */
    bool muted;                /* mute */
    const char *token;         /* resume: PROTO_TOKEN_LEN lowercase hex digits */
    json_t *doc_;              /* private: owns the strings above */

    /* publish: the optional sources object (mid -> label), in no order; doc_ owns the strings */
    bool has_sources;
    size_t n_sources;
    proto_source sources[PROTO_SOURCES_MAX];
} proto_request;

typedef struct proto_error {
    const char *code;  /* static: "bad_json", "bad_request" or "unknown_type" */
    char message[160]; /* human readable, ASCII */
    int64_t id;        /* the request id when it could be read, else 0 */
} proto_error;

/* Decodes one message. Returns 0 and fills *req (release it with
 * proto_request_clear), or -1 and fills *err (nothing to release). */
int proto_request_decode(const char *data, size_t len, proto_request *req, proto_error *err);
void proto_request_clear(proto_request *req);

const char *proto_transport_name(proto_transport t);

/* The rules of docs/protocol.md, also used by the HTTP API. */
bool proto_room_valid(const char *room);
bool proto_name_valid(const char *name);
/* A track source label: 1..PROTO_SOURCE_MAX characters from a-z 0-9 _ -. */
bool proto_source_valid(const char *source);
/* What a track shows when its publisher named nothing: "camera" for
 * video, "microphone" for audio (and anything else). */
const char *proto_source_default(const char *kind);

typedef struct proto_peer {
    const char *id;
    const char *name;
} proto_peer;

/* A track as one subscriber receives it (offer and tracks events). */
typedef struct proto_track {
    const char *track_id;
    const char *peer_id;
    const char *kind;
    const char *mid;
    const char *source; /* NULL: not written */
} proto_track;

/* A track as the room knows it (room_tracks, join reply, HTTP API). */
typedef struct proto_room_track {
    const char *track_id;
    const char *peer_id;
    const char *kind;
    bool muted;
    const char *source; /* NULL: the default of kind */
} proto_room_track;

typedef struct proto_chat {
    uint64_t id; /* per room, from 1 */
    int64_t ts;  /* server time, ms since the Unix epoch */
    const char *peer_id;
    const char *name;
    const char *text;
} proto_chat;

/* What the join and resume replies carry. */
typedef struct proto_session_info {
    const char *peer_id;
    const char *room;
    const char *resume_token;
    const proto_peer *peers; /* the others, in join order */
    size_t n_peers;
    const proto_chat *chat; /* oldest first */
    size_t n_chat;
    const proto_room_track *tracks;
    size_t n_tracks;
    /* STUN/TURN URLs, sent as one ice_servers entry {"urls":[...]}; none =
     * an empty ice_servers. */
    const char *const *ice_urls;
    size_t n_ice_urls;
} proto_session_info;

typedef struct proto_room_summary {
    const char *name;
    size_t peers;
} proto_room_summary;

/* Replies and errors. An id of 0 is written as null. */
char *proto_encode_reply_empty(int64_t id);
char *proto_encode_reply_sdp(int64_t id, const char *sdp);
/* The join reply of protocol version 1 without chat, tracks or token (kept
 * for the fuzz target; the daemon uses proto_encode_reply_session). */
char *proto_encode_reply_join(int64_t id, const char *peer_id, const char *room,
                              const proto_peer *peers, size_t n_peers);
char *proto_encode_reply_session(int64_t id, const proto_session_info *info);
char *proto_encode_reply_chat(int64_t id, uint64_t message_id);
char *proto_encode_error(int64_t id, const char *code, const char *message);

/* Events. */
char *proto_encode_offer(const char *sdp, const proto_track *tracks, size_t n_tracks);
char *proto_encode_tracks(const proto_track *tracks, size_t n_tracks);
/* candidate NULL or "" is end-of-candidates; mid NULL is written as null. */
char *proto_encode_candidate(proto_transport t, const char *candidate, const char *mid);
char *proto_encode_peer_joined(const char *peer_id, const char *name);
char *proto_encode_peer_left(const char *peer_id, const char *reason);
char *proto_encode_transport_state(proto_transport t, const char *state);
char *proto_encode_chat(const proto_chat *msg);
char *proto_encode_room_tracks(const proto_room_track *tracks, size_t n_tracks);
char *proto_encode_track_muted(const char *track_id, const char *peer_id, bool muted);

/* The HTTP API (GET /api/rooms, GET /api/rooms/NAME). */
char *proto_encode_room_list(const proto_room_summary *rooms, size_t n_rooms);
char *proto_encode_room_detail(const char *name, const proto_peer *peers, size_t n_peers,
                               const proto_room_track *tracks, size_t n_tracks);
char *proto_encode_http_error(const char *code, const char *message);

#endif

/*
 * Fuzzes the signaling message decoder. Every outcome must be a clean
 * request or an error with a known code; decoded requests are re-encoded
 * through the reply encoders to exercise them with hostile strings too.
 */
#include "signaling/protocol.h"

#include <stdlib.h>
#include <string.h>

static void check_error(const proto_error *err)
{
    if (!err->code ||
        (strcmp(err->code, "bad_json") != 0 && strcmp(err->code, "bad_request") != 0 &&
         strcmp(err->code, "unknown_type") != 0))
        abort();
    if (err->id < 0 || err->id > PROTO_ID_MAX) abort();
    free(proto_encode_error(err->id, err->code, err->message));
}

/* Every accepted label is valid and goes out in a track list as it came. */
static void check_sources(const proto_request *req)
{
    if (req->n_sources > PROTO_SOURCES_MAX || (!req->has_sources && req->n_sources)) abort();
    for (size_t i = 0; i < req->n_sources; i++) {
        const proto_source *src = &req->sources[i];
        size_t mid_len = strlen(src->mid);
        if (mid_len < 1 || mid_len > PROTO_MID_MAX || !proto_source_valid(src->source)) abort();
        proto_room_track t = {src->mid, src->mid, "video", false, src->source};
        free(proto_encode_room_tracks(&t, 1));
        proto_track o = {src->mid, src->mid, "audio", src->mid, src->source};
        free(proto_encode_offer(req->sdp, &o, 1));
    }
}

static void check_request(const proto_request *req)
{
    if (req->id < 1 || req->id > PROTO_ID_MAX) abort();
    switch (req->type) {
    case PROTO_REQ_JOIN: {
        if (!req->room || !req->name || strlen(req->room) > PROTO_ROOM_MAX) abort();
        proto_peer peer = {req->room, req->name};
        free(proto_encode_reply_join(req->id, req->room, req->room, &peer, 1));
        free(proto_encode_peer_joined(req->room, req->name));
        break;
    }
    case PROTO_REQ_PUBLISH:
        check_sources(req);
        /* fall through */
    case PROTO_REQ_ANSWER:
        if (!req->sdp || !*req->sdp) abort();
        free(proto_encode_reply_sdp(req->id, req->sdp));
        break;
    case PROTO_REQ_CANDIDATE:
        if (req->end_of_candidates == (req->candidate != NULL)) abort();
        free(proto_encode_candidate(req->transport, req->candidate, req->sdp_mid));
        break;
    case PROTO_REQ_LEAVE:
    case PROTO_REQ_RESTART_ICE:
        free(proto_encode_reply_empty(req->id));
        break;
    case PROTO_REQ_CHAT: {
        if (!req->text || strlen(req->text) != req->text_len || req->text_len == 0) abort();
        proto_chat m = {1, 0, req->text, req->text, req->text};
        free(proto_encode_chat(&m));
        break;
    }
    case PROTO_REQ_MUTE:
        if (!req->track_id || strlen(req->track_id) > PROTO_TRACK_ID_MAX) abort();
        free(proto_encode_track_muted(req->track_id, req->track_id, req->muted));
        break;
    case PROTO_REQ_RESUME:
        if (!req->token || strlen(req->token) != PROTO_TOKEN_LEN) abort();
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proto_request req;
    proto_error err;
    if (proto_request_decode((const char *)data, size, &req, &err) == 0) {
        check_request(&req);
        proto_request_clear(&req);
    } else {
        check_error(&err);
    }
    return 0;
}

/*
 * Encoding of the signaling protocol (docs/protocol.md): replies, errors,
 * events and the JSON of the HTTP API.
 */
#include "protocol.h"

#include <stdlib.h>
#include <string.h>

/* Strings from the media core are expected to be UTF-8, but a truncated
 * message could end inside a sequence; jansson refuses such strings, so
 * they are reduced to ASCII instead of dropping the whole message. */
static json_t *jstr(const char *s)
{
    if (!s) return json_null();
    json_t *v = json_string(s);
    if (v) return v;
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (!copy) return NULL;
    for (size_t i = 0; i <= n; i++)
        copy[i] = ((unsigned char)s[i] < 0x80) ? s[i] : '?';
    v = json_string(copy);
    free(copy);
    return v;
}

static json_t *jid(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

/* Serializes and releases obj. */
static char *dump(json_t *obj)
{
    if (!obj) return NULL;
    char *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return out;
}

static json_t *message(const char *type)
{
    json_t *obj = json_object();
    if (obj) json_object_set_new(obj, "type", json_string(type));
    return obj;
}

static char *reply(int64_t id, json_t *data)
{
    json_t *obj = message("reply");
    if (!obj || !data) {
        json_decref(obj);
        json_decref(data);
        return NULL;
    }
    json_object_set_new(obj, "id", jid(id));
    json_object_set_new(obj, "data", data);
    return dump(obj);
}

char *proto_encode_reply_empty(int64_t id)
{
    return reply(id, json_object());
}

char *proto_encode_reply_sdp(int64_t id, const char *sdp)
{
    json_t *data = json_object();
    if (data) json_object_set_new(data, "sdp", jstr(sdp));
    return reply(id, data);
}

static json_t *peer_object(const char *peer_id, const char *name)
{
    json_t *p = json_object();
    if (p) {
        json_object_set_new(p, "id", jstr(peer_id));
        json_object_set_new(p, "name", jstr(name));
    }
    return p;
}

static json_t *peer_list(const proto_peer *peers, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, peer_object(peers[i].id, peers[i].name));
    return list;
}

static json_t *chat_object(const proto_chat *m)
{
    json_t *o = json_object();
    if (o) {
        json_object_set_new(o, "id", json_integer((json_int_t)m->id));
        json_object_set_new(o, "peer_id", jstr(m->peer_id));
        json_object_set_new(o, "name", jstr(m->name));
        json_object_set_new(o, "text", jstr(m->text));
        json_object_set_new(o, "ts", json_integer(m->ts));
    }
    return o;
}

/* The fields every track carries, whichever list it is in. */
static json_t *track_object(const char *track_id, const char *peer_id, const char *kind)
{
    json_t *t = json_object();
    if (!t) return NULL;
    json_object_set_new(t, "track_id", jstr(track_id));
    json_object_set_new(t, "peer_id", jstr(peer_id));
    json_object_set_new(t, "kind", jstr(kind));
    return t;
}

static json_t *room_track_list(const proto_room_track *tracks, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *t = track_object(tracks[i].track_id, tracks[i].peer_id, tracks[i].kind);
        if (!t) break;
        json_object_set_new(t, "muted", json_boolean(tracks[i].muted));
        const char *src = tracks[i].source;
        json_object_set_new(t, "source", jstr(src ? src : proto_source_default(tracks[i].kind)));
        json_array_append_new(list, t);
    }
    return list;
}

char *proto_encode_reply_join(int64_t id, const char *peer_id, const char *room,
                              const proto_peer *peers, size_t n_peers)
{
    json_t *data = json_object();
    if (data) {
        json_object_set_new(data, "peer_id", jstr(peer_id));
        json_object_set_new(data, "room", jstr(room));
        json_object_set_new(data, "peers", peer_list(peers, n_peers));
        json_object_set_new(data, "ice_servers", json_array());
    }
    return reply(id, data);
}

/* [{"urls":[...]}], or [] without URLs. */
static json_t *ice_server_list(const char *const *urls, size_t n)
{
    json_t *list = json_array();
    if (!list || !n) return list;
    json_t *server = json_object();
    json_t *u = json_array();
    for (size_t i = 0; u && i < n; i++)
        json_array_append_new(u, jstr(urls[i]));
    json_object_set_new(server, "urls", u);
    json_array_append_new(list, server);
    return list;
}

char *proto_encode_reply_session(int64_t id, const proto_session_info *info)
{
    json_t *data = json_object();
    json_t *chat = json_array();
    if (!data || !chat) {
        json_decref(data);
        json_decref(chat);
        return NULL;
    }
    for (size_t i = 0; i < info->n_chat; i++)
        json_array_append_new(chat, chat_object(&info->chat[i]));
    json_object_set_new(data, "peer_id", jstr(info->peer_id));
    json_object_set_new(data, "room", jstr(info->room));
    json_object_set_new(data, "peers", peer_list(info->peers, info->n_peers));
    json_object_set_new(data, "ice_servers", ice_server_list(info->ice_urls, info->n_ice_urls));
    json_object_set_new(data, "resume_token", jstr(info->resume_token));
    json_object_set_new(data, "chat", chat);
    json_object_set_new(data, "room_tracks", room_track_list(info->tracks, info->n_tracks));
    return reply(id, data);
}

char *proto_encode_reply_chat(int64_t id, uint64_t message_id)
{
    json_t *data = json_object();
    if (data) json_object_set_new(data, "message_id", json_integer((json_int_t)message_id));
    return reply(id, data);
}

char *proto_encode_error(int64_t id, const char *code, const char *msg)
{
    json_t *obj = message("error");
    if (!obj) return NULL;
    json_object_set_new(obj, "id", jid(id));
    json_object_set_new(obj, "code", jstr(code ? code : "internal"));
    json_object_set_new(obj, "message", jstr(msg ? msg : ""));
    return dump(obj);
}

static json_t *track_list(const proto_track *tracks, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *t = track_object(tracks[i].track_id, tracks[i].peer_id, tracks[i].kind);
        if (!t) break;
        json_object_set_new(t, "mid", jstr(tracks[i].mid));
        if (tracks[i].source) json_object_set_new(t, "source", jstr(tracks[i].source));
        json_array_append_new(list, t);
    }
    return list;
}

char *proto_encode_offer(const char *sdp, const proto_track *tracks, size_t n_tracks)
{
    json_t *obj = message("offer");
    if (obj) {
        json_object_set_new(obj, "sdp", jstr(sdp));
        json_object_set_new(obj, "tracks", track_list(tracks, n_tracks));
    }
    return dump(obj);
}

char *proto_encode_tracks(const proto_track *tracks, size_t n_tracks)
{
    json_t *obj = message("tracks");
    if (obj) json_object_set_new(obj, "tracks", track_list(tracks, n_tracks));
    return dump(obj);
}

char *proto_encode_candidate(proto_transport t, const char *candidate, const char *mid)
{
    json_t *obj = message("candidate");
    if (!obj) return NULL;
    json_object_set_new(obj, "transport", json_string(proto_transport_name(t)));
    json_t *c = json_null();
    if (candidate && *candidate) {
        c = json_object();
        if (c) {
            json_object_set_new(c, "candidate", jstr(candidate));
            json_object_set_new(c, "sdpMid", jstr(mid));
            json_object_set_new(c, "sdpMLineIndex", json_integer(0));
        }
    }
    json_object_set_new(obj, "candidate", c);
    return dump(obj);
}

char *proto_encode_peer_joined(const char *peer_id, const char *name)
{
    json_t *obj = message("peer_joined");
    if (obj) json_object_set_new(obj, "peer", peer_object(peer_id, name));
    return dump(obj);
}

char *proto_encode_peer_left(const char *peer_id, const char *reason)
{
    json_t *obj = message("peer_left");
    if (obj) {
        json_object_set_new(obj, "peer_id", jstr(peer_id));
        json_object_set_new(obj, "reason", jstr(reason));
    }
    return dump(obj);
}

char *proto_encode_transport_state(proto_transport t, const char *state)
{
    json_t *obj = message("transport_state");
    if (obj) {
        json_object_set_new(obj, "transport", json_string(proto_transport_name(t)));
        json_object_set_new(obj, "state", jstr(state));
    }
    return dump(obj);
}

char *proto_encode_chat(const proto_chat *msg)
{
    json_t *obj = message("chat");
    if (obj) json_object_set_new(obj, "message", chat_object(msg));
    return dump(obj);
}

char *proto_encode_room_tracks(const proto_room_track *tracks, size_t n_tracks)
{
    json_t *obj = message("room_tracks");
    if (obj) json_object_set_new(obj, "tracks", room_track_list(tracks, n_tracks));
    return dump(obj);
}

char *proto_encode_track_muted(const char *track_id, const char *peer_id, bool muted)
{
    json_t *obj = message("track_muted");
    if (obj) {
        json_object_set_new(obj, "track_id", jstr(track_id));
        json_object_set_new(obj, "peer_id", jstr(peer_id));
        json_object_set_new(obj, "muted", json_boolean(muted));
    }
    return dump(obj);
}

/* ---- HTTP API ---- */

char *proto_encode_room_list(const proto_room_summary *rooms, size_t n_rooms)
{
    json_t *obj = json_object();
    json_t *list = json_array();
    if (!obj || !list) {
        json_decref(obj);
        json_decref(list);
        return NULL;
    }
    for (size_t i = 0; i < n_rooms; i++) {
        json_t *r = json_object();
        if (!r) break;
        json_object_set_new(r, "name", jstr(rooms[i].name));
        json_object_set_new(r, "peers", json_integer((json_int_t)rooms[i].peers));
        json_array_append_new(list, r);
    }
    json_object_set_new(obj, "rooms", list);
    return dump(obj);
}

char *proto_encode_room_detail(const char *name, const proto_peer *peers, size_t n_peers,
                               const proto_room_track *tracks, size_t n_tracks)
{
    json_t *obj = json_object();
    if (obj) {
        json_object_set_new(obj, "name", jstr(name));
        json_object_set_new(obj, "peers", peer_list(peers, n_peers));
        json_object_set_new(obj, "tracks", room_track_list(tracks, n_tracks));
    }
    return dump(obj);
}

char *proto_encode_http_error(const char *code, const char *message_text)
{
    json_t *obj = json_object();
    if (obj) {
        json_object_set_new(obj, "code", jstr(code));
        json_object_set_new(obj, "message", jstr(message_text));
    }
    return dump(obj);
}

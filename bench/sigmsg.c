/*
 * Bench side of the signaling protocol. See sigmsg.h.
 */
#include "sigmsg.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void copy_str(char *dst, size_t cap, json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(dst, cap, "%s", s ? s : "");
}

static sigmsg_type type_of(const char *t)
{
    static const struct {
        const char *name;
        sigmsg_type type;
    } types[] = {
        {"reply", SIGMSG_REPLY},
        {"error", SIGMSG_ERROR},
        {"peer_joined", SIGMSG_PEER_JOINED},
        {"peer_left", SIGMSG_PEER_LEFT},
        {"chat", SIGMSG_CHAT},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i].name) == 0) return types[i].type;
    return SIGMSG_OTHER;
}

static void decode_object(json_t *o, sigmsg *out)
{
    json_t *type = json_object_get(o, "type");
    if (!json_is_string(type)) return;
    out->type = type_of(json_string_value(type));
    json_t *id = json_object_get(o, "id");
    out->id = json_is_integer(id) ? (int64_t)json_integer_value(id) : 0;
    if (out->type == SIGMSG_ERROR) {
        copy_str(out->code, sizeof out->code, json_object_get(o, "code"));
        copy_str(out->text, sizeof out->text, json_object_get(o, "message"));
    } else if (out->type == SIGMSG_REPLY) {
        json_t *peers = json_object_get(json_object_get(o, "data"), "peers");
        if (json_is_array(peers)) out->n_peers = (int)json_array_size(peers);
    } else if (out->type == SIGMSG_CHAT) {
        json_t *msg = json_object_get(o, "message");
        json_t *mid = json_object_get(msg, "id");
        out->msg_id = json_is_integer(mid) ? (int64_t)json_integer_value(mid) : -1;
        copy_str(out->text, sizeof out->text, json_object_get(msg, "text"));
    }
}

void sigmsg_decode(const char *text, size_t len, sigmsg *out)
{
    memset(out, 0, sizeof *out);
    out->type = SIGMSG_INVALID;
    out->n_peers = -1;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(o)) decode_object(o, out);
    json_decref(o);
}

static size_t dump(json_t *o, char *out, size_t cap)
{
    size_t n = o ? json_dumpb(o, out, cap, JSON_COMPACT) : 0;
    json_decref(o);
    if (n == 0 || n >= cap) return 0;
    out[n] = 0;
    return n;
}

size_t sigmsg_write_join(char *out, size_t cap, int64_t id, const char *room, const char *name)
{
    return dump(json_pack("{s:s, s:I, s:s, s:s}", "type", "join", "id", (json_int_t)id, "room",
                          room, "name", name),
                out, cap);
}

size_t sigmsg_write_chat(char *out, size_t cap, int64_t id, const char *text)
{
    return dump(json_pack("{s:s, s:I, s:s}", "type", "chat", "id", (json_int_t)id, "text", text),
                out, cap);
}

/*
 * The client side of docs/protocol.md, as far as the bench speaks it:
 * requests it sends and the server messages it reads.
 *
 * Pure: text in, structs or text out. Media modes (issue 4) add publish,
 * answer, candidate and the media events here.
 */
#ifndef CONFAB_BENCH_SIGMSG_H
#define CONFAB_BENCH_SIGMSG_H

#include <stddef.h>
#include <stdint.h>

typedef enum sigmsg_type {
    SIGMSG_OTHER, /* a message the bench does not use */
    SIGMSG_REPLY,
    SIGMSG_ERROR,
    SIGMSG_PEER_JOINED,
    SIGMSG_PEER_LEFT,
    SIGMSG_CHAT,
    SIGMSG_INVALID, /* not JSON, or not an object with a string "type" */
} sigmsg_type;

/* One decoded server message. Strings are copies truncated to fit. */
typedef struct sigmsg {
    sigmsg_type type;
    int64_t id;     /* REPLY, ERROR: the request id (0 when null) */
    char code[40];  /* ERROR */
    int n_peers;    /* REPLY to join: length of data.peers, else -1 */
    int64_t msg_id; /* CHAT: message.id, the message's number in its room */
    char text[256]; /* CHAT: the message text; ERROR: the human message */
} sigmsg;

void sigmsg_decode(const char *text, size_t len, sigmsg *out);

/* Request writers: return the length written into out (NUL-terminated),
 * or 0 when it does not fit. */
size_t sigmsg_write_join(char *out, size_t cap, int64_t id, const char *room, const char *name);
size_t sigmsg_write_chat(char *out, size_t cap, int64_t id, const char *text);

#endif

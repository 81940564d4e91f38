/*
 * Internals of the signaling scenario shared by its two files: the run's
 * state (sigbench.c drives the phases) and one simulated peer
 * (sigbench_peer.c speaks the protocol and counts what arrives).
 */
#ifndef CONFAB_BENCH_SIGBENCH_PEER_H
#define CONFAB_BENCH_SIGBENCH_PEER_H

#include "loop.h"
#include "report.h"
#include "sigbench.h"
#include "stats.h"
#include "target.h"
#include "wsclient.h"

#include <stdbool.h>
#include <stdint.h>

/* Whether the server sends a chat message back to its sender as well as to
 * the rest of the room (docs/protocol.md, chat). */
#define SIGBENCH_CHAT_ECHO 1

typedef enum sigbench_phase {
    PH_JOIN,
    PH_SETTLE,
    PH_CHAT,
    PH_DRAIN,
    PH_CLOSE,
    PH_DONE,
} sigbench_phase;

typedef enum peer_state {
    PEER_WAITING, /* not opened yet */
    PEER_CONNECTING,
    PEER_JOINING, /* join sent */
    PEER_JOINED,
    PEER_FAILED, /* connection or join failed */
    PEER_CLOSED, /* closed after joining */
} peer_state;

typedef struct sigbench sigbench;

/* CPU used by the server and by the bench up to a moment, so a phase can
 * tell which of the two was busy. */
typedef struct cpu_mark {
    int64_t wall_us;
    long long server_us; /* -1 when unknown */
    long long self_us;
} cpu_mark;

typedef struct peer {
    sigbench *b;
    int index;
    int room; /* index % rooms */
    int slot; /* index / rooms: its place among its room's members */
    wsclient *ws;
    peer_state state;
    bool closed;     /* on_close came */
    bool was_joined; /* its join succeeded (it counts as a room member) */
    int64_t t_open_start, t_join_sent;
    int known_peers; /* others in the room as this peer has been told */
    /* chat */
    int64_t next_chat_us;
    uint32_t chat_seq; /* messages sent */
    uint32_t chat_accepted;
    uint32_t *recv_count;     /* per sender slot */
    uint32_t *last_seq;       /* per sender slot, last sequence seen + 1 */
    uint32_t recv_unexpected; /* chat events that fit no sender of the room */
    int64_t last_msg_id; /* message.id of the last chat event: the room numbers them 1, 2, ... */
} peer;

struct sigbench {
    const sigbench_options *o;
    const bench_target *t;
    report *r;
    bench_loop *loop;
    size_t max_message;
    int slots; /* most members a room can have */
    bool chat_echo;
    char tag[24]; /* room names are unique to this run */
    peer *peers;
    int *room_joined; /* members joined, per room */
    sigbench_phase phase;
    int64_t phase_start;
    bool closing_started;
    /* counters */
    int opened, resolved, joined, closed, closed_early, joined_at_rss;
    uint64_t chat_sent, chat_accepted, chat_refused, chat_failed;
    uint64_t delivered, out_of_order, id_gaps;
    samples open_lat, join_lat, chat_lat; /* µs */
    int64_t t_start, t_join_done, t_chat_start, t_chat_end, t_last_delivery;
    long rss_before, rss_after; /* KiB, -1 when unread */
    cpu_mark join_start, join_end, chat_start, chat_end;
    char first_failure[160], first_close[160], first_chat_error[160];
};

void peer_init(sigbench *b, peer *p, int index);
void peer_free(peer *p);
void peer_open(sigbench *b, peer *p, int64_t now);
void peer_schedule_chat(sigbench *b, peer *p);
void peer_send_chat(sigbench *b, peer *p, int64_t now);
void peer_close(peer *p);
/* Adds what p should have received and did not (*lost), and what it
 * received beyond that (*extra). */
void peer_count_losses(const sigbench *b, const peer *p, uint64_t *lost, uint64_t *extra);

#endif

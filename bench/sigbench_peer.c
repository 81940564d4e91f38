/*
 * One simulated peer of the signaling scenario. See sigbench_peer.h.
 *
 * A chat text is "SENDER SEQ SENT_US" padded to the chat size, so every
 * receiver can tell who sent it, whether one went missing or came twice or
 * out of order, and how long it took (bench and receivers share a clock).
 */
#include "sigbench_peer.h"

#include "sigmsg.h"
#include "websocket.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define JOIN_ID       1
#define FIRST_CHAT_ID 2
#define TEXT_MAX      4096

/* The error code of a chat refused by the per-peer rate limit. */
#define RATE_LIMIT_CODE "rate_limited"

/* Keeps the first of many similar failures, as "a: b", cut to fit. */
static void note_first(char *dst, size_t cap, const char *a, const char *b)
{
    if (dst[0]) return;
    g_strlcpy(dst, a, cap);
    if (b && *b) {
        g_strlcat(dst, ": ", cap);
        g_strlcat(dst, b, cap);
    }
}

void peer_init(sigbench *b, peer *p, int index)
{
    p->b = b;
    p->index = index;
    p->room = index % b->o->rooms;
    p->slot = index / b->o->rooms;
    p->recv_count = g_new0(uint32_t, b->slots);
    p->last_seq = g_new0(uint32_t, b->slots);
}

void peer_free(peer *p)
{
    wsclient_free(p->ws);
    p->ws = NULL;
    g_free(p->recv_count);
    g_free(p->last_seq);
}

/* ---- joining ---- */

static void join_failed(peer *p, const char *what, const char *detail)
{
    sigbench *b = p->b;
    note_first(b->first_failure, sizeof b->first_failure, what, detail);
    p->state = PEER_FAILED;
    b->resolved++;
}

static void on_open(void *user)
{
    peer *p = user;
    sigbench *b = p->b;
    char room[64], name[32], msg[256];
    int64_t now = bench_now_us();
    samples_add(&b->open_lat, (double)(now - p->t_open_start));
    snprintf(room, sizeof room, "%s-r%d", b->tag, p->room);
    snprintf(name, sizeof name, "peer-%d", p->index);
    size_t len = sigmsg_write_join(msg, sizeof msg, JOIN_ID, room, name);
    p->t_join_sent = now;
    p->state = PEER_JOINING;
    if (wsclient_send_text(p->ws, msg, len) < 0) join_failed(p, "join", "could not send");
}

static void on_join_answer(peer *p, const sigmsg *m)
{
    sigbench *b = p->b;
    if (m->type == SIGMSG_ERROR) {
        join_failed(p, m->code, m->text);
        return;
    }
    samples_add(&b->join_lat, (double)(bench_now_us() - p->t_join_sent));
    p->state = PEER_JOINED;
    p->was_joined = true;
    p->known_peers += m->n_peers > 0 ? m->n_peers : 0;
    b->room_joined[p->room]++;
    b->joined++;
    b->resolved++;
}

/* ---- chat ---- */

void peer_schedule_chat(sigbench *b, peer *p)
{
    double interval = 1e6 / b->o->chat_rate;
    /* Spread the first sends evenly over one interval: no synchronized
     * bursts that would measure the bench rather than the server. */
    p->next_chat_us = b->phase_start + (int64_t)(interval * p->index / b->o->peers);
}

void peer_send_chat(sigbench *b, peer *p, int64_t now)
{
    char text[TEXT_MAX], msg[TEXT_MAX + 128];
    int n = snprintf(text, sizeof text, "%d %" PRIu32 " %" PRId64 " ", p->index, p->chat_seq, now);
    size_t want = (size_t)b->o->chat_size < sizeof text ? (size_t)b->o->chat_size : sizeof text - 1;
    if ((size_t)n < want) {
        memset(text + n, 'x', want - (size_t)n);
        text[want] = 0;
    }
    size_t len = sigmsg_write_chat(msg, sizeof msg, FIRST_CHAT_ID + p->chat_seq, text);
    p->chat_seq++;
    b->chat_sent++;
    p->next_chat_us += (int64_t)(1e6 / b->o->chat_rate);
    if (len == 0 || wsclient_send_text(p->ws, msg, len) < 0) {
        b->chat_failed++;
        note_first(b->first_chat_error, sizeof b->first_chat_error, "could not send", NULL);
    }
}

static void on_chat_answer(peer *p, const sigmsg *m)
{
    sigbench *b = p->b;
    if (m->type == SIGMSG_REPLY) {
        p->chat_accepted++;
        b->chat_accepted++;
    } else if (strcmp(m->code, RATE_LIMIT_CODE) == 0) {
        b->chat_refused++;
    } else {
        b->chat_failed++;
        note_first(b->first_chat_error, sizeof b->first_chat_error, m->code, m->text);
    }
}

static void on_chat_event(peer *p, const sigmsg *m)
{
    sigbench *b = p->b;
    int sender;
    uint32_t seq;
    int64_t sent;
    int64_t now = bench_now_us();
    if (sscanf(m->text, "%d %" SCNu32 " %" SCNd64, &sender, &seq, &sent) != 3 || sender < 0 ||
        sender >= b->o->peers || sender % b->o->rooms != p->room || b->phase < PH_CHAT) {
        p->recv_unexpected++;
        return;
    }
    /* Everyone joined before the first message, so each receiver sees its
     * room's numbering from 1 without a hole. */
    if (m->msg_id != p->last_msg_id + 1) b->id_gaps++;
    if (m->msg_id > p->last_msg_id) p->last_msg_id = m->msg_id;
    int slot = sender / b->o->rooms;
    p->recv_count[slot]++;
    if (seq + 1 <= p->last_seq[slot])
        b->out_of_order++;
    else
        p->last_seq[slot] = seq + 1;
    samples_add(&b->chat_lat, (double)(now - sent));
    b->delivered++;
    b->t_last_delivery = now;
}

void peer_count_losses(const sigbench *b, const peer *p, uint64_t *lost, uint64_t *extra)
{
    *extra += p->recv_unexpected;
    if (!p->was_joined) return;
    for (int s = 0; s < b->slots; s++) {
        int sender = p->room + s * b->o->rooms;
        if (sender >= b->o->peers || (!b->chat_echo && sender == p->index)) continue;
        const peer *from = &b->peers[sender];
        uint32_t want = from->was_joined ? from->chat_accepted : 0, got = p->recv_count[s];
        if (want > got)
            *lost += want - got;
        else
            *extra += got - want;
    }
}

/* ---- messages and connection ---- */

static void on_text(void *user, const char *text, size_t len)
{
    peer *p = user;
    sigmsg m;
    sigmsg_decode(text, len, &m);
    switch (m.type) {
    case SIGMSG_REPLY:
    case SIGMSG_ERROR:
        if (m.id == JOIN_ID && p->state == PEER_JOINING)
            on_join_answer(p, &m);
        else if (m.id >= FIRST_CHAT_ID)
            on_chat_answer(p, &m);
        break;
    case SIGMSG_PEER_JOINED:
        p->known_peers++;
        break;
    case SIGMSG_PEER_LEFT:
        p->known_peers--;
        break;
    case SIGMSG_CHAT:
        on_chat_event(p, &m);
        break;
    default:
        break;
    }
}

static void on_close(void *user, uint16_t code, const char *reason)
{
    peer *p = user;
    sigbench *b = p->b;
    char detail[160];
    snprintf(detail, sizeof detail, "peer %d: %u %s", p->index, code, reason);
    p->closed = true;
    b->closed++;
    if (p->state == PEER_CONNECTING || p->state == PEER_JOINING) {
        join_failed(p, "connection closed", detail);
    } else if (p->state == PEER_JOINED) {
        p->state = PEER_CLOSED;
        if (b->phase >= PH_CLOSE) return;
        b->closed_early++;
        note_first(b->first_close, sizeof b->first_close, detail, NULL);
    }
}

static const wsclient_callbacks peer_callbacks = {on_open, on_text, on_close};

void peer_open(sigbench *b, peer *p, int64_t now)
{
    wsclient_options o = {
        .addr = (const struct sockaddr *)&b->t->addr,
        .addrlen = b->t->addrlen,
        .host = b->t->host_header,
        .path = b->t->path,
        .max_message = b->max_message,
    };
    p->t_open_start = now;
    p->state = PEER_CONNECTING;
    p->ws = wsclient_connect(b->loop, &o, &peer_callbacks, p);
    if (!p->ws) {
        p->closed = true;
        b->closed++;
        join_failed(p, "connect", g_strerror(errno));
    }
}

void peer_close(peer *p)
{
    if (p->ws && !p->closed) wsclient_close(p->ws, WS_CLOSE_NORMAL, "bench done");
}

/*
 * What a STUN server answers to one incoming message (RFC 8489 Binding,
 * RFC 3489 classic clients, RFC 5780 behaviour discovery).
 *
 * Pure: bytes and addresses in, response bytes out; no I/O, no allocation.
 * Any thread may call it. The server core (stun_server.c) does the sockets;
 * this decides.
 */
#ifndef CONFAB_STUN_ANSWER_H
#define CONFAB_STUN_ANSWER_H

#include "stun_msg.h"

/* A response is never larger than its request by more than this (optional
 * attributes are left out when they would not fit). */
#define STUN_ANSWER_MAX_GROWTH 128
/* Amplification: the mandatory attributes make an answer at most 72 bytes
 * larger than its request (RFC 5780 over IPv6: RESPONSE-ORIGIN and
 * OTHER-ADDRESS, 24 bytes each, next to XOR-MAPPED-ADDRESS), i.e. a 20-byte
 * request gets at most 92 (4.6x; 32 bytes, 1.6x, for plain IPv4). SOFTWARE
 * is added only when the request carried SOFTWARE, or when the answer
 * with it stays within the request's size plus this; FINGERPRINT only when
 * the request had one (it is 8 bytes of the request's own); an error's
 * reason phrase under the same rule as SOFTWARE. */
#define STUN_ANSWER_SLACK 0
/* Big enough for any answer to a request of up to this size. */
#define STUN_ANSWER_MAX_REQUEST 2048
#define STUN_ANSWER_BUF         (STUN_ANSWER_MAX_REQUEST + STUN_ANSWER_MAX_GROWTH)

typedef struct stun_answer_ctx {
    /* The server's own addresses as seen from this request:
     * self[ip_changed][port_changed]. self[0][0] is where the request came
     * in. family 0 = not available. With self[1][1] set, the server does
     * RFC 5780 (OTHER-ADDRESS, RESPONSE-ORIGIN, CHANGE-REQUEST). */
    stun_addr self[2][2];
    bool tcp;             /* no CHANGE-REQUEST over a stream */
    const char *software; /* NULL or "" = no SOFTWARE attribute */
} stun_answer_ctx;

typedef enum stun_verdict {
    STUN_DROP = 0, /* not STUN, not a request, or the RFC says stay silent */
    STUN_SUCCESS_RESPONSE,
    STUN_ERROR_RESPONSE,
} stun_verdict;

typedef struct stun_answer {
    stun_verdict verdict;
    stun_reason reason;     /* why the decode failed, STUN_OK otherwise */
    uint16_t error_code;    /* 400 or 420 with STUN_ERROR_RESPONSE */
    unsigned change;        /* STUN_CHANGE_IP | STUN_CHANGE_PORT: send from self[ip][port] */
    bool classic;           /* the request was RFC 3489 */
    uint16_t response_port; /* RFC 5780 RESPONSE-PORT: send there (UDP); 0 = to the source */
    size_t len;             /* response bytes in out */
} stun_answer;

/* Answers req (len bytes, one whole message) from source. out must hold
 * STUN_ANSWER_BUF bytes. Requests longer than STUN_ANSWER_MAX_REQUEST are
 * dropped. */
void stun_answer_build(const uint8_t *req, size_t len, const stun_addr *source,
                       const stun_answer_ctx *ctx, uint8_t *out, stun_answer *ans);

#endif

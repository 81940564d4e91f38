/*
 * SRTP/SRTCP contexts for one transport (libsrtp2): one inbound context for
 * everything the remote sends, one outbound context for everything we send,
 * both keyed from DTLS-SRTP.
 *
 * A srtp_session belongs to one transport and is used only by that
 * transport's worker thread. srtp_session_global_init() must run once in the
 * main thread before any worker starts.
 */
#ifndef CONFAB_SRTP_SESSION_H
#define CONFAB_SRTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls.h"

/* Extra bytes protect may add (auth tag / GCM tag, plus SRTCP index). */
#define SRTP_MAX_TRAILER 32

typedef struct srtp_session {
    void *in;  /* srtp_t, opaque here so users need not include srtp2 */
    void *out; /* srtp_t */
    bool ready;
} srtp_session;

int srtp_session_global_init(void);

/* "libsrtp2 2.5.0 on openssl" or "... on system": which SRTP build this
 * binary links, for logs and bench reports (CMakeLists.txt, scripts/srtp.sh).
 * Any thread; the string is static. */
const char *srtp_session_backend(void);

/* Creates both contexts from exported keys (ssrc_any_inbound / outbound,
 * replay protection on). Returns 0 or -1. */
int srtp_session_init(srtp_session *s, const dtls_srtp_keys *keys);
void srtp_session_clear(srtp_session *s);

/* Each works in place: *len is updated. Unprotect returns 0, or -1 for a
 * packet that fails authentication, is a replay, or is malformed (drop it).
 * Protect needs cap >= *len + SRTP_MAX_TRAILER and returns 0 or -1. */
int srtp_session_unprotect_rtp(srtp_session *s, uint8_t *buf, size_t *len);
int srtp_session_unprotect_rtcp(srtp_session *s, uint8_t *buf, size_t *len);
int srtp_session_protect_rtp(srtp_session *s, uint8_t *buf, size_t *len, size_t cap);
int srtp_session_protect_rtcp(srtp_session *s, uint8_t *buf, size_t *len, size_t cap);

#endif

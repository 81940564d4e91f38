/*
 * DTLS-SRTP (RFC 5763/5764) on OpenSSL, driven through memory BIOs so that
 * the transport decides how datagrams travel (over the ICE agent).
 *
 * Ownership and threads:
 * - dtls_cert is made once at start by the main thread and is read-only
 *   afterwards; every worker may use it at the same time.
 * - A dtls_session belongs to one transport and is only touched by that
 *   transport's worker thread.
 */
#ifndef CONFAB_DTLS_H
#define CONFAB_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dtls_cert dtls_cert;

/* Makes a self-signed ECDSA P-256 certificate (valid 30 days, random
 * serial, CN "confab"). Returns NULL on failure. */
dtls_cert *dtls_cert_create(void);
void dtls_cert_free(dtls_cert *c);

/* SHA-256 fingerprint, upper-case hex bytes joined by ':' (95 chars). */
const char *dtls_cert_fingerprint(const dtls_cert *c);

/* Normalises a fingerprint as written in SDP (any case, with colons) into
 * 32 raw bytes. Returns 0, or -1 when it is not a 32-byte hex fingerprint. */
int dtls_fingerprint_parse(const char *text, uint8_t out[32]);

typedef enum dtls_role {
    DTLS_ROLE_CLIENT, /* a=setup:active side */
    DTLS_ROLE_SERVER, /* a=setup:passive side */
} dtls_role;

typedef enum dtls_state {
    DTLS_STATE_NEW,
    DTLS_STATE_HANDSHAKING,
    DTLS_STATE_CONNECTED,
    DTLS_STATE_FAILED, /* handshake error or fingerprint mismatch */
    DTLS_STATE_CLOSED, /* close_notify received */
} dtls_state;

/* SRTP protection profiles (RFC 5764 / RFC 7714), as negotiated. */
typedef enum dtls_srtp_profile {
    DTLS_SRTP_NONE = 0,
    DTLS_SRTP_AES128_CM_SHA1_80 = 1,
    DTLS_SRTP_AEAD_AES_128_GCM = 7,
} dtls_srtp_profile;

/* Keying material exported with "EXTRACTOR-dtls_srtp", already split into
 * this side's and the other side's key+salt. */
typedef struct dtls_srtp_keys {
    dtls_srtp_profile profile;
    size_t key_len;  /* 16 for both profiles */
    size_t salt_len; /* 14 for AES128_CM_SHA1_80, 12 for AEAD_AES_128_GCM */
    uint8_t local_key[32];
    uint8_t local_salt[16];
    uint8_t remote_key[32];
    uint8_t remote_salt[16];
} dtls_srtp_keys;

/* Called from dtls_session_* functions with each datagram to send. */
typedef void (*dtls_send_fn)(void *user, const uint8_t *data, size_t len);

typedef struct dtls_session dtls_session;

/* remote_fingerprint is the peer's sha-256 fingerprint from SDP; the peer's
 * certificate must match it or the session fails. Returns NULL on failure. */
dtls_session *dtls_session_create(const dtls_cert *cert, dtls_role role,
                                  const char *remote_fingerprint, dtls_send_fn send, void *user);
void dtls_session_free(dtls_session *s);

/* Narrows the SRTP profiles this session offers (client) or accepts
 * (server), as OpenSSL names joined by ':' (e.g. "SRTP_AES128_CM_SHA1_80").
 * For tests and interop checks; call before the handshake. Returns 0 or -1. */
int dtls_session_set_srtp_profiles(dtls_session *s, const char *profiles);

/* Client role: sends the ClientHello. Server role: no-op. */
int dtls_session_start(dtls_session *s);

/* Feeds one received DTLS datagram. Returns the new state. Application data
 * (there is none in WebRTC without data channels) is discarded. */
dtls_state dtls_session_handle(dtls_session *s, const uint8_t *data, size_t len);

dtls_state dtls_session_state(const dtls_session *s);

/* Milliseconds until dtls_session_on_timeout must be called for handshake
 * retransmission, or -1 when no timer is pending. */
int dtls_session_timeout_ms(dtls_session *s);
dtls_state dtls_session_on_timeout(dtls_session *s);

/* Valid once CONNECTED. Returns 0 or -1. */
int dtls_session_srtp_keys(dtls_session *s, dtls_srtp_keys *out);

/* Sends close_notify. */
void dtls_session_close(dtls_session *s);

/* Human-readable reason for FAILED (static or owned by the session). */
const char *dtls_session_error(const dtls_session *s);

/* RFC 7983: a first byte in 20..63 is DTLS. */
bool dtls_is_record(const uint8_t *buf, size_t len);

#endif

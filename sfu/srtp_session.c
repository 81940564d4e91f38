/*
 * SRTP/SRTCP through libsrtp2. Debian builds libsrtp2 on NSS, which
 * libsrtp opens with a reference-counted NSS context per cipher.
 */
#include "srtp_session.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <srtp2/srtp.h>

/* Nothing bigger fits in a UDP datagram; also keeps lengths inside int. */
#define SRTP_PACKET_MAX    65535
#define SRTP_RTP_HEADER    12
#define SRTP_RTCP_HEADER   8
#define SRTP_REPLAY_WINDOW 1024

static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static int srtp_init_result = -1;
/* Held open for the life of the process: while any cipher exists, NSS stays
 * initialised, so workers never race to initialise it and no session pays
 * for a full NSS start-up and shutdown. */
static srtp_t srtp_keeper;

static void set_policy(srtp_policy_t *p, dtls_srtp_profile profile)
{
    if (profile == DTLS_SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
    }
}

static int create_ctx(srtp_t *out, dtls_srtp_profile profile, srtp_ssrc_type_t type,
                      const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len)
{
    /* libsrtp takes the master key and salt as one buffer. */
    uint8_t master[SRTP_AES_ICM_128_KEY_LEN_WSALT];
    srtp_policy_t p;
    memset(&p, 0, sizeof p);
    set_policy(&p, profile);
    memcpy(master, key, key_len);
    memcpy(master + key_len, salt, salt_len);
    p.ssrc.type = type;
    p.key = master;
    p.window_size = SRTP_REPLAY_WINDOW;
    /* Our sender never repeats a sequence number, so a repeat is a bug or
     * an attack; keep libsrtp strict. */
    p.allow_repeat_tx = 0;
    srtp_err_status_t st = srtp_create(out, &p);
    explicit_bzero(master, sizeof master);
    if (st != srtp_err_status_ok) {
        *out = NULL;
        return -1;
    }
    return 0;
}

static void global_init_once(void)
{
    static const uint8_t zero[SRTP_AES_ICM_128_KEY_LEN_WSALT];
    if (srtp_init() != srtp_err_status_ok) return;
    if (create_ctx(&srtp_keeper, DTLS_SRTP_AEAD_AES_128_GCM, ssrc_any_outbound, zero, 16, zero + 16,
                   12) != 0)
        return;
    srtp_init_result = 0;
}

int srtp_session_global_init(void)
{
    pthread_once(&srtp_once, global_init_once);
    return srtp_init_result;
}

static char backend_text[96];

static void backend_fill(void)
{
#ifndef CONFAB_SRTP_BACKEND
#define CONFAB_SRTP_BACKEND "system"
#endif
    snprintf(backend_text, sizeof backend_text, "%s on %s", srtp_get_version_string(),
             CONFAB_SRTP_BACKEND);
}

const char *srtp_session_backend(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, backend_fill);
    return backend_text;
}

static bool keys_valid(const dtls_srtp_keys *k)
{
    if (k->key_len != 16) return false;
    if (k->profile == DTLS_SRTP_AES128_CM_SHA1_80) return k->salt_len == 14;
    if (k->profile == DTLS_SRTP_AEAD_AES_128_GCM) return k->salt_len == 12;
    return false;
}

int srtp_session_init(srtp_session *s, const dtls_srtp_keys *keys)
{
    if (!s || !keys || !keys_valid(keys)) return -1;
    if (srtp_session_global_init() != 0) return -1;
    /* Re-keying (a new DTLS handshake) replaces the old contexts. */
    if (s->ready) srtp_session_clear(s);
    srtp_t in = NULL, out = NULL;
    if (create_ctx(&in, keys->profile, ssrc_any_inbound, keys->remote_key, keys->key_len,
                   keys->remote_salt, keys->salt_len) != 0 ||
        create_ctx(&out, keys->profile, ssrc_any_outbound, keys->local_key, keys->key_len,
                   keys->local_salt, keys->salt_len) != 0) {
        if (in) srtp_dealloc(in);
        return -1;
    }
    s->in = in;
    s->out = out;
    s->ready = true;
    return 0;
}

void srtp_session_clear(srtp_session *s)
{
    if (!s) return;
    if (s->in) srtp_dealloc((srtp_t)s->in);
    if (s->out) srtp_dealloc((srtp_t)s->out);
    s->in = NULL;
    s->out = NULL;
    s->ready = false;
}

/* libsrtp 2.x trusts the header it is given; check that the fixed header,
 * CSRCs and extension lie inside the packet before handing it over. */
static bool rtp_header_ok(const uint8_t *buf, size_t len)
{
    if (len < SRTP_RTP_HEADER || len > SRTP_PACKET_MAX || buf[0] >> 6 != 2) return false;
    size_t hdr = SRTP_RTP_HEADER + 4 * (size_t)(buf[0] & 0x0f);
    if (buf[0] & 0x10) {
        if (hdr + 4 > len) return false;
        hdr += 4 + 4 * ((size_t)buf[hdr + 2] << 8 | buf[hdr + 3]);
    }
    return hdr <= len;
}

static bool rtcp_header_ok(const uint8_t *buf, size_t len)
{
    return len >= SRTP_RTCP_HEADER && len <= SRTP_PACKET_MAX && buf[0] >> 6 == 2;
}

static bool usable(const srtp_session *s, const uint8_t *buf, const size_t *len)
{
    return s && s->ready && buf && len;
}

int srtp_session_unprotect_rtp(srtp_session *s, uint8_t *buf, size_t *len)
{
    if (!usable(s, buf, len) || !rtp_header_ok(buf, *len)) return -1;
    int n = (int)*len;
    if (srtp_unprotect((srtp_t)s->in, buf, &n) != srtp_err_status_ok || n < 0) return -1;
    *len = (size_t)n;
    return 0;
}

int srtp_session_unprotect_rtcp(srtp_session *s, uint8_t *buf, size_t *len)
{
    if (!usable(s, buf, len) || !rtcp_header_ok(buf, *len)) return -1;
    int n = (int)*len;
    if (srtp_unprotect_rtcp((srtp_t)s->in, buf, &n) != srtp_err_status_ok || n < 0) return -1;
    *len = (size_t)n;
    return 0;
}

int srtp_session_protect_rtp(srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
    if (!usable(s, buf, len) || !rtp_header_ok(buf, *len) || cap < *len + SRTP_MAX_TRAILER)
        return -1;
    int n = (int)*len;
    if (srtp_protect((srtp_t)s->out, buf, &n) != srtp_err_status_ok || n < 0) return -1;
    *len = (size_t)n;
    return 0;
}

int srtp_session_protect_rtcp(srtp_session *s, uint8_t *buf, size_t *len, size_t cap)
{
    if (!usable(s, buf, len) || !rtcp_header_ok(buf, *len) || cap < *len + SRTP_MAX_TRAILER)
        return -1;
    int n = (int)*len;
    if (srtp_protect_rtcp((srtp_t)s->out, buf, &n) != srtp_err_status_ok || n < 0) return -1;
    *len = (size_t)n;
    return 0;
}

/*
 * DTLS-SRTP over OpenSSL with memory BIOs. OpenSSL 3.0 (Debian 12) has no
 * datagram-pair BIO, so outgoing records are collected in a memory BIO and
 * cut back into datagrams here, using the record length in each header.
 */
#include "dtls.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Leaves room for IPv6 + UDP + TURN channel headers under a 1280 path MTU. */
#define DTLS_MTU           1200
#define DTLS_RECORD_HEADER 13
/* No WebRTC DTLS datagram comes near this; larger input is not DTLS. */
#define DTLS_MAX_DATAGRAM 16384
#define DTLS_EXPORT_LABEL "EXTRACTOR-dtls_srtp"
#define DTLS_FP_TEXT_LEN  95
/* OpenSSL's default first retransmission (1 s) is slow for interactive
 * setup; start lower and back off to a cap. */
#define DTLS_FIRST_TIMEOUT_US 400000u
#define DTLS_MAX_TIMEOUT_US   8000000u

/* Our key is ECDSA, so only ECDSA suites can be chosen; the list is what
 * Chromium and Firefox offer for DTLS 1.2, AEAD first. */
static const char dtls_ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                   "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                   "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                   "ECDHE-ECDSA-AES128-SHA:"
                                   "ECDHE-ECDSA-AES256-SHA";
/* The server picks by its own order, so GCM wins when both sides have it. */
static const char dtls_srtp_profiles[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";
static const char dtls_fp_mismatch[] = "peer certificate does not match the SDP a=fingerprint";

struct dtls_cert {
    EVP_PKEY *key;
    X509 *x509;
    SSL_CTX *ctx;
    char fingerprint[DTLS_FP_TEXT_LEN + 1];
};

struct dtls_session {
    SSL *ssl;
    BIO *wbio; /* owned by ssl */
    dtls_role role;
    dtls_state state;
    bool fp_mismatch;
    uint8_t expected_fp[32];
    dtls_srtp_keys keys;
    dtls_send_fn send;
    void *user;
    char error[256];
};

/* ---- certificate ---- */

static bool cert_matches(X509 *x, const uint8_t expected[32])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    return X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32 &&
           CRYPTO_memcmp(md, expected, 32) == 0;
}

/* WebRTC certificates are self-signed and never chain to a CA: the SDP
 * fingerprint is the trust anchor, so chain errors are ignored and only the
 * leaf's digest decides. Failing here aborts the handshake with an alert
 * before any keys are agreed. */
static int dtls_verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
    (void)preverify_ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    dtls_session *s = ssl ? SSL_get_app_data(ssl) : NULL;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    if (!s || !leaf) return 0;
    if (!cert_matches(leaf, s->expected_fp)) {
        s->fp_mismatch = true;
        return 0;
    }
    return 1;
}

static X509 *make_x509(EVP_PKEY *key)
{
    X509 *x = X509_new();
    uint64_t serial = 0;
    if (!x || RAND_bytes((unsigned char *)&serial, sizeof serial) != 1) goto fail;
    /* A serial must be positive and non-zero (RFC 5280 4.1.2.2). */
    serial = (serial & INT64_MAX) | 1;
    X509_NAME *name = X509_get_subject_name(x);
    /* notBefore is a day back so a peer with a slow clock still accepts it. */
    if (X509_set_version(x, X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"confab", -1,
                                   -1, 0) != 1 ||
        X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, key) != 1 ||
        X509_sign(x, key, EVP_sha256()) <= 0)
        goto fail;
    return x;
fail:
    X509_free(x);
    return NULL;
}

/* Everything is configured here, once: afterwards the ctx is shared by all
 * worker threads and must not change. */
static SSL_CTX *make_ctx(X509 *x509, EVP_PKEY *key)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (!ctx) return NULL;
    /* SSL_CTX_set_tlsext_use_srtp returns 0 on success. */
    bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
              SSL_CTX_use_certificate(ctx, x509) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
              SSL_CTX_check_private_key(ctx) == 1 &&
              SSL_CTX_set_cipher_list(ctx, dtls_ciphers) == 1 &&
              SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1 &&
              SSL_CTX_set_tlsext_use_srtp(ctx, dtls_srtp_profiles) == 0;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* No resumption in WebRTC: keep the shared ctx free of session state. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, dtls_verify_cb);
    return ctx;
}

static bool format_fingerprint(X509 *x, char out[DTLS_FP_TEXT_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32) return false;
    for (unsigned int i = 0; i < 32; i++) {
        out[3 * i] = hex[md[i] >> 4];
        out[3 * i + 1] = hex[md[i] & 15];
        out[3 * i + 2] = i == 31 ? '\0' : ':';
    }
    return true;
}

dtls_cert *dtls_cert_create(void)
{
    dtls_cert *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->key = EVP_EC_gen("P-256");
    if (c->key) c->x509 = make_x509(c->key);
    if (c->x509) c->ctx = make_ctx(c->x509, c->key);
    if (!c->ctx || !format_fingerprint(c->x509, c->fingerprint)) {
        dtls_cert_free(c);
        ERR_clear_error();
        return NULL;
    }
    return c;
}

void dtls_cert_free(dtls_cert *c)
{
    if (!c) return;
    SSL_CTX_free(c->ctx);
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    free(c);
}

const char *dtls_cert_fingerprint(const dtls_cert *c)
{
    return c ? c->fingerprint : NULL;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int dtls_fingerprint_parse(const char *text, uint8_t out[32])
{
    if (!text || !out) return -1;
    while (is_blank(*text))
        text++;
    /* Tolerate the whole a=fingerprint value, hash name included. */
    if (strncasecmp(text, "sha-256", 7) == 0 && is_blank(text[7])) {
        text += 7;
        while (is_blank(*text))
            text++;
    }
    size_t len = strlen(text);
    while (len > 0 && is_blank(text[len - 1]))
        len--;
    if (len != DTLS_FP_TEXT_LEN) return -1;
    uint8_t bytes[32];
    for (size_t i = 0; i < 32; i++) {
        const char *p = text + 3 * i;
        int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
        if (hi < 0 || lo < 0 || (i < 31 && p[2] != ':')) return -1;
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(out, bytes, sizeof bytes);
    return 0;
}

/* ---- session plumbing ---- */

static void set_error(dtls_session *s, const char *what)
{
    unsigned long e = ERR_get_error();
    if (e) {
        char detail[160];
        ERR_error_string_n(e, detail, sizeof detail);
        snprintf(s->error, sizeof s->error, "%s (%s)", what, detail);
    } else {
        snprintf(s->error, sizeof s->error, "%s", what);
    }
    ERR_clear_error();
}

static dtls_state fail(dtls_session *s, const char *what)
{
    set_error(s, what);
    s->state = DTLS_STATE_FAILED;
    return s->state;
}

static size_t record_len(const uint8_t *p, size_t left)
{
    if (left < DTLS_RECORD_HEADER) return left;
    size_t n = DTLS_RECORD_HEADER + ((size_t)p[11] << 8 | p[12]);
    return n < left ? n : left;
}

/* OpenSSL sizes each record to the MTU but the memory BIO concatenates
 * them; packing whole records back into datagrams of at most DTLS_MTU keeps
 * a flight in few packets, which browsers accept (RFC 6347 4.1.1). */
static void send_records(dtls_session *s, const uint8_t *buf, size_t len)
{
    size_t start = 0, end = 0;
    while (end < len) {
        size_t rec = record_len(buf + end, len - end);
        if (end > start && end - start + rec > DTLS_MTU) {
            s->send(s->user, buf + start, end - start);
            start = end;
        }
        end += rec;
    }
    if (end > start) s->send(s->user, buf + start, end - start);
}

static void flush_output(dtls_session *s)
{
    size_t pending = BIO_ctrl_pending(s->wbio);
    if (pending == 0) return;
    uint8_t *buf = pending <= INT_MAX ? malloc(pending) : NULL;
    if (!buf) {
        /* Dropped like a lost packet; retransmission recovers. */
        (void)BIO_reset(s->wbio);
        return;
    }
    int n = BIO_read(s->wbio, buf, (int)pending);
    if (n > 0) send_records(s, buf, (size_t)n);
    free(buf);
}

static unsigned int dtls_timer_cb(SSL *ssl, unsigned int previous_us)
{
    (void)ssl;
    if (previous_us == 0) return DTLS_FIRST_TIMEOUT_US;
    return previous_us >= DTLS_MAX_TIMEOUT_US / 2 ? DTLS_MAX_TIMEOUT_US : previous_us * 2;
}

static bool setup_ssl(dtls_session *s, SSL_CTX *ctx)
{
    s->ssl = SSL_new(ctx);
    if (!s->ssl) return false;
    BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
    if (!rbio || !wbio) {
        BIO_free(rbio);
        BIO_free(wbio);
        return false;
    }
    /* An empty read BIO means "no datagram yet", not end of stream. */
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(s->ssl, rbio, wbio);
    s->wbio = wbio;
    SSL_set_app_data(s->ssl, s);
    /* With SSL_OP_NO_QUERY_MTU (set on the ctx) this value is what
     * OpenSSL fragments handshake messages to. */
    if (SSL_set_mtu(s->ssl, DTLS_MTU) <= 0) return false;
    DTLS_set_timer_cb(s->ssl, dtls_timer_cb);
    if (s->role == DTLS_ROLE_CLIENT)
        SSL_set_connect_state(s->ssl);
    else
        SSL_set_accept_state(s->ssl);
    return true;
}

dtls_session *dtls_session_create(const dtls_cert *cert, dtls_role role,
                                  const char *remote_fingerprint, dtls_send_fn send, void *user)
{
    if (!cert || !send || (role != DTLS_ROLE_CLIENT && role != DTLS_ROLE_SERVER)) return NULL;
    dtls_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->role = role;
    s->state = DTLS_STATE_NEW;
    s->send = send;
    s->user = user;
    if (dtls_fingerprint_parse(remote_fingerprint, s->expected_fp) != 0 ||
        !setup_ssl(s, cert->ctx)) {
        dtls_session_free(s);
        ERR_clear_error();
        return NULL;
    }
    return s;
}

void dtls_session_free(dtls_session *s)
{
    if (!s) return;
    SSL_free(s->ssl);
    OPENSSL_cleanse(&s->keys, sizeof s->keys);
    free(s);
}

int dtls_session_set_srtp_profiles(dtls_session *s, const char *profiles)
{
    if (!s || !profiles || s->state != DTLS_STATE_NEW) return -1;
    /* Also 0 on success, like the ctx variant. */
    int r = SSL_set_tlsext_use_srtp(s->ssl, profiles);
    ERR_clear_error();
    return r == 0 ? 0 : -1;
}

/* ---- handshake ---- */

/* RFC 5764 4.2: client key, server key, client salt, server salt. */
static int export_keys(dtls_session *s)
{
    const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(s->ssl);
    dtls_srtp_keys *k = &s->keys;
    if (!p) return -1;
    if (p->id == SRTP_AES128_CM_SHA1_80) {
        k->profile = DTLS_SRTP_AES128_CM_SHA1_80;
        k->salt_len = 14;
    } else if (p->id == SRTP_AEAD_AES_128_GCM) {
        k->profile = DTLS_SRTP_AEAD_AES_128_GCM;
        k->salt_len = 12;
    } else {
        return -1;
    }
    k->key_len = 16;
    size_t kl = k->key_len, sl = k->salt_len;
    uint8_t m[2 * (16 + 14)];
    if (SSL_export_keying_material(s->ssl, m, 2 * (kl + sl), DTLS_EXPORT_LABEL,
                                   strlen(DTLS_EXPORT_LABEL), NULL, 0, 0) != 1)
        return -1;
    const uint8_t *client_key = m, *server_key = m + kl;
    const uint8_t *client_salt = m + 2 * kl, *server_salt = m + 2 * kl + sl;
    bool client = s->role == DTLS_ROLE_CLIENT;
    memcpy(k->local_key, client ? client_key : server_key, kl);
    memcpy(k->remote_key, client ? server_key : client_key, kl);
    memcpy(k->local_salt, client ? client_salt : server_salt, sl);
    memcpy(k->remote_salt, client ? server_salt : client_salt, sl);
    OPENSSL_cleanse(m, sizeof m);
    return 0;
}

static dtls_state finish_handshake(dtls_session *s)
{
    /* The verify callback already checked, but never hand out keys
     * without seeing the matching certificate ourselves. */
    X509 *peer = SSL_get0_peer_certificate(s->ssl);
    if (!peer) return fail(s, "peer sent no certificate");
    if (!cert_matches(peer, s->expected_fp)) return fail(s, dtls_fp_mismatch);
    if (export_keys(s) != 0) return fail(s, "no DTLS-SRTP profile negotiated (use_srtp missing)");
    s->state = DTLS_STATE_CONNECTED;
    return s->state;
}

static dtls_state drive_handshake(dtls_session *s)
{
    ERR_clear_error();
    int r = SSL_do_handshake(s->ssl);
    int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
    /* Flush even on failure so the alert reaches the peer. */
    flush_output(s);
    if (r == 1) return finish_handshake(s);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return s->state;
    if (s->fp_mismatch) return fail(s, dtls_fp_mismatch);
    return fail(s, "DTLS handshake failed");
}

/* Also lets OpenSSL answer a retransmitted final flight of the peer. */
static dtls_state drain_records(dtls_session *s)
{
    uint8_t scratch[2048];
    for (;;) {
        ERR_clear_error();
        int r = SSL_read(s->ssl, scratch, sizeof scratch);
        if (r > 0) continue; /* application data has no use here */
        int err = SSL_get_error(s->ssl, r);
        flush_output(s);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return s->state;
        if (err == SSL_ERROR_ZERO_RETURN) {
            snprintf(s->error, sizeof s->error, "peer sent close_notify");
            s->state = DTLS_STATE_CLOSED;
            return s->state;
        }
        return fail(s, "DTLS connection error");
    }
}

/* ---- public session calls ---- */

int dtls_session_start(dtls_session *s)
{
    if (!s) return -1;
    if (s->role == DTLS_ROLE_SERVER || s->state != DTLS_STATE_NEW) return 0;
    s->state = DTLS_STATE_HANDSHAKING;
    return drive_handshake(s) == DTLS_STATE_FAILED ? -1 : 0;
}

dtls_state dtls_session_handle(dtls_session *s, const uint8_t *data, size_t len)
{
    if (!s) return DTLS_STATE_FAILED;
    if (!data || len == 0 || len > DTLS_MAX_DATAGRAM) return s->state;
    if (s->state == DTLS_STATE_FAILED || s->state == DTLS_STATE_CLOSED) return s->state;
    /* A client that has not sent its ClientHello expects nothing. */
    if (s->state == DTLS_STATE_NEW && s->role == DTLS_ROLE_CLIENT) return s->state;
    if (BIO_write(SSL_get_rbio(s->ssl), data, (int)len) != (int)len) return s->state;
    if (s->state == DTLS_STATE_NEW) s->state = DTLS_STATE_HANDSHAKING;
    if (s->state == DTLS_STATE_HANDSHAKING) drive_handshake(s);
    if (s->state == DTLS_STATE_CONNECTED) drain_records(s);
    return s->state;
}

dtls_state dtls_session_state(const dtls_session *s)
{
    return s ? s->state : DTLS_STATE_FAILED;
}

int dtls_session_timeout_ms(dtls_session *s)
{
    struct timeval tv;
    if (!s || s->state != DTLS_STATE_HANDSHAKING) return -1;
    if (DTLSv1_get_timeout(s->ssl, &tv) != 1) return -1;
    long long ms = (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

dtls_state dtls_session_on_timeout(dtls_session *s)
{
    if (!s) return DTLS_STATE_FAILED;
    if (s->state != DTLS_STATE_HANDSHAKING) return s->state;
    ERR_clear_error();
    int r = DTLSv1_handle_timeout(s->ssl);
    flush_output(s);
    if (r < 0) return fail(s, "DTLS handshake timed out");
    return s->state;
}

int dtls_session_srtp_keys(dtls_session *s, dtls_srtp_keys *out)
{
    if (!s || !out || s->state != DTLS_STATE_CONNECTED) return -1;
    *out = s->keys;
    return 0;
}

void dtls_session_close(dtls_session *s)
{
    if (!s || s->state == DTLS_STATE_FAILED || s->state == DTLS_STATE_CLOSED) return;
    /* close_notify only means something on an established connection. */
    if (s->state == DTLS_STATE_CONNECTED) {
        ERR_clear_error();
        (void)SSL_shutdown(s->ssl);
        flush_output(s);
        ERR_clear_error();
    }
    snprintf(s->error, sizeof s->error, "closed locally");
    s->state = DTLS_STATE_CLOSED;
}

const char *dtls_session_error(const dtls_session *s)
{
    if (!s) return "no session";
    return s->error[0] ? s->error : "no error";
}

bool dtls_is_record(const uint8_t *buf, size_t len)
{
    return buf && len > 0 && buf[0] >= 20 && buf[0] <= 63;
}

/*
 * DTLS-SRTP handshakes between two in-memory sessions (datagrams go through
 * queues the test pumps), then SRTP/SRTCP with the exported keys.
 */
#include "check.h"
#include "sfu/dtls.h"
#include "sfu/srtp_session.h"

#include <ctype.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define QUEUE_SLOTS 64
#define SLOT_SIZE   2048

typedef struct peer {
    dtls_session *s;
    uint8_t data[QUEUE_SLOTS][SLOT_SIZE];
    size_t len[QUEUE_SLOTS];
    size_t head, count;
    bool drop;       /* lose everything this peer sends */
    size_t sent;     /* datagrams handed to the send callback */
    size_t oversize; /* datagrams over 1200 bytes */
    size_t not_dtls; /* datagrams that fail dtls_is_record */
    size_t overflow; /* queue full */
} peer;

static void on_send(void *user, const uint8_t *data, size_t len)
{
    peer *p = user;
    p->sent++;
    if (len > 1200) p->oversize++;
    if (!dtls_is_record(data, len)) p->not_dtls++;
    if (p->drop) return;
    if (p->count == QUEUE_SLOTS || len > SLOT_SIZE) {
        p->overflow++;
        return;
    }
    size_t slot = (p->head + p->count) % QUEUE_SLOTS;
    memcpy(p->data[slot], data, len);
    p->len[slot] = len;
    p->count++;
}

/* Delivers what `from` sent to `to`; returns how many datagrams moved. */
static size_t deliver(peer *from, peer *to)
{
    size_t moved = 0;
    while (from->count > 0) {
        uint8_t buf[SLOT_SIZE];
        size_t len = from->len[from->head];
        memcpy(buf, from->data[from->head], len);
        from->head = (from->head + 1) % QUEUE_SLOTS;
        from->count--;
        dtls_session_handle(to->s, buf, len);
        moved++;
    }
    return moved;
}

static void pump(peer *a, peer *b)
{
    for (int round = 0; round < 50; round++)
        if (deliver(a, b) + deliver(b, a) == 0) return;
}

static void discard(peer *p)
{
    p->head = p->count = 0;
}

static peer *peer_new(const dtls_cert *cert, dtls_role role, const char *remote_fp)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->s = dtls_session_create(cert, role, remote_fp, on_send, p);
    return p;
}

static void peer_free(peer *p)
{
    if (!p) return;
    dtls_session_free(p->s);
    free(p);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* ---- fingerprints ---- */

static void test_fingerprint_format(const dtls_cert *a, const dtls_cert *b)
{
    const char *fp = dtls_cert_fingerprint(a);
    CHECK(fp != NULL);
    if (!fp) return;
    CHECK_EQ(strlen(fp), 95);
    bool format_ok = true;
    for (size_t i = 0; i < strlen(fp); i++) {
        char ch = fp[i];
        if (i % 3 == 2)
            format_ok &= ch == ':';
        else
            format_ok &= (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F');
    }
    CHECK(format_ok);
    CHECK(strcmp(fp, dtls_cert_fingerprint(b)) != 0);
}

static void test_fingerprint_parse(const dtls_cert *cert)
{
    const char *fp = dtls_cert_fingerprint(cert);
    uint8_t raw[32], raw2[32];
    CHECK_EQ(dtls_fingerprint_parse(fp, raw), 0);

    /* Parsing must give back exactly the bytes the text shows. */
    char again[96];
    for (int i = 0; i < 32; i++)
        snprintf(again + 3 * i, 4, i == 31 ? "%02X" : "%02X:", raw[i]);
    CHECK_STR(again, fp);

    char lower[96];
    for (size_t i = 0; i <= strlen(fp); i++)
        lower[i] = (char)tolower((unsigned char)fp[i]);
    CHECK_EQ(dtls_fingerprint_parse(lower, raw2), 0);
    CHECK(memcmp(raw, raw2, 32) == 0);

    char sdp[128];
    snprintf(sdp, sizeof sdp, "sha-256 %s\r\n", lower);
    memset(raw2, 0, sizeof raw2);
    CHECK_EQ(dtls_fingerprint_parse(sdp, raw2), 0);
    CHECK(memcmp(raw, raw2, 32) == 0);

    uint8_t untouched[32];
    memset(untouched, 0xAA, sizeof untouched);
    char bad[128];
    snprintf(bad, sizeof bad, "%.92s", fp); /* one byte short */
    CHECK_EQ(dtls_fingerprint_parse(bad, untouched), -1);
    snprintf(bad, sizeof bad, "%s:AB", fp); /* one byte long */
    CHECK_EQ(dtls_fingerprint_parse(bad, untouched), -1);
    snprintf(bad, sizeof bad, "%s", fp);
    bad[40] = 'G'; /* not hex */
    CHECK_EQ(dtls_fingerprint_parse(bad, untouched), -1);
    snprintf(bad, sizeof bad, "%s", fp);
    bad[2] = '-'; /* wrong separator */
    CHECK_EQ(dtls_fingerprint_parse(bad, untouched), -1);
    snprintf(bad, sizeof bad, "sha-1 %s", fp);
    CHECK_EQ(dtls_fingerprint_parse(bad, untouched), -1);
    CHECK_EQ(dtls_fingerprint_parse("", untouched), -1);
    CHECK_EQ(dtls_fingerprint_parse("garbage", untouched), -1);
    CHECK_EQ(dtls_fingerprint_parse(NULL, untouched), -1);
    uint8_t expect_untouched[32];
    memset(expect_untouched, 0xAA, sizeof expect_untouched);
    CHECK(memcmp(untouched, expect_untouched, 32) == 0);
}

static void test_misc(const dtls_cert *cert)
{
    const uint8_t dtls[] = {22, 0xfe, 0xfd}, rtp[] = {0x80, 96}, stun[] = {0, 1};
    CHECK(dtls_is_record(dtls, sizeof dtls));
    CHECK(!dtls_is_record(rtp, sizeof rtp));
    CHECK(!dtls_is_record(stun, sizeof stun));
    CHECK(!dtls_is_record(dtls, 0));
    CHECK(dtls_session_create(cert, DTLS_ROLE_CLIENT, "not a fingerprint", on_send, NULL) == NULL);
    CHECK(dtls_session_create(cert, DTLS_ROLE_CLIENT, dtls_cert_fingerprint(cert), NULL, NULL) ==
          NULL);
}

/* ---- handshakes ---- */

typedef struct pair {
    peer *client, *server;
    dtls_srtp_keys ck, sk;
} pair;

static pair make_pair(const dtls_cert *cc, const dtls_cert *sc, const char *client_expects,
                      const char *server_expects)
{
    pair p = {0};
    p.client = peer_new(cc, DTLS_ROLE_CLIENT, client_expects);
    p.server = peer_new(sc, DTLS_ROLE_SERVER, server_expects);
    return p;
}

static void pair_free(pair *p)
{
    peer_free(p->client);
    peer_free(p->server);
}

static bool connect_pair(pair *p)
{
    if (!p->client->s || !p->server->s) return false;
    if (dtls_session_start(p->client->s) != 0) return false;
    pump(p->client, p->server);
    return dtls_session_srtp_keys(p->client->s, &p->ck) == 0 &&
           dtls_session_srtp_keys(p->server->s, &p->sk) == 0;
}

static void check_keys(const pair *p, dtls_srtp_profile profile, size_t salt_len)
{
    CHECK_EQ(p->ck.profile, profile);
    CHECK_EQ(p->sk.profile, profile);
    CHECK_EQ(p->ck.key_len, 16);
    CHECK_EQ(p->ck.salt_len, salt_len);
    CHECK_EQ(p->sk.salt_len, salt_len);
    CHECK(memcmp(p->ck.local_key, p->sk.remote_key, 16) == 0);
    CHECK(memcmp(p->ck.remote_key, p->sk.local_key, 16) == 0);
    CHECK(memcmp(p->ck.local_salt, p->sk.remote_salt, salt_len) == 0);
    CHECK(memcmp(p->ck.remote_salt, p->sk.local_salt, salt_len) == 0);
    CHECK(memcmp(p->ck.local_key, p->ck.remote_key, 16) != 0);
}

static void check_clean_wire(const pair *p)
{
    CHECK(p->client->sent > 0);
    CHECK(p->server->sent > 0);
    CHECK_EQ(p->client->oversize + p->server->oversize, 0);
    CHECK_EQ(p->client->not_dtls + p->server->not_dtls, 0);
    CHECK_EQ(p->client->overflow + p->server->overflow, 0);
}

static void test_handshake(const dtls_cert *cc, const dtls_cert *sc, const char *force,
                           dtls_srtp_profile profile, size_t salt_len, pair *keep)
{
    pair p = make_pair(cc, sc, dtls_cert_fingerprint(sc), dtls_cert_fingerprint(cc));
    CHECK(p.client->s && p.server->s);
    if (force) CHECK_EQ(dtls_session_set_srtp_profiles(p.client->s, force), 0);
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_NEW);
    CHECK_EQ(dtls_session_srtp_keys(p.client->s, &p.ck), -1);
    CHECK(connect_pair(&p));
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_CONNECTED);
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_CONNECTED);
    CHECK_EQ(dtls_session_timeout_ms(p.client->s), -1);
    CHECK_EQ(dtls_session_timeout_ms(p.server->s), -1);
    check_keys(&p, profile, salt_len);
    check_clean_wire(&p);
    /* Too late to change profiles once the handshake ran. */
    CHECK_EQ(dtls_session_set_srtp_profiles(p.client->s, "SRTP_AES128_CM_SHA1_80"), -1);
    if (keep)
        *keep = p;
    else
        pair_free(&p);
}

static void test_unknown_profile(const dtls_cert *cert)
{
    pair p = make_pair(cert, cert, dtls_cert_fingerprint(cert), dtls_cert_fingerprint(cert));
    CHECK_EQ(dtls_session_set_srtp_profiles(p.client->s, "SRTP_NO_SUCH_PROFILE"), -1);
    pair_free(&p);
}

/* One side lists the wrong fingerprint: that side must fail with a clear
 * reason and neither side may hand out keys. */
static void test_wrong_fingerprint(const dtls_cert *cc, const dtls_cert *sc, const dtls_cert *other,
                                   bool client_checks_wrong)
{
    const char *client_expects = dtls_cert_fingerprint(client_checks_wrong ? other : sc);
    const char *server_expects = dtls_cert_fingerprint(client_checks_wrong ? cc : other);
    pair p = make_pair(cc, sc, client_expects, server_expects);
    CHECK(!connect_pair(&p));
    peer *checker = client_checks_wrong ? p.client : p.server;
    peer *victim = client_checks_wrong ? p.server : p.client;
    CHECK_EQ(dtls_session_state(checker->s), DTLS_STATE_FAILED);
    CHECK(strstr(dtls_session_error(checker->s), "fingerprint") != NULL);
    CHECK(dtls_session_state(victim->s) != DTLS_STATE_CONNECTED);
    dtls_srtp_keys k;
    CHECK_EQ(dtls_session_srtp_keys(checker->s, &k), -1);
    CHECK_EQ(dtls_session_srtp_keys(victim->s, &k), -1);
    /* A failed session ignores further input. */
    const uint8_t junk[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_EQ(dtls_session_handle(checker->s, junk, sizeof junk), DTLS_STATE_FAILED);
    pair_free(&p);
}

static void test_retransmission(const dtls_cert *cc, const dtls_cert *sc)
{
    pair p = make_pair(cc, sc, dtls_cert_fingerprint(sc), dtls_cert_fingerprint(cc));
    CHECK_EQ(dtls_session_timeout_ms(p.server->s), -1);
    p.client->drop = true;
    CHECK_EQ(dtls_session_start(p.client->s), 0);
    size_t first_flight = p.client->sent;
    CHECK(first_flight > 0);
    p.client->drop = false;
    pump(p.client, p.server); /* nothing to move: the ClientHello was lost */
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_NEW);
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_HANDSHAKING);

    int ms = dtls_session_timeout_ms(p.client->s);
    CHECK(ms > 0 && ms <= 1000);
    /* Before the timer runs out nothing is resent. */
    dtls_session_on_timeout(p.client->s);
    CHECK_EQ(p.client->sent, first_flight);
    sleep_ms(ms + 20);
    CHECK_EQ(dtls_session_timeout_ms(p.client->s), 0);
    CHECK_EQ(dtls_session_on_timeout(p.client->s), DTLS_STATE_HANDSHAKING);
    CHECK(p.client->sent > first_flight);
    pump(p.client, p.server);
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_CONNECTED);
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_CONNECTED);
    CHECK(dtls_session_srtp_keys(p.client->s, &p.ck) == 0 &&
          dtls_session_srtp_keys(p.server->s, &p.sk) == 0);
    check_keys(&p, DTLS_SRTP_AEAD_AES_128_GCM, 12);
    pair_free(&p);
}

/* The server's last flight is lost: the client resends its Finished and
 * the already-connected server must answer it. */
static void test_lost_last_flight(const dtls_cert *cc, const dtls_cert *sc)
{
    pair p = make_pair(cc, sc, dtls_cert_fingerprint(sc), dtls_cert_fingerprint(cc));
    CHECK_EQ(dtls_session_start(p.client->s), 0);
    for (int i = 0; i < 10 && dtls_session_state(p.server->s) != DTLS_STATE_CONNECTED; i++) {
        deliver(p.client, p.server);
        if (dtls_session_state(p.server->s) != DTLS_STATE_CONNECTED) deliver(p.server, p.client);
    }
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_CONNECTED);
    discard(p.server);
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_HANDSHAKING);
    int ms = dtls_session_timeout_ms(p.client->s);
    CHECK(ms >= 0);
    sleep_ms(ms + 20);
    dtls_session_on_timeout(p.client->s);
    pump(p.client, p.server);
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_CONNECTED);
    CHECK(dtls_session_srtp_keys(p.client->s, &p.ck) == 0 &&
          dtls_session_srtp_keys(p.server->s, &p.sk) == 0);
    check_keys(&p, DTLS_SRTP_AEAD_AES_128_GCM, 12);
    pair_free(&p);
}

static void test_close_and_junk(const dtls_cert *cc, const dtls_cert *sc)
{
    pair p = make_pair(cc, sc, dtls_cert_fingerprint(sc), dtls_cert_fingerprint(cc));
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    junk[0] = 22;
    /* Garbage before and after the handshake is dropped, not fatal. */
    dtls_session_handle(p.server->s, junk, sizeof junk);
    CHECK(dtls_session_state(p.server->s) != DTLS_STATE_FAILED);
    CHECK(connect_pair(&p));
    CHECK_EQ(dtls_session_handle(p.client->s, junk, sizeof junk), DTLS_STATE_CONNECTED);
    CHECK_EQ(dtls_session_handle(p.client->s, junk, 5), DTLS_STATE_CONNECTED);
    dtls_session_close(p.client->s);
    CHECK_EQ(dtls_session_state(p.client->s), DTLS_STATE_CLOSED);
    pump(p.client, p.server);
    CHECK_EQ(dtls_session_state(p.server->s), DTLS_STATE_CLOSED);
    pair_free(&p);
}

/* ---- an independent peer: plain OpenSSL ---- */

/* A DTLS client written straight against OpenSSL pins the RFC 5764 key
 * layout from outside: a split that is wrong the same way on both of our
 * sessions would still pass the symmetric checks above. */
typedef struct raw_client {
    EVP_PKEY *key;
    X509 *x509;
    SSL_CTX *ctx;
    SSL *ssl;
    char fp[96];
} raw_client;

static bool raw_cert(raw_client *r)
{
    r->key = EVP_EC_gen("P-256");
    r->x509 = X509_new();
    if (!r->key || !r->x509) return false;
    X509_NAME *name = X509_get_subject_name(r->x509);
    unsigned char md[32];
    unsigned int n = 0;
    bool ok = ASN1_INTEGER_set(X509_get_serialNumber(r->x509), 7) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(r->x509), 0) &&
              X509_gmtime_adj(X509_getm_notAfter(r->x509), 3600) &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"raw", -1,
                                         -1, 0) == 1 &&
              X509_set_issuer_name(r->x509, name) == 1 && X509_set_pubkey(r->x509, r->key) == 1 &&
              X509_sign(r->x509, r->key, EVP_sha256()) > 0 &&
              X509_digest(r->x509, EVP_sha256(), md, &n) == 1 && n == 32;
    for (unsigned int i = 0; ok && i < 32; i++)
        snprintf(r->fp + 3 * i, 4, i == 31 ? "%02X" : "%02X:", md[i]);
    return ok;
}

static bool raw_client_init(raw_client *r, const char *profiles)
{
    memset(r, 0, sizeof *r);
    if (!raw_cert(r)) return false;
    r->ctx = SSL_CTX_new(DTLS_client_method());
    if (!r->ctx || SSL_CTX_use_certificate(r->ctx, r->x509) != 1 ||
        SSL_CTX_use_PrivateKey(r->ctx, r->key) != 1 ||
        SSL_CTX_set_tlsext_use_srtp(r->ctx, profiles) != 0)
        return false;
    r->ssl = SSL_new(r->ctx);
    BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
    if (!r->ssl || !rbio || !wbio) {
        BIO_free(rbio);
        BIO_free(wbio);
        return false;
    }
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(r->ssl, rbio, wbio);
    SSL_set_connect_state(r->ssl);
    return true;
}

static void raw_client_free(raw_client *r)
{
    SSL_free(r->ssl);
    SSL_CTX_free(r->ctx);
    X509_free(r->x509);
    EVP_PKEY_free(r->key);
}

/* Runs the raw client's handshake against our server session. */
static bool raw_handshake(raw_client *r, peer *server)
{
    for (int round = 0; round < 20; round++) {
        int done = SSL_do_handshake(r->ssl);
        uint8_t out[8192];
        int n = BIO_read(SSL_get_wbio(r->ssl), out, sizeof out);
        if (n > 0) dtls_session_handle(server->s, out, (size_t)n);
        while (server->count > 0) {
            BIO_write(SSL_get_rbio(r->ssl), server->data[server->head],
                      (int)server->len[server->head]);
            server->head = (server->head + 1) % QUEUE_SLOTS;
            server->count--;
        }
        if (done == 1 && dtls_session_state(server->s) == DTLS_STATE_CONNECTED) return true;
    }
    return false;
}

static void test_raw_openssl_client(const dtls_cert *sc, const char *profiles,
                                    dtls_srtp_profile expect, size_t salt_len)
{
    raw_client r;
    CHECK(raw_client_init(&r, profiles));
    peer *server = peer_new(sc, DTLS_ROLE_SERVER, r.fp);
    CHECK(server->s != NULL);
    dtls_srtp_keys k;
    if (server->s && r.ssl && raw_handshake(&r, server) &&
        dtls_session_srtp_keys(server->s, &k) == 0) {
        uint8_t m[60];
        size_t total = 2 * (16 + salt_len);
        CHECK_EQ(SSL_export_keying_material(r.ssl, m, total, "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0),
                 1);
        CHECK_EQ(k.profile, expect);
        CHECK_EQ(k.salt_len, salt_len);
        CHECK(memcmp(k.remote_key, m, 16) == 0);
        CHECK(memcmp(k.local_key, m + 16, 16) == 0);
        CHECK(memcmp(k.remote_salt, m + 32, salt_len) == 0);
        CHECK(memcmp(k.local_salt, m + 32 + salt_len, salt_len) == 0);
    } else {
        CHECK(!"raw OpenSSL client did not connect");
    }
    peer_free(server);
    raw_client_free(&r);
}

/* ---- SRTP ---- */

static size_t make_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload)
{
    buf[0] = 0x80;
    buf[1] = 96;
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    memset(buf + 4, 0x11, 4);
    buf[8] = (uint8_t)(ssrc >> 24);
    buf[9] = (uint8_t)(ssrc >> 16);
    buf[10] = (uint8_t)(ssrc >> 8);
    buf[11] = (uint8_t)ssrc;
    for (size_t i = 0; i < payload; i++)
        buf[12 + i] = (uint8_t)(i + seq);
    return 12 + payload;
}

static size_t make_rtcp_rr(uint8_t *buf, uint32_t ssrc)
{
    const uint8_t rr[8] = {0x80, 201, 0, 1};
    memcpy(buf, rr, sizeof rr);
    buf[4] = (uint8_t)(ssrc >> 24);
    buf[5] = (uint8_t)(ssrc >> 16);
    buf[6] = (uint8_t)(ssrc >> 8);
    buf[7] = (uint8_t)ssrc;
    return 8;
}

typedef int (*protect_fn)(srtp_session *, uint8_t *, size_t *, size_t);
typedef int (*unprotect_fn)(srtp_session *, uint8_t *, size_t *);

/* One packet through tx -> rx: intact, then replay and forgery rejected. */
static void check_srtp_path(srtp_session *tx, srtp_session *rx, protect_fn protect,
                            unprotect_fn unprotect, const uint8_t *plain, size_t plain_len,
                            size_t tag_len)
{
    _Alignas(4) uint8_t buf[256], copy[256];
    size_t len = plain_len;
    memcpy(buf, plain, len);
    CHECK_EQ(protect(tx, buf, &len, sizeof buf), 0);
    CHECK_EQ(len, plain_len + tag_len);
    if (plain_len > 12) CHECK(memcmp(buf + 12, plain + 12, plain_len - 12) != 0);
    memcpy(copy, buf, len);
    size_t protected_len = len;

    /* Flip one bit in the tag, the middle and the header: all forged. */
    const size_t positions[] = {protected_len - 1, protected_len / 2, 2};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        _Alignas(4) uint8_t forged[256];
        size_t flen = protected_len;
        memcpy(forged, copy, flen);
        forged[positions[i]] ^= 0x01;
        CHECK_EQ(unprotect(rx, forged, &flen), -1);
    }
    /* A forgery must not poison the replay window for the real packet. */
    CHECK_EQ(unprotect(rx, buf, &len), 0);
    CHECK_EQ(len, plain_len);
    CHECK(memcmp(buf, plain, plain_len) == 0);

    len = protected_len;
    memcpy(buf, copy, len);
    CHECK_EQ(unprotect(rx, buf, &len), -1); /* replay */
}

static void test_srtp(const pair *p)
{
    srtp_session client = {0}, server = {0};
    CHECK_EQ(srtp_session_init(&client, &p->ck), 0);
    CHECK_EQ(srtp_session_init(&server, &p->sk), 0);
    size_t tag = p->ck.profile == DTLS_SRTP_AEAD_AES_128_GCM ? 16 : 10;

    _Alignas(4) uint8_t plain[256];
    for (uint16_t seq = 1; seq <= 3; seq++) {
        size_t n = make_rtp(plain, seq, 0x1234, 100);
        check_srtp_path(&client, &server, srtp_session_protect_rtp, srtp_session_unprotect_rtp,
                        plain, n, tag);
    }
    size_t n = make_rtp(plain, 7, 0x5678, 40);
    check_srtp_path(&server, &client, srtp_session_protect_rtp, srtp_session_unprotect_rtp, plain,
                    n, tag);
    /* SRTCP adds the tag and the 4-byte E+index word. */
    n = make_rtcp_rr(plain, 0x1234);
    check_srtp_path(&client, &server, srtp_session_protect_rtcp, srtp_session_unprotect_rtcp, plain,
                    n, tag + 4);
    check_srtp_path(&server, &client, srtp_session_protect_rtcp, srtp_session_unprotect_rtcp, plain,
                    n, tag + 4);

    /* A context keyed for the other direction cannot read our packets. */
    _Alignas(4) uint8_t buf[256];
    size_t len = make_rtp(buf, 20, 0x1234, 50);
    CHECK_EQ(srtp_session_protect_rtp(&client, buf, &len, sizeof buf), 0);
    CHECK_EQ(srtp_session_unprotect_rtp(&client, buf, &len), -1);

    /* Malformed input and a too small buffer are refused. */
    len = make_rtp(buf, 21, 0x1234, 50);
    CHECK_EQ(srtp_session_protect_rtp(&client, buf, &len, len + 4), -1);
    for (size_t cut = 0; cut < 30; cut++) {
        /* The sender refuses to reuse a sequence number, so count up. */
        len = make_rtp(buf, (uint16_t)(100 + cut), 0x1234, 50);
        CHECK_EQ(srtp_session_protect_rtp(&client, buf, &len, sizeof buf), 0);
        size_t short_len = cut;
        CHECK_EQ(srtp_session_unprotect_rtp(&server, buf, &short_len), -1);
        len = make_rtcp_rr(buf, 0x1234);
        CHECK_EQ(srtp_session_protect_rtcp(&client, buf, &len, sizeof buf), 0);
        short_len = cut < len ? cut : len - 1;
        CHECK_EQ(srtp_session_unprotect_rtcp(&server, buf, &short_len), -1);
    }
    len = make_rtp(buf, 23, 0x1234, 0);
    buf[0] |= 0x10; /* claims an extension that is not there */
    CHECK_EQ(srtp_session_protect_rtp(&client, buf, &len, sizeof buf), -1);
    buf[0] = 0x40; /* RTP version 1 */
    CHECK_EQ(srtp_session_unprotect_rtp(&server, buf, &len), -1);

    srtp_session_clear(&client);
    srtp_session_clear(&server);
    len = make_rtp(buf, 24, 0x1234, 10);
    CHECK_EQ(srtp_session_protect_rtp(&client, buf, &len, sizeof buf), -1);
    CHECK_EQ(srtp_session_unprotect_rtp(&server, buf, &len), -1);

    dtls_srtp_keys bad = p->ck;
    bad.salt_len = 13;
    CHECK_EQ(srtp_session_init(&client, &bad), -1);
    CHECK(!client.ready);
}

/* ---- shared certificate across threads ---- */

typedef struct thread_arg {
    const dtls_cert *a, *b;
    int connected;
} thread_arg;

static void *handshake_thread(void *user)
{
    thread_arg *t = user;
    for (int i = 0; i < 3; i++) {
        pair p = make_pair(t->a, t->b, dtls_cert_fingerprint(t->b), dtls_cert_fingerprint(t->a));
        if (connect_pair(&p) && memcmp(p.ck.local_key, p.sk.remote_key, 16) == 0) t->connected++;
        pair_free(&p);
    }
    return NULL;
}

static void test_threads(const dtls_cert *a, const dtls_cert *b)
{
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){a, b, 0};
        CHECK_EQ(pthread_create(&th[i], NULL, handshake_thread, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(args[i].connected, 3);
    }
}

int main(void)
{
    CHECK_EQ(srtp_session_global_init(), 0);
    dtls_cert *a = dtls_cert_create(), *b = dtls_cert_create(), *c = dtls_cert_create();
    CHECK(a && b && c);
    if (!a || !b || !c) return check_finish("test_dtls");

    test_fingerprint_format(a, b);
    test_fingerprint_parse(a);
    test_misc(a);

    pair gcm, cm;
    test_handshake(a, b, NULL, DTLS_SRTP_AEAD_AES_128_GCM, 12, &gcm);
    test_handshake(a, b, "SRTP_AEAD_AES_128_GCM", DTLS_SRTP_AEAD_AES_128_GCM, 12, NULL);
    test_handshake(a, b, "SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 14, &cm);
    test_handshake(a, a, NULL, DTLS_SRTP_AEAD_AES_128_GCM, 12, NULL); /* same cert both ends */
    test_unknown_profile(a);
    test_raw_openssl_client(b, "SRTP_AES128_CM_SHA1_80", DTLS_SRTP_AES128_CM_SHA1_80, 14);
    test_raw_openssl_client(b, "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM",
                            DTLS_SRTP_AEAD_AES_128_GCM, 12);
    test_srtp(&gcm);
    test_srtp(&cm);
    pair_free(&gcm);
    pair_free(&cm);

    test_wrong_fingerprint(a, b, c, true);
    test_wrong_fingerprint(a, b, c, false);
    test_retransmission(a, b);
    test_lost_last_flight(a, b);
    test_close_and_junk(a, b);
    test_threads(a, b);

    dtls_cert_free(a);
    dtls_cert_free(b);
    dtls_cert_free(c);
    return check_finish("test_dtls");
}

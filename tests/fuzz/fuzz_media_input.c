/*
 * What a remote peer can send a transport once ICE lets it through: DTLS
 * records into a server-role session, and SRTP/SRTCP into an inbound
 * context; plus the a=fingerprint text from its SDP. None of it may crash,
 * leak or read out of bounds, and forged SRTP must never authenticate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sfu/dtls.h"
#include "sfu/srtp_session.h"

static dtls_cert *cert;
static srtp_session srtp;

static void discard(void *user, const uint8_t *data, size_t len)
{
    (void)user;
    (void)data;
    (void)len;
}

static void setup_once(void)
{
    if (cert) return;
    cert = dtls_cert_create();
    if (!cert || srtp_session_global_init() != 0) abort();
    dtls_srtp_keys keys = {.profile = DTLS_SRTP_AES128_CM_SHA1_80, .key_len = 16, .salt_len = 14};
    memset(keys.local_key, 1, sizeof keys.local_key);
    memset(keys.remote_key, 2, sizeof keys.remote_key);
    memset(keys.local_salt, 3, sizeof keys.local_salt);
    memset(keys.remote_salt, 4, sizeof keys.remote_salt);
    if (srtp_session_init(&srtp, &keys) != 0) abort();
}

static void fuzz_fingerprint(const uint8_t *data, size_t size)
{
    char text[256];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = 0;
    uint8_t raw[32];
    dtls_fingerprint_parse(text, raw);
}

/* Splits the input into datagrams at 2-byte length prefixes. */
static void fuzz_dtls(const uint8_t *data, size_t size)
{
    dtls_session *s =
        dtls_session_create(cert, DTLS_ROLE_SERVER, dtls_cert_fingerprint(cert), discard, NULL);
    if (!s) abort();
    while (size >= 2) {
        size_t n = (size_t)(data[0] << 8 | data[1]) % 1500;
        data += 2;
        size -= 2;
        if (n > size) n = size;
        dtls_session_handle(s, data, n);
        data += n;
        size -= n;
    }
    dtls_session_free(s);
}

static void fuzz_srtp(const uint8_t *data, size_t size)
{
    _Alignas(16) uint8_t buf[1500 + SRTP_MAX_TRAILER];
    if (size > 1500) size = 1500;
    memcpy(buf, data, size);
    size_t len = size;
    /* Random bytes cannot carry a valid tag under our key. */
    if (srtp_session_unprotect_rtp(&srtp, buf, &len) == 0) abort();
    memcpy(buf, data, size);
    len = size;
    if (srtp_session_unprotect_rtcp(&srtp, buf, &len) == 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    if (size == 0) return 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_fingerprint(data + 1, size - 1);
        break;
    case 1:
        fuzz_dtls(data + 1, size - 1);
        break;
    default:
        fuzz_srtp(data + 1, size - 1);
        break;
    }
    return 0;
}

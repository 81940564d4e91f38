/*
 * The per-packet floor. See floor.h.
 */
#include "floor.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "srtp_session.h"

#define PACKET_LEN 1200
#define WARMUP     2000

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A receiver that is never read: the kernel drops what overflows its
 * buffer, which is what a sender on loopback pays for anyway. */
static int open_pair(int *tx, struct sockaddr_in *dst)
{
    int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    *tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof *dst;
    memset(dst, 0, sizeof *dst);
    dst->sin_family = AF_INET;
    dst->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (rx < 0 || *tx < 0 || bind(rx, (struct sockaddr *)dst, sizeof *dst) < 0 ||
        getsockname(rx, (struct sockaddr *)dst, &len) < 0) {
        if (rx >= 0) close(rx);
        if (*tx >= 0) close(*tx);
        return -1;
    }
    return rx;
}

static void make_packet(uint8_t *p, uint16_t seq)
{
    memset(p, 0x5a, PACKET_LEN);
    p[0] = 0x80;
    p[1] = 96;
    wr16(p + 2, seq);
    wr32(p + 4, 90000u * seq);
    wr32(p + 8, 0x12345678);
}

int floor_measure(dtls_srtp_profile profile, long packets, floor_result *out)
{
    bool gcm = profile == DTLS_SRTP_AEAD_AES_128_GCM;
    dtls_srtp_keys keys = {.profile = profile, .key_len = 16, .salt_len = gcm ? 12 : 14};
    memset(keys.local_key, 0x11, sizeof keys.local_key);
    memset(keys.local_salt, 0x22, sizeof keys.local_salt);
    memset(keys.remote_key, 0x33, sizeof keys.remote_key);
    memset(keys.remote_salt, 0x44, sizeof keys.remote_salt);
    srtp_session s = {0};
    int tx;
    struct sockaddr_in dst;
    if (srtp_session_init(&s, &keys) != 0) return -1;
    int rx = open_pair(&tx, &dst);
    if (rx < 0) {
        srtp_session_clear(&s);
        return -1;
    }
    _Alignas(16) uint8_t buf[PACKET_LEN + SRTP_MAX_TRAILER];
    struct iovec iov = {.iov_base = buf};
    struct msghdr mh = {
        .msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov, .msg_iovlen = 1};
    double t_protect = 0, t_send = 0;
    int rc = 0;
    for (long i = 0; i < packets + WARMUP && rc == 0; i++) {
        make_packet(buf, (uint16_t)i);
        size_t len = PACKET_LEN;
        double t0 = now_ns();
        rc = srtp_session_protect_rtp(&s, buf, &len, sizeof buf);
        double t1 = now_ns();
        iov.iov_len = len;
        if (rc == 0 && sendmsg(tx, &mh, 0) < 0) rc = -1;
        double t2 = now_ns();
        if (i >= WARMUP) {
            t_protect += t1 - t0;
            t_send += t2 - t1;
        }
    }
    close(rx);
    close(tx);
    srtp_session_clear(&s);
    if (rc != 0 || packets <= 0) return -1;
    out->packets = packets;
    out->protect_ns = t_protect / (double)packets;
    out->send_ns = t_send / (double)packets;
    out->total_ns = out->protect_ns + out->send_ns;
    return 0;
}

/*
 * The floor: the work a forwarding server cannot avoid per forwarded
 * packet, measured on this machine: srtp_protect of a ~1200-byte RTP packet
 * and one sendmsg of it on loopback, in a tight loop.
 */
#ifndef CONFAB_BENCH_FLOOR_H
#define CONFAB_BENCH_FLOOR_H

#include "dtls.h"

typedef struct floor_result {
    double protect_ns; /* srtp_protect per packet */
    double send_ns;    /* sendmsg per packet */
    double total_ns;   /* both, per packet */
    long packets;
} floor_result;

/* Runs `packets` iterations (plus a warm-up) with the given SRTP profile
 * (DTLS_SRTP_AEAD_AES_128_GCM is what Confab and the bench negotiate).
 * Needs srtp_session_global_init. Returns 0, or -1 (no socket, SRTP refused). */
int floor_measure(dtls_srtp_profile profile, long packets, floor_result *out);

#endif

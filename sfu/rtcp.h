/*
 * RTCP (RFC 3550, RFC 4585, RFC 5104) parsing and writing.
 *
 * Pure functions, no I/O, no allocation; any thread may call them. Parsed
 * structs point into the caller's buffer where noted.
 */
#ifndef CONFAB_RTCP_H
#define CONFAB_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rtcp_type {
    RTCP_SR = 200,
    RTCP_RR = 201,
    RTCP_SDES = 202,
    RTCP_BYE = 203,
    RTCP_APP = 204,
    RTCP_RTPFB = 205, /* generic feedback: fmt 1 = NACK, 15 = transport-cc */
    RTCP_PSFB = 206,  /* payload-specific: fmt 1 = PLI, 4 = FIR, 15 = AFB (REMB) */
    RTCP_XR = 207,
};

enum rtcp_error {
    RTCP_OK = 0,
    RTCP_ERR_SHORT = 1,   /* buffer shorter than the length field claims */
    RTCP_ERR_VERSION = 2, /* version is not 2 */
    RTCP_ERR_TYPE = 3,    /* not an RTCP packet type */
    RTCP_ERR_FORMAT = 4,  /* body does not fit the type (e.g. report count too large) */
};

/* One packet of a compound packet. `data` points at its first byte, `len`
 * is its full length (header included). */
typedef struct rtcp_packet {
    uint8_t type;  /* enum rtcp_type */
    uint8_t count; /* RC / SC / FMT field (5 bits) */
    const uint8_t *data;
    size_t len;
} rtcp_packet;

/* Iterates a compound packet: pass *off = 0 first. Returns 1 and fills *out
 * for each packet, 0 at the end, or a negated rtcp_error. */
int rtcp_next(const uint8_t *buf, size_t len, size_t *off, rtcp_packet *out);

/* Validates a whole compound packet (every packet well formed). Returns 0 or
 * a negated rtcp_error. */
int rtcp_validate(const uint8_t *buf, size_t len);

typedef struct rtcp_report_block {
    uint32_t ssrc;
    uint8_t fraction_lost;
    int32_t cumulative_lost; /* 24-bit signed */
    uint32_t highest_seq;
    uint32_t jitter;
    uint32_t lsr;
    uint32_t dlsr;
} rtcp_report_block;

#define RTCP_MAX_REPORTS 31

typedef struct rtcp_sr {
    uint32_t ssrc;
    uint64_t ntp; /* 64-bit NTP timestamp */
    uint32_t rtp_ts;
    uint32_t packet_count;
    uint32_t octet_count;
    uint8_t report_count;
    rtcp_report_block reports[RTCP_MAX_REPORTS];
} rtcp_sr;

typedef struct rtcp_rr {
    uint32_t ssrc;
    uint8_t report_count;
    rtcp_report_block reports[RTCP_MAX_REPORTS];
} rtcp_rr;

/* Feedback (RTPFB/PSFB) common header. */
typedef struct rtcp_fb {
    uint8_t type; /* RTCP_RTPFB or RTCP_PSFB */
    uint8_t fmt;
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    const uint8_t *fci; /* feedback control information, inside the buffer */
    size_t fci_len;
} rtcp_fb;

int rtcp_parse_sr(const rtcp_packet *p, rtcp_sr *out);
int rtcp_parse_rr(const rtcp_packet *p, rtcp_rr *out);
int rtcp_parse_fb(const rtcp_packet *p, rtcp_fb *out);

/* FIR (RFC 5104): each FCI entry is 8 bytes: SSRC, seq nr, reserved. */
int rtcp_fir_entry(const rtcp_fb *fb, size_t index, uint32_t *ssrc, uint8_t *seq);

/* Writers. Each returns the number of bytes written, or -1 when cap is too
 * small. */
int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                   uint8_t seq);
int rtcp_write_sr(uint8_t *buf, size_t cap, const rtcp_sr *sr);
int rtcp_write_rr(uint8_t *buf, size_t cap, const rtcp_rr *rr);

/* NTP helpers: 64-bit NTP timestamp <-> microseconds since the Unix epoch. */
uint64_t rtcp_ntp_from_unix_us(uint64_t us);
uint64_t rtcp_ntp_to_unix_us(uint64_t ntp);

#endif

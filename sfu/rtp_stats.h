/*
 * Receive statistics of one incoming RTP stream (RFC 3550 appendix A.1,
 * A.3, A.8) and the report block our receiver reports carry back to its
 * sender. Without those reports a browser's loss-based rate control has
 * nothing to go on and never raises its bitrate.
 *
 * Pure: the caller passes arrival times; no I/O, no allocation. The owner
 * (a track) calls it on its worker thread, on the per-packet path.
 */
#ifndef CONFAB_RTP_STATS_H
#define CONFAB_RTP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "rtcp.h"

typedef struct rtp_stats {
    bool started;
    uint16_t max_seq;
    uint32_t cycles; /* wrap count << 16 */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t received;
    uint32_t expected_prior;
    uint32_t received_prior;
    int64_t last_transit; /* in clock units */
    uint32_t jitter_q4;   /* interarrival jitter * 16, as in RFC 3550 A.8 */
    uint32_t clock_rate;
    uint32_t last_sr;   /* middle 32 bits of the last SR's NTP time */
    int64_t last_sr_us; /* when that SR arrived, 0 if none */
} rtp_stats;

void rtp_stats_init(rtp_stats *s, uint32_t clock_rate);

/* One packet arrived at arrival_us (any monotonic microsecond clock). */
void rtp_stats_update(rtp_stats *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us);

/* The sender's SR arrived at now_us carrying this NTP time. */
void rtp_stats_on_sr(rtp_stats *s, uint64_t ntp, int64_t now_us);

/* Fills a report block for ssrc as of now_us and starts a new interval for
 * the fraction-lost figure. Returns false when nothing was received yet. */
bool rtp_stats_report(rtp_stats *s, uint32_t ssrc, int64_t now_us, rtcp_report_block *out);

#endif

#include "rtp_stats.h"

#include <string.h>

#define MAX_DROPOUT  3000
#define MAX_MISORDER 100
#define SEQ_MOD      (1u << 16)

void rtp_stats_init(rtp_stats *s, uint32_t clock_rate)
{
    memset(s, 0, sizeof *s);
    s->clock_rate = clock_rate ? clock_rate : 90000;
    s->bad_seq = SEQ_MOD + 1;
}

static void restart(rtp_stats *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->cycles = 0;
    s->bad_seq = SEQ_MOD + 1;
    s->received = 0;
    s->expected_prior = 0;
    s->received_prior = 0;
}

/* RFC 3550 A.1 without the probation period: a browser's first packet is
 * already a good one. Returns false for a packet to leave out of counts. */
static bool update_seq(rtp_stats *s, uint16_t seq)
{
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (udelta < MAX_DROPOUT) {
        if (seq < s->max_seq) s->cycles += SEQ_MOD;
        s->max_seq = seq;
    } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
        /* A big jump: believe it only when the next packet follows it. */
        if (seq == s->bad_seq) {
            restart(s, seq);
        } else {
            s->bad_seq = (seq + 1) & (SEQ_MOD - 1);
            return false;
        }
    }
    /* else: duplicate or reordered packet, counted but no new max */
    return true;
}

static void update_jitter(rtp_stats *s, uint32_t rtp_ts, int64_t arrival_us)
{
    int64_t arrival = arrival_us * (int64_t)s->clock_rate / 1000000;
    int64_t transit = arrival - (int64_t)rtp_ts;
    if (s->received > 1) {
        /* RTP time wraps at 32 bits: the difference is a 32-bit one. */
        int64_t d = (int32_t)(uint32_t)(transit - s->last_transit);
        if (d < 0) d = -d;
        /* J += (|D| - J) / 16, kept in Q4 fixed point. */
        s->jitter_q4 += (uint32_t)(d - (int64_t)((s->jitter_q4 + 8) >> 4));
    }
    s->last_transit = transit;
}

void rtp_stats_update(rtp_stats *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us)
{
    if (!s->started) {
        s->started = true;
        restart(s, seq);
    } else if (!update_seq(s, seq)) {
        return;
    }
    s->received++;
    update_jitter(s, rtp_ts, arrival_us);
}

void rtp_stats_on_sr(rtp_stats *s, uint64_t ntp, int64_t now_us)
{
    s->last_sr = (uint32_t)(ntp >> 16);
    s->last_sr_us = now_us;
}

bool rtp_stats_report(rtp_stats *s, uint32_t ssrc, int64_t now_us, rtcp_report_block *out)
{
    if (!s->started) return false;
    uint32_t extended_max = s->cycles + s->max_seq;
    uint32_t expected = extended_max - s->base_seq + 1;
    int64_t lost = (int64_t)expected - s->received;
    uint32_t expected_interval = expected - s->expected_prior;
    uint32_t received_interval = s->received - s->received_prior;
    int64_t lost_interval = (int64_t)expected_interval - received_interval;
    s->expected_prior = expected;
    s->received_prior = s->received;
    memset(out, 0, sizeof *out);
    out->ssrc = ssrc;
    if (expected_interval > 0 && lost_interval > 0)
        out->fraction_lost = (uint8_t)((lost_interval << 8) / expected_interval);
    out->cumulative_lost = lost > 0x7FFFFF    ? 0x7FFFFF
                           : lost < -0x800000 ? -0x800000
                                              : (int32_t)lost;
    out->highest_seq = extended_max;
    out->jitter = s->jitter_q4 >> 4;
    if (s->last_sr_us) {
        out->lsr = s->last_sr;
        /* DLSR is in units of 1/65536 s. */
        out->dlsr = (uint32_t)((now_us - s->last_sr_us) * 65536 / 1000000);
    }
    return true;
}

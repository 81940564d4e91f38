/*
 * Per-source token buckets of one server thread (stun_internal.h). A fixed
 * table: a new source takes the least recently seen of its PROBES slots, so
 * a flood from many spoofed addresses costs memory of nobody.
 *
 * Two things keep evictions from handing out tokens. The table is indexed
 * with SipHash under a random key, so nobody can choose addresses that
 * share a source's slots. And a source that takes over a slot inherits the
 * bucket it finds there, refilled for the time it sat idle: a stale slot
 * (idle longer than burst / rate) is full, as a fresh bucket would be, but
 * a busy one gives the newcomer only what its owner had left. Tokens are
 * therefore only ever created by time passing: PROBES buckets per window,
 * so whatever set of addresses shares a window gets at most
 * PROBES x (burst + rate x seconds) answers in total.
 */
#include "stun_internal.h"
#include "stun_siphash.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define PROBES 4

int stun_ratelimit_init(stun_ratelimit *rl, unsigned rate, unsigned burst)
{
    rl->rate = rate;
    rl->burst = burst ? burst : rate;
    rl->slots = NULL;
    if (!rate) return 0;
    uint64_t k[2];
    if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) return -1;
    stun_ratelimit_set_key(rl, k[0], k[1]);
    rl->slots = calloc(STUN_RL_SLOTS, sizeof *rl->slots);
    return rl->slots ? 0 : -1;
}

void stun_ratelimit_free(stun_ratelimit *rl)
{
    free(rl->slots);
    rl->slots = NULL;
}

void stun_ratelimit_set_key(stun_ratelimit *rl, uint64_t k0, uint64_t k1)
{
    rl->k0 = k0;
    rl->k1 = k1;
}

void stun_source_key(const stun_addr *src, uint8_t key[17])
{
    memset(key, 0, 17);
    key[0] = src->family;
    /* IPv6: the /64 only, or one host could rotate through 2^64 sources. */
    memcpy(key + 1, src->ip, src->family == 6 ? 8 : 16);
}

static uint32_t home(const stun_ratelimit *rl, const uint8_t key[17])
{
    return (uint32_t)stun_siphash24(rl->k0, rl->k1, key, 17) & (STUN_RL_SLOTS - 1);
}

uint32_t stun_ratelimit_home(const stun_ratelimit *rl, const stun_addr *src)
{
    uint8_t key[17];
    stun_source_key(src, key);
    return home(rl, key);
}

/* src's slot, or the one it takes over (its bucket stays as it was). */
static stun_rl_slot *find_slot(stun_ratelimit *rl, const uint8_t key[17], uint64_t now_us)
{
    uint32_t h = home(rl, key);
    stun_rl_slot *oldest = NULL;
    for (int i = 0; i < PROBES; i++) {
        stun_rl_slot *s = &rl->slots[(h + (uint32_t)i) & (STUN_RL_SLOTS - 1)];
        if (s->used && memcmp(s->key, key, 17) == 0) return s;
        if (!oldest || !s->used || (oldest->used && s->last_us < oldest->last_us)) oldest = s;
    }
    if (!oldest->used) {
        oldest->tokens_u = (int64_t)rl->burst * 1000000;
        oldest->last_us = now_us;
        oldest->used = 1;
    }
    memcpy(oldest->key, key, 17);
    return oldest;
}

bool stun_ratelimit_allow(stun_ratelimit *rl, const stun_addr *src, uint64_t now_us)
{
    if (!rl->rate) return true;
    uint8_t key[17];
    stun_source_key(src, key);
    stun_rl_slot *slot = find_slot(rl, key, now_us);
    const int64_t full = (int64_t)rl->burst * 1000000;
    uint64_t dt = now_us > slot->last_us ? now_us - slot->last_us : 0;
    slot->last_us = now_us;
    /* dt is bounded so the product cannot overflow: 1000 s refills anything. */
    if (dt > 1000000000u) dt = 1000000000u;
    int64_t t = slot->tokens_u + (int64_t)dt * rl->rate;
    if (t > full) t = full;
    if (t < 1000000) {
        slot->tokens_u = t;
        return false;
    }
    slot->tokens_u = t - 1000000;
    return true;
}

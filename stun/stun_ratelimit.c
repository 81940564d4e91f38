/*
 * Per-source token buckets of one server thread (stun_internal.h). A fixed
 * table: a new source takes the least recently seen of its 4 probe slots, so
 * a flood from many spoofed addresses costs memory of nobody.
 */
#include "stun_internal.h"

#include <stdlib.h>
#include <string.h>

#define PROBES 4

int stun_ratelimit_init(stun_ratelimit *rl, unsigned rate, unsigned burst)
{
    rl->rate = rate;
    rl->burst = burst ? burst : rate;
    rl->slots = rate ? calloc(STUN_RL_SLOTS, sizeof *rl->slots) : NULL;
    return rate && !rl->slots ? -1 : 0;
}

void stun_ratelimit_free(stun_ratelimit *rl)
{
    free(rl->slots);
    rl->slots = NULL;
}

static uint32_t hash_key(const uint8_t *k)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 17; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

bool stun_ratelimit_allow(stun_ratelimit *rl, const stun_addr *src, uint64_t now_us)
{
    if (!rl->rate) return true;
    uint8_t key[17] = {src->family};
    memcpy(key + 1, src->ip, 16);
    uint32_t h = hash_key(key);
    stun_rl_slot *slot = NULL, *oldest = NULL;
    for (int i = 0; i < PROBES; i++) {
        stun_rl_slot *s = &rl->slots[(h + (uint32_t)i) & (STUN_RL_SLOTS - 1)];
        if (s->used && memcmp(s->key, key, sizeof key) == 0) {
            slot = s;
            break;
        }
        if (!oldest || !s->used || (oldest->used && s->last_us < oldest->last_us)) oldest = s;
    }
    const int64_t full = (int64_t)rl->burst * 1000000;
    if (!slot) {
        slot = oldest;
        memcpy(slot->key, key, sizeof key);
        slot->used = 1;
        slot->tokens_u = full;
        slot->last_us = now_us;
    }
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

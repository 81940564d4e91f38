/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF"):
 * a keyed hash, so whoever does not know the key cannot pick inputs that
 * collide. The rate limiter keys its table with it.
 *
 * Pure, no state: any thread may call it.
 */
#ifndef CONFAB_STUN_SIPHASH_H
#define CONFAB_STUN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit SipHash-2-4 of len bytes at p under the 128-bit key k0 || k1
 * (k0 = the key's first 8 bytes read little-endian). */
uint64_t stun_siphash24(uint64_t k0, uint64_t k1, const uint8_t *p, size_t len);

#endif

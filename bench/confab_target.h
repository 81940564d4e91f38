/*
 * The Confab target of the media modes: each participant speaks
 * docs/protocol.md over a WebSocket (join, publish, answer, candidate) and
 * its two connections are media_peer.h peers.
 */
#ifndef CONFAB_BENCH_CONFAB_TARGET_H
#define CONFAB_BENCH_CONFAB_TARGET_H

#include "media.h"

extern const media_target_ops confab_target_ops;

#endif

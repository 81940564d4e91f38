/*
 * The Janus target of the media modes: each participant is a Janus
 * VideoRoom participant (janus_client.h) whose two connections are
 * media_peer.h peers, so the same scenario runs against Confab and Janus.
 *
 * Janus must be reachable on an address its ICE gathers on (bench/janus/
 * run.sh: a veth address of the namespace), and the bench's media peers
 * must gather on an address that can reach it: Linux drops packets between
 * 127.0.0.1 and a non-loopback address, so ICE fails from 127.0.0.1.
 */
#ifndef CONFAB_BENCH_JANUS_TARGET_H
#define CONFAB_BENCH_JANUS_TARGET_H

#include "media.h"

extern const media_target_ops janus_target_ops;

#endif

/*
 * Rooms and peers on a media worker.
 *
 * Threads: everything here runs on one worker thread. The worker's registry
 * (rooms by name, peers by id) hangs off worker->user. The control thread
 * reaches these functions only through worker_post (see sfu.c).
 *
 * Ownership: the registry owns rooms; a room owns its peers; a peer owns
 * its transports, its published tracks and its subscribe slots (with their
 * downtracks).
 */
#ifndef CONFAB_ROOM_H
#define CONFAB_ROOM_H

#include <stdint.h>

#include "sfu.h"
#include "sfu_internal.h"
#include "worker.h"

void room_registry_init(worker *w, const sfu_shared *sh);
void room_registry_free(worker *w);

void room_join(worker *w, const char *room, const char *peer_id);
void room_leave(worker *w, const char *peer_id);
void room_publish(worker *w, const char *peer_id, int64_t req_id, const char *sdp);
void room_subscribe_answer(worker *w, const char *peer_id, int64_t req_id, const char *sdp);
void room_restart_ice(worker *w, const char *peer_id);
void room_candidate(worker *w, const char *peer_id, sfu_transport_kind kind, const char *mid,
                    const char *candidate);

#endif

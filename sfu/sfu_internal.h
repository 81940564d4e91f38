/*
 * State shared by the sfu's modules. Read-only after sfu_create, so every
 * worker may read it without locks; sfu_emit is the one way a worker talks
 * back to the control thread.
 */
#ifndef CONFAB_SFU_INTERNAL_H
#define CONFAB_SFU_INTERNAL_H

#include "dtls.h"
#include "sfu.h"

typedef struct sfu_sink sfu_sink;

typedef struct sfu_shared {
    dtls_cert *cert;
    char **addresses; /* resolved IP literals ICE gathers on */
    int n_addresses;
    uint16_t port_min, port_max;
    sfu_sink *sink;
} sfu_shared;

/* Copies ev deeply and delivers it on the control thread. Any thread. */
void sfu_emit(const sfu_shared *sh, const sfu_event *ev);

/* Convenience for errors tied to a request. */
void sfu_emit_error(const sfu_shared *sh, const char *peer_id, int64_t req_id, const char *code,
                    const char *message);

#endif

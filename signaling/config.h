/*
 * Command-line options of the confab daemon.
 */
#ifndef CONFAB_CONFIG_H
#define CONFAB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_ICE_ADDRESSES 16
#define CONFIG_MAX_WORKERS       256
#define CONFIG_MAX_ALLOW_ORIGINS 32

typedef struct config {
    uint16_t port;        /* HTTP port; 0 = any free port */
    char *bind;           /* HTTP listen address (IP literal) */
    char **ice_addresses; /* IP literals or interface names */
    int n_ice_addresses;
    uint16_t ice_port_min; /* 0,0 = any */
    uint16_t ice_port_max;
    int workers;   /* 0 = one per core */
    char *www_dir; /* NULL = serve the embedded web client */
    /* HTTP long-poll (longpoll.h); 0 = the default. */
    unsigned longpoll_hold_ms;
    unsigned longpoll_idle_ms;
    /* Rooms, chat and sessions (docs/protocol.md). */
    unsigned max_peers_per_room;
    unsigned max_rooms;
    unsigned room_linger_s;
    unsigned chat_history;   /* messages kept per room */
    unsigned chat_max_bytes; /* bytes of one chat text */
    unsigned chat_rate;      /* chat and mute requests per second and peer */
    unsigned chat_burst;
    unsigned resume_grace_s; /* 0 = no resume */
    char **allow_origins;    /* normalized origins (origin.h) or "*" */
    int n_allow_origins;
    /* The embedded STUN server (stun/stun_server.h, docs/deploy.md). */
    uint16_t stun_port; /* UDP and TCP; 0 = off */
    bool stun_port_set; /* given explicitly: failing to bind it is fatal */
    char *stun_address; /* listen address; NULL = the --bind address */
    char *stun_url;     /* ice_servers URL instead of stun:HOST:PORT; NULL = that */
} config;

typedef enum config_result {
    CONFIG_OK,
    CONFIG_EXIT, /* --help or --version was printed: exit 0 */
    CONFIG_ERROR /* a message was printed to err: exit 2 */
} config_result;

/* Parses argv into *cfg (release with config_free in every case). Help and
 * version go to out, errors to err. */
config_result config_parse(int argc, char **argv, config *cfg, FILE *out, FILE *err);
void config_free(config *cfg);

#endif

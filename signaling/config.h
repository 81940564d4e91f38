/*
 * Command-line options of the confab daemon.
 */
#ifndef CONFAB_CONFIG_H
#define CONFAB_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_ICE_ADDRESSES 16
#define CONFIG_MAX_WORKERS       256

typedef struct config {
    uint16_t port;        /* HTTP port; 0 = any free port */
    char *bind;           /* HTTP listen address (IP literal) */
    char **ice_addresses; /* IP literals or interface names */
    int n_ice_addresses;
    uint16_t ice_port_min; /* 0,0 = any */
    uint16_t ice_port_max;
    int workers;   /* 0 = one per core */
    char *www_dir; /* NULL = serve the embedded web client */
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

/*
 * Command-line parsing and validation.
 */
#include "config.h"

#include "iceservers.h"
#include "origin.h"
#include "protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef CONFAB_VERSION
#define CONFAB_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "Usage: confab [OPTION]...\n"
    "Confab: a WebRTC selective forwarding unit with its web client.\n"
    "\n"
    "  --port N               HTTP port (default 8080; 0 picks a free port)\n"
    "  --bind ADDR            HTTP listen address, an IPv4 or IPv6 literal\n"
    "                         (default 0.0.0.0)\n"
    "  --ice-address ADDR     IP address or interface name ICE gathers on;\n"
    "                         repeat for several (default: every non-loopback\n"
    "                         interface)\n"
    "  --ice-ports MIN-MAX    UDP port range for ICE (default: any)\n"
    "  --workers N            media worker threads (default 0: one per core)\n"
    "  --www DIR              serve the web client from DIR instead of the copy\n"
    "                         built into the binary (for development)\n"
    "  --allow-origin ORIGIN  a web origin (e.g. https://meet.example.org) whose\n"
    "                         pages may open WebSockets here, besides the\n"
    "                         server's own; repeat for several; '*' allows any\n"
    "                         (default: http(s)://localhost and 127.0.0.1, any port)\n"
    "  --max-peers-per-room N participants per room (default 50)\n"
    "  --max-rooms N          rooms on the server (default 1000)\n"
    "  --room-linger SECONDS  how long an empty room keeps its chat (default 10)\n"
    "  --chat-history N       chat messages kept per room and sent on join\n"
    "                         (default 50)\n"
    "  --chat-max-bytes N     longest chat message in bytes (default 2000)\n"
    "  --chat-rate N          chat and mute requests per second per peer\n"
    "                         (default 5)\n"
    "  --chat-burst N         ... allowing bursts of N (default 10)\n"
    "  --resume-grace SECONDS how long a peer whose connection or media dropped\n"
    "                         is kept for it to come back (default 20; 0: never)\n"
    "  --longpoll-hold-ms N   how long an HTTP long-poll GET waits for messages\n"
    "                         before it returns an empty array (default 25000)\n"
    "  --longpoll-idle-ms N   a long-poll client with no GET pending for this\n"
    "                         long has lost its connection (default 35000)\n"
    "  --stun-port N          UDP and TCP port of the built-in STUN server,\n"
    "                         handed to clients in ice_servers (default 3478;\n"
    "                         0 turns it off; if the default is taken, confab\n"
    "                         runs without it)\n"
    "  --stun-address ADDR    its listen address (default: the --bind address)\n"
    "  --stun-url URL         the ice_servers URL to hand out instead of\n"
    "                         stun:HOST:PORT (HOST: the host the client used)\n"
    "  --help                 show this help and exit\n"
    "  --version              show the version and exit\n";

/* Parses a whole decimal string within [min, max]. */
static bool parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || *s == '+' || *s == ' ') return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

static bool is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int bad(FILE *err, const char *fmt, const char *arg)
{
    fprintf(err, "confab: ");
    fprintf(err, fmt, arg);
    fprintf(err, "\nTry 'confab --help'.\n");
    return -1;
}

static int set_port(config *cfg, const char *arg, FILE *err)
{
    long v;
    if (!parse_long(arg, 0, 65535, &v))
        return bad(err, "--port '%s': expected a number from 0 to 65535", arg);
    cfg->port = (uint16_t)v;
    return 0;
}

static int set_bind(config *cfg, const char *arg, FILE *err)
{
    if (!is_ip_literal(arg)) return bad(err, "--bind '%s': expected an IPv4 or IPv6 address", arg);
    free(cfg->bind);
    cfg->bind = strdup(arg);
    return 0;
}

static int add_ice_address(config *cfg, const char *arg, FILE *err)
{
    if (cfg->n_ice_addresses >= CONFIG_MAX_ICE_ADDRESSES)
        return bad(err, "--ice-address '%s': too many (at most 16)", arg);
    size_t len = strlen(arg);
    bool name_ok = len > 0 && len < IF_NAMESIZE && !strpbrk(arg, "/ \t");
    if (!is_ip_literal(arg) && !(name_ok && if_nametoindex(arg) != 0))
        return bad(err, "--ice-address '%s': not an IP address or an existing network interface",
                   arg);
    cfg->ice_addresses[cfg->n_ice_addresses++] = strdup(arg);
    return 0;
}

static int set_ice_ports(config *cfg, const char *arg, FILE *err)
{
    const char *dash = strchr(arg, '-');
    long lo, hi;
    char first[8];
    size_t n = dash ? (size_t)(dash - arg) : 0;
    if (!dash || n == 0 || n >= sizeof first)
        return bad(err, "--ice-ports '%s': expected MIN-MAX, e.g. 40000-40100", arg);
    memcpy(first, arg, n);
    first[n] = '\0';
    if (!parse_long(first, 1, 65535, &lo) || !parse_long(dash + 1, 1, 65535, &hi))
        return bad(err, "--ice-ports '%s': ports must be numbers from 1 to 65535", arg);
    if (lo > hi) return bad(err, "--ice-ports '%s': MIN is greater than MAX", arg);
    cfg->ice_port_min = (uint16_t)lo;
    cfg->ice_port_max = (uint16_t)hi;
    return 0;
}

static int set_workers(config *cfg, const char *arg, FILE *err)
{
    long v;
    if (!parse_long(arg, 0, CONFIG_MAX_WORKERS, &v))
        return bad(err, "--workers '%s': expected a number from 0 (one per core) to 256", arg);
    cfg->workers = (int)v;
    return 0;
}

/* Long-poll timings: short values exist for tests, so any from 1 ms on. */
static int set_ms(unsigned *field, const char *name, const char *arg, FILE *err)
{
    long v;
    if (!parse_long(arg, 1, 3600000, &v)) {
        fprintf(err, "confab: %s '%s': expected milliseconds from 1 to 3600000\n", name, arg);
        fprintf(err, "Try 'confab --help'.\n");
        return -1;
    }
    *field = (unsigned)v;
    return 0;
}

static int set_www(config *cfg, const char *arg, FILE *err)
{
    struct stat st;
    if (stat(arg, &st) != 0) return bad(err, "--www '%s': no such directory", arg);
    if (!S_ISDIR(st.st_mode)) return bad(err, "--www '%s': not a directory", arg);
    free(cfg->www_dir);
    cfg->www_dir = strdup(arg);
    return 0;
}

static int set_unsigned(unsigned *out, const char *name, const char *arg, long min, long max,
                        FILE *err)
{
    long v;
    if (!parse_long(arg, min, max, &v)) {
        fprintf(err, "confab: %s '%s': expected a number from %ld to %ld\nTry 'confab --help'.\n",
                name, arg, min, max);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int set_stun(config *cfg, int opt, const char *arg, FILE *err);

static int add_allow_origin(config *cfg, const char *arg, FILE *err)
{
    if (cfg->n_allow_origins >= CONFIG_MAX_ALLOW_ORIGINS)
        return bad(err, "--allow-origin '%s': too many (at most 32)", arg);
    char norm[ORIGIN_MAX];
    if (strcmp(arg, "*") == 0)
        strcpy(norm, "*");
    else if (!origin_normalize(arg, norm))
        return bad(err, "--allow-origin '%s': expected http(s)://HOST[:PORT] or '*'", arg);
    cfg->allow_origins[cfg->n_allow_origins++] = strdup(norm);
    return 0;
}

enum {
    OPT_PORT = 256,
    OPT_BIND,
    OPT_ICE_ADDRESS,
    OPT_ICE_PORTS,
    OPT_WORKERS,
    OPT_WWW,
    OPT_LONGPOLL_HOLD,
    OPT_LONGPOLL_IDLE,
    OPT_ALLOW_ORIGIN,
    OPT_MAX_PEERS,
    OPT_MAX_ROOMS,
    OPT_ROOM_LINGER,
    OPT_CHAT_HISTORY,
    OPT_CHAT_MAX_BYTES,
    OPT_CHAT_RATE,
    OPT_CHAT_BURST,
    OPT_RESUME_GRACE,
    OPT_STUN_PORT,
    OPT_STUN_ADDRESS,
    OPT_STUN_URL,
    OPT_HELP,
    OPT_VERSION
};

static const struct option long_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"bind", required_argument, NULL, OPT_BIND},
    {"ice-address", required_argument, NULL, OPT_ICE_ADDRESS},
    {"ice-ports", required_argument, NULL, OPT_ICE_PORTS},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"www", required_argument, NULL, OPT_WWW},
    {"allow-origin", required_argument, NULL, OPT_ALLOW_ORIGIN},
    {"max-peers-per-room", required_argument, NULL, OPT_MAX_PEERS},
    {"max-rooms", required_argument, NULL, OPT_MAX_ROOMS},
    {"room-linger", required_argument, NULL, OPT_ROOM_LINGER},
    {"chat-history", required_argument, NULL, OPT_CHAT_HISTORY},
    {"chat-max-bytes", required_argument, NULL, OPT_CHAT_MAX_BYTES},
    {"chat-rate", required_argument, NULL, OPT_CHAT_RATE},
    {"chat-burst", required_argument, NULL, OPT_CHAT_BURST},
    {"resume-grace", required_argument, NULL, OPT_RESUME_GRACE},
    {"longpoll-hold-ms", required_argument, NULL, OPT_LONGPOLL_HOLD},
    {"longpoll-idle-ms", required_argument, NULL, OPT_LONGPOLL_IDLE},
    {"stun-port", required_argument, NULL, OPT_STUN_PORT},
    {"stun-address", required_argument, NULL, OPT_STUN_ADDRESS},
    {"stun-url", required_argument, NULL, OPT_STUN_URL},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The options of rooms, chat and sessions. */
static int apply_room_option(config *cfg, int opt, const char *arg, FILE *err)
{
    switch (opt) {
    case OPT_MAX_PEERS:
        return set_unsigned(&cfg->max_peers_per_room, "--max-peers-per-room", arg, 1, 10000, err);
    case OPT_MAX_ROOMS:
        return set_unsigned(&cfg->max_rooms, "--max-rooms", arg, 1, 1000000, err);
    case OPT_ROOM_LINGER:
        return set_unsigned(&cfg->room_linger_s, "--room-linger", arg, 0, 86400, err);
    case OPT_CHAT_HISTORY:
        return set_unsigned(&cfg->chat_history, "--chat-history", arg, 0, 10000, err);
    case OPT_CHAT_MAX_BYTES:
        return set_unsigned(&cfg->chat_max_bytes, "--chat-max-bytes", arg, 1, PROTO_CHAT_MAX, err);
    case OPT_CHAT_RATE:
        return set_unsigned(&cfg->chat_rate, "--chat-rate", arg, 1, 100000, err);
    case OPT_CHAT_BURST:
        return set_unsigned(&cfg->chat_burst, "--chat-burst", arg, 1, 100000, err);
    case OPT_RESUME_GRACE:
        return set_unsigned(&cfg->resume_grace_s, "--resume-grace", arg, 0, 3600, err);
    }
    return -1;
}

static int apply_option(config *cfg, int opt, const char *arg, FILE *err)
{
    switch (opt) {
    case OPT_PORT:
        return set_port(cfg, arg, err);
    case OPT_BIND:
        return set_bind(cfg, arg, err);
    case OPT_ICE_ADDRESS:
        return add_ice_address(cfg, arg, err);
    case OPT_ICE_PORTS:
        return set_ice_ports(cfg, arg, err);
    case OPT_WORKERS:
        return set_workers(cfg, arg, err);
    case OPT_WWW:
        return set_www(cfg, arg, err);
    case OPT_LONGPOLL_HOLD:
        return set_ms(&cfg->longpoll_hold_ms, "--longpoll-hold-ms", arg, err);
    case OPT_LONGPOLL_IDLE:
        return set_ms(&cfg->longpoll_idle_ms, "--longpoll-idle-ms", arg, err);
    case OPT_ALLOW_ORIGIN:
        return add_allow_origin(cfg, arg, err);
    case OPT_STUN_PORT:
    case OPT_STUN_ADDRESS:
    case OPT_STUN_URL:
        return set_stun(cfg, opt, arg, err);
    }
    return apply_room_option(cfg, opt, arg, err);
}

static int set_stun(config *cfg, int opt, const char *arg, FILE *err)
{
    long v;
    switch (opt) {
    case OPT_STUN_PORT:
        if (!parse_long(arg, 0, 65535, &v))
            return bad(err, "--stun-port '%s': expected a number from 0 (off) to 65535", arg);
        cfg->stun_port = (uint16_t)v;
        cfg->stun_port_set = true;
        return 0;
    case OPT_STUN_ADDRESS:
        if (!is_ip_literal(arg))
            return bad(err, "--stun-address '%s': expected an IPv4 or IPv6 address", arg);
        free(cfg->stun_address);
        cfg->stun_address = strdup(arg);
        return 0;
    case OPT_STUN_URL:
        if (!iceservers_url_valid(arg))
            return bad(err, "--stun-url '%s': expected stun:HOST[:PORT] or stuns:HOST[:PORT]", arg);
        free(cfg->stun_url);
        cfg->stun_url = strdup(arg);
        return 0;
    }
    return -1;
}

static void config_init(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->port = 8080;
    cfg->bind = strdup("0.0.0.0");
    cfg->ice_addresses = calloc(CONFIG_MAX_ICE_ADDRESSES, sizeof(char *));
    cfg->allow_origins = calloc(CONFIG_MAX_ALLOW_ORIGINS, sizeof(char *));
    cfg->max_peers_per_room = 50;
    cfg->max_rooms = 1000;
    cfg->room_linger_s = 10;
    cfg->chat_history = 50;
    cfg->chat_max_bytes = 2000;
    cfg->chat_rate = 5;
    cfg->chat_burst = 10;
    cfg->resume_grace_s = 20;
    cfg->stun_port = 3478;
}

config_result config_parse(int argc, char **argv, config *cfg, FILE *out, FILE *err)
{
    config_init(cfg);
    if (!cfg->bind || !cfg->ice_addresses || !cfg->allow_origins) {
        fprintf(err, "confab: out of memory\n");
        return CONFIG_ERROR;
    }
    opterr = 0; /* our own messages, with the option name */
    optind = 0; /* GNU: restart scanning, so parsing can run more than once */
    int opt;
    while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        if (opt == OPT_HELP) {
            fputs(usage_text, out);
            return CONFIG_EXIT;
        }
        if (opt == OPT_VERSION) {
            fprintf(out, "confab %s\n", CONFAB_VERSION);
            return CONFIG_EXIT;
        }
        if (opt == ':') {
            bad(err, "option '%s' needs a value", argv[optind - 1]);
            return CONFIG_ERROR;
        }
        if (opt == '?') {
            bad(err, "unknown option '%s'", argv[optind - 1]);
            return CONFIG_ERROR;
        }
        if (apply_option(cfg, opt, optarg, err) < 0) return CONFIG_ERROR;
    }
    if (optind < argc) {
        bad(err, "unexpected argument '%s'", argv[optind]);
        return CONFIG_ERROR;
    }
    return CONFIG_OK;
}

void config_free(config *cfg)
{
    free(cfg->bind);
    free(cfg->www_dir);
    free(cfg->stun_address);
    free(cfg->stun_url);
    for (int i = 0; i < cfg->n_ice_addresses; i++)
        free(cfg->ice_addresses[i]);
    free(cfg->ice_addresses);
    for (int i = 0; i < cfg->n_allow_origins; i++)
        free(cfg->allow_origins[i]);
    free(cfg->allow_origins);
    memset(cfg, 0, sizeof *cfg);
}

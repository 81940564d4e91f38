/*
 * Command-line parsing and validation.
 */
#include "config.h"

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

static int set_www(config *cfg, const char *arg, FILE *err)
{
    struct stat st;
    if (stat(arg, &st) != 0) return bad(err, "--www '%s': no such directory", arg);
    if (!S_ISDIR(st.st_mode)) return bad(err, "--www '%s': not a directory", arg);
    free(cfg->www_dir);
    cfg->www_dir = strdup(arg);
    return 0;
}

enum {
    OPT_PORT = 256,
    OPT_BIND,
    OPT_ICE_ADDRESS,
    OPT_ICE_PORTS,
    OPT_WORKERS,
    OPT_WWW,
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
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

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
    }
    return -1;
}

static void config_init(config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->port = 8080;
    cfg->bind = strdup("0.0.0.0");
    cfg->ice_addresses = calloc(CONFIG_MAX_ICE_ADDRESSES, sizeof(char *));
}

config_result config_parse(int argc, char **argv, config *cfg, FILE *out, FILE *err)
{
    config_init(cfg);
    if (!cfg->bind || !cfg->ice_addresses) {
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
    for (int i = 0; i < cfg->n_ice_addresses; i++)
        free(cfg->ice_addresses[i]);
    free(cfg->ice_addresses);
    memset(cfg, 0, sizeof *cfg);
}

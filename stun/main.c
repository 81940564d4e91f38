/*
 * confab-stun: the standalone STUN server. Parses options, starts the server
 * core (stun_server.h) and waits for signals: SIGINT/SIGTERM stop it,
 * SIGUSR1 prints the counters to stdout in the Prometheus text format.
 */
#include "stun_server.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONFAB_VERSION
#define CONFAB_VERSION "0.1.0"
#endif

static const char usage_text[] =
    "Usage: confab-stun [OPTION]...\n"
    "A STUN server (RFC 8489 Binding over UDP and TCP, RFC 3489 clients,\n"
    "RFC 5780 NAT behaviour discovery with an alternate address).\n"
    "\n"
    "  --listen ADDR            IPv4 or IPv6 address to listen on; repeat for\n"
    "                           up to 4 (default 0.0.0.0; '::' for IPv6)\n"
    "  --port N                 UDP and TCP port (default 3478; 0 = any free)\n"
    "  --alternate-address ADDR a second address of this host: turns on RFC 5780\n"
    "                           (needs a specific first --listen address)\n"
    "  --alternate-port N       the second port (default: port + 1; port - 1\n"
    "                           for port 65535)\n"
    "  --threads N              server threads, one socket each (default: one\n"
    "                           per core)\n"
    "  --software TEXT          SOFTWARE attribute ('' = none;\n"
    "                           default confab-stun VERSION)\n"
    "  --rate N                 requests per second per source address and\n"
    "                           thread (default 200; 0 = no limit)\n"
    "  --burst N                ... allowing bursts of N (default 2 x rate)\n"
    "  --max-tcp N              TCP connections per thread (default 1024)\n"
    "  --max-tcp-per-source N   ... per source address (IPv6: per /64) and\n"
    "                           thread (default 8)\n"
    "  --no-udp, --no-tcp       serve only the other protocol\n"
    "  --help, --version\n"
    "\n"
    "Send SIGUSR1 to print the counters (Prometheus text format) to stdout.\n";

enum {
    OPT_LISTEN = 256,
    OPT_PORT,
    OPT_ALT_ADDRESS,
    OPT_ALT_PORT,
    OPT_THREADS,
    OPT_SOFTWARE,
    OPT_RATE,
    OPT_BURST,
    OPT_MAX_TCP,
    OPT_MAX_TCP_SOURCE,
    OPT_NO_UDP,
    OPT_NO_TCP,
    OPT_HELP,
    OPT_VERSION,
};

static const struct option options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"port", required_argument, NULL, OPT_PORT},
    {"alternate-address", required_argument, NULL, OPT_ALT_ADDRESS},
    {"alternate-port", required_argument, NULL, OPT_ALT_PORT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"software", required_argument, NULL, OPT_SOFTWARE},
    {"rate", required_argument, NULL, OPT_RATE},
    {"burst", required_argument, NULL, OPT_BURST},
    {"max-tcp", required_argument, NULL, OPT_MAX_TCP},
    {"max-tcp-per-source", required_argument, NULL, OPT_MAX_TCP_SOURCE},
    {"no-udp", no_argument, NULL, OPT_NO_UDP},
    {"no-tcp", no_argument, NULL, OPT_NO_TCP},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int bad(const char *opt, const char *arg, const char *want)
{
    fprintf(stderr, "confab-stun: %s '%s': %s\nTry 'confab-stun --help'.\n", opt, arg, want);
    return -1;
}

static int number(const char *opt, const char *arg, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || errno || v < min || v > max) {
        char want[64];
        snprintf(want, sizeof want, "expected a number from %ld to %ld", min, max);
        return bad(opt, arg, want);
    }
    *out = v;
    return 0;
}

typedef struct opts {
    stun_server_config cfg;
    bool burst_set, alt_port_set;
} opts;

static int apply(opts *o, int opt, const char *arg)
{
    stun_server_config *c = &o->cfg;
    long v = 0;
    switch (opt) {
    case OPT_LISTEN:
        if (c->n_listen >= STUN_SERVER_MAX_LISTEN) return bad("--listen", arg, "at most 4");
        c->listen[c->n_listen++] = arg;
        return 0;
    case OPT_PORT:
        if (number("--port", arg, 0, 65535, &v)) return -1;
        c->port = (uint16_t)v;
        return 0;
    case OPT_ALT_ADDRESS:
        c->alt_address = arg;
        return 0;
    case OPT_ALT_PORT:
        if (number("--alternate-port", arg, 1, 65535, &v)) return -1;
        c->alt_port = (uint16_t)v;
        o->alt_port_set = true;
        return 0;
    case OPT_THREADS:
        if (number("--threads", arg, 1, STUN_SERVER_MAX_THREADS, &v)) return -1;
        c->threads = (int)v;
        return 0;
    case OPT_SOFTWARE:
        c->software = arg;
        return 0;
    case OPT_RATE:
        if (number("--rate", arg, 0, 10000000, &v)) return -1;
        c->rate = (unsigned)v;
        return 0;
    case OPT_BURST:
        if (number("--burst", arg, 1, 10000000, &v)) return -1;
        c->burst = (unsigned)v;
        o->burst_set = true;
        return 0;
    case OPT_MAX_TCP:
        if (number("--max-tcp", arg, 1, 1000000, &v)) return -1;
        c->max_tcp_per_thread = (unsigned)v;
        return 0;
    case OPT_MAX_TCP_SOURCE:
        if (number("--max-tcp-per-source", arg, 1, 1000000, &v)) return -1;
        c->max_tcp_per_source = (unsigned)v;
        return 0;
    case OPT_NO_UDP:
        c->udp = false;
        return 0;
    case OPT_NO_TCP:
        c->tcp = false;
        return 0;
    }
    return -1;
}

/* 0 = run, 1 = exit 0 (help, version), -1 = exit 2. */
static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    stun_server_config *c = &o->cfg;
    c->port = STUN_DEFAULT_PORT;
    c->udp = c->tcp = true;
    c->rate = 200;
    c->software = "confab-stun " CONFAB_VERSION;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = cores < 1                         ? 1
                 : cores > STUN_SERVER_MAX_THREADS ? STUN_SERVER_MAX_THREADS
                                                   : (int)cores;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        if (opt == OPT_HELP) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (opt == OPT_VERSION) {
            printf("confab-stun %s\n", CONFAB_VERSION);
            return 1;
        }
        if (opt == ':' || opt == '?') {
            fprintf(stderr, "confab-stun: %s option '%s'\nTry 'confab-stun --help'.\n",
                    opt == ':' ? "missing value for" : "unknown", argv[optind - 1]);
            return -1;
        }
        if (apply(o, opt, optarg) != 0) return -1;
    }
    if (optind < argc) return bad("argument", argv[optind], "unexpected");
    if (!c->n_listen) c->listen[c->n_listen++] = "0.0.0.0";
    if (!o->burst_set) c->burst = c->rate * 2;
    if (c->alt_address && !o->alt_port_set) {
        if (!c->port) return bad("--port", "0", "with --alternate-address needs --alternate-port");
        c->alt_port = c->port == 65535 ? 65534 : (uint16_t)(c->port + 1);
    }
    if (o->alt_port_set && !c->alt_address)
        return bad("--alternate-port", "", "needs --alternate-address");
    return 0;
}

static void print_counters(const stun_server *s)
{
    stun_counters c;
    stun_server_counters(s, &c);
    char buf[4096];
    int n = stun_counters_format(&c, "confab_stun", buf, sizeof buf);
    if (n > 0) fwrite(buf, 1, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, stdout);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    opts o;
    int pr = parse(argc, argv, &o);
    if (pr != 0) return pr > 0 ? 0 : 2;
    /* Blocked before the server threads exist, so only sigwait sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[256];
    stun_server *s = stun_server_start(&o.cfg, err, sizeof err, NULL);
    if (!s) {
        fprintf(stderr, "confab-stun: %s\n", err);
        return 1;
    }
    fprintf(stderr, "confab-stun: listening on port %u (%s%s), %d thread(s)%s\n",
            (unsigned)stun_server_port(s), o.cfg.udp ? "UDP" : "",
            o.cfg.tcp ? (o.cfg.udp ? "+TCP" : "TCP") : "", o.cfg.threads,
            o.cfg.alt_address ? ", RFC 5780 on" : "");
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGUSR1) {
            print_counters(s);
            continue;
        }
        break;
    }
    stun_server_stop(s);
    return 0;
}

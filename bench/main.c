/*
 * confab-bench: the load generator. One subcommand per kind of load; each
 * fills a report that is printed as a table and optionally written as JSON.
 *
 * Exit status: 0 the run found no problem, 1 it ran and found problems,
 * 2 it could not run (bad options, refused target, no resources).
 */
#include "media_cli.h"
#include "report.h"
#include "sigbench.h"
#include "stunload.h"
#include "target.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXIT_PROBLEMS 1
#define EXIT_USAGE    2
#define FD_RESERVE    64   /* descriptors besides one per peer */
#define CAP_MARGIN_S  30.0 /* the alarm's margin beyond the run's own cap */

static void usage(FILE *out)
{
    fprintf(out, "Usage: confab-bench signaling --url ws://HOST:PORT/ws [OPTION]...\n"
                 "Load generator for Confab. Only loopback or an address of this network\n"
                 "namespace's own interfaces may be targeted.\n"
                 "\n"
                 "signaling: peers join rooms over WebSocket at a given rate, then chat.\n"
                 "  --url URL          the server's WebSocket URL (IP literal or localhost)\n"
                 "  --peers N          connections (default 1000)\n"
                 "  --rooms N          rooms; peer i joins room i %% N (default 100)\n"
                 "  --join-rate R      connections opened per second (default 200)\n"
                 "  --chat-rate R      chat messages per second per peer (default 1; 0: no chat);\n"
                 "                     keep within the server's limit (confab --chat-rate,\n"
                 "                     default 5): a refused message fails the run\n"
                 "  --duration S       seconds of chat (default 10)\n"
                 "  --chat-size B      bytes of each chat text, 32..4000 (default 64)\n"
                 "  --server-pid PID   read the server's memory from /proc/PID/status\n"
                 "  --json FILE        also write the report as JSON to FILE\n"
                 "\n"
                 "Exit status: 0 no problem, 1 problems found (lost messages, failed joins),\n"
                 "2 the run could not start.\n");
}

typedef struct cli {
    const char *url, *json;
    sigbench_options o;
} cli;

/* Parses a number in [lo, hi]; false (with a message) otherwise. */
static bool parse_num(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "confab-bench: --%s needs a number from %g to %g, not '%s'\n", opt, lo, hi,
                arg);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_int(const char *opt, const char *arg, double lo, double hi, int *out)
{
    double v;
    if (!parse_num(opt, arg, lo, hi, &v)) return false;
    if (v != floor(v)) {
        fprintf(stderr, "confab-bench: --%s needs a whole number, not '%s'\n", opt, arg);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool parse_option(cli *c, const char *name, const char *arg)
{
    sigbench_options *o = &c->o;
    int pid;
    if (!strcmp(name, "url"))
        c->url = arg;
    else if (!strcmp(name, "json"))
        c->json = arg;
    else if (!strcmp(name, "peers"))
        return parse_int(name, arg, 1, 100000, &o->peers);
    else if (!strcmp(name, "rooms"))
        return parse_int(name, arg, 1, 100000, &o->rooms);
    else if (!strcmp(name, "join-rate"))
        return parse_num(name, arg, 0.1, 100000, &o->join_rate);
    else if (!strcmp(name, "chat-rate"))
        return parse_num(name, arg, 0, 1000, &o->chat_rate);
    else if (!strcmp(name, "duration"))
        return parse_num(name, arg, 0.1, 3600, &o->duration_s);
    else if (!strcmp(name, "chat-size"))
        return parse_int(name, arg, 32, 4000, &o->chat_size);
    else if (!strcmp(name, "server-pid")) {
        if (!parse_int(name, arg, 1, 1 << 30, &pid)) return false;
        o->server_pid = pid;
    } else
        return false;
    return true;
}

static int parse_args(int argc, char **argv, cli *c)
{
    static const struct option opts[] = {
        {"url", required_argument, 0, 0},
        {"json", required_argument, 0, 0},
        {"peers", required_argument, 0, 0},
        {"rooms", required_argument, 0, 0},
        {"join-rate", required_argument, 0, 0},
        {"chat-rate", required_argument, 0, 0},
        {"duration", required_argument, 0, 0},
        {"chat-size", required_argument, 0, 0},
        {"server-pid", required_argument, 0, 0},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *c = (cli){.o = {.peers = 1000,
                     .rooms = 100,
                     .join_rate = 200,
                     .chat_rate = 1,
                     .duration_s = 10,
                     .chat_size = 64}};
    int ch, idx;
    while ((ch = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        if (ch == 'h') {
            usage(stdout);
            exit(0);
        }
        if (ch != 0 || !parse_option(c, opts[idx].name, optarg)) return -1;
    }
    if (target_args_done(argc, argv, optind, c->url) < 0) return -1;
    if (c->o.rooms > c->o.peers) c->o.rooms = c->o.peers;
    return 0;
}

/* One descriptor per connection: raise the soft limit as far as allowed. */
static int ensure_fds(int peers)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return -1;
    rlim_t want = (rlim_t)peers + FD_RESERVE;
    if (rl.rlim_cur >= want) return 0;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want) {
        fprintf(stderr, "confab-bench: %d peers need %lu open files; the limit is %lu\n", peers,
                (unsigned long)want, (unsigned long)rl.rlim_cur);
        return -1;
    }
    return 0;
}

static int run_signaling(int argc, char **argv)
{
    cli c;
    bench_target t;
    if (parse_args(argc, argv, &c) < 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (target_resolve(c.url, &t) < 0 || ensure_fds(c.o.peers) < 0) return EXIT_USAGE;
    /* The run ends itself within its cap; the alarm is for a bench bug. */
    alarm((unsigned)ceil(sigbench_time_cap(&c.o) + CAP_MARGIN_S));
    report *r = report_new("signaling");
    if (r) report_config(r, "url", json_string(c.url));
    if (!r || sigbench_run(&c.o, &t, r) < 0) {
        fprintf(stderr, "confab-bench: could not start the run\n");
        report_free(r);
        return EXIT_USAGE;
    }
    report_print(r, stdout);
    int rc = report_ok(r) ? 0 : EXIT_PROBLEMS;
    if (c.json && report_write_json(r, c.json) < 0) {
        fprintf(stderr, "confab-bench: writing %s: %s\n", c.json, strerror(errno));
        rc = EXIT_USAGE;
    }
    report_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "signaling")) return run_signaling(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "media")) return media_cli_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "floor")) return floor_cli_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "stun")) return stunload_main(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        media_cli_usage(stdout);
        stunload_usage(stdout);
        return 0;
    }
    usage(stderr);
    return EXIT_USAGE;
}

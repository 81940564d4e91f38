/*
 * `confab-bench media` and `confab-bench floor`. See media_cli.h.
 */
#include "media_cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "confab_target.h"
#include "srtp_session.h"
#include "janus_target.h"
#include "floor.h"
#include "media.h"
#include "srtp_session.h"

#define EXIT_PROBLEMS 1
#define EXIT_USAGE    2
#define CAP_MARGIN_S  30.0

void media_cli_usage(void *stream)
{
    FILE *out = stream;
    fprintf(out, "Usage: confab-bench media --url ws://HOST:PORT/ws [OPTION]...\n"
                 "       confab-bench floor [--packets N] [--json FILE]\n"
                 "\n"
                 "media: participants publish synthetic VP8/Opus-shaped media and receive\n"
                 "everyone else's over real ICE, DTLS and SRTP; every participant receives\n"
                 "every other publisher's tracks.\n"
                 "  --url URL            the server's WebSocket URL (loopback or own namespace);\n"
                 "                       the bench's media uses the same address\n"
                 "  --target NAME        confab (default) or janus (VideoRoom plugin, the\n"
                 "                       janus-protocol WebSocket transport)\n"
                 "  --preset NAME        meeting (1 room, 5 publishers), webinar (1 publisher,\n"
                 "                       100 subscribers), town-hall (1 publisher, 300\n"
                 "                       subscribers), many-small-rooms (50 rooms of 3\n"
                 "                       publishers); later options override it\n"
                 "  --rooms R            rooms (default 1)\n"
                 "  --publishers P       publishing participants per room (default 2)\n"
                 "  --subscribers S      receive-only participants per room (default 3)\n"
                 "  --duration S         seconds measured once everyone receives (default 10)\n"
                 "  --join-rate N        participants started per second (default 20)\n"
                 "  --audio-only         publish audio only\n"
                 "  --video-bitrate BPS  video bits/s per publisher (default 1500000)\n"
                 "  --fps N              video frames/s (default 30)\n"
                 "  --keyframe-interval S  seconds between periodic keyframes (default 3)\n"
                 "  --threads N          bench media threads (default 1)\n"
                 "  --server-pid PID     read the server's CPU and RSS from /proc/PID\n"
                 "  --floor-ns NS        floor per packet to divide by (default: measure it)\n"
                 "  --json FILE          also write the report as JSON to FILE\n"
                 "\n"
                 "floor: ns per packet of srtp_protect (1200 bytes, AES-GCM as Confab negotiates;\n"
                 "AES-CM + HMAC-SHA1 also shown) + one sendmsg on loopback.\n");
}

typedef struct media_cli {
    const char *url, *json;
    const media_target_ops *ops; /* which server's signaling the peers speak */
    media_options o;
} media_cli;

static bool num_arg(const char *opt, const char *arg, double lo, double hi, bool whole, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi ||
        (whole && v != floor(v))) {
        fprintf(stderr, "confab-bench: --%s needs a %snumber from %g to %g, not '%s'\n", opt,
                whole ? "whole " : "", lo, hi, arg);
        return false;
    }
    *out = v;
    return true;
}

static bool int_arg(const char *opt, const char *arg, double lo, double hi, int *out)
{
    double v;
    if (!num_arg(opt, arg, lo, hi, true, &v)) return false;
    *out = (int)v;
    return true;
}

static bool target_arg(const char *arg, const media_target_ops **ops)
{
    if (!strcmp(arg, "confab"))
        *ops = &confab_target_ops;
    else if (!strcmp(arg, "janus"))
        *ops = &janus_target_ops;
    else {
        fprintf(stderr, "confab-bench: --target is confab or janus, not '%s'\n", arg);
        return false;
    }
    return true;
}

static bool apply_preset(media_options *o, const char *name)
{
    if (!strcmp(name, "meeting"))
        *o = (media_options){.rooms = 1, .publishers = 5, .subscribers = 0};
    else if (!strcmp(name, "webinar"))
        *o = (media_options){.rooms = 1, .publishers = 1, .subscribers = 100};
    else if (!strcmp(name, "town-hall"))
        *o = (media_options){.rooms = 1, .publishers = 1, .subscribers = 300};
    else if (!strcmp(name, "many-small-rooms"))
        *o = (media_options){.rooms = 50, .publishers = 3, .subscribers = 0};
    else {
        fprintf(stderr, "confab-bench: unknown preset '%s'\n", name);
        return false;
    }
    return true;
}

static bool set_option(media_cli *c, const char *name, const char *arg)
{
    media_options *o = &c->o;
    if (!strcmp(name, "url"))
        c->url = arg;
    else if (!strcmp(name, "target"))
        return target_arg(arg, &c->ops);
    else if (!strcmp(name, "json"))
        c->json = arg;
    else if (!strcmp(name, "audio-only"))
        o->audio_only = true;
    else if (!strcmp(name, "rooms"))
        return int_arg(name, arg, 1, 1000, &o->rooms);
    else if (!strcmp(name, "publishers"))
        return int_arg(name, arg, 0, 50, &o->publishers);
    else if (!strcmp(name, "subscribers"))
        return int_arg(name, arg, 0, 5000, &o->subscribers);
    else if (!strcmp(name, "duration"))
        return num_arg(name, arg, 1, 3600, false, &o->duration_s);
    else if (!strcmp(name, "join-rate"))
        return num_arg(name, arg, 0.1, 1000, false, &o->join_rate);
    else if (!strcmp(name, "video-bitrate"))
        return int_arg(name, arg, 10000, 50000000, &o->video_bitrate);
    else if (!strcmp(name, "fps"))
        return int_arg(name, arg, 1, 120, &o->fps);
    else if (!strcmp(name, "keyframe-interval"))
        return int_arg(name, arg, 1, 600, &o->keyframe_interval_s);
    else if (!strcmp(name, "threads"))
        return int_arg(name, arg, 1, 64, &o->threads);
    else if (!strcmp(name, "server-pid"))
        return int_arg(name, arg, 1, 1 << 30, &o->server_pid);
    else if (!strcmp(name, "floor-ns"))
        return num_arg(name, arg, 1, 1e9, false, &o->floor_ns);
    return true;
}

static const struct option media_opts[] = {
    {"url", required_argument, 0, 0},
    {"target", required_argument, 0, 0},
    {"json", required_argument, 0, 0},
    {"preset", required_argument, 0, 0},
    {"rooms", required_argument, 0, 0},
    {"publishers", required_argument, 0, 0},
    {"subscribers", required_argument, 0, 0},
    {"duration", required_argument, 0, 0},
    {"join-rate", required_argument, 0, 0},
    {"audio-only", no_argument, 0, 0},
    {"video-bitrate", required_argument, 0, 0},
    {"fps", required_argument, 0, 0},
    {"keyframe-interval", required_argument, 0, 0},
    {"threads", required_argument, 0, 0},
    {"server-pid", required_argument, 0, 0},
    {"floor-ns", required_argument, 0, 0},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* The preset goes first, whatever its position, so other options override it. */
static bool find_preset(int argc, char **argv, media_options *o)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--preset")) return apply_preset(o, argv[i + 1]);
    return true;
}

static int parse_media(int argc, char **argv, media_cli *c)
{
    *c = (media_cli){.ops = &confab_target_ops,
                     .o = {.rooms = 1, .publishers = 2, .subscribers = 3}};
    if (!find_preset(argc, argv, &c->o)) return -1;
    media_options *o = &c->o;
    o->duration_s = 10;
    o->join_rate = 20;
    o->video_bitrate = 1500000;
    o->fps = 30;
    o->keyframe_interval_s = 3;
    o->threads = 1;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, "h", media_opts, &idx)) != -1) {
        if (ch == 'h') {
            media_cli_usage(stdout);
            exit(0);
        }
        if (ch != 0 || !set_option(c, media_opts[idx].name, optarg)) return -1;
    }
    if (target_args_done(argc, argv, optind, c->url) < 0) return -1;
    if (o->publishers == 0) {
        fprintf(stderr, "confab-bench: a media run needs at least one publisher per room\n");
        return -1;
    }
    return 0;
}

/* Per participant: a WebSocket and up to two UDP sockets. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int finish(report *r, const char *json)
{
    report_print(r, stdout);
    int rc = report_ok(r) ? 0 : EXIT_PROBLEMS;
    if (json && report_write_json(r, json) < 0) {
        fprintf(stderr, "confab-bench: writing %s: %s\n", json, strerror(errno));
        rc = EXIT_USAGE;
    }
    report_free(r);
    return rc;
}

int media_cli_main(int argc, char **argv)
{
    media_cli c;
    bench_target t;
    if (parse_media(argc, argv, &c) < 0) {
        media_cli_usage(stderr);
        return EXIT_USAGE;
    }
    if (target_resolve(c.url, &t) < 0) return EXIT_USAGE;
    raise_fd_limit();
    alarm((unsigned)ceil(media_time_cap(&c.o) + CAP_MARGIN_S));
    report *r = report_new("media");
    if (r) report_config(r, "url", json_string(c.url));
    if (!r || media_run_scenario(&c.o, &t, c.ops, r) < 0) {
        fprintf(stderr, "confab-bench: could not start the run\n");
        report_free(r);
        return EXIT_USAGE;
    }
    return finish(r, c.json);
}

int floor_cli_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"packets", required_argument, 0, 0}, {"json", required_argument, 0, 0}, {0, 0, 0, 0}};
    double packets = 1000000;
    const char *json = NULL;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, "", opts, &idx)) != -1) {
        if (ch != 0) return EXIT_USAGE;
        if (idx == 1)
            json = optarg;
        else if (!num_arg("packets", optarg, 1000, 1e9, true, &packets))
            return EXIT_USAGE;
    }
    floor_result f, cm;
    if (srtp_session_global_init() != 0 ||
        floor_measure(DTLS_SRTP_AEAD_AES_128_GCM, (long)packets, &f) != 0 ||
        floor_measure(DTLS_SRTP_AES128_CM_SHA1_80, (long)packets, &cm) != 0) {
        fprintf(stderr, "confab-bench: the floor could not be measured\n");
        return EXIT_USAGE;
    }
    report *r = report_new("floor");
    if (!r) return EXIT_USAGE;
    report_config(r, "packets", json_integer(f.packets));
    report_config(r, "packet_bytes", json_integer(1200));
    report_config(r, "profile", json_string("SRTP_AEAD_AES_128_GCM (as negotiated)"));
    report_config(r, "srtp", json_string(srtp_session_backend()));
    report_add(r, "floor", "protect_ns", "srtp_protect per packet", f.protect_ns, "ns");
    report_add(r, "floor", "sendmsg_ns", "sendmsg per packet", f.send_ns, "ns");
    report_add(r, "floor", "total_ns", "floor per forwarded packet", f.total_ns, "ns");
    report_add(r, "aes_cm_sha1_80", "protect_ns", "srtp_protect per packet", cm.protect_ns, "ns");
    report_add(r, "aes_cm_sha1_80", "sendmsg_ns", "sendmsg per packet", cm.send_ns, "ns");
    report_add(r, "aes_cm_sha1_80", "total_ns", "per packet", cm.total_ns, "ns");
    return finish(r, json);
}

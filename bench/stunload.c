/*
 * confab-bench stun (stunload.h).
 *
 * Transaction ids carry the socket index and a per-socket sequence number,
 * so an answer finds its request without a lookup table: each socket keeps
 * a ring of its in-flight sequence numbers [oldest, next). A request not
 * answered within the timeout is lost and leaves the window.
 */
#include "stunload.h"

#include "procstat.h"
#include "report.h"
#include "stats.h"
#include "stun_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH      32
#define MAX_WINDOW 1024 /* ring size: a power of two >= any window */
#define TIMEOUT_NS 1000000000LL

typedef struct slot {
    long long sent_ns;
    bool done;
} slot;

typedef struct lsock {
    int fd;
    stun_addr self; /* what the server must answer as XOR-MAPPED-ADDRESS */
    uint64_t next, oldest;
    slot ring[MAX_WINDOW];
} lsock;

typedef struct opts {
    struct sockaddr_in server;
    const char *server_text, *json;
    int sockets, window;
    double rate, duration;
    int server_pid;
} opts;

typedef struct run {
    const opts *o;
    lsock *socks;
    int epfd;
    long long start_ns;
    uint64_t sent, answered, wrong, lost, late;
    samples rtt_us;
} run;

void stunload_usage(FILE *out)
{
    fprintf(out, "\n"
                 "stun: Binding requests against a STUN server (confab-stun, confab, coturn).\n"
                 "  confab-bench stun --server IP:PORT [OPTION]...\n"
                 "  --server IP:PORT   IPv4 address of this namespace (default 127.0.0.1:3478)\n"
                 "  --sockets N        client UDP sockets (default 8)\n"
                 "  --window N         requests outstanding per socket, 1..1024 (default 16)\n"
                 "  --rate R           requests per second in all (default 0: as fast as the\n"
                 "                     windows allow)\n"
                 "  --duration S       seconds of load (default 5)\n"
                 "  --server-pid PID   server CPU per answer from /proc/PID/stat\n"
                 "  --json FILE        also write the report as JSON to FILE\n"
                 "Every answer must be a Binding success for an outstanding request whose\n"
                 "XOR-MAPPED-ADDRESS is the socket's own address; anything else, or a request\n"
                 "unanswered after 1 s, is a problem (exit 1).\n");
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool parse_server(const char *s, struct sockaddr_in *sin)
{
    char ip[64];
    const char *colon = strrchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    if (n == 0 || n >= sizeof ip) return false;
    memcpy(ip, s, n);
    ip[n] = 0;
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    long port = colon ? strtol(colon + 1, NULL, 10) : 3478;
    if (port < 1 || port > 65535 || inet_pton(AF_INET, ip, &sin->sin_addr) != 1) return false;
    sin->sin_port = htons((uint16_t)port);
    return true;
}

/* The target must be an address of this namespace: binding to it works. */
static bool is_local(const struct sockaddr_in *server)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = *server;
    a.sin_port = 0;
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0) close(fd);
    return ok;
}

static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},   {"sockets", required_argument, NULL, 'n'},
        {"window", required_argument, NULL, 'w'},   {"rate", required_argument, NULL, 'r'},
        {"duration", required_argument, NULL, 'd'}, {"server-pid", required_argument, NULL, 'p'},
        {"json", required_argument, NULL, 'j'},     {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->server_text = "127.0.0.1:3478";
    o->sockets = 8;
    o->window = 16;
    o->duration = 5;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->server_text = optarg;
            break;
        case 'n':
            o->sockets = atoi(optarg);
            break;
        case 'w':
            o->window = atoi(optarg);
            break;
        case 'r':
            o->rate = atof(optarg);
            break;
        case 'd':
            o->duration = atof(optarg);
            break;
        case 'p':
            o->server_pid = atoi(optarg);
            break;
        case 'j':
            o->json = optarg;
            break;
        default:
            return -1;
        }
    }
    if (!parse_server(o->server_text, &o->server)) {
        fprintf(stderr, "confab-bench stun: --server '%s': expected IPv4:PORT\n", o->server_text);
        return -1;
    }
    if (o->sockets < 1 || o->sockets > 4096 || o->window < 1 || o->window > MAX_WINDOW ||
        o->rate < 0 || !(o->duration > 0 && o->duration <= 3600)) {
        fprintf(stderr, "confab-bench stun: an option is out of range\n");
        return -1;
    }
    if (!is_local(&o->server)) {
        fprintf(stderr, "confab-bench stun: %s is not an address of this network namespace\n",
                o->server_text);
        return -1;
    }
    return 0;
}

static int open_sockets(run *r)
{
    const opts *o = r->o;
    r->socks = calloc((size_t)o->sockets, sizeof *r->socks);
    r->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!r->socks || r->epfd < 0) return -1;
    for (int i = 0; i < o->sockets; i++) {
        lsock *s = &r->socks[i];
        s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr = o->server.sin_addr};
        socklen_t len = sizeof local;
        if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&local, sizeof local) != 0 ||
            connect(s->fd, (const struct sockaddr *)&o->server, sizeof o->server) != 0 ||
            getsockname(s->fd, (struct sockaddr *)&local, &len) != 0)
            return -1;
        s->self.family = 4;
        s->self.port = ntohs(local.sin_port);
        memcpy(s->self.ip, &local.sin_addr, 4);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, s->fd, &ev) != 0) return -1;
    }
    return 0;
}

static void make_request(uint8_t *buf, uint32_t sock, uint64_t seq)
{
    memset(buf, 0, 20);
    buf[1] = 0x01; /* Binding request, no attributes */
    buf[4] = 0x21;
    buf[5] = 0x12;
    buf[6] = 0xa4;
    buf[7] = 0x42;
    memcpy(buf + 8, &sock, 4);
    memcpy(buf + 12, &seq, 8);
}

/* Sends up to want requests on s; returns how many went out. */
static int send_some(run *r, lsock *s, int idx, int want, long long now)
{
    uint8_t bufs[BATCH][20];
    struct iovec iov[BATCH];
    struct mmsghdr mm[BATCH];
    if (want > BATCH) want = BATCH;
    for (int k = 0; k < want; k++) {
        make_request(bufs[k], (uint32_t)idx, s->next + (uint64_t)k);
        iov[k] = (struct iovec){bufs[k], 20};
        mm[k] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[k], .msg_iovlen = 1}};
    }
    int n = sendmmsg(s->fd, mm, (unsigned)want, MSG_DONTWAIT);
    if (n <= 0) return 0;
    for (int k = 0; k < n; k++) {
        slot *sl = &s->ring[(s->next + (uint64_t)k) & (MAX_WINDOW - 1)];
        sl->sent_ns = now;
        sl->done = false;
    }
    s->next += (uint64_t)n;
    r->sent += (uint64_t)n;
    return n;
}

static bool addr_eq(const stun_addr *a, const stun_addr *b)
{
    return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, 4) == 0;
}

static void on_answer(run *r, lsock *s, int idx, const uint8_t *buf, size_t len, long long now,
                      report *rep)
{
    stun_msg m;
    uint32_t sock;
    uint64_t seq;
    if (stun_decode(buf, len, &m) != STUN_OK || m.cls != STUN_SUCCESS ||
        m.method != STUN_METHOD_BINDING || !(m.has & STUN_HAS_XOR_MAPPED)) {
        if (r->wrong++ == 0) report_problem(rep, "an answer that is not a Binding success");
        return;
    }
    memcpy(&sock, m.tid + 4, 4);
    memcpy(&seq, m.tid + 8, 8);
    if (sock != (uint32_t)idx || seq >= s->next) {
        if (r->wrong++ == 0) report_problem(rep, "an answer to a request never sent");
        return;
    }
    if (seq < s->oldest || s->ring[seq & (MAX_WINDOW - 1)].done) {
        r->late++; /* already counted lost, or a duplicate */
        return;
    }
    if (!addr_eq(&m.xor_mapped, &s->self)) {
        if (r->wrong++ == 0) report_problem(rep, "XOR-MAPPED-ADDRESS is not the client's address");
        return;
    }
    slot *sl = &s->ring[seq & (MAX_WINDOW - 1)];
    sl->done = true;
    r->answered++;
    samples_add(&r->rtt_us, (double)(now - sl->sent_ns) / 1000.0);
    while (s->oldest < s->next && s->ring[s->oldest & (MAX_WINDOW - 1)].done)
        s->oldest++;
}

static void receive(run *r, int idx, report *rep)
{
    lsock *s = &r->socks[idx];
    uint8_t bufs[BATCH][256];
    struct iovec iov[BATCH];
    struct mmsghdr mm[BATCH];
    for (;;) {
        for (int k = 0; k < BATCH; k++) {
            iov[k] = (struct iovec){bufs[k], sizeof bufs[k]};
            mm[k] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[k], .msg_iovlen = 1}};
        }
        int n = recvmmsg(s->fd, mm, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) return;
        long long now = now_ns();
        for (int k = 0; k < n; k++)
            on_answer(r, s, idx, bufs[k], mm[k].msg_len, now, rep);
        if (n < BATCH) return;
    }
}

/* Requests older than the timeout are lost: out of the window. */
static void expire(run *r, lsock *s, long long now)
{
    while (s->oldest < s->next) {
        slot *sl = &s->ring[s->oldest & (MAX_WINDOW - 1)];
        if (!sl->done) {
            if (now - sl->sent_ns < TIMEOUT_NS) break;
            r->lost++;
        }
        s->oldest++;
    }
}

static void load(run *r, report *rep, long long end_ns)
{
    const opts *o = r->o;
    struct epoll_event evs[64];
    while (now_ns() < end_ns) {
        long long now = now_ns();
        double allowed = o->rate > 0 ? o->rate * (double)(now - r->start_ns) / 1e9 : INFINITY;
        for (int i = 0; i < o->sockets; i++) {
            lsock *s = &r->socks[i];
            expire(r, s, now);
            int room = o->window - (int)(s->next - s->oldest);
            if (o->rate > 0 && (double)r->sent + room > allowed)
                room = (int)(allowed - (double)r->sent);
            if (room > 0) send_some(r, s, i, room, now);
        }
        int n = epoll_wait(r->epfd, evs, 64, 1);
        for (int k = 0; k < n; k++)
            receive(r, (int)evs[k].data.u32, rep);
    }
}

/* After the load: wait up to the timeout for the last answers. */
static void drain(run *r, report *rep)
{
    long long end = now_ns() + TIMEOUT_NS;
    struct epoll_event evs[64];
    for (;;) {
        bool pending = false;
        for (int i = 0; i < r->o->sockets; i++)
            pending |= r->socks[i].oldest < r->socks[i].next;
        if (!pending || now_ns() >= end) break;
        int n = epoll_wait(r->epfd, evs, 64, 10);
        for (int k = 0; k < n; k++)
            receive(r, (int)evs[k].data.u32, rep);
    }
    long long now = now_ns() + TIMEOUT_NS;
    for (int i = 0; i < r->o->sockets; i++)
        expire(r, &r->socks[i], now);
}

static void report_results(run *r, report *rep, double secs, long long cpu0, long long cpu1,
                           long long self0, long long self1)
{
    const char *sec = "stun";
    report_add_count(rep, sec, "sent", "requests sent", (long long)r->sent);
    report_add_count(rep, sec, "answered", "answered correctly", (long long)r->answered);
    report_add_count(rep, sec, "lost", "unanswered after 1 s", (long long)r->lost);
    report_add_count(rep, sec, "wrong", "wrong answers", (long long)r->wrong);
    report_add(rep, sec, "responses_per_s", "answers per second", (double)r->answered / secs, "/s");
    report_add(rep, sec, "loss_pct", "loss",
               r->sent ? 100.0 * (double)r->lost / (double)r->sent : NAN, "%");
    report_add(rep, sec, "rtt_p50_us", "response time p50", samples_percentile(&r->rtt_us, 50),
               "us");
    report_add(rep, sec, "rtt_p99_us", "response time p99", samples_percentile(&r->rtt_us, 99),
               "us");
    report_add(rep, sec, "rtt_p999_us", "response time p99.9", samples_percentile(&r->rtt_us, 99.9),
               "us");
    double srv = cpu0 >= 0 && cpu1 >= 0 ? (double)(cpu1 - cpu0) : NAN;
    report_add(rep, sec, "server_cpu_pct", "server CPU (100% = one core)",
               100.0 * srv / (secs * 1e6), "%");
    report_add(rep, sec, "server_cpu_us_per_answer", "server CPU per answer",
               r->answered ? srv / (double)r->answered : NAN, "us");
    report_add(rep, sec, "bench_cpu_pct", "bench CPU (100% = one core)",
               100.0 * (double)(self1 - self0) / (secs * 1e6), "%");
    if (r->lost) report_problem(rep, "%llu requests unanswered", (unsigned long long)r->lost);
    if (!r->answered) report_problem(rep, "no answer at all");
}

int stunload_main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o) < 0) {
        stunload_usage(stderr);
        return 2;
    }
    run r = {.o = &o, .epfd = -1};
    report *rep = report_new("stun");
    if (!rep || open_sockets(&r) < 0) {
        fprintf(stderr, "confab-bench stun: cannot open sockets: %s\n", strerror(errno));
        return 2;
    }
    report_config(rep, "server", json_string(o.server_text));
    report_config(rep, "sockets", json_integer(o.sockets));
    report_config(rep, "window", json_integer(o.window));
    report_config(rep, "rate", json_real(o.rate));
    report_config(rep, "duration_s", json_real(o.duration));
    long long cpu0 = o.server_pid ? procstat_cpu_us(o.server_pid) : -1;
    long long self0 = procstat_self_cpu_us();
    r.start_ns = now_ns();
    load(&r, rep, r.start_ns + (long long)(o.duration * 1e9));
    double secs = (double)(now_ns() - r.start_ns) / 1e9;
    long long cpu1 = o.server_pid ? procstat_cpu_us(o.server_pid) : -1;
    long long self1 = procstat_self_cpu_us();
    drain(&r, rep);
    report_results(&r, rep, secs, cpu0, cpu1, self0, self1);
    report_print(rep, stdout);
    int rc = report_ok(rep) ? 0 : 1;
    if (o.json && report_write_json(rep, o.json) < 0) rc = 2;
    report_free(rep);
    samples_free(&r.rtt_us);
    for (int i = 0; i < o.sockets && r.socks; i++)
        if (r.socks[i].fd > 0) close(r.socks[i].fd);
    free(r.socks);
    if (r.epfd >= 0) close(r.epfd);
    return rc;
}

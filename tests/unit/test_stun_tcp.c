/*
 * STUN over TCP in the server core (stun/stun_tcp.c), over real loopback
 * sockets in a private network namespace: one source holds at most its
 * cap; a full table closes the connection idle longest to take a new one;
 * bytes that never make a message do not keep a connection alive; nor do
 * answered messages past the lifetime; and a server out of file
 * descriptors stops watching its listener instead of spinning, and takes
 * connections again once descriptors are free.
 */
#include "check.h"
#include "netns.h"
#include "stun/stun_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static stun_server *start(unsigned max, unsigned per_source, unsigned idle_s, unsigned life_s)
{
    stun_server_config cfg = {.n_listen = 1,
                              .threads = 1,
                              .tcp = true,
                              .max_tcp_per_thread = max,
                              .max_tcp_per_source = per_source,
                              .tcp_idle_s = idle_s,
                              .tcp_lifetime_s = life_s};
    cfg.listen[0] = "127.0.0.1";
    char err[256];
    stun_server *s = stun_server_start(&cfg, err, sizeof err, NULL);
    if (!s) fprintf(stderr, "stun_server_start: %s\n", err);
    return s;
}

/* A connection from 127.0.0.<host>; reads time out after 10 s. */
static int dial(uint16_t port, int host)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000000 | host)};
    struct sockaddr_in to = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 ||
        connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        perror("dial");
        close(fd);
        return -1;
    }
    return fd;
}

static bool read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

/* A Binding request over fd; true when a success response comes back. */
static bool binding(int fd)
{
    static uint8_t n;
    uint8_t req[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ++n};
    if (send(fd, req, sizeof req, MSG_NOSIGNAL) != (ssize_t)sizeof req) return false;
    uint8_t resp[256];
    if (!read_full(fd, resp, 20)) return false;
    size_t len = (size_t)resp[2] << 8 | resp[3];
    if (len > sizeof resp - 20 || !read_full(fd, resp + 20, len)) return false;
    return resp[0] == 0x01 && resp[1] == 0x01 && memcmp(resp + 4, req + 4, 16) == 0;
}

/* The server hung up on fd (waits up to the 10 s read timeout). */
static bool hung_up(int fd)
{
    uint8_t b;
    ssize_t r = recv(fd, &b, 1, 0);
    return r == 0 || (r < 0 && errno == ECONNRESET);
}

static bool hung_up_now(int fd)
{
    uint8_t b;
    ssize_t r = recv(fd, &b, 1, MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno == ECONNRESET);
}

static void test_caps(void)
{
    stun_server *s = start(3, 2, 30, 300);
    CHECK(s != NULL);
    if (!s) return;
    uint16_t port = stun_server_port(s);
    int a1 = dial(port, 2), a2 = dial(port, 2);
    CHECK(binding(a2));
    CHECK(binding(a1));
    /* A third from the same address is refused; another address is not. */
    int a3 = dial(port, 2);
    CHECK(hung_up(a3));
    int b1 = dial(port, 3);
    CHECK(binding(b1));
    /* Full (3): a2 has been idle longest, so it gives way to c1. */
    usleep(20000);
    CHECK(binding(a1));
    CHECK(binding(b1));
    int c1 = dial(port, 4);
    CHECK(binding(c1));
    CHECK(hung_up(a2));
    CHECK(binding(a1));
    CHECK(binding(b1));
    int fds[] = {a1, a2, a3, b1, c1};
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    stun_server_stop(s);
}

/* Idle 1 s: a byte every 0.5 s, never a whole message, must not keep the
 * connection (it used to: any byte reset the clock). */
static void test_drip(void)
{
    stun_server *s = start(0, 0, 1, 300);
    CHECK(s != NULL);
    if (!s) return;
    int fd = dial(stun_server_port(s), 2);
    bool closed = false;
    static const uint8_t header[19] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    for (int i = 0; i < 19 && !closed; i++) {
        if (send(fd, &header[i], 1, MSG_NOSIGNAL) != 1) closed = true;
        usleep(500000);
        closed = closed || hung_up_now(fd);
    }
    CHECK(closed);
    close(fd);
    stun_server_stop(s);
}

/* Lifetime 2 s: a client answered twice a second is still closed. */
static void test_lifetime(void)
{
    stun_server *s = start(0, 0, 30, 2);
    CHECK(s != NULL);
    if (!s) return;
    int fd = dial(stun_server_port(s), 2);
    int answered = 0;
    while (answered < 40 && binding(fd)) {
        answered++;
        usleep(500000);
    }
    CHECK(answered > 0);
    CHECK(answered < 40);
    close(fd);
    stun_server_stop(s);
}

/* The server in a child limited to 12 descriptors: 4 or 5 connections fit
 * (depending on what the child inherits), 10 are made. */
static void test_emfile(void)
{
    int up[2], down[2]; /* child -> parent: port, then counters; parent -> child: "send them" */
    if (pipe(up) != 0 || pipe(down) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        struct rlimit rl = {12, 12};
        setrlimit(RLIMIT_NOFILE, &rl);
        stun_server *s = start(100, 100, 30, 300);
        uint16_t port = s ? stun_server_port(s) : 0;
        if (write(up[1], &port, sizeof port) != sizeof port) _exit(1);
        char c;
        while (read(down[0], &c, 1) == 1) {
            stun_counters k;
            stun_server_counters(s, &k);
            if (write(up[1], &k, sizeof k) != sizeof k) _exit(1);
        }
        _exit(0);
    }
    close(up[1]);
    close(down[0]);
    uint16_t port = 0;
    CHECK(read(up[0], &port, sizeof port) == sizeof port && port != 0);
    if (!port) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return;
    }
    int fds[10];
    for (int i = 0; i < 10; i++)
        fds[i] = dial(port, 10 + i);
    CHECK(binding(fds[0]));
    /* The connections that do not fit wait in the backlog. The server must
     * stop watching its listener then (it used to spin on it, always
     * readable, never accepted): the pause is counted. */
    stun_counters k = {0};
    for (int tries = 0; tries < 50 && k.tcp_paused == 0; tries++) {
        CHECK(write(down[1], "c", 1) == 1 && read(up[0], &k, sizeof k) == sizeof k);
        usleep(100 * 1000);
    }
    CHECK(k.tcp_paused >= 1);
    /* Descriptors come free: the waiting ones are taken and answered. */
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    CHECK(binding(fds[9]));
    CHECK(binding(fds[8]));
    close(fds[8]);
    close(fds[9]);
    close(down[1]);
    close(up[0]);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int main(void)
{
    if (netns_enter() != 0) return 1;
    signal(SIGPIPE, SIG_IGN);
    test_emfile();
    test_caps();
    test_drip();
    test_lifetime();
    return check_finish("test_stun_tcp");
}

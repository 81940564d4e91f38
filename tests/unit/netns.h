/*
 * Puts the calling test process in a private network namespace with only
 * loopback up, so a test that opens sockets can never reach another host.
 * Needs root (CAP_SYS_ADMIN), as the test suite runs.
 */
#ifndef CONFAB_TEST_NETNS_H
#define CONFAB_TEST_NETNS_H

#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static inline int netns_enter(void)
{
    if (unshare(CLONE_NEWNET) != 0) {
        perror("unshare(CLONE_NEWNET)");
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
    if (rc != 0) perror("bringing lo up");
    return rc;
}

#endif

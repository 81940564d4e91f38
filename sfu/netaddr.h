/*
 * IP address literals to socket addresses, for every place that binds or
 * sends to a configured address (HTTP front end, STUN server). Header-only,
 * like bytes.h, so that stun/ needs no library of the tree. Any thread.
 */
#ifndef CONFAB_NETADDR_H
#define CONFAB_NETADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* An IPv4 or IPv6 literal (no name lookup) and a port into *ss; *len gets
 * the address's size. False when ip is neither. */
static inline bool netaddr_parse(const char *ip, uint16_t port, struct sockaddr_storage *ss,
                                 socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *len = sizeof *v6;
        return true;
    }
    return false;
}

#endif

/*
 * The ice_servers of the join and resume replies (docs/protocol.md): the
 * embedded STUN server (stun/stun_server.h) as "stun:HOST:PORT", where HOST
 * is the host the client reached the HTTP server on, or a URL set with
 * --stun-url.
 *
 * Pure functions; any thread.
 */
#ifndef CONFAB_ICESERVERS_H
#define CONFAB_ICESERVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICESERVERS_HOST_MAX 256 /* with the NUL */
#define ICESERVERS_URL_MAX  300

/* The host part of an HTTP Host header ("example.org:8080" -> "example.org",
 * "[::1]:80" -> "[::1]"). Only a DNS name, an IPv4 literal or a bracketed
 * IPv6 literal is accepted, so the result is safe in a URL and in JSON;
 * anything else (or NULL) gives false and out = "". */
bool iceservers_host_from_header(const char *header, char out[ICESERVERS_HOST_MAX]);

/* "stun:HOST:PORT" into out; false (out = "") when host is empty or port 0. */
bool iceservers_stun_url(const char *host, uint16_t port, char out[ICESERVERS_URL_MAX]);

/* A --stun-url value: "stun:" or "stuns:" followed by printable ASCII with
 * no spaces, quotes or backslashes. */
bool iceservers_url_valid(const char *url);

#endif

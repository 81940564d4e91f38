/*
 * The Origin check of WebSocket handshakes (docs/protocol.md, "Origin").
 * A browser sends the origin of the page that opens a WebSocket; checking
 * it stops other web sites from using a visitor's browser to join calls.
 * Pure: strings in, a decision out; unit-tested directly.
 */
#ifndef CONFAB_ORIGIN_H
#define CONFAB_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#define ORIGIN_MAX 256 /* bytes of a normalized origin, NUL included */

/* Normalizes "scheme://host[:port]" (scheme http or https, an optional
 * trailing "/"): lowercase, the scheme's default port dropped, leading
 * zeros of the port dropped. Returns false for anything else (a path, user
 * info, "null", another scheme, a bad port). */
bool origin_normalize(const char *origin, char out[ORIGIN_MAX]);

/* Whether a handshake may proceed.
 * - origin NULL (no Origin header: not a browser): allowed.
 * - The server's own origin, http or https with the Host header's
 *   authority: allowed.
 * - allowed[0..n_allowed): normalized origins, or "*" for any origin.
 * - With n_allowed == 0: http(s) origins on localhost, 127.0.0.1 and [::1],
 *   any port, are allowed too. */
bool origin_allowed(const char *origin, const char *host, const char *const *allowed,
                    int n_allowed);

#endif

/*
 * The client side of RFC 6455 that signaling/websocket.h (a server codec)
 * does not cover: the opening handshake as a client sends and checks it,
 * masked frames, and reading the unmasked frames a server sends. Frame
 * headers, masking, UTF-8 checking and the accept key come from
 * signaling/websocket.h.
 *
 * Pure: bytes in, bytes or events out, no I/O.
 */
#ifndef CONFAB_BENCH_WSPROTO_H
#define CONFAB_BENCH_WSPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "websocket.h"

/* Largest frame header a client writes: 2 + 8 (length) + 4 (mask). */
#define WSC_HEADER_MAX 14

/* Writes the GET request that opens a WebSocket. key is 24 characters of
 * base64 (wsc_make_key). Returns the length, or 0 when cap is too small or
 * host/path contain characters that would break the request. */
size_t wsc_handshake_write(char *out, size_t cap, const char *host, const char *path,
                           const char *key);

/* The same, asking for one subprotocol (Sec-WebSocket-Protocol) unless
 * protocol is NULL: Janus refuses connections that do not ask for
 * "janus-protocol". */
size_t wsc_handshake_write_proto(char *out, size_t cap, const char *host, const char *path,
                                 const char *key, const char *protocol);

/* Base64 of 16 random bytes, as Sec-WebSocket-Key. */
void wsc_make_key(const uint8_t nonce[16], char out[25]);

/* Checks the server's handshake response in buf[0..len). Returns the length
 * of the response head (its bytes up to and including the blank line) when
 * it is complete and accepts the upgrade, 0 when more bytes are needed, -1
 * when it refuses or is malformed (*reason: a static explanation). */
long wsc_handshake_check(const char *buf, size_t len, const char *key, const char **reason);

/* The same, when the request asked for subprotocol `protocol` (NULL: none):
 * the server may choose it or none, nothing else. */
long wsc_handshake_check_proto(const char *buf, size_t len, const char *key, const char *protocol,
                               const char **reason);

/* Writes a complete masked frame: header, then payload XOR mask. out needs
 * WSC_HEADER_MAX + len bytes. Returns the frame length. */
size_t wsc_frame_write(uint8_t *out, uint8_t opcode, const void *payload, size_t len,
                       const uint8_t mask[4]);

/* Reading what a server sends is signaling/websocket.h's ws_reader, set up
 * with ws_reader_init_client: the same rules, with frames unmasked. */

#endif

/*
 * WebSocket (RFC 6455) codec for the server side: handshake checks, frame
 * header parsing, message assembly with every protocol rule, frame writing.
 *
 * Pure: bytes in, events out, no I/O. A ws_reader belongs to one connection
 * and is used by the thread that owns that connection (the signaling
 * thread). It owns the buffer of the message being assembled.
 */
#ifndef CONFAB_WEBSOCKET_H
#define CONFAB_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
    WS_OP_CONTINUATION = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

enum ws_close_code {
    WS_CLOSE_NORMAL = 1000,
    WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL = 1002,
    WS_CLOSE_UNSUPPORTED = 1003,
    WS_CLOSE_NO_STATUS = 1005, /* never sent on the wire */
    WS_CLOSE_INVALID_DATA = 1007,
    WS_CLOSE_POLICY = 1008,
    WS_CLOSE_TOO_BIG = 1009,
    WS_CLOSE_INTERNAL = 1011,
};

typedef struct ws_frame_header {
    bool fin;
    uint8_t rsv; /* RSV1..3 as the low 3 bits */
    uint8_t opcode;
    bool masked;
    uint8_t mask[4];
    uint64_t payload_len;
    size_t header_len;
} ws_frame_header;

/* Parses a frame header. Returns the header length (> 0), 0 when more bytes
 * are needed, or -1 when the length encoding is invalid (non-minimal or
 * 64-bit length with the top bit set). Protocol rules are checked by the
 * reader, not here. */
int ws_frame_header_parse(const uint8_t *buf, size_t len, ws_frame_header *out);

/* XORs data with the mask; `offset` is the position of data[0] within the
 * frame payload (so masking can resume across reads). */
void ws_mask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t offset);

/* Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF). State starts at 0; returns false at the first invalid
 * byte. A message is valid when every chunk returned true and the final
 * state is 0. */
bool ws_utf8_step(uint32_t *state, const uint8_t *data, size_t len);

typedef enum ws_event_type {
    WS_EV_NONE,   /* more input needed */
    WS_EV_TEXT,   /* a complete text message (valid UTF-8) */
    WS_EV_BINARY, /* a complete binary message */
    WS_EV_PING,   /* data: ping payload (answer with a pong carrying it) */
    WS_EV_PONG,
    WS_EV_CLOSE, /* peer's close: close_code (1005 when absent), reason */
    WS_EV_ERROR, /* protocol violation: close_code and reason to send; stop reading */
} ws_event_type;

typedef struct ws_event {
    ws_event_type type;
    const uint8_t *data; /* valid until the next ws_reader call; NUL after a message */
    size_t len;
    uint16_t close_code;
    const char *reason; /* static text for errors; for CLOSE, points into data */
    size_t reason_len;
} ws_event;

typedef struct ws_reader {
    size_t max_message; /* a data message larger than this fails with 1009 */
    /* private */
    uint8_t *msg;
    size_t msg_len, msg_cap;
    uint8_t msg_opcode; /* 0 when no fragmented message is in progress */
    uint32_t utf8_state;
    uint8_t ctrl[125 + 2];
    bool failed;
    bool client; /* reads a server's frames: they must be unmasked */
} ws_reader;

void ws_reader_init(ws_reader *r, size_t max_message);
/* The same reader for the client side of a connection (the bench): frames
 * from a server must not be masked (1002 otherwise). */
void ws_reader_init_client(ws_reader *r, size_t max_message);
void ws_reader_free(ws_reader *r);

/* Reads at most one event from buf[0..len). Sets *consumed to the bytes used
 * (the caller drops them and calls again while *consumed > 0 or an event
 * came out). Only complete frames are consumed, so the caller keeps partial
 * frames in its input buffer. Rules enforced: client frames masked (1002),
 * RSV bits zero (1002), known opcodes (1002), control frames unfragmented
 * and <= 125 bytes (1002), continuation only inside a fragmented message
 * and a new data frame only outside one (1002), text valid UTF-8 (1007),
 * message size (1009), close payload of 1 byte or a bad close code (1002),
 * close reason UTF-8 (1007). After WS_EV_ERROR the reader stays failed. */
void ws_reader_next(ws_reader *r, const uint8_t *buf, size_t len, size_t *consumed, ws_event *ev);

/* Writes an unmasked server frame header for a payload of len bytes.
 * Returns its length (2, 4 or 10); out needs 10 bytes. */
size_t ws_frame_header_write(uint8_t *out, uint8_t opcode, bool fin, uint64_t len);

/* Writes a complete close frame (header, code, reason truncated to fit 125
 * bytes). Returns its length; out needs 127 bytes. */
size_t ws_close_frame_write(uint8_t *out, uint16_t code, const char *reason);

/* Handshake (RFC 6455 section 4.2). Checks method GET, HTTP/1.1,
 * Upgrade: websocket, Connection containing "upgrade" (token, any case),
 * Sec-WebSocket-Version: 13 (else 426), and a Sec-WebSocket-Key that is
 * base64 of 16 bytes. NULL means the header is absent. Returns 0 when the
 * upgrade may proceed, else the HTTP status to answer (400 or 426) with
 * *reason set to a static explanation. */
int ws_handshake_check(const char *method, const char *version, const char *upgrade,
                       const char *connection, const char *ws_version, const char *ws_key,
                       const char **reason);

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). out gets 28
 * characters and a NUL. */
void ws_accept_key(const char *key, char out[29]);

#endif

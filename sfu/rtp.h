/*
 * RTP packet view (RFC 3550) and header extensions (RFC 8285).
 *
 * Pure functions: bytes in, struct out, no I/O, no allocation. Any thread may
 * call them. The rtp_header struct only holds offsets into the caller's
 * buffer; the caller owns the buffer and keeps it alive while using them.
 */
#ifndef CONFAB_RTP_H
#define CONFAB_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_MIN_HEADER   12
#define RTP_EXT_ONE_BYTE 0xBEDE
#define RTP_MAX_EXT_ID   14 /* one-byte form ids are 1..14 */

/* Stable error codes returned (negated) by the parsers. */
enum rtp_error {
    RTP_OK = 0,
    RTP_ERR_SHORT = 1,     /* fewer bytes than the header claims */
    RTP_ERR_VERSION = 2,   /* version field is not 2 */
    RTP_ERR_PADDING = 3,   /* padding count is zero or exceeds the payload */
    RTP_ERR_EXTENSION = 4, /* header extension block is malformed */
};

typedef struct rtp_header {
    uint8_t padding;      /* P bit */
    uint8_t extension;    /* X bit */
    uint8_t csrc_count;   /* CC */
    uint8_t marker;       /* M bit */
    uint8_t payload_type; /* PT, 7 bits */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint16_t ext_profile; /* 0xBEDE, 0x100x (two-byte form), or other; 0 when X=0 */
    size_t ext_offset;    /* offset of the extension elements (after the 4-byte block header) */
    size_t ext_len;       /* length in bytes of the extension elements */
    size_t header_len;    /* offset of the payload */
    size_t payload_len;   /* payload bytes, padding excluded */
    size_t padding_len;   /* trailing padding bytes, 0 if P=0 */
} rtp_header;

/* Parses the fixed header, CSRCs, extension block and padding.
 * Returns 0 or a negated rtp_error. */
int rtp_parse(const uint8_t *buf, size_t len, rtp_header *out);

/* RFC 5761/7983 demultiplexing on an rtcp-mux transport: true when the
 * second byte is an RTCP packet type (192..223). Needs len >= 2. */
bool rtp_is_rtcp(const uint8_t *buf, size_t len);

/* Finds extension element `id` (one-byte or two-byte form). On success sets
 * *data and *len to the element's value inside buf and returns 0; returns -1 when
 * absent or when the packet has no extension block. */
int rtp_ext_find(const uint8_t *buf, const rtp_header *h, uint8_t id, const uint8_t **data,
                 size_t *len);

/* Rewrites extension ids in place. map[id] gives the new id for every id in
 * 1..255 (map has 256 entries); a new id of 0 removes the element by turning
 * its bytes into padding (RFC 8285 allows padding bytes between elements).
 * Returns 0, or -1 when the extension block is malformed. */
int rtp_ext_rewrite_ids(uint8_t *buf, const rtp_header *h, const uint8_t map[256]);

/* In-place field setters on a packet that rtp_parse accepted. */
void rtp_set_seq(uint8_t *buf, uint16_t seq);
void rtp_set_timestamp(uint8_t *buf, uint32_t ts);
void rtp_set_ssrc(uint8_t *buf, uint32_t ssrc);
void rtp_set_payload_type(uint8_t *buf, uint8_t pt);

/* Cheap SSRC peek for routing before decryption (the RTP header is clear
 * text in SRTP). Needs len >= 12. */
uint32_t rtp_peek_ssrc(const uint8_t *buf);

/* Returns true when the payload starts a video keyframe for the given codec
 * ("VP8", "VP9", "H264"; case-insensitive). Used to know when a new
 * subscriber can start decoding. */
bool rtp_is_keyframe(const char *codec, const uint8_t *payload, size_t len);

#endif

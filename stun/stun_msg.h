/*
 * STUN message codec (RFC 8489, with the RFC 3489 "classic" format and the
 * RFC 5780 attributes).
 *
 * Pure functions: bytes in, struct out; no I/O, no allocation, no global
 * state except a CRC table built once. Any thread may call them. A decoded
 * stun_msg points into the caller's buffer (software, username, ...): the
 * caller keeps that buffer alive while it uses the struct.
 *
 * The decoder is strict: it never reads past the buffer, and every malformed
 * message is rejected with a stun_reason. Unknown comprehension-optional
 * attributes are skipped; unknown comprehension-required ones are listed in
 * msg->unknown so the server can answer 420.
 */
#ifndef CONFAB_STUN_MSG_H
#define CONFAB_STUN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUN_HEADER_LEN      20
#define STUN_MAGIC_COOKIE    0x2112A442u
#define STUN_FINGERPRINT_XOR 0x5354554eu
#define STUN_MAX_UNKNOWN     16  /* unknown attributes remembered per message */
#define STUN_MAX_SOFTWARE    763 /* bytes (RFC 8489 14.14) */
#define STUN_MAX_USERNAME    512
#define STUN_MAX_REALM       763
#define STUN_MAX_NONCE       763
#define STUN_MAX_REASON      763

/* Methods and classes. */
#define STUN_METHOD_BINDING 0x001
enum stun_class {
    STUN_REQUEST = 0,
    STUN_INDICATION = 1,
    STUN_SUCCESS = 2,
    STUN_ERROR = 3,
};

/* Attribute types. */
enum stun_attr_type {
    STUN_ATTR_MAPPED_ADDRESS = 0x0001,
    STUN_ATTR_RESPONSE_ADDRESS = 0x0002, /* RFC 3489 only */
    STUN_ATTR_CHANGE_REQUEST = 0x0003,   /* RFC 5780 (and 3489) */
    STUN_ATTR_SOURCE_ADDRESS = 0x0004,   /* RFC 3489 only */
    STUN_ATTR_CHANGED_ADDRESS = 0x0005,  /* RFC 3489 only */
    STUN_ATTR_USERNAME = 0x0006,
    STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
    STUN_ATTR_ERROR_CODE = 0x0009,
    STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
    STUN_ATTR_REALM = 0x0014,
    STUN_ATTR_NONCE = 0x0015,
    STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
    STUN_ATTR_USERHASH = 0x001E,
    STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
    STUN_ATTR_PRIORITY = 0x0024,      /* ICE (RFC 8445) */
    STUN_ATTR_USE_CANDIDATE = 0x0025, /* ICE */
    STUN_ATTR_PADDING = 0x0026,       /* RFC 5780 */
    STUN_ATTR_RESPONSE_PORT = 0x0027, /* RFC 5780 */
    STUN_ATTR_SOFTWARE = 0x8022,
    STUN_ATTR_FINGERPRINT = 0x8028,
    STUN_ATTR_ICE_CONTROLLED = 0x8029,
    STUN_ATTR_ICE_CONTROLLING = 0x802A,
    STUN_ATTR_RESPONSE_ORIGIN = 0x802B, /* RFC 5780 */
    STUN_ATTR_OTHER_ADDRESS = 0x802C,   /* RFC 5780 */
};

/* CHANGE-REQUEST flags. */
#define STUN_CHANGE_IP   0x4u
#define STUN_CHANGE_PORT 0x2u

/* Why a message was rejected. Stable: tests and counters use the numbers. */
typedef enum stun_reason {
    STUN_OK = 0,
    STUN_E_SHORT = 1,             /* fewer than 20 bytes */
    STUN_E_NOT_STUN = 2,          /* first two bits not zero */
    STUN_E_LENGTH_ALIGN = 3,      /* length field not a multiple of 4 */
    STUN_E_LENGTH_MISMATCH = 4,   /* length field disagrees with the buffer */
    STUN_E_ATTR_TRUNCATED = 5,    /* an attribute runs past the message */
    STUN_E_ATTR_LENGTH = 6,       /* a known attribute has an impossible length */
    STUN_E_ADDR_FAMILY = 7,       /* address attribute with unknown family */
    STUN_E_AFTER_FINGERPRINT = 8, /* anything after FINGERPRINT */
    STUN_E_FINGERPRINT = 9,       /* FINGERPRINT does not match */
    STUN_E_ERROR_CODE = 10,       /* ERROR-CODE class or number out of range */
} stun_reason;

const char *stun_reason_name(stun_reason r);

typedef struct stun_addr {
    uint8_t family; /* 4 or 6; 0 = none */
    uint16_t port;  /* host order */
    uint8_t ip[16]; /* network order; IPv4 uses the first 4 bytes */
} stun_addr;

/* A string attribute: points into the decoded buffer, not NUL-terminated. */
typedef struct stun_bytes {
    const uint8_t *p; /* NULL when absent */
    size_t len;
} stun_bytes;

/* Bit per attribute present (first instance only: later ones are ignored). */
enum stun_has {
    STUN_HAS_MAPPED = 1u << 0,
    STUN_HAS_XOR_MAPPED = 1u << 1,
    STUN_HAS_OTHER_ADDRESS = 1u << 2,
    STUN_HAS_RESPONSE_ORIGIN = 1u << 3,
    STUN_HAS_CHANGE_REQUEST = 1u << 4,
    STUN_HAS_INTEGRITY = 1u << 5,
    STUN_HAS_INTEGRITY_SHA256 = 1u << 6,
    STUN_HAS_FINGERPRINT = 1u << 7,
    STUN_HAS_ERROR_CODE = 1u << 8,
    STUN_HAS_UNKNOWN_ATTRIBUTES = 1u << 9,
    STUN_HAS_SOURCE_ADDRESS = 1u << 10,
    STUN_HAS_CHANGED_ADDRESS = 1u << 11,
    STUN_HAS_PRIORITY = 1u << 12,
    STUN_HAS_USE_CANDIDATE = 1u << 13,
    STUN_HAS_RESPONSE_PORT = 1u << 14,
    STUN_HAS_PADDING = 1u << 15,
};

typedef struct stun_msg {
    uint16_t method; /* 12 bits */
    uint8_t cls;     /* enum stun_class */
    bool classic;    /* RFC 3489: no magic cookie, 128-bit transaction id */
    size_t length;   /* whole message, header included */
    /* Bytes 4..19 of the header: the cookie and 96-bit transaction id, or the
     * classic 128-bit transaction id. Responses copy all 16. */
    uint8_t tid[16];
    uint32_t has; /* enum stun_has */
    stun_addr mapped, xor_mapped, other_address, response_origin, source_address, changed_address;
    uint32_t change_flags; /* STUN_CHANGE_IP | STUN_CHANGE_PORT, other bits dropped */
    uint32_t priority;
    uint16_t response_port; /* RFC 5780 RESPONSE-PORT */
    uint16_t padding_len;   /* RFC 5780 PADDING value length */
    stun_bytes software, username, realm, nonce, reason;
    uint16_t error_code; /* 300..699 */
    /* UNKNOWN-ATTRIBUTES as received (in a 420 response). */
    uint16_t unknown_attrs[STUN_MAX_UNKNOWN];
    unsigned n_unknown_attrs;
    /* Comprehension-required attributes this codec does not know. */
    uint16_t unknown[STUN_MAX_UNKNOWN];
    unsigned n_unknown;
    /* Offsets of the integrity attributes' headers, for stun_check_*. */
    size_t integrity_off, integrity_sha256_off;
    size_t integrity_sha256_len; /* 16..32 */
} stun_msg;

/* Cheap test: could buf be a STUN message (RFC 7983 first byte 0..3, length
 * field consistent)? Used to ignore non-STUN traffic without a full decode. */
bool stun_looks_like(const uint8_t *buf, size_t len);

/* For stream transports (RFC 8489 6.2.2: no extra framing over TCP): the
 * whole message size a header announces, or 0 when the 20 header bytes
 * cannot start a STUN message. */
size_t stun_frame_length(const uint8_t *hdr20);

/* Decodes and validates one whole message (len bytes exactly). On success
 * returns STUN_OK and fills *m; FINGERPRINT, when present, is checked.
 * MESSAGE-INTEGRITY is only located: check it with stun_check_integrity. */
stun_reason stun_decode(const uint8_t *buf, size_t len, stun_msg *m);

/* HMAC-SHA1 MESSAGE-INTEGRITY of a decoded message, with the given key (for
 * short-term credentials the SASLprep'd password; long-term: MD5 of
 * "user:realm:password"). False when absent or wrong. */
bool stun_check_integrity(const uint8_t *buf, const stun_msg *m, const uint8_t *key,
                          size_t key_len);
bool stun_check_integrity_sha256(const uint8_t *buf, const stun_msg *m, const uint8_t *key,
                                 size_t key_len);

/* Message type field from method and class (RFC 8489 5, Figure 3). */
uint16_t stun_type(uint16_t method, uint8_t cls);

/* CRC-32 (ISO-HDLC, as zlib) of buf. */
uint32_t stun_crc32(const uint8_t *buf, size_t len);

/* ---- encoding ----
 * A writer fills a caller's buffer. Every put returns false (and the writer
 * stays failed) when the buffer is too small; stun_writer_finish then
 * returns 0. Attributes go in call order; integrity and fingerprint must be
 * the last puts, in that order. */
typedef struct stun_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool failed;
} stun_writer;

/* tid: the 16 bytes after the type and length (cookie + transaction id). */
bool stun_writer_init(stun_writer *w, uint8_t *buf, size_t cap, uint16_t method, uint8_t cls,
                      const uint8_t tid[16]);
bool stun_put_bytes(stun_writer *w, uint16_t type, const void *value, size_t len);
bool stun_put_u32(stun_writer *w, uint16_t type, uint32_t v);
/* Plain (MAPPED-ADDRESS, OTHER-ADDRESS, ...) or XORed with the writer's tid. */
bool stun_put_addr(stun_writer *w, uint16_t type, const stun_addr *a);
bool stun_put_xor_addr(stun_writer *w, uint16_t type, const stun_addr *a);
bool stun_put_error(stun_writer *w, uint16_t code, const char *reason);
bool stun_put_unknown(stun_writer *w, const uint16_t *types, unsigned n);
bool stun_put_integrity(stun_writer *w, const uint8_t *key, size_t key_len);
bool stun_put_integrity_sha256(stun_writer *w, const uint8_t *key, size_t key_len);
bool stun_put_fingerprint(stun_writer *w);
/* The message length, or 0 if any put failed. */
size_t stun_writer_finish(const stun_writer *w);

/* Bytes an address attribute takes on the wire, header included. */
static inline size_t stun_addr_attr_size(const stun_addr *a)
{
    return a->family == 6 ? 24 : 12;
}

#endif

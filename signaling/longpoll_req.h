/*
 * Private to the long-poll transport (longpoll.c, control thread;
 * longpoll_http.c, MHD's thread): one HTTP request on its way between the
 * two threads, and the server both see.
 */
#ifndef CONFAB_LONGPOLL_REQ_H
#define CONFAB_LONGPOLL_REQ_H

#include "longpoll.h"
#include "lpcodec.h"

/* Error bodies, in the protocol's error shape. */
#define LP_ERR_UNKNOWN                                                                             \
    "{\"type\":\"error\",\"id\":null,\"code\":\"unknown_session\","                                \
    "\"message\":\"no such long-poll session (unknown or expired)\"}"
#define LP_ERR_STOPPING                                                                            \
    "{\"type\":\"error\",\"id\":null,\"code\":\"shutting_down\","                                  \
    "\"message\":\"the server is shutting down\"}"

typedef enum lp_kind {
    LP_CREATE, /* POST /lp */
    LP_POST,   /* POST /lp/<sid> */
    LP_GET,    /* GET /lp/<sid> */
    LP_DELETE, /* DELETE /lp/<sid> */
} lp_kind;

/* Owned by MHD's thread until longpoll_submit posts it, then by the control
 * thread until request_answer resumes its connection, then by MHD's thread
 * again, which frees it when MHD reports the request completed. */
typedef struct lp_request {
    longpoll_server *srv;
    struct MHD_Connection *conn;
    lp_kind kind;
    char sid[LPCODEC_SID_LEN + 1];
    GByteArray *body; /* LP_POST: the body received so far */
    char host[256];   /* LP_CREATE: the Host header's host part (iceservers.h) */
    bool too_big;     /* the body went over LONGPOLL_MAX_BODY */
    /* Written by the control thread before it resumes the connection. */
    bool answered;
    unsigned status;
    char *answer; /* JSON text, or NULL for an empty body */
} lp_request;

struct longpoll_server {
    /* Set before MHD's thread starts, never changed: read by both. */
    GMainContext *ctx;
    /* Shared with MHD's thread, under gate: see longpoll_submit. */
    GMutex gate;
    bool gate_open;
    /* Atomic: answers handed back to MHD's thread and not yet completed,
     * so that shutdown can let them go out (longpoll_server_flush). */
    gint unsent;
    /* MHD's thread only: the requests longpoll_http_request started, so
     * that the completion callback frees exactly those. */
    GHashTable *live;
    /* Control thread only. */
    session_registry *reg;
    longpoll_options opt;
    GHashTable *clients; /* sid (in the client) -> lpclient */
    bool stopping;
};

/* MHD's thread, from the access handler: suspends r's connection and posts
 * r to the control thread. False, and nothing done, once the server
 * stopped accepting work. */
bool longpoll_submit(longpoll_server *srv, lp_request *r);

#endif

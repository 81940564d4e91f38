/*
 * The long-poll transport on libmicrohttpd's thread: checks a request,
 * collects its body, suspends it and hands it to the control thread
 * (longpoll.c), and sends the answer once the control thread resumed it.
 */
#include "iceservers.h"
#include "longpoll_req.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_TYPE     "application/json"
#define JSON_TYPE_LEN (sizeof JSON_TYPE - 1)

#define ERR_METHOD                                                                                 \
    "{\"type\":\"error\",\"id\":null,\"code\":\"bad_method\","                                     \
    "\"message\":\"method not allowed here\"}"
#define ERR_MEDIA_TYPE                                                                             \
    "{\"type\":\"error\",\"id\":null,\"code\":\"bad_content_type\","                               \
    "\"message\":\"POST bodies must be sent as Content-Type: application/json\"}"
#define ERR_TOO_BIG                                                                                \
    "{\"type\":\"error\",\"id\":null,\"code\":\"too_big\","                                        \
    "\"message\":\"the body is larger than 65536 bytes\"}"

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *body,
                               const char *allow)
{
    size_t len = body ? strlen(body) : 0;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    if (body) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, JSON_TYPE);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static bool kind_of(lpcodec_route route, const char *method, lp_kind *kind)
{
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (route == LPCODEC_ROUTE_CREATE) {
        *kind = LP_CREATE;
        return post;
    }
    if (post)
        *kind = LP_POST;
    else if (strcmp(method, MHD_HTTP_METHOD_GET) == 0)
        *kind = LP_GET;
    else if (strcmp(method, MHD_HTTP_METHOD_DELETE) == 0)
        *kind = LP_DELETE;
    else
        return false;
    return true;
}

/* A page of another origin can only send such a request after a CORS
 * preflight, which this server never grants: requiring it keeps other
 * sites from creating sessions or posting in a visitor's name. */
static bool is_json(struct MHD_Connection *conn)
{
    const char *ct =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncasecmp(ct, JSON_TYPE, JSON_TYPE_LEN) != 0) return false;
    char next = ct[JSON_TYPE_LEN];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

static bool declared_too_big(struct MHD_Connection *conn)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl) return false; /* chunked: counted as it arrives */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    return errno == ERANGE || (end != cl && v > LONGPOLL_MAX_BODY);
}

/* The headers are in: refuse what is wrong at once, else start a request.
 * Answering now makes MHD drop the rest of the body and the connection. */
static enum MHD_Result first_call(longpoll_server *srv, struct MHD_Connection *conn,
                                  const char *url, const char *method, void **req_cls)
{
    char sid[LPCODEC_SID_LEN + 1] = "";
    lpcodec_route route = lpcodec_parse_route(url, sid);
    lp_kind kind;
    if (!kind_of(route, method, &kind))
        return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, ERR_METHOD,
                       route == LPCODEC_ROUTE_CREATE ? "POST" : "GET, POST, DELETE");
    if (route == LPCODEC_ROUTE_BAD_SID || !srv)
        return respond(conn, MHD_HTTP_NOT_FOUND, LP_ERR_UNKNOWN, NULL);
    if ((kind == LP_POST || kind == LP_CREATE) && !is_json(conn))
        return respond(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, ERR_MEDIA_TYPE, NULL);
    if (kind == LP_POST && declared_too_big(conn))
        return respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, ERR_TOO_BIG, NULL);
    lp_request *r = g_new0(lp_request, 1);
    r->srv = srv;
    r->conn = conn;
    r->kind = kind;
    memcpy(r->sid, sid, sizeof sid);
    if (kind == LP_CREATE)
        iceservers_host_from_header(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST), r->host);
    if (kind == LP_POST) r->body = g_byte_array_new();
    g_hash_table_add(srv->live, r);
    *req_cls = r;
    return MHD_YES;
}

/* Bodies of other requests are read and dropped; an oversized one is
 * dropped as it comes, so memory stays bounded whatever the client sends. */
static void absorb(lp_request *r, const char *data, size_t len)
{
    if (!r->body || r->too_big) return;
    if (r->body->len + len > LONGPOLL_MAX_BODY) {
        r->too_big = true;
        g_byte_array_set_size(r->body, 0);
        return;
    }
    g_byte_array_append(r->body, (const guint8 *)data, (guint)len);
}

bool longpoll_http_matches(const char *url)
{
    char sid[LPCODEC_SID_LEN + 1];
    return lpcodec_parse_route(url, sid) != LPCODEC_ROUTE_NONE;
}

enum MHD_Result longpoll_http_request(longpoll_server *srv, struct MHD_Connection *conn,
                                      const char *url, const char *method, const char *upload_data,
                                      size_t *upload_data_size, void **req_cls)
{
    lp_request *r = *req_cls;
    if (!r) return first_call(srv, conn, url, method, req_cls);
    if (r->answered) /* resumed by the control thread */
        return respond(conn, r->status, r->answer, NULL);
    if (*upload_data_size) {
        absorb(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_big) return respond(conn, MHD_HTTP_CONTENT_TOO_LARGE, ERR_TOO_BIG, NULL);
    if (!longpoll_submit(srv, r))
        return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, LP_ERR_STOPPING, NULL);
    return MHD_YES; /* r belongs to the control thread until it resumes conn */
}

void longpoll_http_completed(longpoll_server *srv, void *req_cls)
{
    lp_request *r = req_cls;
    if (!srv || !r || !g_hash_table_remove(srv->live, r)) return; /* not ours */
    if (r->answered) g_atomic_int_add(&srv->unsent, -1);
    if (r->body) g_byte_array_unref(r->body);
    g_free(r->answer);
    g_free(r);
}

/*
 * HTTP API: suspend on MHD's thread, answer on the control thread (api.h).
 */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define API_MAGIC  0x61706921u /* marks a req_cls made here */
#define ROOMS_PATH "/api/rooms"

struct api_server {
    /* Set before MHD starts, never changed: read by both threads. */
    GMainContext *ctx;
    api_query_fn fn;
    void *user;
    /* The gate. */
    GMutex lock;
    bool open;
    unsigned inflight; /* suspended, not yet resumed */
};

typedef enum req_state { REQ_NEW, REQ_PENDING, REQ_DONE } req_state;

typedef struct api_request {
    uint32_t magic; /* first: api_http_completed reads it */
    req_state state;
    api_server *a;
    struct MHD_Connection *conn;
    char *name; /* NULL: the list */
    unsigned status;
    char *body; /* malloc'd, from the query */
} api_request;

api_server *api_server_new(GMainContext *ctx, api_query_fn fn, void *user)
{
    api_server *a = g_new0(api_server, 1);
    a->ctx = g_main_context_ref(ctx);
    a->fn = fn;
    a->user = user;
    g_mutex_init(&a->lock);
    a->open = true;
    return a;
}

static unsigned inflight(api_server *a)
{
    g_mutex_lock(&a->lock);
    unsigned n = a->inflight;
    g_mutex_unlock(&a->lock);
    return n;
}

void api_server_stop(api_server *a)
{
    if (!a) return;
    g_mutex_lock(&a->lock);
    a->open = false;
    g_mutex_unlock(&a->lock);
    /* Each counted request has posted (or is about to post) its message. */
    while (inflight(a) > 0)
        g_main_context_iteration(a->ctx, TRUE);
}

void api_server_free(api_server *a)
{
    if (!a) return;
    g_mutex_clear(&a->lock);
    g_main_context_unref(a->ctx);
    g_free(a);
}

bool api_http_matches(const char *url)
{
    size_t n = strlen(ROOMS_PATH);
    return strncmp(url, ROOMS_PATH, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

/* ---- control thread ---- */

static gboolean run_query(gpointer data)
{
    api_request *r = data;
    api_server *a = r->a;
    r->body = a->fn(a->user, r->name, &r->status);
    r->state = REQ_DONE;
    MHD_resume_connection(r->conn);
    g_mutex_lock(&a->lock);
    a->inflight--;
    g_mutex_unlock(&a->lock);
    return G_SOURCE_REMOVE;
}

/* ---- MHD's thread ---- */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    /* The same policy headers as every other answer of http.c. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static api_request *request_new(api_server *a, struct MHD_Connection *conn, const char *url)
{
    api_request *r = g_new0(api_request, 1);
    r->magic = API_MAGIC;
    r->a = a;
    r->conn = conn;
    const char *rest = url + strlen(ROOMS_PATH);
    /* "/api/rooms/" is the list too. */
    if (rest[0] == '/' && rest[1]) r->name = g_strdup(rest + 1);
    return r;
}

static enum MHD_Result start(api_request *r)
{
    api_server *a = r->a;
    g_mutex_lock(&a->lock);
    bool open = a->open;
    if (open) a->inflight++;
    g_mutex_unlock(&a->lock);
    if (!open)
        return respond(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                       "{\"code\":\"unavailable\",\"message\":\"server shutting down\"}");
    r->state = REQ_PENDING;
    MHD_suspend_connection(r->conn);
    g_main_context_invoke_full(a->ctx, G_PRIORITY_DEFAULT, run_query, r, NULL);
    return MHD_YES;
}

enum MHD_Result api_http_request(api_server *a, struct MHD_Connection *conn, const char *url,
                                 const char *method, size_t *upload_data_size, void **req_cls)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                       "{\"code\":\"method_not_allowed\",\"message\":\"use GET\"}");
    api_request *r = *req_cls;
    if (!r) {
        *req_cls = request_new(a, conn, url);
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->state == REQ_NEW) return start(r);
    if (r->state == REQ_PENDING) return MHD_YES; /* resumed early; cannot happen */
    if (!r->body)
        return respond(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                       "{\"code\":\"internal\",\"message\":\"out of memory\"}");
    return respond(conn, r->status, r->body);
}

void api_http_completed(void *req_cls)
{
    api_request *r = req_cls;
    if (!r || r->magic != API_MAGIC) return;
    r->magic = 0;
    free(r->body);
    g_free(r->name);
    g_free(r);
}

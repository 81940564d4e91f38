/*
 * libmicrohttpd front end: routes, static files, WebSocket upgrade.
 */
#include "http.h"

#include "iceservers.h"
#include "longpoll.h"
#include "metrics.h"
#include "netaddr.h"
#include "origin.h"
#include "protocol.h"
#include "websocket.h"
#include "www.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONNECTION_TIMEOUT_S 30
#define CONNECTION_LIMIT     4096
#define PATH_MAX_LEN         1024

struct http_server {
    /* Set before the MHD thread starts and never changed: read by both. */
    GMainContext *ctx;
    char *www_dir;
    char **allow_origins;
    int n_allow_origins;
    api_server *api;         /* NULL without an api_query */
    struct metrics *metrics; /* NULL: no /metrics */
    /* Control thread only. */
    struct MHD_Daemon *daemon;
    MHD_socket quiesced_fd; /* the listener, ours to close after MHD stops */
    wsconn_server *ws;
    bool stopped;
    /* Set before the MHD thread starts; both threads use it (longpoll.h). */
    longpoll_server *lp;
};

/* An upgraded socket on its way from the MHD thread to the control thread. */
typedef struct handoff {
    http_server *srv;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
    char host[ICESERVERS_HOST_MAX];
    size_t extra_len;
    uint8_t extra[];
} handoff;

/* ---- responses ---- */

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
    if (!r) return MHD_NO;
    add_common_headers(r);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static struct MHD_Response *text_response(const char *body, const char *type)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    return r;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned status, const char *body)
{
    return queue(conn, status, text_response(body, "text/plain; charset=utf-8"));
}

static enum MHD_Result respond_not_found(struct MHD_Connection *conn)
{
    return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* ---- WebSocket upgrade ---- */

static gboolean handoff_run(gpointer data)
{
    handoff *h = data;
    /* After MHD_stop_daemon the socket and urh are gone with MHD. */
    if (!h->srv->stopped)
        wsconn_server_accept(h->srv->ws, h->fd, h->urh, h->extra, h->extra_len, h->host);
    return G_SOURCE_REMOVE;
}

/* MHD thread: hand everything over and return at once. */
static void on_upgrade(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
                       size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)req_cls;
    http_server *srv = cls;
    handoff *h = g_malloc(sizeof *h + extra_in_size);
    h->srv = srv;
    iceservers_host_from_header(
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST), h->host);
    h->fd = sock;
    h->urh = urh;
    h->extra_len = extra_in_size;
    if (extra_in_size) memcpy(h->extra, extra_in, extra_in_size);
    g_main_context_invoke_full(srv->ctx, G_PRIORITY_DEFAULT, handoff_run, h, g_free);
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result serve_ws(http_server *srv, struct MHD_Connection *conn, const char *method,
                                const char *version)
{
    const char *key = header(conn, "Sec-WebSocket-Key");
    const char *reason = NULL;
    int status =
        ws_handshake_check(method, version, header(conn, "Upgrade"), header(conn, "Connection"),
                           header(conn, "Sec-WebSocket-Version"), key, &reason);
    if (status == 0 &&
        !origin_allowed(header(conn, "Origin"), header(conn, "Host"),
                        (const char *const *)srv->allow_origins, srv->n_allow_origins)) {
        status = MHD_HTTP_FORBIDDEN;
        reason = "WebSocket connections from this Origin are not allowed (see --allow-origin)";
    }
    if (status != 0) {
        char body[256];
        snprintf(body, sizeof body, "%s\n", reason ? reason : "bad WebSocket handshake");
        struct MHD_Response *r = text_response(body, "text/plain; charset=utf-8");
        if (r && status == MHD_HTTP_UPGRADE_REQUIRED)
            MHD_add_response_header(r, "Sec-WebSocket-Version", "13");
        return queue(conn, (unsigned)status, r);
    }
    char accept[29];
    ws_accept_key(key, accept);
    struct MHD_Response *r = MHD_create_response_for_upgrade(on_upgrade, srv);
    if (!r) return MHD_NO;
    /* MHD 0.9.75 requires the Connection header first and never adds it. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "Upgrade");
    MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "websocket");
    MHD_add_response_header(r, MHD_HTTP_HEADER_SEC_WEBSOCKET_ACCEPT, accept);
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- static files ---- */

/* Refuses what could leave the directory or expose private files: empty,
 * "." and ".." segments, hidden names, backslashes. */
static bool path_safe(const char *name)
{
    if (!*name || strlen(name) > PATH_MAX_LEN || strchr(name, '\\')) return false;
    const char *seg = name;
    for (;;) {
        const char *end = strchrnul(seg, '/');
        if (end == seg || *seg == '.') return false;
        if (!*end) return true;
        seg = end + 1;
    }
}

static struct MHD_Response *file_from_disk(const http_server *srv, const char *name)
{
    char path[PATH_MAX_LEN * 2];
    snprintf(path, sizeof path, "%s/%s", srv->www_dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    /* MHD owns fd from here, also on failure. */
    return MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
}

static struct MHD_Response *file_embedded(const char *name)
{
    const www_file *f = www_find(name);
    if (!f) return NULL;
    return MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result serve_file(const http_server *srv, struct MHD_Connection *conn,
                                  const char *url)
{
    char name[PATH_MAX_LEN + 16];
    const char *rel = url[0] == '/' ? url + 1 : url;
    size_t len = strlen(rel);
    if (len > PATH_MAX_LEN) return respond_not_found(conn);
    /* A directory URL means its index.html. */
    snprintf(name, sizeof name, "%s%s", rel, (len == 0 || rel[len - 1] == '/') ? "index.html" : "");
    if (!path_safe(name)) return respond_not_found(conn);
    struct MHD_Response *r = srv->www_dir ? file_from_disk(srv, name) : file_embedded(name);
    if (!r) return respond_not_found(conn);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, www_content_type(name));
    /* The files change with every build: always revalidate. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return queue(conn, MHD_HTTP_OK, r);
}

/* A room link opens the page, which reads the room from its own URL. */
static enum MHD_Result serve_room_link(const http_server *srv, struct MHD_Connection *conn,
                                       const char *room)
{
    if (!proto_room_valid(room)) return respond_not_found(conn);
    return serve_file(srv, conn, "/");
}

/* ---- routing ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)upload_data;
    static int seen;
    http_server *srv = cls;
    if (longpoll_http_matches(url))
        return longpoll_http_request(srv->lp, conn, url, method, upload_data, upload_data_size,
                                     req_cls);
    if (srv->api && api_http_matches(url))
        return api_http_request(srv->api, conn, url, method, upload_data_size, req_cls);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        struct MHD_Response *r = text_response("method not allowed\n", "text/plain; charset=utf-8");
        if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        return queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    }
    /* Answering from the first call makes MHD close the connection; waiting
     * for the end of the (normally empty) body keeps it alive for the next
     * file of the page. */
    if (!*req_cls) {
        *req_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/ws") == 0) return serve_ws(srv, conn, method, version);
    if (strcmp(url, "/healthz") == 0)
        return queue(conn, MHD_HTTP_OK, text_response("{\"status\":\"ok\"}\n", "application/json"));
    if (strcmp(url, "/metrics") == 0 && srv->metrics) {
        char *page = metrics_render(srv->metrics);
        struct MHD_Response *r = text_response(page, "text/plain; version=0.0.4; charset=utf-8");
        g_free(page);
        return queue(conn, MHD_HTTP_OK, r);
    }
    if (strncmp(url, "/r/", 3) == 0) return serve_room_link(srv, conn, url + 3);
    return serve_file(srv, conn, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    http_server *srv = cls;
    /* Each ignores a req_cls it did not make. */
    api_http_completed(*req_cls);
    longpoll_http_completed(srv->lp, *req_cls);
}

/* ---- lifetime ---- */

http_server *http_start(const http_options *opt, GMainContext *control, wsconn_server *ws)
{
    struct sockaddr_storage ss;
    socklen_t ss_len;
    if (!netaddr_parse(opt->bind, opt->port, &ss, &ss_len)) {
        fprintf(stderr, "confab: bad listen address '%s'\n", opt->bind);
        return NULL;
    }
    http_server *srv = g_new0(http_server, 1);
    srv->ctx = g_main_context_ref(control);
    srv->quiesced_fd = MHD_INVALID_SOCKET;
    srv->www_dir = g_strdup(opt->www_dir);
    srv->ws = ws;
    srv->n_allow_origins = opt->n_allow_origins;
    srv->allow_origins = g_new0(char *, (gsize)opt->n_allow_origins + 1);
    for (int i = 0; i < opt->n_allow_origins; i++)
        srv->allow_origins[i] = g_strdup(opt->allow_origins[i]);
    if (opt->api_query) srv->api = api_server_new(control, opt->api_query, opt->api_user);
    srv->lp = opt->longpoll;
    srv->metrics = opt->metrics;
    /* MHD_USE_ITC lets http_quiesce stop the listener of a running thread,
     * and wakes that thread when the control thread resumes a suspended
     * long-poll request (MHD_ALLOW_SUSPEND_RESUME implies it). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_UPGRADE |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    srv->daemon = MHD_start_daemon(
        flags, opt->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTION_LIMIT, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        fprintf(stderr, "confab: cannot listen on %s port %u: %s\n", opt->bind, (unsigned)opt->port,
                errno ? g_strerror(errno) : "libmicrohttpd failed");
        http_free(srv);
        return NULL;
    }
    return srv;
}

uint16_t http_port(const http_server *srv)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void http_quiesce(http_server *srv)
{
    if (!srv || !srv->daemon) return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
}

void http_stop(http_server *srv)
{
    if (!srv || !srv->daemon) return;
    /* MHD must not stop with a connection suspended. */
    api_server_stop(srv->api);
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    /* Only now: MHD's thread may poll the listener until it stops. */
    if (srv->quiesced_fd != MHD_INVALID_SOCKET) close(srv->quiesced_fd);
    srv->quiesced_fd = MHD_INVALID_SOCKET;
    srv->stopped = true;
}

void http_free(http_server *srv)
{
    if (!srv) return;
    http_stop(srv);
    api_server_free(srv->api);
    g_strfreev(srv->allow_origins);
    g_main_context_unref(srv->ctx);
    g_free(srv->www_dir);
    g_free(srv);
}

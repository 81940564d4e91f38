#include "transport.h"

#include <agent.h>
#include <string.h>

#include "rtp.h"
#include "srtp_session.h"

#define HANDSHAKE_DEADLINE_MS 30000

struct transport {
    worker *worker;
    NiceAgent *agent;
    guint stream;
    transport_callbacks cb;
    void *user;
    const dtls_cert *cert;
    dtls_session *dtls;
    GSource *dtls_timer;
    GSource *deadline; /* DTLS must finish this long after ICE connects */
    bool dtls_failed;  /* unlike an ICE failure, no restart undoes it */
    srtp_session srtp;
    transport_state state;
    bool ice_ok;
    bool remote_set;
    char remote_ufrag[64];
    char *ufrag, *pwd;
};

static void drop_source(GSource **src)
{
    if (!*src) return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

static void transport_set_state(transport *t, transport_state st, const char *reason)
{
    if (t->state == st || t->state == TRANSPORT_FAILED || t->state == TRANSPORT_CLOSED) return;
    t->state = st;
    t->cb.on_state(t->user, st, reason);
}

static void dtls_send(void *user, const uint8_t *data, size_t len)
{
    transport *t = user;
    nice_agent_send(t->agent, t->stream, 1, (guint)len, (const gchar *)data);
}

static void dtls_schedule_timer(transport *t);
static void dtls_after(transport *t, dtls_state st);

static gboolean dtls_timer_fired(gpointer data)
{
    transport *t = data;
    g_source_unref(t->dtls_timer);
    t->dtls_timer = NULL;
    /* OpenSSL gives up after its retransmission limit: report it. */
    dtls_after(t, dtls_session_on_timeout(t->dtls));
    return G_SOURCE_REMOVE;
}

/* DTLS handshake retransmission is driven by OpenSSL's timer, which only
 * advances when we call it back; keep one timer armed while it asks. */
static void dtls_schedule_timer(transport *t)
{
    drop_source(&t->dtls_timer);
    if (!t->dtls || dtls_session_state(t->dtls) == DTLS_STATE_CONNECTED) return;
    int ms = dtls_session_timeout_ms(t->dtls);
    if (ms < 0) return;
    t->dtls_timer = g_timeout_source_new((guint)ms);
    g_source_set_callback(t->dtls_timer, dtls_timer_fired, t, NULL);
    g_source_attach(t->dtls_timer, t->worker->ctx);
}

static void dtls_after(transport *t, dtls_state st)
{
    if (st == DTLS_STATE_CONNECTED && !t->srtp.ready) {
        dtls_srtp_keys keys;
        if (dtls_session_srtp_keys(t->dtls, &keys) != 0 || srtp_session_init(&t->srtp, &keys)) {
            t->dtls_failed = true;
            transport_set_state(t, TRANSPORT_FAILED, "srtp keying failed");
            return;
        }
        transport_set_state(t, TRANSPORT_CONNECTED, NULL);
    } else if (st == DTLS_STATE_FAILED) {
        t->dtls_failed = true;
        transport_set_state(t, TRANSPORT_FAILED, dtls_session_error(t->dtls));
    } else if (st == DTLS_STATE_CLOSED) {
        transport_set_state(t, TRANSPORT_CLOSED, "dtls closed by peer");
    }
    dtls_schedule_timer(t);
}

static void handle_srtp(transport *t, const uint8_t *data, size_t len)
{
    if (!t->srtp.ready || len > WORKER_PACKET_MAX || len < 4) return;
    uint8_t *buf = t->worker->in_buf;
    memcpy(buf, data, len);
    if (rtp_is_rtcp(buf, len)) {
        if (srtp_session_unprotect_rtcp(&t->srtp, buf, &len) == 0) t->cb.on_rtcp(t->user, buf, len);
    } else if (len >= RTP_MIN_HEADER) {
        if (srtp_session_unprotect_rtp(&t->srtp, buf, &len) == 0) t->cb.on_rtp(t->user, buf, len);
    }
}

/* RFC 7983 demultiplexing; STUN never gets here, libnice keeps it. */
static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len, gchar *buf,
                    gpointer user)
{
    (void)agent;
    (void)stream;
    (void)comp;
    transport *t = user;
    const uint8_t *p = (const uint8_t *)buf;
    if (len == 0) return;
    if (p[0] >= 128 && p[0] <= 191) {
        handle_srtp(t, p, len);
    } else if (p[0] >= 20 && p[0] <= 63 && t->dtls) {
        dtls_after(t, dtls_session_handle(t->dtls, p, len));
    }
}

static void on_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer user)
{
    transport *t = user;
    gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, cand);
    if (!sdp) return;
    const char *line = g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp;
    t->cb.on_candidate(t->user, line);
    g_free(sdp);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer user)
{
    (void)agent;
    (void)stream;
    transport *t = user;
    t->cb.on_candidate(t->user, "");
}

/* The DTLS server side has no retransmission timer until a ClientHello
 * arrives: a peer that completes ICE but never starts DTLS would otherwise
 * hang forever. */
static gboolean handshake_deadline(gpointer data)
{
    transport *t = data;
    g_source_unref(t->deadline);
    t->deadline = NULL;
    if (!t->srtp.ready) transport_set_state(t, TRANSPORT_FAILED, "DTLS handshake timed out");
    return G_SOURCE_REMOVE;
}

static void arm_handshake_deadline(transport *t)
{
    if (t->deadline) return;
    t->deadline = g_timeout_source_new(HANDSHAKE_DEADLINE_MS);
    g_source_set_callback(t->deadline, handshake_deadline, t, NULL);
    g_source_attach(t->deadline, t->worker->ctx);
}

static void start_dtls_if_ready(transport *t)
{
    if (!t->ice_ok || !t->dtls || dtls_session_state(t->dtls) != DTLS_STATE_NEW) return;
    if (dtls_session_start(t->dtls) != 0) {
        transport_set_state(t, TRANSPORT_FAILED, "DTLS handshake could not start");
        return;
    }
    arm_handshake_deadline(t);
    dtls_after(t, dtls_session_state(t->dtls));
}

static void on_component_state(NiceAgent *agent, guint stream, guint comp, guint state,
                               gpointer user)
{
    (void)agent;
    (void)stream;
    (void)comp;
    transport *t = user;
    if (state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) {
        t->ice_ok = true;
        start_dtls_if_ready(t);
        /* After an ICE restart the DTLS session is already up. */
        if (t->srtp.ready) transport_set_state(t, TRANSPORT_CONNECTED, NULL);
    } else if (state == NICE_COMPONENT_STATE_FAILED) {
        transport_set_state(t, TRANSPORT_FAILED,
                            t->ice_ok ? "ice consent lost" : "ice connectivity failed");
    }
}

static void agent_add_addresses(NiceAgent *agent, const transport_config *cfg)
{
    for (int i = 0; i < cfg->n_addresses; i++) {
        NiceAddress addr;
        nice_address_init(&addr);
        if (nice_address_set_from_string(&addr, cfg->addresses[i]))
            nice_agent_add_local_address(agent, &addr);
    }
}

transport *transport_create(const transport_config *cfg, const transport_callbacks *cb, void *user)
{
    transport *t = g_new0(transport, 1);
    t->worker = cfg->worker;
    t->cb = *cb;
    t->user = user;
    t->cert = cfg->cert;
    t->agent =
        nice_agent_new_full(cfg->worker->ctx, NICE_COMPATIBILITY_RFC5245,
                            NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS);
    g_object_set(t->agent, "controlling-mode", cfg->controlling, "ice-tcp", FALSE, "upnp", FALSE,
                 NULL);
    agent_add_addresses(t->agent, cfg);
    t->stream = nice_agent_add_stream(t->agent, 1);
    if (cfg->port_min && cfg->port_max)
        nice_agent_set_port_range(t->agent, t->stream, 1, cfg->port_min, cfg->port_max);
    nice_agent_get_local_credentials(t->agent, t->stream, &t->ufrag, &t->pwd);
    g_signal_connect(t->agent, "new-candidate-full", G_CALLBACK(on_candidate), t);
    g_signal_connect(t->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), t);
    g_signal_connect(t->agent, "component-state-changed", G_CALLBACK(on_component_state), t);
    nice_agent_attach_recv(t->agent, t->stream, 1, cfg->worker->ctx, on_recv, t);
    return t;
}

int transport_gather(transport *t)
{
    if (nice_agent_gather_candidates(t->agent, t->stream)) return 0;
    transport_set_state(t, TRANSPORT_FAILED,
                        "could not gather candidates (no address or port free)");
    return -1;
}

void transport_destroy(transport *t)
{
    if (!t) return;
    if (t->dtls && dtls_session_state(t->dtls) == DTLS_STATE_CONNECTED) dtls_session_close(t->dtls);
    drop_source(&t->dtls_timer);
    drop_source(&t->deadline);
    g_signal_handlers_disconnect_by_data(t->agent, t);
    nice_agent_attach_recv(t->agent, t->stream, 1, t->worker->ctx, NULL, NULL);
    nice_agent_remove_stream(t->agent, t->stream);
    g_object_unref(t->agent);
    dtls_session_free(t->dtls);
    srtp_session_clear(&t->srtp);
    g_free(t->ufrag);
    g_free(t->pwd);
    g_free(t);
}

const char *transport_ice_ufrag(const transport *t)
{
    return t->ufrag;
}

const char *transport_ice_pwd(const transport *t)
{
    return t->pwd;
}

void transport_sdp_local(const transport *t, sdp_setup setup, sdp_local *out)
{
    memset(out, 0, sizeof *out);
    g_strlcpy(out->ice_ufrag, t->ufrag, sizeof out->ice_ufrag);
    g_strlcpy(out->ice_pwd, t->pwd, sizeof out->ice_pwd);
    g_strlcpy(out->fingerprint, dtls_cert_fingerprint(t->cert), sizeof out->fingerprint);
    out->setup = setup;
}

const char *transport_remote_ufrag(const transport *t)
{
    return t->remote_set ? t->remote_ufrag : NULL;
}

/* RFC 8445 9: new credentials, checks from scratch, same local candidates;
 * the DTLS association and SRTP keys carry over (RFC 8829 5.8). A transport
 * that failed only because ICE did gets another chance. */
int transport_restart_ice(transport *t)
{
    if (!nice_agent_restart_stream(t->agent, t->stream)) return -1;
    g_free(t->ufrag);
    g_free(t->pwd);
    t->ufrag = t->pwd = NULL;
    nice_agent_get_local_credentials(t->agent, t->stream, &t->ufrag, &t->pwd);
    t->remote_set = false;
    t->remote_ufrag[0] = 0;
    t->ice_ok = false;
    if (t->state == TRANSPORT_FAILED && !t->dtls_failed) t->state = TRANSPORT_NEW;
    return 0;
}

void transport_emit_local_candidates(transport *t)
{
    GSList *cands = nice_agent_get_local_candidates(t->agent, t->stream, 1);
    for (GSList *l = cands; l; l = l->next)
        on_candidate(t->agent, l->data, t);
    g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
    t->cb.on_candidate(t->user, "");
}

transport_state transport_get_state(const transport *t)
{
    return t->state;
}

int transport_set_remote(transport *t, const char *ufrag, const char *pwd, const char *fingerprint,
                         dtls_role role)
{
    if (t->remote_set) return strcmp(t->remote_ufrag, ufrag) == 0 ? 0 : -1;
    if (!t->dtls) t->dtls = dtls_session_create(t->cert, role, fingerprint, dtls_send, t);
    if (!t->dtls) return -1;
    if (!nice_agent_set_remote_credentials(t->agent, t->stream, ufrag, pwd)) return -1;
    g_strlcpy(t->remote_ufrag, ufrag, sizeof t->remote_ufrag);
    t->remote_set = true;
    start_dtls_if_ready(t);
    return 0;
}

int transport_add_remote_candidate(transport *t, const char *candidate)
{
    if (!candidate || !*candidate) {
        nice_agent_peer_candidate_gathering_done(t->agent, t->stream);
        return 0;
    }
    char line[512];
    g_snprintf(line, sizeof line, "%s%s", g_str_has_prefix(candidate, "a=") ? "" : "a=", candidate);
    NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(t->agent, t->stream, line);
    if (!c) return -1;
    int rc = 0;
    if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP) {
        rc = -1;
    } else {
        GSList *list = g_slist_append(NULL, c);
        rc = nice_agent_set_remote_candidates(t->agent, t->stream, 1, list) == 1 ? 0 : -1;
        g_slist_free(list);
    }
    nice_candidate_free(c);
    return rc;
}

static int transport_send(transport *t, uint8_t *buf, size_t len)
{
    return nice_agent_send(t->agent, t->stream, 1, (guint)len, (const gchar *)buf) < 0 ? -1 : 0;
}

int transport_send_rtp(transport *t, uint8_t *buf, size_t len, size_t cap)
{
    if (t->state != TRANSPORT_CONNECTED) return -1;
    if (srtp_session_protect_rtp(&t->srtp, buf, &len, cap) != 0) return -1;
    return transport_send(t, buf, len);
}

int transport_send_rtcp(transport *t, uint8_t *buf, size_t len, size_t cap)
{
    if (t->state != TRANSPORT_CONNECTED) return -1;
    if (srtp_session_protect_rtcp(&t->srtp, buf, &len, cap) != 0) return -1;
    return transport_send(t, buf, len);
}

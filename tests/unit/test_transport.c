/*
 * Two real transports (libnice ICE + OpenSSL DTLS + libsrtp) talking over
 * loopback inside a private network namespace: the controlling one plays
 * the server's subscribe side, the controlled one a browser.
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "netns.h"
#include "sfu/rtcp.h"
#include "sfu/srtp_session.h"
#include "sfu/transport.h"

typedef struct end {
    const char *name;
    transport *t;
    struct end *other;
    transport_state state;
    uint8_t last_rtp[256];
    size_t last_rtp_len;
    int rtcp_count;
    uint32_t last_pli_ssrc;
} end;

static void on_candidate(void *user, const char *cand)
{
    end *e = user;
    transport_add_remote_candidate(e->other->t, cand);
}

static void on_state(void *user, transport_state st, const char *reason)
{
    end *e = user;
    e->state = st;
    if (reason) fprintf(stderr, "%s: state %d (%s)\n", e->name, st, reason);
}

static void on_rtp(void *user, uint8_t *buf, size_t len)
{
    end *e = user;
    if (len <= sizeof e->last_rtp) memcpy(e->last_rtp, buf, len);
    e->last_rtp_len = len;
}

static void on_rtcp(void *user, uint8_t *buf, size_t len)
{
    end *e = user;
    size_t off = 0;
    rtcp_packet p;
    rtcp_fb fb;
    e->rtcp_count++;
    while (rtcp_next(buf, len, &off, &p) == 1)
        if (p.type == RTCP_PSFB && rtcp_parse_fb(&p, &fb) == 0 && fb.fmt == 1)
            e->last_pli_ssrc = fb.media_ssrc;
}

static const transport_callbacks cbs = {on_candidate, on_state, on_rtp, on_rtcp};

static bool run_until(worker *w, bool (*done)(end *, end *), end *a, end *b, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    while (!done(a, b) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(w->ctx, FALSE), g_usleep(1000);
    return done(a, b);
}

static bool both_settled(end *a, end *b)
{
    return a->state != TRANSPORT_NEW && b->state != TRANSPORT_NEW;
}

static bool got_rtp(end *a, end *b)
{
    (void)a;
    return b->last_rtp_len > 0;
}

static bool got_rtcp(end *a, end *b)
{
    (void)b;
    return a->rtcp_count > 0;
}

static void make_pair(worker *w, dtls_cert *ca, dtls_cert *cb, const char *b_expects, end *a,
                      end *b)
{
    static const char *addrs[] = {"127.0.0.1"};
    transport_config ca_cfg = {.worker = w,
                               .cert = ca,
                               .addresses = addrs,
                               .n_addresses = 1,
                               .port_min = 41000,
                               .port_max = 41999,
                               .controlling = true};
    transport_config cb_cfg = ca_cfg;
    cb_cfg.cert = cb;
    cb_cfg.controlling = false;
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->name = "server";
    b->name = "client";
    a->other = b;
    b->other = a;
    a->t = transport_create(&ca_cfg, &cbs, a);
    b->t = transport_create(&cb_cfg, &cbs, b);
    /* The offerer (a) said actpass; the answerer (b) chose active: b is the
     * DTLS client. */
    CHECK_EQ(transport_set_remote(a->t, transport_ice_ufrag(b->t), transport_ice_pwd(b->t),
                                  dtls_cert_fingerprint(cb), DTLS_ROLE_SERVER),
             0);
    CHECK_EQ(transport_set_remote(b->t, transport_ice_ufrag(a->t), transport_ice_pwd(a->t),
                                  b_expects, DTLS_ROLE_CLIENT),
             0);
    CHECK_EQ(transport_gather(a->t), 0);
    CHECK_EQ(transport_gather(b->t), 0);
}

/* Both sides restart (as after a network change): new credentials, new
 * checks, and media keeps flowing under the same DTLS keys. */
static void test_ice_restart(worker *w, end *a, end *b, const uint8_t *copy)
{
    char old_ufrag[64];
    g_strlcpy(old_ufrag, transport_ice_ufrag(a->t), sizeof old_ufrag);
    CHECK_EQ(transport_restart_ice(a->t), 0);
    CHECK_EQ(transport_restart_ice(b->t), 0);
    CHECK(strcmp(old_ufrag, transport_ice_ufrag(a->t)) != 0);
    CHECK(transport_remote_ufrag(a->t) == NULL);
    CHECK_EQ(transport_set_remote(a->t, transport_ice_ufrag(b->t), transport_ice_pwd(b->t), "",
                                  DTLS_ROLE_SERVER),
             0);
    CHECK_EQ(transport_set_remote(b->t, transport_ice_ufrag(a->t), transport_ice_pwd(a->t), "",
                                  DTLS_ROLE_CLIENT),
             0);
    transport_emit_local_candidates(a->t);
    transport_emit_local_candidates(b->t);
    b->last_rtp_len = 0;
    uint8_t pkt[WORKER_BUF_SIZE];
    memcpy(pkt, copy, 26);
    pkt[3] = 0x35; /* next sequence number: SRTP refuses a replay */
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    /* Sends fail or get lost until the new pair is selected; keep trying. */
    while (b->last_rtp_len == 0 && g_get_monotonic_time() < deadline) {
        uint8_t tmp[WORKER_BUF_SIZE];
        memcpy(tmp, pkt, 26);
        transport_send_rtp(a->t, tmp, 26, sizeof tmp);
        pkt[3]++;
        for (int i = 0; i < 20; i++)
            g_main_context_iteration(w->ctx, FALSE), g_usleep(1000);
    }
    CHECK(b->last_rtp_len == 26);
    CHECK(memcmp(b->last_rtp + 12, copy + 12, 14) == 0);
    CHECK_EQ(a->state, TRANSPORT_CONNECTED);
    CHECK_EQ(b->state, TRANSPORT_CONNECTED);
}

static void test_media_flows(worker *w, dtls_cert *ca, dtls_cert *cb)
{
    end a, b;
    make_pair(w, ca, cb, dtls_cert_fingerprint(ca), &a, &b);
    CHECK(run_until(w, both_settled, &a, &b, 10000));
    CHECK_EQ(a.state, TRANSPORT_CONNECTED);
    CHECK_EQ(b.state, TRANSPORT_CONNECTED);

    uint8_t pkt[WORKER_BUF_SIZE] = {0x80, 96, 0x12, 0x34, 0, 0, 0x10, 0, 0xCA, 0xFE, 0xBA, 0xBE};
    memcpy(pkt + 12, "confab payload", 14);
    uint8_t copy[26];
    memcpy(copy, pkt, 26);
    CHECK_EQ(transport_send_rtp(a.t, pkt, 26, sizeof pkt), 0);
    CHECK(run_until(w, got_rtp, &a, &b, 5000));
    CHECK_EQ(b.last_rtp_len, 26);
    CHECK(memcmp(b.last_rtp, copy, 26) == 0);

    int n = rtcp_write_pli(pkt, sizeof pkt, 1, 0xCAFEBABE);
    CHECK(n > 0);
    CHECK_EQ(transport_send_rtcp(b.t, pkt, (size_t)n, sizeof pkt), 0);
    CHECK(run_until(w, got_rtcp, &a, &b, 5000));
    CHECK_EQ(a.last_pli_ssrc, 0xCAFEBABE);

    test_ice_restart(w, &a, &b, copy);
    transport_destroy(a.t);
    transport_destroy(b.t);
}

static void test_fingerprint_mismatch(worker *w, dtls_cert *ca, dtls_cert *cb)
{
    end a, b;
    /* b expects its own certificate's fingerprint: a's does not match. */
    make_pair(w, ca, cb, dtls_cert_fingerprint(cb), &a, &b);
    run_until(w, both_settled, &a, &b, 10000);
    CHECK_EQ(b.state, TRANSPORT_FAILED);
    CHECK(a.state != TRANSPORT_CONNECTED || b.state == TRANSPORT_FAILED);
    uint8_t pkt[WORKER_BUF_SIZE] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK_EQ(transport_send_rtp(b.t, pkt, 12, sizeof pkt), -1);
    transport_destroy(a.t);
    transport_destroy(b.t);
}

int main(void)
{
    if (netns_enter() != 0) return 1;
    CHECK_EQ(srtp_session_global_init(), 0);
    worker w;
    memset(&w, 0, sizeof w);
    w.ctx = g_main_context_new();
    dtls_cert *ca = dtls_cert_create();
    dtls_cert *cb = dtls_cert_create();
    CHECK(ca && cb);
    test_media_flows(&w, ca, cb);
    test_fingerprint_mismatch(&w, ca, cb);
    /* Let libnice's pending sources run down before tearing down. */
    for (int i = 0; i < 50; i++)
        g_main_context_iteration(w.ctx, FALSE);
    dtls_cert_free(ca);
    dtls_cert_free(cb);
    g_main_context_unref(w.ctx);
    return check_finish("test_transport");
}

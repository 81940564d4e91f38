/*
 * janus_probe: checks the bench's Janus client against a real Janus.
 *
 *   janus_probe --url ws://ADDR:PORT/ [--room N] [--media SECONDS] [--address ADDR]
 *
 * Signaling (always): a session, a VideoRoom handle, the room created, a
 * publisher joined, and the bench publisher's own offer (media_peer.h: a
 * sendonly VP8 + Opus offer with a=ssrc lines and real ICE credentials and
 * fingerprint) answered by Janus with a usable answer.
 * With --media: the publisher connects (ICE, DTLS, SRTP) and sends synthetic
 * media; a second participant subscribes, answers Janus's offer, and must
 * receive both tracks with no packet missing.
 *
 * Exit status: 0 every check passed, 1 a check failed, 2 could not run.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "janus_client.h"
#include "media_peer.h"
#include "sdp.h"

#define SIGNALING_DEADLINE_S 15

typedef struct probe probe;

typedef struct party {
    probe *pr;
    const char *name;
    janus_client *jc;
    media_peer *pub, *sub;
    media_tx_stats tx;
    synth_rx rx;
    bool connected;
} party;

struct probe {
    bench_loop *loop;
    bench_target target;
    worker *worker;
    dtls_cert *cert;
    media_flags flags;
    const char *address;
    uint64_t room;
    double media_s;
    party a, b;
    int failures;
    bool answered, offered;
    int64_t media_start;
};

static void check(probe *pr, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void check(probe *pr, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (!ok) {
        pr->failures++;
        bench_loop_quit(pr->loop);
    }
}

/* An SDP from Janus has every m-section of `kinds` in order, each with the
 * given direction. */
static bool sdp_shape(const char *text, const char *const *kinds, int n, sdp_direction dir,
                      const char **why)
{
    sdp_session *s = g_new0(sdp_session, 1);
    bool ok = sdp_parse(text, strlen(text), s, why) == 0;
    if (ok && s->n_media != n) *why = "unexpected number of m-sections", ok = false;
    for (int i = 0; ok && i < n; i++)
        if (strcmp(s->media[i].kind, kinds[i]) || s->media[i].direction != dir ||
            s->media[i].port == 0 || s->media[i].n_codecs < 1)
            *why = "an m-section has the wrong kind, direction or no codec", ok = false;
    g_free(s);
    return ok;
}

/* ---- media peer callbacks ---------------------------------------------------- */

static void on_local_sdp(void *user, const char *sdp)
{
    party *p = user;
    if (p->pub)
        check(p->pr, janus_client_publish(p->jc, sdp) == 0, "%s: offer sent to Janus", p->name);
    else
        check(p->pr, janus_client_answer(p->jc, sdp) == 0, "%s: answer sent to Janus", p->name);
}

static void on_pub_candidate(void *user, const char *c)
{
    party *p = user;
    janus_client_trickle(p->jc, JANUS_LEG_PUB, c);
}

static void on_sub_candidate(void *user, const char *c)
{
    party *p = user;
    janus_client_trickle(p->jc, JANUS_LEG_SUB, c);
}

static void start_subscriber(probe *pr);

static void on_state(void *user, transport_state st, const char *reason)
{
    party *p = user;
    bool bad = st == TRANSPORT_FAILED || st == TRANSPORT_CLOSED;
    if (bad || (st == TRANSPORT_CONNECTED && !p->connected))
        check(p->pr, !bad, "%s: transport %s %s", p->name, bad ? "failed" : "connected",
              reason ? reason : "");
    if (st != TRANSPORT_CONNECTED || p->connected) return;
    p->connected = true;
    if (p == &p->pr->a) start_subscriber(p->pr);
}

static void on_peer_error(void *user, const char *what)
{
    party *p = user;
    check(p->pr, false, "%s: media peer: %s", p->name, what);
}

static const media_peer_callbacks pub_cb = {on_local_sdp, on_pub_candidate, on_state,
                                            on_peer_error};
static const media_peer_callbacks sub_cb = {on_local_sdp, on_sub_candidate, on_state,
                                            on_peer_error};

static media_peer *new_peer(party *p, media_peer_role role)
{
    probe *pr = p->pr;
    media_peer_config cfg = {
        .role = role,
        .worker = pr->worker,
        .control = bench_loop_context(pr->loop),
        .cert = pr->cert,
        .address = pr->address,
        .flags = &pr->flags,
        .video_bitrate = 500000,
        .fps = 30,
        .keyframe_interval_s = 2,
        .tx = &p->tx,
        .rx = &p->rx,
    };
    return media_peer_new(&cfg, role == MEDIA_PEER_PUBLISHER ? &pub_cb : &sub_cb, p);
}

/* ---- Janus client callbacks ---------------------------------------------------- */

static void on_joined(void *user, uint64_t id)
{
    party *p = user;
    check(p->pr, id != 0, "%s: session, handle, room %llu and join (feed id %llu)", p->name,
          (unsigned long long)p->pr->room, (unsigned long long)id);
    if (p == &p->pr->a) {
        p->pub = new_peer(p, MEDIA_PEER_PUBLISHER);
        if (!p->pub) check(p->pr, false, "%s: could not make the publisher peer", p->name);
    }
}

static void on_answer(void *user, const char *sdp)
{
    party *p = user;
    static const char *const kinds[] = {"audio", "video"};
    const char *why = "";
    bool ok = sdp_shape(sdp, kinds, 2, SDP_DIR_RECVONLY, &why);
    check(p->pr, ok, "%s: Janus answered the publish offer (audio + video recvonly) %s", p->name,
          ok ? "" : why);
    p->pr->answered = ok;
    if (ok && p->pr->media_s <= 0) bench_loop_quit(p->pr->loop);
    if (ok && p->pub) media_peer_set_remote_sdp(p->pub, sdp);
}

static void on_offer(void *user, const char *sdp)
{
    party *p = user;
    static const char *const kinds[] = {"audio", "video"};
    const char *why = "";
    bool ok = sdp_shape(sdp, kinds, 2, SDP_DIR_SENDONLY, &why);
    check(p->pr, ok, "%s: Janus offered the feed (audio + video sendonly) %s", p->name,
          ok ? "" : why);
    if (!ok) return;
    p->pr->offered = true;
    if (!p->sub) p->sub = new_peer(p, MEDIA_PEER_SUBSCRIBER);
    if (p->sub) media_peer_set_remote_sdp(p->sub, sdp);
}

static void on_candidate(void *user, janus_leg leg, const char *c)
{
    party *p = user;
    media_peer *mp = leg == JANUS_LEG_PUB ? p->pub : p->sub;
    if (mp) media_peer_add_candidate(mp, c);
}

static void on_jc_error(void *user, const char *what)
{
    party *p = user;
    check(p->pr, false, "%s: %s", p->name, what);
}

static const janus_client_callbacks jc_cb = {on_joined, on_answer, on_offer, on_candidate,
                                             on_jc_error};

static bool start_party(probe *pr, party *p, const char *name, bool subscribe)
{
    p->pr = pr;
    p->name = name;
    janus_client_options o = {
        .loop = pr->loop,
        .target = &pr->target,
        .room = pr->room,
        .display = name,
        .subscribe = subscribe,
        .max_publishers = 10,
    };
    p->jc = janus_client_start(&o, &jc_cb, p);
    return p->jc != NULL;
}

static void start_subscriber(probe *pr)
{
    pr->media_start = bench_now_us();
    if (!start_party(pr, &pr->b, "subscriber", true))
        check(pr, false, "subscriber: could not connect");
}

/* ---- run ------------------------------------------------------------------------- */

static gboolean on_tick(gpointer data)
{
    probe *pr = data;
    int64_t now = bench_now_us();
    if (pr->media_start && now - pr->media_start > (int64_t)(pr->media_s * 1e6)) {
        bench_loop_quit(pr->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_deadline(gpointer data)
{
    probe *pr = data;
    check(pr, false, "deadline passed before %s", pr->answered ? "the media started" : "an answer");
    return G_SOURCE_REMOVE;
}

static void report_media(probe *pr)
{
    synth_rx *rx = &pr->b.rx;
    check(pr, rx->n_tracks == 2, "subscriber: %d of 2 tracks received, %llu packets", rx->n_tracks,
          (unsigned long long)rx->packets);
    for (int i = 0; i < rx->n_tracks && i < SYNTH_MAX_TRACKS; i++) {
        const synth_rx_track *t = &rx->t[i];
        uint64_t lost = synth_rx_track_lost(t);
        check(pr, t->received > 10 && lost == 0, "subscriber: %s track: %llu packets, %llu lost",
              t->kind == SYNTH_VIDEO ? "video" : "audio", (unsigned long long)t->received,
              (unsigned long long)lost);
    }
    double p50 = synth_hist_percentile(&rx->latency, 50);
    printf("latency p50 %.0f us, publisher sent %llu packets\n", p50,
           (unsigned long long)pr->a.tx.packets);
}

static void stop_party(party *p)
{
    media_peer_free(p->pub);
    media_peer_free(p->sub);
    janus_client_free(p->jc);
}

static int parse(probe *pr, int argc, char **argv, const char **url)
{
    static const struct option opts[] = {{"url", required_argument, 0, 'u'},
                                         {"room", required_argument, 0, 'r'},
                                         {"media", required_argument, 0, 'm'},
                                         {"address", required_argument, 0, 'a'},
                                         {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'u')
            *url = optarg;
        else if (ch == 'r')
            pr->room = strtoull(optarg, NULL, 10);
        else if (ch == 'm')
            pr->media_s = atof(optarg);
        else if (ch == 'a')
            pr->address = optarg;
        else
            return -1;
    }
    return *url && pr->room ? 0 : -1;
}

static int run(probe *pr)
{
    pr->flags.sending = pr->flags.measuring = 1;
    pr->loop = bench_loop_new(NULL);
    pr->cert = dtls_cert_create();
    if (!pr->loop || !pr->cert || srtp_session_global_init() != 0) return 2;
    pr->worker = worker_start(0);
    if (!start_party(pr, &pr->a, "publisher", false)) {
        fprintf(stderr, "janus_probe: cannot connect\n");
        return 2;
    }
    bench_loop_every(pr->loop, 100, on_tick, pr);
    guint dl = bench_loop_every(pr->loop, (guint)((SIGNALING_DEADLINE_S + pr->media_s) * 1000),
                                on_deadline, pr);
    bench_loop_run(pr->loop);
    bench_loop_cancel(pr->loop, dl);
    stop_party(&pr->a);
    stop_party(&pr->b);
    worker_stop(pr->worker, NULL);
    while (g_main_context_iteration(bench_loop_context(pr->loop), FALSE))
        ;
    if (pr->media_s > 0 && !pr->failures) report_media(pr);
    if (!pr->answered) check(pr, false, "no answer from Janus");
    return pr->failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    probe pr = {.address = "127.0.0.1", .room = 4242};
    const char *url = NULL;
    char err[128] = "";
    if (parse(&pr, argc, argv, &url) < 0) {
        fprintf(stderr, "usage: janus_probe --url ws://ADDR:PORT/ [--room N] [--media SECONDS] "
                        "[--address ADDR]\n");
        return 2;
    }
    if (target_parse_url(url, &pr.target, err, sizeof err) < 0 ||
        !target_is_allowed((const struct sockaddr *)&pr.target.addr)) {
        fprintf(stderr, "janus_probe: %s: %s\n", url, err[0] ? err : "not an address of ours");
        return 2;
    }
    int rc = run(&pr);
    if (pr.loop) bench_loop_free(pr.loop);
    if (pr.cert) dtls_cert_free(pr.cert);
    printf("%s\n", rc == 0 ? "PASS" : "FAILED");
    return rc;
}

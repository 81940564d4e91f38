/*
 * Janus VideoRoom as a target of the media modes. See janus_target.h.
 *
 * Room "bench-N" of the scenario is VideoRoom 1000 + N, created by whoever
 * gets there first. Every participant joins it as a publisher (the only way
 * VideoRoom tells a participant which feeds exist); those that publish then
 * send their offer, and every participant subscribes to all other feeds on
 * one subscriber handle, as Janus's own multistream demos do.
 */
#include "janus_target.h"

#include <stdlib.h>

#include "janus_client.h"

#define ROOM_BASE       1000
#define ROOM_PUBLISHERS 1000 /* only active senders count against it */

typedef struct jt_peer {
    media_participant *part;
    janus_client *jc;
    media_peer *pub, *sub;
    bool stopping;
} jt_peer;

/* ---- media peers → Janus ------------------------------------------------------ */

static void on_pub_sdp(void *user, const char *sdp)
{
    jt_peer *jp = user;
    if (janus_client_publish(jp->jc, sdp) != 0)
        media_run_problem(jp->part, "could not send the publish offer");
}

static void on_sub_sdp(void *user, const char *sdp)
{
    jt_peer *jp = user;
    if (janus_client_answer(jp->jc, sdp) != 0)
        media_run_problem(jp->part, "could not send the subscriber answer");
}

static void on_pub_candidate(void *user, const char *c)
{
    jt_peer *jp = user;
    janus_client_trickle(jp->jc, JANUS_LEG_PUB, c);
}

static void on_sub_candidate(void *user, const char *c)
{
    jt_peer *jp = user;
    janus_client_trickle(jp->jc, JANUS_LEG_SUB, c);
}

static void state(jt_peer *jp, bool pub, transport_state st, const char *reason)
{
    media_participant *mp = jp->part;
    if (st == TRANSPORT_CONNECTED && pub && !mp->t_pub_connected)
        mp->t_pub_connected = bench_now_us();
    else if (st == TRANSPORT_FAILED || st == TRANSPORT_CLOSED)
        media_run_problem(mp, "%s transport %s: %s", pub ? "publish" : "subscribe",
                          st == TRANSPORT_FAILED ? "failed" : "closed", reason ? reason : "");
}

static void on_pub_state(void *user, transport_state st, const char *reason)
{
    state(user, true, st, reason);
}

static void on_sub_state(void *user, transport_state st, const char *reason)
{
    state(user, false, st, reason);
}

static void on_peer_error(void *user, const char *what)
{
    jt_peer *jp = user;
    media_run_problem(jp->part, "media peer: %s", what);
}

static const media_peer_callbacks pub_cb = {
    .on_local_sdp = on_pub_sdp,
    .on_candidate = on_pub_candidate,
    .on_state = on_pub_state,
    .on_error = on_peer_error,
};

static const media_peer_callbacks sub_cb = {
    .on_local_sdp = on_sub_sdp,
    .on_candidate = on_sub_candidate,
    .on_state = on_sub_state,
    .on_error = on_peer_error,
};

/* ---- Janus → media peers ------------------------------------------------------- */

static void on_joined(void *user, uint64_t id)
{
    jt_peer *jp = user;
    (void)id;
    if (jp->part->publishes)
        jp->pub = media_run_peer_new(jp->part, MEDIA_PEER_PUBLISHER, &pub_cb, jp);
}

static void on_answer(void *user, const char *sdp)
{
    jt_peer *jp = user;
    if (jp->pub) media_peer_set_remote_sdp(jp->pub, sdp);
}

static void on_offer(void *user, const char *sdp)
{
    jt_peer *jp = user;
    if (!jp->sub) jp->sub = media_run_peer_new(jp->part, MEDIA_PEER_SUBSCRIBER, &sub_cb, jp);
    if (jp->sub) media_peer_set_remote_sdp(jp->sub, sdp);
}

static void on_candidate(void *user, janus_leg leg, const char *c)
{
    jt_peer *jp = user;
    media_peer *p = leg == JANUS_LEG_PUB ? jp->pub : jp->sub;
    if (p) media_peer_add_candidate(p, c);
}

static void on_error(void *user, const char *what)
{
    jt_peer *jp = user;
    if (!jp->stopping) media_run_problem(jp->part, "janus: %s", what);
}

static const janus_client_callbacks jc_cb = {
    .on_joined = on_joined,
    .on_answer = on_answer,
    .on_offer = on_offer,
    .on_candidate = on_candidate,
    .on_error = on_error,
};

/* ---- target --------------------------------------------------------------------- */

static int jt_start(media_participant *mp)
{
    jt_peer *jp = calloc(1, sizeof *jp);
    if (!jp) return -1;
    jp->part = mp;
    mp->target = jp;
    janus_client_options o = {
        .loop = media_run_loop(mp->run),
        .target = media_run_target(mp->run),
        .room = ROOM_BASE + (uint64_t)mp->room,
        .display = mp->name,
        .subscribe = true,
        .max_publishers = ROOM_PUBLISHERS,
    };
    jp->jc = janus_client_start(&o, &jc_cb, jp);
    return jp->jc ? 0 : -1;
}

static void jt_stop(media_participant *mp)
{
    jt_peer *jp = mp->target;
    if (!jp) return;
    jp->stopping = true;
    media_peer_free(jp->pub);
    media_peer_free(jp->sub);
    janus_client_free(jp->jc);
    free(jp);
    mp->target = NULL;
}

const media_target_ops janus_target_ops = {
    .name = "janus",
    .start = jt_start,
    .stop = jt_stop,
};

/*
 * A libnice ICE agent that gathers candidates with a given STUN server and
 * prints them; exits 0 when a server-reflexive candidate has the expected
 * address (tests/stun/nat.sh runs it behind a NAT).
 *   nice_srflx STUN_IP STUN_PORT EXPECTED_IP
 */
#include <agent.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_done(NiceAgent *agent, guint stream, gpointer loop)
{
    (void)agent;
    (void)stream;
    g_main_loop_quit(loop);
}

static void on_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                    gpointer data)
{
    (void)agent;
    (void)stream;
    (void)component;
    (void)len;
    (void)buf;
    (void)data;
}

static gboolean on_timeout(gpointer loop)
{
    fprintf(stderr, "nice_srflx: gathering did not finish in time\n");
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: nice_srflx STUN_IP STUN_PORT EXPECTED_IP\n");
        return 2;
    }
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    NiceAgent *agent = nice_agent_new(NULL, NICE_COMPATIBILITY_RFC5245);
    g_object_set(agent, "stun-server", argv[1], "stun-server-port", (guint)atoi(argv[2]), "ice-tcp",
                 FALSE, NULL);
    g_signal_connect(agent, "candidate-gathering-done", G_CALLBACK(on_done), loop);
    guint stream = nice_agent_add_stream(agent, 1);
    nice_agent_attach_recv(agent, stream, 1, NULL, on_recv, NULL);
    if (!nice_agent_gather_candidates(agent, stream)) {
        fprintf(stderr, "nice_srflx: gathering failed to start\n");
        return 1;
    }
    guint t = g_timeout_add_seconds(20, on_timeout, loop);
    g_main_loop_run(loop);
    g_source_remove_by_user_data(loop);
    (void)t;
    int found = 0;
    GSList *cands = nice_agent_get_local_candidates(agent, stream, 1);
    for (GSList *l = cands; l; l = l->next) {
        NiceCandidate *c = l->data;
        char ip[NICE_ADDRESS_STRING_LEN];
        nice_address_to_string(&c->addr, ip);
        const char *type = c->type == NICE_CANDIDATE_TYPE_HOST               ? "host"
                           : c->type == NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE ? "srflx"
                                                                             : "other";
        printf("candidate %s %s:%u\n", type, ip, nice_address_get_port(&c->addr));
        if (c->type == NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE && strcmp(ip, argv[3]) == 0) found = 1;
    }
    g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
    g_object_unref(agent);
    g_main_loop_unref(loop);
    printf("nice_srflx: %s\n", found ? "srflx candidate found" : "NO srflx candidate");
    return found ? 0 : 1;
}

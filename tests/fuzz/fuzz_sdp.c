/*
 * libFuzzer target for the SDP module. Whatever parses must also write,
 * re-parse to the same text, answer (when it is a usable offer) into an
 * answer that itself parses, and survive sdp_check_answer against a fixed
 * subscribe offer. Any broken invariant aborts so the fuzzer reports it.
 */
#include "sfu/sdp.h"

#include <stdlib.h>
#include <string.h>

#define OUT_CAP (4u << 20) /* above the largest text a full sdp_session writes */

static sdp_session *in, *again, *answer, *offer;
static char *out1, *out2;

static const sdp_local local = {
    .ice_ufrag = "fzUf",
    .ice_pwd = "fuzzpasswordfuzzpassword",
    .fingerprint = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    .setup = SDP_SETUP_PASSIVE,
};

static void fixed_offer(void)
{
    static sdp_track_offer t[3];
    static const sdp_extmap ext = {1, "urn:ietf:params:rtp-hdrext:sdes:mid"};
    const char *kinds[3] = {"audio", "video", "video"};
    for (int i = 0; i < 3; i++) {
        strcpy(t[i].kind, kinds[i]);
        t[i].mid[0] = (char)('0' + i);
        t[i].active = i != 2;
        t[i].ssrc = 100u + (uint32_t)i;
        strcpy(t[i].cname, "fuzz");
        strcpy(t[i].stream_id, "peer");
        t[i].track_id[0] = (char)('a' + i);
        t[i].codec.pt = i ? 96 : 111;
        strcpy(t[i].codec.name, i ? "VP8" : "opus");
        t[i].codec.clock_rate = i ? 90000 : 48000;
        t[i].codec.channels = i ? 0 : 2;
    }
    if (sdp_offer_subscribe(t, 3, &ext, 1, &local, 1, 1, offer) != 0) abort();
}

static void init(void)
{
    in = malloc(sizeof *in);
    again = malloc(sizeof *again);
    answer = malloc(sizeof *answer);
    offer = malloc(sizeof *offer);
    out1 = malloc(OUT_CAP);
    out2 = malloc(OUT_CAP);
    if (!in || !again || !answer || !offer || !out1 || !out2) abort();
    fixed_offer();
}

/* write(parse(write(s))) must equal write(s). */
static void check_rewrite(const sdp_session *s)
{
    const char *err;
    int n = sdp_write(s, out1, OUT_CAP);
    if (n < 0 || (size_t)n != strlen(out1)) abort();
    int rc = sdp_parse(out1, (size_t)n, again, &err);
    if (rc == -SDP_ERR_LIMIT && n > SDP_MAX_TEXT) return;
    if (rc != 0) abort();
    int n2 = sdp_write(again, out2, OUT_CAP);
    if (n2 != n || memcmp(out1, out2, (size_t)n) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err = NULL;
    if (!in) init();
    if (sdp_parse((const char *)data, size, in, &err) != 0) {
        if (!err || !err[0]) abort();
        return 0;
    }
    check_rewrite(in);
    if (sdp_answer_publish(in, &local, answer, &err) == 0) {
        check_rewrite(answer);
        if (sdp_check_answer(in, answer, &err) == -SDP_ERR_SYNTAX) abort();
    }
    sdp_check_answer(offer, in, &err);
    for (int i = 0; i < in->n_media; i++) {
        char v[32];
        if (sdp_find_mid(in, in->media[i].mid) == NULL && in->media[i].mid[0]) abort();
        for (int j = 0; j < in->media[i].n_codecs; j++)
            sdp_fmtp_get(in->media[i].codecs[j].fmtp, "profile-level-id", v, sizeof v);
    }
    return 0;
}

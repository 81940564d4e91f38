/*
 * SDP negotiation tests: answers to browser offers on publish transports,
 * the server's subscribe offers, and checks of the answers to them. argv[1]
 * is the fixture folder (see test_sdp.c).
 */
#include "sdp_fixtures.h"

static void test_answer_chromium(void)
{
    CHECK_EQ(answer_text(load("chromium_offer.sdp")), 0);
    CHECK_EQ(B->n_media, 2);
    CHECK_EQ(B->n_bundle, 2);
    CHECK_STR(B->bundle[0], "0");
    CHECK(B->session_id != A->session_id && B->session_id >> 63 == 0);
    const sdp_media *au = &B->media[0], *vi = &B->media[1];
    CHECK_EQ(au->port, 9);
    CHECK_EQ(au->direction, SDP_DIR_RECVONLY);
    CHECK_STR(au->mid, "0");
    CHECK_STR(au->ice_ufrag, "cfUf");
    CHECK_STR(au->ice_pwd, "confabpasswordconfabpass");
    CHECK_STR(au->fingerprint, local_answer.fingerprint);
    CHECK_STR(au->fingerprint_alg, "sha-256");
    CHECK_EQ(au->setup, SDP_SETUP_PASSIVE);
    CHECK(au->rtcp_mux && au->rtcp_rsize);
    CHECK_EQ(au->n_codecs, 1);
    CHECK_EQ(au->codecs[0].pt, 111);
    CHECK_STR(au->codecs[0].fmtp, "minptime=10;useinbandfec=1");
    CHECK_EQ(au->codecs[0].n_fb, 0); /* transport-cc is not forwarded */
    CHECK_EQ(au->n_extmaps, 3);
    CHECK(ext_by_id(au, 1) && ext_by_id(au, 2) && ext_by_id(au, 4) && !ext_by_id(au, 3));
    CHECK_EQ(au->n_candidates, 0);
    CHECK_EQ(au->n_ssrcs, 0);
    CHECK_EQ(vi->codecs[0].pt, 96);
    CHECK_STR(vi->codecs[0].name, "VP8");
    CHECK_EQ(vi->codecs[0].n_fb, 2);
    CHECK_STR(vi->codecs[0].fb[0], "ccm fir");
    CHECK_STR(vi->codecs[0].fb[1], "nack pli");
    CHECK_EQ(vi->n_extmaps, 5);
    CHECK(ext_by_id(vi, 13) && ext_by_id(vi, 10) && !ext_by_id(vi, 14) && !ext_by_id(vi, 3));

    static char buf[65536];
    int n = sdp_write(B, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    CHECK(strstr(buf, "a=ice-options:trickle\r\n") && strstr(buf, "a=group:BUNDLE 0 1\r\n"));
    CHECK(!strstr(buf, "rtx") && !strstr(buf, "red/") && !strstr(buf, "ulpfec"));
    CHECK(!strstr(buf, "a=candidate") && !strstr(buf, "a=sendonly"));
    sdp_session *first = malloc(sizeof *first);
    memcpy(first, B, sizeof *B);
    CHECK_EQ(sdp_answer_publish(A, &local_answer, B, NULL), 0);
    CHECK(B->session_id != first->session_id); /* fresh per answer */
    free(first);
}

static void test_answer_firefox(void)
{
    CHECK_EQ(answer_text(load("firefox_offer.sdp")), 0);
    CHECK_EQ(B->n_media, 3);
    CHECK_EQ(B->n_bundle, 2);
    const sdp_media *au = &B->media[0], *vi = &B->media[1], *dc = &B->media[2];
    CHECK_EQ(au->codecs[0].pt, 109);
    CHECK_STR(au->codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    CHECK_EQ(au->n_extmaps, 2);
    CHECK(ext_by_id(au, 1) && ext_by_id(au, 3) && !ext_by_id(au, 2));
    CHECK(!au->rtcp_rsize && vi->rtcp_rsize);
    CHECK_EQ(vi->codecs[0].pt, 120);
    CHECK_EQ(vi->codecs[0].n_fb, 2);
    CHECK_STR(vi->codecs[0].fb[0], "nack pli");
    CHECK_EQ(vi->n_extmaps, 2);
    CHECK(ext_by_id(vi, 3) && ext_by_id(vi, 4));
    CHECK_EQ(dc->port, 0);
    CHECK_STR(dc->mid, "2");
    CHECK_EQ(dc->direction, SDP_DIR_INACTIVE);
    CHECK_STR(dc->proto, "UDP/DTLS/SCTP");
    CHECK(!dc->ice_ufrag[0]);
    static char buf[65536];
    CHECK(sdp_write(B, buf, sizeof buf) > 0);
    CHECK(strstr(buf, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n") != NULL);
    CHECK(strstr(buf, "a=group:BUNDLE 0 1\r\n") != NULL);
    CHECK_EQ(parse(buf, C), 0);
    CHECK_EQ(C->media[2].port, 0);
}

/* A one-video-section offer whose m= line lists pts, plus extra lines. */
static int video_pick(const char *pts, const char *lines)
{
    char *text = malloc(4096);
    snprintf(text, 4096,
             "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n"
             "a=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\n"
             "m=video 9 UDP/TLS/RTP/SAVPF %s\r\na=mid:v\r\na=rtcp-mux\r\n%s",
             pts, lines);
    int rc = answer_text(text);
    return rc ? rc : B->media[0].codecs[0].pt;
}

static void test_codec_choice(void)
{
    const char *h264 = "a=rtpmap:100 H264/90000\r\na=fmtp:100 ";
    char l[512];
#define H264_CASE(fmtp) (snprintf(l, sizeof l, "%s%s\r\na=rtpmap:96 VP8/90000\r\n", h264, fmtp), l)
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=42e01f")), 100);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=42C01F")), 100);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=42001f")), 100);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=4de01f")), 100);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1")), 100);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=4d001f")), 96);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=640c1f")), 96);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=42e41f")), 96);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=1;profile-level-id=42e0")), 96);
    CHECK_EQ(video_pick("100 96", H264_CASE("packetization-mode=0;profile-level-id=42e01f")), 96);
    CHECK_EQ(video_pick("100 96", H264_CASE("profile-level-id=42e01f")), 96);
    const char *vp9 =
        "a=rtpmap:98 VP9/90000\r\na=rtpmap:100 VP9/90000\r\na=fmtp:98 profile-id=2\r\n";
    CHECK_EQ(video_pick("98 100", vp9), 100);
    snprintf(l, sizeof l, "%sa=fmtp:100 profile-id=0\r\n", vp9);
    CHECK_EQ(video_pick("98 100", l), 100);
    CHECK_EQ(video_pick("97 63 120 49 96",
                        "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=rtpmap:63 red/90000\r\n"
                        "a=rtpmap:120 ulpfec/90000\r\na=rtpmap:49 flexfec-03/90000\r\n"
                        "a=rtpmap:96 vp8/90000\r\n"),
             96);
    CHECK_EQ(video_pick("45 46", "a=rtpmap:45 AV1/90000\r\na=rtpmap:46 rtx/90000\r\n"),
             -SDP_ERR_NO_CODEC);
    CHECK_EQ(video_pick("96", "a=rtpmap:96 VP8/48000\r\n"), -SDP_ERR_NO_CODEC);
    CHECK_EQ(video_pick("96", "a=rtpmap:96 VP8/90000\r\na=recvonly\r\n"), -SDP_ERR_NO_MEDIA);
    CHECK_EQ(video_pick("96", "a=rtpmap:96 VP8/90000\r\na=inactive\r\n"), -SDP_ERR_NO_MEDIA);
    CHECK_EQ(video_pick("96", "a=rtpmap:96 VP8/90000\r\n"), 96);
    CHECK_EQ(B->n_bundle, 0); /* one m-section, no group offered: none answered */
#undef H264_CASE
}

static void test_answer_errors(void)
{
    char *chrome = load("chromium_offer.sdp");
    const char *err = NULL;
    CHECK_EQ(answer_text(drop_lines(chrome, "a=ice-pwd")), -SDP_ERR_NO_ICE);
    CHECK_EQ(answer_text(drop_lines(chrome, "a=ice-ufrag")), -SDP_ERR_NO_ICE);
    CHECK_EQ(answer_text(drop_lines(chrome, "a=fingerprint")), -SDP_ERR_NO_FINGERPRINT);
    CHECK_EQ(answer_text(replace(chrome, "sha-256", "sha-1")), -SDP_ERR_NO_FINGERPRINT);
    /* Nothing sends: only the idle BUNDLE tag is kept (a first offer like
     * this is refused by the peer, which knows it has nothing to publish). */
    CHECK_EQ(answer_text(replace(chrome, "a=sendonly", "a=recvonly")), 0);
    CHECK_EQ(B->media[0].port, 9);
    CHECK_EQ(B->media[0].direction, SDP_DIR_INACTIVE);
    CHECK_EQ(B->media[1].port, 0);
    CHECK_EQ(answer_text(replace(chrome, "m=audio 9", "m=audio 0")), 0);
    char *silent = replace(chrome, "a=sendonly", "a=recvonly");
    CHECK_EQ(answer_text(replace(silent, "UDP/TLS/RTP/SAVPF", "RTP/AVP")), -SDP_ERR_NO_MEDIA);
    free(silent);
    CHECK_EQ(answer_text(replace(chrome, "opus/48000/2", "opus/48000/1")), -SDP_ERR_NO_CODEC);
    CHECK_EQ(answer_text(drop_lines(chrome, "a=group")), -SDP_ERR_BUNDLE);
    CHECK_EQ(answer_text(replace(chrome, "BUNDLE 0 1", "BUNDLE 0")), -SDP_ERR_BUNDLE);
    CHECK_EQ(answer_text(replace(chrome, "setup:actpass", "setup:passive")), -SDP_ERR_SETUP);
    CHECK_EQ(answer_text(drop_lines(chrome, "a=setup")), -SDP_ERR_SETUP);
    CHECK_EQ(answer_text(replace(chrome, "setup:actpass", "setup:active")), 0);
    CHECK_EQ(answer_text(drop_lines(chrome, "a=rtcp-mux")), -SDP_ERR_NO_RTCP_MUX);
    CHECK_EQ(answer_text(replace(chrome, "m=audio 9", "m=audio 0")), 0);
    CHECK_EQ(B->media[0].port, 0);
    CHECK_EQ(B->n_bundle, 1);
    CHECK_STR(B->bundle[0], "1");
    CHECK_EQ(parse(chrome, A), 0);
    sdp_local bad = local_answer;
    bad.setup = SDP_SETUP_ACTPASS; /* not a role an answer may take */
    CHECK_EQ(sdp_answer_publish(A, &bad, B, &err), -SDP_ERR_SETUP);
    CHECK(err != NULL);
    bad = local_answer;
    bad.ice_ufrag[0] = '\0';
    CHECK_EQ(sdp_answer_publish(A, &bad, B, &err), -SDP_ERR_SYNTAX);
    CHECK_EQ(sdp_answer_publish(A, &local_answer, A, &err), -SDP_ERR_SYNTAX);
    free(chrome);
}

/* Builds "head" + count copies of "line" (with %d = index) + "tail". */
static sdp_track_offer track(const char *kind, int i, bool active)
{
    sdp_track_offer t;
    memset(&t, 0, sizeof t);
    snprintf(t.kind, sizeof t.kind, "%s", kind);
    snprintf(t.mid, sizeof t.mid, "%d", i);
    t.active = active;
    t.ssrc = 1000 + (uint32_t)i;
    strcpy(t.cname, "confab");
    snprintf(t.stream_id, sizeof t.stream_id, "peer%d", i / 2);
    snprintf(t.track_id, sizeof t.track_id, "peer%d-%d", i / 2, i);
    /* Field by field: the memcmp in test_offer_subscribe needs zero padding. */
    sdp_codec *c = &t.codec;
    if (strcmp(kind, "audio") == 0) {
        c->pt = 111;
        strcpy(c->name, "opus");
        c->clock_rate = 48000;
        c->channels = 2;
        strcpy(c->fmtp, "minptime=10;useinbandfec=1");
    } else {
        c->pt = 96;
        strcpy(c->name, "VP8");
        c->clock_rate = 90000;
        c->n_fb = 2;
        strcpy(c->fb[0], "nack pli");
        strcpy(c->fb[1], "ccm fir");
    }
    return t;
}

static const sdp_extmap sub_exts[2] = {
    {1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"},
    {2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
};

/* The offer the Chromium answers in the fixtures were made for: audio,
 * video, audio, video; `inactive` marks mid 2 as gone. */
static int subscribe_offer(bool inactive, sdp_session *out)
{
    sdp_local l = local_answer;
    l.setup = SDP_SETUP_ACTPASS;
    sdp_track_offer t[4] = {track("audio", 0, true), track("video", 1, true),
                            track("audio", 2, !inactive), track("video", 3, true)};
    return sdp_offer_subscribe(t, 4, sub_exts, 2, &l, 4242424242u, 1, out);
}

static void test_offer_subscribe(void)
{
    static char buf[65536];
    CHECK_EQ(subscribe_offer(false, C), 0);
    CHECK(sdp_write(C, buf, sizeof buf) > 0);
    static const char *const want[] = {
        "o=- 4242424242 1 IN IP4",
        "a=group:BUNDLE 0 1 2 3\r\n",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n",
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
        "a=ice-options:trickle\r\n",
        "a=setup:actpass\r\n",
        "a=sendonly\r\n",
        "a=msid:peer1 peer1-3\r\n",
        "a=ssrc:1002 cname:confab\r\na=ssrc:1002 msid:peer1 peer1-2\r\n",
        "a=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\n",
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
        "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n",
        "a=rtcp-mux\r\na=rtcp-rsize\r\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK(strstr(buf, want[i]) != NULL);
    CHECK_EQ(parse(buf, A), 0);
    CHECK(memcmp(A, C, sizeof *A) == 0);

    CHECK_EQ(subscribe_offer(true, C), 0);
    const sdp_media *gone = &C->media[2];
    CHECK_EQ(gone->port, 0);
    CHECK_EQ(gone->direction, SDP_DIR_INACTIVE);
    CHECK_STR(gone->mid, "2");
    CHECK_EQ(gone->n_codecs, 1);
    CHECK_EQ(gone->n_ssrcs + gone->n_extmaps, 0);
    CHECK_EQ(C->n_bundle, 3);
    CHECK_STR(C->bundle[2], "3");
    CHECK(sdp_write(C, buf, sizeof buf) > 0);
    CHECK(strstr(buf, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
    CHECK(strstr(buf, "a=inactive\r\n") != NULL);

    sdp_local l = local_answer;
    sdp_track_offer t[SDP_MAX_MEDIA + 1];
    for (int i = 0; i <= SDP_MAX_MEDIA; i++)
        t[i] = track(i % 2 ? "video" : "audio", i, true);
    CHECK_EQ(sdp_offer_subscribe(t, 0, NULL, 0, &l, 1, 1, C), -SDP_ERR_NO_MEDIA);
    CHECK_EQ(sdp_offer_subscribe(t, SDP_MAX_MEDIA + 1, NULL, 0, &l, 1, 1, C), -SDP_ERR_LIMIT);
    CHECK_EQ(sdp_offer_subscribe(t, SDP_MAX_MEDIA, NULL, 0, &l, 1, 1, C), 0);
    sdp_extmap many[SDP_MAX_EXTMAP + 1];
    for (int i = 0; i <= SDP_MAX_EXTMAP; i++)
        many[i] = (sdp_extmap){(uint8_t)(i + 1), "urn:x"};
    CHECK_EQ(sdp_offer_subscribe(t, 2, many, SDP_MAX_EXTMAP + 1, &l, 1, 1, C), -SDP_ERR_LIMIT);
    CHECK_EQ(sdp_offer_subscribe(t, 2, sub_exts, 2, &l, 1, 1, C), 0);
    strcpy(t[1].mid, "0");
    CHECK_EQ(sdp_offer_subscribe(t, 2, NULL, 0, &l, 1, 1, C), -SDP_ERR_SYNTAX);
    t[1] = track("data", 1, true);
    CHECK_EQ(sdp_offer_subscribe(t, 2, NULL, 0, &l, 1, 1, C), -SDP_ERR_SYNTAX);
    t[1] = track("video", 1, true);
    strcpy(t[1].track_id, "a\r\na=evil");
    CHECK_EQ(sdp_offer_subscribe(t, 2, NULL, 0, &l, 1, 1, C), -SDP_ERR_SYNTAX);
}

static void test_check_answer(void)
{
    const char *err = "unset";
    CHECK_EQ(subscribe_offer(false, A), 0);
    char *text = load("chromium_subscribe_answer.sdp");
    CHECK_EQ(parse(text, B), 0);
    CHECK_EQ(sdp_check_answer(A, B, &err), 0);
    CHECK(err == NULL);
    CHECK_EQ(B->media[3].setup, SDP_SETUP_ACTIVE);

    CHECK_EQ(parse_free(replace(text, "a=setup:active", "a=setup:actpass"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, &err), -SDP_ERR_SETUP);
    CHECK(err && err[0]);
    CHECK_EQ(parse_free(drop_lines(text, "a=ice-pwd"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_NO_ICE);
    CHECK_EQ(parse_free(replace(text, "sha-256", "sha-384"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_NO_FINGERPRINT);
    CHECK_EQ(parse_free(drop_lines(text, "a=rtcp-mux"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_NO_RTCP_MUX);
    CHECK_EQ(parse_free(drop_lines(text, "a=group"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_BUNDLE);
    CHECK_EQ(parse_free(replace(text, "a=mid:3", "a=mid:7"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_MISMATCH);
    CHECK_EQ(parse_free(replace(text, "SAVPF 96\r\n", "SAVPF 97\r\n"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_MISMATCH);
    CHECK_EQ(parse_free(replace(text, "a=recvonly", "a=sendrecv"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_MISMATCH);
    /* RFC 3264: an answerer may reject what it cannot or will not take. */
    CHECK_EQ(parse_free(replace(text, "m=video 9", "m=video 0"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), 0);
    CHECK_EQ(parse(text, B), 0);
    B->n_media--;
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_MISMATCH);
    CHECK_EQ(sdp_check_answer(A, A, NULL), -SDP_ERR_MISMATCH); /* sendonly is no answer */
    free(text);

    /* The answer to the offer with mid 2 gone; the full one does not fit it. */
    text = load("chromium_subscribe_answer_inactive.sdp");
    CHECK_EQ(subscribe_offer(true, A), 0);
    CHECK_EQ(parse(text, B), 0);
    CHECK_EQ(B->media[2].port, 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), 0);
    free(text);
    text = load("chromium_subscribe_answer.sdp");
    CHECK_EQ(parse(text, B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), -SDP_ERR_MISMATCH); /* accepts what we rejected */
    CHECK_EQ(subscribe_offer(false, A), 0); /* rejecting an offered m-section is allowed */
    CHECK_EQ(parse_free(load("chromium_subscribe_answer_inactive.sdp"), B), 0);
    CHECK_EQ(sdp_check_answer(A, B, NULL), 0);
    free(text);
}

static void test_answer_idle_sections(void)
{
    char *offer = load("chromium_offer.sdp");
    char *first_idle = replace(offer, "a=mid:0\r\n", "a=mid:0\r\na=inactive\r\n");
    CHECK_EQ(answer_text(drop_lines(first_idle, "a=sendonly")), 0);
    CHECK_EQ(B->media[0].port, 9);
    CHECK_EQ(B->media[0].direction, SDP_DIR_INACTIVE);
    CHECK_EQ(B->media[0].n_codecs, 1);
    CHECK_EQ(B->n_bundle, 2);
    CHECK_STR(B->bundle[0], "0");
    CHECK_EQ(B->media[1].port, 9);
    CHECK_EQ(B->media[1].direction, SDP_DIR_RECVONLY); /* no direction line: sendrecv */

    char *tag_sends = replace(offer, "a=mid:1\r\n", "a=mid:1\r\na=recvonly\r\n");
    char *only_audio = malloc(strlen(tag_sends) + 1);
    /* keep the audio a=sendonly, drop the video one */
    const char *second = strstr(strstr(tag_sends, "a=sendonly") + 1, "a=sendonly");
    size_t head = (size_t)(second - tag_sends);
    memcpy(only_audio, tag_sends, head);
    strcpy(only_audio + head, second + strlen("a=sendonly\r\n"));
    CHECK_EQ(answer_text(only_audio), 0);
    CHECK_EQ(B->media[0].direction, SDP_DIR_RECVONLY);
    CHECK_EQ(B->media[1].port, 0);
    CHECK_EQ(B->n_bundle, 1);
    free(tag_sends);
    free(first_idle);
    free(offer);
}

int main(int argc, char **argv)
{
    fixtures_init(argc, argv);
    test_answer_chromium();
    test_answer_firefox();
    test_codec_choice();
    test_answer_errors();
    test_answer_idle_sections();
    test_offer_subscribe();
    test_check_answer();
    fixtures_free();
    return check_finish("test_sdp_negotiate");
}

/*
 * SDP parser, writer and negotiation tests. argv[1] is the fixture folder:
 * chromium_offer.sdp and chromium_subscribe_answer*.sdp were captured from
 * Chromium 156; firefox_offer.sdp is hand-written in Firefox's style
 * (session-level fingerprint, its payload types, a data channel).
 */
#include "check.h"
#include "sdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *data_dir = "tests/unit/data";
static sdp_session *A, *B, *C;

static const sdp_local local_answer = {
    .ice_ufrag = "cfUf",
    .ice_pwd = "confabpasswordconfabpass",
    .fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
                   "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
    .setup = SDP_SETUP_PASSIVE,
};

static char *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    char *buf = calloc(1, SDP_MAX_TEXT + 1);
    size_t n = fread(buf, 1, SDP_MAX_TEXT, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Replaces every occurrence of from; the caller frees the result. */
static char *replace(const char *text, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    for (const char *p = strstr(text, from); p; p = strstr(p + nf, from))
        count++;
    char *out = malloc(strlen(text) + count * nt + 1), *o = out;
    for (const char *p = text, *hit; *p; p = hit + nf) {
        hit = strstr(p, from);
        if (!hit) {
            strcpy(o, p);
            return out;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, to, nt);
        o += nt;
    }
    *o = '\0';
    return out;
}

/* Removes every line starting with prefix. */
static char *drop_lines(const char *text, const char *prefix)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (strncmp(p, prefix, strlen(prefix)) != 0) {
            memcpy(o, p, n);
            o += n;
        }
        p += n;
    }
    *o = '\0';
    return out;
}

static int parse(const char *text, sdp_session *s)
{
    return sdp_parse(text, strlen(text), s, NULL);
}

static int parse_free(char *text, sdp_session *s)
{
    int rc = parse(text, s);
    free(text);
    return rc;
}

static int answer_text(char *text)
{
    int rc = parse_free(text, A);
    return rc ? rc : sdp_answer_publish(A, &local_answer, B, NULL);
}

static const sdp_extmap *ext_by_id(const sdp_media *m, int id)
{
    for (int i = 0; i < m->n_extmaps; i++)
        if (m->extmaps[i].id == id) return &m->extmaps[i];
    return NULL;
}

static void test_chromium_offer(void)
{
    char *text = load("chromium_offer.sdp");
    const char *err = NULL;
    CHECK_EQ(sdp_parse(text, strlen(text), A, &err), 0);
    CHECK(err == NULL);
    CHECK_EQ(A->session_id, 5201836932602434845ull);
    CHECK_EQ(A->session_version, 2);
    CHECK_EQ(A->n_bundle, 2);
    CHECK_STR(A->bundle[1], "1");
    CHECK_EQ(A->n_media, 2);
    const sdp_media *au = &A->media[0], *vi = &A->media[1];
    CHECK(sdp_find_mid(A, "0") == au && sdp_find_mid(A, "1") == vi && !sdp_find_mid(A, "2"));
    CHECK_STR(au->kind, "audio");
    CHECK_EQ(au->port, 9);
    CHECK_STR(au->proto, "UDP/TLS/RTP/SAVPF");
    CHECK_EQ(au->direction, SDP_DIR_SENDONLY);
    CHECK_STR(au->ice_ufrag, "1jai");
    CHECK_STR(au->ice_pwd, "73voyxmqajmZj2xr0zvkP66i");
    CHECK_STR(au->fingerprint_alg, "sha-256");
    CHECK_STR(au->fingerprint, "43:86:86:C6:D0:46:DF:14:47:12:80:5F:11:C9:9A:7D:"
                               "97:45:C9:47:50:98:69:75:96:BC:19:10:42:FA:6C:C2");
    CHECK_EQ(au->setup, SDP_SETUP_ACTPASS);
    CHECK(au->rtcp_mux && au->rtcp_rsize && !au->end_of_candidates);
    CHECK_EQ(au->n_codecs, 8);
    CHECK_EQ(au->codecs[0].pt, 111);
    CHECK_STR(au->codecs[0].name, "opus");
    CHECK_EQ(au->codecs[0].clock_rate, 48000);
    CHECK_EQ(au->codecs[0].channels, 2);
    CHECK_STR(au->codecs[0].fmtp, "minptime=10;useinbandfec=1");
    CHECK_EQ(au->codecs[0].n_fb, 1);
    CHECK_STR(au->codecs[0].fb[0], "transport-cc");
    CHECK_STR(au->codecs[1].name, "red");
    CHECK_STR(au->codecs[1].fmtp, "111/111");
    CHECK_EQ(au->codecs[3].pt, 0);
    CHECK_EQ(au->codecs[3].channels, 0);
    CHECK_EQ(au->n_extmaps, 4);
    CHECK_STR(ext_by_id(au, 1)->uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    CHECK_EQ(au->n_ssrcs, 1);
    CHECK_EQ(au->ssrcs[0].ssrc, 60406311);
    CHECK_STR(au->ssrcs[0].cname, "vE++AdrVomvEl1bF");
    CHECK_STR(au->ssrcs[0].msid, "e5042716-98f1-4ed5-bf54-5f426340735a "
                                 "7bc4976e-b1e1-43d2-aa98-7a1d734b1777");
    CHECK_STR(au->msid_stream, "e5042716-98f1-4ed5-bf54-5f426340735a");
    CHECK_STR(au->msid_track, "7bc4976e-b1e1-43d2-aa98-7a1d734b1777");
    CHECK_EQ(au->n_candidates, 1);
    CHECK(strncmp(au->candidates[0], "candidate:4098810165 1 udp 2113937151 ", 38) == 0);
    CHECK_STR(vi->mid, "1");
    CHECK_EQ(vi->n_codecs, 23);
    CHECK_EQ(vi->codecs[0].pt, 96);
    CHECK_STR(vi->codecs[0].name, "VP8");
    CHECK_EQ(vi->codecs[0].n_fb, 5);
    CHECK_STR(vi->codecs[0].fb[2], "ccm fir");
    CHECK_STR(vi->codecs[0].fb[4], "nack pli");
    CHECK_EQ(vi->codecs[2].pt, 102);
    CHECK_STR(vi->codecs[2].fmtp,
              "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
    CHECK_EQ(vi->codecs[22].pt, 120);
    CHECK_STR(vi->codecs[22].name, "ulpfec");
    CHECK_EQ(vi->n_extmaps, 11);
    CHECK_STR(ext_by_id(vi, 13)->uri, "urn:3gpp:video-orientation");
    CHECK_EQ(vi->n_ssrc_groups, 1);
    CHECK_STR(vi->ssrc_groups[0].semantics, "FID");
    CHECK_EQ(vi->ssrc_groups[0].n, 2);
    CHECK_EQ(vi->ssrc_groups[0].ssrcs[1], 1900693792);
    CHECK_EQ(vi->n_ssrcs, 2);

    /* LF line ends give the same result. */
    CHECK_EQ(parse_free(replace(text, "\r\n", "\n"), B), 0);
    CHECK(memcmp(A, B, sizeof *A) == 0);
    free(text);
}

static void test_firefox_offer(void)
{
    char *text = load("firefox_offer.sdp");
    CHECK_EQ(parse(text, A), 0);
    CHECK_EQ(A->session_id, 3419285498547190483ull);
    CHECK_EQ(A->n_media, 3);
    CHECK_EQ(A->n_bundle, 3);
    for (int i = 0; i < 3; i++) {
        /* The fingerprint is session-level only; every m-section inherits it. */
        CHECK_STR(A->media[i].fingerprint, "5E:2A:9C:41:0B:D7:63:F8:1A:C4:92:7E:35:D0:B6:0F:"
                                           "84:2D:E1:59:A3:7C:16:FB:48:90:CE:25:6B:D3:0A:71");
        CHECK_STR(A->media[i].ice_ufrag, "8f3b2a1c");
        CHECK_EQ(A->media[i].setup, SDP_SETUP_ACTPASS);
        CHECK_EQ(A->media[i].direction, SDP_DIR_SENDRECV);
    }
    const sdp_media *au = &A->media[0], *vi = &A->media[1], *dc = &A->media[2];
    CHECK_EQ(au->n_candidates, 2);
    CHECK(strstr(au->candidates[1], "tcptype active") != NULL);
    CHECK(au->end_of_candidates && !vi->end_of_candidates);
    CHECK(au->rtcp_mux && !au->rtcp_rsize && vi->rtcp_rsize);
    CHECK_EQ(au->codecs[0].pt, 109);
    CHECK_STR(au->codecs[1].name, "G722");
    CHECK_EQ(au->codecs[1].channels, 1);
    CHECK_STR(au->codecs[4].fmtp, "0-15");
    CHECK_STR(ext_by_id(au, 2)->uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
    CHECK_STR(au->msid_stream, "{4f2c8a1e-7b3d-4e9f-a1c2-d3e4f5a6b7c8}");
    CHECK_STR(vi->msid_track, "{3e4d5c6b-7a89-4b0c-9d1e-2f3a4b5c6d7e}");
    CHECK_EQ(vi->n_codecs, 11);
    CHECK_EQ(vi->codecs[4].pt, 126);
    CHECK_STR(vi->codecs[4].name, "H264");
    CHECK_STR(vi->codecs[4].fmtp,
              "profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1");
    CHECK_EQ(vi->codecs[8].n_fb, 5);
    CHECK_EQ(vi->codecs[1].n_fb, 0);
    CHECK_STR(ext_by_id(vi, 6)->uri, "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay");
    CHECK_EQ(vi->n_ssrcs, 2);
    CHECK_STR(vi->ssrcs[1].cname, "{0c7d4e2a-91b3-4f6c-8e5d-7a2b1c3d4e5f}");
    CHECK_STR(vi->ssrcs[1].msid, "");
    CHECK_STR(dc->kind, "application");
    CHECK_STR(dc->proto, "UDP/DTLS/SCTP");
    CHECK_EQ(dc->n_codecs, 0);
    free(text);
}

static void test_session_level(void)
{
    const char *text = "v=0\no=- 7 9 IN IP4 0.0.0.0\ns=-\nt=0 0\n"
                       "a=ice-ufrag:sess\na=ice-pwd:sessionpasswordsessionpw\n"
                       "a=fingerprint:SHA-1 aa:bb\na=fingerprint:sha-256 ab:cd:ef\n"
                       "a=setup:active\na=sendonly\na=extmap:9 urn:x:session\na=end-of-candidates\n"
                       "a=x-unknown:whatever\n\n"
                       "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\nc=IN IP4 0.0.0.0\na=mid:a\n"
                       "a=rtcp-fb:* nack\na=rtcp-fb:111 nack\na=rtcp-fb:111   nack   pli\n"
                       "a=extmap:3/recvonly urn:x:media\na=rtpmap:111 opus/48000/2\n"
                       "a=rtpmap:55 ignored/8000\na=fmtp:0 \na=candidate:1 1 udp 1 ::1 5 typ host\n"
                       "m=video 0 UDP/TLS/RTP/SAVPF 96\na=mid:b\na=bundle-only\na=ice-ufrag:own\n"
                       "a=setup:passive\na=recvonly\na=end-of-candidates\na=extmap:9 urn:x:own";
    const char *err = "unset";
    CHECK_EQ(sdp_parse(text, strlen(text), A, &err), 0);
    CHECK(err == NULL);
    CHECK_EQ(A->n_media, 2);
    const sdp_media *a = &A->media[0], *b = &A->media[1];
    CHECK_STR(a->ice_ufrag, "sess");
    CHECK_STR(b->ice_ufrag, "own");
    CHECK_STR(b->ice_pwd, "sessionpasswordsessionpw");
    CHECK_STR(a->fingerprint_alg, "sha-256");
    CHECK_STR(b->fingerprint, "AB:CD:EF");
    CHECK_EQ(a->setup, SDP_SETUP_ACTIVE);
    CHECK_EQ(b->setup, SDP_SETUP_PASSIVE);
    CHECK_EQ(a->direction, SDP_DIR_SENDONLY);
    CHECK_EQ(b->direction, SDP_DIR_RECVONLY);
    CHECK_EQ(a->codecs[0].n_fb, 2);
    CHECK_STR(a->codecs[0].fb[0], "nack");
    CHECK_STR(a->codecs[0].fb[1], "nack pli");
    CHECK_EQ(a->codecs[1].n_fb, 1);
    CHECK_EQ(a->n_codecs, 2);
    CHECK_EQ(a->n_extmaps, 2);
    CHECK_STR(ext_by_id(a, 3)->uri, "urn:x:media");
    CHECK_STR(ext_by_id(a, 9)->uri, "urn:x:session");
    CHECK_EQ(b->n_extmaps, 1);
    CHECK_STR(ext_by_id(b, 9)->uri, "urn:x:own");
    CHECK_EQ(b->port, 9); /* bundle-only is not a rejection */
    CHECK(a->end_of_candidates && b->end_of_candidates);
    CHECK_STR(a->candidates[0], "candidate:1 1 udp 1 ::1 5 typ host");
    CHECK(!a->rtcp_mux);
}

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
static char *repeat(const char *head, const char *line, int count, const char *tail)
{
    size_t cap = strlen(head) + strlen(tail) + (size_t)count * (strlen(line) + 24) + 1;
    char *out = malloc(cap);
    size_t n = (size_t)snprintf(out, cap, "%s", head);
    for (int i = 0; i < count; i++)
        n += (size_t)snprintf(out + n, cap - n, line, i + 1, i + 1);
    snprintf(out + n, cap - n, "%s", tail);
    return out;
}

#define HEAD  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
#define MLINE "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"

static void test_parse_errors(void)
{
    const char *err = NULL;
    CHECK_EQ(sdp_parse("hello world", 11, A, &err), -SDP_ERR_SYNTAX);
    CHECK(err && err[0]);
    CHECK_EQ(sdp_parse(NULL, 0, A, &err), -SDP_ERR_SYNTAX);
    CHECK_EQ(sdp_parse("", 0, A, &err), -SDP_ERR_SYNTAX);
    CHECK_EQ(sdp_parse("v=0\r\nv", 6, A, &err), -SDP_ERR_SYNTAX);
    CHECK_EQ(sdp_parse(HEAD "a=x\0y\r\n", sizeof HEAD + 6, A, &err), -SDP_ERR_SYNTAX);
    static const char *const bad[] = {
        "v=1\r\n",
        "v=0\r\ns=-\r\nt=0 0\r\n" MLINE,
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n",
        "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n",
        "v=0\r\no=- 18446744073709551616 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
        HEAD "Xx=1\r\n",
        HEAD "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n",
        HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 128\r\n",
        HEAD "m=audio 9 UDP/TLS/RTP/SAVPF\r\n",
        HEAD "m=audio 9 UDP/TLS/RTP/SAVPF 111 111\r\n",
        HEAD "m=audio -9 UDP/TLS/RTP/SAVPF 111\r\n",
        HEAD MLINE "a=rtpmap:128 opus/48000\r\n",
        HEAD MLINE "a=rtpmap:111 opus\r\n",
        HEAD MLINE "a=rtpmap:111 opus/48000/256\r\n",
        HEAD MLINE "a=extmap:0 urn:x\r\n",
        HEAD MLINE "a=extmap:256 urn:x\r\n",
        HEAD MLINE "a=extmap:3/sideways urn:x\r\n",
        HEAD MLINE "a=extmap:3\r\n",
        HEAD MLINE "a=extmap:3 urn:x\r\na=extmap:3 urn:y\r\n",
        HEAD MLINE "a=setup:holdconn\r\n",
        HEAD MLINE "a=fingerprint:sha-256\r\n",
        HEAD MLINE "a=fingerprint:sha-256 XY:ZZ\r\n",
        HEAD MLINE "a=ssrc:4294967296 cname:x\r\n",
        HEAD MLINE "a=ssrc:1\r\n",
        HEAD MLINE "a=ssrc:1 cname:\r\n",
        HEAD MLINE "a=ssrc-group:FID\r\n",
        HEAD MLINE "a=ssrc-group:FID 1 x\r\n",
        HEAD MLINE "a=rtcp-fb:111\r\n",
        HEAD MLINE "a=ice-ufrag\r\n",
        HEAD MLINE "a=ice-ufrag:a b\r\n",
        HEAD MLINE "a=mid:0\r\n" MLINE "a=mid:0\r\n",
        HEAD MLINE "a=mid:0\r\na=mid:1\r\n",
        HEAD MLINE "o=- 1 1 IN IP4 0.0.0.0\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        int rc = sdp_parse(bad[i], strlen(bad[i]), A, &err);
        if (rc != -SDP_ERR_SYNTAX) fprintf(stderr, "bad[%zu] gave %d\n", i, rc);
        CHECK_EQ(rc, -SDP_ERR_SYNTAX);
        CHECK(err && err[0]);
    }
}

static void expect_limit(char *text)
{
    const char *err = NULL;
    CHECK_EQ(sdp_parse(text, strlen(text), A, &err), -SDP_ERR_LIMIT);
    CHECK(err && err[0]);
    free(text);
}

static void test_limits(void)
{
    char pts[600] = "";
    for (int i = 0; i < SDP_MAX_CODECS + 1; i++)
        snprintf(pts + strlen(pts), sizeof pts - strlen(pts), " %d", i);
    char m[700];
    snprintf(m, sizeof m, "m=video 9 UDP/TLS/RTP/SAVPF%s\r\n", pts);
    expect_limit(repeat(HEAD, "", 0, m));
    expect_limit(repeat(HEAD, MLINE "a=mid:%d\r\n", SDP_MAX_MEDIA + 1, ""));
    expect_limit(repeat(HEAD MLINE, "a=extmap:%d urn:x:%d\r\n", SDP_MAX_EXTMAP + 1, ""));
    expect_limit(repeat(HEAD MLINE, "a=ssrc:%d cname:c%d\r\n", SDP_MAX_SSRCS + 1, ""));
    expect_limit(repeat(HEAD MLINE, "a=ssrc-group:FID %d %d\r\n", SDP_MAX_SSRC_GROUPS + 1, ""));
    expect_limit(repeat(HEAD MLINE, "a=candidate:%d 1 udp %d ::1 9 typ host\r\n",
                        SDP_MAX_CANDIDATES + 1, ""));
    expect_limit(repeat(HEAD MLINE, "a=rtcp-fb:111 fb%d-%d\r\n", SDP_MAX_FB + 1, ""));
    expect_limit(repeat(HEAD "a=group:BUNDLE", " %d", SDP_MAX_MEDIA + 1, "\r\n"));
    expect_limit(repeat(HEAD MLINE "a=mid:", "x", 32, "\r\n"));
    expect_limit(repeat(HEAD MLINE "a=ice-ufrag:", "x", 64, "\r\n"));
    expect_limit(repeat(HEAD MLINE "a=rtpmap:111 ", "x", 32, "/48000\r\n"));
    expect_limit(repeat(HEAD MLINE "a=ssrc-group:FID", " %d", 5, "\r\n"));
    /* Session-level extmaps that do not fit next to the media's own. */
    expect_limit(
        repeat(HEAD "a=extmap:99 urn:s\r\n" MLINE, "a=extmap:%d urn:x:%d\r\n", SDP_MAX_EXTMAP, ""));
    char *big = repeat(HEAD, "a=x-pad:%d %d\r\n", 5000, "");
    CHECK(strlen(big) > SDP_MAX_TEXT);
    expect_limit(big);
    /* Exactly at capacity is fine. */
    char *ok = repeat(HEAD MLINE, "a=extmap:%d urn:x:%d\r\n", SDP_MAX_EXTMAP, "");
    CHECK_EQ(parse_free(ok, A), 0);
    CHECK_EQ(A->media[0].n_extmaps, SDP_MAX_EXTMAP);
}

static void round_trip(const char *name)
{
    char *text = load(name);
    static char buf1[1 << 17], buf2[1 << 17];
    CHECK_EQ(parse(text, A), 0);
    int n1 = sdp_write(A, buf1, sizeof buf1);
    CHECK(n1 > 0);
    CHECK_EQ(parse(buf1, B), 0);
    if (memcmp(A, B, sizeof *A) != 0)
        fprintf(stderr, "round trip of %s changed the session\n", name);
    CHECK(memcmp(A, B, sizeof *A) == 0);
    int n2 = sdp_write(B, buf2, sizeof buf2);
    CHECK_EQ(n1, n2);
    CHECK(strcmp(buf1, buf2) == 0);
    /* Too small a buffer fails cleanly at every size. */
    int fails = 0;
    for (int cap = 0; cap <= n1; cap += 97)
        fails += sdp_write(A, buf2, (size_t)cap) == -1;
    CHECK_EQ(fails, n1 / 97 + 1);
    CHECK_EQ(sdp_write(A, buf2, (size_t)n1), -1);
    CHECK_EQ(sdp_write(A, buf2, (size_t)n1 + 1), n1);
    free(text);
}

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

static void test_helpers(void)
{
    char v[8];
    CHECK_EQ(sdp_fmtp_get("a=1;b=22", "b", v, sizeof v), 0);
    CHECK_STR(v, "22");
    CHECK_EQ(sdp_fmtp_get("level-asymmetry-allowed=1; Packetization-Mode = 1", "packetization-mode",
                          v, sizeof v),
             0);
    CHECK_STR(v, "1");
    CHECK_EQ(sdp_fmtp_get("a=1;b=22", "c", v, sizeof v), -1);
    CHECK_EQ(sdp_fmtp_get("a=1;ab=2", "b", v, sizeof v), -1);
    CHECK_EQ(sdp_fmtp_get("a=12345678", "a", v, sizeof v), -1);
    CHECK_EQ(sdp_fmtp_get("a=1234567", "a", v, sizeof v), 0);
    CHECK_EQ(sdp_fmtp_get("", "a", v, sizeof v), -1);
    CHECK_EQ(sdp_fmtp_get("a=1", "", v, sizeof v), -1);
    CHECK_EQ(sdp_fmtp_get("111/111", "111/111", v, sizeof v), 0);
    CHECK_STR(v, "");
    static const char *const codes[] = {
        "ok",           "sdp_syntax",         "sdp_limit",
        "sdp_no_ice",   "sdp_no_fingerprint", "sdp_no_media",
        "sdp_no_codec", "sdp_bundle",         "sdp_setup",
        "sdp_mismatch", "sdp_no_rtcp_mux",
    };
    for (int i = 0; i <= SDP_ERR_NO_RTCP_MUX; i++) {
        CHECK_STR(sdp_error_code(-i), codes[i]);
        CHECK_STR(sdp_error_code(i), codes[i]);
    }
    CHECK_STR(sdp_error_code(-99), "sdp_error");
    CHECK_STR(sdp_error_code(-2147483647 - 1), "sdp_error");
    CHECK(sdp_find_mid(NULL, "0") == NULL);
    CHECK(sdp_known_extmaps[0] != NULL);
    CHECK_EQ(sdp_write(NULL, v, sizeof v), -1);
}

/* Re-offers after removeTrack: a track stops sending. The BUNDLE tag (mid 0)
 * must stay in the group, inactive, or the browser rejects the answer; any
 * other idle m-section is rejected. */
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
    if (argc > 1) data_dir = argv[1];
    A = calloc(1, sizeof *A);
    B = calloc(1, sizeof *B);
    C = calloc(1, sizeof *C);
    test_chromium_offer();
    test_firefox_offer();
    test_session_level();
    test_answer_chromium();
    test_answer_firefox();
    test_codec_choice();
    test_answer_errors();
    test_answer_idle_sections();
    test_parse_errors();
    test_limits();
    round_trip("chromium_offer.sdp");
    round_trip("firefox_offer.sdp");
    round_trip("chromium_subscribe_answer.sdp");
    round_trip("chromium_subscribe_answer_inactive.sdp");
    test_offer_subscribe();
    test_check_answer();
    test_helpers();
    free(A);
    free(B);
    free(C);
    return check_finish("test_sdp");
}

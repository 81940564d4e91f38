/*
 * SDP parser and writer tests. argv[1] is the fixture folder:
 * chromium_offer.sdp and chromium_subscribe_answer*.sdp were captured from
 * Chromium 156; firefox_offer.sdp is hand-written in Firefox's style
 * (session-level fingerprint, its payload types, a data channel).
 */
#include "sdp_fixtures.h"

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
int main(int argc, char **argv)
{
    fixtures_init(argc, argv);
    test_chromium_offer();
    test_firefox_offer();
    test_session_level();
    test_parse_errors();
    test_limits();
    round_trip("chromium_offer.sdp");
    round_trip("firefox_offer.sdp");
    round_trip("chromium_subscribe_answer.sdp");
    round_trip("chromium_subscribe_answer_inactive.sdp");
    test_helpers();
    fixtures_free();
    return check_finish("test_sdp");
}

/*
 * The two negotiations Confab does (see sdp.h): answering a publisher's
 * offer, building a subscriber's offer, and checking the subscriber's answer.
 */
#include "sdp.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

static int fail(const char **err, int code, const char *why)
{
    *err = why;
    return -code;
}

/* True when src is NUL-terminated within cap and fits dst. */
static bool copy_field(char *dst, size_t dst_cap, const char *src, size_t src_cap)
{
    size_t n = strnlen(src, src_cap);
    if (n == src_cap || n >= dst_cap) return false;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

#define COPY(dst, src) copy_field((dst), sizeof(dst), (src), sizeof(src))

/* ---- codec choice ---- */

static int hex_val(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/*
 * RFC 6184 profile-level-id is profile_idc, profile-iop (constraint_set0..5
 * flags, high bit first) and level_idc. Baseline decoders handle: profile 66
 * (Baseline; Constrained Baseline when constraint_set1 is set), 77 (Main)
 * with constraint_set0 and 88 (Extended) with constraint_set0, which promise
 * a Baseline-conformant stream. Like browsers we insist that the low four
 * iop bits are zero. Absent means Baseline (RFC 6184 section 8.1).
 */
static bool h264_profile_ok(const char *fmtp)
{
    char plid[sizeof((sdp_codec *)0)->fmtp]; /* any value fits: -1 means absent */
    if (sdp_fmtp_get(fmtp, "profile-level-id", plid, sizeof plid) != 0) return true;
    int d[6];
    for (int i = 0; i < 6; i++)
        if (!plid[i] || (d[i] = hex_val(plid[i])) < 0) return false;
    if (plid[6]) return false;
    int profile = d[0] << 4 | d[1], iop = d[2] << 4 | d[3];
    if (iop & 0x0f) return false;
    bool cs0 = iop & 0x80;
    return profile == 0x42 || (profile == 0x4d && cs0) || (profile == 0x58 && cs0);
}

static bool codec_forwardable(const char *kind, const sdp_codec *c)
{
    char v[16];
    if (strcmp(kind, "audio") == 0)
        return strcasecmp(c->name, "opus") == 0 && c->clock_rate == 48000 && c->channels == 2;
    if (strcmp(kind, "video") != 0 || c->clock_rate != 90000) return false;
    if (strcasecmp(c->name, "VP8") == 0) return true;
    if (strcasecmp(c->name, "VP9") == 0)
        return sdp_fmtp_get(c->fmtp, "profile-id", v, sizeof v) != 0 || strcmp(v, "0") == 0;
    if (strcasecmp(c->name, "H264") == 0)
        return sdp_fmtp_get(c->fmtp, "packetization-mode", v, sizeof v) == 0 &&
               strcmp(v, "1") == 0 && h264_profile_ok(c->fmtp);
    return false;
}

static void keep_codec(sdp_codec *dst, const sdp_codec *src)
{
    static const char *const supported_fb[] = {"nack pli", "ccm fir"};
    *dst = *src;
    dst->n_fb = 0;
    memset(dst->fb, 0, sizeof dst->fb);
    for (int i = 0; i < src->n_fb && i < SDP_MAX_FB; i++)
        for (size_t j = 0; j < sizeof supported_fb / sizeof supported_fb[0]; j++)
            if (strcmp(src->fb[i], supported_fb[j]) == 0)
                memcpy(dst->fb[dst->n_fb++], src->fb[i], sizeof src->fb[i]);
}

static bool extmap_known(const char *uri)
{
    for (int i = 0; sdp_known_extmaps[i]; i++)
        if (strcmp(uri, sdp_known_extmaps[i]) == 0) return true;
    return false;
}

/* ---- publish answer ---- */

/* Token fields go into SDP lines as they are: no spaces, no control bytes. */
static bool token_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0 || n == cap) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f) return false;
    return true;
}

static bool text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == cap) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return false;
    return n == 0 || (s[0] != ' ' && s[n - 1] != ' ');
}

#define TOKEN_OK(f) token_ok((f), sizeof(f))

static bool wants_media(const sdp_media *m)
{
    size_t n = strlen(m->proto);
    bool savpf = n >= 9 && strcmp(m->proto + n - 9, "RTP/SAVPF") == 0;
    bool av = strcmp(m->kind, "audio") == 0 || strcmp(m->kind, "video") == 0;
    bool sends = m->direction == SDP_DIR_SENDRECV || m->direction == SDP_DIR_SENDONLY;
    return av && savpf && sends && m->port != 0;
}

static bool setup_fits(sdp_setup offered, sdp_setup ours)
{
    if (offered == SDP_SETUP_ACTPASS) return ours == SDP_SETUP_ACTIVE || ours == SDP_SETUP_PASSIVE;
    return (offered == SDP_SETUP_ACTIVE && ours == SDP_SETUP_PASSIVE) ||
           (offered == SDP_SETUP_PASSIVE && ours == SDP_SETUP_ACTIVE);
}

static int check_offer_transport(const sdp_media *m, const sdp_local *local, const char **err)
{
    if (!m->ice_ufrag[0] || !m->ice_pwd[0])
        return fail(err, SDP_ERR_NO_ICE, "offer lacks a=ice-ufrag or a=ice-pwd");
    if (!m->fingerprint[0] || strcmp(m->fingerprint_alg, "sha-256") != 0)
        return fail(err, SDP_ERR_NO_FINGERPRINT, "offer lacks a sha-256 a=fingerprint");
    if (!setup_fits(m->setup, local->setup))
        return fail(err, SDP_ERR_SETUP, "offer's a=setup does not fit our DTLS role");
    if (!m->rtcp_mux) return fail(err, SDP_ERR_NO_RTCP_MUX, "offer lacks a=rtcp-mux");
    return 0;
}

static void reject_media(sdp_media *a, const sdp_media *o)
{
    a->port = 0;
    a->direction = SDP_DIR_INACTIVE;
    if (o->n_codecs > 0) {
        /* The m= line needs a format; the first offered one is always valid. */
        const sdp_codec *c = &o->codecs[0];
        a->n_codecs = 1;
        a->codecs[0].pt = c->pt;
        a->codecs[0].clock_rate = c->clock_rate;
        a->codecs[0].channels = c->channels;
        memcpy(a->codecs[0].name, c->name, sizeof c->name);
    }
}

static void accept_media(sdp_media *a, const sdp_media *o, const sdp_codec *c,
                         const sdp_local *local)
{
    a->port = 9;
    a->direction = SDP_DIR_RECVONLY;
    COPY(a->ice_ufrag, local->ice_ufrag);
    COPY(a->ice_pwd, local->ice_pwd);
    COPY(a->fingerprint, local->fingerprint);
    strcpy(a->fingerprint_alg, "sha-256");
    a->setup = local->setup;
    a->rtcp_mux = true;
    a->rtcp_rsize = o->rtcp_rsize;
    a->n_codecs = 1;
    keep_codec(&a->codecs[0], c);
    for (int i = 0; i < o->n_extmaps; i++)
        if (extmap_known(o->extmaps[i].uri)) a->extmaps[a->n_extmaps++] = o->extmaps[i];
}

static bool in_bundle(const sdp_session *s, const char *mid)
{
    for (int i = 0; i < s->n_bundle && mid[0]; i++)
        if (strcmp(s->bundle[i], mid) == 0) return true;
    return false;
}

/* One transport carries everything: every accepted m-section must be in the
 * offer's BUNDLE group, unless there is only one and no group at all. */
static int answer_bundle(const sdp_session *o, sdp_session *a, int accepted, const char **err)
{
    for (int i = 0; i < a->n_media; i++)
        if (a->media[i].port && (accepted > 1 || o->n_bundle) && !in_bundle(o, a->media[i].mid))
            return fail(err, SDP_ERR_BUNDLE, "accepted m-sections are not all in one BUNDLE");
    for (int i = 0; i < o->n_bundle; i++) {
        const sdp_media *m = sdp_find_mid(a, o->bundle[i]);
        bool dup = in_bundle(a, o->bundle[i]);
        if (m && m->port && !dup) strcpy(a->bundle[a->n_bundle++], o->bundle[i]);
    }
    return 0;
}

static uint64_t fresh_session_id(void)
{
    uint64_t id = 0;
    if (getrandom(&id, sizeof id, GRND_NONBLOCK) != (ssize_t)sizeof id) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        id = (uint64_t)ts.tv_sec << 30 ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)&id;
    }
    /* RFC 8829 5.2.1: 63 bits, so parsers that read a signed number agree. */
    id &= INT64_MAX;
    return id ? id : 1;
}

static bool local_ok(const sdp_local *l)
{
    return TOKEN_OK(l->ice_ufrag) && TOKEN_OK(l->ice_pwd) && TOKEN_OK(l->fingerprint);
}

/* The m-section carrying the offer's BUNDLE tag (its first mid) while it
 * sends nothing: rejecting it would take the shared transport down with it
 * (Chromium refuses such an answer), so it is kept, inactive. */
static bool is_idle_tag(const sdp_session *offer, const sdp_media *o)
{
    size_t n = strlen(o->proto);
    bool savpf = n >= 9 && strcmp(o->proto + n - 9, "RTP/SAVPF") == 0;
    bool av = strcmp(o->kind, "audio") == 0 || strcmp(o->kind, "video") == 0;
    return av && savpf && o->port != 0 && o->n_codecs > 0 && offer->n_bundle > 0 &&
           strcmp(offer->bundle[0], o->mid) == 0;
}

/* Returns 1 for an m-section accepted to receive, 2 for a kept idle tag, 0
 * for a rejected one, or a negated sdp_error. */
static int answer_one(const sdp_session *offer, const sdp_media *o, sdp_media *a,
                      const sdp_local *local, const char **err)
{
    memcpy(a->kind, o->kind, sizeof a->kind);
    memcpy(a->proto, o->proto, sizeof a->proto);
    memcpy(a->mid, o->mid, sizeof a->mid);
    bool wants = wants_media(o);
    if (!wants && !is_idle_tag(offer, o)) {
        reject_media(a, o);
        return 0;
    }
    const sdp_codec *pick = NULL;
    for (int i = 0; i < o->n_codecs && !pick; i++)
        if (codec_forwardable(o->kind, &o->codecs[i])) pick = &o->codecs[i];
    if (!pick && wants)
        return fail(err, SDP_ERR_NO_CODEC, "an m-section offers no codec Confab forwards");
    int rc = check_offer_transport(o, local, err);
    if (rc) return rc;
    accept_media(a, o, pick ? pick : &o->codecs[0], local);
    if (wants) return 1;
    a->direction = SDP_DIR_INACTIVE;
    return 2;
}

int sdp_answer_publish(const sdp_session *offer, const sdp_local *local, sdp_session *answer,
                       const char **err)
{
    const char *ignored;
    if (!err) err = &ignored;
    *err = NULL;
    if (!offer || !local || !answer || offer == answer)
        return fail(err, SDP_ERR_SYNTAX, "bad arguments");
    if (!local_ok(local)) return fail(err, SDP_ERR_SYNTAX, "local ICE or DTLS parameters missing");
    if (offer->n_media < 0 || offer->n_media > SDP_MAX_MEDIA)
        return fail(err, SDP_ERR_LIMIT, "offer has too many m-sections");
    memset(answer, 0, sizeof *answer);
    int accepted = 0, kept = 0;
    for (int i = 0; i < offer->n_media; i++) {
        int rc = answer_one(offer, &offer->media[i], &answer->media[i], local, err);
        if (rc < 0) return rc;
        accepted += rc == 1;
        kept += rc == 2;
    }
    answer->n_media = offer->n_media;
    if (!accepted && !kept) return fail(err, SDP_ERR_NO_MEDIA, "offer sends no audio or video");
    accepted += kept;
    int rc = answer_bundle(offer, answer, accepted, err);
    if (rc) return rc;
    answer->session_id = fresh_session_id();
    answer->session_version = 1;
    return 0;
}

/* ---- subscribe offer ---- */

static int check_track(const sdp_track_offer *t, const char **err)
{
    const sdp_codec *c = &t->codec;
    if (!TOKEN_OK(t->kind) || (strcmp(t->kind, "audio") != 0 && strcmp(t->kind, "video") != 0))
        return fail(err, SDP_ERR_SYNTAX, "track kind is not audio or video");
    if (!TOKEN_OK(t->mid) || !TOKEN_OK(c->name) || c->pt > 127 || c->clock_rate == 0)
        return fail(err, SDP_ERR_SYNTAX, "track mid or codec is malformed");
    if (c->n_fb < 0 || c->n_fb > SDP_MAX_FB)
        return fail(err, SDP_ERR_LIMIT, "too many rtcp-fb in a track codec");
    bool fb_ok = text_ok(c->fmtp, sizeof c->fmtp);
    for (int i = 0; i < c->n_fb; i++)
        fb_ok = fb_ok && c->fb[i][0] && text_ok(c->fb[i], sizeof c->fb[i]);
    if (!fb_ok) return fail(err, SDP_ERR_SYNTAX, "track codec fmtp or rtcp-fb is malformed");
    if (t->active && (!TOKEN_OK(t->cname) || !TOKEN_OK(t->stream_id) || !TOKEN_OK(t->track_id)))
        return fail(err, SDP_ERR_SYNTAX, "active track lacks cname, stream or track id");
    return 0;
}

static void offer_one(sdp_media *m, const sdp_track_offer *t, const sdp_extmap *exts, int n_exts,
                      const sdp_local *local)
{
    strcpy(m->kind, t->kind);
    strcpy(m->proto, "UDP/TLS/RTP/SAVPF");
    strcpy(m->mid, t->mid);
    m->port = t->active || t->keep_bundled ? 9 : 0;
    m->direction = t->active ? SDP_DIR_SENDONLY : SDP_DIR_INACTIVE;
    COPY(m->ice_ufrag, local->ice_ufrag);
    COPY(m->ice_pwd, local->ice_pwd);
    COPY(m->fingerprint, local->fingerprint);
    strcpy(m->fingerprint_alg, "sha-256");
    m->setup = SDP_SETUP_ACTPASS;
    m->rtcp_mux = true;
    m->rtcp_rsize = true;
    m->n_codecs = 1;
    m->codecs[0] = t->codec;
    if (!t->active) return;
    strcpy(m->msid_stream, t->stream_id);
    strcpy(m->msid_track, t->track_id);
    for (int i = 0; i < n_exts; i++)
        m->extmaps[m->n_extmaps++] = exts[i];
    m->n_ssrcs = 1;
    m->ssrcs[0].ssrc = t->ssrc;
    strcpy(m->ssrcs[0].cname, t->cname);
    snprintf(m->ssrcs[0].msid, sizeof m->ssrcs[0].msid, "%s %s", t->stream_id, t->track_id);
}

static int check_exts(const sdp_extmap *exts, int n_exts, const char **err)
{
    if (n_exts < 0 || n_exts > SDP_MAX_EXTMAP) return fail(err, SDP_ERR_LIMIT, "too many extmaps");
    if (n_exts && !exts) return fail(err, SDP_ERR_SYNTAX, "extmaps missing");
    for (int i = 0; i < n_exts; i++) {
        if (exts[i].id == 0 || !TOKEN_OK(exts[i].uri))
            return fail(err, SDP_ERR_SYNTAX, "malformed extmap");
        for (int j = 0; j < i; j++)
            if (exts[j].id == exts[i].id) return fail(err, SDP_ERR_SYNTAX, "extmap id used twice");
    }
    return 0;
}

int sdp_offer_subscribe(const sdp_track_offer *tracks, int n, const sdp_extmap *exts, int n_exts,
                        const sdp_local *local, uint64_t session_id, uint64_t version,
                        sdp_session *out)
{
    const char *why, **err = &why;
    if (!out || !local || (n > 0 && !tracks)) return -SDP_ERR_SYNTAX;
    memset(out, 0, sizeof *out);
    if (n <= 0) return -SDP_ERR_NO_MEDIA;
    if (n > SDP_MAX_MEDIA) return -SDP_ERR_LIMIT;
    if (!local_ok(local)) return -SDP_ERR_SYNTAX;
    int rc = check_exts(exts, n_exts, err);
    for (int i = 0; i < n && !rc; i++) {
        rc = check_track(&tracks[i], err);
        for (int j = 0; j < i && !rc; j++)
            if (strcmp(tracks[j].mid, tracks[i].mid) == 0) rc = -SDP_ERR_SYNTAX;
    }
    if (rc) return rc;
    out->session_id = session_id;
    out->session_version = version;
    out->n_media = n;
    for (int i = 0; i < n; i++) {
        offer_one(&out->media[i], &tracks[i], exts, n_exts, local);
        if (tracks[i].active || tracks[i].keep_bundled)
            strcpy(out->bundle[out->n_bundle++], tracks[i].mid);
    }
    return 0;
}

/* ---- subscribe answer check ---- */

/* RFC 3264 6.1: what an answer may say to each offered direction. */
static bool direction_fits(sdp_direction offered, sdp_direction answered)
{
    switch (offered) {
    case SDP_DIR_SENDRECV:
        return true;
    case SDP_DIR_SENDONLY:
        return answered == SDP_DIR_RECVONLY || answered == SDP_DIR_INACTIVE;
    case SDP_DIR_RECVONLY:
        return answered == SDP_DIR_SENDONLY || answered == SDP_DIR_INACTIVE;
    default:
        return answered == SDP_DIR_INACTIVE;
    }
}

static const sdp_codec *codec_by_pt(const sdp_media *m, uint8_t pt)
{
    for (int i = 0; i < m->n_codecs && i < SDP_MAX_CODECS; i++)
        if (m->codecs[i].pt == pt) return &m->codecs[i];
    return NULL;
}

/* Every answered codec must be one we offered, under the same name. */
static bool codecs_fit(const sdp_media *o, const sdp_media *a)
{
    if (a->n_codecs <= 0 || a->n_codecs > SDP_MAX_CODECS) return false;
    for (int i = 0; i < a->n_codecs; i++) {
        const sdp_codec *oc = codec_by_pt(o, a->codecs[i].pt);
        if (!oc || (a->codecs[i].name[0] && strcasecmp(oc->name, a->codecs[i].name) != 0))
            return false;
    }
    return true;
}

static int check_answer_media(const sdp_media *o, const sdp_media *a, const char **err)
{
    if (strcmp(o->mid, a->mid) != 0 || strcmp(o->kind, a->kind) != 0)
        return fail(err, SDP_ERR_MISMATCH, "answer m-sections differ from the offer's");
    if (!o->port) /* RFC 3264 6: a rejected m-section stays rejected */
        return a->port ? fail(err, SDP_ERR_MISMATCH, "answer accepts a rejected m-section") : 0;
    /* RFC 3264 6: the answerer may reject any m-section (a subscriber that
     * stopped a transceiver, or cannot decode the codec). */
    if (!a->port) return 0;
    if (!codecs_fit(o, a))
        return fail(err, SDP_ERR_MISMATCH, "answer drops or changes an offered codec");
    if (!direction_fits(o->direction, a->direction))
        return fail(err, SDP_ERR_MISMATCH, "answer direction does not fit the offer");
    if (!a->ice_ufrag[0] || !a->ice_pwd[0])
        return fail(err, SDP_ERR_NO_ICE, "answer lacks a=ice-ufrag or a=ice-pwd");
    if (!a->fingerprint[0] || strcmp(a->fingerprint_alg, "sha-256") != 0)
        return fail(err, SDP_ERR_NO_FINGERPRINT, "answer lacks a sha-256 a=fingerprint");
    if (a->setup != SDP_SETUP_ACTIVE && a->setup != SDP_SETUP_PASSIVE)
        return fail(err, SDP_ERR_SETUP, "answer's a=setup is not active or passive");
    if (o->rtcp_mux && !a->rtcp_mux)
        return fail(err, SDP_ERR_NO_RTCP_MUX, "answer lacks a=rtcp-mux");
    return 0;
}

int sdp_check_answer(const sdp_session *offer, const sdp_session *answer, const char **err)
{
    const char *ignored;
    if (!err) err = &ignored;
    *err = NULL;
    if (!offer || !answer) return fail(err, SDP_ERR_SYNTAX, "bad arguments");
    if (offer->n_media != answer->n_media || offer->n_media < 0 || offer->n_media > SDP_MAX_MEDIA)
        return fail(err, SDP_ERR_MISMATCH, "answer has a different number of m-sections");
    int active = 0;
    for (int i = 0; i < offer->n_media; i++) {
        int rc = check_answer_media(&offer->media[i], &answer->media[i], err);
        if (rc) return rc;
        active += offer->media[i].port != 0;
    }
    /* All active m-sections must share the one transport Confab runs. */
    for (int i = 0; i < offer->n_media && active > 1 && offer->n_bundle; i++)
        if (offer->media[i].port && answer->media[i].port &&
            !in_bundle(answer, answer->media[i].mid))
            return fail(err, SDP_ERR_BUNDLE, "answer does not BUNDLE every active m-section");
    return 0;
}

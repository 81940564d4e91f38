/*
 * SDP writer (see sdp.h): the inverse of sdp_parse, CRLF line ends, never
 * writing past the caller's buffer.
 */
#include "sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct wbuf {
    char *buf;
    size_t cap, len;
    bool over;
} wbuf;

__attribute__((format(printf, 2, 3))) static void put(wbuf *w, const char *fmt, ...)
{
    if (w->over) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->cap - w->len)
        w->over = true;
    else
        w->len += (size_t)n;
}

/* Fixed-size fields may lack a NUL if a caller filled them by hand. */
#define FLD(a) (int)strnlen((a), sizeof(a)), (a)

static int clampn(int n, int max)
{
    return n < 0 ? 0 : n > max ? max : n;
}

static bool proto_is_rtp(const sdp_media *m)
{
    return memmem(m->proto, strnlen(m->proto, sizeof m->proto), "RTP/", 4) != NULL;
}

static void write_mline(wbuf *w, const sdp_media *m)
{
    put(w, "m=%.*s %u %.*s", FLD(m->kind), m->port, FLD(m->proto));
    int n = clampn(m->n_codecs, SDP_MAX_CODECS);
    for (int i = 0; i < n; i++)
        put(w, " %u", m->codecs[i].pt);
    if (n == 0) {
        /* No RTP codecs: an m= line still needs a format. */
        bool sctp = memmem(m->proto, strnlen(m->proto, sizeof m->proto), "SCTP", 4) != NULL;
        bool old = strncmp(m->proto, "DTLS/SCTP", sizeof m->proto) == 0;
        put(w, " %s", !sctp ? "0" : old ? "5000" : "webrtc-datachannel");
    }
    put(w, "\r\nc=IN IP4 0.0.0.0\r\n");
}

static void write_transport(wbuf *w, const sdp_media *m)
{
    if (proto_is_rtp(m) && m->port) put(w, "a=rtcp:9 IN IP4 0.0.0.0\r\n");
    for (int i = 0; i < clampn(m->n_candidates, SDP_MAX_CANDIDATES); i++)
        put(w, "a=%.*s\r\n", FLD(m->candidates[i]));
    if (m->end_of_candidates) put(w, "a=end-of-candidates\r\n");
    if (m->ice_ufrag[0]) put(w, "a=ice-ufrag:%.*s\r\n", FLD(m->ice_ufrag));
    if (m->ice_pwd[0]) put(w, "a=ice-pwd:%.*s\r\n", FLD(m->ice_pwd));
    if (m->ice_ufrag[0]) /* Confab's ICE agent always trickles */
        put(w, "a=ice-options:trickle\r\n");
    if (m->fingerprint[0])
        put(w, "a=fingerprint:%.*s %.*s\r\n", FLD(m->fingerprint_alg), FLD(m->fingerprint));
    if (m->setup > SDP_SETUP_NONE && m->setup <= SDP_SETUP_PASSIVE)
        put(w, "a=setup:%s\r\n", sdp_setup_names[m->setup]);
}

static void write_codec(wbuf *w, const sdp_codec *c)
{
    if (c->name[0]) {
        put(w, "a=rtpmap:%u %.*s/%u", c->pt, FLD(c->name), c->clock_rate);
        if (c->channels) put(w, "/%u", c->channels);
        put(w, "\r\n");
    }
    for (int i = 0; i < clampn(c->n_fb, SDP_MAX_FB); i++)
        put(w, "a=rtcp-fb:%u %.*s\r\n", c->pt, FLD(c->fb[i]));
    if (c->fmtp[0]) put(w, "a=fmtp:%u %.*s\r\n", c->pt, FLD(c->fmtp));
}

static void write_ssrcs(wbuf *w, const sdp_media *m)
{
    for (int i = 0; i < clampn(m->n_ssrc_groups, SDP_MAX_SSRC_GROUPS); i++) {
        const sdp_ssrc_group *g = &m->ssrc_groups[i];
        put(w, "a=ssrc-group:%.*s", FLD(g->semantics));
        for (int j = 0; j < clampn(g->n, 4); j++)
            put(w, " %u", g->ssrcs[j]);
        put(w, "\r\n");
    }
    for (int i = 0; i < clampn(m->n_ssrcs, SDP_MAX_SSRCS); i++) {
        const sdp_ssrc *s = &m->ssrcs[i];
        if (s->cname[0]) put(w, "a=ssrc:%u cname:%.*s\r\n", s->ssrc, FLD(s->cname));
        if (s->msid[0]) put(w, "a=ssrc:%u msid:%.*s\r\n", s->ssrc, FLD(s->msid));
    }
}

static void write_media(wbuf *w, const sdp_media *m)
{
    write_mline(w, m);
    write_transport(w, m);
    if (m->mid[0]) put(w, "a=mid:%.*s\r\n", FLD(m->mid));
    for (int i = 0; i < clampn(m->n_extmaps, SDP_MAX_EXTMAP); i++)
        put(w, "a=extmap:%u %.*s\r\n", m->extmaps[i].id, FLD(m->extmaps[i].uri));
    if (m->direction >= SDP_DIR_SENDRECV && m->direction <= SDP_DIR_INACTIVE)
        put(w, "a=%s\r\n", sdp_direction_names[m->direction]);
    if (m->msid_stream[0])
        put(w, "a=msid:%.*s%s%.*s\r\n", FLD(m->msid_stream), m->msid_track[0] ? " " : "",
            FLD(m->msid_track));
    if (m->rtcp_mux) put(w, "a=rtcp-mux\r\n");
    if (m->rtcp_rsize) put(w, "a=rtcp-rsize\r\n");
    for (int i = 0; i < clampn(m->n_codecs, SDP_MAX_CODECS); i++)
        write_codec(w, &m->codecs[i]);
    write_ssrcs(w, m);
}

int sdp_write(const sdp_session *s, char *buf, size_t cap)
{
    if (!s || !buf || cap == 0) return -1;
    wbuf w = {buf, cap, 0, false};
    put(&w, "v=0\r\no=- %llu %llu IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
        (unsigned long long)s->session_id, (unsigned long long)s->session_version);
    if (s->ice_lite) put(&w, "a=ice-lite\r\n");
    int nb = clampn(s->n_bundle, SDP_MAX_MEDIA);
    if (nb) {
        put(&w, "a=group:BUNDLE");
        for (int i = 0; i < nb; i++)
            put(&w, " %.*s", FLD(s->bundle[i]));
        put(&w, "\r\n");
    }
    put(&w, "a=msid-semantic: WMS *\r\n");
    for (int i = 0; i < clampn(s->n_media, SDP_MAX_MEDIA); i++)
        write_media(&w, &s->media[i]);
    if (w.over || w.len > INT32_MAX) {
        buf[0] = '\0';
        return -1;
    }
    return (int)w.len;
}

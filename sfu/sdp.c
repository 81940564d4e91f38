/*
 * SDP parser and small lookups (see sdp.h; the writer is sdp_write.c). The input is never assumed
 * to be NUL-terminated: every scan goes through a bounded view (sv).
 */
#include "sdp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* mid and rid demultiplex (rid for simulcast later), audio level feeds
 * active-speaker detection, abs-send-time lets receivers estimate bandwidth,
 * video orientation lets receivers rotate. transport-cc stays out until
 * Confab sends transport-wide feedback itself. */
const char *const sdp_known_extmaps[] = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "urn:3gpp:video-orientation",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    NULL,
};

/* ---- bounded string views ---- */

typedef struct sv {
    const char *p;
    size_t n;
} sv;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static sv sv_trim(sv v)
{
    while (v.n && is_ws(v.p[0])) {
        v.p++;
        v.n--;
    }
    while (v.n && (is_ws(v.p[v.n - 1]) || v.p[v.n - 1] == '\r'))
        v.n--;
    return v;
}

/* Next whitespace-separated token; advances *rest past it. */
static sv sv_next(sv *rest)
{
    *rest = sv_trim(*rest);
    size_t i = 0;
    while (i < rest->n && !is_ws(rest->p[i]))
        i++;
    sv tok = {rest->p, i};
    rest->p += i;
    rest->n -= i;
    return tok;
}

/* Splits at the first ch: returns the part before, leaves the part after in
 * *rest. *found tells whether ch was there. */
static sv sv_split(sv *rest, char ch, bool *found)
{
    const char *hit = rest->n ? memchr(rest->p, ch, rest->n) : NULL;
    *found = hit != NULL;
    if (!hit) {
        sv all = *rest;
        rest->p += rest->n;
        rest->n = 0;
        return all;
    }
    sv head = {rest->p, (size_t)(hit - rest->p)};
    rest->n -= head.n + 1;
    rest->p = hit + 1;
    return head;
}

static bool sv_eq(sv v, const char *s)
{
    size_t n = strlen(s);
    return v.n == n && memcmp(v.p, s, n) == 0;
}

static bool sv_has_ws(sv v)
{
    for (size_t i = 0; i < v.n; i++)
        if (is_ws(v.p[i])) return true;
    return false;
}

/* Decimal digits only, no sign, no overflow past max. */
static bool sv_uint(sv v, uint64_t max, uint64_t *out)
{
    if (v.n == 0 || v.n > 20) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9') return false;
        unsigned d = (unsigned)(v.p[i] - '0');
        if (x > (max - d) / 10) return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* ---- parser ---- */

typedef struct parse_ctx {
    sdp_session *s;
    sdp_media *m; /* current m-section; NULL at session level */
    int mi;       /* its index */
    /* Session-level attributes land here, then fill the m-sections' gaps. */
    sdp_media sess;
    bool sess_has_dir;
    bool has_dir[SDP_MAX_MEDIA];
    bool is_rtp[SDP_MAX_MEDIA];
    bool bundle_only[SDP_MAX_MEDIA];
    bool seen_v, seen_o, seen_s, seen_t, seen_bundle;
    const char *why;
} parse_ctx;

static int fail(parse_ctx *c, int code, const char *why)
{
    c->why = why;
    return -code;
}

static int copy_sv(parse_ctx *c, char *dst, size_t cap, sv v)
{
    if (v.n >= cap) return fail(c, SDP_ERR_LIMIT, "a field is longer than Confab stores");
    memcpy(dst, v.p, v.n);
    dst[v.n] = '\0';
    return 0;
}

static bool target_is_rtp(const parse_ctx *c)
{
    return c->m && c->is_rtp[c->mi];
}

static sdp_codec *find_codec(sdp_media *m, uint64_t pt)
{
    for (int i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt) return &m->codecs[i];
    return NULL;
}

static int parse_origin(parse_ctx *c, sv v)
{
    if (c->m || c->seen_o) return fail(c, SDP_ERR_SYNTAX, "o= repeated or inside an m-section");
    sv tok[6];
    for (int i = 0; i < 6; i++) {
        tok[i] = sv_next(&v);
        if (tok[i].n == 0) return fail(c, SDP_ERR_SYNTAX, "o= needs six fields");
    }
    if (sv_trim(v).n) return fail(c, SDP_ERR_SYNTAX, "o= has extra fields");
    if (!sv_uint(tok[1], UINT64_MAX, &c->s->session_id) ||
        !sv_uint(tok[2], UINT64_MAX, &c->s->session_version))
        return fail(c, SDP_ERR_SYNTAX, "o= session id or version is not a 64-bit number");
    c->seen_o = true;
    return 0;
}

static int add_fmt(parse_ctx *c, sdp_media *m, sv tok)
{
    uint64_t pt;
    if (!sv_uint(tok, 127, &pt)) return fail(c, SDP_ERR_SYNTAX, "m= payload type is not 0..127");
    if (find_codec(m, pt)) return fail(c, SDP_ERR_SYNTAX, "m= repeats a payload type");
    if (m->n_codecs == SDP_MAX_CODECS)
        return fail(c, SDP_ERR_LIMIT, "too many payload types in an m= line");
    m->codecs[m->n_codecs++].pt = (uint8_t)pt;
    return 0;
}

static int parse_mline(parse_ctx *c, sv v)
{
    if (!c->seen_o || !c->seen_s || !c->seen_t)
        return fail(c, SDP_ERR_SYNTAX, "o=, s= and t= must come before the first m=");
    if (c->s->n_media == SDP_MAX_MEDIA) return fail(c, SDP_ERR_LIMIT, "too many m-sections");
    int mi = c->s->n_media;
    sdp_media *m = &c->s->media[mi];
    sv kind = sv_next(&v), port = sv_next(&v), proto = sv_next(&v);
    bool slash;
    sv port_num = sv_split(&port, '/', &slash);
    uint64_t x, count;
    if (!proto.n || !sv_uint(port_num, 65535, &x) || (slash && !sv_uint(port, 65535, &count)))
        return fail(c, SDP_ERR_SYNTAX, "malformed m= line");
    int rc = copy_sv(c, m->kind, sizeof m->kind, kind);
    if (!rc) rc = copy_sv(c, m->proto, sizeof m->proto, proto);
    if (rc) return rc;
    m->port = (uint16_t)x;
    c->is_rtp[mi] = strstr(m->proto, "RTP/") != NULL;
    int n_fmt = 0;
    for (sv tok = sv_next(&v); tok.n; tok = sv_next(&v), n_fmt++)
        if (c->is_rtp[mi] && (rc = add_fmt(c, m, tok))) return rc;
    if (!n_fmt) return fail(c, SDP_ERR_SYNTAX, "m= line without formats");
    c->s->n_media++;
    c->m = m;
    c->mi = mi;
    return 0;
}

/* ---- attributes ---- */

typedef int (*attr_fn)(parse_ctx *c, sdp_media *t, sv name, sv v);

static int at_group(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)t;
    (void)name;
    if (c->m || !sv_eq(sv_next(&v), "BUNDLE") || c->seen_bundle)
        return 0; /* only the first session-level BUNDLE group matters */
    c->seen_bundle = true;
    sdp_session *s = c->s;
    for (sv mid = sv_next(&v); mid.n; mid = sv_next(&v)) {
        if (s->n_bundle == SDP_MAX_MEDIA)
            return fail(c, SDP_ERR_LIMIT, "too many mids in a=group:BUNDLE");
        int rc = copy_sv(c, s->bundle[s->n_bundle], sizeof s->bundle[0], mid);
        if (rc) return rc;
        s->n_bundle++;
    }
    return 0;
}

static int at_flag(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)v;
    if (sv_eq(name, "ice-lite"))
        c->s->ice_lite = c->s->ice_lite || !c->m;
    else if (sv_eq(name, "rtcp-mux"))
        t->rtcp_mux = true;
    else if (sv_eq(name, "rtcp-rsize"))
        t->rtcp_rsize = true;
    else if (sv_eq(name, "end-of-candidates"))
        t->end_of_candidates = true;
    else if (sv_eq(name, "bundle-only") && c->m)
        c->bundle_only[c->mi] = true;
    return 0;
}

const char *const sdp_direction_names[4] = {"sendrecv", "sendonly", "recvonly", "inactive"};

static int dir_from(sv v)
{
    for (int i = 0; i < 4; i++)
        if (sv_eq(v, sdp_direction_names[i])) return i;
    return -1;
}

static int at_direction(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)v;
    t->direction = (sdp_direction)dir_from(name);
    if (c->m)
        c->has_dir[c->mi] = true;
    else
        c->sess_has_dir = true;
    return 0;
}

static int at_ice(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    v = sv_trim(v);
    if (sv_has_ws(v)) return -SDP_ERR_SYNTAX;
    if (sv_eq(name, "ice-ufrag")) return copy_sv(c, t->ice_ufrag, sizeof t->ice_ufrag, v);
    return copy_sv(c, t->ice_pwd, sizeof t->ice_pwd, v);
}

static int at_fingerprint(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    sv alg = sv_next(&v), hash = sv_next(&v);
    if (!hash.n || sv_trim(v).n) return -SDP_ERR_SYNTAX;
    for (size_t i = 0; i < hash.n; i++)
        if (!strchr("0123456789abcdefABCDEF:", hash.p[i]) || hash.p[i] == '\0')
            return -SDP_ERR_SYNTAX;
    if (t->fingerprint[0] && strcmp(t->fingerprint_alg, "sha-256") == 0)
        return 0; /* keep the sha-256 one when several are given */
    int rc = copy_sv(c, t->fingerprint_alg, sizeof t->fingerprint_alg, alg);
    if (!rc) rc = copy_sv(c, t->fingerprint, sizeof t->fingerprint, hash);
    for (char *p = t->fingerprint_alg; *p; p++)
        *p = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
    for (char *p = t->fingerprint; *p; p++)
        *p = (*p >= 'a' && *p <= 'f') ? (char)(*p - 32) : *p;
    return rc;
}

const char *const sdp_setup_names[4] = {"", "actpass", "active", "passive"};

static int at_setup(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)c;
    (void)name;
    for (int i = SDP_SETUP_ACTPASS; i <= SDP_SETUP_PASSIVE; i++) {
        if (sv_eq(sv_trim(v), sdp_setup_names[i])) {
            t->setup = (sdp_setup)i;
            return 0;
        }
    }
    return -SDP_ERR_SYNTAX; /* holdconn included: browsers never send it */
}

static int at_mid(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    v = sv_trim(v);
    if (sv_has_ws(v) || (c->m && t->mid[0])) return -SDP_ERR_SYNTAX;
    return c->m ? copy_sv(c, t->mid, sizeof t->mid, v) : 0;
}

static int at_msid(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    if (t->msid_stream[0]) return 0; /* one stream per track is all Confab uses */
    sv stream = sv_next(&v), track = sv_next(&v);
    int rc = copy_sv(c, t->msid_stream, sizeof t->msid_stream, stream);
    return rc ? rc : copy_sv(c, t->msid_track, sizeof t->msid_track, track);
}

static int at_rtpmap(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    if (!target_is_rtp(c)) return 0;
    uint64_t pt, clock, ch = 0;
    bool more;
    sv ptv = sv_next(&v), enc = sv_next(&v);
    sv ename = sv_split(&enc, '/', &more);
    sv clockv = sv_split(&enc, '/', &more);
    if (!sv_uint(ptv, 127, &pt) || !ename.n || !sv_uint(clockv, UINT32_MAX, &clock) ||
        (more && !sv_uint(enc, 255, &ch)))
        return -SDP_ERR_SYNTAX;
    sdp_codec *codec = find_codec(t, pt);
    if (!codec) return 0; /* like browsers: a map for an unlisted pt is ignored */
    codec->clock_rate = (uint32_t)clock;
    codec->channels = (uint8_t)ch;
    return copy_sv(c, codec->name, sizeof codec->name, ename);
}

static int at_fmtp(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    if (!target_is_rtp(c)) return 0;
    uint64_t pt;
    if (!sv_uint(sv_next(&v), 127, &pt)) return -SDP_ERR_SYNTAX;
    sdp_codec *codec = find_codec(t, pt);
    if (!codec || codec->fmtp[0]) return 0;
    return copy_sv(c, codec->fmtp, sizeof codec->fmtp, sv_trim(v));
}

static int add_fb(parse_ctx *c, sdp_codec *codec, const char *fb)
{
    for (int i = 0; i < codec->n_fb; i++)
        if (strcmp(codec->fb[i], fb) == 0) return 0;
    if (codec->n_fb == SDP_MAX_FB)
        return fail(c, SDP_ERR_LIMIT, "too many a=rtcp-fb for one codec");
    strcpy(codec->fb[codec->n_fb++], fb);
    return 0;
}

static int at_rtcp_fb(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    if (!target_is_rtp(c)) return 0;
    sv ptv = sv_next(&v);
    char fb[sizeof t->codecs[0].fb[0]];
    size_t n = 0;
    /* Single spaces between words, so "nack  pli" still reads as "nack pli". */
    for (sv w = sv_next(&v); w.n; w = sv_next(&v)) {
        if (n + (n > 0) + w.n >= sizeof fb)
            return fail(c, SDP_ERR_LIMIT, "a=rtcp-fb value too long");
        if (n) fb[n++] = ' ';
        memcpy(fb + n, w.p, w.n);
        n += w.n;
    }
    fb[n] = '\0';
    uint64_t pt;
    if (!n || (!sv_eq(ptv, "*") && !sv_uint(ptv, 127, &pt))) return -SDP_ERR_SYNTAX;
    int rc = 0;
    if (sv_eq(ptv, "*")) {
        for (int i = 0; i < t->n_codecs && !rc; i++)
            rc = add_fb(c, &t->codecs[i], fb);
    } else if (find_codec(t, pt)) {
        rc = add_fb(c, find_codec(t, pt), fb);
    }
    return rc;
}

static int at_extmap(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    sv idv = sv_next(&v), uri = sv_next(&v);
    bool has_dir;
    sv num = sv_split(&idv, '/', &has_dir);
    uint64_t id;
    if (!sv_uint(num, 255, &id) || id == 0 || (has_dir && dir_from(idv) < 0) || !uri.n)
        return -SDP_ERR_SYNTAX;
    for (int i = 0; i < t->n_extmaps; i++)
        if (t->extmaps[i].id == id) return fail(c, SDP_ERR_SYNTAX, "a=extmap id used twice");
    if (t->n_extmaps == SDP_MAX_EXTMAP)
        return fail(c, SDP_ERR_LIMIT, "too many a=extmap in one m-section");
    sdp_extmap *e = &t->extmaps[t->n_extmaps];
    int rc = copy_sv(c, e->uri, sizeof e->uri, uri);
    if (rc) return rc;
    e->id = (uint8_t)id;
    t->n_extmaps++;
    return 0;
}

static int at_ssrc(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    uint64_t ssrc;
    if (!sv_uint(sv_next(&v), UINT32_MAX, &ssrc)) return -SDP_ERR_SYNTAX;
    v = sv_trim(v);
    bool has_val;
    sv attr = sv_split(&v, ':', &has_val);
    if (!attr.n) return -SDP_ERR_SYNTAX;
    sdp_ssrc *e = NULL;
    for (int i = 0; i < t->n_ssrcs && !e; i++)
        if (t->ssrcs[i].ssrc == ssrc) e = &t->ssrcs[i];
    if (!e && t->n_ssrcs == SDP_MAX_SSRCS)
        return fail(c, SDP_ERR_LIMIT, "too many SSRCs in one m-section");
    if (!e) {
        e = &t->ssrcs[t->n_ssrcs++];
        e->ssrc = (uint32_t)ssrc;
    }
    if (sv_eq(attr, "cname"))
        return v.n ? copy_sv(c, e->cname, sizeof e->cname, v) : -SDP_ERR_SYNTAX;
    if (sv_eq(attr, "msid")) return v.n ? copy_sv(c, e->msid, sizeof e->msid, v) : -SDP_ERR_SYNTAX;
    return 0;
}

static int at_ssrc_group(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    if (t->n_ssrc_groups == SDP_MAX_SSRC_GROUPS)
        return fail(c, SDP_ERR_LIMIT, "too many a=ssrc-group in one m-section");
    sdp_ssrc_group *g = &t->ssrc_groups[t->n_ssrc_groups];
    memset(g, 0, sizeof *g);
    int rc = copy_sv(c, g->semantics, sizeof g->semantics, sv_next(&v));
    if (rc) return rc;
    for (sv tok = sv_next(&v); tok.n; tok = sv_next(&v)) {
        uint64_t ssrc;
        if (!sv_uint(tok, UINT32_MAX, &ssrc)) return -SDP_ERR_SYNTAX;
        if (g->n == (int)(sizeof g->ssrcs / sizeof g->ssrcs[0]))
            return fail(c, SDP_ERR_LIMIT, "too many SSRCs in an a=ssrc-group");
        g->ssrcs[g->n++] = (uint32_t)ssrc;
    }
    if (!g->n) return -SDP_ERR_SYNTAX;
    t->n_ssrc_groups++;
    return 0;
}

static int at_candidate(parse_ctx *c, sdp_media *t, sv name, sv v)
{
    (void)name;
    static const char prefix[] = "candidate:";
    if (!c->m) return 0;
    v = sv_trim(v);
    if (t->n_candidates == SDP_MAX_CANDIDATES)
        return fail(c, SDP_ERR_LIMIT, "too many a=candidate in one m-section");
    if (sizeof prefix - 1 + v.n >= sizeof t->candidates[0])
        return fail(c, SDP_ERR_LIMIT, "a=candidate too long");
    char *dst = t->candidates[t->n_candidates++];
    memcpy(dst, prefix, sizeof prefix - 1);
    memcpy(dst + sizeof prefix - 1, v.p, v.n);
    dst[sizeof prefix - 1 + v.n] = '\0';
    return 0;
}

static const struct attr_def {
    const char *name;
    attr_fn fn;
    bool needs_value;
    const char *why; /* reason reported when the value is malformed */
} attr_defs[] = {
    {"group", at_group, true, "malformed a=group"},
    {"ice-lite", at_flag, false, ""},
    {"ice-ufrag", at_ice, true, "malformed a=ice-ufrag"},
    {"ice-pwd", at_ice, true, "malformed a=ice-pwd"},
    {"fingerprint", at_fingerprint, true, "malformed a=fingerprint"},
    {"setup", at_setup, true, "a=setup is not actpass, active or passive"},
    {"mid", at_mid, true, "malformed or repeated a=mid"},
    {"sendrecv", at_direction, false, ""},
    {"sendonly", at_direction, false, ""},
    {"recvonly", at_direction, false, ""},
    {"inactive", at_direction, false, ""},
    {"rtcp-mux", at_flag, false, ""},
    {"rtcp-rsize", at_flag, false, ""},
    {"end-of-candidates", at_flag, false, ""},
    {"bundle-only", at_flag, false, ""},
    {"msid", at_msid, true, "malformed a=msid"},
    {"rtpmap", at_rtpmap, true, "malformed a=rtpmap"},
    {"fmtp", at_fmtp, true, "malformed a=fmtp"},
    {"rtcp-fb", at_rtcp_fb, true, "malformed a=rtcp-fb"},
    {"extmap", at_extmap, true, "malformed a=extmap"},
    {"ssrc", at_ssrc, true, "malformed a=ssrc"},
    {"ssrc-group", at_ssrc_group, true, "malformed a=ssrc-group"},
    {"candidate", at_candidate, true, "malformed a=candidate"},
};

static int parse_attr(parse_ctx *c, sv v)
{
    bool has_value;
    sv name = sv_split(&v, ':', &has_value);
    for (size_t i = 0; i < sizeof attr_defs / sizeof attr_defs[0]; i++) {
        const struct attr_def *d = &attr_defs[i];
        if (!sv_eq(name, d->name)) continue;
        if (d->needs_value && !sv_trim(v).n) return fail(c, SDP_ERR_SYNTAX, d->why);
        c->why = NULL;
        int rc = d->fn(c, c->m ? c->m : &c->sess, name, v);
        if (rc && !c->why) c->why = d->why;
        return rc;
    }
    return 0; /* unknown attributes are ignored, as browsers do */
}

static int parse_line(parse_ctx *c, sv line)
{
    line = sv_trim(line);
    if (line.n == 0) return 0;
    for (size_t i = 0; i < line.n; i++) {
        unsigned char ch = (unsigned char)line.p[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return fail(c, SDP_ERR_SYNTAX, "control character in a line");
    }
    if (line.n < 2 || line.p[1] != '=' || line.p[0] < 'a' || line.p[0] > 'z')
        return fail(c, SDP_ERR_SYNTAX, "a line is not x=value");
    char type = line.p[0];
    sv v = {line.p + 2, line.n - 2};
    if (!c->seen_v) {
        if (type != 'v' || !sv_eq(v, "0"))
            return fail(c, SDP_ERR_SYNTAX, "SDP must start with v=0");
        c->seen_v = true;
        return 0;
    }
    switch (type) {
    case 'v':
        return fail(c, SDP_ERR_SYNTAX, "repeated v=");
    case 'o':
        return parse_origin(c, v);
    case 's':
        c->seen_s = true;
        return 0;
    case 't':
        c->seen_t = true;
        return 0;
    case 'm':
        return parse_mline(c, v);
    case 'a':
        return parse_attr(c, v);
    default:
        return 0; /* c=, b=, i=, ... carry nothing Confab uses */
    }
}

static int inherit_extmaps(parse_ctx *c, sdp_media *m)
{
    for (int i = 0; i < c->sess.n_extmaps; i++) {
        bool have = false;
        for (int j = 0; j < m->n_extmaps; j++)
            have = have || m->extmaps[j].id == c->sess.extmaps[i].id;
        if (have) continue;
        if (m->n_extmaps == SDP_MAX_EXTMAP)
            return fail(c, SDP_ERR_LIMIT, "too many a=extmap in one m-section");
        m->extmaps[m->n_extmaps++] = c->sess.extmaps[i];
    }
    return 0;
}

static int finish(parse_ctx *c)
{
    const sdp_media *ss = &c->sess;
    if (!c->seen_v || !c->seen_o || !c->seen_s || !c->seen_t)
        return fail(c, SDP_ERR_SYNTAX, "missing v=, o=, s= or t=");
    for (int i = 0; i < c->s->n_media; i++) {
        sdp_media *m = &c->s->media[i];
        if (!m->ice_ufrag[0]) memcpy(m->ice_ufrag, ss->ice_ufrag, sizeof m->ice_ufrag);
        if (!m->ice_pwd[0]) memcpy(m->ice_pwd, ss->ice_pwd, sizeof m->ice_pwd);
        if (!m->fingerprint[0]) {
            memcpy(m->fingerprint_alg, ss->fingerprint_alg, sizeof m->fingerprint_alg);
            memcpy(m->fingerprint, ss->fingerprint, sizeof m->fingerprint);
        }
        if (m->setup == SDP_SETUP_NONE) m->setup = ss->setup;
        if (!c->has_dir[i] && c->sess_has_dir) m->direction = ss->direction;
        m->end_of_candidates = m->end_of_candidates || ss->end_of_candidates;
        /* RFC 8843: port 0 with bundle-only is not a rejection. */
        if (c->bundle_only[i] && m->port == 0) m->port = 9;
        if (c->is_rtp[i] && inherit_extmaps(c, m)) return -SDP_ERR_LIMIT;
        for (int j = 0; j < i && m->mid[0]; j++)
            if (strcmp(c->s->media[j].mid, m->mid) == 0)
                return fail(c, SDP_ERR_SYNTAX, "two m-sections share a mid");
    }
    return 0;
}

int sdp_parse(const char *text, size_t len, sdp_session *out, const char **err)
{
    const char *ignored;
    if (!err) err = &ignored;
    *err = NULL;
    if (!out || !text) {
        *err = "no SDP text";
        return -SDP_ERR_SYNTAX;
    }
    memset(out, 0, sizeof *out);
    if (len > SDP_MAX_TEXT) {
        *err = "SDP text too long";
        return -SDP_ERR_LIMIT;
    }
    parse_ctx c;
    memset(&c, 0, sizeof c);
    c.s = out;
    int rc = 0;
    for (size_t pos = 0; pos < len && rc == 0;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        rc = parse_line(&c, (sv){text + pos, end - pos});
        pos = end + 1;
    }
    if (rc == 0) rc = finish(&c);
    if (rc) *err = c.why ? c.why : "malformed SDP";
    return rc;
}

/* ---- small lookups ---- */

const char *sdp_error_code(int err)
{
    static const char *const names[] = {
        "ok",           "sdp_syntax",         "sdp_limit",
        "sdp_no_ice",   "sdp_no_fingerprint", "sdp_no_media",
        "sdp_no_codec", "sdp_bundle",         "sdp_setup",
        "sdp_mismatch", "sdp_no_rtcp_mux",
    };
    long long e = err < 0 ? -(long long)err : err;
    if (e >= (long long)(sizeof names / sizeof names[0])) return "sdp_error";
    return names[e];
}

const sdp_media *sdp_find_mid(const sdp_session *s, const char *mid)
{
    if (!s || !mid || !mid[0]) return NULL;
    for (int i = 0; i < s->n_media && i < SDP_MAX_MEDIA; i++)
        if (strncmp(s->media[i].mid, mid, sizeof s->media[i].mid) == 0) return &s->media[i];
    return NULL;
}

int sdp_fmtp_get(const char *fmtp, const char *key, char *out, size_t cap)
{
    if (!fmtp || !key || !key[0] || !out || cap == 0) return -1;
    sv rest = {fmtp, strlen(fmtp)};
    sv want = {key, strlen(key)};
    while (rest.n) {
        bool more, has_eq;
        sv item = sv_split(&rest, ';', &more);
        sv val = sv_trim(item);
        sv k = sv_trim(sv_split(&val, '=', &has_eq));
        val = sv_trim(val);
        if (k.n != want.n || strncasecmp(k.p, want.p, k.n) != 0) continue;
        if (val.n >= cap) return -1;
        memcpy(out, val.p, val.n);
        out[val.n] = '\0';
        return 0;
    }
    return -1;
}

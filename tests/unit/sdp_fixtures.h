/*
 * Fixtures shared by the SDP tests: the fixture folder (argv[1]), scratch
 * sessions, and text helpers. Each test binary includes it once.
 */
#ifndef CONFAB_SDP_FIXTURES_H
#define CONFAB_SDP_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sdp.h"

static const char *data_dir = "tests/unit/data";
static sdp_session *A, *B, *C;

static const sdp_local local_answer = {
    .ice_ufrag = "cfUf",
    .ice_pwd = "confabpasswordconfabpass",
    .fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
                   "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
    .setup = SDP_SETUP_PASSIVE,
};

static inline char *load(const char *name)
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
static inline char *replace(const char *text, const char *from, const char *to)
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
static inline char *drop_lines(const char *text, const char *prefix)
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

static inline int parse(const char *text, sdp_session *s)
{
    return sdp_parse(text, strlen(text), s, NULL);
}

static inline int parse_free(char *text, sdp_session *s)
{
    int rc = parse(text, s);
    free(text);
    return rc;
}

static inline int answer_text(char *text)
{
    int rc = parse_free(text, A);
    return rc ? rc : sdp_answer_publish(A, &local_answer, B, NULL);
}

static inline const sdp_extmap *ext_by_id(const sdp_media *m, int id)
{
    for (int i = 0; i < m->n_extmaps; i++)
        if (m->extmaps[i].id == id) return &m->extmaps[i];
    return NULL;
}

static inline void fixtures_init(int argc, char **argv)
{
    if (argc > 1) data_dir = argv[1];
    A = calloc(1, sizeof *A);
    B = calloc(1, sizeof *B);
    C = calloc(1, sizeof *C);
}

static inline void fixtures_free(void)
{
    free(A);
    free(B);
    free(C);
}

#endif

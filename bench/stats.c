/*
 * Percentiles by sorting: a run keeps at most a few hundred thousand
 * samples, so exact figures are affordable and nothing is approximated.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

void samples_add(samples *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        double *p = realloc(s->v, cap * sizeof *p);
        if (!p) abort(); /* a bench that cannot count has nothing to say */
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    s->sorted = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double samples_percentile(samples *s, double p)
{
    if (s->n == 0) return NAN;
    if (!s->sorted) qsort(s->v, s->n, sizeof *s->v, cmp_double);
    s->sorted = 1;
    /* Nearest rank: the smallest value with at least p% of samples <= it. */
    double rank = ceil(p / 100.0 * (double)s->n);
    size_t i = rank < 1 ? 0 : (size_t)rank - 1;
    return s->v[i < s->n ? i : s->n - 1];
}

void samples_free(samples *s)
{
    free(s->v);
    *s = (samples){0};
}

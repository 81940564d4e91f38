/*
 * Samples and their percentiles, for latencies.
 */
#ifndef CONFAB_BENCH_STATS_H
#define CONFAB_BENCH_STATS_H

#include <stddef.h>

typedef struct samples {
    double *v;
    size_t n, cap;
    int sorted;
} samples;

void samples_add(samples *s, double v);
/* Nearest-rank percentile (p in 0..100) of what was added; NaN when empty.
 * Sorts in place; adding afterwards is allowed. */
double samples_percentile(samples *s, double p);
void samples_free(samples *s);

#endif

/*
 * What the bench reads about the server process from /proc.
 */
#ifndef CONFAB_BENCH_PROCSTAT_H
#define CONFAB_BENCH_PROCSTAT_H

#include <sys/types.h>

/* Resident set size (VmRSS) of pid in KiB, or -1 when it cannot be read. */
long procstat_rss_kib(pid_t pid);

/* CPU time (user + system) used so far by pid, in microseconds, or -1. */
long long procstat_cpu_us(pid_t pid);

/* CPU time used so far by the calling process, in microseconds. */
long long procstat_self_cpu_us(void);

#endif

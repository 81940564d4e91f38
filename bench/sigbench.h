/*
 * The signaling load scenario (issue 3, "Measure"): many peers join rooms
 * at a given rate over WebSocket, then chat; the bench reports join
 * latency, chat messages delivered per second, delivery losses, and the
 * server's memory per idle session.
 */
#ifndef CONFAB_BENCH_SIGBENCH_H
#define CONFAB_BENCH_SIGBENCH_H

#include "report.h"
#include "target.h"

typedef struct sigbench_options {
    int peers;
    int rooms;         /* peer i joins room i % rooms */
    double join_rate;  /* connections opened per second */
    double chat_rate;  /* chat messages per second per peer; 0: no chat phase */
    double duration_s; /* length of the chat phase */
    int chat_size;     /* bytes of each chat text */
    long server_pid;   /* 0: no memory figures */
} sigbench_options;

/* Runs the scenario against t and fills r. Returns 0 when the run
 * happened (its verdict is report_ok(r)), -1 when it could not start. */
int sigbench_run(const sigbench_options *o, const bench_target *t, report *r);

/* The longest a run with these options may take, in seconds; the run
 * stops itself within it. */
double sigbench_time_cap(const sigbench_options *o);

#endif

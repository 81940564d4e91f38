/*
 * confab-bench stun: Binding-request load against a STUN server
 * (docs/benchmarks.md, "STUN (issue 6)"). N UDP sockets each keep a window
 * of requests outstanding (or follow a target rate); every answer is
 * checked (transaction, class, XOR-MAPPED-ADDRESS equal to the socket's own
 * address) and timed. Single-threaded; runs on the calling thread.
 */
#ifndef CONFAB_BENCH_STUNLOAD_H
#define CONFAB_BENCH_STUNLOAD_H

#include <stdio.h>

/* argv[0] is "stun". Returns the process exit status. */
int stunload_main(int argc, char **argv);
void stunload_usage(FILE *out);

#endif

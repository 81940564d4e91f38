/*
 * Command lines of the media modes: `confab-bench media` and
 * `confab-bench floor`. Each returns the process exit status (0 no problem,
 * 1 problems found, 2 could not run).
 */
#ifndef CONFAB_BENCH_MEDIA_CLI_H
#define CONFAB_BENCH_MEDIA_CLI_H

int media_cli_main(int argc, char **argv);
int floor_cli_main(int argc, char **argv);
void media_cli_usage(void *out); /* FILE *, kept opaque for main.c's includes */

#endif

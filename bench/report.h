/*
 * A bench report: figures grouped in sections, printed as a table and
 * written as the same figures in JSON, plus the problems that make a run
 * fail (a lost message, a refused join) as opposed to merely slow.
 *
 * JSON shape: {"mode":..., "ok":bool, "problems":[string...],
 *              "config":{...}, "results":{section:{key:number|null}}}
 */
#ifndef CONFAB_BENCH_REPORT_H
#define CONFAB_BENCH_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct report report;

report *report_new(const char *mode);
void report_free(report *r);

/* Records a setting of the run under "config" (steals value). */
void report_config(report *r, const char *key, json_t *value);

/* A figure: key is its JSON name, label and unit are for the table. NaN
 * (nothing measured) is written as null and printed as "-". */
void report_add(report *r, const char *section, const char *key, const char *label, double value,
                const char *unit);
void report_add_count(report *r, const char *section, const char *key, const char *label,
                      long long value);

/* Something that went wrong; the run is then not ok. */
void report_problem(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool report_ok(const report *r);

void report_print(const report *r, FILE *out);
/* Returns 0, or -1 with errno set. */
int report_write_json(const report *r, const char *path);

#endif

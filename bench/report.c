/*
 * Report table and JSON. See report.h.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    char *section, *label, *unit;
    double value;
    bool count;
} row;

struct report {
    json_t *root, *config, *results, *problems;
    row *rows;
    size_t n_rows, cap_rows;
};

report *report_new(const char *mode)
{
    report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->root = json_object();
    r->config = json_object();
    r->results = json_object();
    r->problems = json_array();
    json_object_set_new(r->root, "mode", json_string(mode));
    json_object_set(r->root, "problems", r->problems);
    json_object_set(r->root, "config", r->config);
    json_object_set(r->root, "results", r->results);
    return r;
}

void report_free(report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_rows; i++) {
        free(r->rows[i].section);
        free(r->rows[i].label);
        free(r->rows[i].unit);
    }
    free(r->rows);
    json_decref(r->config);
    json_decref(r->results);
    json_decref(r->problems);
    json_decref(r->root);
    free(r);
}

void report_config(report *r, const char *key, json_t *value)
{
    json_object_set_new(r->config, key, value);
}

static void add_row(report *r, const char *section, const char *label, double v, const char *unit,
                    bool count)
{
    if (r->n_rows == r->cap_rows) {
        size_t cap = r->cap_rows ? r->cap_rows * 2 : 32;
        row *p = realloc(r->rows, cap * sizeof *p);
        if (!p) return;
        r->rows = p;
        r->cap_rows = cap;
    }
    r->rows[r->n_rows++] =
        (row){strdup(section), strdup(label), strdup(unit ? unit : ""), v, count};
}

static json_t *section_of(report *r, const char *section)
{
    json_t *s = json_object_get(r->results, section);
    if (!s) {
        s = json_object();
        json_object_set_new(r->results, section, s);
    }
    return s;
}

void report_add(report *r, const char *section, const char *key, const char *label, double value,
                const char *unit)
{
    json_t *v = isfinite(value) ? json_real(value) : json_null();
    json_object_set_new(section_of(r, section), key, v);
    add_row(r, section, label, value, unit, false);
}

void report_add_count(report *r, const char *section, const char *key, const char *label,
                      long long value)
{
    json_object_set_new(section_of(r, section), key, json_integer(value));
    add_row(r, section, label, (double)value, NULL, true);
}

void report_problem(report *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(r->problems, json_string(buf));
}

bool report_ok(const report *r)
{
    return json_array_size(r->problems) == 0;
}

void report_print(const report *r, FILE *out)
{
    const char *section = "";
    for (size_t i = 0; i < r->n_rows; i++) {
        const row *w = &r->rows[i];
        if (strcmp(section, w->section) != 0) fprintf(out, "%s\n", w->section);
        section = w->section;
        if (w->count)
            fprintf(out, "  %-34s %14.0f\n", w->label, w->value);
        else if (!isfinite(w->value))
            fprintf(out, "  %-34s %14s %s\n", w->label, "-", w->unit);
        else
            fprintf(out, "  %-34s %14.3f %s\n", w->label, w->value, w->unit);
    }
    size_t n = json_array_size(r->problems);
    fprintf(out, "%s\n", n ? "FAILED:" : "ok: no problem found");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  - %s\n", json_string_value(json_array_get(r->problems, i)));
}

int report_write_json(const report *r, const char *path)
{
    json_object_set_new(r->root, "ok", json_boolean(report_ok(r)));
    if (json_dump_file(r->root, path, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(9)) <
        0) {
        if (!errno) errno = EIO;
        return -1;
    }
    return 0;
}

/*
 * The web client's static files: the copy embedded at build time (from
 * signaling/www/, see www_embed.cmake) and the Content-Type of a file name.
 */
#ifndef CONFAB_WWW_H
#define CONFAB_WWW_H

#include <stddef.h>

typedef struct www_file {
    const char *name; /* path relative to www/, '/'-separated, e.g. "js/app.js" */
    const unsigned char *data;
    size_t len;
} www_file;

/* Generated: every embedded file, then an entry with name NULL. */
extern const www_file www_files[];

/* The embedded file with exactly this name, or NULL. */
const www_file *www_find(const char *name);

/* Content-Type for a file name by its extension; application/octet-stream
 * when unknown. */
const char *www_content_type(const char *name);

#endif

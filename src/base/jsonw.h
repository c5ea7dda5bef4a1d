/*
 * jsonw.h - a JSON writer that appends straight into an arena buffer, for
 * answers on hot paths and for results too large to build as a tree.
 *
 *     struct jsonw w;
 *
 *     jsonw_init(&w, &req->arena);
 *     jsonw_object(&w);
 *     jsonw_key(&w, "id");
 *     jsonw_string(&w, user.id);
 *     jsonw_end(&w);
 *
 * Commas are placed automatically.  Strings must be UTF-8 (everything the
 * store holds was checked on the way in); quotes, backslashes and control
 * characters are escaped.  Errors (out of memory, nesting too deep) are
 * sticky and reported by jsonw_finish().
 */
#ifndef GANYMEDE_BASE_JSONW_H
#define GANYMEDE_BASE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

#define JSONW_DEPTH_MAX 32

struct jsonw {
    struct arena *arena;
    char *buf;
    size_t len;
    size_t cap;
    bool failed;
    int depth;
    bool first[JSONW_DEPTH_MAX]; /* nothing written yet at this level */
    char closer[JSONW_DEPTH_MAX]; /* '}' or ']' for each open level */
    bool after_key;
};

void jsonw_init(struct jsonw *w, struct arena *arena);

void jsonw_object(struct jsonw *w);
void jsonw_array(struct jsonw *w);
void jsonw_end(struct jsonw *w); /* closes the innermost object or array */

void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_int(struct jsonw *w, int64_t n);
void jsonw_bool(struct jsonw *w, bool b);
void jsonw_null(struct jsonw *w);
void jsonw_time(struct jsonw *w, int64_t ms); /* ISO text, 0 writes null */

/* The text written, NUL-terminated; false after any error. */
bool jsonw_finish(struct jsonw *w, char **out, size_t *len);

#endif

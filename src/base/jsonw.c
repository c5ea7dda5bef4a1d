/*
 * jsonw.c - the JSON writer.
 */
#include "base/jsonw.h"

#include "base/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define JSONW_INITIAL 1024

void
jsonw_init(struct jsonw *w, struct arena *arena)
{
    memset(w, 0, sizeof(*w));
    w->arena = arena;
    w->first[0] = true;
}

/* Make room for n more bytes plus a NUL. */
static bool
jsonw_reserve(struct jsonw *w, size_t n)
{
    size_t cap;
    char *grown;

    if (w->failed) {
        return false;
    }
    if (w->len + n + 1 <= w->cap) {
        return true;
    }

    cap = w->cap == 0 ? JSONW_INITIAL : w->cap;
    while (cap < w->len + n + 1) {
        cap *= 2;
    }
    grown = arena_alloc(w->arena, cap);
    if (grown == NULL) {
        w->failed = true;
        return false;
    }
    if (w->len > 0) {
        memcpy(grown, w->buf, w->len);
    }
    w->buf = grown;
    w->cap = cap;
    return true;
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
    if (jsonw_reserve(w, n)) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        w->buf[w->len] = '\0';
    }
}

/* The comma before a value, unless it follows its key or comes first. */
static void
jsonw_before_value(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) {
        jsonw_put(w, ",", 1);
    }
    w->first[w->depth] = false;
}

static void
jsonw_open(struct jsonw *w, char open, char close)
{
    jsonw_before_value(w);
    if (w->depth + 1 >= JSONW_DEPTH_MAX) {
        w->failed = true;
        return;
    }
    jsonw_put(w, &open, 1);
    w->depth++;
    w->first[w->depth] = true;
    w->closer[w->depth] = close;
}

void
jsonw_object(struct jsonw *w)
{
    jsonw_open(w, '{', '}');
}

void
jsonw_array(struct jsonw *w)
{
    jsonw_open(w, '[', ']');
}

void
jsonw_end(struct jsonw *w)
{
    if (w->depth == 0) {
        w->failed = true;
        return;
    }
    jsonw_put(w, &w->closer[w->depth], 1);
    w->depth--;
}

/* Write s quoted, making room once for the worst case (all escaped). */
static void
jsonw_quoted(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(s);
    unsigned char c;
    char *out;

    if (len > (SIZE_MAX - 2) / 6 || !jsonw_reserve(w, len * 6 + 2)) {
        w->failed = true;
        return;
    }

    out = w->buf + w->len;
    *out++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        c = *p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
        } else if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        } else if (c == '\n') {
            *out++ = '\\';
            *out++ = 'n';
        } else {
            memcpy(out, "\\u00", 4);
            out[4] = hex[c >> 4];
            out[5] = hex[c & 15];
            out += 6;
        }
    }
    *out++ = '"';
    w->len = (size_t)(out - w->buf);
    w->buf[w->len] = '\0';
}

void
jsonw_key(struct jsonw *w, const char *key)
{
    jsonw_before_value(w);
    jsonw_quoted(w, key);
    jsonw_put(w, ":", 1);
    w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
    if (s == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_before_value(w);
    jsonw_quoted(w, s);
}

void
jsonw_int(struct jsonw *w, int64_t n)
{
    char text[24];
    int len = snprintf(text, sizeof(text), "%" PRId64, n);

    jsonw_before_value(w);
    jsonw_put(w, text, (size_t)len);
}

void
jsonw_bool(struct jsonw *w, bool b)
{
    jsonw_before_value(w);
    jsonw_put(w, b ? "true" : "false", b ? 4 : 5);
}

void
jsonw_null(struct jsonw *w)
{
    jsonw_before_value(w);
    jsonw_put(w, "null", 4);
}

void
jsonw_time(struct jsonw *w, int64_t ms)
{
    char iso[CLOCK_ISO_MAX];

    if (ms == 0) {
        jsonw_null(w);
        return;
    }
    clock_format_iso(ms, iso);
    jsonw_string(w, iso);
}

bool
jsonw_finish(struct jsonw *w, char **out, size_t *len)
{
    if (w->failed || w->depth != 0 || w->buf == NULL) {
        return false;
    }
    *out = w->buf;
    *len = w->len;
    return true;
}

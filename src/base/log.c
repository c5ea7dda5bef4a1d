/*
 * log.c - logfmt writer.
 *
 * A line is built in a stack buffer and written with one write(2), so lines
 * from concurrent threads never interleave.  Over-long lines are cut and end
 * with `truncated=1`.
 */
#include "base/log.h"

#include "base/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static enum log_level log_min = LOG_INFO;
static int log_fd = 2;

static const char *const log_names[] = {"debug", "info", "warn", "error"};

void
log_init(enum log_level min_level, int fd)
{
    log_min = min_level;
    log_fd = fd;
}

bool
log_parse_level(const char *name, enum log_level *out)
{
    for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
        if (strcmp(name, log_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

static bool
log_needs_quotes(const char *value)
{
    if (*value == '\0') {
        return true;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p >= 0x7f) {
            return true;
        }
    }
    return false;
}

static size_t
log_putc(char *buf, size_t size, size_t len, char c)
{
    if (len + 1 < size) {
        buf[len] = c;
    }
    return len + 1;
}

size_t
log_escape(char *buf, size_t size, size_t len, const char *value)
{
    static const char hex[] = "0123456789abcdef";

    if (!log_needs_quotes(value)) {
        for (const char *p = value; *p; p++) {
            len = log_putc(buf, size, len, *p);
        }
        return len;
    }

    len = log_putc(buf, size, len, '"');
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p == '"' || *p == '\\') {
            len = log_putc(buf, size, len, '\\');
            len = log_putc(buf, size, len, (char)*p);
        } else if (*p < ' ' || *p == 0x7f) {
            /* Control bytes, newlines among them, become \xNN. */
            len = log_putc(buf, size, len, '\\');
            len = log_putc(buf, size, len, 'x');
            len = log_putc(buf, size, len, hex[*p >> 4]);
            len = log_putc(buf, size, len, hex[*p & 15]);
        } else {
            len = log_putc(buf, size, len, (char)*p);
        }
    }
    return log_putc(buf, size, len, '"');
}

static size_t
log_pair(char *buf, size_t size, size_t len, const char *key,
         const char *value)
{
    len = log_putc(buf, size, len, ' ');
    for (const char *p = key; *p; p++) {
        len = log_putc(buf, size, len, *p);
    }
    len = log_putc(buf, size, len, '=');
    return log_escape(buf, size, len, value);
}

void
log_event(enum log_level level, const char *comp, const char *event, ...)
{
    static const char cut[] = " truncated=1\n";
    char line[LOG_LINE_MAX];
    char ts[CLOCK_ISO_MAX];
    const char *key, *value;
    size_t len = 0, kept;
    bool truncated = false;
    va_list ap;

    if (level < log_min) {
        return;
    }

    clock_format_iso(clock_now_ms(), ts);

    memcpy(line, "ts=", 3);
    len = log_escape(line, sizeof(line), 3, ts);
    len = log_pair(line, sizeof(line), len, "level", log_names[level]);
    len = log_pair(line, sizeof(line), len, "comp", comp);
    len = log_pair(line, sizeof(line), len, "event", event);

    /* A pair that does not fit is dropped whole, never cut inside. */
    va_start(ap, event);
    while (!truncated && (key = va_arg(ap, const char *)) != NULL) {
        value = va_arg(ap, const char *);
        if (value == NULL) {
            continue;
        }
        kept = len;
        len = log_pair(line, sizeof(line), len, key, value);
        if (len + sizeof(cut) > sizeof(line)) {
            len = kept;
            truncated = true;
        }
    }
    va_end(ap);

    if (truncated) {
        memcpy(line + len, cut, sizeof(cut) - 1);
        len += sizeof(cut) - 1;
    } else {
        line[len++] = '\n';
    }

    /* One write per line; a short write to a log has nowhere to go. */
    if (write(log_fd, line, len) < 0) {
        return;
    }
}

/*
 * log.h - one event per line in logfmt: ts, level, comp, event, then the
 * event's own key=value pairs.
 *
 *     log_event(LOG_INFO, "http", "request", "req", id, "status", "200",
 *               NULL);
 *
 * Values are quoted and escaped when needed, so no client input can break a
 * line or forge a key.  Never pass a secret as a value.
 */
#ifndef GANYMEDE_BASE_LOG_H
#define GANYMEDE_BASE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
};

/* Lines go to stderr by default; fd lets tests and the server redirect. */
void log_init(enum log_level min_level, int fd);
bool log_parse_level(const char *name, enum log_level *out);

/* Key/value pairs of strings, ended by NULL; a NULL value is skipped. */
void log_event(enum log_level level, const char *comp, const char *event,
               ...) __attribute__((sentinel));

/*
 * Append value to buf as a logfmt value (quoted when needed), returning the
 * new length; exposed for the unit tests and the access log.
 */
size_t log_escape(char *buf, size_t size, size_t len, const char *value);

#endif

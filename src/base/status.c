/*
 * status.c - error detail helpers and the mapping from statuses to stable
 * codes and HTTP answers.
 */
#include "base/status.h"

#include <stdio.h>
#include <string.h>

/*
 * Messages may quote client input; keep them printable ASCII so that they
 * are always valid in JSON and in a log line.
 */
static void
error_sanitise(char *text)
{
    for (unsigned char *p = (unsigned char *)text; *p != '\0'; p++) {
        if (*p < ' ' || *p > '~') {
            *p = '?';
        }
    }
}

enum status
error_set(struct error *err, enum status status, const char *code,
          const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return status;
    }

    err->status = status;
    snprintf(err->code, sizeof(err->code), "%s",
             code != NULL ? code : status_code(status));

    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    error_sanitise(err->message);

    err->detail[0] = '\0';
    return status;
}

void
error_detail(struct error *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
    error_sanitise(err->detail);
}

void
error_clear(struct error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
}

const char *
status_code(enum status status)
{
    switch (status) {
    case STATUS_OK:
        return "OK";
    case STATUS_INVALID:
        return "INVALID_REQUEST";
    case STATUS_NOT_FOUND:
        return "NOT_FOUND";
    case STATUS_CONFLICT:
        return "CONFLICT";
    case STATUS_UNAUTHENTICATED:
        return "UNAUTHENTICATED";
    case STATUS_DENIED:
        return "FORBIDDEN";
    case STATUS_TOO_LARGE:
        return "PAYLOAD_TOO_LARGE";
    case STATUS_RATE_LIMITED:
        return "RATE_LIMITED";
    case STATUS_TIMEOUT:
        return "DEADLINE_EXCEEDED";
    case STATUS_NOMEM:
        return "OUT_OF_MEMORY";
    case STATUS_IO:
        return "STORAGE_ERROR";
    case STATUS_CORRUPT:
        return "STORE_CORRUPT";
    case STATUS_UNAVAILABLE:
        return "UNAVAILABLE";
    case STATUS_UPSTREAM:
        return "UPSTREAM_FAILED";
    case STATUS_INTERNAL:
        return "INTERNAL_ERROR";
    }
    return "INTERNAL_ERROR";
}

int
status_http(enum status status)
{
    switch (status) {
    case STATUS_OK:
        return 200;
    case STATUS_INVALID:
        return 400;
    case STATUS_NOT_FOUND:
        return 404;
    case STATUS_CONFLICT:
        return 409;
    case STATUS_UNAUTHENTICATED:
        return 401;
    case STATUS_DENIED:
        return 403;
    case STATUS_TOO_LARGE:
        return 413;
    case STATUS_RATE_LIMITED:
        return 429;
    case STATUS_TIMEOUT:
        return 503;
    case STATUS_UNAVAILABLE:
        return 503;
    case STATUS_UPSTREAM:
        return 502;
    case STATUS_NOMEM:
    case STATUS_IO:
    case STATUS_CORRUPT:
    case STATUS_INTERNAL:
        return 500;
    }
    return 500;
}

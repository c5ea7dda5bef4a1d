/*
 * status.h - the project-wide status enum and the error detail that travels
 * beside it.
 *
 * Every function that can fail returns an enum status, 0 meaning success.
 * When the caller passes a struct error, the failing function fills in a
 * stable code and a message that may be shown to the client, and optionally
 * a detail that goes only to the log.  Messages are lower-case without a
 * trailing period and never contain secrets.
 */
#ifndef GANYMEDE_BASE_STATUS_H
#define GANYMEDE_BASE_STATUS_H

#include <stdarg.h>
#include <stdbool.h>

enum status {
    STATUS_OK = 0,
    STATUS_INVALID,         /* bad input from a client or an operator */
    STATUS_NOT_FOUND,       /* no such object (or not visible to caller) */
    STATUS_CONFLICT,        /* object exists or state forbids the change */
    STATUS_UNAUTHENTICATED, /* no valid credentials */
    STATUS_DENIED,          /* credentials valid, action not allowed */
    STATUS_TOO_LARGE,       /* a size limit was exceeded */
    STATUS_RATE_LIMITED,    /* too many attempts, try again later */
    STATUS_TIMEOUT,         /* a deadline passed */
    STATUS_NOMEM,           /* allocation failed */
    STATUS_IO,              /* the file system or a database failed */
    STATUS_CORRUPT,         /* stored data failed a consistency check */
    STATUS_UNAVAILABLE,     /* the service is shutting down or not ready */
    STATUS_UPSTREAM,        /* a server we depend on (mail, IdP) failed */
    STATUS_INTERNAL,        /* a bug: an invariant did not hold */
};

#define ERROR_CODE_MAX    48
#define ERROR_MESSAGE_MAX 256
#define ERROR_DETAIL_MAX  256

struct error {
    enum status status;
    char code[ERROR_CODE_MAX];       /* stable, upper-case, for clients */
    char message[ERROR_MESSAGE_MAX]; /* human readable, for clients */
    char detail[ERROR_DETAIL_MAX];   /* for the log only */
};

/*
 * Record an error and return its status, so that a caller can write
 * `return error_set(err, STATUS_INVALID, "BAD_JSON", "...")`.  err may be
 * NULL, in which case only the status is returned.
 */
enum status error_set(struct error *err, enum status status, const char *code,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Attach a log-only detail to an error already set. */
void error_detail(struct error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void error_clear(struct error *err);

/* The default stable code for a status, used when none was given. */
const char *status_code(enum status status);

/* The HTTP status that best answers a status. */
int status_http(enum status status);

#endif

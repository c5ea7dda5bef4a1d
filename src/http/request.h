/*
 * request.h - one HTTP request as the handlers see it, independent of
 * libmicrohttpd so that the fuzz target and the unit tests can build one.
 *
 * The server fills in the method, path, query, headers, body and peer;
 * the router resolves the route and the subject; a handler reads those and
 * answers with http_reply_json() or by returning an error status.  All
 * memory hangs off req->arena and goes when the request ends.
 */
#ifndef GANYMEDE_HTTP_REQUEST_H
#define GANYMEDE_HTTP_REQUEST_H

#include <jansson.h>
#include <stdalign.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access/access.h"
#include "base/arena.h"
#include "base/status.h"
#include "http/workers.h"

#define REQUEST_ID_MAX      64
#define REQUEST_HEADERS_MAX 64
#define REQUEST_PARAMS_MAX  4
#define REPLY_HEADERS_MAX   8

struct server;
struct MHD_Connection;

struct http_header {
    const char *name;
    const char *value;
};

#define REQUEST_ARENA_INLINE 4096

struct request {
    struct arena arena;
    struct server *server;

    /* What came in. */
    const char *method;
    const char *path;
    struct http_header args[REQUEST_HEADERS_MAX]; /* decoded query */
    int arg_count;
    struct http_header headers[REQUEST_HEADERS_MAX];
    int header_count;
    size_t header_bytes; /* names and values, added up */
    bool headers_overflow;
    char *body;         /* NUL-terminated copy, or NULL */
    size_t body_len;
    uint64_t received;  /* body bytes read, kept or not */
    const char *peer;   /* source address as text */
    bool peer_loopback;
    bool tls;
    char id[REQUEST_ID_MAX + 1];
    int64_t started_us;
    int64_t deadline_us;

    /* What the router found. */
    const char *route;  /* pattern, for logs and metrics */
    const char *params[REQUEST_PARAMS_MAX];
    struct subject subject;
    int64_t subject_last_used_ms; /* for identity_record_use, -1: fresh */
    sqlite3 *db;        /* control store connection, leased on demand */

    /* A slow request handed to a worker (http/workers.h). */
    bool handed_over;
    struct MHD_Connection *connection;
    struct work work;

    /* What goes out. */
    int status;
    const char *content_type;
    char *reply;
    size_t reply_len;
    struct http_header reply_headers[REPLY_HEADERS_MAX];
    int reply_header_count;

    /* The arena's first block; last, so that it need not be zeroed. */
    alignas(max_align_t) unsigned char arena_inline[REQUEST_ARENA_INLINE];
};

/*
 * The value of a header (case-insensitive name) or NULL; the first one
 * when it appears more than once (http_header_count tells).
 */
const char *http_header_get(const struct request *req, const char *name);
int http_header_count(const struct request *req, const char *name);

/* The value of a query argument, decoded, or NULL. */
const char *http_query_get(const struct request *req, const char *name);

/*
 * The control store connection for this request, with its deadline set;
 * the router gives it back with http_db_release() when the handler is
 * done, before the answer is sent.
 */
enum status http_db(struct request *req, sqlite3 **out, struct error *err);
void http_db_release(struct request *req);

/* Parse the body as a JSON object, refusing anything else clearly. */
enum status http_body_object(struct request *req, json_t **out,
                             struct error *err);

/*
 * Refuse any member of body not named in allowed (NULL-terminated), and
 * read one string member, checking type and length; *out stays valid as
 * long as body.
 */
enum status http_body_fields(json_t *body, const char *const *allowed,
                             struct error *err);
enum status http_body_string(json_t *body, const char *name, bool required,
                             size_t max_len, const char **out,
                             struct error *err);

/* Answer with JSON (takes ownership of body), or with an error object. */
enum status http_reply_json(struct request *req, int status, json_t *body);
void http_reply_error(struct request *req, const struct error *err);
enum status http_reply_text(struct request *req, int status,
                            const char *content_type, const char *text,
                            size_t len);

/* Answer with what a JSON writer wrote (see base/jsonw.h). */
struct jsonw;
enum status http_reply_jsonw(struct request *req, int status,
                             struct jsonw *w);

/* Add a response header (copied into the request arena). */
enum status http_reply_header(struct request *req, const char *name,
                              const char *value);

#endif

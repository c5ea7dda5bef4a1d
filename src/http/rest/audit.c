/*
 * audit.c - reading the current account's audit log, newest first, a page
 * at a time.
 *
 * A page ends at ?before=SEQ (exclusive) and holds at most ?limit entries;
 * next_before in the answer is the value that fetches the following page,
 * or null when there is none.  Each entry's detail is stored as JSON text
 * and returned as the object it holds, alongside the chain hashes that let
 * a reader check the log for themselves.
 */
#include "http/rest/rest.h"

#include "audit/audit.h"

#include <string.h>

#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX     500
#define AUDIT_DIGITS_MAX    18 /* below INT64_MAX, so no overflow */

/*
 * Read a query argument that must be a positive decimal integer no larger
 * than max; an absent argument leaves *out alone.  expect says what is
 * wanted, for the message.
 */
static enum status
audit_query_number(struct request *req, const char *name, int64_t max,
                   const char *expect, int64_t *out, struct error *err)
{
    const char *text = http_query_get(req, name);
    size_t len;
    int64_t value = 0;

    if (text == NULL) {
        return STATUS_OK;
    }
    len = strlen(text);
    for (size_t i = 0; i < len && len <= AUDIT_DIGITS_MAX; i++) {
        if (text[i] < '0' || text[i] > '9') {
            len = 0;
            break;
        }
        value = value * 10 + (text[i] - '0');
    }
    if (len == 0 || len > AUDIT_DIGITS_MAX || value < 1 || value > max) {
        return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                         "the query argument \"%s\" must be %s", name, expect);
    }
    *out = value;
    return STATUS_OK;
}

/* One entry as answered, with its detail parsed back into an object. */
static json_t *
audit_entry_json(const struct audit_entry *e)
{
    json_t *detail = NULL;

    if (e->detail != NULL && *e->detail != '\0') {
        detail = json_loads(e->detail, 0, NULL);
    }
    if (!json_is_object(detail)) {
        json_decref(detail);
        detail = json_object();
    }
    return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, "
                     "s:s}",
                     "seq", (json_int_t)e->seq, "ts", rest_time(e->ts_ms),
                     "actor_id", e->actor_id ? e->actor_id : "", "actor_login",
                     e->actor_login ? e->actor_login : "", "event",
                     e->event ? e->event : "", "target",
                     e->target ? e->target : "", "detail", detail,
                     "source_addr", e->source_addr ? e->source_addr : "",
                     "request_id", e->request_id ? e->request_id : "",
                     "prev_hash", e->prev_hash, "hash", e->hash);
}

enum status
rest_audit_list(struct request *req, struct error *err)
{
    struct audit_entry *entries = NULL;
    int64_t limit = AUDIT_LIMIT_DEFAULT;
    int64_t before = 0;
    size_t count = 0;
    enum status status;
    json_t *list, *next;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_AUDIT, err);
    if (status == STATUS_OK) {
        status = audit_query_number(req, "limit", AUDIT_LIMIT_MAX,
                                    "an integer from 1 to 500", &limit, err);
    }
    if (status == STATUS_OK) {
        status = audit_query_number(req, "before", INT64_MAX,
                                    "a positive integer (an entry's seq)",
                                    &before, err);
    }
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }

    /* One entry more than asked for tells whether another page follows. */
    if (status == STATUS_OK) {
        status = audit_list(db, &req->arena, req->subject.account_id, before,
                            (int)limit + 1, &entries, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    next = json_null();
    if (count > (size_t)limit) {
        count = (size_t)limit;
        next = json_integer((json_int_t)entries[count - 1].seq);
    }
    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, audit_entry_json(&entries[i]));
    }
    return http_reply_json(
        req, 200,
        json_pack("{s:o, s:o}", "entries", list, "next_before", next));
}

/*
 * import.c - POST /api/v1/import/csv: a CSV file of entities (see
 * graph/csv.h and docs/import.md) written into the caller's account.
 *
 * The objects get the source "api" and the scope of ?scope= ("default"
 * when absent), like those of the entities API.  Every row is read and
 * written in one transaction of the account's graph store.  By default
 * the transaction commits only when every row was valid; otherwise it is
 * rolled back and the answer is 400 with the bad rows.  With
 * ?skip_invalid=true the valid rows are committed and the bad ones
 * reported beside the counts.  Either way each bad row is named by line,
 * column and reason, up to IMPORT_PROBLEMS_MAX of them.
 *
 * Like the other graph writes, the audit entry (counts only) is
 * committed in the control store just before the graph transaction.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "base/log.h"
#include "graph/csv.h"
#include "graph/graph.h"
#include "http/server.h"
#include "store/db.h"
#include "store/graph_store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define IMPORT_SCOPE_DEFAULT "default"
#define IMPORT_PROBLEMS_MAX  1000

struct import_state {
    struct request *req;
    struct csv_problem *problems; /* IMPORT_PROBLEMS_MAX */
    size_t problem_count;
    int64_t problems_left_out;
};

static void
import_note(void *ctx, const struct csv_problem *problem)
{
    struct import_state *state = ctx;

    if (state->problem_count < IMPORT_PROBLEMS_MAX) {
        state->problems[state->problem_count++] = *problem;
    } else {
        state->problems_left_out++;
    }
}

/* ?scope=: 1..GRAPH_SCOPE_MAX printable bytes, "default" when absent. */
static enum status
import_origin(struct request *req, struct graph_origin *origin,
              struct error *err)
{
    const char *scope = http_query_get(req, "scope");
    size_t len = scope != NULL ? strlen(scope) : 0;

    memset(origin, 0, sizeof(*origin));
    origin->source = GRAPH_SOURCE_API;
    origin->scope = IMPORT_SCOPE_DEFAULT;
    if (scope == NULL) {
        return graph_origin_check(origin, err);
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)scope[i] < 0x20 || scope[i] == 0x7f) {
            len = 0;
            break;
        }
    }
    if (len == 0 || len > GRAPH_SCOPE_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                         "the query argument \"scope\" must be 1 to %d "
                         "printable bytes",
                         GRAPH_SCOPE_MAX);
    }
    origin->scope = scope;
    return graph_origin_check(origin, err);
}

static enum status
import_skip_invalid(struct request *req, bool *out, struct error *err)
{
    const char *text = http_query_get(req, "skip_invalid");

    *out = false;
    if (text == NULL || strcmp(text, "false") == 0) {
        return STATUS_OK;
    }
    if (strcmp(text, "true") == 0) {
        *out = true;
        return STATUS_OK;
    }
    return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                     "the query argument \"skip_invalid\" must be true or "
                     "false");
}

/* text/csv, with no charset or UTF-8 (US-ASCII is a subset of it). */
static enum status
import_check_type(struct request *req, struct error *err)
{
    const char *type = http_header_get(req, "Content-Type");
    const char *charset;

    if (type == NULL || strncasecmp(type, "text/csv", 8) != 0 ||
        (type[8] != '\0' && type[8] != ';' && type[8] != ' ')) {
        return error_set(err, STATUS_INVALID, "UNSUPPORTED_MEDIA_TYPE",
                         "the body must be text/csv");
    }
    charset = NULL;
    for (const char *p = type; *p != '\0' && charset == NULL; p++) {
        if (strncasecmp(p, "charset=", 8) == 0) {
            charset = p;
        }
    }
    if (charset != NULL && strncasecmp(charset + 8, "utf-8", 5) != 0 &&
        strncasecmp(charset + 8, "\"utf-8\"", 7) != 0 &&
        strncasecmp(charset + 8, "us-ascii", 8) != 0) {
        return error_set(err, STATUS_INVALID, "UNSUPPORTED_MEDIA_TYPE",
                         "the body must be UTF-8 text");
    }
    return STATUS_OK;
}

static json_t *
import_counts_json(const struct csv_counts *counts)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I}", "rows", (json_int_t)counts->rows,
        "created", (json_int_t)counts->created, "updated",
        (json_int_t)counts->updated, "unchanged", (json_int_t)counts->unchanged,
        "invalid", (json_int_t)counts->invalid);
}

static json_t *
import_problems_json(const struct import_state *state)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < state->problem_count; i++) {
        const struct csv_problem *p = &state->problems[i];

        json_array_append_new(list, json_pack("{s:I, s:I, s:s}", "line",
                                              (json_int_t)p->line, "column",
                                              (json_int_t)p->column, "reason",
                                              p->reason));
    }
    return list;
}

/* 400: nothing was written; every bad row kept, and how many more. */
static enum status
import_refuse(struct import_state *state, const struct csv_counts *counts)
{
    const struct csv_problem *first = &state->problems[0];
    struct csv_counts none = *counts;
    char message[ERROR_MESSAGE_MAX];

    none.created = none.updated = none.unchanged = 0;
    if (counts->invalid == 0) {
        snprintf(message, sizeof(message),
                 "the file cannot be imported; line %lld column %zu: %.160s",
                 (long long)first->line, first->column, first->reason);
    } else {
        snprintf(message, sizeof(message),
                 "%lld of %lld rows %s invalid and nothing was written; "
                 "first, line %lld column %zu: %.120s",
                 (long long)counts->invalid, (long long)counts->rows,
                 counts->invalid == 1 ? "is" : "are", (long long)first->line,
                 first->column, first->reason);
    }
    return http_reply_json(state->req, 400,
                           json_pack("{s:{s:s, s:s, s:o, s:o, s:I}}", "error",
                                     "code", "INVALID_CSV", "message", message,
                                     "counts", import_counts_json(&none),
                                     "errors", import_problems_json(state),
                                     "more_errors",
                                     (json_int_t)state->problems_left_out));
}

/* The audit entry in the control store, then the graph commit. */
static enum status
import_commit(struct request *req, sqlite3 *gdb, const char *scope,
              const struct csv_counts *counts, struct error *err)
{
    enum status status;
    sqlite3 *cdb = NULL;
    json_t *detail;

    detail = json_pack("{s:s, s:o}", "scope", scope, "counts",
                       import_counts_json(counts));
    status = rest_begin(req, &cdb, err);
    if (status == STATUS_OK) {
        status = rest_audit(req, cdb, "graph.import.csv", "", detail, err);
        detail = NULL;
    }
    if (cdb != NULL) {
        status = rest_finish(cdb, status, err);
    }
    json_decref(detail);
    if (status == STATUS_OK) {
        status = graph_store_commit(gdb, err);
        if (status != STATUS_OK) {
            log_event(LOG_ERROR, "graph", "commit_failed", "account",
                      req->subject.account_id, "req", req->id, "event",
                      "graph.import.csv", "detail",
                      err != NULL ? err->detail : NULL, NULL);
        }
    }
    if (status != STATUS_OK) {
        graph_store_rollback(gdb);
    }
    return status;
}

/* Checks before the graph store is touched. */
static enum status
import_prepare(struct request *req, struct graph_origin *origin,
               bool *skip_invalid, struct error *err)
{
    enum status status;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = import_origin(req, origin, err);
    }
    if (status == STATUS_OK) {
        status = import_skip_invalid(req, skip_invalid, err);
    }
    if (status == STATUS_OK) {
        status = import_check_type(req, err);
    }
    return status;
}

enum status
rest_import_csv(struct request *req, struct error *err)
{
    struct import_state state = {.req = req};
    struct csv_import import;
    struct csv_reader reader;
    struct graph_origin origin;
    bool skip_invalid = false;
    sqlite3 *gdb = NULL;
    enum status status;

    csv_reader_init_buffer(&reader, req->body != NULL ? req->body : "",
                           req->body_len);
    status = import_prepare(req, &origin, &skip_invalid, err);
    if (status == STATUS_OK) {
        state.problems = arena_alloc(&req->arena, IMPORT_PROBLEMS_MAX *
                                                      sizeof(*state.problems));
        if (state.problems == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
    }
    if (status == STATUS_OK) {
        status = graph_store_acquire(&req->server->graphs,
                                     req->subject.account_id, &gdb, err);
    }
    if (status == STATUS_OK) {
        db_set_deadline(gdb, &req->deadline_us);
        status = graph_store_begin(gdb, err);
    }
    if (status != STATUS_OK) {
        goto out;
    }

    memset(&import, 0, sizeof(import));
    import.db = gdb;
    import.origin = &origin;
    import.now_ms = clock_now_ms();
    import.on_problem = import_note;
    import.ctx = &state;
    status = csv_import_run(&import, &reader, err);

    /* A bad header, or bad rows without skip_invalid: nothing stays. */
    if (status == STATUS_INVALID ||
        (status == STATUS_OK && import.counts.invalid > 0 && !skip_invalid)) {
        graph_store_rollback(gdb);
        status = import_refuse(&state, &import.counts);
        goto out;
    }
    if (status == STATUS_OK) {
        status = import_commit(req, gdb, origin.scope, &import.counts, err);
    }
    if (status == STATUS_OK) {
        status = http_reply_json(
            req, 200,
            json_pack("{s:o, s:o, s:I}", "counts",
                      import_counts_json(&import.counts), "errors",
                      import_problems_json(&state), "more_errors",
                      (json_int_t)state.problems_left_out));
    }

out:
    csv_reader_release(&reader);
    if (gdb != NULL) {
        graph_store_release(&req->server->graphs, gdb);
    }
    return status;
}

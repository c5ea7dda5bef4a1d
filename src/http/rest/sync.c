/*
 * sync.c - the synchronization jobs at JupiterOne's paths,
 * /persister/synchronization/jobs (reference j1-api.md, section 4):
 * create, get, upload entities, relationships or both with deletes,
 * finalize, abort, events.  Every answer is {"job": JOB}.
 *
 * Jobs and their staged uploads live in the caller's account's graph
 * database (graph/sync.h), so another account's job id is not found,
 * exactly like a random one.  Upload bodies may be gzip-compressed
 * (Content-Encoding: gzip); they are inflated into the request arena up
 * to body_max bytes, the same cap as for plain bodies, so a small
 * compressed bomb is refused before it costs memory.
 *
 * Finalize and abort append one audit entry with the counts, committed
 * in the control store before the graph transaction commits, as the
 * rest of the graph API does.  A finalize that finds bad data rolls the
 * graph back, then marks the job ERROR_BAD_DATA in a transaction of its
 * own and answers 400 with the error and the job.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "base/log.h"
#include "graph/sync.h"
#include "http/server.h"
#include "store/db.h"
#include "store/graph_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define SYNC_INFLATE_CHUNK (64 * 1024)

/* ---- bodies -------------------------------------------------------------- */

/* Replace a gzip body by its inflation, refusing more than body_max. */
static enum status
sync_inflate(struct request *req, struct error *err)
{
    size_t max = (size_t)req->server->config->body_max;
    size_t cap = SYNC_INFLATE_CHUNK, len = 0;
    z_stream z;
    char *out;
    int rc;

    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    out = malloc(cap + 1);
    z.next_in = (unsigned char *)req->body;
    z.avail_in = (unsigned)req->body_len;
    rc = Z_OK;
    while (out != NULL && rc == Z_OK) {
        if (len == cap) {
            char *grown;

            if (cap >= max) {
                break;
            }
            cap = cap * 2 > max ? max : cap * 2;
            grown = realloc(out, cap + 1);
            if (grown == NULL) {
                free(out);
                out = NULL;
                break;
            }
            out = grown;
        }
        z.next_out = (unsigned char *)out + len;
        z.avail_out = (unsigned)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    }
    inflateEnd(&z);

    if (out == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    if (rc == Z_OK) {
        free(out);
        return error_set(err, STATUS_TOO_LARGE, "BODY_TOO_LARGE",
                         "the inflated body is over %lld bytes",
                         (long long)max);
    }
    if (rc != Z_STREAM_END || z.avail_in != 0) {
        free(out);
        return error_set(err, STATUS_INVALID, "INVALID_GZIP",
                         "the body is not valid gzip data");
    }

    /* The server owns req->body and frees it with free(). */
    out[len] = '\0';
    free(req->body);
    req->body = out;
    req->body_len = len;
    return STATUS_OK;
}

static void
sync_json_free(void *p)
{
    json_decref(p);
}

/*
 * The body as an object with only the allowed fields, inflated first
 * when gzip; an empty body is {} when optional.
 */
static enum status
sync_body(struct request *req, const char *const *allowed, bool optional,
          json_t **out, struct error *err)
{
    const char *encoding = http_header_get(req, "Content-Encoding");
    enum status status;

    *out = NULL;
    if (encoding != NULL && strcasecmp(encoding, "identity") != 0) {
        if (strcasecmp(encoding, "gzip") != 0) {
            return error_set(err, STATUS_INVALID, "UNSUPPORTED_ENCODING",
                             "the body may only be gzip-encoded");
        }
        if (req->body_len > 0) {
            status = sync_inflate(req, err);
            if (status != STATUS_OK) {
                return status;
            }
        }
    }
    if (optional && (req->body == NULL || req->body_len == 0)) {
        *out = json_object();
        if (*out == NULL ||
            arena_defer(&req->arena, sync_json_free, *out) != 0) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        return STATUS_OK;
    }
    return rest_body(req, allowed, out, err);
}

/* The array named field of body, or NULL when absent. */
static enum status
sync_array(json_t *body, const char *field, json_t **out, struct error *err)
{
    json_t *value = json_object_get(body, field);

    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        return STATUS_OK;
    }
    if (!json_is_array(value)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" must be an array", field);
    }
    *out = value;
    return STATUS_OK;
}

/* ---- the graph store and answers ---------------------------------------- */

static enum status
sync_open(struct request *req, bool write, bool no_deadline, sqlite3 **gdb,
          struct error *err)
{
    enum status status;

    status = graph_store_acquire(&req->server->graphs, req->subject.account_id,
                                 gdb, err);
    if (status != STATUS_OK) {
        return status;
    }
    db_set_deadline(*gdb, no_deadline ? NULL : &req->deadline_us);
    return write ? graph_store_begin(*gdb, err)
                 : graph_store_begin_read(*gdb, err);
}

static void
sync_close(struct request *req, sqlite3 *gdb)
{
    if (gdb != NULL) {
        graph_store_release(&req->server->graphs, gdb);
    }
}

/* Audit (committed in the control store), then commit the graph. */
static enum status
sync_commit(struct request *req, sqlite3 *gdb, const char *event,
            const struct sync_job *job, struct error *err)
{
    const struct sync_counts *e = &job->counts[GRAPH_KIND_ENTITY];
    const struct sync_counts *r = &job->counts[GRAPH_KIND_RELATIONSHIP];
    enum status status = STATUS_OK;
    sqlite3 *cdb = NULL;
    json_t *detail;

    if (event != NULL) {
        detail = json_pack(
            "{s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
            "status", sync_status_name(job->status), "syncMode",
            sync_mode_name(job->mode), "entities", "uploaded",
            (json_int_t)e->uploaded, "created", (json_int_t)e->created,
            "updated", (json_int_t)e->updated, "deleted",
            (json_int_t)e->deleted, "relationships", "uploaded",
            (json_int_t)r->uploaded, "created", (json_int_t)r->created,
            "updated", (json_int_t)r->updated, "deleted",
            (json_int_t)r->deleted);
        status = rest_begin(req, &cdb, err);
        if (status == STATUS_OK) {
            status = rest_audit(req, cdb, event, job->id, detail, err);
            detail = NULL;
        }
        if (cdb != NULL) {
            status = rest_finish(cdb, status, err);
        }
        json_decref(detail);
    }
    if (status == STATUS_OK) {
        status = graph_store_commit(gdb, err);
    }
    if (status != STATUS_OK) {
        graph_store_rollback(gdb);
        log_event(LOG_ERROR, "sync", "commit_failed", "account",
                  req->subject.account_id, "req", req->id, "job", job->id,
                  "detail", err != NULL ? err->detail : NULL, NULL);
    }
    return status;
}

static enum status
sync_reply(struct request *req, int http_status, const struct sync_job *job)
{
    json_t *obj = sync_job_json(job, req->subject.account_id);

    if (obj == NULL) {
        return STATUS_NOMEM;
    }
    return http_reply_json(req, http_status, json_pack("{s:o}", "job", obj));
}

/* ---- create and get ----------------------------------------------------- */

/* The job a create body asks for. */
static enum status
sync_read_spec(json_t *body, struct sync_job *job, struct error *err)
{
    const char *source = NULL, *mode = NULL;
    json_t *ignore = json_object_get(body, "ignoreDuplicates");
    enum status status;

    memset(job, 0, sizeof(*job));
    status = http_body_string(body, "source", true, 64, &source, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "scope", false, GRAPH_SCOPE_MAX,
                                  &job->origin.scope, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "integrationInstanceId", false,
                                  GRAPH_SCOPE_MAX,
                                  &job->origin.integration_instance_id, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "integrationJobId", false, SYNC_ID_MAX,
                                  &job->integration_job_id, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "syncMode", false, 64, &mode, err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    if (!graph_source_parse(source, &job->origin.source)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "source must be api, integration-managed or "
                         "integration-external");
    }
    if (mode != NULL && !sync_mode_parse(mode, &job->mode)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "syncMode must be DIFF, PATCH or CREATE_OR_UPDATE");
    }
    if (ignore != NULL && !json_is_boolean(ignore)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "ignoreDuplicates must be true or false");
    }
    job->ignore_duplicates = json_is_true(ignore);
    return STATUS_OK;
}

enum status
rest_sync_create(struct request *req, struct error *err)
{
    static const char *const fields[] = {"source",
                                         "scope",
                                         "integrationInstanceId",
                                         "integrationJobId",
                                         "syncMode",
                                         "ignoreDuplicates",
                                         NULL};
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = sync_body(req, fields, false, &body, err);
    }
    if (status == STATUS_OK) {
        status = sync_read_spec(body, &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_open(req, true, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = sync_create(gdb, &req->arena, &job, clock_now_ms(), err);
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, NULL, &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }
    sync_close(req, gdb);
    return status;
}

enum status
rest_sync_get(struct request *req, struct error *err)
{
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = sync_open(req, false, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = sync_get(gdb, &req->arena, req->params[0], &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }
    sync_close(req, gdb);
    return status;
}

/* ---- uploads ------------------------------------------------------------ */

static const char *const sync_item_fields[SYNC_ITEM_COUNT] = {
    [SYNC_ITEM_ENTITY] = "entities",
    [SYNC_ITEM_RELATIONSHIP] = "relationships",
    [SYNC_ITEM_DELETE_ENTITY] = "deleteEntities",
    [SYNC_ITEM_DELETE_RELATIONSHIP] = "deleteRelationships",
};

static int
sync_problem_order(const void *a, const void *b)
{
    const struct sync_problem *pa = a, *pb = b;

    if (pa->item != pb->item) {
        return pa->item < pb->item ? -1 : 1;
    }
    return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* 400 naming every refused object kept; nothing was staged. */
static enum status
sync_refuse(struct request *req, struct sync_problems *problems)
{
    const struct sync_problem *first = &problems->list[0];
    char message[ERROR_MESSAGE_MAX];
    json_t *list = json_array();

    if (problems->count > 1) {
        qsort(problems->list, problems->count, sizeof(problems->list[0]),
              sync_problem_order);
    }
    for (size_t i = 0; i < problems->count; i++) {
        const struct sync_problem *p = &problems->list[i];

        json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:s}", "field",
                                              sync_item_fields[p->item],
                                              "index", (json_int_t)p->index,
                                              "code", p->error.code, "message",
                                              p->error.message));
    }
    snprintf(message, sizeof(message),
             "%zu object(s) refused and nothing was staged; first, "
             "%s[%zu]: %.120s",
             problems->refused, sync_item_fields[first->item], first->index,
             first->error.message);
    return http_reply_json(
        req, 400,
        json_pack("{s:{s:s, s:s, s:I, s:o}}", "error", "code",
                  first->error.code, "message", message, "refused",
                  (json_int_t)problems->refused, "errors", list));
}

/*
 * Read the arrays of the items allowed here, check them all, then stage
 * them in one transaction.
 */
static enum status
sync_upload(struct request *req, const bool items[SYNC_ITEM_COUNT],
            struct error *err)
{
    const char *fields[SYNC_ITEM_COUNT + 1] = {NULL};
    json_t *arrays[SYNC_ITEM_COUNT] = {NULL};
    struct sync_problems *problems;
    size_t n = 0, total = 0;
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body;

    for (int i = 0; i < SYNC_ITEM_COUNT; i++) {
        if (items[i]) {
            fields[n++] = sync_item_fields[i];
        }
    }
    problems = arena_zalloc(&req->arena, sizeof(*problems));
    if (problems == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = sync_body(req, fields, false, &body, err);
    }
    for (int i = 0; status == STATUS_OK && i < SYNC_ITEM_COUNT; i++) {
        if (items[i]) {
            status = sync_array(body, sync_item_fields[i], &arrays[i], err);
            total += json_array_size(arrays[i]);
        }
    }
    if (status == STATUS_OK &&
        (arrays[SYNC_ITEM_DELETE_ENTITY] != NULL ||
         arrays[SYNC_ITEM_DELETE_RELATIONSHIP] != NULL)) {
        status =
            rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK && total > SYNC_UPLOAD_MAX) {
        status = error_set(err, STATUS_TOO_LARGE, "TOO_MANY_OBJECTS",
                           "one upload takes at most %d objects, this one "
                           "has %zu",
                           SYNC_UPLOAD_MAX, total);
    }
    for (int i = 0; status == STATUS_OK && i < SYNC_ITEM_COUNT; i++) {
        status = sync_check(&req->arena, (enum sync_item)i, arrays[i], problems,
                            err);
    }
    if (status == STATUS_OK && problems->refused > 0) {
        return sync_refuse(req, problems);
    }

    if (status == STATUS_OK) {
        status = sync_open(req, true, false, &gdb, err);
    }
    for (int i = 0; status == STATUS_OK && i < SYNC_ITEM_COUNT; i++) {
        if (arrays[i] == NULL && i != SYNC_ITEM_ENTITY) {
            continue;
        }
        status = sync_stage(gdb, &req->arena, req->params[0], (enum sync_item)i,
                            arrays[i], err);
    }
    if (status == STATUS_OK) {
        status = sync_get(gdb, &req->arena, req->params[0], &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, NULL, &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }
    sync_close(req, gdb);
    return status;
}

enum status
rest_sync_entities(struct request *req, struct error *err)
{
    const bool items[SYNC_ITEM_COUNT] = {[SYNC_ITEM_ENTITY] = true};

    return sync_upload(req, items, err);
}

enum status
rest_sync_relationships(struct request *req, struct error *err)
{
    const bool items[SYNC_ITEM_COUNT] = {[SYNC_ITEM_RELATIONSHIP] = true};

    return sync_upload(req, items, err);
}

enum status
rest_sync_upload(struct request *req, struct error *err)
{
    const bool items[SYNC_ITEM_COUNT] = {true, true, true, true};

    return sync_upload(req, items, err);
}

/* ---- finalize, abort, events -------------------------------------------- */

/* partialDatasets.types as the JSON text of an array of names, or NULL. */
static enum status
sync_partial_types(struct request *req, json_t *body, const char **out,
                   struct error *err)
{
    json_t *partial = json_object_get(body, "partialDatasets");
    json_t *types = json_object_get(partial, "types");
    char *text;
    size_t i;
    json_t *name;

    *out = NULL;
    if (partial == NULL || json_is_null(partial)) {
        return STATUS_OK;
    }
    if (!json_is_object(partial) || (types != NULL && !json_is_array(types)) ||
        json_array_size(types) > SYNC_PARTIAL_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "partialDatasets must be {\"types\": [names]} with "
                         "at most %d names",
                         SYNC_PARTIAL_MAX);
    }
    json_array_foreach(types, i, name)
    {
        if (!json_is_string(name) ||
            json_string_length(name) > GRAPH_NAME_MAX) {
            return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                             "partialDatasets.types[%zu] must be a _type "
                             "name",
                             i);
        }
    }
    if (types == NULL) {
        return STATUS_OK;
    }
    text = json_dumps(types, JSON_COMPACT);
    *out = text != NULL ? arena_strdup(&req->arena, text) : NULL;
    free(text);
    if (*out == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* Record a failed finalize in a transaction of its own; answer 400. */
static enum status
sync_finalize_failed(struct request *req, sqlite3 *gdb, const struct error *why,
                     struct error *err)
{
    struct sync_job job;
    enum status status;
    json_t *obj;

    graph_store_rollback(gdb);
    status = graph_store_begin(gdb, err);
    if (status == STATUS_OK) {
        status = sync_fail(gdb, &req->arena, req->params[0], why->message,
                           clock_now_ms(), &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, "sync.job.failed", &job, err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    obj = sync_job_json(&job, req->subject.account_id);
    return http_reply_json(req, 400,
                           json_pack("{s:{s:s, s:s}, s:o*}", "error", "code",
                                     why->code, "message", why->message, "job",
                                     obj));
}

enum status
rest_sync_finalize(struct request *req, struct error *err)
{
    static const char *const fields[] = {"partialDatasets", NULL};
    const char *partial = NULL;
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = sync_body(req, fields, true, &body, err);
    }
    if (status == STATUS_OK) {
        status = sync_partial_types(req, body, &partial, err);
    }

    /* One transaction, without the request deadline: jobs can be big. */
    if (status == STATUS_OK) {
        status = sync_open(req, true, true, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = sync_finalize(gdb, &req->arena, req->params[0], partial,
                               clock_now_ms(), &job, err);
        if (status == STATUS_INVALID) {
            struct error why = *err;

            status = sync_finalize_failed(req, gdb, &why, err);
            goto out;
        }
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, "sync.job.finalized", &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }

out:
    sync_close(req, gdb);
    return status;
}

enum status
rest_sync_abort(struct request *req, struct error *err)
{
    static const char *const fields[] = {"reason", "terminalStatus", NULL};
    const char *reason = NULL;
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = sync_body(req, fields, true, &body, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "reason", false, SYNC_TEXT_MAX, &reason,
                                  err);
    }
    if (status == STATUS_OK) {
        status = sync_open(req, true, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = sync_abort(gdb, &req->arena, req->params[0], reason,
                            clock_now_ms(), &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, "sync.job.aborted", &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }
    sync_close(req, gdb);
    return status;
}

/* One event: {"name", "description"?}, both short strings. */
static enum status
sync_read_event(json_t *event, size_t index, const char **name,
                const char **description, struct error *err)
{
    json_t *n = json_object_get(event, "name");
    json_t *d = json_object_get(event, "description");

    if (!json_is_object(event) || !json_is_string(n) ||
        json_string_length(n) == 0 || json_string_length(n) > SYNC_TEXT_MAX ||
        (d != NULL && !json_is_null(d) &&
         (!json_is_string(d) || json_string_length(d) > SYNC_TEXT_MAX))) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "events[%zu] must be {\"name\", \"description\"} "
                         "with strings of up to %d bytes",
                         index, SYNC_TEXT_MAX);
    }
    *name = json_string_value(n);
    *description = json_string_value(d);
    return STATUS_OK;
}

enum status
rest_sync_events(struct request *req, struct error *err)
{
    static const char *const fields[] = {"events", NULL};
    const char *name, *description;
    int64_t now = clock_now_ms();
    json_t *body, *events = NULL, *event;
    struct sync_job job;
    sqlite3 *gdb = NULL;
    enum status status;
    size_t i;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = sync_body(req, fields, false, &body, err);
    }
    if (status == STATUS_OK) {
        status = sync_array(body, "events", &events, err);
    }
    if (status == STATUS_OK && json_array_size(events) > SYNC_EVENTS_MAX) {
        status =
            error_set(err, STATUS_TOO_LARGE, "TOO_MANY_EVENTS",
                      "one request takes at most %d events", SYNC_EVENTS_MAX);
    }
    json_array_foreach(events, i, event)
    {
        if (status == STATUS_OK) {
            status = sync_read_event(event, i, &name, &description, err);
        }
    }
    if (status == STATUS_OK) {
        status = sync_open(req, true, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = sync_get(gdb, &req->arena, req->params[0], &job, err);
    }
    json_array_foreach(events, i, event)
    {
        if (status == STATUS_OK) {
            sync_read_event(event, i, &name, &description, NULL);
            status = sync_event(gdb, job.id, name, description, now, err);
        }
    }
    if (status == STATUS_OK) {
        status = sync_commit(req, gdb, NULL, &job, err);
    }
    if (status == STATUS_OK) {
        status = sync_reply(req, 200, &job);
    }
    sync_close(req, gdb);
    return status;
}

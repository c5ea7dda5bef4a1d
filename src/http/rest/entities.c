/*
 * entities.c - the graph under /api/v1: entities and relationships one at
 * a time (create or upsert, read, merge update, delete, versions, lists)
 * and the all-or-nothing bulk upsert.
 *
 * Objects written here have the source "api" and the scope named by the
 * query argument ?scope= ("default" when absent); the scope and the _key
 * identify an object, so a second POST of the same key in the same scope
 * makes a new version or changes nothing.  Everything happens in the
 * caller's account only: the graph store is chosen by the subject's
 * account, so an _id of another account is not found, exactly like an
 * _id that never existed.
 *
 * A write runs in one transaction of the account's graph store; before
 * it commits, its audit entry is committed in the control store.  So the
 * audit log may, after a failed commit, name a change that did not
 * happen, but never lacks one that did.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "base/log.h"
#include "graph/graph.h"
#include "http/server.h"
#include "store/db.h"
#include "store/graph_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTITIES_SCOPE_DEFAULT "default"
#define ENTITIES_BULK_MAX      5000
#define ENTITIES_ERRORS_MAX    100 /* per-object errors in one answer */
#define ENTITIES_DIGITS_MAX    18  /* below INT64_MAX, so no overflow */

/* ---- helpers ------------------------------------------------------------ */

static const char *
entities_plural(enum graph_kind kind)
{
    return kind == GRAPH_KIND_ENTITY ? "entities" : "relationships";
}

static const char *
entities_change_name(enum graph_change change)
{
    switch (change) {
    case GRAPH_CHANGE_CREATED:
        return "created";
    case GRAPH_CHANGE_UPDATED:
    case GRAPH_CHANGE_RAW_DATA:
        return "updated";
    case GRAPH_CHANGE_UNCHANGED:
        break;
    }
    return "unchanged";
}

static void
entities_json_free(void *p)
{
    json_decref(p);
}

/* The body as any JSON object, released with the request. */
static enum status
entities_body(struct request *req, json_t **out, struct error *err)
{
    enum status status = http_body_object(req, out, err);

    if (status != STATUS_OK) {
        return status;
    }
    if (arena_defer(&req->arena, entities_json_free, *out) != 0) {
        json_decref(*out);
        *out = NULL;
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* A text query argument of 1..max printable bytes; absent leaves NULL. */
static enum status
entities_query_text(struct request *req, const char *name, size_t max,
                    const char **out, struct error *err)
{
    const char *text = http_query_get(req, name);
    size_t len = text != NULL ? strlen(text) : 0;

    *out = NULL;
    if (text == NULL) {
        return STATUS_OK;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
            len = 0;
            break;
        }
    }
    if (len == 0 || len > max) {
        return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                         "the query argument \"%s\" must be 1 to %zu "
                         "printable bytes",
                         name, max);
    }
    *out = text;
    return STATUS_OK;
}

/* A positive decimal query argument up to max; absent leaves *out. */
static enum status
entities_query_number(struct request *req, const char *name, int64_t max,
                      int64_t *out, struct error *err)
{
    const char *text = http_query_get(req, name);
    size_t len;
    int64_t value = 0;

    if (text == NULL) {
        return STATUS_OK;
    }
    len = strlen(text);
    for (size_t i = 0; i < len && len <= ENTITIES_DIGITS_MAX; i++) {
        if (text[i] < '0' || text[i] > '9') {
            len = 0;
            break;
        }
        value = value * 10 + (text[i] - '0');
    }
    if (len == 0 || len > ENTITIES_DIGITS_MAX || value < 1 || value > max) {
        return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                         "the query argument \"%s\" must be an integer from "
                         "1 to %lld",
                         name, (long long)max);
    }
    *out = value;
    return STATUS_OK;
}

/* ?NAME=true or false; absent leaves *out. */
static enum status
entities_query_bool(struct request *req, const char *name, bool *out,
                    struct error *err)
{
    const char *text = http_query_get(req, name);

    if (text == NULL) {
        return STATUS_OK;
    }
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        *out = text[0] == 't';
        return STATUS_OK;
    }
    return error_set(err, STATUS_INVALID, "INVALID_QUERY",
                     "the query argument \"%s\" must be true or false", name);
}

/* The origin of writes from this API: source api, the ?scope= given. */
static enum status
entities_origin(struct request *req, struct graph_origin *origin,
                struct error *err)
{
    enum status status;

    memset(origin, 0, sizeof(*origin));
    origin->source = GRAPH_SOURCE_API;
    status =
        entities_query_text(req, "scope", GRAPH_SCOPE_MAX, &origin->scope, err);
    if (status == STATUS_OK && origin->scope == NULL) {
        origin->scope = ENTITIES_SCOPE_DEFAULT;
    }
    if (status == STATUS_OK) {
        status = graph_origin_check(origin, err);
    }
    return status;
}

/* The caller's account's graph store, with the request's deadline. */
static enum status
entities_open(struct request *req, bool write, sqlite3 **gdb, struct error *err)
{
    enum status status;

    status = graph_store_acquire(&req->server->graphs, req->subject.account_id,
                                 gdb, err);
    if (status != STATUS_OK) {
        return status;
    }
    db_set_deadline(*gdb, &req->deadline_us);
    if (write) {
        return graph_store_begin(*gdb, err);
    }
    return graph_store_begin_read(*gdb, err);
}

static void
entities_close(struct request *req, sqlite3 *gdb)
{
    graph_store_release(&req->server->graphs, gdb);
}

/*
 * Record the audit entry (committed in the control store), then commit
 * the graph transaction.  On any failure nothing of the graph change
 * stays.
 */
static enum status
entities_commit(struct request *req, sqlite3 *gdb, const char *event,
                const char *target, json_t *detail, struct error *err)
{
    enum status status;
    sqlite3 *cdb = NULL;

    status = rest_begin(req, &cdb, err);
    if (status == STATUS_OK) {
        status = rest_audit(req, cdb, event, target, detail, err);
        detail = NULL;
    }
    if (cdb != NULL) {
        status = rest_finish(cdb, status, err);
    }
    json_decref(detail);
    if (status != STATUS_OK) {
        graph_store_rollback(gdb);
        return status;
    }

    status = graph_store_commit(gdb, err);
    if (status != STATUS_OK) {
        graph_store_rollback(gdb);
        log_event(LOG_ERROR, "graph", "commit_failed", "account",
                  req->subject.account_id, "req", req->id, "event", event,
                  "detail", err != NULL ? err->detail : NULL, NULL);
    }
    return status;
}

/*
 * problems (may be NULL): the entity's data-model problems, answered as
 * its _validationErrors and, after a write, as "validation".
 */
static enum status
entities_reply_row(struct request *req, int http_status, enum graph_kind kind,
                   const struct graph_row *row, const char *change,
                   json_t *problems)
{
    json_t *obj = graph_row_json(row, true);

    if (obj == NULL) {
        return STATUS_NOMEM;
    }
    if (problems != NULL) {
        json_object_set(obj, "_validationErrors", problems);
    }
    if (change != NULL) {
        return http_reply_json(req, http_status,
                               json_pack("{s:o, s:s, s:O*}",
                                         graph_kind_name(kind), obj, "change",
                                         change, "validation", problems));
    }
    return http_reply_json(req, http_status,
                           json_pack("{s:o}", graph_kind_name(kind), obj));
}

/* ---- one object --------------------------------------------------------- */

static enum status
entities_create(struct request *req, enum graph_kind kind, struct error *err)
{
    enum graph_change change = GRAPH_CHANGE_UNCHANGED;
    struct graph_origin origin;
    struct graph_object object;
    struct graph_row row;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body, *problems = NULL;
    char event[64];

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = entities_origin(req, &origin, err);
    }
    if (status == STATUS_OK) {
        status = entities_body(req, &body, err);
    }
    if (status == STATUS_OK) {
        status = graph_object_parse(&req->arena, kind, body, &object, err);
    }
    if (status == STATUS_OK) {
        status = entities_open(req, true, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_upsert(gdb, &req->arena, &origin, &object,
                              clock_now_ms(), &row, &change, err);
    }

    /* Changing an existing object is an update, with its own right. */
    if (status == STATUS_OK && change != GRAPH_CHANGE_CREATED &&
        change != GRAPH_CHANGE_UNCHANGED) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = rest_validate_entity(req, gdb, &row, &problems, err);
    }
    if (status == STATUS_OK) {
        snprintf(event, sizeof(event), "graph.%s.%s", graph_kind_name(kind),
                 entities_change_name(change));
        status = entities_commit(
            req, gdb, event, row.id,
            json_pack("{s:s, s:s, s:I}", "scope", origin.scope, "type",
                      row.object.type, "version", (json_int_t)row.version),
            err);
    }
    if (status == STATUS_OK) {
        status = entities_reply_row(
            req, change == GRAPH_CHANGE_CREATED ? 201 : 200, kind, &row,
            entities_change_name(change), problems);
    }
    entities_close(req, gdb);
    return status;
}

static enum status
entities_get(struct request *req, enum graph_kind kind, struct error *err)
{
    struct graph_row row;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *problems = NULL;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = entities_open(req, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_get(gdb, &req->arena, kind, req->params[0], &row, err);
    }
    if (status == STATUS_OK) {
        status = rest_validation_kept(req, gdb, &row, &problems, err);
    }
    if (status == STATUS_OK) {
        status = entities_reply_row(req, 200, kind, &row, NULL, problems);
    }
    entities_close(req, gdb);
    return status;
}

static enum status
entities_update(struct request *req, enum graph_kind kind, struct error *err)
{
    enum graph_change change = GRAPH_CHANGE_UNCHANGED;
    struct graph_object patch;
    struct graph_row row;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *body, *problems = NULL;
    char event[64];

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = entities_body(req, &body, err);
    }
    if (status == STATUS_OK) {
        status = graph_object_parse_patch(&req->arena, kind, body, &patch, err);
    }
    if (status == STATUS_OK) {
        status = entities_open(req, true, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_update(gdb, &req->arena, kind, req->params[0], &patch,
                              clock_now_ms(), &row, &change, err);
    }
    if (status == STATUS_OK) {
        status = rest_validate_entity(req, gdb, &row, &problems, err);
    }
    if (status == STATUS_OK) {
        snprintf(event, sizeof(event), "graph.%s.%s", graph_kind_name(kind),
                 entities_change_name(change));
        status = entities_commit(
            req, gdb, event, row.id,
            json_pack("{s:s, s:I, s:I}", "type", row.object.type, "version",
                      (json_int_t)row.version, "properties",
                      (json_int_t)patch.property_count),
            err);
    }
    if (status == STATUS_OK) {
        status = entities_reply_row(req, 200, kind, &row,
                                    entities_change_name(change), problems);
    }
    entities_close(req, gdb);
    return status;
}

static enum status
entities_delete(struct request *req, enum graph_kind kind, struct error *err)
{
    struct graph_delete_counts counts = {0, 0};
    const char *id = req->params[0];
    struct graph_row row;
    sqlite3 *gdb = NULL;
    enum status status;
    bool hard = false;
    json_t *answer;
    char event[64];

    status =
        rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = entities_query_bool(req, "hard", &hard, err);
    }
    if (status == STATUS_OK) {
        status = entities_open(req, true, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_delete(gdb, &req->arena, kind, id, hard, clock_now_ms(),
                              &counts, err);
    }
    if (status == STATUS_OK && !hard) {
        status = graph_get(gdb, &req->arena, kind, id, &row, err);
    }
    if (status == STATUS_OK) {
        snprintf(event, sizeof(event), "graph.%s.deleted",
                 graph_kind_name(kind));
        status = entities_commit(
            req, gdb, event, id,
            json_pack("{s:b, s:I, s:I}", "hard", hard, "entities",
                      (json_int_t)counts.entities, "relationships",
                      (json_int_t)counts.relationships),
            err);
    }
    if (status == STATUS_OK) {
        answer = json_pack("{s:b, s:{s:I, s:I}}", "hard", hard, "deleted",
                           "entities", (json_int_t)counts.entities,
                           "relationships", (json_int_t)counts.relationships);
        if (answer != NULL && !hard) {
            json_object_set_new(answer, graph_kind_name(kind),
                                graph_row_json(&row, false));
        }
        status = http_reply_json(req, 200, answer);
    }
    entities_close(req, gdb);
    return status;
}

/* ---- lists -------------------------------------------------------------- */

static json_t *
entities_rows_json(const struct graph_row *rows, size_t count)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < count; i++) {
        json_array_append_new(list, graph_row_json(&rows[i], false));
    }
    return list;
}

/* The filters of a listing from the query. */
static enum status
entities_filter(struct request *req, enum graph_kind kind,
                struct graph_filter *filter, struct error *err)
{
    enum status status;

    memset(filter, 0, sizeof(*filter));
    status =
        entities_query_text(req, "type", GRAPH_NAME_MAX, &filter->type, err);
    if (status == STATUS_OK) {
        status = entities_query_text(req, "class", GRAPH_NAME_MAX,
                                     &filter->class_name, err);
    }
    if (status == STATUS_OK) {
        status =
            entities_query_bool(req, "deleted", &filter->include_deleted, err);
    }
    if (status == STATUS_OK && kind == GRAPH_KIND_RELATIONSHIP) {
        status = entities_query_text(req, "fromEntityId", GRAPH_KEY_MAX,
                                     &filter->from_id, err);
    }
    if (status == STATUS_OK && kind == GRAPH_KIND_RELATIONSHIP) {
        status = entities_query_text(req, "toEntityId", GRAPH_KEY_MAX,
                                     &filter->to_id, err);
    }
    return status;
}

static enum status
entities_list(struct request *req, enum graph_kind kind, struct error *err)
{
    char next[GRAPH_CURSOR_MAX] = "";
    int64_t limit = GRAPH_LIST_DEFAULT;
    struct graph_filter filter;
    struct graph_row *rows = NULL;
    const char *cursor = NULL;
    size_t count = 0;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *list;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status = entities_filter(req, kind, &filter, err);
    }
    if (status == STATUS_OK) {
        status =
            entities_query_number(req, "limit", GRAPH_LIST_MAX, &limit, err);
    }
    if (status == STATUS_OK) {
        status =
            entities_query_text(req, "cursor", GRAPH_CURSOR_MAX, &cursor, err);
    }
    if (status == STATUS_OK) {
        status = entities_open(req, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_list(gdb, &req->arena, kind, &filter, cursor, (int)limit,
                            &rows, &count, next, err);
    }
    if (status == STATUS_OK) {
        list = entities_rows_json(rows, count);
        status = http_reply_json(
            req, 200,
            json_pack("{s:o, s:o}", entities_plural(kind), list, "next_cursor",
                      next[0] != '\0' ? json_string(next) : json_null()));
    }
    entities_close(req, gdb);
    return status;
}

static enum status
entities_versions(struct request *req, enum graph_kind kind, struct error *err)
{
    int64_t limit = GRAPH_LIST_DEFAULT, before = 0;
    struct graph_row *rows = NULL;
    size_t count = 0;
    sqlite3 *gdb = NULL;
    enum status status;
    json_t *next;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            entities_query_number(req, "limit", GRAPH_LIST_MAX, &limit, err);
    }
    if (status == STATUS_OK) {
        status = entities_query_number(req, "before", INT64_MAX, &before, err);
    }
    if (status == STATUS_OK) {
        status = entities_open(req, false, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = graph_versions(gdb, &req->arena, kind, req->params[0], before,
                                (int)limit + 1, &rows, &count, err);
    }
    if (status == STATUS_OK) {
        next = json_null();
        if (count > (size_t)limit) {
            count = (size_t)limit;
            next = json_integer((json_int_t)rows[count - 1].version);
        }
        status = http_reply_json(req, 200,
                                 json_pack("{s:o, s:o}", "versions",
                                           entities_rows_json(rows, count),
                                           "next_before", next));
    }
    entities_close(req, gdb);
    return status;
}

/* ---- bulk --------------------------------------------------------------- */

/* What a bulk upload found wrong, object by object. */
struct bulk_problem {
    enum graph_kind kind;
    size_t index;
    struct error error;
};

struct bulk {
    struct request *req;
    struct graph_origin origin;
    struct graph_object *objects[2]; /* by kind */
    size_t counts[2];
    struct bulk_problem problems[ENTITIES_ERRORS_MAX];
    size_t problem_count;
    size_t refused;        /* all problems, also those not kept */
    int64_t changes[2][3]; /* by kind: created, updated, unchanged */
    json_t *results[2];
};

static void
bulk_note(struct bulk *b, enum graph_kind kind, size_t index,
          const struct error *error)
{
    if (b->problem_count < ENTITIES_ERRORS_MAX) {
        struct bulk_problem *p = &b->problems[b->problem_count++];

        p->kind = kind;
        p->index = index;
        p->error = *error;
    }
    b->refused++;
}

/* The array named field of the body (absent: none), size-checked. */
static enum status
bulk_array(json_t *body, const char *field, json_t **out, struct error *err)
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

/* Parse every object of one kind, noting each one refused. */
static enum status
bulk_parse(struct bulk *b, enum graph_kind kind, json_t *array,
           struct error *err)
{
    size_t count = json_array_size(array);
    struct graph_object *objects;
    struct error local;
    enum status status;

    objects = arena_zalloc(&b->req->arena, (count + 1) * sizeof(*objects));
    if (objects == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        error_clear(&local);
        status =
            graph_object_parse(&b->req->arena, kind, json_array_get(array, i),
                               &objects[i], &local);
        if (status == STATUS_INVALID) {
            objects[i].key = NULL;
            bulk_note(b, kind, i, &local);
        } else if (status != STATUS_OK) {
            *err = local;
            return status;
        }
    }
    b->objects[kind] = objects;
    b->counts[kind] = count;
    return STATUS_OK;
}

/* A key and where it is in the upload, for finding duplicates. */
struct bulk_key {
    const char *key;
    size_t index;
};

static int
bulk_key_order(const void *a, const void *b)
{
    const struct bulk_key *ka = a, *kb = b;
    int cmp = strcmp(ka->key, kb->key);

    if (cmp != 0) {
        return cmp;
    }
    return ka->index < kb->index ? -1 : ka->index > kb->index;
}

/* A key given twice in one upload is refused at its second place. */
static enum status
bulk_check_duplicates(struct bulk *b, enum graph_kind kind, struct error *err)
{
    const struct graph_object *objects = b->objects[kind];
    struct bulk_key *keys;
    struct error local;
    size_t n = 0;

    keys = arena_alloc(&b->req->arena, (b->counts[kind] + 1) * sizeof(*keys));
    if (keys == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < b->counts[kind]; i++) {
        if (objects[i].key != NULL) {
            keys[n].key = objects[i].key;
            keys[n++].index = i;
        }
    }
    if (n > 1) {
        qsort(keys, n, sizeof(*keys), bulk_key_order);
    }

    for (size_t i = 1; i < n; i++) {
        if (strcmp(keys[i].key, keys[i - 1].key) != 0) {
            continue;
        }
        error_set(&local, STATUS_INVALID,
                  kind == GRAPH_KIND_ENTITY ? "INVALID_ENTITY"
                                            : "INVALID_RELATIONSHIP",
                  "%s \"%.64s\": the same _key is also at index %zu",
                  graph_kind_name(kind), keys[i].key, keys[i - 1].index);
        bulk_note(b, kind, keys[i].index, &local);
    }
    return STATUS_OK;
}

/* Upsert every object of one kind, noting the ones refused. */
static enum status
bulk_write(struct bulk *b, sqlite3 *gdb, enum graph_kind kind, int64_t now,
           struct error *err)
{
    enum graph_change change;
    struct graph_row row;
    struct error local;
    enum status status;
    json_t *problems = NULL;
    int slot;

    b->results[kind] = json_array();
    if (b->results[kind] == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < b->counts[kind]; i++) {
        error_clear(&local);
        status = graph_upsert(gdb, &b->req->arena, &b->origin,
                              &b->objects[kind][i], now, &row, &change, &local);
        if (status == STATUS_OK) {
            status = rest_validate_entity(b->req, gdb, &row, &problems, &local);
        }
        if (status == STATUS_INVALID) {
            bulk_note(b, kind, i, &local);
            continue;
        }
        if (status != STATUS_OK) {
            *err = local;
            return status;
        }
        slot = change == GRAPH_CHANGE_CREATED     ? 0
               : change == GRAPH_CHANGE_UNCHANGED ? 2
                                                  : 1;
        b->changes[kind][slot]++;
        json_array_append_new(
            b->results[kind],
            json_pack("{s:I, s:s, s:s, s:I, s:s, s:O*}", "index", (json_int_t)i,
                      "_id", row.id, "_key", row.object.key, "_version",
                      (json_int_t)row.version, "change",
                      entities_change_name(change), "validation", problems));
    }
    return STATUS_OK;
}

static int
bulk_problem_order(const void *a, const void *b)
{
    const struct bulk_problem *pa = a, *pb = b;

    if (pa->kind != pb->kind) {
        return pa->kind < pb->kind ? -1 : 1;
    }
    return pa->index < pb->index ? -1 : pa->index > pb->index;
}

/* 400 with every problem kept, in upload order, with kind and index. */
static enum status
bulk_refuse(struct bulk *b)
{
    const struct bulk_problem *first = &b->problems[0];
    json_t *list = json_array(), *answer;
    char message[ERROR_MESSAGE_MAX];

    if (b->problem_count > 1) {
        qsort(b->problems, b->problem_count, sizeof(b->problems[0]),
              bulk_problem_order);
    }

    for (size_t i = 0; i < b->problem_count; i++) {
        const struct bulk_problem *p = &b->problems[i];

        json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:s}", "kind",
                                              graph_kind_name(p->kind), "index",
                                              (json_int_t)p->index, "code",
                                              p->error.code, "message",
                                              p->error.message));
    }
    if (b->refused == 1) {
        snprintf(message, sizeof(message), "%s", first->error.message);
    } else {
        snprintf(message, sizeof(message),
                 "%zu objects were refused and nothing was written; "
                 "first, %s[%zu]: %.120s",
                 b->refused, entities_plural(first->kind), first->index,
                 first->error.message);
    }
    answer = json_pack("{s:{s:s, s:s, s:I, s:o}}", "error", "code",
                       first->error.code, "message", message, "refused",
                       (json_int_t)b->refused, "errors", list);
    return http_reply_json(b->req, 400, answer);
}

static json_t *
bulk_counts_json(const struct bulk *b, enum graph_kind kind)
{
    return json_pack("{s:I, s:I, s:I}", "created",
                     (json_int_t)b->changes[kind][0], "updated",
                     (json_int_t)b->changes[kind][1], "unchanged",
                     (json_int_t)b->changes[kind][2]);
}

/* Read, parse and check the whole body before anything is written. */
static enum status
bulk_read(struct bulk *b, struct error *err)
{
    static const char *const fields[] = {"entities", "relationships", NULL};
    json_t *body, *entities = NULL, *relationships = NULL;
    enum status status;
    size_t total;

    status = rest_body(b->req, fields, &body, err);
    if (status == STATUS_OK) {
        status = bulk_array(body, "entities", &entities, err);
    }
    if (status == STATUS_OK) {
        status = bulk_array(body, "relationships", &relationships, err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    if (entities == NULL && relationships == NULL) {
        return error_set(err, STATUS_INVALID, "MISSING_FIELD",
                         "the body needs \"entities\" or \"relationships\"");
    }
    total = json_array_size(entities) + json_array_size(relationships);
    if (total > ENTITIES_BULK_MAX) {
        return error_set(err, STATUS_TOO_LARGE, "TOO_MANY_OBJECTS",
                         "one bulk upload takes at most %d objects, this "
                         "one has %zu",
                         ENTITIES_BULK_MAX, total);
    }

    status = bulk_parse(b, GRAPH_KIND_ENTITY, entities, err);
    if (status == STATUS_OK) {
        status = bulk_parse(b, GRAPH_KIND_RELATIONSHIP, relationships, err);
    }
    if (status == STATUS_OK) {
        status = bulk_check_duplicates(b, GRAPH_KIND_ENTITY, err);
    }
    if (status == STATUS_OK) {
        status = bulk_check_duplicates(b, GRAPH_KIND_RELATIONSHIP, err);
    }
    return status;
}

enum status
rest_graph_bulk(struct request *req, struct error *err)
{
    int64_t now = clock_now_ms();
    sqlite3 *gdb = NULL;
    enum status status;
    struct bulk *b;
    json_t *detail;

    b = arena_zalloc(&req->arena, sizeof(*b));
    if (b == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    b->req = req;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH, err);
    if (status == STATUS_OK) {
        status =
            rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH, err);
    }
    if (status == STATUS_OK) {
        status = entities_origin(req, &b->origin, err);
    }
    if (status == STATUS_OK) {
        status = bulk_read(b, err);
    }
    if (status == STATUS_OK && b->refused > 0) {
        return bulk_refuse(b);
    }

    /* Entities first, so that relationships may name them by key. */
    if (status == STATUS_OK) {
        status = entities_open(req, true, &gdb, err);
    }
    if (status == STATUS_OK) {
        status = bulk_write(b, gdb, GRAPH_KIND_ENTITY, now, err);
    }
    if (status == STATUS_OK) {
        status = bulk_write(b, gdb, GRAPH_KIND_RELATIONSHIP, now, err);
    }
    if (status == STATUS_OK && b->refused > 0) {
        graph_store_rollback(gdb);
        status = bulk_refuse(b);
        goto out;
    }

    if (status == STATUS_OK) {
        detail =
            json_pack("{s:s, s:o, s:o}", "scope", b->origin.scope, "entities",
                      bulk_counts_json(b, GRAPH_KIND_ENTITY), "relationships",
                      bulk_counts_json(b, GRAPH_KIND_RELATIONSHIP));
        status = entities_commit(req, gdb, "graph.bulk", "", detail, err);
    }
    if (status == STATUS_OK) {
        status = http_reply_json(
            req, 200,
            json_pack("{s:{s:o, s:o}, s:O, s:O}", "counts", "entities",
                      bulk_counts_json(b, GRAPH_KIND_ENTITY), "relationships",
                      bulk_counts_json(b, GRAPH_KIND_RELATIONSHIP), "entities",
                      b->results[GRAPH_KIND_ENTITY], "relationships",
                      b->results[GRAPH_KIND_RELATIONSHIP]));
    }

out:
    json_decref(b->results[GRAPH_KIND_ENTITY]);
    json_decref(b->results[GRAPH_KIND_RELATIONSHIP]);
    entities_close(req, gdb);
    return status;
}

/* ---- the handlers the router names -------------------------------------- */

enum status
rest_entity_create(struct request *req, struct error *err)
{
    return entities_create(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_entities_list(struct request *req, struct error *err)
{
    return entities_list(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_entity_get(struct request *req, struct error *err)
{
    return entities_get(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_entity_update(struct request *req, struct error *err)
{
    return entities_update(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_entity_delete(struct request *req, struct error *err)
{
    return entities_delete(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_entity_versions(struct request *req, struct error *err)
{
    return entities_versions(req, GRAPH_KIND_ENTITY, err);
}

enum status
rest_relationship_create(struct request *req, struct error *err)
{
    return entities_create(req, GRAPH_KIND_RELATIONSHIP, err);
}

enum status
rest_relationships_list(struct request *req, struct error *err)
{
    return entities_list(req, GRAPH_KIND_RELATIONSHIP, err);
}

enum status
rest_relationship_get(struct request *req, struct error *err)
{
    return entities_get(req, GRAPH_KIND_RELATIONSHIP, err);
}

enum status
rest_relationship_update(struct request *req, struct error *err)
{
    return entities_update(req, GRAPH_KIND_RELATIONSHIP, err);
}

enum status
rest_relationship_delete(struct request *req, struct error *err)
{
    return entities_delete(req, GRAPH_KIND_RELATIONSHIP, err);
}

enum status
rest_relationship_versions(struct request *req, struct error *err)
{
    return entities_versions(req, GRAPH_KIND_RELATIONSHIP, err);
}

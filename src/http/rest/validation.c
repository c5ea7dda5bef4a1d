/*
 * validation.c - the data-model check of entities written through
 * /api/v1, under the account's "validation" setting.
 *
 * The entity handlers call rest_validate_entity() once per written
 * entity, inside their graph transaction and before they commit: in warn
 * mode the problems are kept beside the entity and returned with the
 * answer; in strict mode an entity with problems refuses the request,
 * and the caller's rollback leaves the graph as it was.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "graph/validate.h"

#include <stdio.h>
#include <string.h>

static void
validation_json_free(void *p)
{
    json_decref(p);
}

/* The refusal's message: the count, then as many problems as fit. */
static enum status
validation_refuse(const struct graph_row *row,
                  const struct graph_problem *problems, size_t count,
                  struct error *err)
{
    char message[ERROR_MESSAGE_MAX];
    size_t len;

    snprintf(message, sizeof(message),
             "entity \"%.64s\" does not conform to the data model "
             "(%zu problem%s)",
             row->object.key, count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        len = strlen(message);
        snprintf(message + len, sizeof(message) - len, "%s %s%s%s: %s",
                 i == 0 ? ":" : ";", problems[i].class_name,
                 problems[i].property[0] != '\0' ? "." : "",
                 problems[i].property, problems[i].message);
    }
    return error_set(err, STATUS_INVALID, "DATA_MODEL_VIOLATION", "%s",
                     message);
}

enum status
rest_validate_entity(struct request *req, sqlite3 *gdb,
                     const struct graph_row *row, json_t **problems_json,
                     struct error *err)
{
    enum account_validation mode = ACCOUNT_VALIDATION_WARN;
    struct graph_problem *problems = NULL;
    size_t count = 0;
    enum status status;
    sqlite3 *db;

    *problems_json = NULL;
    if (row->object.kind != GRAPH_KIND_ENTITY) {
        return STATUS_OK;
    }
    status = graph_validate_object(&req->arena, &row->object, &problems,
                                   &count, err);
    if (status == STATUS_OK && count > 0) {
        status = http_db(req, &db, err);
        if (status == STATUS_OK) {
            status = account_get_validation(db, req->subject.account_id,
                                            &mode, err);
        }
    }
    if (status != STATUS_OK) {
        return status;
    }
    if (mode == ACCOUNT_VALIDATION_STRICT) {
        return validation_refuse(row, problems, count, err);
    }

    status = graph_validation_save(gdb, row->id, problems, count,
                                   clock_now_ms(), err);
    if (status != STATUS_OK || count == 0) {
        return status;
    }
    *problems_json = graph_problems_json(problems, count);
    if (*problems_json == NULL ||
        arena_defer(&req->arena, validation_json_free, *problems_json) != 0) {
        json_decref(*problems_json);
        *problems_json = NULL;
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

enum status
rest_validation_kept(struct request *req, sqlite3 *gdb,
                     const struct graph_row *row, json_t **problems_json,
                     struct error *err)
{
    enum status status;

    *problems_json = NULL;
    if (row->object.kind != GRAPH_KIND_ENTITY) {
        return STATUS_OK;
    }
    status = graph_validation_load(gdb, row->id, problems_json, err);
    if (status == STATUS_OK && *problems_json != NULL &&
        arena_defer(&req->arena, validation_json_free, *problems_json) != 0) {
        json_decref(*problems_json);
        *problems_json = NULL;
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return status;
}

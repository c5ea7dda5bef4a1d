/*
 * sync.c - synchronization jobs: creating them, checking and staging
 * uploads, finalizing (the diff and the mapper), failing and aborting.
 * See sync.h for the contract; the SQL is in store/sync_store.c.
 *
 * Finalize reads the staged uploads back one object at a time, each
 * parsed into a scratch arena released right after it is written, so
 * that memory does not grow with the size of the job; only the _ids of
 * objects to delete by absence are gathered before they are deleted.
 */
#include "graph/sync.h"

#include "crypto/random.h"
#include "store/graph_store.h"
#include "store/sync_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNC_KEY_TEXT_MAX 256 /* bytes of a value in a generated key */

static const char *const sync_mode_names[] = {
    [SYNC_MODE_DIFF] = "DIFF",
    [SYNC_MODE_PATCH] = "PATCH",
    [SYNC_MODE_CREATE_OR_UPDATE] = "CREATE_OR_UPDATE",
};

static const char *const sync_status_names[] = {
    [SYNC_STATUS_AWAITING_UPLOADS] = "AWAITING_UPLOADS",
    [SYNC_STATUS_FINALIZE_PENDING] = "FINALIZE_PENDING",
    [SYNC_STATUS_FINISHED] = "FINISHED",
    [SYNC_STATUS_ABORTED] = "ABORTED",
    [SYNC_STATUS_ERROR_BAD_DATA] = "ERROR_BAD_DATA",
};

const char *
sync_mode_name(enum sync_mode mode)
{
    return sync_mode_names[mode];
}

bool
sync_mode_parse(const char *name, enum sync_mode *out)
{
    for (size_t i = 0; i < sizeof(sync_mode_names) / sizeof(char *); i++) {
        if (strcmp(name, sync_mode_names[i]) == 0) {
            *out = (enum sync_mode)i;
            return true;
        }
    }
    return false;
}

const char *
sync_status_name(enum sync_status status)
{
    return sync_status_names[status];
}

bool
sync_status_is_done(enum sync_status status)
{
    return status == SYNC_STATUS_FINISHED || status == SYNC_STATUS_ABORTED ||
           status == SYNC_STATUS_ERROR_BAD_DATA;
}

static enum graph_kind
sync_item_kind(enum sync_item item)
{
    return item == SYNC_ITEM_ENTITY || item == SYNC_ITEM_DELETE_ENTITY
               ? GRAPH_KIND_ENTITY
               : GRAPH_KIND_RELATIONSHIP;
}

/* Turn a data error of one object into the job's ERROR_BAD_DATA. */
static enum status
sync_bad_data(enum status status, struct error *err)
{
    if (status == STATUS_INVALID && err != NULL) {
        snprintf(err->code, sizeof(err->code), "%s", "ERROR_BAD_DATA");
    }
    return status;
}

/* ---- jobs --------------------------------------------------------------- */

enum status
sync_create(sqlite3 *db, struct arena *arena, struct sync_job *job,
            int64_t now_ms, struct error *err)
{
    enum status status;
    char *id, *job_id;

    if (job->origin.source == GRAPH_SOURCE_SYSTEM_MAPPER) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "a job's source must be api, integration-managed "
                         "or integration-external");
    }
    status = graph_origin_check(&job->origin, err);
    if (status != STATUS_OK) {
        return status;
    }

    id = arena_alloc(arena, UUID_LEN + 1);
    job_id = arena_alloc(arena, UUID_LEN + 1);
    if (id == NULL || job_id == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    random_uuid(id);
    job->id = id;
    if (job->origin.source != GRAPH_SOURCE_API &&
        job->integration_job_id == NULL) {
        random_uuid(job_id);
        job->integration_job_id = job_id;
    }
    if (job->origin.source == GRAPH_SOURCE_API) {
        job->integration_job_id = NULL;
    }
    job->status = SYNC_STATUS_AWAITING_UPLOADS;
    job->start_ms = now_ms;
    job->end_ms = 0;
    memset(job->counts, 0, sizeof(job->counts));
    job->error = NULL;
    return sync_store_insert_job(db, job, err);
}

enum status
sync_get(sqlite3 *db, struct arena *arena, const char *id, struct sync_job *out,
         struct error *err)
{
    return sync_store_get_job(db, arena, id, out, err);
}

/* The job, which must still be awaiting uploads. */
static enum status
sync_get_open(sqlite3 *db, struct arena *arena, const char *id,
              struct sync_job *out, struct error *err)
{
    enum status status = sync_store_get_job(db, arena, id, out, err);

    if (status == STATUS_OK && out->status != SYNC_STATUS_AWAITING_UPLOADS) {
        return error_set(err, STATUS_CONFLICT, "JOB_NOT_AWAITING_UPLOADS",
                         "the job is %s, not awaiting uploads",
                         sync_status_name(out->status));
    }
    return status;
}

/* ---- the mapper's target entity ----------------------------------------- */

/* The value of a filter key as text for a generated key. */
static const char *
sync_value_text(struct arena *arena, const json_t *value)
{
    if (json_is_string(value)) {
        return json_string_value(value);
    }
    return graph_value_text(arena, value);
}

/*
 * The _key the mapper gives a target that has none: the values of the
 * first filter set, "_type=acme_user:email=a@b.c", so that the same
 * mapping always names the same target.
 */
static char *
sync_target_key(struct arena *arena, json_t *target, json_t *first_set)
{
    char *key = "";
    size_t i;
    json_t *name;

    json_array_foreach(first_set, i, name)
    {
        const char *text = sync_value_text(
            arena, json_object_get(target, json_string_value(name)));

        key = arena_printf(arena, "%s%s%s=%.*s", key, i > 0 ? ":" : "",
                           json_string_value(name), SYNC_KEY_TEXT_MAX,
                           text != NULL ? text : "null");
        if (key == NULL) {
            return NULL;
        }
    }
    return key;
}

/* A filter key set as an array of names: "a" stands for ["a"]. */
static json_t *
sync_filter_set(json_t *entry)
{
    json_t *set;
    size_t i;
    json_t *name;

    if (json_is_string(entry)) {
        return json_pack("[O]", entry);
    }
    if (!json_is_array(entry) || json_array_size(entry) == 0) {
        return NULL;
    }
    json_array_foreach(entry, i, name)
    {
        if (!json_is_string(name) || json_string_length(name) == 0 ||
            json_string_length(name) > GRAPH_NAME_MAX) {
            return NULL;
        }
    }
    set = json_incref(entry);
    return set;
}

/* The target entity a mapping would create, parsed as an entity. */
static enum status
sync_target_object(struct arena *arena, json_t *mapping,
                   struct graph_object *out, struct error *err)
{
    json_t *target = json_object_get(mapping, "targetEntity");
    json_t *first = sync_filter_set(
        json_array_get(json_object_get(mapping, "targetFilterKeys"), 0));
    json_t *copy = json_deep_copy(target);
    enum status status = STATUS_OK;
    char *key;

    if (copy == NULL || first == NULL) {
        status = error_set(err, STATUS_INVALID, "INVALID_RELATIONSHIP",
                           "_mapping.targetFilterKeys must hold names or "
                           "arrays of names");
        goto out;
    }
    if (json_object_get(copy, "_key") == NULL) {
        key = sync_target_key(arena, target, first);
        if (key == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
            goto out;
        }
        json_object_set_new(copy, "_key", json_string(key));
    }
    status = graph_object_parse(arena, GRAPH_KIND_ENTITY, copy, out, err);

out:
    json_decref(copy);
    json_decref(first);
    return status;
}

/* ---- checking and staging uploads --------------------------------------- */

static void
sync_note(struct sync_problems *problems, enum sync_item item, size_t index,
          const struct error *error)
{
    if (problems->count < SYNC_PROBLEMS_MAX) {
        struct sync_problem *p = &problems->list[problems->count++];

        p->item = item;
        p->index = index;
        p->error = *error;
    }
    problems->refused++;
}

/* The extra checks of a mapped relationship: filter sets and target. */
static enum status
sync_check_mapping(struct arena *arena, const struct graph_object *o,
                   struct error *err)
{
    json_t *mapping = json_loads(o->mapping, 0, NULL);
    struct graph_object target;
    enum status status = STATUS_OK;
    size_t i;
    json_t *entry, *set;

    if (mapping == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    json_array_foreach(json_object_get(mapping, "targetFilterKeys"), i, entry)
    {
        set = sync_filter_set(entry);
        if (set == NULL) {
            status = error_set(err, STATUS_INVALID, "INVALID_RELATIONSHIP",
                               "relationship \"%.64s\": "
                               "_mapping.targetFilterKeys[%zu] must be a "
                               "name or an array of names",
                               o->key, i);
            break;
        }
        json_decref(set);
    }
    if (status == STATUS_OK &&
        !json_is_true(json_object_get(mapping, "skipTargetCreation"))) {
        status = sync_target_object(arena, mapping, &target, err);
        if (status == STATUS_INVALID) {
            error_set(err, STATUS_INVALID, "INVALID_RELATIONSHIP",
                      "relationship \"%.64s\": _mapping.targetEntity: "
                      "%.160s",
                      o->key, err->message);
        }
    }
    json_decref(mapping);
    return status;
}

/* A delete names an object by "_id" or "_key"; the one it names. */
static const char *
sync_delete_name(json_t *value)
{
    json_t *id = json_object_get(value, "_id");
    json_t *key = json_object_get(value, "_key");
    json_t *name = id != NULL ? id : key;

    if (!json_is_object(value) || !json_is_string(name) ||
        json_string_length(name) == 0 ||
        json_string_length(name) > GRAPH_KEY_MAX) {
        return NULL;
    }
    return json_string_value(name);
}

static enum status
sync_check_one(struct arena *arena, enum sync_item item, json_t *value,
               struct error *err)
{
    struct graph_object o;
    enum status status;

    if (item == SYNC_ITEM_DELETE_ENTITY ||
        item == SYNC_ITEM_DELETE_RELATIONSHIP) {
        if (sync_delete_name(value) == NULL) {
            return error_set(err, STATUS_INVALID, "INVALID_DELETE",
                             "a delete must be an object with an \"_id\" "
                             "or a \"_key\" string");
        }
        return STATUS_OK;
    }
    status = graph_object_parse(arena, sync_item_kind(item), value, &o, err);
    if (status == STATUS_OK && o.mapping != NULL) {
        status = sync_check_mapping(arena, &o, err);
    }
    return status;
}

enum status
sync_check(struct arena *arena, enum sync_item item, json_t *array,
           struct sync_problems *problems, struct error *err)
{
    struct error local;
    enum status status;
    struct arena scratch;
    size_t i;
    json_t *value;

    json_array_foreach(array, i, value)
    {
        arena_init(&scratch);
        error_clear(&local);
        status = sync_check_one(&scratch, item, value, &local);
        arena_release(&scratch);
        if (status == STATUS_INVALID) {
            sync_note(problems, item, i, &local);
        } else if (status != STATUS_OK) {
            *err = local;
            return status;
        }
    }
    return STATUS_OK;
}

enum status
sync_stage(sqlite3 *db, struct arena *arena, const char *id,
           enum sync_item item, json_t *array, struct error *err)
{
    struct sync_job job;
    enum status status;
    size_t i;
    json_t *value;

    status = sync_get_open(db, arena, id, &job, err);
    json_array_foreach(array, i, value)
    {
        const char *key;
        char *body;

        if (status != STATUS_OK) {
            break;
        }
        if (item == SYNC_ITEM_DELETE_ENTITY ||
            item == SYNC_ITEM_DELETE_RELATIONSHIP) {
            key = sync_delete_name(value);
        } else {
            key = json_string_value(json_object_get(value, "_key"));
        }
        if (key == NULL) {
            return error_set(err, STATUS_INVALID, "INVALID_UPLOAD",
                             "%s[%zu] was not checked before staging",
                             graph_kind_name(sync_item_kind(item)), i);
        }
        body = json_dumps(value, JSON_COMPACT);
        if (body == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        status = sync_store_stage(db, id, item, key, body, err);
        free(body);
    }
    if (status == STATUS_OK && item <= SYNC_ITEM_RELATIONSHIP) {
        job.counts[sync_item_kind(item)].uploaded +=
            (int64_t)json_array_size(array);
        status = sync_store_save_job(db, &job, err);
    }
    return status;
}

/* ---- finalize ----------------------------------------------------------- */

struct sync_run {
    sqlite3 *db;
    struct sync_job *job;
    enum graph_kind kind;
    int64_t now_ms;
};

/* The live entity with this key: the job's own first, else the unique. */
static enum status
sync_find_key(struct sync_run *run, struct arena *arena, const char *key,
              const char **id, struct error *err)
{
    struct graph_row row;
    struct error local;
    enum status status;
    int matches = 0;

    error_clear(&local);
    status = graph_get_by_key(run->db, arena, GRAPH_KIND_ENTITY,
                              &run->job->origin, key, &row, &local);
    if (status == STATUS_OK && !row.deleted) {
        *id = row.id;
        return STATUS_OK;
    }
    if (status != STATUS_OK && status != STATUS_NOT_FOUND) {
        *err = local;
        return status;
    }
    status =
        graph_store_find_entity_key(run->db, arena, key, id, &matches, err);
    if (status == STATUS_OK && matches != 1) {
        *id = NULL;
    }
    return status;
}

/* The first entity matching any one filter set, or *id NULL. */
static enum status
sync_find_target(struct sync_run *run, struct arena *arena, json_t *mapping,
                 const char **id, struct error *err)
{
    json_t *target = json_object_get(mapping, "targetEntity");
    enum status status = STATUS_OK;
    size_t i, j;
    json_t *entry, *name;

    *id = NULL;
    json_array_foreach(json_object_get(mapping, "targetFilterKeys"), i, entry)
    {
        json_t *set = sync_filter_set(entry), *filter = json_object();
        const char *type = NULL;
        char *text = NULL;
        bool complete = set != NULL && filter != NULL;

        json_array_foreach(set, j, name)
        {
            json_t *value = json_object_get(target, json_string_value(name));

            if (value == NULL) {
                complete = false;
                break;
            }
            json_object_set(filter, json_string_value(name), value);
            if (strcmp(json_string_value(name), "_type") == 0) {
                type = json_string_value(value);
            }
        }
        if (complete) {
            text = json_dumps(filter, JSON_COMPACT);
            status = text == NULL
                         ? error_set(err, STATUS_NOMEM, NULL, "out of memory")
                         : sync_store_find_target(run->db, arena, text, type,
                                                  id, err);
        }
        free(text);
        json_decref(filter);
        json_decref(set);
        if (status != STATUS_OK || *id != NULL) {
            break;
        }
    }
    return status;
}

/*
 * The target of a mapping: the first entity matching the filters, which
 * the mapper updates with targetEntity when it owns it; else a new one
 * for the mapper unless skipTargetCreation (then *id stays NULL).
 */
static enum status
sync_map_target(struct sync_run *run, struct arena *arena, json_t *mapping,
                const char **id, struct error *err)
{
    const struct graph_origin mapper = {.source = GRAPH_SOURCE_SYSTEM_MAPPER};
    bool skip = json_is_true(json_object_get(mapping, "skipTargetCreation"));
    struct graph_object target;
    struct graph_row row;
    enum status status;

    status = sync_find_target(run, arena, mapping, id, err);
    if (status == STATUS_OK && *id != NULL) {
        status = graph_get(run->db, arena, GRAPH_KIND_ENTITY, *id, &row, err);
        if (status != STATUS_OK || skip ||
            row.origin.source != GRAPH_SOURCE_SYSTEM_MAPPER) {
            return status;
        }
    }
    if (status != STATUS_OK || (*id == NULL && skip)) {
        return status;
    }

    status = sync_target_object(arena, mapping, &target, err);
    if (status == STATUS_OK && *id != NULL) {
        target.key = row.object.key;
    }
    if (status == STATUS_OK) {
        status = graph_upsert(run->db, arena, &mapper, &target, run->now_ms,
                              &row, NULL, err);
    }
    if (status == STATUS_OK) {
        *id = row.id;
    }
    return status;
}

/*
 * Resolve a mapped relationship's endpoints: the source entity by key,
 * the target as above.  *skip when there is no target and none may be
 * created.
 */
static enum status
sync_map(struct sync_run *run, struct arena *arena, struct graph_object *o,
         bool *skip, struct error *err)
{
    json_t *mapping = json_loads(o->mapping, 0, NULL);
    const char *source_key, *source_id = NULL, *target_id = NULL;
    enum status status;
    bool forward;

    if (mapping == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    source_key = json_string_value(json_object_get(mapping, "sourceEntityKey"));
    status = sync_find_key(run, arena, source_key, &source_id, err);
    if (status == STATUS_OK && source_id == NULL) {
        status = error_set(err, STATUS_INVALID, "ERROR_BAD_DATA",
                           "relationship \"%.64s\": _mapping.sourceEntityKey "
                           "\"%.64s\" names no entity",
                           o->key, source_key);
    }
    if (status == STATUS_OK) {
        status = sync_map_target(run, arena, mapping, &target_id, err);
    }
    *skip = status == STATUS_OK && target_id == NULL;
    if (status == STATUS_OK && target_id != NULL) {
        forward = strcmp(json_string_value(
                             json_object_get(mapping, "relationshipDirection")),
                         "REVERSE") != 0;
        o->from_id = forward ? source_id : target_id;
        o->to_id = forward ? target_id : source_id;
        o->from_key = o->to_key = NULL;
    }
    json_decref(mapping);
    return status;
}

/* Write one staged object (a walk callback). */
static enum status
sync_apply(void *ctx, const char *body, struct error *err)
{
    struct sync_run *run = ctx;
    struct sync_counts *counts = &run->job->counts[run->kind];
    enum graph_change change = GRAPH_CHANGE_UNCHANGED;
    json_t *json = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    enum status status = STATUS_OK;
    struct graph_object o;
    struct arena scratch;
    bool skip = false;

    arena_init(&scratch);
    if (json == NULL) {
        status =
            error_set(err, STATUS_CORRUPT, NULL, "a staged object is not JSON");
    }
    if (status == STATUS_OK) {
        status = graph_object_parse(&scratch, run->kind, json, &o, err);
    }
    if (status == STATUS_OK && o.mapping != NULL && o.from_key == NULL &&
        o.from_id == NULL) {
        status = sync_map(run, &scratch, &o, &skip, err);
    }
    if (status == STATUS_OK && !skip) {
        status = graph_upsert(run->db, &scratch, &run->job->origin, &o,
                              run->now_ms, NULL, &change, err);
    }
    if (status == STATUS_OK) {
        counts->created += change == GRAPH_CHANGE_CREATED;
        counts->updated +=
            change == GRAPH_CHANGE_UPDATED || change == GRAPH_CHANGE_RAW_DATA;
    }
    json_decref(json);
    arena_release(&scratch);
    return sync_bad_data(status, err);
}

/* Soft-delete one object, adding what went (cascade included). */
static enum status
sync_delete_id(struct sync_run *run, struct arena *arena, enum graph_kind kind,
               const char *id, struct error *err)
{
    struct graph_delete_counts counts = {0, 0};
    enum status status;

    status = graph_delete(run->db, arena, kind, id, false, run->now_ms, &counts,
                          err);
    if (status == STATUS_OK) {
        run->job->counts[GRAPH_KIND_ENTITY].deleted += counts.entities;
        run->job->counts[GRAPH_KIND_RELATIONSHIP].deleted +=
            counts.relationships;
    }
    return status;
}

/* Apply one explicit delete (a walk callback); unknown names are no-ops. */
static enum status
sync_apply_delete(void *ctx, const char *body, struct error *err)
{
    struct sync_run *run = ctx;
    json_t *json = json_loads(body, 0, NULL);
    const char *id = json_string_value(json_object_get(json, "_id"));
    const char *key = json_string_value(json_object_get(json, "_key"));
    enum status status = STATUS_OK;
    struct graph_row row;
    struct arena scratch;
    struct error local;

    arena_init(&scratch);
    error_clear(&local);
    if (id == NULL && key != NULL) {
        status = graph_get_by_key(run->db, &scratch, run->kind,
                                  &run->job->origin, key, &row, &local);
        id = status == STATUS_OK && !row.deleted ? row.id : NULL;
    }
    if (id != NULL) {
        status = sync_delete_id(run, &scratch, run->kind, id, &local);
    }
    if (status == STATUS_NOT_FOUND) {
        status = STATUS_OK;
    }
    if (status != STATUS_OK && err != NULL) {
        *err = local;
    }
    json_decref(json);
    arena_release(&scratch);
    return status;
}

/* DIFF: delete the objects of the job's scope that were not uploaded. */
static enum status
sync_delete_absent(struct sync_run *run, const char *partial_types,
                   struct error *err)
{
    const struct graph_origin *origin = &run->job->origin;
    const char **ids = NULL;
    enum status status;
    struct arena scratch;
    size_t count = 0;

    arena_init(&scratch);
    status = sync_store_absent(
        run->db, &scratch, run->kind, graph_source_name(origin->source),
        origin->source == GRAPH_SOURCE_API ? origin->scope
                                           : origin->integration_instance_id,
        run->job->id, partial_types, &ids, &count, err);
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        status = sync_delete_id(run, &scratch, run->kind, ids[i], err);
        if (status == STATUS_NOT_FOUND) {
            status = STATUS_OK;
        }
    }
    arena_release(&scratch);
    return status;
}

/* Refuse a job whose uploads name one key twice, unless it allows it. */
static enum status
sync_check_duplicates(struct sync_run *run, struct arena *arena,
                      struct error *err)
{
    enum status status = STATUS_OK;
    const char *key = NULL;

    if (run->job->ignore_duplicates) {
        return STATUS_OK;
    }
    for (int item = SYNC_ITEM_ENTITY; item <= SYNC_ITEM_RELATIONSHIP; item++) {
        status = sync_store_duplicate(run->db, arena, run->job->id,
                                      (enum sync_item)item, &key, err);
        if (status == STATUS_OK && key != NULL) {
            return error_set(err, STATUS_INVALID, "ERROR_BAD_DATA",
                             "the %s _key \"%.64s\" was uploaded more than "
                             "once (set ignoreDuplicates to keep the last)",
                             graph_kind_name(sync_item_kind(item)), key);
        }
        if (status != STATUS_OK) {
            break;
        }
    }
    return status;
}

/* One kind: upserts, then (DIFF) deletion of what was not uploaded. */
static enum status
sync_apply_kind(struct sync_run *run, enum graph_kind kind,
                const char *partial_types, struct error *err)
{
    enum status status;

    run->kind = kind;
    status = sync_store_walk(run->db, run->job->id,
                             kind == GRAPH_KIND_ENTITY ? SYNC_ITEM_ENTITY
                                                       : SYNC_ITEM_RELATIONSHIP,
                             sync_apply, run, err);
    if (status == STATUS_OK && run->job->mode == SYNC_MODE_DIFF) {
        status = sync_delete_absent(run, partial_types, err);
    }
    return status;
}

enum status
sync_finalize(sqlite3 *db, struct arena *arena, const char *id,
              const char *partial_types, int64_t now_ms, struct sync_job *out,
              struct error *err)
{
    struct sync_run run = {.db = db, .job = out, .now_ms = now_ms};
    enum status status;

    status = sync_get_open(db, arena, id, out, err);
    if (status == STATUS_OK) {
        status = sync_check_duplicates(&run, arena, err);
    }
    if (status == STATUS_OK) {
        status = sync_apply_kind(&run, GRAPH_KIND_ENTITY, partial_types, err);
    }
    if (status == STATUS_OK) {
        status =
            sync_apply_kind(&run, GRAPH_KIND_RELATIONSHIP, partial_types, err);
    }

    /* Explicit deletes: relationships first, then entities. */
    if (status == STATUS_OK) {
        run.kind = GRAPH_KIND_RELATIONSHIP;
        status = sync_store_walk(db, id, SYNC_ITEM_DELETE_RELATIONSHIP,
                                 sync_apply_delete, &run, err);
    }
    if (status == STATUS_OK) {
        run.kind = GRAPH_KIND_ENTITY;
        status = sync_store_walk(db, id, SYNC_ITEM_DELETE_ENTITY,
                                 sync_apply_delete, &run, err);
    }

    if (status == STATUS_OK) {
        out->status = SYNC_STATUS_FINISHED;
        out->end_ms = now_ms;
        status = sync_store_save_job(db, out, err);
    }
    if (status == STATUS_OK) {
        status = sync_store_clear(db, id, err);
    }
    return status;
}

/* End a job in a terminal status, dropping its staged data. */
static enum status
sync_end(sqlite3 *db, struct arena *arena, const char *id, enum sync_status end,
         const char *reason, int64_t now_ms, struct sync_job *out,
         struct error *err)
{
    enum status status = sync_get_open(db, arena, id, out, err);

    if (status == STATUS_OK) {
        for (int k = 0; k < 2; k++) {
            out->counts[k].created = 0;
            out->counts[k].updated = 0;
            out->counts[k].deleted = 0;
        }
        out->status = end;
        out->end_ms = now_ms;
        out->error = reason;
        status = sync_store_save_job(db, out, err);
    }
    if (status == STATUS_OK) {
        status = sync_store_clear(db, id, err);
    }
    return status;
}

enum status
sync_fail(sqlite3 *db, struct arena *arena, const char *id, const char *reason,
          int64_t now_ms, struct sync_job *out, struct error *err)
{
    return sync_end(db, arena, id, SYNC_STATUS_ERROR_BAD_DATA, reason, now_ms,
                    out, err);
}

enum status
sync_abort(sqlite3 *db, struct arena *arena, const char *id, const char *reason,
           int64_t now_ms, struct sync_job *out, struct error *err)
{
    return sync_end(db, arena, id, SYNC_STATUS_ABORTED, reason, now_ms, out,
                    err);
}

enum status
sync_event(sqlite3 *db, const char *id, const char *name,
           const char *description, int64_t now_ms, struct error *err)
{
    return sync_store_event(db, id, name, description, now_ms, err);
}

/* ---- JSON --------------------------------------------------------------- */

static void
sync_json_counts(json_t *obj, const char *kind, const struct sync_counts *c)
{
    static const char *const names[] = {"Uploaded", "Created", "Updated",
                                        "Deleted"};
    const int64_t values[] = {c->uploaded, c->created, c->updated, c->deleted};
    char field[64];

    for (size_t i = 0; i < 4; i++) {
        snprintf(field, sizeof(field), "num%s%s", kind, names[i]);
        json_object_set_new(obj, field, json_integer((json_int_t)values[i]));
    }
}

json_t *
sync_job_json(const struct sync_job *job, const char *account_id)
{
    json_t *obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:b, s:b}", "id", job->id, "source",
        graph_source_name(job->origin.source), "status",
        sync_status_name(job->status), "syncMode", sync_mode_name(job->mode),
        "startTimestamp", (json_int_t)job->start_ms, "ignoreDuplicates",
        job->ignore_duplicates, "done", sync_status_is_done(job->status));

    if (obj == NULL) {
        return NULL;
    }
    if (account_id != NULL) {
        json_object_set_new(obj, "accountId", json_string(account_id));
    }
    if (job->origin.scope != NULL) {
        json_object_set_new(obj, "scope", json_string(job->origin.scope));
    }
    if (job->origin.integration_instance_id != NULL) {
        json_object_set_new(obj, "integrationInstanceId",
                            json_string(job->origin.integration_instance_id));
    }
    if (job->integration_job_id != NULL) {
        json_object_set_new(obj, "integrationJobId",
                            json_string(job->integration_job_id));
    }
    if (job->end_ms != 0) {
        json_object_set_new(obj, "endTimestamp",
                            json_integer((json_int_t)job->end_ms));
    }
    if (job->error != NULL) {
        json_object_set_new(obj, "error", json_string(job->error));
    }
    sync_json_counts(obj, "Entities", &job->counts[GRAPH_KIND_ENTITY]);
    sync_json_counts(obj, "Relationships",
                     &job->counts[GRAPH_KIND_RELATIONSHIP]);
    return obj;
}

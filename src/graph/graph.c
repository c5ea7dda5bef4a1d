/*
 * graph.c - writing and reading the graph of one account: upserts with
 * versioning, merge updates, soft and hard deletes with their cascade to
 * relationships, and the reads and listings, over the row operations of
 * store/graph_store.h.
 *
 * Every write decides from the canonical digest (object.c) whether the
 * content changed.  Relationship endpoints are resolved to live entities
 * before anything is written, and the store's foreign keys refuse any
 * edge that would still dangle.
 */
#include "graph/graph.h"

#include "store/graph_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum status
graph_need_transaction(sqlite3 *db, struct error *err)
{
    if (!graph_store_in_transaction(db)) {
        return error_set(err, STATUS_INTERNAL, NULL,
                         "a graph write ran outside a transaction");
    }
    return STATUS_OK;
}

/* Stamp rows with the account their store belongs to. */
static enum status
graph_stamp_account(sqlite3 *db, struct arena *arena, struct graph_row *rows,
                    size_t count, struct error *err)
{
    const char *account_id;
    enum status status;

    if (count == 0) {
        return STATUS_OK;
    }
    status = graph_store_account_id(db, arena, &account_id, err);
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        rows[i].account_id = account_id;
    }
    return status;
}

static bool
graph_same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

/* ---- relationship endpoints --------------------------------------------- */

/* Hand an error recorded locally to the caller's error. */
static enum status
graph_pass_error(const struct error *local, struct error *err)
{
    if (err != NULL) {
        *err = *local;
    }
    return local->status;
}

static enum status
graph_endpoint_refuse(const struct graph_object *o, const char *what,
                      struct error *err)
{
    return error_set(err, STATUS_INVALID, "INVALID_RELATIONSHIP",
                     "relationship \"%.64s\": %s", o->key, what);
}

/*
 * Resolve one endpoint to a live entity: by id, or by key within the
 * origin and then across the account when the key is unique there.
 */
static enum status
graph_resolve_endpoint(sqlite3 *db, struct arena *arena,
                       const struct graph_origin *origin,
                       const struct graph_object *o, const char *side,
                       const char **id, const char **key, struct error *err)
{
    struct graph_row row;
    char what[ERROR_MESSAGE_MAX];
    const char *found = NULL;
    struct error local;
    enum status status;
    int matches = 0;

    error_clear(&local);
    if (*id != NULL) {
        status = graph_store_live_entity(db, arena, *id, &found, &local);
        if (status == STATUS_NOT_FOUND) {
            snprintf(what, sizeof(what),
                     "_%sEntityId \"%.64s\" names no entity in this account",
                     side, *id);
            return graph_endpoint_refuse(o, what, err);
        }
        if (status != STATUS_OK) {
            return graph_pass_error(&local, err);
        }
        if (*key != NULL && strcmp(*key, found) != 0) {
            snprintf(what, sizeof(what),
                     "_%sEntityKey \"%.64s\" is not the key of _%sEntityId",
                     side, *key, side);
            return graph_endpoint_refuse(o, what, err);
        }
        *key = found;
        return STATUS_OK;
    }

    status = graph_store_get_by_key(db, arena, GRAPH_KIND_ENTITY, origin,
                                    *key, &row, &local);
    if (status == STATUS_OK && !row.deleted) {
        *id = row.id;
        return STATUS_OK;
    }
    if (status != STATUS_OK && status != STATUS_NOT_FOUND) {
        return graph_pass_error(&local, err);
    }

    status = graph_store_find_entity_key(db, arena, *key, id, &matches, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (matches == 0) {
        snprintf(what, sizeof(what),
                 "_%sEntityKey \"%.64s\" names no entity in this account",
                 side, *key);
        return graph_endpoint_refuse(o, what, err);
    }
    if (matches > 1) {
        snprintf(what, sizeof(what),
                 "_%sEntityKey \"%.64s\" names entities of several sources; "
                 "give _%sEntityId",
                 side, *key, side);
        return graph_endpoint_refuse(o, what, err);
    }
    return STATUS_OK;
}

static enum status
graph_resolve_endpoints(sqlite3 *db, struct arena *arena,
                        const struct graph_origin *origin,
                        struct graph_object *o, struct error *err)
{
    enum status status;

    if (o->from_key == NULL && o->from_id == NULL) {
        return graph_endpoint_refuse(o, "a mapped relationship is resolved "
                                        "by a synchronization job, not "
                                        "written directly",
                                     err);
    }
    status = graph_resolve_endpoint(db, arena, origin, o, "from",
                                    &o->from_id, &o->from_key, err);
    if (status == STATUS_OK) {
        status = graph_resolve_endpoint(db, arena, origin, o, "to",
                                        &o->to_id, &o->to_key, err);
    }
    return status;
}

/* ---- writes ------------------------------------------------------------- */

/* A copy of the origin with the fields its source does not use cleared. */
static struct graph_origin
graph_origin_clean(const struct graph_origin *origin)
{
    struct graph_origin clean = *origin;

    if (clean.source != GRAPH_SOURCE_API) {
        clean.scope = NULL;
    }
    if (clean.source == GRAPH_SOURCE_API ||
        clean.source == GRAPH_SOURCE_SYSTEM_MAPPER) {
        clean.integration_instance_id = NULL;
        clean.integration_definition_id = NULL;
        clean.integration_type = NULL;
        clean.integration_class = NULL;
        clean.integration_name = NULL;
    }
    return clean;
}

/*
 * Write object as the next version of current (or as a new object when
 * current is NULL), or nothing when the digest is the same.
 */
static enum status
graph_write(sqlite3 *db, const struct graph_row *current,
            const struct graph_origin *origin,
            const struct graph_object *object, const char *digest,
            int64_t now_ms, struct graph_row *row, enum graph_change *change,
            struct error *err)
{
    memset(row, 0, sizeof(*row));
    row->object = *object;
    row->origin = *origin;
    row->digest = digest;
    row->begin_ms = now_ms;

    /* A new object: the caller gives it its _id and inserts it. */
    if (current == NULL) {
        *change = GRAPH_CHANGE_CREATED;
        row->version = 1;
        row->created_ms = now_ms;
        return STATUS_OK;
    }

    row->id = current->id;
    row->seq = current->seq;
    row->created_ms = current->created_ms;
    if (object->raw_data == NULL) {
        row->object.raw_data = current->object.raw_data;
    }

    if (!current->deleted && strcmp(current->digest, digest) == 0) {
        *row = *current;
        if (object->raw_data != NULL &&
            !graph_same_text(object->raw_data, current->object.raw_data)) {
            row->object.raw_data = object->raw_data;
            *change = GRAPH_CHANGE_RAW_DATA;
            return graph_store_set_raw_data(db, object->kind, current->id,
                                            object->raw_data, err);
        }
        *change = GRAPH_CHANGE_UNCHANGED;
        return STATUS_OK;
    }

    *change = GRAPH_CHANGE_UPDATED;
    row->version = current->version + 1;
    return graph_store_replace(db, row, now_ms, err);
}

enum status
graph_upsert(sqlite3 *db, struct arena *arena,
             const struct graph_origin *origin,
             const struct graph_object *object, int64_t now_ms,
             struct graph_row *out, enum graph_change *change,
             struct error *err)
{
    struct graph_origin clean = graph_origin_clean(origin);
    struct graph_object resolved = *object;
    struct graph_row current, row;
    char *digest = NULL, *id = NULL;
    enum graph_change what = GRAPH_CHANGE_UNCHANGED;
    struct error local;
    bool exists;
    enum status status;

    error_clear(&local);
    status = graph_need_transaction(db, err);
    if (status == STATUS_OK) {
        status = graph_origin_check(&clean, err);
    }
    if (status == STATUS_OK && object->kind == GRAPH_KIND_RELATIONSHIP) {
        status = graph_resolve_endpoints(db, arena, &clean, &resolved, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    digest = arena_alloc(arena, SHA256_HEX_LEN + 1);
    if (digest == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    graph_object_digest(&resolved, digest);

    status = graph_store_get_by_key(db, arena, object->kind, &clean,
                                    object->key, &current, &local);
    exists = status == STATUS_OK;
    if (status != STATUS_OK && status != STATUS_NOT_FOUND) {
        return graph_pass_error(&local, err);
    }

    status = graph_write(db, exists ? &current : NULL, &clean, &resolved,
                         digest, now_ms, &row, &what, err);
    if (status == STATUS_OK && what == GRAPH_CHANGE_CREATED) {
        id = arena_alloc(arena, UUID_LEN + 1);
        if (id == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        random_uuid(id);
        row.id = id;
        status = graph_store_insert(db, &row, err);
    }
    if (status == STATUS_OK && out != NULL) {
        status = graph_store_get(db, arena, object->kind, row.id, out, err);
    }
    if (status == STATUS_OK && out != NULL) {
        status = graph_stamp_account(db, arena, out, 1, err);
    }
    if (status == STATUS_OK && change != NULL) {
        *change = what;
    }
    return status;
}

/* Stored properties with the patch's laid over them, in name order. */
static enum status
graph_merge_properties(struct arena *arena, const struct graph_object *base,
                       const struct graph_object *patch,
                       struct graph_object *out, struct error *err)
{
    size_t i = 0, j = 0, n = 0;
    struct graph_property *merged;

    merged = arena_alloc(arena, (base->property_count +
                                 patch->property_count + 1) *
                                    sizeof(*merged));
    if (merged == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    while (i < base->property_count || j < patch->property_count) {
        int cmp;

        if (i == base->property_count) {
            cmp = 1;
        } else if (j == patch->property_count) {
            cmp = -1;
        } else {
            cmp = strcmp(base->properties[i].name,
                         patch->properties[j].name);
        }
        if (cmp < 0) {
            merged[n++] = base->properties[i++];
        } else {
            merged[n++] = patch->properties[j++];
            i += cmp == 0;
        }
    }
    if (n > GRAPH_PROPERTIES_MAX) {
        return error_set(err, STATUS_INVALID,
                         base->kind == GRAPH_KIND_ENTITY
                             ? "INVALID_ENTITY"
                             : "INVALID_RELATIONSHIP",
                         "%s \"%.64s\": the update would leave more than %d "
                         "properties",
                         graph_kind_name(base->kind), base->key,
                         GRAPH_PROPERTIES_MAX);
    }
    out->properties = merged;
    out->property_count = n;
    return STATUS_OK;
}

enum status
graph_update(sqlite3 *db, struct arena *arena, enum graph_kind kind,
             const char *id, const struct graph_object *patch, int64_t now_ms,
             struct graph_row *out, enum graph_change *change,
             struct error *err)
{
    enum graph_change what = GRAPH_CHANGE_UNCHANGED;
    struct graph_row current, row;
    struct graph_object merged;
    char *digest;
    enum status status;

    status = graph_need_transaction(db, err);
    if (status == STATUS_OK) {
        status = graph_store_get(db, arena, kind, id, &current, err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    if (current.deleted) {
        return error_set(err, STATUS_CONFLICT, "OBJECT_DELETED",
                         "this %s is deleted and cannot be updated",
                         graph_kind_name(kind));
    }

    merged = current.object;
    merged.raw_data = patch->raw_data;
    if (patch->display_name != NULL) {
        merged.display_name = patch->display_name;
    }
    status = graph_merge_properties(arena, &current.object, patch, &merged,
                                    err);
    if (status != STATUS_OK) {
        return status;
    }

    digest = arena_alloc(arena, SHA256_HEX_LEN + 1);
    if (digest == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    graph_object_digest(&merged, digest);

    status = graph_write(db, &current, &current.origin, &merged, digest,
                         now_ms, &row, &what, err);
    if (status == STATUS_OK && out != NULL) {
        status = graph_store_get(db, arena, kind, id, out, err);
    }
    if (status == STATUS_OK && out != NULL) {
        status = graph_stamp_account(db, arena, out, 1, err);
    }
    if (status == STATUS_OK && change != NULL) {
        *change = what;
    }
    return status;
}

enum status
graph_delete(sqlite3 *db, struct arena *arena, enum graph_kind kind,
             const char *id, bool hard, int64_t now_ms,
             struct graph_delete_counts *counts, struct error *err)
{
    struct graph_delete_counts done = {0, 0};
    struct graph_row current;
    enum status status;

    status = graph_need_transaction(db, err);
    if (status == STATUS_OK) {
        status = graph_store_get(db, arena, kind, id, &current, err);
    }
    if (status == STATUS_OK && hard) {
        status = graph_store_remove(db, kind, id, &done, err);
    } else if (status == STATUS_OK) {
        status = graph_store_mark_deleted(db, kind, id, now_ms, &done, err);
    }
    if (status == STATUS_OK && counts != NULL) {
        *counts = done;
    }
    return status;
}

/* ---- reads -------------------------------------------------------------- */

enum status
graph_get(sqlite3 *db, struct arena *arena, enum graph_kind kind,
          const char *id, struct graph_row *out, struct error *err)
{
    enum status status = graph_store_get(db, arena, kind, id, out, err);

    if (status == STATUS_OK) {
        status = graph_stamp_account(db, arena, out, 1, err);
    }
    return status;
}

enum status
graph_get_by_key(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                 const struct graph_origin *origin, const char *key,
                 struct graph_row *out, struct error *err)
{
    struct graph_origin clean = graph_origin_clean(origin);
    enum status status;

    status = graph_store_get_by_key(db, arena, kind, &clean, key, out, err);
    if (status == STATUS_OK) {
        status = graph_stamp_account(db, arena, out, 1, err);
    }
    return status;
}

/* A cursor is "c" and the hexadecimal seq to continue below. */
static bool
graph_cursor_parse(const char *cursor, int64_t *seq)
{
    uint64_t value = 0;
    size_t len = 0;

    if (cursor == NULL || cursor[0] == '\0') {
        *seq = INT64_MAX;
        return true;
    }
    if (cursor[0] != 'c') {
        return false;
    }
    for (const char *p = cursor + 1; *p != '\0'; p++, len++) {
        int digit;

        if (*p >= '0' && *p <= '9') {
            digit = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            digit = *p - 'a' + 10;
        } else {
            return false;
        }
        if (len == 15) {
            return false;
        }
        value = value * 16 + (uint64_t)digit;
    }
    if (len == 0 || value == 0) {
        return false;
    }
    *seq = (int64_t)value;
    return true;
}

enum status
graph_list(sqlite3 *db, struct arena *arena, enum graph_kind kind,
           const struct graph_filter *filter, const char *cursor, int limit,
           struct graph_row **rows, size_t *count,
           char next_cursor[GRAPH_CURSOR_MAX], struct error *err)
{
    struct graph_filter f = *filter;
    enum status status;
    int64_t before;

    *rows = NULL;
    *count = 0;
    next_cursor[0] = '\0';
    if (!graph_cursor_parse(cursor, &before)) {
        return error_set(err, STATUS_INVALID, "INVALID_CURSOR",
                         "the cursor is not one this server gave out");
    }
    if (limit < 1) {
        limit = 1;
    } else if (limit > GRAPH_LIST_MAX) {
        limit = GRAPH_LIST_MAX;
    }

    /* Relationship classes are stored upper-case. */
    if (kind == GRAPH_KIND_RELATIONSHIP && f.class_name != NULL) {
        char *upper = arena_strdup(arena, f.class_name);

        if (upper == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        for (char *c = upper; *c != '\0'; c++) {
            if (*c >= 'a' && *c <= 'z') {
                *c = (char)(*c - 'a' + 'A');
            }
        }
        f.class_name = upper;
    }
    if (kind == GRAPH_KIND_ENTITY) {
        f.from_id = f.to_id = NULL;
    }

    /* One row more than asked tells whether another page follows. */
    status = graph_store_list(db, arena, kind, &f, before, limit + 1, rows,
                              count, err);
    if (status == STATUS_OK && *count > (size_t)limit) {
        *count = (size_t)limit;
        snprintf(next_cursor, GRAPH_CURSOR_MAX, "c%" PRIx64,
                 (uint64_t)(*rows)[limit - 1].seq);
    }
    if (status == STATUS_OK) {
        status = graph_stamp_account(db, arena, *rows, *count, err);
    }
    return status;
}

enum status
graph_versions(sqlite3 *db, struct arena *arena, enum graph_kind kind,
               const char *id, int64_t before_version, int limit,
               struct graph_row **rows, size_t *count, struct error *err)
{
    struct graph_row current;
    enum status status;

    *rows = NULL;
    *count = 0;
    if (limit < 1) {
        limit = 1;
    } else if (limit > GRAPH_LIST_MAX) {
        limit = GRAPH_LIST_MAX;
    }
    if (before_version <= 0) {
        before_version = INT64_MAX;
    }

    status = graph_store_get(db, arena, kind, id, &current, err);
    if (status == STATUS_OK) {
        status = graph_store_versions(db, arena, kind, id, before_version,
                                      limit, rows, count, err);
    }
    if (status == STATUS_OK) {
        status = graph_stamp_account(db, arena, *rows, *count, err);
    }
    return status;
}

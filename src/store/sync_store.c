/*
 * sync_store.c - the SQL of synchronization jobs: jobs, staging, events,
 * and the set queries of finalize.  See sync_store.h; the tables are
 * created by migration 2 in graph_store.c.
 *
 * The staging table has no index: uploads only append to it, and
 * finalize reads it in a few whole passes (GROUP BY key sorts once in a
 * temporary b-tree), which costs less than keeping an index up to date
 * on every upload.
 */
#include "store/sync_store.h"

#include "store/sql.h"

#include <string.h>

enum status
sync_store_insert_job(sqlite3 *db, const struct sync_job *job,
                      struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO sync_jobs (id, source, scope, instance, "
                    "integration_job_id, sync_mode, ignore_duplicates, "
                    "status, start_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "ssssssisi", job->id, graph_source_name(job->origin.source),
                    job->origin.scope, job->origin.integration_instance_id,
                    job->integration_job_id, sync_mode_name(job->mode),
                    (int64_t)job->ignore_duplicates,
                    sync_status_name(job->status), job->start_ms);
}

static enum status
sync_store_read_job(struct arena *arena, sqlite3_stmt *stmt,
                    struct sync_job *out, struct error *err)
{
    const char *text;

    memset(out, 0, sizeof(*out));
    out->id = sql_text(arena, stmt, 0);
    text = (const char *)sqlite3_column_text(stmt, 1);
    if (text == NULL || !graph_source_parse(text, &out->origin.source)) {
        return error_set(err, STATUS_CORRUPT, NULL, "a stored job is bad");
    }
    out->origin.scope = sql_text(arena, stmt, 2);
    out->origin.integration_instance_id = sql_text(arena, stmt, 3);
    out->integration_job_id = sql_text(arena, stmt, 4);
    text = (const char *)sqlite3_column_text(stmt, 5);
    if (text == NULL || !sync_mode_parse(text, &out->mode)) {
        return error_set(err, STATUS_CORRUPT, NULL, "a stored job is bad");
    }
    out->ignore_duplicates = sql_int(stmt, 6) != 0;
    text = (const char *)sqlite3_column_text(stmt, 7);
    out->status = SYNC_STATUS_ERROR_BAD_DATA;
    for (int s = SYNC_STATUS_AWAITING_UPLOADS;
         text != NULL && s <= SYNC_STATUS_ERROR_BAD_DATA; s++) {
        if (strcmp(text, sync_status_name((enum sync_status)s)) == 0) {
            out->status = (enum sync_status)s;
        }
    }
    out->start_ms = sql_int(stmt, 8);
    out->end_ms = sql_int(stmt, 9);
    for (int k = 0; k < 2; k++) {
        out->counts[k].uploaded = sql_int(stmt, 10 + 4 * k);
        out->counts[k].created = sql_int(stmt, 11 + 4 * k);
        out->counts[k].updated = sql_int(stmt, 12 + 4 * k);
        out->counts[k].deleted = sql_int(stmt, 13 + 4 * k);
    }
    out->error = sql_text(arena, stmt, 18);
    if (out->id == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

enum status
sync_store_get_job(sqlite3 *db, struct arena *arena, const char *id,
                   struct sync_job *out, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    status = sql_prepare(
        db, &stmt, err,
        "SELECT id, source, scope, instance, integration_job_id, sync_mode, "
        "ignore_duplicates, status, start_ms, end_ms, entities_uploaded, "
        "entities_created, entities_updated, entities_deleted, "
        "relationships_uploaded, relationships_created, "
        "relationships_updated, relationships_deleted, error "
        "FROM sync_jobs WHERE id = ?",
        "s", id);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, "NOT_FOUND",
                           "there is no such synchronization job");
    }
    if (status == STATUS_OK) {
        status = sync_store_read_job(arena, stmt, out, err);
    }
    sql_done(stmt);
    return status;
}

enum status
sync_store_save_job(sqlite3 *db, const struct sync_job *job, struct error *err)
{
    const struct sync_counts *e = &job->counts[GRAPH_KIND_ENTITY];
    const struct sync_counts *r = &job->counts[GRAPH_KIND_RELATIONSHIP];

    return sql_exec(db, NULL, err,
                    "UPDATE sync_jobs SET status = ?, end_ms = ?, "
                    "entities_uploaded = ?, entities_created = ?, "
                    "entities_updated = ?, entities_deleted = ?, "
                    "relationships_uploaded = ?, relationships_created = ?, "
                    "relationships_updated = ?, relationships_deleted = ?, "
                    "error = ? WHERE id = ?",
                    "sniiiiiiiiss", sync_status_name(job->status), job->end_ms,
                    e->uploaded, e->created, e->updated, e->deleted,
                    r->uploaded, r->created, r->updated, r->deleted, job->error,
                    job->id);
}

enum status
sync_store_stage(sqlite3 *db, const char *id, enum sync_item item,
                 const char *key, const char *body, struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO sync_staged (job_id, item, key, body) "
                    "VALUES (?, ?, ?, ?)",
                    "siss", id, (int64_t)item, key, body);
}

enum status
sync_store_clear(sqlite3 *db, const char *id, struct error *err)
{
    return sql_exec(db, NULL, err, "DELETE FROM sync_staged WHERE job_id = ?",
                    "s", id);
}

enum status
sync_store_duplicate(sqlite3 *db, struct arena *arena, const char *id,
                     enum sync_item item, const char **key, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *key = NULL;
    status = sql_prepare(db, &stmt, err,
                         "SELECT key FROM sync_staged "
                         "WHERE job_id = ? AND item = ? "
                         "GROUP BY key HAVING COUNT(*) > 1 LIMIT 1",
                         "si", id, (int64_t)item);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        *key = sql_text(arena, stmt, 0);
    }
    sql_done(stmt);
    return status;
}

enum status
sync_store_walk(sqlite3 *db, const char *id, enum sync_item item,
                enum status (*fn)(void *ctx, const char *body,
                                  struct error *err),
                void *ctx, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = true;

    status = sql_prepare(db, &stmt, err,
                         "SELECT body FROM sync_staged WHERE rowid IN "
                         "(SELECT MAX(rowid) FROM sync_staged "
                         " WHERE job_id = ?1 AND item = ?2 GROUP BY key) "
                         "ORDER BY rowid",
                         "si", id, (int64_t)item);
    while (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
        if (status != STATUS_OK || !row) {
            break;
        }
        status = fn(ctx, (const char *)sqlite3_column_text(stmt, 0), err);
    }
    sql_done(stmt);
    return status;
}

static void
sync_store_read_id(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    *(const char **)row = sql_text(arena, stmt, 0);
}

enum status
sync_store_absent(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                  const char *source, const char *partition, const char *id,
                  const char *partial_types, const char ***ids, size_t *count,
                  struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;

    if (partial_types == NULL) {
        partial_types = "[]";
    }
    if (kind == GRAPH_KIND_ENTITY) {
        status = sql_prepare(
            db, &stmt, err,
            "SELECT id FROM entities WHERE deleted = 0 AND source = ?1 "
            "AND partition = ?2 "
            "AND type NOT IN (SELECT value FROM json_each(?3)) "
            "AND key NOT IN (SELECT key FROM sync_staged "
            "                WHERE job_id = ?4 AND item = 0) "
            "ORDER BY seq",
            "ssss", source, partition, partial_types, id);
    } else {
        status = sql_prepare(
            db, &stmt, err,
            "SELECT id FROM relationships WHERE deleted = 0 AND source = ?1 "
            "AND partition = ?2 "
            "AND type NOT IN (SELECT value FROM json_each(?3)) "
            "AND key NOT IN (SELECT key FROM sync_staged "
            "                WHERE job_id = ?4 AND item = 1) "
            "ORDER BY seq",
            "ssss", source, partition, partial_types, id);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return sql_collect(stmt, arena, sizeof(const char *), sync_store_read_id,
                       (void **)ids, count, err);
}

enum status
sync_store_find_target(sqlite3 *db, struct arena *arena, const char *filter,
                       const char *type, const char **out, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *out = NULL;
    status = sql_prepare(
        db, &stmt, err,
        "SELECT e.id FROM entities e "
        "WHERE e.deleted = 0 AND (?2 IS NULL OR e.type = ?2) "
        "AND NOT EXISTS (SELECT 1 FROM json_each(?1) f WHERE NOT ("
        "  CASE f.key"
        "  WHEN '_type' THEN e.type IS f.value"
        "  WHEN '_key' THEN e.key IS f.value"
        "  WHEN '_class' THEN EXISTS (SELECT 1 FROM json_each(e.classes) c"
        "                             WHERE c.value IS f.value)"
        "  WHEN 'displayName' THEN e.display_name IS f.value"
        "  ELSE json_extract(e.properties, '$.\"' || f.key || '\"')"
        "       IS f.value"
        "  END)) "
        "ORDER BY e.seq LIMIT 1",
        "ss", filter, type);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        *out = sql_text(arena, stmt, 0);
    }
    sql_done(stmt);
    return status;
}

enum status
sync_store_event(sqlite3 *db, const char *id, const char *name,
                 const char *description, int64_t now_ms, struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO sync_events (job_id, created_ms, name, "
                    "description) VALUES (?, ?, ?, ?)",
                    "siss", id, now_ms, name, description);
}

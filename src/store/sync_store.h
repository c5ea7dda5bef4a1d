/*
 * sync_store.h - the SQL of synchronization jobs (graph/sync.h) in an
 * account's graph database: the sync_jobs table, the unindexed staging
 * table sync_staged, sync_events, and the set queries finalize needs
 * (duplicate keys, last upload of each key, objects of a scope that were
 * not uploaded, targets of a mapping).  The schema is migration 2 in
 * graph_store.c.  Every function runs in the caller's transaction.
 */
#ifndef GANYMEDE_STORE_SYNC_STORE_H
#define GANYMEDE_STORE_SYNC_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "graph/sync.h"

enum status sync_store_insert_job(sqlite3 *db, const struct sync_job *job,
                                  struct error *err);

/* STATUS_NOT_FOUND (code NOT_FOUND) when there is no such job. */
enum status sync_store_get_job(sqlite3 *db, struct arena *arena, const char *id,
                               struct sync_job *out, struct error *err);

/* Write the status, end, counters and error of job. */
enum status sync_store_save_job(sqlite3 *db, const struct sync_job *job,
                                struct error *err);

/* Append one staged element: its key (or _id for deletes) and JSON. */
enum status sync_store_stage(sqlite3 *db, const char *id, enum sync_item item,
                             const char *key, const char *body,
                             struct error *err);

/* Drop everything staged for the job. */
enum status sync_store_clear(sqlite3 *db, const char *id, struct error *err);

/* A key staged more than once for item, or *key NULL when none. */
enum status sync_store_duplicate(sqlite3 *db, struct arena *arena,
                                 const char *id, enum sync_item item,
                                 const char **key, struct error *err);

/*
 * Call fn with the JSON body of the last staged element of each key of
 * item, in upload order; stops at the first status fn returns that is
 * not STATUS_OK and returns it.
 */
enum status sync_store_walk(sqlite3 *db, const char *id, enum sync_item item,
                            enum status (*fn)(void *ctx, const char *body,
                                              struct error *err),
                            void *ctx, struct error *err);

/*
 * The _ids of live objects of kind in (source, partition) whose _type is
 * not in the JSON array partial_types (NULL: none) and whose _key was not
 * staged for the job.
 */
enum status sync_store_absent(sqlite3 *db, struct arena *arena,
                              enum graph_kind kind, const char *source,
                              const char *partition, const char *id,
                              const char *partial_types, const char ***ids,
                              size_t *count, struct error *err);

/*
 * The first live entity (in order of creation) whose fields equal every
 * member of the JSON object filter: _type, _key, _class (one of the
 * classes), displayName or a property.  type narrows by _type (NULL:
 * any).  *out NULL when none.
 */
enum status sync_store_find_target(sqlite3 *db, struct arena *arena,
                                   const char *filter, const char *type,
                                   const char **out, struct error *err);

enum status sync_store_event(sqlite3 *db, const char *id, const char *name,
                             const char *description, int64_t now_ms,
                             struct error *err);

#endif

/*
 * sync.h - synchronization jobs: JupiterOne's bulk upload protocol over
 * the graph of one account (reference j1-api.md, section 4).
 *
 * A job is created for an origin (an "api" scope or an integration
 * instance), collects uploads, and is then finalized, aborted, or fails.
 * Uploads are validated whole with graph_object_parse() and, when every
 * object is good, appended to the unindexed staging table of the
 * account's graph database: nothing is kept in memory between requests.
 * Finalize applies the staged objects in the caller's one transaction:
 * entities, deletion of absent entities (DIFF), relationships with their
 * mappings resolved, deletion of absent relationships (DIFF), explicit
 * deletes; then the job becomes FINISHED with its counters.  When
 * anything is wrong with the data, finalize returns STATUS_INVALID with
 * code ERROR_BAD_DATA; the caller rolls back and records the failure
 * with sync_fail() in a new transaction, so a failed job changes nothing
 * in the graph.
 *
 * Jobs live in the account's graph database, so tenancy is physical: a
 * job id of another account is not found like a random one.  Every
 * function takes a connection from graph_store_acquire() and runs in the
 * caller's transaction (graph_store_begin()); results live in arena.
 */
#ifndef GANYMEDE_GRAPH_SYNC_H
#define GANYMEDE_GRAPH_SYNC_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "graph/graph.h"

#define SYNC_ID_MAX       64    /* bytes of a job id */
#define SYNC_UPLOAD_MAX   10000 /* objects in one upload request */
#define SYNC_PROBLEMS_MAX 100   /* per-object errors kept */
#define SYNC_EVENTS_MAX   100   /* events in one request */
#define SYNC_PARTIAL_MAX  1000  /* partialDatasets.types */
#define SYNC_TEXT_MAX     1024  /* event names, descriptions, reasons */

enum sync_mode {
    SYNC_MODE_DIFF,
    SYNC_MODE_PATCH,
    SYNC_MODE_CREATE_OR_UPDATE,
};

enum sync_status {
    SYNC_STATUS_AWAITING_UPLOADS,
    SYNC_STATUS_FINALIZE_PENDING,
    SYNC_STATUS_FINISHED,
    SYNC_STATUS_ABORTED,
    SYNC_STATUS_ERROR_BAD_DATA,
};

/* What an upload carries; the numbers are stored in sync_staged.item. */
enum sync_item {
    SYNC_ITEM_ENTITY = 0,
    SYNC_ITEM_RELATIONSHIP = 1,
    SYNC_ITEM_DELETE_ENTITY = 2,
    SYNC_ITEM_DELETE_RELATIONSHIP = 3,
    SYNC_ITEM_COUNT,
};

struct sync_counts {
    int64_t uploaded;
    int64_t created;
    int64_t updated;
    int64_t deleted;
};

struct sync_job {
    const char *id;
    struct graph_origin origin;
    const char *integration_job_id; /* integration sources only */
    enum sync_mode mode;
    bool ignore_duplicates;
    enum sync_status status;
    int64_t start_ms;
    int64_t end_ms;               /* 0 while not done */
    struct sync_counts counts[2]; /* by enum graph_kind */
    const char *error;            /* why it failed or was aborted */
};

/* One object of an upload that was refused. */
struct sync_problem {
    enum sync_item item;
    size_t index;
    struct error error;
};

/* The problems of one upload request, across its arrays. */
struct sync_problems {
    struct sync_problem list[SYNC_PROBLEMS_MAX];
    size_t count;   /* kept in list */
    size_t refused; /* all of them */
};

const char *sync_mode_name(enum sync_mode mode);
bool sync_mode_parse(const char *name, enum sync_mode *out);
const char *sync_status_name(enum sync_status status);
bool sync_status_is_done(enum sync_status status);

/*
 * Create a job in AWAITING_UPLOADS for job->origin (checked), job->mode
 * and job->ignore_duplicates; the id, the integration job id (for
 * integration sources, unless given) and the start are filled in.
 */
enum status sync_create(sqlite3 *db, struct arena *arena, struct sync_job *job,
                        int64_t now_ms, struct error *err);

/* The job with this id; STATUS_NOT_FOUND with code NOT_FOUND. */
enum status sync_get(sqlite3 *db, struct arena *arena, const char *id,
                     struct sync_job *out, struct error *err);

/*
 * Check every element of one upload array without touching the store,
 * noting each bad one in problems.  Objects go through
 * graph_object_parse(); a mapped relationship's target must also parse
 * as an entity unless skipTargetCreation; a delete names {"_id"} or
 * {"_key"}.
 */
enum status sync_check(struct arena *arena, enum sync_item item, json_t *array,
                       struct sync_problems *problems, struct error *err);

/*
 * Stage the (checked) elements of one upload array for the job, counting
 * them as uploaded.  STATUS_CONFLICT with code JOB_NOT_AWAITING_UPLOADS
 * when the job is done.
 */
enum status sync_stage(sqlite3 *db, struct arena *arena, const char *id,
                       enum sync_item item, json_t *array, struct error *err);

/*
 * Apply the staged uploads as described above and make the job FINISHED
 * with its counters, in the caller's transaction.  partial_types is the
 * JSON text of an array of _type names not deleted by absence (NULL for
 * none).  *out gets the job after.
 */
enum status sync_finalize(sqlite3 *db, struct arena *arena, const char *id,
                          const char *partial_types, int64_t now_ms,
                          struct sync_job *out, struct error *err);

/* Mark the job ERROR_BAD_DATA with a reason and drop its staged data. */
enum status sync_fail(sqlite3 *db, struct arena *arena, const char *id,
                      const char *reason, int64_t now_ms, struct sync_job *out,
                      struct error *err);

/* Abort a job awaiting uploads: ABORTED, with the reason (may be NULL). */
enum status sync_abort(sqlite3 *db, struct arena *arena, const char *id,
                       const char *reason, int64_t now_ms, struct sync_job *out,
                       struct error *err);

/* Record one event ({"name", "description"}) of a job. */
enum status sync_event(sqlite3 *db, const char *id, const char *name,
                       const char *description, int64_t now_ms,
                       struct error *err);

/* The job as the API answers it; NULL when out of memory. */
json_t *sync_job_json(const struct sync_job *job, const char *account_id);

#endif

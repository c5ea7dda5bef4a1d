/*
 * graph_store.h - the per-account graph databases: where they live, how
 * their connections are pooled, their schema, and the row operations the
 * graph module (graph/graph.h) is built on.
 *
 * Each account has its own SQLite database at
 * DATA/accounts/<account_id>/graph.db, created with its schema on first
 * use and opened, like every database, through db_open().  Separate files
 * mean that a writer in one account never holds up readers or writers of
 * another, and that WAL lets an account's readers go on while its own
 * writer works.
 *
 * Open connections are kept for reuse, each with its statement cache, in
 * one least-recently-used list across all accounts.  open_max bounds the
 * connections kept open: when releasing one brings the count above it,
 * the least recently used idle connections are closed.  Connections in
 * use are never taken away, so the count can pass the bound for as long
 * as more requests than that are in flight; acquiring never waits.
 *
 * The SQL lives in graph_store.c (schema, pool) and graph_rows.c (row
 * operations) and nowhere else, so that another back end can replace
 * these two files.  The row functions below take a connection from
 * graph_store_acquire() and run in the caller's transaction.
 */
#ifndef GANYMEDE_STORE_GRAPH_STORE_H
#define GANYMEDE_STORE_GRAPH_STORE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "graph/graph.h"

#define GRAPH_STORE_OPEN_DEFAULT 256
#define GRAPH_STORE_ACCOUNT_MAX  128 /* bytes of an account id */

struct graph_store_account;
struct graph_store_conn;

struct graph_store {
    char *accounts_dir; /* DATA/accounts */
    size_t open_max;
    pthread_mutex_t lock;         /* everything below */
    pthread_mutex_t create_lock;  /* creating and migrating databases */
    struct graph_store_account **buckets;
    size_t bucket_count;          /* a power of two */
    struct graph_store_conn *lru_newest; /* idle connections */
    struct graph_store_conn *lru_oldest;
    size_t open_count;            /* connections open, idle or in use */
    size_t idle_count;
};

/* ---- databases and connections ---------------------------------------- */

/*
 * Prepare the store for DATA/accounts under data_dir (created if
 * missing), keeping at most open_max connections open (0: the default).
 */
enum status graph_store_open(struct graph_store *store, const char *data_dir,
                             size_t open_max, struct error *err);

/* Close every idle connection; none may still be in use. */
void graph_store_close(struct graph_store *store);

/*
 * Whether an account id may name a directory: 1 to
 * GRAPH_STORE_ACCOUNT_MAX bytes of [A-Za-z0-9._-], not starting with '.'.
 */
bool graph_store_is_account_id(const char *account_id);

/*
 * A connection to the account's graph database, created with its schema
 * when it does not exist.  The calling thread holds it (and its statement
 * cache) until graph_store_release(), which it must call itself.  A
 * database that belongs to another account is STATUS_CORRUPT.
 */
enum status graph_store_acquire(struct graph_store *store,
                                const char *account_id, sqlite3 **out,
                                struct error *err);

/* Give a connection back, rolling back any transaction left open. */
void graph_store_release(struct graph_store *store, sqlite3 *db);

/* How many connections are open now (for tests and metrics). */
size_t graph_store_open_count(struct graph_store *store);

/* ---- transactions ------------------------------------------------------ */

enum status graph_store_begin(sqlite3 *db, struct error *err); /* write */
enum status graph_store_begin_read(sqlite3 *db, struct error *err);
enum status graph_store_commit(sqlite3 *db, struct error *err);
void graph_store_rollback(sqlite3 *db);
bool graph_store_in_transaction(sqlite3 *db);

/* ---- rows --------------------------------------------------------------- */

/* The account the database belongs to. */
enum status graph_store_account_id(sqlite3 *db, struct arena *arena,
                                   const char **out, struct error *err);

/* The current row with this _id; STATUS_NOT_FOUND when none. */
enum status graph_store_get(sqlite3 *db, struct arena *arena,
                            enum graph_kind kind, const char *id,
                            struct graph_row *out, struct error *err);

/* The current row with this origin and _key; STATUS_NOT_FOUND if none. */
enum status graph_store_get_by_key(sqlite3 *db, struct arena *arena,
                                   enum graph_kind kind,
                                   const struct graph_origin *origin,
                                   const char *key, struct graph_row *out,
                                   struct error *err);

/*
 * The _id of the one live entity with this _key in any origin: *matches
 * gets 0, 1 or 2 (two or more), and *id the first match or NULL.
 */
enum status graph_store_find_entity_key(sqlite3 *db, struct arena *arena,
                                        const char *key, const char **id,
                                        int *matches, struct error *err);

/* Whether a live entity has this _id; its key into *key when so. */
enum status graph_store_live_entity(sqlite3 *db, struct arena *arena,
                                    const char *id, const char **key,
                                    struct error *err);

/* Store a new object as its first current row. */
enum status graph_store_insert(sqlite3 *db, const struct graph_row *row,
                               struct error *err);

/*
 * Keep the current row of row->id in the history, with _endOn end_ms
 * unless it already has one, and make row the current one.
 */
enum status graph_store_replace(sqlite3 *db, const struct graph_row *row,
                                int64_t end_ms, struct error *err);

/* Replace the _rawData of the current row in place. */
enum status graph_store_set_raw_data(sqlite3 *db, enum graph_kind kind,
                                     const char *id, const char *raw_data,
                                     struct error *err);

/*
 * Mark deleted at now_ms, in place: the object with this _id, and for an
 * entity (cascade true) every live relationship from or to it.  Counts
 * what changed.
 */
enum status graph_store_mark_deleted(sqlite3 *db, enum graph_kind kind,
                                     const char *id, int64_t now_ms,
                                     struct graph_delete_counts *counts,
                                     struct error *err);

/*
 * Remove the object with this _id and its history; for an entity, also
 * every relationship from or to it with theirs.  Counts what went.
 */
enum status graph_store_remove(sqlite3 *db, enum graph_kind kind,
                               const char *id,
                               struct graph_delete_counts *counts,
                               struct error *err);

/*
 * Up to limit current rows matching filter with seq below before_seq
 * (INT64_MAX for the first page), newest first.
 */
enum status graph_store_list(sqlite3 *db, struct arena *arena,
                             enum graph_kind kind,
                             const struct graph_filter *filter,
                             int64_t before_seq, int limit,
                             struct graph_row **rows, size_t *count,
                             struct error *err);

/* Versions of _id below before_version, newest first, up to limit. */
enum status graph_store_versions(sqlite3 *db, struct arena *arena,
                                 enum graph_kind kind, const char *id,
                                 int64_t before_version, int limit,
                                 struct graph_row **rows, size_t *count,
                                 struct error *err);

#endif

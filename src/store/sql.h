/*
 * sql.h - small helpers that keep the typed queries of the store short:
 * prepare with bound values in one call, step with error mapping, copy
 * columns into an arena, and gather every row of a query into an arena
 * array.
 *
 * Bound values are described by a string of type letters:
 *   's'  const char * (NULL binds SQL NULL)
 *   'i'  int64_t
 *   'n'  int64_t where 0 binds SQL NULL (optional times)
 */
#ifndef GANYMEDE_STORE_SQL_H
#define GANYMEDE_STORE_SQL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

/*
 * A connection's cache of prepared statements, keyed by the address of the
 * SQL text (every query is a string literal).  A pooled connection carries
 * one; while a thread holds the connection it leases the cache, and
 * sql_prepare() on that connection then reuses statements instead of
 * compiling them again.  sql_done() gives a statement back (reset) or
 * finalizes it when it was not cached.
 */
#define SQL_CACHE_MAX 96

struct sql_cache {
    sqlite3 *db;
    int count;
    const char *keys[SQL_CACHE_MAX];
    sqlite3_stmt *stmts[SQL_CACHE_MAX];
    bool busy[SQL_CACHE_MAX];
};

/* false when this thread already holds SQL_LEASES_MAX connections */
bool sql_cache_lease(struct sql_cache *cache);
void sql_cache_unlease(struct sql_cache *cache);
void sql_cache_clear(struct sql_cache *cache);

/* The cache this thread leased for db, or NULL. */
struct sql_cache *sql_cache_of(sqlite3 *db);

enum status sql_prepare(sqlite3 *db, sqlite3_stmt **out, struct error *err,
                        const char *sql, const char *types, ...);

/* Release a statement from sql_prepare (NULL is fine). */
void sql_done(sqlite3_stmt *stmt);

/* Step once: *row tells whether a row came back. */
enum status sql_step(sqlite3_stmt *stmt, bool *row, struct error *err);

/* Prepare, bind, run to completion; *changes (may be NULL) gets the count. */
enum status sql_exec(sqlite3 *db, int *changes, struct error *err,
                     const char *sql, const char *types, ...);

/* Column copies in the arena; NULL for SQL NULL. */
char *sql_text(struct arena *arena, sqlite3_stmt *stmt, int col);
int64_t sql_int(sqlite3_stmt *stmt, int col);

/*
 * Make room for one more element of size bytes at the end of an arena
 * array of *count elements, doubling *cap when it is full.  Returns the
 * array, which moves when it grows, with *count one higher; NULL when out
 * of memory, leaving the array and *count as they were.  An outgrown block
 * stays in the arena until the arena goes, which is fine for lists of a
 * few hundred rows.  Start from array NULL, *count 0 and *cap 0.
 */
void *sql_push(struct arena *arena, void *array, size_t *count, size_t *cap,
               size_t size);

/*
 * Step a prepared statement to its end and gather its rows: each row gets
 * a zeroed element of size bytes in an arena array, filled by read().
 * *out gets the array (NULL when there was no row) and *count its length,
 * also when a step fails part way.  The statement is released with
 * sql_done() in every case.
 */
enum status sql_collect(sqlite3_stmt *stmt, struct arena *arena, size_t size,
                        void (*read)(struct arena *arena, sqlite3_stmt *stmt,
                                     void *row),
                        void **out, size_t *count, struct error *err);

#endif

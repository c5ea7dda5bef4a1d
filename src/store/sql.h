/*
 * sql.h - small helpers that keep the typed queries of the store short:
 * prepare with bound values in one call, step with error mapping, and copy
 * columns into an arena.
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
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

enum status sql_prepare(sqlite3 *db, sqlite3_stmt **out, struct error *err,
                        const char *sql, const char *types, ...);

/* Step once: *row tells whether a row came back. */
enum status sql_step(sqlite3_stmt *stmt, bool *row, struct error *err);

/* Prepare, bind, run to completion; *changes (may be NULL) gets the count. */
enum status sql_exec(sqlite3 *db, int *changes, struct error *err,
                     const char *sql, const char *types, ...);

/* Column copies in the arena; NULL for SQL NULL. */
char *sql_text(struct arena *arena, sqlite3_stmt *stmt, int col);
int64_t sql_int(sqlite3_stmt *stmt, int col);

#endif

/*
 * db.h - the one way every SQLite database of Ganymede is opened, and the
 * migration runner.
 *
 * db_open() is the single point where a database file becomes a handle: the
 * control store and every account's graph store go through it, so that the
 * encrypting VFS can be plugged in here without touching any caller.  It
 * sets WAL mode, foreign keys, a busy timeout and in-memory temporary data.
 */
#ifndef GANYMEDE_STORE_DB_H
#define GANYMEDE_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum db_kind {
    DB_KIND_CONTROL,
    DB_KIND_ACCOUNT,
};

struct db_migration {
    int version;     /* 1, 2, 3, ... in order, never reused */
    const char *sql; /* one or more statements */
};

/* Open (creating if asked) the database at path. */
enum status db_open(const char *path, enum db_kind kind, bool create,
                    sqlite3 **out, struct error *err);
void db_close(sqlite3 *db);

/*
 * Bring the schema up to the last migration, each step in its own
 * transaction, the version kept in PRAGMA user_version.  A database newer
 * than the binary is refused.
 */
enum status db_migrate(sqlite3 *db, const struct db_migration *migrations,
                       size_t count, struct error *err);

/* Run SQL without results, mapping failure to a status. */
enum status db_exec(sqlite3 *db, const char *sql, struct error *err);

/* Map a SQLite result code to a status, recording the detail. */
enum status db_error(sqlite3 *db, int rc, struct error *err);

/*
 * Abort statements of this connection after the monotonic deadline (in
 * microseconds, clock_monotonic_us); 0 removes the deadline.
 */
void db_set_deadline(sqlite3 *db, int64_t *deadline_us);

#endif

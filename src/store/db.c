/*
 * db.c - opening SQLite databases and applying migrations.
 */
#include "store/db.h"

#include "base/clock.h"
#include "base/log.h"

#include <pthread.h>
#include <stdio.h>

#define DB_BUSY_TIMEOUT_MS 5000

enum status
db_error(sqlite3 *db, int rc, struct error *err)
{
    int primary = rc & 0xff;
    enum status status = STATUS_IO;
    const char *code = "STORAGE_ERROR";
    const char *message = "the store could not complete the operation";

    switch (primary) {
    case SQLITE_CONSTRAINT:
        status = STATUS_CONFLICT;
        code = "CONFLICT";
        message = "the change conflicts with existing data";
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        status = STATUS_CORRUPT;
        code = "STORE_CORRUPT";
        message = "the store failed a consistency check";
        break;
    case SQLITE_INTERRUPT:
        status = STATUS_TIMEOUT;
        code = "DEADLINE_EXCEEDED";
        message = "the request took too long and was stopped";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        status = STATUS_UNAVAILABLE;
        code = "STORE_BUSY";
        message = "the store is busy, try again";
        break;
    case SQLITE_NOMEM:
        status = STATUS_NOMEM;
        code = "OUT_OF_MEMORY";
        message = "the server is out of memory";
        break;
    default:
        break;
    }

    error_set(err, status, code, "%s", message);
    error_detail(err, "sqlite: %s", db != NULL ? sqlite3_errmsg(db)
                                                : sqlite3_errstr(rc));
    return status;
}

static int
db_deadline_check(void *arg)
{
    const int64_t *deadline = arg;

    return *deadline != 0 && clock_monotonic_us() > *deadline;
}

void
db_set_deadline(sqlite3 *db, int64_t *deadline_us)
{
    if (deadline_us == NULL) {
        sqlite3_progress_handler(db, 0, NULL, NULL);
    } else {
        sqlite3_progress_handler(db, 1000, db_deadline_check, deadline_us);
    }
}

enum status
db_exec(sqlite3 *db, const char *sql, struct error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        return db_error(db, rc, err);
    }
    return STATUS_OK;
}

/*
 * Library-wide settings, made once before the first connection: each
 * connection is used by one thread at a time (the pools see to that), so
 * SQLite's own mutexes and its global memory statistics, which take a
 * process-wide lock on every allocation, are turned off.
 */
static void
db_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

enum status
db_open(const char *path, enum db_kind kind, bool create, sqlite3 **out,
        struct error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    sqlite3 *db = NULL;
    enum status status;
    int rc;

    pthread_once(&once, db_configure);
    *out = NULL;
    if (create) {
        flags |= SQLITE_OPEN_CREATE;
    }

    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        status = db_error(db, rc, err);
        error_set(err, status, "STORE_OPEN_FAILED",
                  "could not open the %s store",
                  kind == DB_KIND_CONTROL ? "control" : "account");
        goto out;
    }

    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);

    /*
     * Temporary tables and sort spills stay in memory so that no plaintext
     * temporary file is ever written beside the store.
     */
    status = db_exec(db,
                     "PRAGMA journal_mode=WAL;"
                     "PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON;"
                     "PRAGMA temp_store=MEMORY;"
                     "PRAGMA secure_delete=ON;",
                     err);
    if (status != STATUS_OK) {
        goto out;
    }

    *out = db;
    db = NULL;

out:
    sqlite3_close_v2(db);
    return *out != NULL ? STATUS_OK : status;
}

void
db_close(sqlite3 *db)
{
    sqlite3_close_v2(db);
}

static int
db_user_version(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    int version = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        version = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return version;
}

enum status
db_migrate(sqlite3 *db, const struct db_migration *migrations, size_t count,
           struct error *err)
{
    int version = db_user_version(db);
    int latest = count > 0 ? migrations[count - 1].version : 0;
    char pragma[64];
    enum status status;

    if (version < 0) {
        return error_set(err, STATUS_IO, "STORE_OPEN_FAILED",
                         "could not read the schema version");
    }
    if (version > latest) {
        return error_set(err, STATUS_CONFLICT, "STORE_TOO_NEW",
                         "the store has schema version %d but this binary "
                         "knows only up to %d",
                         version, latest);
    }

    for (size_t i = 0; i < count; i++) {
        if (migrations[i].version <= version) {
            continue;
        }

        status = db_exec(db, "BEGIN IMMEDIATE", err);
        if (status != STATUS_OK) {
            return status;
        }

        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d",
                 migrations[i].version);
        status = db_exec(db, migrations[i].sql, err);
        if (status == STATUS_OK) {
            status = db_exec(db, pragma, err);
        }
        if (status == STATUS_OK) {
            status = db_exec(db, "COMMIT", err);
        }
        if (status != STATUS_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return status;
        }

        log_event(LOG_INFO, "store", "migrated", "version",
                  pragma + sizeof("PRAGMA user_version=") - 1, NULL);
    }
    return STATUS_OK;
}

/*
 * sql.c - statement helpers over the SQLite C API.
 */
#include "store/sql.h"

#include "store/db.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static enum status
sql_bind(sqlite3 *db, sqlite3_stmt *stmt, const char *types, va_list ap,
         struct error *err)
{
    int idx = 1;
    int rc = SQLITE_OK;

    for (const char *t = types; *t != '\0' && rc == SQLITE_OK; t++, idx++) {
        switch (*t) {
        case 's': {
            const char *s = va_arg(ap, const char *);

            rc = s != NULL ? sqlite3_bind_text(stmt, idx, s, -1,
                                               SQLITE_TRANSIENT)
                           : sqlite3_bind_null(stmt, idx);
            break;
        }
        case 'i':
            rc = sqlite3_bind_int64(stmt, idx, va_arg(ap, int64_t));
            break;
        case 'n': {
            int64_t v = va_arg(ap, int64_t);

            rc = v != 0 ? sqlite3_bind_int64(stmt, idx, v)
                        : sqlite3_bind_null(stmt, idx);
            break;
        }
        default:
            return error_set(err, STATUS_INTERNAL, NULL,
                             "internal error binding a statement");
        }
    }
    return rc == SQLITE_OK ? STATUS_OK : db_error(db, rc, err);
}

#define SQL_LEASES_MAX 4

/* The caches of the connections this thread holds now. */
static _Thread_local struct sql_cache *sql_leases[SQL_LEASES_MAX];

bool
sql_cache_lease(struct sql_cache *cache)
{
    for (int i = 0; i < SQL_LEASES_MAX; i++) {
        if (sql_leases[i] == NULL) {
            sql_leases[i] = cache;
            return true;
        }
    }
    return false;
}

void
sql_cache_unlease(struct sql_cache *cache)
{
    for (int i = 0; i < SQL_LEASES_MAX; i++) {
        if (sql_leases[i] == cache) {
            sql_leases[i] = NULL;
        }
    }
}

void
sql_cache_clear(struct sql_cache *cache)
{
    for (int i = 0; i < cache->count; i++) {
        sqlite3_finalize(cache->stmts[i]);
    }
    cache->count = 0;
}

struct sql_cache *
sql_cache_of(sqlite3 *db)
{
    for (int i = 0; i < SQL_LEASES_MAX; i++) {
        if (sql_leases[i] != NULL && sql_leases[i]->db == db) {
            return sql_leases[i];
        }
    }
    return NULL;
}

/* A cached, idle statement for sql, or a new one (cached if room). */
static int
sql_compile(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    struct sql_cache *cache = sql_cache_of(db);
    int i, rc;

    if (cache != NULL) {
        for (i = 0; i < cache->count; i++) {
            if (cache->keys[i] == sql && !cache->busy[i]) {
                cache->busy[i] = true;
                *out = cache->stmts[i];
                return SQLITE_OK;
            }
        }
    }

    rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
                            NULL);
    if (rc == SQLITE_OK && cache != NULL && cache->count < SQL_CACHE_MAX) {
        i = cache->count++;
        cache->keys[i] = sql;
        cache->stmts[i] = *out;
        cache->busy[i] = true;
    }
    return rc;
}

void
sql_done(sqlite3_stmt *stmt)
{
    struct sql_cache *cache;

    if (stmt == NULL) {
        return;
    }
    cache = sql_cache_of(sqlite3_db_handle(stmt));
    for (int i = 0; cache != NULL && i < cache->count; i++) {
        if (cache->stmts[i] == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            cache->busy[i] = false;
            return;
        }
    }
    sqlite3_finalize(stmt);
}

static enum status
sql_vprepare(sqlite3 *db, sqlite3_stmt **out, struct error *err,
             const char *sql, const char *types, va_list ap)
{
    enum status status;
    int rc;

    rc = sql_compile(db, sql, out);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return db_error(db, rc, err);
    }
    status = sql_bind(db, *out, types, ap, err);
    if (status != STATUS_OK) {
        sql_done(*out);
        *out = NULL;
    }
    return status;
}

enum status
sql_prepare(sqlite3 *db, sqlite3_stmt **out, struct error *err,
            const char *sql, const char *types, ...)
{
    enum status status;
    va_list ap;

    va_start(ap, types);
    status = sql_vprepare(db, out, err, sql, types, ap);
    va_end(ap);
    return status;
}

enum status
sql_step(sqlite3_stmt *stmt, bool *row, struct error *err)
{
    int rc = sqlite3_step(stmt);

    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        return STATUS_OK;
    }
    return db_error(sqlite3_db_handle(stmt), rc, err);
}

enum status
sql_exec(sqlite3 *db, int *changes, struct error *err, const char *sql,
         const char *types, ...)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    va_list ap;
    bool row;

    va_start(ap, types);
    status = sql_vprepare(db, &stmt, err, sql, types, ap);
    va_end(ap);
    if (status != STATUS_OK) {
        return status;
    }

    do {
        status = sql_step(stmt, &row, err);
    } while (status == STATUS_OK && row);

    if (changes != NULL) {
        *changes = sqlite3_changes(db);
    }
    sql_done(stmt);
    return status;
}

char *
sql_text(struct arena *arena, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);

    if (text == NULL) {
        return NULL;
    }
    return arena_strndup(arena, (const char *)text,
                         (size_t)sqlite3_column_bytes(stmt, col));
}

int64_t
sql_int(sqlite3_stmt *stmt, int col)
{
    return sqlite3_column_int64(stmt, col);
}

void *
sql_push(struct arena *arena, void *array, size_t *count, size_t *cap,
         size_t size)
{
    size_t grown_cap;
    char *grown;

    if (*count == *cap) {
        grown_cap = *cap == 0 ? 8 : *cap * 2;
        if (grown_cap > SIZE_MAX / size) {
            return NULL;
        }
        grown = arena_alloc(arena, grown_cap * size);
        if (grown == NULL) {
            return NULL;
        }
        if (*count > 0) {
            memcpy(grown, array, *count * size);
        }
        array = grown;
        *cap = grown_cap;
    }
    (*count)++;
    return array;
}

enum status
sql_collect(sqlite3_stmt *stmt, struct arena *arena, size_t size,
            void (*read)(struct arena *arena, sqlite3_stmt *stmt, void *row),
            void **out, size_t *count, struct error *err)
{
    void *array = NULL, *grown;
    enum status status;
    size_t cap = 0;
    char *row_at;
    bool row;

    *count = 0;
    while ((status = sql_step(stmt, &row, err)) == STATUS_OK && row) {
        grown = sql_push(arena, array, count, &cap, size);
        if (grown == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
            break;
        }
        array = grown;

        row_at = (char *)array + (*count - 1) * size;
        memset(row_at, 0, size);
        read(arena, stmt, row_at);
    }
    sql_done(stmt);
    *out = array;
    return status;
}

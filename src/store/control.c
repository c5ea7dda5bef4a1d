/*
 * control.c - opening the control store, its schema and the connection pool.
 *
 * The schema below is migration 1; later changes are new entries in
 * control_migrations, never edits of old ones.
 */
#include "store/control.h"

#include "store/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AUTH_BUMP                                                          \
    "UPDATE meta SET value = value + 1 WHERE key = 'auth_generation';"

static const char control_schema_v1[] =
    "CREATE TABLE accounts ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  settings TEXT NOT NULL DEFAULT '{}'"
    ");"
    "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  password_hash TEXT,"
    "  is_support INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE memberships ("
    "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (account_id, user_id)"
    ");"
    "CREATE INDEX memberships_user "
    "  ON memberships(user_id, created_ms, account_id);"
    "CREATE TABLE groups ("
    "  id TEXT PRIMARY KEY,"
    "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  predefined INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL,"
    "  UNIQUE (account_id, name)"
    ");"
    "CREATE TABLE group_members ("
    "  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (group_id, user_id)"
    ");"
    "CREATE INDEX group_members_user ON group_members(user_id);"
    /* account_id is NULL for the predefined policies shared by all. */
    "CREATE TABLE policies ("
    "  id TEXT PRIMARY KEY,"
    "  account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  predefined INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE group_policies ("
    "  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
    "  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (group_id, policy_id)"
    ");"
    "CREATE TABLE api_keys ("
    "  id TEXT PRIMARY KEY,"
    "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  prefix TEXT NOT NULL,"
    "  secret_hash TEXT NOT NULL UNIQUE,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER,"
    "  last_used_ms INTEGER,"
    "  revoked_ms INTEGER"
    ");"
    "CREATE INDEX api_keys_owner ON api_keys(account_id, user_id);"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  csrf_token TEXT NOT NULL,"
    "  auth_method TEXT NOT NULL,"
    "  source_addr TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL,"
    "  last_seen_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE invitations ("
    "  id TEXT PRIMARY KEY,"
    "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  invited_by TEXT NOT NULL,"
    "  groups TEXT NOT NULL DEFAULT '[]',"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  accepted_ms INTEGER,"
    "  revoked_ms INTEGER"
    ");"
    "CREATE INDEX invitations_account ON invitations(account_id);"
    /* One row per login and per source address under watch. */
    "CREATE TABLE login_throttle ("
    "  key TEXT PRIMARY KEY,"
    "  failures INTEGER NOT NULL,"
    "  window_start_ms INTEGER NOT NULL,"
    "  locked_until_ms INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE audit_log ("
    "  account_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  ts_ms INTEGER NOT NULL,"
    "  actor_id TEXT NOT NULL,"
    "  actor_login TEXT NOT NULL,"
    "  event TEXT NOT NULL,"
    "  target TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  source_addr TEXT NOT NULL,"
    "  request_id TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  PRIMARY KEY (account_id, seq)"
    ");"
    /*
     * auth_generation changes whenever something that decides who may do
     * what changes, so that caches of resolved credentials (in this
     * process or another) know to look again.
     */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES ('auth_generation', 0);"
    "CREATE TRIGGER auth_keys_changed AFTER UPDATE OF revoked_ms, "
    "  expires_ms, user_id, account_id ON api_keys BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_keys_deleted AFTER DELETE ON api_keys "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_members_added AFTER INSERT ON memberships "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_members_removed AFTER DELETE ON memberships "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_group_added AFTER INSERT ON group_members "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_group_removed AFTER DELETE ON group_members "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_bound AFTER INSERT ON group_policies "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_unbound AFTER DELETE ON group_policies "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_policy_changed AFTER UPDATE ON policies "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_user_changed AFTER UPDATE OF login, name, "
    "  is_support ON users BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_account_renamed AFTER UPDATE OF name ON accounts "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_group_renamed AFTER UPDATE OF name ON groups "
    "  BEGIN " AUTH_BUMP " END;"
    "CREATE TRIGGER auth_user_deleted AFTER DELETE ON users "
    "  BEGIN " AUTH_BUMP " END;";

static const struct db_migration control_migrations[] = {
    {1, control_schema_v1},
};

static enum status
store_mkdir(const char *path, struct error *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return error_set(err, STATUS_IO, "DATA_DIR_UNUSABLE",
                         "could not create the data directory %s: %s", path,
                         strerror(errno));
    }
    return STATUS_OK;
}

enum status
store_open(struct store *store, const char *data_dir, bool create,
           struct error *err)
{
    sqlite3 *db = NULL;
    enum status status;
    struct stat st;

    memset(store, 0, sizeof(*store));
    pthread_mutex_init(&store->lock, NULL);

    if (create) {
        status = store_mkdir(data_dir, err);
        if (status != STATUS_OK) {
            return status;
        }
    } else if (stat(data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return error_set(err, STATUS_NOT_FOUND, "DATA_DIR_MISSING",
                         "no data directory at %s (run ganymede init)",
                         data_dir);
    }

    store->data_dir = strdup(data_dir);
    if (store->data_dir == NULL ||
        asprintf(&store->control_path, "%s/control.db", data_dir) < 0) {
        store->control_path = NULL;
        store_close(store);
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }

    status = db_open(store->control_path, DB_KIND_CONTROL, create, &db, err);
    if (status == STATUS_OK) {
        status = db_migrate(db, control_migrations,
                            sizeof(control_migrations) /
                                sizeof(control_migrations[0]),
                            err);
    }
    if (status != STATUS_OK) {
        db_close(db);
        store_close(store);
        return status;
    }

    store_release(store, db);
    return STATUS_OK;
}

void
store_close(struct store *store)
{
    for (int i = 0; i < store->idle_len; i++) {
        sql_cache_clear(store->idle[i]);
        db_close(store->idle[i]->db);
        free(store->idle[i]);
    }
    store->idle_len = 0;
    free(store->data_dir);
    free(store->control_path);
    store->data_dir = NULL;
    store->control_path = NULL;
    pthread_mutex_destroy(&store->lock);
}

enum status
store_acquire(struct store *store, sqlite3 **out, struct error *err)
{
    struct sql_cache *conn = NULL;
    enum status status;

    pthread_mutex_lock(&store->lock);
    if (store->idle_len > 0) {
        conn = store->idle[--store->idle_len];
    }
    pthread_mutex_unlock(&store->lock);

    if (conn == NULL) {
        conn = calloc(1, sizeof(*conn));
        if (conn == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        /* The schema was migrated when the store was opened. */
        status = db_open(store->control_path, DB_KIND_CONTROL, false,
                         &conn->db, err);
        if (status != STATUS_OK) {
            free(conn);
            return status;
        }
    }

    /* Leases are short (one request's handler), so this never fills. */
    if (!sql_cache_lease(conn)) {
        sql_cache_clear(conn);
        db_close(conn->db);
        free(conn);
        return error_set(err, STATUS_INTERNAL, NULL,
                         "a thread holds too many store connections");
    }
    *out = conn->db;
    return STATUS_OK;
}

void
store_release(struct store *store, sqlite3 *db)
{
    struct sql_cache *conn;

    if (db == NULL) {
        return;
    }

    db_set_deadline(db, NULL);
    if (!sqlite3_get_autocommit(db)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }

    /* A connection opened outside the pool (store_open) gets a cache. */
    conn = sql_cache_of(db);
    if (conn == NULL) {
        conn = calloc(1, sizeof(*conn));
        if (conn == NULL) {
            db_close(db);
            return;
        }
        conn->db = db;
    }
    sql_cache_unlease(conn);

    pthread_mutex_lock(&store->lock);
    if (store->idle_len < STORE_POOL_MAX) {
        store->idle[store->idle_len++] = conn;
        conn = NULL;
    }
    pthread_mutex_unlock(&store->lock);

    if (conn != NULL) {
        sql_cache_clear(conn);
        db_close(conn->db);
        free(conn);
    }
}

enum status
store_begin(sqlite3 *db, struct error *err)
{
    return sql_exec(db, NULL, err, "BEGIN IMMEDIATE", "");
}

enum status
store_commit(sqlite3 *db, struct error *err)
{
    return sql_exec(db, NULL, err, "COMMIT", "");
}

void
store_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
}

bool
store_is_ready(struct store *store)
{
    sqlite3 *db = NULL;
    bool ready;

    if (store_acquire(store, &db, NULL) != STATUS_OK) {
        return false;
    }
    ready = sqlite3_exec(db, "SELECT 1 FROM accounts LIMIT 1", NULL, NULL,
                         NULL) == SQLITE_OK;
    store_release(store, db);
    return ready;
}

int64_t
store_auth_generation(sqlite3 *db)
{
    sqlite3_stmt *stmt;
    int64_t generation = -1;
    bool row = false;

    if (sql_prepare(db, &stmt, NULL,
                    "SELECT value FROM meta WHERE key = 'auth_generation'",
                    "") != STATUS_OK) {
        return -1;
    }
    if (sql_step(stmt, &row, NULL) == STATUS_OK && row) {
        generation = sql_int(stmt, 0);
    }
    sql_done(stmt);
    return generation;
}

/*
 * graph_store.c - the per-account graph databases: their files, the
 * least-recently-used pool of open connections, the schema, and the SQL
 * of every row operation of the graph.
 *
 * Schema: the current version of every object is one row of entities or
 * relationships, deleted or not; previous versions move to
 * entity_versions and relationship_versions when a new one is written.
 * (source, partition, key) is unique among current rows, where partition
 * is the scope of an api object, the integration instance of an
 * integration object and "" for the mapper's.  entity_classes holds one
 * row per class of a current entity so that class lookups use an index.
 * A relationship's endpoints are foreign keys to entities(id): the
 * database itself refuses a dangling edge.  History keeps the graph
 * content of each version but not its _rawData.
 *
 * The row operations are in graph_rows.c.
 *
 * The pool: every open connection belongs to an account entry, found by
 * a hash of the account id.  Idle connections sit both in their
 * account's idle list and in one global LRU list; an account entry lives
 * while it has any open connection.  Databases are created and migrated
 * under create_lock, so that two threads opening a new account at once
 * do not both run its migrations.
 */
#include "store/graph_store.h"

#include "base/log.h"
#include "store/db.h"
#include "store/sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct graph_store_conn {
    struct sql_cache cache; /* first: sql_cache_of() gives this back */
    struct graph_store_account *account;
    struct graph_store_conn *lru_prev; /* towards the newest */
    struct graph_store_conn *lru_next; /* towards the oldest */
    struct graph_store_conn *idle_next; /* the account's idle list */
};

struct graph_store_account {
    char id[GRAPH_STORE_ACCOUNT_MAX + 1];
    struct graph_store_account *next; /* hash chain */
    struct graph_store_conn *idle;    /* newest first */
    size_t conns;                     /* open, idle or in use */
};

static const char graph_schema_v1[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE entities ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  source TEXT NOT NULL,"
    "  scope TEXT,"
    "  instance TEXT,"
    "  partition TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  classes TEXT NOT NULL,"
    "  display_name TEXT,"
    "  properties TEXT NOT NULL,"
    "  raw_data TEXT,"
    "  digest TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  begin_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  deleted INTEGER NOT NULL DEFAULT 0,"
    "  definition_id TEXT,"
    "  integration_type TEXT,"
    "  integration_class TEXT,"
    "  integration_name TEXT"
    ");"
    "CREATE UNIQUE INDEX entities_origin_key "
    "  ON entities(source, partition, key);"
    "CREATE INDEX entities_key ON entities(key);"
    "CREATE INDEX entities_type ON entities(type);"
    "CREATE TABLE entity_classes ("
    "  class TEXT NOT NULL,"
    "  seq INTEGER NOT NULL REFERENCES entities(seq) ON DELETE CASCADE,"
    "  PRIMARY KEY (class, seq)"
    ") WITHOUT ROWID;"
    "CREATE INDEX entity_classes_seq ON entity_classes(seq);"
    "CREATE TABLE entity_versions ("
    "  id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  scope TEXT,"
    "  instance TEXT,"
    "  key TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  classes TEXT NOT NULL,"
    "  display_name TEXT,"
    "  properties TEXT NOT NULL,"
    "  digest TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  begin_ms INTEGER NOT NULL,"
    "  end_ms INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL,"
    "  definition_id TEXT,"
    "  integration_type TEXT,"
    "  integration_class TEXT,"
    "  integration_name TEXT,"
    "  PRIMARY KEY (id, version)"
    ");"
    "CREATE TABLE relationships ("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  source TEXT NOT NULL,"
    "  scope TEXT,"
    "  instance TEXT,"
    "  partition TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  display_name TEXT,"
    "  properties TEXT NOT NULL,"
    "  raw_data TEXT,"
    "  digest TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  begin_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  deleted INTEGER NOT NULL DEFAULT 0,"
    "  definition_id TEXT,"
    "  integration_type TEXT,"
    "  integration_class TEXT,"
    "  integration_name TEXT,"
    "  from_id TEXT NOT NULL REFERENCES entities(id),"
    "  to_id TEXT NOT NULL REFERENCES entities(id),"
    "  from_key TEXT NOT NULL,"
    "  to_key TEXT NOT NULL,"
    "  mapping TEXT"
    ");"
    "CREATE UNIQUE INDEX relationships_origin_key "
    "  ON relationships(source, partition, key);"
    "CREATE INDEX relationships_type ON relationships(type);"
    "CREATE INDEX relationships_class ON relationships(class);"
    "CREATE INDEX relationships_from ON relationships(from_id);"
    "CREATE INDEX relationships_to ON relationships(to_id);"
    "CREATE TABLE relationship_versions ("
    "  id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  scope TEXT,"
    "  instance TEXT,"
    "  key TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  display_name TEXT,"
    "  properties TEXT NOT NULL,"
    "  digest TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  begin_ms INTEGER NOT NULL,"
    "  end_ms INTEGER NOT NULL,"
    "  deleted INTEGER NOT NULL,"
    "  definition_id TEXT,"
    "  integration_type TEXT,"
    "  integration_class TEXT,"
    "  integration_name TEXT,"
    "  from_id TEXT NOT NULL,"
    "  to_id TEXT NOT NULL,"
    "  from_key TEXT NOT NULL,"
    "  to_key TEXT NOT NULL,"
    "  mapping TEXT,"
    "  PRIMARY KEY (id, version)"
    ");";

/*
 * Version 2: synchronization jobs (graph/sync.h).  The staging tables are
 * deliberately without indexes, so that uploads append at full speed;
 * finalize reads them once, grouped by key, in one pass.
 */
static const char graph_schema_v2[] =
    "CREATE TABLE sync_jobs ("
    "  id TEXT PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  scope TEXT,"
    "  instance TEXT,"
    "  integration_job_id TEXT,"
    "  sync_mode TEXT NOT NULL,"
    "  ignore_duplicates INTEGER NOT NULL,"
    "  status TEXT NOT NULL,"
    "  start_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  entities_uploaded INTEGER NOT NULL DEFAULT 0,"
    "  entities_created INTEGER NOT NULL DEFAULT 0,"
    "  entities_updated INTEGER NOT NULL DEFAULT 0,"
    "  entities_deleted INTEGER NOT NULL DEFAULT 0,"
    "  relationships_uploaded INTEGER NOT NULL DEFAULT 0,"
    "  relationships_created INTEGER NOT NULL DEFAULT 0,"
    "  relationships_updated INTEGER NOT NULL DEFAULT 0,"
    "  relationships_deleted INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT"
    ");"
    "CREATE TABLE sync_staged ("
    "  job_id TEXT NOT NULL,"
    "  item INTEGER NOT NULL,"
    "  key TEXT NOT NULL,"
    "  body TEXT NOT NULL"
    ");"
    "CREATE TABLE sync_events ("
    "  job_id TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  description TEXT"
    ");";

/* Version 3: the data-model problems of entities (graph/validate.h). */
static const char graph_schema_v3[] =
    "CREATE TABLE entity_validation ("
    "  id TEXT PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE,"
    "  problems TEXT NOT NULL,"
    "  checked_ms INTEGER NOT NULL"
    ");";

static const struct db_migration graph_migrations[] = {
    {1, graph_schema_v1},
    {2, graph_schema_v2},
    {3, graph_schema_v3},
};

/* ---- the pool ----------------------------------------------------------- */

static enum status
graph_store_mkdir(const char *path, struct error *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return error_set(err, STATUS_IO, "STORE_OPEN_FAILED",
                         "could not create an account store directory");
    }
    return STATUS_OK;
}

enum status
graph_store_open(struct graph_store *store, const char *data_dir,
                 size_t open_max, struct error *err)
{
    enum status status;
    size_t buckets = 64;

    memset(store, 0, sizeof(*store));
    pthread_mutex_init(&store->lock, NULL);
    pthread_mutex_init(&store->create_lock, NULL);
    store->open_max = open_max > 0 ? open_max : GRAPH_STORE_OPEN_DEFAULT;

    /* About two buckets per connection kept, so that chains stay short. */
    while (buckets < store->open_max * 2 && buckets < (1u << 20)) {
        buckets *= 2;
    }
    store->bucket_count = buckets;
    store->buckets = calloc(buckets, sizeof(*store->buckets));
    if (store->buckets == NULL ||
        asprintf(&store->accounts_dir, "%s/accounts", data_dir) < 0) {
        store->accounts_dir = NULL;
        graph_store_close(store);
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }

    status = graph_store_mkdir(store->accounts_dir, err);
    if (status != STATUS_OK) {
        error_detail(err, "mkdir %s: %s", store->accounts_dir,
                     strerror(errno));
        graph_store_close(store);
    }
    return status;
}

static void
graph_store_conn_free(struct graph_store_conn *conn)
{
    if (conn == NULL) {
        return;
    }
    sql_cache_clear(&conn->cache);
    db_close(conn->cache.db);
    free(conn);
}

void
graph_store_close(struct graph_store *store)
{
    struct graph_store_conn *conn = store->lru_newest, *next;

    while (conn != NULL) {
        next = conn->lru_next;
        graph_store_conn_free(conn);
        conn = next;
    }
    for (size_t i = 0; store->buckets != NULL && i < store->bucket_count;
         i++) {
        struct graph_store_account *account = store->buckets[i], *after;

        while (account != NULL) {
            after = account->next;
            free(account);
            account = after;
        }
    }
    free(store->buckets);
    free(store->accounts_dir);
    store->buckets = NULL;
    store->accounts_dir = NULL;
    store->lru_newest = store->lru_oldest = NULL;
    store->open_count = store->idle_count = 0;
    pthread_mutex_destroy(&store->lock);
    pthread_mutex_destroy(&store->create_lock);
}

bool
graph_store_is_account_id(const char *account_id)
{
    size_t len = 0;

    if (account_id == NULL || account_id[0] == '.') {
        return false;
    }
    for (const char *p = account_id; *p != '\0'; p++, len++) {
        char c = *p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return len > 0 && len <= GRAPH_STORE_ACCOUNT_MAX;
}

/* FNV-1a of the account id, for the bucket. */
static size_t
graph_store_bucket(const struct graph_store *store, const char *account_id)
{
    uint64_t hash = 14695981039346656037u;

    for (const unsigned char *p = (const unsigned char *)account_id; *p;
         p++) {
        hash = (hash ^ *p) * 1099511628211u;
    }
    return (size_t)(hash & (store->bucket_count - 1));
}

/* The entry of an account, added when missing; NULL if out of memory. */
static struct graph_store_account *
graph_store_entry(struct graph_store *store, const char *account_id)
{
    size_t b = graph_store_bucket(store, account_id);
    struct graph_store_account *account;

    for (account = store->buckets[b]; account != NULL;
         account = account->next) {
        if (strcmp(account->id, account_id) == 0) {
            return account;
        }
    }
    account = calloc(1, sizeof(*account));
    if (account == NULL) {
        return NULL;
    }
    snprintf(account->id, sizeof(account->id), "%s", account_id);
    account->next = store->buckets[b];
    store->buckets[b] = account;
    return account;
}

/* Forget an account entry that has no connection left. */
static void
graph_store_entry_drop(struct graph_store *store,
                       struct graph_store_account *account)
{
    struct graph_store_account **at;

    if (account->conns > 0) {
        return;
    }
    at = &store->buckets[graph_store_bucket(store, account->id)];
    while (*at != NULL && *at != account) {
        at = &(*at)->next;
    }
    if (*at != NULL) {
        *at = account->next;
    }
    free(account);
}

/* Take an idle connection out of both lists. */
static void
graph_store_unlink(struct graph_store *store, struct graph_store_conn *conn)
{
    struct graph_store_conn **at = &conn->account->idle;

    while (*at != NULL && *at != conn) {
        at = &(*at)->idle_next;
    }
    if (*at != NULL) {
        *at = conn->idle_next;
    }
    conn->idle_next = NULL;

    if (conn->lru_prev != NULL) {
        conn->lru_prev->lru_next = conn->lru_next;
    } else {
        store->lru_newest = conn->lru_next;
    }
    if (conn->lru_next != NULL) {
        conn->lru_next->lru_prev = conn->lru_prev;
    } else {
        store->lru_oldest = conn->lru_prev;
    }
    conn->lru_prev = conn->lru_next = NULL;
    store->idle_count--;
}

/*
 * While more connections are open than allowed, take the least recently
 * used idle ones out, chained through lru_next for the caller to close
 * once the lock is released.
 */
static struct graph_store_conn *
graph_store_evict(struct graph_store *store)
{
    struct graph_store_conn *victims = NULL, *conn;

    while (store->open_count > store->open_max && store->lru_oldest != NULL) {
        conn = store->lru_oldest;
        graph_store_unlink(store, conn);
        store->open_count--;
        conn->account->conns--;
        graph_store_entry_drop(store, conn->account);
        conn->account = NULL;
        conn->lru_next = victims;
        victims = conn;
    }
    return victims;
}

static void
graph_store_free_victims(struct graph_store_conn *victims)
{
    struct graph_store_conn *next;

    while (victims != NULL) {
        next = victims->lru_next;
        graph_store_conn_free(victims);
        victims = next;
    }
}

/* Check, or on a new database record, which account it belongs to. */
static enum status
graph_store_claim(sqlite3 *db, const char *account_id, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false, same = false;

    status = sql_prepare(db, &stmt, err,
                         "SELECT value FROM meta WHERE key = 'account_id'",
                         "");
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        const char *owner = (const char *)sqlite3_column_text(stmt, 0);

        same = owner != NULL && strcmp(owner, account_id) == 0;
    }
    sql_done(stmt);
    if (status != STATUS_OK) {
        return status;
    }
    if (!row) {
        return sql_exec(db, NULL, err,
                        "INSERT OR IGNORE INTO meta (key, value) "
                        "VALUES ('account_id', ?)",
                        "s", account_id);
    }
    if (!same) {
        return error_set(err, STATUS_CORRUPT, "STORE_CORRUPT",
                         "the account's graph store belongs to another "
                         "account");
    }
    return STATUS_OK;
}

/* Open (creating and migrating when needed) one account's database. */
static enum status
graph_store_connect(struct graph_store *store, const char *account_id,
                    struct graph_store_conn **out, struct error *err)
{
    struct graph_store_conn *conn = NULL;
    char *dir = NULL, *path = NULL;
    enum status status;

    *out = NULL;
    conn = calloc(1, sizeof(*conn));
    if (conn == NULL || asprintf(&dir, "%s/%s", store->accounts_dir,
                                 account_id) < 0) {
        dir = NULL;
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }
    if (asprintf(&path, "%s/graph.db", dir) < 0) {
        path = NULL;
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }

    pthread_mutex_lock(&store->create_lock);
    status = graph_store_mkdir(dir, err);
    if (status == STATUS_OK) {
        status = db_open(path, DB_KIND_ACCOUNT, true, &conn->cache.db, err);
    }
    if (status == STATUS_OK) {
        status = db_migrate(conn->cache.db, graph_migrations,
                            sizeof(graph_migrations) /
                                sizeof(graph_migrations[0]),
                            err);
    }
    if (status == STATUS_OK) {
        status = graph_store_claim(conn->cache.db, account_id, err);
    }
    pthread_mutex_unlock(&store->create_lock);

    if (status == STATUS_OK) {
        *out = conn;
        conn = NULL;
    } else {
        log_event(LOG_ERROR, "store", "graph_open_failed", "account",
                  account_id, "detail", err != NULL ? err->detail : NULL,
                  NULL);
    }

out:
    if (conn != NULL) {
        db_close(conn->cache.db);
        free(conn);
    }
    free(dir);
    free(path);
    return status;
}

enum status
graph_store_acquire(struct graph_store *store, const char *account_id,
                    sqlite3 **out, struct error *err)
{
    struct graph_store_account *account;
    struct graph_store_conn *conn = NULL, *victims;
    enum status status;

    *out = NULL;
    if (store->buckets == NULL) {
        return error_set(err, STATUS_UNAVAILABLE, "UNAVAILABLE",
                         "the graph store is not open");
    }
    if (!graph_store_is_account_id(account_id)) {
        return error_set(err, STATUS_INVALID, "INVALID_ACCOUNT",
                         "the account id is not usable for a store");
    }

    /* An idle connection of the account, or the right to open one. */
    pthread_mutex_lock(&store->lock);
    account = graph_store_entry(store, account_id);
    if (account != NULL && account->idle != NULL) {
        conn = account->idle;
        graph_store_unlink(store, conn);
    } else if (account != NULL) {
        account->conns++;
        store->open_count++;
    }
    victims = graph_store_evict(store);
    pthread_mutex_unlock(&store->lock);
    graph_store_free_victims(victims);
    if (account == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }

    if (conn == NULL) {
        status = graph_store_connect(store, account_id, &conn, err);
        if (status != STATUS_OK) {
            pthread_mutex_lock(&store->lock);
            account->conns--;
            store->open_count--;
            graph_store_entry_drop(store, account);
            pthread_mutex_unlock(&store->lock);
            return status;
        }
        conn->account = account;
    }

    if (!sql_cache_lease(&conn->cache)) {
        pthread_mutex_lock(&store->lock);
        account->conns--;
        store->open_count--;
        graph_store_entry_drop(store, account);
        pthread_mutex_unlock(&store->lock);
        graph_store_conn_free(conn);
        return error_set(err, STATUS_INTERNAL, NULL,
                         "a thread holds too many store connections");
    }
    *out = conn->cache.db;
    return STATUS_OK;
}

void
graph_store_release(struct graph_store *store, sqlite3 *db)
{
    struct graph_store_conn *conn, *victims;

    if (db == NULL) {
        return;
    }
    db_set_deadline(db, NULL);
    graph_store_rollback(db);

    conn = (struct graph_store_conn *)sql_cache_of(db);
    if (conn == NULL) {
        db_close(db); /* not from this pool: should not happen */
        return;
    }
    sql_cache_unlease(&conn->cache);

    pthread_mutex_lock(&store->lock);
    conn->idle_next = conn->account->idle;
    conn->account->idle = conn;
    conn->lru_prev = NULL;
    conn->lru_next = store->lru_newest;
    if (store->lru_newest != NULL) {
        store->lru_newest->lru_prev = conn;
    } else {
        store->lru_oldest = conn;
    }
    store->lru_newest = conn;
    store->idle_count++;
    victims = graph_store_evict(store);
    pthread_mutex_unlock(&store->lock);
    graph_store_free_victims(victims);
}

size_t
graph_store_open_count(struct graph_store *store)
{
    size_t count;

    pthread_mutex_lock(&store->lock);
    count = store->open_count;
    pthread_mutex_unlock(&store->lock);
    return count;
}

/* ---- transactions ------------------------------------------------------- */

enum status
graph_store_begin(sqlite3 *db, struct error *err)
{
    return sql_exec(db, NULL, err, "BEGIN IMMEDIATE", "");
}

enum status
graph_store_begin_read(sqlite3 *db, struct error *err)
{
    return sql_exec(db, NULL, err, "BEGIN", "");
}

enum status
graph_store_commit(sqlite3 *db, struct error *err)
{
    return sql_exec(db, NULL, err, "COMMIT", "");
}

void
graph_store_rollback(sqlite3 *db)
{
    if (db != NULL && !sqlite3_get_autocommit(db)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
}

bool
graph_store_in_transaction(sqlite3 *db)
{
    return !sqlite3_get_autocommit(db);
}

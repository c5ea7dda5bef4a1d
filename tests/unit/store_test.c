/*
 * store_test.c - unit tests for src/store/control.c, db.c and sql.c: the
 * statement deadline, the refusals of store_open (no data directory, a
 * schema newer than the binary), the connection pool and its statement
 * cache, and which changes move the auth generation.
 *
 * Every test opens its own control store in a numbered directory under
 * one mkdtemp root, removed at the end.  Table changes are made with raw
 * SQL so that each one touches exactly the table under test.
 */
#include "store/control.h"

#include "unit.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "store/accounts.h"
#include "store/db.h"
#include "store/sql.h"

static char root[] = "/tmp/ganymede-store-test-XXXXXX";
static int dir_count;

/* Two statements keyed by these arrays' addresses in the sql cache. */
static const char sql_one[] = "SELECT 1";
static const char sql_two[] = "SELECT 2";
/* Counts to a million: long enough for the progress handler to fire. */
static const char sql_count[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 1000000) SELECT count(*) FROM n";

struct fixture {
    char dir[256];
    struct store store;
    sqlite3 *db;
    struct arena arena;
    struct account account;
    struct user user;
};

/* A fresh directory path under root; the directory itself is not made. */
static void
next_dir(char *out, size_t out_len)
{
    snprintf(out, out_len, "%s/%d", root, ++dir_count);
}

static bool
fixture_open(struct fixture *f)
{
    struct error err;

    next_dir(f->dir, sizeof(f->dir));
    arena_init(&f->arena);
    f->db = NULL;
    error_clear(&err);
    if (store_open(&f->store, f->dir, true, &err) != STATUS_OK) {
        fprintf(stderr, "fixture: %s\n", err.message);
        arena_release(&f->arena);
        return false;
    }
    if (store_acquire(&f->store, &f->db, &err) != STATUS_OK) {
        fprintf(stderr, "fixture: %s\n", err.message);
        store_close(&f->store);
        arena_release(&f->arena);
        return false;
    }
    return true;
}

/* The fixture plus one account and one user who is not yet a member. */
static bool
fixture_open_account(struct fixture *f)
{
    struct error err;

    if (!fixture_open(f)) {
        return false;
    }
    error_clear(&err);
    if (account_create(f->db, &f->arena, NULL, "Acme", &f->account, &err) !=
            STATUS_OK ||
        user_create(f->db, &f->arena, "carol@example.com", "", NULL, false,
                    &f->user, &err) != STATUS_OK) {
        fprintf(stderr, "fixture: %s\n", err.message);
        return false;
    }
    return true;
}

static void
fixture_close(struct fixture *f)
{
    store_release(&f->store, f->db);
    store_close(&f->store);
    arena_release(&f->arena);
}

static bool
run_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sql failed: %s: %s\n", msg ? msg : "?", sql);
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static int
user_version(sqlite3 *db)
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

/* Run sql_count once: its status, and its count in *count. */
static enum status
count_rows(sqlite3 *db, int64_t *count, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *count = -1;
    status = sql_prepare(db, &stmt, err, sql_count, "");
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && row) {
        *count = sql_int(stmt, 0);
    }
    sql_done(stmt);
    return status;
}

/* Whether text holds n as a whole number, not as part of a longer one. */
static bool
has_number(const char *text, long n)
{
    const char *p = text;
    char *end;

    while (*p != '\0') {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        if (strtol(p, &end, 10) == n) {
            return true;
        }
        p = end;
    }
    return false;
}

/* ---- deadline ---------------------------------------------------------- */

static void
test_deadline_passed_stops_query(void)
{
    struct fixture f;
    struct error err;
    int64_t deadline, count;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Already over before the query starts; 0 would mean no deadline. */
    deadline = clock_monotonic_us() - 1000000;
    if (deadline <= 0) {
        deadline = 1;
    }
    db_set_deadline(f.db, &deadline);
    error_clear(&err);
    CHECK(count_rows(f.db, &count, &err) == STATUS_TIMEOUT);
    CHECK_STR(err.code, "DEADLINE_EXCEEDED");
    CHECK(count == -1);

    /* The same connection answers in full once the deadline is gone. */
    db_set_deadline(f.db, NULL);
    error_clear(&err);
    CHECK(count_rows(f.db, &count, &err) == STATUS_OK);
    CHECK(count == 1000000);
    fixture_close(&f);
}

static void
test_no_deadline_lets_query_finish(void)
{
    struct fixture f;
    struct error err;
    int64_t deadline = 0, count;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    error_clear(&err);
    CHECK(count_rows(f.db, &count, &err) == STATUS_OK);
    CHECK(count == 1000000);

    /* A deadline of 0 is no deadline at all. */
    db_set_deadline(f.db, &deadline);
    CHECK(count_rows(f.db, &count, &err) == STATUS_OK);
    CHECK(count == 1000000);

    /* A deadline a minute away does not stop a query of a moment. */
    deadline = clock_monotonic_us() + 60 * 1000000LL;
    CHECK(count_rows(f.db, &count, &err) == STATUS_OK);
    CHECK(count == 1000000);
    fixture_close(&f);
}

/* ---- store_open refusals ----------------------------------------------- */

static void
test_open_missing_dir_refused(void)
{
    char dir[256];
    struct store store;
    struct error err;
    struct stat st;

    next_dir(dir, sizeof(dir));
    error_clear(&err);
    CHECK(store_open(&store, dir, false, &err) == STATUS_NOT_FOUND);
    CHECK_STR(err.code, "DATA_DIR_MISSING");

    /* Refusing must not have made the directory on the way. */
    CHECK(stat(dir, &st) != 0);
}

static void
test_open_newer_schema_refused(void)
{
    char copy_dir[256], copy_path[320], vacuum[400], pragma[64];
    struct fixture f;
    struct store store;
    struct error err;
    sqlite3 *raw = NULL;
    int latest, newer;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* A migrated store is at the last migration the binary knows. */
    latest = user_version(f.db);
    CHECK(latest >= 1);
    newer = latest + 40;

    next_dir(copy_dir, sizeof(copy_dir));
    snprintf(copy_path, sizeof(copy_path), "%s/control.db", copy_dir);
    snprintf(vacuum, sizeof(vacuum), "VACUUM INTO '%s'", copy_path);
    CHECK(mkdir(copy_dir, 0700) == 0);
    CHECK(run_sql(f.db, vacuum));
    fixture_close(&f);

    snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", newer);
    CHECK(sqlite3_open_v2(copy_path, &raw, SQLITE_OPEN_READWRITE, NULL) ==
          SQLITE_OK);
    CHECK(run_sql(raw, pragma));
    sqlite3_close_v2(raw);
    raw = NULL;

    error_clear(&err);
    CHECK(store_open(&store, copy_dir, false, &err) == STATUS_CONFLICT);
    CHECK_STR(err.code, "STORE_TOO_NEW");
    CHECK(has_number(err.message, newer));
    CHECK(has_number(err.message, latest));

    /* The refusal leaves the newer store as it was. */
    CHECK(sqlite3_open_v2(copy_path, &raw, SQLITE_OPEN_READONLY, NULL) ==
          SQLITE_OK);
    CHECK(user_version(raw) == newer);
    sqlite3_close_v2(raw);
}

/* ---- pool and statement cache ------------------------------------------ */

static void
test_pool_hands_back_connections(void)
{
    struct fixture f;
    struct error err;
    sqlite3 *first, *again, *a = NULL, *b = NULL, *c = NULL, *d = NULL;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Released and acquired again: the very same connection. */
    first = f.db;
    store_release(&f.store, f.db);
    f.db = NULL;
    CHECK(store_acquire(&f.store, &again, &err) == STATUS_OK);
    CHECK(again == first);

    /* Two held at once are two connections; both go back to the pool. */
    a = again;
    CHECK(store_acquire(&f.store, &b, &err) == STATUS_OK);
    CHECK(b != NULL && b != a);
    store_release(&f.store, a);
    store_release(&f.store, b);
    CHECK(store_acquire(&f.store, &c, &err) == STATUS_OK);
    CHECK(store_acquire(&f.store, &d, &err) == STATUS_OK);
    CHECK(c != d);
    CHECK((c == a && d == b) || (c == b && d == a));
    store_release(&f.store, d);
    f.db = c;
    fixture_close(&f);
}

static void
test_cache_reuses_statements(void)
{
    struct fixture f;
    struct error err;
    sqlite3_stmt *one = NULL, *again = NULL, *busy = NULL, *two = NULL;
    sqlite3 *db;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);

    CHECK(sql_prepare(f.db, &one, &err, sql_one, "") == STATUS_OK);
    sql_done(one);
    CHECK(sql_prepare(f.db, &again, &err, sql_one, "") == STATUS_OK);
    CHECK(again != NULL && again == one);

    /* A statement still in use is not handed out a second time. */
    CHECK(sql_prepare(f.db, &busy, &err, sql_one, "") == STATUS_OK);
    CHECK(busy != NULL && busy != again);
    sql_done(busy);

    /* Another SQL literal is another statement. */
    CHECK(sql_prepare(f.db, &two, &err, sql_two, "") == STATUS_OK);
    CHECK(two != NULL && two != again);
    sql_done(two);
    sql_done(again);

    /* The cache travels with the pooled connection. */
    db = f.db;
    store_release(&f.store, f.db);
    f.db = NULL;
    CHECK(store_acquire(&f.store, &f.db, &err) == STATUS_OK);
    CHECK(f.db == db);
    CHECK(sql_prepare(f.db, &again, &err, sql_one, "") == STATUS_OK);
    CHECK(again == one);
    sql_done(again);
    fixture_close(&f);
}

/* ---- auth generation --------------------------------------------------- */

/*
 * Run one statement with the fixture's ids bound to :account and :user
 * (where it names them) and tell whether the auth generation moved.
 */
static bool
generation_moved(struct fixture *f, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int64_t before = store_auth_generation(f->db);
    int64_t after;
    int rc, idx;

    CHECK(before >= 0);
    rc = sqlite3_prepare_v2(f->db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        idx = sqlite3_bind_parameter_index(stmt, ":account");
        if (idx > 0) {
            sqlite3_bind_text(stmt, idx, f->account.id, -1, SQLITE_STATIC);
        }
        idx = sqlite3_bind_parameter_index(stmt, ":user");
        if (idx > 0) {
            sqlite3_bind_text(stmt, idx, f->user.id, -1, SQLITE_STATIC);
        }
        rc = sqlite3_step(stmt);
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "sql failed: %s: %s\n", sqlite3_errmsg(f->db), sql);
        CHECK(false);
    }
    sqlite3_finalize(stmt);

    after = store_auth_generation(f->db);
    CHECK(after >= 0);
    return after != before;
}

static void
test_generation_follows_auth_changes(void)
{
    static const char *const changes[][2] = {
        {"api key revoked",
         "UPDATE api_keys SET revoked_ms = 1700000000000 WHERE id = 'k1'"},
        {"membership added",
         "INSERT INTO memberships (account_id, user_id, created_ms) "
         "VALUES (:account, :user, 1)"},
        {"group member added",
         "INSERT INTO group_members (group_id, user_id) VALUES "
         "((SELECT id FROM groups WHERE account_id = :account "
         "AND name = 'Users'), :user)"},
        {"group member removed",
         "DELETE FROM group_members WHERE user_id = :user"},
        {"membership removed", "DELETE FROM memberships WHERE user_id = :user"},
        {"group renamed", "UPDATE groups SET name = 'Readers' "
                          "WHERE account_id = :account AND name = 'Users'"},
    };
    struct fixture f;

    if (!fixture_open_account(&f)) {
        CHECK(false);
        return;
    }

    /* A key to revoke; whether creating one moves the count is not asked. */
    (void)generation_moved(
        &f, "INSERT INTO api_keys (id, account_id, user_id, prefix, "
            "secret_hash, created_ms) VALUES ('k1', :account, :user, "
            "'gmd_k1', 'hash-k1', 1)");

    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        if (!generation_moved(&f, changes[i][1])) {
            fprintf(stderr, "  auth generation kept after: %s\n",
                    changes[i][0]);
            CHECK(false);
        }
    }
    fixture_close(&f);
}

static void
test_generation_ignores_audit(void)
{
    struct audit_entry entry = {0};
    struct fixture f;
    struct error err;
    int64_t before;

    if (!fixture_open_account(&f)) {
        CHECK(false);
        return;
    }

    entry.account_id = f.account.id;
    entry.actor_id = f.user.id;
    entry.actor_login = f.user.login;
    entry.event = "group.created";
    entry.target = "";
    entry.detail = "{}";
    entry.source_addr = "192.0.2.9";
    entry.request_id = "req-store-1";

    before = store_auth_generation(f.db);
    CHECK(before >= 0);
    error_clear(&err);
    CHECK(audit_append(f.db, &entry, &err) == STATUS_OK);
    CHECK(store_auth_generation(f.db) == before);

    /* Nor does a bare row, whatever path wrote it. */
    CHECK(!generation_moved(
        &f, "INSERT INTO audit_log VALUES (:account, 1000, 1, 'cli', 'cli', "
            "'account.updated', '', '{}', '', 'req', '', 'h')"));
    fixture_close(&f);
}

/* ---- main -------------------------------------------------------------- */

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

int
main(void)
{
    if (crypto_init() != 0 || mkdtemp(root) == NULL) {
        perror("setup");
        return 1;
    }
    log_init(LOG_ERROR, 2);

    RUN(test_deadline_passed_stops_query);
    RUN(test_no_deadline_lets_query_finish);
    RUN(test_open_missing_dir_refused);
    RUN(test_open_newer_schema_refused);
    RUN(test_pool_hands_back_connections);
    RUN(test_cache_reuses_statements);
    RUN(test_generation_follows_auth_changes);
    RUN(test_generation_ignores_audit);

    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return unit_finish("store");
}

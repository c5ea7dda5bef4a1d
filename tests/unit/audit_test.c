/*
 * audit_test.c - unit tests for src/audit/audit.c: appending entries to
 * the per-account chains, reading them back newest first, and the breaks
 * audit_verify() must find when a row is changed or removed behind the
 * application's back.
 *
 * Every test works on a fresh control store in a directory of its own
 * under one mkdtemp root, removed at the end.  Tampering goes through raw
 * SQL, the way an intruder with the database file would do it.
 */
#include "audit/audit.h"

#include "unit.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/random.h"
#include "store/control.h"

#define ACCOUNT_A "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define ACCOUNT_B "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define ZEROS \
    "0000000000000000000000000000000000000000000000000000000000000000"

static char root[] = "/tmp/ganymede-audit-test-XXXXXX";
static int fixture_count;

struct fixture {
    char dir[256];
    struct store store;
    sqlite3 *db;
    struct arena arena;
};

static bool
fixture_open(struct fixture *f)
{
    struct error err;

    snprintf(f->dir, sizeof(f->dir), "%s/%d", root, ++fixture_count);
    arena_init(&f->arena);
    error_clear(&err);
    if (store_open(&f->store, f->dir, true, &err) != STATUS_OK ||
        store_acquire(&f->store, &f->db, &err) != STATUS_OK) {
        fprintf(stderr, "could not open a store: %s\n", err.message);
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

static enum status
append(struct fixture *f, const char *account, const char *event,
       const char *detail, struct audit_entry *out)
{
    struct audit_entry e = {0};
    struct error err;
    enum status status;

    e.account_id = account;
    e.actor_id = "user-1";
    e.actor_login = "alice@example.com";
    e.event = event;
    e.target = "target-1";
    e.detail = detail;
    e.source_addr = "192.0.2.7";
    e.request_id = "req-1";
    error_clear(&err);
    status = audit_append(f->db, &e, &err);
    if (out != NULL) {
        *out = e;
    }
    return status;
}

/* Three entries in A and two in B, interleaved. */
static bool
append_two_accounts(struct fixture *f)
{
    return append(f, ACCOUNT_A, "group.created", "{\"n\":1}", NULL) ==
               STATUS_OK &&
           append(f, ACCOUNT_B, "login.success", "{}", NULL) == STATUS_OK &&
           append(f, ACCOUNT_A, "group.updated", "{\"n\":2}", NULL) ==
               STATUS_OK &&
           append(f, ACCOUNT_B, "logout", NULL, NULL) == STATUS_OK &&
           append(f, ACCOUNT_A, "group.deleted", "{\"n\":3}", NULL) ==
               STATUS_OK;
}

static bool
run_sql(struct fixture *f, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(f->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sql failed: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static void
test_append_fills_in_the_chain(void)
{
    struct audit_entry first, second, other;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(append(&f, ACCOUNT_A, "group.created", "{}", &first) ==
          STATUS_OK);
    CHECK(append(&f, ACCOUNT_B, "group.created", "{}", &other) ==
          STATUS_OK);
    CHECK(append(&f, ACCOUNT_A, "group.updated", "{}", &second) ==
          STATUS_OK);

    /* Each account starts its own chain at seq 1 and 64 zeros. */
    CHECK(first.seq == 1);
    CHECK(other.seq == 1);
    CHECK(second.seq == 2);
    CHECK_STR(first.prev_hash, ZEROS);
    CHECK_STR(other.prev_hash, ZEROS);
    CHECK_STR(second.prev_hash, first.hash);
    CHECK(strlen(first.hash) == SHA256_HEX_LEN);
    CHECK(strcmp(first.hash, other.hash) != 0);
    CHECK(first.ts_ms > 0 && second.ts_ms >= first.ts_ms);
    fixture_close(&f);
}

static void
test_list_newest_first(void)
{
    struct audit_entry *list = NULL;
    struct error err;
    struct fixture f;
    size_t count = 0;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(append_two_accounts(&f));
    error_clear(&err);
    CHECK(audit_list(f.db, &f.arena, ACCOUNT_A, 0, 10, &list, &count,
                     &err) == STATUS_OK);
    CHECK(count == 3);
    if (count == 3) {
        CHECK(list[0].seq == 3 && list[2].seq == 1);
        CHECK_STR(list[0].event, "group.deleted");
        CHECK_STR(list[2].detail, "{\"n\":1}");
        CHECK_STR(list[2].prev_hash, ZEROS);
        CHECK_STR(list[1].prev_hash, list[2].hash);
        CHECK_STR(list[0].account_id, ACCOUNT_A);
        CHECK_STR(list[0].source_addr, "192.0.2.7");
    }

    /* A page before seq 3, one entry long. */
    CHECK(audit_list(f.db, &f.arena, ACCOUNT_A, 3, 1, &list, &count,
                     &err) == STATUS_OK);
    CHECK(count == 1 && list[0].seq == 2);

    /* A NULL detail is stored as an empty object. */
    CHECK(audit_list(f.db, &f.arena, ACCOUNT_B, 0, 1, &list, &count,
                     &err) == STATUS_OK);
    CHECK(count == 1 && strcmp(list[0].detail, "{}") == 0);
    fixture_close(&f);
}

static void
test_verify_intact(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* An empty log is intact with nothing checked. */
    error_clear(&err);
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(!report.broken && report.checked == 0);

    CHECK(append_two_accounts(&f));
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(!report.broken);
    CHECK(report.checked == 5);
    CHECK(audit_verify(f.db, ACCOUNT_B, &report, &err) == STATUS_OK);
    CHECK(!report.broken && report.checked == 2);
    CHECK(audit_verify(f.db, "no-such-account", &report, &err) ==
          STATUS_OK);
    CHECK(!report.broken && report.checked == 0);
    fixture_close(&f);
}

static void
test_verify_finds_changed_detail(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(append_two_accounts(&f));
    CHECK(run_sql(&f, "UPDATE audit_log SET detail = '{\"n\":9}' WHERE "
                      "account_id = '" ACCOUNT_A "' AND seq = 2"));

    error_clear(&err);
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(report.broken);
    CHECK_STR(report.account_id, ACCOUNT_A);
    CHECK(report.seq == 2);
    CHECK(strstr(report.reason, "hash") != NULL);

    /* The other account's chain is still whole. */
    CHECK(audit_verify(f.db, ACCOUNT_B, &report, &err) == STATUS_OK);
    CHECK(!report.broken && report.checked == 2);

    /* Putting the text back mends the chain. */
    CHECK(run_sql(&f, "UPDATE audit_log SET detail = '{\"n\":2}' WHERE "
                      "account_id = '" ACCOUNT_A "' AND seq = 2"));
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(!report.broken && report.checked == 5);
    fixture_close(&f);
}

static void
test_verify_finds_changed_actor(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(append_two_accounts(&f));
    CHECK(run_sql(&f, "UPDATE audit_log SET actor_login = 'mallory' WHERE "
                      "account_id = '" ACCOUNT_B "' AND seq = 1"));

    error_clear(&err);
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(report.broken);
    CHECK_STR(report.account_id, ACCOUNT_B);
    CHECK(report.seq == 1);
    fixture_close(&f);
}

static void
test_verify_finds_rehashed_entry(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* A hash changed on its own is caught at that very entry. */
    CHECK(append_two_accounts(&f));
    CHECK(run_sql(&f, "UPDATE audit_log SET hash = '" ZEROS "' WHERE "
                      "account_id = '" ACCOUNT_A "' AND seq = 1"));
    error_clear(&err);
    CHECK(audit_verify(f.db, ACCOUNT_A, &report, &err) == STATUS_OK);
    CHECK(report.broken);
    CHECK(report.seq == 1);
    CHECK(report.checked == 0);
    fixture_close(&f);
}

static void
test_verify_finds_gap(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(append_two_accounts(&f));
    CHECK(run_sql(&f, "DELETE FROM audit_log WHERE account_id = '" ACCOUNT_A
                      "' AND seq = 2"));

    error_clear(&err);
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(report.broken);
    CHECK_STR(report.account_id, ACCOUNT_A);
    CHECK(report.seq == 3);
    CHECK(strstr(report.reason, "missing") != NULL);
    CHECK(audit_verify(f.db, ACCOUNT_A, &report, &err) == STATUS_OK);
    CHECK(report.broken && report.seq == 3 && report.checked == 1);
    fixture_close(&f);
}

static void
test_verify_finds_renumbered_gap(void)
{
    struct audit_report report;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Closing the gap by renumbering still breaks the hashes. */
    CHECK(append_two_accounts(&f));
    CHECK(run_sql(&f, "DELETE FROM audit_log WHERE account_id = '" ACCOUNT_A
                      "' AND seq = 2"));
    CHECK(run_sql(&f, "UPDATE audit_log SET seq = 2 WHERE account_id = '"
                      ACCOUNT_A "' AND seq = 3"));
    error_clear(&err);
    CHECK(audit_verify(f.db, NULL, &report, &err) == STATUS_OK);
    CHECK(report.broken);
    CHECK_STR(report.account_id, ACCOUNT_A);
    CHECK(report.seq == 2);
    fixture_close(&f);
}

static void
test_append_joins_callers_transaction(void)
{
    struct audit_entry *list = NULL;
    struct error err;
    struct fixture f;
    size_t count = 0;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Rolled back with the change it records. */
    error_clear(&err);
    CHECK(store_begin(f.db, &err) == STATUS_OK);
    CHECK(append(&f, ACCOUNT_A, "group.created", "{}", NULL) == STATUS_OK);
    store_rollback(f.db);
    CHECK(audit_list(f.db, &f.arena, ACCOUNT_A, 0, 10, &list, &count,
                     &err) == STATUS_OK);
    CHECK(count == 0);

    CHECK(store_begin(f.db, &err) == STATUS_OK);
    CHECK(append(&f, ACCOUNT_A, "group.created", "{}", NULL) == STATUS_OK);
    CHECK(store_commit(f.db, &err) == STATUS_OK);
    CHECK(audit_list(f.db, &f.arena, ACCOUNT_A, 0, 10, &list, &count,
                     &err) == STATUS_OK);
    CHECK(count == 1 && list[0].seq == 1);
    fixture_close(&f);
}

/* Remove a directory and everything under it. */
static void
remove_dir(const char *path)
{
    char child[512];
    struct dirent *ent;
    DIR *d = opendir(path);

    if (d == NULL) {
        return;
    }
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) {
            continue;
        }
        snprintf(child, sizeof(child), "%s/%s", path, ent->d_name);
        if (unlink(child) != 0) {
            remove_dir(child);
        }
    }
    closedir(d);
    rmdir(path);
}

int
main(void)
{
    if (crypto_init() != 0 || mkdtemp(root) == NULL) {
        perror("setup");
        return 1;
    }
    log_init(LOG_ERROR, 2);

    RUN(test_append_fills_in_the_chain);
    RUN(test_list_newest_first);
    RUN(test_verify_intact);
    RUN(test_verify_finds_changed_detail);
    RUN(test_verify_finds_changed_actor);
    RUN(test_verify_finds_rehashed_entry);
    RUN(test_verify_finds_gap);
    RUN(test_verify_finds_renumbered_gap);
    RUN(test_append_joins_callers_transaction);

    remove_dir(root);
    return unit_finish("audit");
}

/*
 * audit.c - appending to, reading and verifying the audit chain.
 *
 * The hash of an entry is SHA-256 over its fields, each written as its
 * length in decimal, a colon and its bytes, in a fixed order ending with
 * the previous entry's hash; the first entry of an account chains to 64
 * zeros.  Length prefixes make the encoding unambiguous, so no two
 * different entries hash the same text.
 */
#include "audit/audit.h"

#include "base/clock.h"
#include "store/sql.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char audit_genesis[SHA256_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void
audit_feed(crypto_hash_sha256_state *st, const char *value)
{
    char len[24];
    size_t n = value != NULL ? strlen(value) : 0;

    snprintf(len, sizeof(len), "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, strlen(len));
    if (n > 0) {
        crypto_hash_sha256_update(st, (const unsigned char *)value, n);
    }
}

static void
audit_hash(const struct audit_entry *e, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    char seq[24], ts[24];

    snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
    snprintf(ts, sizeof(ts), "%" PRId64, e->ts_ms);

    crypto_hash_sha256_init(&st);
    audit_feed(&st, e->account_id);
    audit_feed(&st, seq);
    audit_feed(&st, ts);
    audit_feed(&st, e->actor_id);
    audit_feed(&st, e->actor_login);
    audit_feed(&st, e->event);
    audit_feed(&st, e->target);
    audit_feed(&st, e->detail);
    audit_feed(&st, e->source_addr);
    audit_feed(&st, e->request_id);
    audit_feed(&st, e->prev_hash);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, h, sizeof(h));
}

static enum status
audit_insert(sqlite3 *db, struct audit_entry *e, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err,
                         "SELECT seq, hash FROM audit_log "
                         "WHERE account_id = ? ORDER BY seq DESC LIMIT 1",
                         "s", e->account_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && row) {
        e->seq = sql_int(stmt, 0) + 1;
        snprintf(e->prev_hash, sizeof(e->prev_hash), "%s",
                 (const char *)sqlite3_column_text(stmt, 1));
    } else {
        e->seq = 1;
        memcpy(e->prev_hash, audit_genesis, sizeof(e->prev_hash));
    }
    sql_done(stmt);
    if (status != STATUS_OK) {
        return status;
    }

    e->ts_ms = clock_now_ms();
    if (e->detail == NULL) {
        e->detail = "{}";
    }
    audit_hash(e, e->hash);

    return sql_exec(db, NULL, err,
                    "INSERT INTO audit_log (account_id, seq, ts_ms, "
                    "actor_id, actor_login, event, target, detail, "
                    "source_addr, request_id, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "siisssssssss", e->account_id, e->seq, e->ts_ms,
                    e->actor_id ? e->actor_id : "",
                    e->actor_login ? e->actor_login : "", e->event,
                    e->target ? e->target : "", e->detail,
                    e->source_addr ? e->source_addr : "",
                    e->request_id ? e->request_id : "", e->prev_hash,
                    e->hash);
}

enum status
audit_append(sqlite3 *db, struct audit_entry *entry, struct error *err)
{
    bool own = sqlite3_get_autocommit(db) != 0;
    enum status status;

    if (entry->actor_id == NULL) {
        entry->actor_id = "";
    }
    if (entry->actor_login == NULL) {
        entry->actor_login = "";
    }
    if (entry->target == NULL) {
        entry->target = "";
    }
    if (entry->source_addr == NULL) {
        entry->source_addr = "";
    }
    if (entry->request_id == NULL) {
        entry->request_id = "";
    }

    if (own) {
        status = sql_exec(db, NULL, err, "BEGIN IMMEDIATE", "");
        if (status != STATUS_OK) {
            return status;
        }
    }
    status = audit_insert(db, entry, err);
    if (own) {
        if (status == STATUS_OK) {
            status = sql_exec(db, NULL, err, "COMMIT", "");
        }
        if (status != STATUS_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    return status;
}

#define AUDIT_COLUMNS                                                       \
    "account_id, seq, ts_ms, actor_id, actor_login, event, target, "        \
    "detail, source_addr, request_id, prev_hash, hash"

static void
audit_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct audit_entry *e = row;
    const char *prev = (const char *)sqlite3_column_text(stmt, 10);
    const char *hash = (const char *)sqlite3_column_text(stmt, 11);

    e->account_id = sql_text(arena, stmt, 0);
    e->seq = sql_int(stmt, 1);
    e->ts_ms = sql_int(stmt, 2);
    e->actor_id = sql_text(arena, stmt, 3);
    e->actor_login = sql_text(arena, stmt, 4);
    e->event = sql_text(arena, stmt, 5);
    e->target = sql_text(arena, stmt, 6);
    e->detail = sql_text(arena, stmt, 7);
    e->source_addr = sql_text(arena, stmt, 8);
    e->request_id = sql_text(arena, stmt, 9);
    snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", prev ? prev : "");
    snprintf(e->hash, sizeof(e->hash), "%s", hash ? hash : "");
}

enum status
audit_list(sqlite3 *db, struct arena *arena, const char *account_id,
           int64_t before, int limit, struct audit_entry **out,
           size_t *count, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    *out = NULL;
    status = sql_prepare(db, &stmt, err,
                         "SELECT " AUDIT_COLUMNS " FROM audit_log "
                         "WHERE account_id = ?1 AND (?2 = 0 OR seq < ?2) "
                         "ORDER BY seq DESC LIMIT ?3",
                         "sii", account_id, before, (int64_t)limit);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), audit_read, &rows, count,
                         err);
    *out = rows;
    return status;
}

/* Walk one account's chain in order, stopping at the first break. */
static enum status
audit_verify_account(sqlite3 *db, struct arena *arena, const char *account_id,
                     struct audit_report *report, struct error *err)
{
    char expected_prev[SHA256_HEX_LEN + 1];
    char computed[SHA256_HEX_LEN + 1];
    struct audit_entry e;
    sqlite3_stmt *stmt;
    enum status status;
    int64_t expected_seq = 1;
    bool row;

    memcpy(expected_prev, audit_genesis, sizeof(expected_prev));
    status = sql_prepare(db, &stmt, err,
                         "SELECT " AUDIT_COLUMNS " FROM audit_log "
                         "WHERE account_id = ? ORDER BY seq",
                         "s", account_id);
    if (status != STATUS_OK) {
        return status;
    }

    while (!report->broken &&
           (status = sql_step(stmt, &row, err)) == STATUS_OK && row) {
        const char *reason = NULL;

        audit_read(arena, stmt, &e);
        audit_hash(&e, computed);
        if (e.seq != expected_seq) {
            reason = "an entry is missing before this one";
        } else if (strcmp(e.prev_hash, expected_prev) != 0) {
            reason = "it does not chain to the entry before it";
        } else if (strcmp(e.hash, computed) != 0) {
            reason = "its contents do not match its hash";
        }
        if (reason != NULL) {
            report->broken = true;
            report->seq = e.seq;
            snprintf(report->account_id, sizeof(report->account_id), "%s",
                     account_id);
            snprintf(report->reason, sizeof(report->reason), "%s", reason);
            break;
        }

        report->checked++;
        memcpy(expected_prev, e.hash, sizeof(expected_prev));
        expected_seq++;
    }
    sql_done(stmt);
    return status;
}

enum status
audit_verify(sqlite3 *db, const char *account_id,
             struct audit_report *report, struct error *err)
{
    struct arena arena;
    sqlite3_stmt *stmt = NULL;
    enum status status = STATUS_OK;
    bool row;

    memset(report, 0, sizeof(*report));
    arena_init(&arena);

    if (account_id != NULL) {
        status = audit_verify_account(db, &arena, account_id, report, err);
        goto out;
    }

    status = sql_prepare(db, &stmt, err,
                         "SELECT DISTINCT account_id FROM audit_log "
                         "ORDER BY account_id",
                         "");
    if (status != STATUS_OK) {
        goto out;
    }
    while (!report->broken &&
           (status = sql_step(stmt, &row, err)) == STATUS_OK && row) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);

        status = audit_verify_account(db, &arena, id, report, err);
        if (status != STATUS_OK) {
            break;
        }
    }

out:
    sql_done(stmt);
    arena_release(&arena);
    return status;
}

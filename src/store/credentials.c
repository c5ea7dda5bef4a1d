/*
 * credentials.c - API keys, sessions, invitations and the login throttle.
 */
#include "store/credentials.h"

#include "store/sql.h"

/* ---- API keys ---------------------------------------------------------- */

#define APIKEY_COLUMNS                                                      \
    "id, account_id, user_id, name, prefix, created_ms, "                   \
    "coalesce(expires_ms, 0), coalesce(last_used_ms, 0), "                  \
    "coalesce(revoked_ms, 0)"

static void
apikey_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct apikey *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->account_id = sql_text(arena, stmt, 1);
    out->user_id = sql_text(arena, stmt, 2);
    out->name = sql_text(arena, stmt, 3);
    out->prefix = sql_text(arena, stmt, 4);
    out->created_ms = sql_int(stmt, 5);
    out->expires_ms = sql_int(stmt, 6);
    out->last_used_ms = sql_int(stmt, 7);
    out->revoked_ms = sql_int(stmt, 8);
}

enum status
apikey_insert(sqlite3 *db, const struct apikey *key, const char *secret_hash,
              struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO api_keys (id, account_id, user_id, name, "
                    "prefix, secret_hash, created_ms, expires_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    "ssssssin", key->id, key->account_id, key->user_id,
                    key->name, key->prefix, secret_hash, key->created_ms,
                    key->expires_ms);
}

static enum status
apikey_get_one(sqlite3 *db, struct arena *arena, sqlite3_stmt *stmt,
               struct apikey *out, struct error *err)
{
    enum status status;
    bool row;

    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such API key");
    }
    if (status == STATUS_OK) {
        apikey_read(arena, stmt, out);
    }
    sql_done(stmt);
    return status;
}

enum status
apikey_get(sqlite3 *db, struct arena *arena, const char *account_id,
           const char *id, struct apikey *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;

    status = sql_prepare(db, &stmt, err,
                         "SELECT " APIKEY_COLUMNS " FROM api_keys "
                         "WHERE account_id = ? AND id = ?",
                         "ss", account_id, id);
    if (status != STATUS_OK) {
        return status;
    }
    return apikey_get_one(db, arena, stmt, out, err);
}

enum status
apikey_find_by_hash(sqlite3 *db, struct arena *arena, const char *secret_hash,
                    struct apikey *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;

    status = sql_prepare(db, &stmt, err,
                         "SELECT " APIKEY_COLUMNS " FROM api_keys "
                         "WHERE secret_hash = ?",
                         "s", secret_hash);
    if (status != STATUS_OK) {
        return status;
    }
    return apikey_get_one(db, arena, stmt, out, err);
}

enum status
apikey_list(sqlite3 *db, struct arena *arena, const char *account_id,
            const char *user_id, struct apikey **out, size_t *count,
            struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT " APIKEY_COLUMNS " FROM api_keys "
                         "WHERE account_id = ?1 AND "
                         "(?2 IS NULL OR user_id = ?2) "
                         "ORDER BY created_ms DESC, id",
                         "ss", account_id, user_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), apikey_read, &rows,
                         count, err);
    *out = rows;
    return status;
}

enum status
apikey_revoke(sqlite3 *db, const char *account_id, const char *id,
              int64_t now_ms, struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "UPDATE api_keys SET revoked_ms = coalesce(revoked_ms, "
                      "?) WHERE account_id = ? AND id = ?",
                      "iss", now_ms, account_id, id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such API key");
    }
    return status;
}

void
apikey_touch(sqlite3 *db, const char *id, int64_t now_ms)
{
    /* Once a minute is precise enough and keeps reads from writing. */
    sql_exec(db, NULL, NULL,
             "UPDATE api_keys SET last_used_ms = ?1 WHERE id = ?2 AND "
             "(last_used_ms IS NULL OR last_used_ms < ?1 - 60000)",
             "is", now_ms, id);
}

/* ---- sessions ---------------------------------------------------------- */

enum status
session_insert(sqlite3 *db, const struct session *s, struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO sessions (token_hash, user_id, account_id, "
                    "csrf_token, auth_method, created_ms, last_seen_ms, "
                    "expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    "sssssiii", s->token_hash, s->user_id, s->account_id,
                    s->csrf_token, s->auth_method, s->created_ms,
                    s->last_seen_ms, s->expires_ms);
}

enum status
session_find(sqlite3 *db, struct arena *arena, const char *token_hash,
             struct session *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err,
                         "SELECT token_hash, user_id, account_id, "
                         "csrf_token, auth_method, created_ms, "
                         "last_seen_ms, expires_ms FROM sessions "
                         "WHERE token_hash = ?",
                         "s", token_hash);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such session");
    }
    if (status == STATUS_OK) {
        out->token_hash = sql_text(arena, stmt, 0);
        out->user_id = sql_text(arena, stmt, 1);
        out->account_id = sql_text(arena, stmt, 2);
        out->csrf_token = sql_text(arena, stmt, 3);
        out->auth_method = sql_text(arena, stmt, 4);
        out->created_ms = sql_int(stmt, 5);
        out->last_seen_ms = sql_int(stmt, 6);
        out->expires_ms = sql_int(stmt, 7);
    }
    sql_done(stmt);
    return status;
}

void
session_touch(sqlite3 *db, const char *token_hash, int64_t now_ms)
{
    sql_exec(db, NULL, NULL,
             "UPDATE sessions SET last_seen_ms = ?1 WHERE token_hash = ?2 "
             "AND last_seen_ms < ?1 - 10000",
             "is", now_ms, token_hash);
}

enum status
session_delete(sqlite3 *db, const char *token_hash, struct error *err)
{
    return sql_exec(db, NULL, err,
                    "DELETE FROM sessions WHERE token_hash = ?", "s",
                    token_hash);
}

/* ---- invitations ------------------------------------------------------- */

#define INVITATION_COLUMNS                                                  \
    "id, account_id, email, invited_by, created_ms, expires_ms, "           \
    "coalesce(accepted_ms, 0), coalesce(revoked_ms, 0)"

static void
invitation_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct invitation *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->account_id = sql_text(arena, stmt, 1);
    out->email = sql_text(arena, stmt, 2);
    out->invited_by = sql_text(arena, stmt, 3);
    out->created_ms = sql_int(stmt, 4);
    out->expires_ms = sql_int(stmt, 5);
    out->accepted_ms = sql_int(stmt, 6);
    out->revoked_ms = sql_int(stmt, 7);
}

enum status
invitation_insert(sqlite3 *db, const struct invitation *inv,
                  const char *token_hash, const char *groups_json,
                  struct error *err)
{
    return sql_exec(db, NULL, err,
                    "INSERT INTO invitations (id, account_id, email, "
                    "token_hash, invited_by, groups, created_ms, "
                    "expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    "ssssssii", inv->id, inv->account_id, inv->email,
                    token_hash, inv->invited_by, groups_json,
                    inv->created_ms, inv->expires_ms);
}

enum status
invitation_get(sqlite3 *db, struct arena *arena, const char *account_id,
               const char *id, struct invitation *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err,
                         "SELECT " INVITATION_COLUMNS " FROM invitations "
                         "WHERE account_id = ? AND id = ?",
                         "ss", account_id, id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL,
                           "no such invitation");
    }
    if (status == STATUS_OK) {
        invitation_read(arena, stmt, out);
    }
    sql_done(stmt);
    return status;
}

enum status
invitation_find_by_hash(sqlite3 *db, struct arena *arena,
                        const char *token_hash, struct invitation *out,
                        char **groups, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err,
                         "SELECT " INVITATION_COLUMNS ", groups "
                         "FROM invitations WHERE token_hash = ?",
                         "s", token_hash);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL,
                           "no such invitation");
    }
    if (status == STATUS_OK) {
        invitation_read(arena, stmt, out);
        *groups = sql_text(arena, stmt, 8);
    }
    sql_done(stmt);
    return status;
}

enum status
invitation_list(sqlite3 *db, struct arena *arena, const char *account_id,
                struct invitation **out, size_t *count, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT " INVITATION_COLUMNS " FROM invitations "
                         "WHERE account_id = ? ORDER BY created_ms DESC",
                         "s", account_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), invitation_read, &rows,
                         count, err);
    *out = rows;
    return status;
}

enum status
invitation_mark(sqlite3 *db, const char *id, bool accepted, int64_t now_ms,
                struct error *err)
{
    int changes = 0;
    enum status status;

    /* Only a pending invitation changes state, and only once. */
    status = sql_exec(db, &changes, err,
                      accepted ? "UPDATE invitations SET accepted_ms = ? "
                                 "WHERE id = ? AND accepted_ms IS NULL "
                                 "AND revoked_ms IS NULL"
                               : "UPDATE invitations SET revoked_ms = ? "
                                 "WHERE id = ? AND accepted_ms IS NULL "
                                 "AND revoked_ms IS NULL",
                      "is", now_ms, id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_CONFLICT, "INVITATION_NOT_PENDING",
                           "the invitation is no longer pending");
    }
    return status;
}

/* ---- login throttle ---------------------------------------------------- */

int64_t
throttle_locked(sqlite3 *db, const char *key, int64_t now_ms)
{
    sqlite3_stmt *stmt;
    int64_t until = 0;
    bool row = false;

    if (sql_prepare(db, &stmt, NULL,
                    "SELECT locked_until_ms FROM login_throttle "
                    "WHERE key = ?",
                    "s", key) != STATUS_OK) {
        return 0;
    }
    if (sql_step(stmt, &row, NULL) == STATUS_OK && row) {
        until = sql_int(stmt, 0);
    }
    sql_done(stmt);
    return until > now_ms ? until : 0;
}

void
throttle_fail(sqlite3 *db, const char *key, int64_t now_ms,
              int64_t threshold, int64_t window_ms, int64_t lock_ms)
{
    /* A failure outside the window starts a new count. */
    sql_exec(db, NULL, NULL,
             "INSERT INTO login_throttle (key, failures, window_start_ms) "
             "VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
             "failures = CASE WHEN window_start_ms < ?2 - ?3 THEN 1 "
             "ELSE failures + 1 END, "
             "window_start_ms = CASE WHEN window_start_ms < ?2 - ?3 "
             "THEN ?2 ELSE window_start_ms END",
             "sii", key, now_ms, window_ms);
    sql_exec(db, NULL, NULL,
             "UPDATE login_throttle SET locked_until_ms = ?2 + ?3, "
             "failures = 0, window_start_ms = ?2 "
             "WHERE key = ?1 AND failures >= ?4",
             "siii", key, now_ms, lock_ms, threshold);
}

void
throttle_reset(sqlite3 *db, const char *key)
{
    sql_exec(db, NULL, NULL,
             "DELETE FROM login_throttle WHERE key = ? AND "
             "locked_until_ms = 0",
             "s", key);
}

enum status
session_delete_for_user(sqlite3 *db, const char *user_id, int *count,
                        struct error *err)
{
    return sql_exec(db, count, err, "DELETE FROM sessions WHERE user_id = ?",
                    "s", user_id);
}

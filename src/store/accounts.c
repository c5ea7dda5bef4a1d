/*
 * accounts.c - accounts, users, memberships, groups and policy bindings in
 * the control store.
 */
#include "store/accounts.h"

#include "access/access.h"
#include "base/clock.h"
#include "crypto/random.h"
#include "store/sql.h"

#include <stdlib.h>
#include <string.h>

/* ---- accounts ---------------------------------------------------------- */

static void
account_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct account *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->name = sql_text(arena, stmt, 1);
    out->created_ms = sql_int(stmt, 2);
}

static enum status
account_bind_group(sqlite3 *db, struct arena *arena, const char *account_id,
                   const char *name, const char *description,
                   const char *policy_id, struct error *err)
{
    struct group group;
    enum status status;

    status = group_create(db, arena, account_id, name, description, true,
                          &group, err);
    if (status != STATUS_OK) {
        return status;
    }
    return sql_exec(db, NULL, err,
                    "INSERT INTO group_policies (group_id, policy_id) "
                    "VALUES (?, ?)",
                    "ss", group.id, policy_id);
}

enum status
account_create(sqlite3 *db, struct arena *arena, const char *id,
               const char *name, struct account *out, struct error *err)
{
    char uuid[UUID_LEN + 1];
    int64_t now = clock_now_ms();
    enum status status;

    if (id == NULL) {
        random_uuid(uuid);
        id = uuid;
    }

    /* The predefined policies are shared rows, made once. */
    status = sql_exec(db, NULL, err,
                      "INSERT OR IGNORE INTO policies "
                      "(id, account_id, name, document, predefined, "
                      "created_ms) VALUES (?, NULL, 'Read-Only', ?, 1, ?), "
                      "(?, NULL, 'Full-Access', ?, 1, ?)",
                      "ssissi", ACCESS_POLICY_READ_ONLY_ID,
                      access_policy_read_only, now,
                      ACCESS_POLICY_FULL_ACCESS_ID,
                      access_policy_full_access, now);
    if (status != STATUS_OK) {
        return status;
    }

    status = sql_exec(db, NULL, err,
                      "INSERT INTO accounts (id, name, created_ms) "
                      "VALUES (?, ?, ?)",
                      "ssi", id, name, now);
    if (status == STATUS_CONFLICT) {
        return error_set(err, STATUS_CONFLICT, "CONFLICT",
                         "an account with that id already exists");
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = account_bind_group(db, arena, id, GROUP_USERS,
                                "Every member: read-only access",
                                ACCESS_POLICY_READ_ONLY_ID, err);
    if (status == STATUS_OK) {
        status = account_bind_group(db, arena, id, GROUP_ADMINISTRATORS,
                                    "Full access to the account",
                                    ACCESS_POLICY_FULL_ACCESS_ID, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    out->id = arena_strdup(arena, id);
    out->name = arena_strdup(arena, name);
    out->created_ms = now;
    if (out->id == NULL || out->name == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

enum status
account_get(sqlite3 *db, struct arena *arena, const char *id,
            struct account *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err,
                         "SELECT id, name, created_ms FROM accounts "
                         "WHERE id = ?",
                         "s", id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such account");
    }
    if (status == STATUS_OK) {
        account_read(arena, stmt, out);
    }
    sql_done(stmt);
    return status;
}

enum status
account_rename(sqlite3 *db, const char *id, const char *name,
               struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "UPDATE accounts SET name = ? WHERE id = ?", "ss", name,
                      id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such account");
    }
    return status;
}

enum status
account_list(sqlite3 *db, struct arena *arena, const char *user_id,
             struct account **out, size_t *count, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    if (user_id != NULL) {
        status = sql_prepare(db, &stmt, err,
                             "SELECT a.id, a.name, a.created_ms "
                             "FROM accounts a JOIN memberships m "
                             "ON m.account_id = a.id WHERE m.user_id = ? "
                             "ORDER BY m.created_ms, m.account_id",
                             "s", user_id);
    } else {
        status = sql_prepare(db, &stmt, err,
                             "SELECT id, name, created_ms FROM accounts "
                             "ORDER BY created_ms, id",
                             "");
    }
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), account_read, &rows,
                         count, err);
    *out = rows;
    return status;
}

/* ---- users ------------------------------------------------------------- */

#define USER_COLUMNS \
    "u.id, u.login, u.name, u.password_hash, u.is_support, u.created_ms"

static void
user_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct user *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->login = sql_text(arena, stmt, 1);
    out->name = sql_text(arena, stmt, 2);
    out->password_hash = sql_text(arena, stmt, 3);
    out->is_support = sql_int(stmt, 4) != 0;
    out->created_ms = sql_int(stmt, 5);
}

enum status
user_create(sqlite3 *db, struct arena *arena, const char *login,
            const char *name, const char *password_hash, bool is_support,
            struct user *out, struct error *err)
{
    char id[UUID_LEN + 1];
    enum status status;

    random_uuid(id);
    status = sql_exec(db, NULL, err,
                      "INSERT INTO users (id, login, name, password_hash, "
                      "is_support, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
                      "ssssii", id, login, name != NULL ? name : "",
                      password_hash, (int64_t)is_support, clock_now_ms());
    if (status == STATUS_CONFLICT) {
        return error_set(err, STATUS_CONFLICT, "CONFLICT",
                         "a user with that login already exists");
    }
    if (status != STATUS_OK) {
        return status;
    }
    return user_get(db, arena, id, out, err);
}

static enum status
user_get_where(sqlite3 *db, struct arena *arena, const char *sql,
               const char *value, struct user *out, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err, sql, "s", value);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such user");
    }
    if (status == STATUS_OK) {
        user_read(arena, stmt, out);
    }
    sql_done(stmt);
    return status;
}

enum status
user_get(sqlite3 *db, struct arena *arena, const char *id, struct user *out,
         struct error *err)
{
    return user_get_where(db, arena,
                          "SELECT " USER_COLUMNS " FROM users u "
                          "WHERE u.id = ?",
                          id, out, err);
}

enum status
user_get_by_login(sqlite3 *db, struct arena *arena, const char *login,
                  struct user *out, struct error *err)
{
    return user_get_where(db, arena,
                          "SELECT " USER_COLUMNS " FROM users u "
                          "WHERE u.login = ?",
                          login, out, err);
}

enum status
user_set_password(sqlite3 *db, const char *user_id, const char *password_hash,
                  struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "UPDATE users SET password_hash = ? WHERE id = ?", "ss",
                      password_hash, user_id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such user");
    }
    return status;
}

static enum status
user_collect(struct arena *arena, sqlite3_stmt *stmt, struct user **out,
             size_t *count, struct error *err)
{
    enum status status;
    void *rows;

    status = sql_collect(stmt, arena, sizeof(**out), user_read, &rows, count,
                         err);
    *out = rows;
    return status;
}

enum status
user_list(sqlite3 *db, struct arena *arena, const char *account_id,
          struct user **out, size_t *count, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;

    if (account_id != NULL) {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " USER_COLUMNS " FROM users u "
                             "JOIN memberships m ON m.user_id = u.id "
                             "WHERE m.account_id = ? ORDER BY u.login",
                             "s", account_id);
    } else {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " USER_COLUMNS " FROM users u "
                             "ORDER BY u.login",
                             "");
    }
    if (status != STATUS_OK) {
        *count = 0;
        return status;
    }
    return user_collect(arena, stmt, out, count, err);
}

/* ---- memberships ------------------------------------------------------- */

enum status
membership_add(sqlite3 *db, const char *account_id, const char *user_id,
               struct error *err)
{
    enum status status;

    status = sql_exec(db, NULL, err,
                      "INSERT OR IGNORE INTO memberships "
                      "(account_id, user_id, created_ms) VALUES (?, ?, ?)",
                      "ssi", account_id, user_id, clock_now_ms());
    if (status != STATUS_OK) {
        return status;
    }
    return sql_exec(db, NULL, err,
                    "INSERT OR IGNORE INTO group_members (group_id, user_id) "
                    "SELECT id, ? FROM groups "
                    "WHERE account_id = ? AND name = '" GROUP_USERS
                    "' AND predefined = 1",
                    "ss", user_id, account_id);
}

enum status
membership_remove(sqlite3 *db, const char *account_id, const char *user_id,
                  struct error *err)
{
    static const char *const steps[] = {
        ("DELETE FROM group_members WHERE user_id = ?1 AND group_id IN "
         "(SELECT id FROM groups WHERE account_id = ?2)"),
        "DELETE FROM api_keys WHERE user_id = ?1 AND account_id = ?2",
        "DELETE FROM sessions WHERE user_id = ?1 AND account_id = ?2",
        "DELETE FROM memberships WHERE user_id = ?1 AND account_id = ?2",
    };
    enum status status = STATUS_OK;
    int changes = 0;

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        status = sql_exec(db, &changes, err, steps[i], "ss", user_id,
                          account_id);
        if (status != STATUS_OK) {
            return status;
        }
    }
    if (changes == 0) {
        return error_set(err, STATUS_NOT_FOUND, NULL, "no such user");
    }
    return STATUS_OK;
}

bool
membership_exists(sqlite3 *db, const char *account_id, const char *user_id)
{
    sqlite3_stmt *stmt;
    bool row = false;

    if (sql_prepare(db, &stmt, NULL,
                    "SELECT 1 FROM memberships "
                    "WHERE account_id = ? AND user_id = ?",
                    "ss", account_id, user_id) != STATUS_OK) {
        return false;
    }
    if (sql_step(stmt, &row, NULL) != STATUS_OK) {
        row = false;
    }
    sql_done(stmt);
    return row;
}

/* ---- groups ------------------------------------------------------------ */

#define GROUP_COLUMNS                                                       \
    "g.id, g.account_id, g.name, g.description, g.predefined, "             \
    "g.created_ms, (SELECT count(*) FROM group_members gm "                 \
    "WHERE gm.group_id = g.id)"

static void
group_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct group *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->account_id = sql_text(arena, stmt, 1);
    out->name = sql_text(arena, stmt, 2);
    out->description = sql_text(arena, stmt, 3);
    out->predefined = sql_int(stmt, 4) != 0;
    out->created_ms = sql_int(stmt, 5);
    out->member_count = sql_int(stmt, 6);
}

enum status
group_create(sqlite3 *db, struct arena *arena, const char *account_id,
             const char *name, const char *description, bool predefined,
             struct group *out, struct error *err)
{
    char id[UUID_LEN + 1];
    enum status status;

    random_uuid(id);
    status = sql_exec(db, NULL, err,
                      "INSERT INTO groups (id, account_id, name, "
                      "description, predefined, created_ms) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      "ssssii", id, account_id, name,
                      description != NULL ? description : "",
                      (int64_t)predefined, clock_now_ms());
    if (status == STATUS_CONFLICT) {
        return error_set(err, STATUS_CONFLICT, "CONFLICT",
                         "a group with that name already exists");
    }
    if (status != STATUS_OK) {
        return status;
    }
    return group_get(db, arena, account_id, id, out, err);
}

static enum status
group_get_where(sqlite3 *db, struct arena *arena, const char *sql,
                const char *account_id, const char *value, struct group *out,
                struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    bool row;

    status = sql_prepare(db, &stmt, err, sql, "ss", account_id, value);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such group");
    }
    if (status == STATUS_OK) {
        group_read(arena, stmt, out);
    }
    sql_done(stmt);
    return status;
}

enum status
group_get(sqlite3 *db, struct arena *arena, const char *account_id,
          const char *id, struct group *out, struct error *err)
{
    return group_get_where(db, arena,
                           "SELECT " GROUP_COLUMNS " FROM groups g "
                           "WHERE g.account_id = ? AND g.id = ?",
                           account_id, id, out, err);
}

enum status
group_get_by_name(sqlite3 *db, struct arena *arena, const char *account_id,
                  const char *name, struct group *out, struct error *err)
{
    return group_get_where(db, arena,
                           "SELECT " GROUP_COLUMNS " FROM groups g "
                           "WHERE g.account_id = ? AND g.name = ?",
                           account_id, name, out, err);
}

enum status
group_list(sqlite3 *db, struct arena *arena, const char *account_id,
           const char *user_id, struct group **out, size_t *count,
           struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT " GROUP_COLUMNS " FROM groups g "
                         "WHERE g.account_id = ?1 AND (?2 IS NULL OR "
                         "EXISTS (SELECT 1 FROM group_members gm "
                         "WHERE gm.group_id = g.id AND gm.user_id = ?2)) "
                         "ORDER BY g.predefined DESC, g.name",
                         "ss", account_id, user_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), group_read, &rows, count,
                         err);
    *out = rows;
    return status;
}

/* A group row of id and name only, as group_memberships reads it. */
static void
group_read_name(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct group *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->name = sql_text(arena, stmt, 1);
}

static int
group_by_name(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    return strcmp(x->name, y->name);
}

enum status
group_memberships(sqlite3 *db, struct arena *arena, const char *account_id,
                  const char *user_id, struct group **out, size_t *count,
                  struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT g.id, g.name FROM groups g "
                         "JOIN group_members gm ON gm.group_id = g.id "
                         "WHERE g.account_id = ? AND gm.user_id = ?",
                         "ss", account_id, user_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), group_read_name, &rows,
                         count, err);

    /* A handful of rows: sorting here spares SQLite a sorter. */
    if (rows != NULL) {
        qsort(rows, *count, sizeof(**out), group_by_name);
    }
    *out = rows;
    return status;
}

enum status
group_update(sqlite3 *db, const char *account_id, const char *id,
             const char *name, const char *description, struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "UPDATE groups SET name = coalesce(?, name), "
                      "description = coalesce(?, description) "
                      "WHERE account_id = ? AND id = ?",
                      "ssss", name, description, account_id, id);
    if (status == STATUS_CONFLICT) {
        return error_set(err, STATUS_CONFLICT, "CONFLICT",
                         "a group with that name already exists");
    }
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such group");
    }
    return status;
}

enum status
group_delete(sqlite3 *db, const char *account_id, const char *id,
             struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "DELETE FROM groups WHERE account_id = ? AND id = ?",
                      "ss", account_id, id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such group");
    }
    return status;
}

enum status
group_member_add(sqlite3 *db, const char *account_id, const char *group_id,
                 const char *user_id, struct error *err)
{
    int changes = 0;
    enum status status;

    /* Both the group and the membership must belong to the account. */
    status = sql_exec(db, &changes, err,
                      "INSERT OR IGNORE INTO group_members "
                      "(group_id, user_id) SELECT g.id, m.user_id "
                      "FROM groups g JOIN memberships m "
                      "ON m.account_id = g.account_id "
                      "WHERE g.account_id = ? AND g.id = ? "
                      "AND m.user_id = ?",
                      "sss", account_id, group_id, user_id);
    if (status == STATUS_OK && changes == 0 &&
        !membership_exists(db, account_id, user_id)) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such user");
    }
    return status;
}

enum status
group_member_remove(sqlite3 *db, const char *account_id,
                    const char *group_id, const char *user_id,
                    struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "DELETE FROM group_members WHERE user_id = ? AND "
                      "group_id = (SELECT id FROM groups "
                      "WHERE account_id = ? AND id = ?)",
                      "sss", user_id, account_id, group_id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL,
                           "no such member of the group");
    }
    return status;
}

enum status
group_members(sqlite3 *db, struct arena *arena, const char *account_id,
              const char *group_id, struct user **out, size_t *count,
              struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;

    status = sql_prepare(db, &stmt, err,
                         "SELECT " USER_COLUMNS " FROM users u "
                         "JOIN group_members gm ON gm.user_id = u.id "
                         "JOIN groups g ON g.id = gm.group_id "
                         "WHERE g.account_id = ? AND g.id = ? "
                         "ORDER BY u.login",
                         "ss", account_id, group_id);
    if (status != STATUS_OK) {
        *count = 0;
        return status;
    }
    return user_collect(arena, stmt, out, count, err);
}

static void
policy_ref_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    struct policy_ref *out = row;

    out->id = sql_text(arena, stmt, 0);
    out->name = sql_text(arena, stmt, 1);
}

enum status
group_policies(sqlite3 *db, struct arena *arena, const char *group_id,
               struct policy_ref **out, size_t *count, struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT p.id, p.name FROM policies p "
                         "JOIN group_policies gp ON gp.policy_id = p.id "
                         "WHERE gp.group_id = ? ORDER BY p.name",
                         "s", group_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), policy_ref_read, &rows,
                         count, err);
    *out = rows;
    return status;
}

bool
group_is_last_administrator(sqlite3 *db, const char *account_id,
                            const char *user_id)
{
    sqlite3_stmt *stmt;
    bool row = false;
    bool last = false;

    if (sql_prepare(db, &stmt, NULL,
                    "SELECT count(*), sum(gm.user_id = ?) "
                    "FROM group_members gm JOIN groups g "
                    "ON g.id = gm.group_id WHERE g.account_id = ? "
                    "AND g.name = '" GROUP_ADMINISTRATORS
                    "' AND g.predefined = 1",
                    "ss", user_id, account_id) != STATUS_OK) {
        return true; /* when unsure, protect the account */
    }
    if (sql_step(stmt, &row, NULL) == STATUS_OK && row) {
        last = sql_int(stmt, 0) <= 1 && sql_int(stmt, 1) >= 1;
    } else {
        last = true;
    }
    sql_done(stmt);
    return last;
}

/* One policy document: the row is a char * slot. */
static void
policy_document_read(struct arena *arena, sqlite3_stmt *stmt, void *row)
{
    char **out = row;

    *out = sql_text(arena, stmt, 0);
}

enum status
policy_documents(sqlite3 *db, struct arena *arena, const char *account_id,
                 const char *user_id, char ***out, size_t *count,
                 struct error *err)
{
    sqlite3_stmt *stmt;
    enum status status;
    void *rows;

    *count = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT DISTINCT p.document FROM policies p "
                         "JOIN group_policies gp ON gp.policy_id = p.id "
                         "JOIN group_members gm ON gm.group_id = gp.group_id "
                         "JOIN groups g ON g.id = gm.group_id "
                         "WHERE g.account_id = ? AND gm.user_id = ? "
                         "AND (p.account_id IS NULL OR p.account_id = ?)",
                         "sss", account_id, user_id, account_id);
    if (status != STATUS_OK) {
        return status;
    }
    status = sql_collect(stmt, arena, sizeof(**out), policy_document_read,
                         &rows, count, err);
    *out = rows;
    return status;
}

/* ---- settings ----------------------------------------------------------- */

const char *
account_validation_name(enum account_validation value)
{
    return value == ACCOUNT_VALIDATION_STRICT ? "strict" : "warn";
}

bool
account_validation_parse(const char *name, enum account_validation *out)
{
    if (strcmp(name, "warn") == 0) {
        *out = ACCOUNT_VALIDATION_WARN;
        return true;
    }
    if (strcmp(name, "strict") == 0) {
        *out = ACCOUNT_VALIDATION_STRICT;
        return true;
    }
    return false;
}

enum status
account_get_validation(sqlite3 *db, const char *id,
                       enum account_validation *out, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    const unsigned char *text;
    enum status status;
    bool row = false;

    *out = ACCOUNT_VALIDATION_WARN;
    status = sql_prepare(db, &stmt, err,
                         "SELECT CASE WHEN json_valid(settings) THEN "
                         "json_extract(settings, '$.validation') END "
                         "FROM accounts WHERE id = ?",
                         "s", id);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such account");
    }
    if (status == STATUS_OK) {
        text = sqlite3_column_text(stmt, 0);
        if (text != NULL) {
            account_validation_parse((const char *)text, out);
        }
    }
    sql_done(stmt);
    return status;
}

enum status
account_set_validation(sqlite3 *db, const char *id,
                       enum account_validation value, struct error *err)
{
    int changes = 0;
    enum status status;

    status = sql_exec(db, &changes, err,
                      "UPDATE accounts SET settings = json_set("
                      "CASE WHEN json_valid(settings) THEN settings "
                      "ELSE '{}' END, '$.validation', ?) WHERE id = ?",
                      "ss", account_validation_name(value), id);
    if (status == STATUS_OK && changes == 0) {
        status = error_set(err, STATUS_NOT_FOUND, NULL, "no such account");
    }
    return status;
}

/*
 * accounts.h - typed queries of the control store for accounts, users,
 * memberships, groups and the policies attached to groups.
 *
 * Every function takes the connection to use and an arena that owns the
 * strings it returns.  Functions that read or change something inside an
 * account take the account id and never touch another account's rows: a
 * group id from another account is simply not found.
 */
#ifndef GANYMEDE_STORE_ACCOUNTS_H
#define GANYMEDE_STORE_ACCOUNTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

#define GROUP_USERS          "Users"
#define GROUP_ADMINISTRATORS "Administrators"

struct account {
    char *id;
    char *name;
    int64_t created_ms;
};

struct user {
    char *id;
    char *login;
    char *name;
    char *password_hash; /* NULL when no password is set */
    bool is_support;
    int64_t created_ms;
};

struct group {
    char *id;
    char *account_id;
    char *name;
    char *description;
    bool predefined;
    int64_t created_ms;
    int64_t member_count;
};

struct policy_ref {
    char *id;
    char *name;
};

/* Accounts.  account_create also makes the groups Users and Administrators
 * bound to the predefined policies.  id may be NULL for a new UUID. */
enum status account_create(sqlite3 *db, struct arena *arena, const char *id,
                           const char *name, struct account *out,
                           struct error *err);
enum status account_get(sqlite3 *db, struct arena *arena, const char *id,
                        struct account *out, struct error *err);
enum status account_rename(sqlite3 *db, const char *id, const char *name,
                           struct error *err);
enum status account_list(sqlite3 *db, struct arena *arena,
                         const char *user_id, struct account **out,
                         size_t *count, struct error *err);

/* Users.  password_hash may be NULL. */
enum status user_create(sqlite3 *db, struct arena *arena, const char *login,
                        const char *name, const char *password_hash,
                        bool is_support, struct user *out,
                        struct error *err);
enum status user_get(sqlite3 *db, struct arena *arena, const char *id,
                     struct user *out, struct error *err);
enum status user_get_by_login(sqlite3 *db, struct arena *arena,
                              const char *login, struct user *out,
                              struct error *err);
enum status user_set_password(sqlite3 *db, const char *user_id,
                              const char *password_hash, struct error *err);
/* All users, or the members of account_id when it is not NULL. */
enum status user_list(sqlite3 *db, struct arena *arena,
                      const char *account_id, struct user **out,
                      size_t *count, struct error *err);

/* Memberships: joining puts the user in the group Users. */
enum status membership_add(sqlite3 *db, const char *account_id,
                           const char *user_id, struct error *err);
/* Leaving drops group memberships, API keys and sessions in the account. */
enum status membership_remove(sqlite3 *db, const char *account_id,
                              const char *user_id, struct error *err);
bool membership_exists(sqlite3 *db, const char *account_id,
                       const char *user_id);

/* Groups, always within one account. */
enum status group_create(sqlite3 *db, struct arena *arena,
                         const char *account_id, const char *name,
                         const char *description, bool predefined,
                         struct group *out, struct error *err);
enum status group_get(sqlite3 *db, struct arena *arena,
                      const char *account_id, const char *id,
                      struct group *out, struct error *err);
enum status group_get_by_name(sqlite3 *db, struct arena *arena,
                              const char *account_id, const char *name,
                              struct group *out, struct error *err);
enum status group_list(sqlite3 *db, struct arena *arena,
                       const char *account_id, const char *user_id,
                       struct group **out, size_t *count, struct error *err);
/* The groups a user belongs to in an account: id and name only. */
enum status group_memberships(sqlite3 *db, struct arena *arena,
                              const char *account_id, const char *user_id,
                              struct group **out, size_t *count,
                              struct error *err);
enum status group_update(sqlite3 *db, const char *account_id, const char *id,
                         const char *name, const char *description,
                         struct error *err);
enum status group_delete(sqlite3 *db, const char *account_id, const char *id,
                         struct error *err);
enum status group_member_add(sqlite3 *db, const char *account_id,
                             const char *group_id, const char *user_id,
                             struct error *err);
enum status group_member_remove(sqlite3 *db, const char *account_id,
                                const char *group_id, const char *user_id,
                                struct error *err);
enum status group_members(sqlite3 *db, struct arena *arena,
                          const char *account_id, const char *group_id,
                          struct user **out, size_t *count,
                          struct error *err);
enum status group_policies(sqlite3 *db, struct arena *arena,
                           const char *group_id, struct policy_ref **out,
                           size_t *count, struct error *err);

/*
 * Would removing user_id from Administrators (or from the account) leave
 * the account without an administrator?
 */
bool group_is_last_administrator(sqlite3 *db, const char *account_id,
                                 const char *user_id);

/* The policy documents that apply to a user in an account. */
enum status policy_documents(sqlite3 *db, struct arena *arena,
                             const char *account_id, const char *user_id,
                             char ***out, size_t *count, struct error *err);

/*
 * The account's data-model validation setting ("validation" in its
 * settings JSON): warn (the default, also when unset or unknown) accepts
 * non-conforming entities and reports their problems; strict refuses
 * them.
 */
enum account_validation {
    ACCOUNT_VALIDATION_WARN,
    ACCOUNT_VALIDATION_STRICT,
};

enum status account_get_validation(sqlite3 *db, const char *id,
                                   enum account_validation *out,
                                   struct error *err);
enum status account_set_validation(sqlite3 *db, const char *id,
                                   enum account_validation value,
                                   struct error *err);
/* "warn", "strict"; and back (false when neither). */
const char *account_validation_name(enum account_validation value);
bool account_validation_parse(const char *name,
                              enum account_validation *out);

#endif

/*
 * credentials.h - typed queries for API keys, sessions, invitations and the
 * login throttle.
 *
 * Secrets are never stored: API keys, session tokens and invitation tokens
 * are kept as SHA-256 digests (they are 256-bit random values, so a fast
 * digest is enough), and looked up by digest.
 */
#ifndef GANYMEDE_STORE_CREDENTIALS_H
#define GANYMEDE_STORE_CREDENTIALS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

struct apikey {
    char *id;
    char *account_id;
    char *user_id;
    char *name;
    char *prefix;
    int64_t created_ms;
    int64_t expires_ms;   /* 0: never */
    int64_t last_used_ms; /* 0: never used */
    int64_t revoked_ms;   /* 0: live */
};

struct session {
    char *token_hash;
    char *user_id;
    char *account_id;
    char *csrf_token;
    char *auth_method;
    int64_t created_ms;
    int64_t last_seen_ms;
    int64_t expires_ms;
};

struct invitation {
    char *id;
    char *account_id;
    char *email;
    char *invited_by;
    int64_t created_ms;
    int64_t expires_ms;
    int64_t accepted_ms;
    int64_t revoked_ms;
};

/* API keys. */
enum status apikey_insert(sqlite3 *db, const struct apikey *key,
                          const char *secret_hash, struct error *err);
enum status apikey_get(sqlite3 *db, struct arena *arena,
                       const char *account_id, const char *id,
                       struct apikey *out, struct error *err);
enum status apikey_find_by_hash(sqlite3 *db, struct arena *arena,
                                const char *secret_hash, struct apikey *out,
                                struct error *err);
/* Keys of one user in the account, or all of the account's if user NULL. */
enum status apikey_list(sqlite3 *db, struct arena *arena,
                        const char *account_id, const char *user_id,
                        struct apikey **out, size_t *count,
                        struct error *err);
enum status apikey_revoke(sqlite3 *db, const char *account_id,
                          const char *id, int64_t now_ms, struct error *err);
void apikey_touch(sqlite3 *db, const char *id, int64_t now_ms);

/* Sessions. */
enum status session_insert(sqlite3 *db, const struct session *session,
                           struct error *err);
enum status session_find(sqlite3 *db, struct arena *arena,
                         const char *token_hash, struct session *out,
                         struct error *err);
void session_touch(sqlite3 *db, const char *token_hash, int64_t now_ms);
enum status session_delete(sqlite3 *db, const char *token_hash,
                           struct error *err);

/* Invitations; the token is stored as its digest. */
enum status invitation_insert(sqlite3 *db, const struct invitation *inv,
                              const char *token_hash, const char *groups_json,
                              struct error *err);
enum status invitation_get(sqlite3 *db, struct arena *arena,
                           const char *account_id, const char *id,
                           struct invitation *out, struct error *err);
enum status invitation_find_by_hash(sqlite3 *db, struct arena *arena,
                                    const char *token_hash,
                                    struct invitation *out, char **groups,
                                    struct error *err);
enum status invitation_list(sqlite3 *db, struct arena *arena,
                            const char *account_id, struct invitation **out,
                            size_t *count, struct error *err);
enum status invitation_mark(sqlite3 *db, const char *id, bool accepted,
                            int64_t now_ms, struct error *err);

/*
 * The login throttle: one row per key ("login:<email>", "addr:<ip>").
 * throttle_locked tells when a lockout ends (0 if none); throttle_fail
 * counts a failure and locks the key when it reaches threshold failures
 * within window_ms; throttle_reset clears a key after a success.
 */
int64_t throttle_locked(sqlite3 *db, const char *key, int64_t now_ms);
void throttle_fail(sqlite3 *db, const char *key, int64_t now_ms,
                   int64_t threshold, int64_t window_ms, int64_t lock_ms);
void throttle_reset(sqlite3 *db, const char *key);

/*
 * End every session of a user, in all accounts (after a password change);
 * *count (may be NULL) gets how many ended.
 */
enum status session_delete_for_user(sqlite3 *db, const char *user_id,
                                    int *count, struct error *err);

#endif

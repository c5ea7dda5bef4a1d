/*
 * identity.h - who a caller is: password logins with throttling, sessions,
 * API keys, and the subject (user, account, policies) they resolve to.
 *
 * The functions here hold the rules (expiry, idle timeout, lockout, key
 * format); the rows live in the control store (store/credentials.h).
 */
#ifndef GANYMEDE_IDENTITY_IDENTITY_H
#define GANYMEDE_IDENTITY_IDENTITY_H

#include <sqlite3.h>
#include <stdint.h>

#include "access/access.h"
#include "base/arena.h"
#include "base/status.h"
#include "store/accounts.h"
#include "store/credentials.h"

/* "gmd_" and 43 base64url characters: 256 random bits. */
#define APIKEY_SECRET_PREFIX "gmd_"
#define APIKEY_SECRET_LEN    47
#define APIKEY_PREFIX_LEN    12 /* the part shown in listings */
#define SESSION_TOKEN_LEN    43
#define SESSION_COOKIE       "ganymede_session"

struct identity_limits {
    int64_t session_ttl_ms;
    int64_t session_idle_ms;
    int64_t lockout_threshold;
    int64_t lockout_window_ms;
    int64_t lockout_duration_ms;
};

/*
 * Check a login and password.  Unknown logins and wrong passwords take the
 * same time and give the same error (INVALID_CREDENTIALS); a login or a
 * source address with too many recent failures gets TOO_MANY_ATTEMPTS
 * with *retry_after_s set, whether or not the login exists.
 */
enum status identity_login(sqlite3 *db, struct arena *arena,
                           const struct identity_limits *limits,
                           const char *login, const char *password,
                           const char *peer, struct user *out,
                           int64_t *retry_after_s, struct error *err);

/* Start a session; token (SESSION_TOKEN_LEN + 1) goes in the cookie. */
enum status identity_session_start(sqlite3 *db,
                                   const struct identity_limits *limits,
                                   const char *user_id,
                                   const char *account_id,
                                   const char *auth_method, char *token,
                                   struct session *out, struct arena *arena,
                                   struct error *err);

/* How often a key's last use or a session's last activity is written. */
#define IDENTITY_TOUCH_MS 10000

/*
 * Resolve a session cookie, enforcing lifetime and idle timeout.  A
 * session found past its end is deleted, *expired (may be NULL) is set and
 * *out still describes it, so the caller can record that it ended.  Its
 * use is not written here: the caller records it with
 * identity_record_use() once its read transaction is over.
 */
enum status identity_session_resolve(sqlite3 *db, struct arena *arena,
                                     const struct identity_limits *limits,
                                     const char *token, struct session *out,
                                     bool *expired, struct error *err);

/* Make a key for a user in an account; secret gets APIKEY_SECRET_LEN+1. */
enum status identity_apikey_create(sqlite3 *db, struct arena *arena,
                                   const char *account_id,
                                   const char *user_id, const char *name,
                                   int64_t expires_ms, char *secret,
                                   struct apikey *out, struct error *err);

/*
 * Resolve a presented key: live and unexpired (a key whose owner leaves the
 * account is deleted with the membership).  Nothing is written.
 */
enum status identity_apikey_resolve(sqlite3 *db, struct arena *arena,
                                    const char *secret, struct apikey *out,
                                    struct error *err);

/*
 * Fill in a subject for a user acting in an account: the user must be a
 * member, and the policies of its groups there are compiled in.
 */
enum status identity_subject_load(sqlite3 *db, struct arena *arena,
                                  const char *user_id, const char *account_id,
                                  enum auth_method method,
                                  struct subject *out, struct error *err);

/* Write the key's last use or the session's last activity when stale. */
void identity_record_use(sqlite3 *db, const struct subject *subject,
                         int64_t last_used_ms, int64_t now_ms);

/* Digest of a token as stored: hex SHA-256 into out[65]. */
void identity_token_hash(const char *token, char *out);

/* The answer for every credential problem, so none tells more than another. */
enum status identity_unauthenticated(struct error *err);

#endif

/*
 * identity.c - logins, sessions, API keys and subjects.
 */
#include "identity/identity.h"

#include "base/clock.h"
#include "crypto/random.h"
#include "identity/password.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void
identity_token_hash(const char *token, char *out)
{
    digest_sha256_hex(token, strlen(token), out);
}

enum status
identity_unauthenticated(struct error *err)
{
    return error_set(err, STATUS_UNAUTHENTICATED, "UNAUTHENTICATED",
                     "missing or invalid credentials for this account");
}

static enum status
identity_locked(int64_t until_ms, int64_t now_ms, int64_t *retry_after_s,
                struct error *err)
{
    *retry_after_s = (until_ms - now_ms + 999) / 1000;
    return error_set(err, STATUS_RATE_LIMITED, "TOO_MANY_ATTEMPTS",
                     "too many failed sign-in attempts; try again later");
}

enum status
identity_login(sqlite3 *db, struct arena *arena,
               const struct identity_limits *limits, const char *login,
               const char *password, const char *peer, struct user *out,
               int64_t *retry_after_s, struct error *err)
{
    char login_key[300], addr_key[80];
    int64_t now = clock_now_ms();
    int64_t until;
    bool found, ok;

    *retry_after_s = 0;
    /* Logins match without case, so their failures must count alike. */
    snprintf(login_key, sizeof(login_key), "login:%s", login);
    for (char *p = login_key; *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    snprintf(addr_key, sizeof(addr_key), "addr:%s", peer ? peer : "");

    /* A locked login or address is refused before any password work. */
    until = throttle_locked(db, login_key, now);
    if (until == 0) {
        until = throttle_locked(db, addr_key, now);
    }
    if (until != 0) {
        return identity_locked(until, now, retry_after_s, err);
    }

    found = user_get_by_login(db, arena, login, out, NULL) == STATUS_OK &&
            out->password_hash != NULL;
    ok = found ? password_verify(password, out->password_hash)
               : password_verify_dummy(password);
    if (ok) {
        throttle_reset(db, login_key);
        return STATUS_OK;
    }

    throttle_fail(db, login_key, now, limits->lockout_threshold,
                  limits->lockout_window_ms, limits->lockout_duration_ms);
    throttle_fail(db, addr_key, now, limits->lockout_threshold * 4,
                  limits->lockout_window_ms, limits->lockout_duration_ms);
    return error_set(err, STATUS_UNAUTHENTICATED, "INVALID_CREDENTIALS",
                     "the login or password is not correct");
}

enum status
identity_session_start(sqlite3 *db, const struct identity_limits *limits,
                       const char *user_id, const char *account_id,
                       const char *auth_method, char *token,
                       struct session *out, struct arena *arena,
                       struct error *err)
{
    char hash[SHA256_HEX_LEN + 1];
    char csrf[SESSION_TOKEN_LEN + 1];
    int64_t now = clock_now_ms();

    random_token(token, 32);
    random_token(csrf, 32);
    identity_token_hash(token, hash);

    out->token_hash = arena_strdup(arena, hash);
    out->user_id = arena_strdup(arena, user_id);
    out->account_id = arena_strdup(arena, account_id);
    out->csrf_token = arena_strdup(arena, csrf);
    out->auth_method = arena_strdup(arena, auth_method);
    out->created_ms = now;
    out->last_seen_ms = now;
    out->expires_ms = now + limits->session_ttl_ms;
    if (out->token_hash == NULL || out->csrf_token == NULL ||
        out->user_id == NULL || out->account_id == NULL ||
        out->auth_method == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return session_insert(db, out, err);
}

enum status
identity_session_resolve(sqlite3 *db, struct arena *arena,
                         const struct identity_limits *limits,
                         const char *token, struct session *out,
                         bool *expired, struct error *err)
{
    char hash[SHA256_HEX_LEN + 1];
    int64_t now = clock_now_ms();

    if (expired != NULL) {
        *expired = false;
    }
    if (strlen(token) != SESSION_TOKEN_LEN) {
        return identity_unauthenticated(err);
    }
    identity_token_hash(token, hash);
    if (session_find(db, arena, hash, out, NULL) != STATUS_OK) {
        return identity_unauthenticated(err);
    }

    if (now >= out->expires_ms ||
        now - out->last_seen_ms >= limits->session_idle_ms) {
        session_delete(db, hash, NULL);
        if (expired != NULL) {
            *expired = true;
        }
        return identity_unauthenticated(err);
    }
    return STATUS_OK;
}

enum status
identity_apikey_create(sqlite3 *db, struct arena *arena,
                       const char *account_id, const char *user_id,
                       const char *name, int64_t expires_ms, char *secret,
                       struct apikey *out, struct error *err)
{
    char hash[SHA256_HEX_LEN + 1];
    char id[UUID_LEN + 1];
    char body[64];

    random_uuid(id);
    random_token(body, 32);
    snprintf(secret, APIKEY_SECRET_LEN + 1, "%s%.43s", APIKEY_SECRET_PREFIX,
             body);
    identity_token_hash(secret, hash);
    secret_wipe(body, sizeof(body));

    memset(out, 0, sizeof(*out));
    out->id = arena_strdup(arena, id);
    out->account_id = arena_strdup(arena, account_id);
    out->user_id = arena_strdup(arena, user_id);
    out->name = arena_strdup(arena, name != NULL ? name : "");
    out->prefix = arena_strndup(arena, secret, APIKEY_PREFIX_LEN);
    out->created_ms = clock_now_ms();
    out->expires_ms = expires_ms;
    if (out->id == NULL || out->account_id == NULL || out->user_id == NULL ||
        out->name == NULL || out->prefix == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return apikey_insert(db, out, hash, err);
}

enum status
identity_apikey_resolve(sqlite3 *db, struct arena *arena, const char *secret,
                        struct apikey *out, struct error *err)
{
    char hash[SHA256_HEX_LEN + 1];
    int64_t now = clock_now_ms();

    if (strlen(secret) != APIKEY_SECRET_LEN ||
        strncmp(secret, APIKEY_SECRET_PREFIX,
                sizeof(APIKEY_SECRET_PREFIX) - 1) != 0) {
        return identity_unauthenticated(err);
    }

    /* The lookup is by digest, so timing reveals nothing of the secret. */
    identity_token_hash(secret, hash);
    if (apikey_find_by_hash(db, arena, hash, out, NULL) != STATUS_OK ||
        out->revoked_ms != 0 ||
        (out->expires_ms != 0 && now >= out->expires_ms)) {
        return identity_unauthenticated(err);
    }
    return STATUS_OK;
}

void
identity_record_use(sqlite3 *db, const struct subject *subject,
                    int64_t last_used_ms, int64_t now_ms)
{
    /* Recording use is a write: at most every IDENTITY_TOUCH_MS. */
    if (now_ms - last_used_ms < IDENTITY_TOUCH_MS) {
        return;
    }
    if (subject->key_id != NULL) {
        apikey_touch(db, subject->key_id, now_ms);
    } else if (subject->session_hash != NULL) {
        session_touch(db, subject->session_hash, now_ms);
    }
}

enum status
identity_subject_load(sqlite3 *db, struct arena *arena, const char *user_id,
                      const char *account_id, enum auth_method method,
                      struct subject *out, struct error *err)
{
    struct account *accounts = NULL;
    struct group *groups = NULL;
    size_t account_count = 0, group_count = 0;
    struct user user;
    char **docs = NULL;
    size_t count = 0;
    enum status status;

    memset(out, 0, sizeof(*out));

    /* The user must be a member of the account acted in. */
    if (user_get(db, arena, user_id, &user, NULL) != STATUS_OK ||
        account_list(db, arena, user_id, &accounts, &account_count, NULL) !=
            STATUS_OK) {
        return identity_unauthenticated(err);
    }
    out->accounts = arena_alloc(arena, (account_count + 1) *
                                           sizeof(*out->accounts));
    if (out->accounts == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < account_count; i++) {
        out->accounts[i].id = accounts[i].id;
        out->accounts[i].name = accounts[i].name;
        if (strcmp(accounts[i].id, account_id) == 0) {
            out->account_name = accounts[i].name;
        }
    }
    out->account_count = account_count;
    if (out->account_name == NULL) {
        memset(out, 0, sizeof(*out));
        return identity_unauthenticated(err);
    }

    status = group_memberships(db, arena, account_id, user_id, &groups,
                               &group_count, err);
    if (status != STATUS_OK) {
        return status;
    }
    out->groups = arena_alloc(arena, (group_count + 1) *
                                         sizeof(*out->groups));
    if (out->groups == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < group_count; i++) {
        out->groups[i].id = groups[i].id;
        out->groups[i].name = groups[i].name;
    }
    out->group_count = group_count;

    status = policy_documents(db, arena, account_id, user_id, &docs, &count,
                              err);
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        status = access_compile(arena, out, docs[i], err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    out->authenticated = true;
    out->method = method;
    out->user_id = user.id;
    out->login = user.login;
    out->is_support = user.is_support;
    out->user_name = user.name;
    out->user_created_ms = user.created_ms;
    out->account_id = arena_strdup(arena, account_id);
    return out->account_id != NULL
               ? STATUS_OK
               : error_set(err, STATUS_NOMEM, NULL, "out of memory");
}

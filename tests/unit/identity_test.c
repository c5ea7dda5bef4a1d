/*
 * identity_test.c - unit tests for src/identity/identity.c: API keys from
 * creation to refusal (revoked, expired, malformed, unknown), sessions
 * ending by lifetime and by idleness, and the login throttle, which must
 * treat a wrong password and an unknown login alike.
 *
 * Each test opens a fresh control store under one mkdtemp root with one
 * account and two members.  Hashing runs at libsodium's minimum cost.
 * Time is moved by rewriting stored times with raw SQL, since the module
 * reads the wall clock.
 */
#include "identity/identity.h"

#include "unit.h"

#include <dirent.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "identity/password.h"
#include "store/control.h"

#define ALICE       "alice@example.com"
#define BOB         "bob@example.com"
#define PASSWORD    "Corr3ct-Horse!"
#define HOUR_MS     (3600 * 1000LL)

static char root[] = "/tmp/ganymede-identity-test-XXXXXX";
static char password_hash_text[PASSWORD_HASH_MAX];
static int fixture_count;

struct fixture {
    char dir[256];
    struct store store;
    sqlite3 *db;
    struct arena arena;
    struct account account;
    struct user alice;
    struct user bob;
};

static const struct identity_limits limits = {
    .session_ttl_ms = 12 * HOUR_MS,
    .session_idle_ms = HOUR_MS,
    .lockout_threshold = 3,
    .lockout_window_ms = 15 * 60 * 1000,
    .lockout_duration_ms = 15 * 60 * 1000,
};

static bool
fixture_user(struct fixture *f, const char *login, struct user *out)
{
    return user_create(f->db, &f->arena, login, "", password_hash_text,
                       false, out, NULL) == STATUS_OK &&
           membership_add(f->db, f->account.id, out->id, NULL) == STATUS_OK;
}

static bool
fixture_open(struct fixture *f)
{
    struct error err;

    snprintf(f->dir, sizeof(f->dir), "%s/%d", root, ++fixture_count);
    arena_init(&f->arena);
    error_clear(&err);
    if (store_open(&f->store, f->dir, true, &err) != STATUS_OK ||
        store_acquire(&f->store, &f->db, &err) != STATUS_OK ||
        account_create(f->db, &f->arena, NULL, "Acme", &f->account, &err) !=
            STATUS_OK) {
        fprintf(stderr, "fixture: %s\n", err.message);
        return false;
    }
    return fixture_user(f, ALICE, &f->alice) &&
           fixture_user(f, BOB, &f->bob);
}

static void
fixture_close(struct fixture *f)
{
    store_release(&f->store, f->db);
    store_close(&f->store);
    arena_release(&f->arena);
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

/* The one answer every credential problem must give. */
static bool
is_unauthenticated(enum status status, const struct error *err)
{
    struct error want;

    identity_unauthenticated(&want);
    return status == STATUS_UNAUTHENTICATED &&
           strcmp(err->code, "UNAUTHENTICATED") == 0 &&
           strcmp(err->message, want.message) == 0;
}

/* ---- API keys ---------------------------------------------------------- */

static void
test_apikey_create_then_resolve(void)
{
    char secret[APIKEY_SECRET_LEN + 1];
    struct apikey key, found, stored;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.alice.id,
                                 "ci", 0, secret, &key, &err) == STATUS_OK);
    CHECK(strlen(secret) == APIKEY_SECRET_LEN);
    CHECK(strncmp(secret, APIKEY_SECRET_PREFIX, 4) == 0);
    CHECK(strspn(secret + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                             "qrstuvwxyz0123456789-_") == 43);
    CHECK(strlen(key.prefix) == APIKEY_PREFIX_LEN);
    CHECK(strncmp(secret, key.prefix, APIKEY_PREFIX_LEN) == 0);

    CHECK(identity_apikey_resolve(f.db, &f.arena, secret, &found, &err) ==
          STATUS_OK);
    CHECK_STR(found.id, key.id);
    CHECK_STR(found.account_id, f.account.id);
    CHECK_STR(found.user_id, f.alice.id);
    CHECK_STR(found.name, "ci");

    /* Resolving writes nothing; recording the use does. */
    CHECK(apikey_get(f.db, &f.arena, f.account.id, key.id, &stored, &err) ==
          STATUS_OK);
    CHECK(stored.last_used_ms == 0);
    {
        struct subject used = {.key_id = found.id};

        identity_record_use(f.db, &used, found.last_used_ms, clock_now_ms());
    }
    CHECK(apikey_get(f.db, &f.arena, f.account.id, key.id, &stored, &err) ==
          STATUS_OK);
    CHECK(stored.last_used_ms != 0);

    /* The secret itself is nowhere in the store. */
    CHECK(apikey_find_by_hash(f.db, &f.arena, secret, &stored, NULL) ==
          STATUS_NOT_FOUND);

    /* Two keys never share a secret. */
    {
        char other[APIKEY_SECRET_LEN + 1];
        struct apikey second;

        CHECK(identity_apikey_create(f.db, &f.arena, f.account.id,
                                     f.alice.id, NULL, 0, other, &second,
                                     &err) == STATUS_OK);
        CHECK(strcmp(other, secret) != 0);
        CHECK(strcmp(second.id, key.id) != 0);
    }
    fixture_close(&f);
}

static void
test_apikey_revoked_refused(void)
{
    char secret[APIKEY_SECRET_LEN + 1];
    struct apikey key, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.alice.id,
                                 NULL, 0, secret, &key, &err) == STATUS_OK);
    CHECK(apikey_revoke(f.db, f.account.id, key.id, clock_now_ms(), &err) ==
          STATUS_OK);
    error_clear(&err);
    CHECK(is_unauthenticated(identity_apikey_resolve(f.db, &f.arena, secret,
                                                     &found, &err),
                             &err));
    fixture_close(&f);
}

static void
test_apikey_expired_refused(void)
{
    char live[APIKEY_SECRET_LEN + 1], dead[APIKEY_SECRET_LEN + 1];
    struct apikey key, found;
    int64_t now = clock_now_ms();
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.alice.id,
                                 NULL, now + HOUR_MS, live, &key,
                                 &err) == STATUS_OK);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.alice.id,
                                 NULL, now - 1, dead, &key,
                                 &err) == STATUS_OK);
    CHECK(identity_apikey_resolve(f.db, &f.arena, live, &found, &err) ==
          STATUS_OK);
    error_clear(&err);
    CHECK(is_unauthenticated(identity_apikey_resolve(f.db, &f.arena, dead,
                                                     &found, &err),
                             &err));
    fixture_close(&f);
}

static void
test_apikey_bad_format_refused(void)
{
    char secret[APIKEY_SECRET_LEN + 1], wrong[APIKEY_SECRET_LEN + 2];
    char unknown[APIKEY_SECRET_LEN + 1], body[64];
    struct apikey key, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.alice.id,
                                 NULL, 0, secret, &key, &err) == STATUS_OK);

    /* Near misses of a real key, and a well-formed key never issued. */
    random_token(body, 32);
    snprintf(unknown, sizeof(unknown), "gmd_%.43s", body);
    {
        const char *bad[7];
        size_t n = 0;

        bad[n++] = "";
        bad[n++] = "gmd_";
        bad[n++] = unknown;
        memcpy(wrong, secret, sizeof(secret));
        wrong[APIKEY_SECRET_LEN - 1] = '\0'; /* one short */
        bad[n++] = arena_strdup(&f.arena, wrong);
        snprintf(wrong, sizeof(wrong), "%sA", secret); /* one long */
        bad[n++] = arena_strdup(&f.arena, wrong);
        memcpy(wrong, secret, sizeof(secret));
        wrong[0] = 'G'; /* prefix in another case */
        bad[n++] = arena_strdup(&f.arena, wrong);
        bad[n++] = "Bearer gmd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        for (size_t i = 0; i < n; i++) {
            error_clear(&err);
            if (!is_unauthenticated(identity_apikey_resolve(f.db, &f.arena,
                                                            bad[i], &found,
                                                            &err),
                                    &err)) {
                fprintf(stderr, "key \"%s\" was not refused alike\n",
                        bad[i]);
                CHECK(false);
            }
        }
    }

    /* The real one still works. */
    CHECK(identity_apikey_resolve(f.db, &f.arena, secret, &found, &err) ==
          STATUS_OK);
    fixture_close(&f);
}

static void
test_apikey_gone_with_membership(void)
{
    char secret[APIKEY_SECRET_LEN + 1];
    struct apikey key, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_apikey_create(f.db, &f.arena, f.account.id, f.bob.id,
                                 NULL, 0, secret, &key, &err) == STATUS_OK);
    CHECK(membership_remove(f.db, f.account.id, f.bob.id, &err) ==
          STATUS_OK);
    error_clear(&err);
    CHECK(is_unauthenticated(identity_apikey_resolve(f.db, &f.arena, secret,
                                                     &found, &err),
                             &err));
    fixture_close(&f);
}

/* ---- sessions ---------------------------------------------------------- */

static void
test_session_start_then_resolve(void)
{
    char token[SESSION_TOKEN_LEN + 1], hash[SHA256_HEX_LEN + 1];
    struct session s, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_session_start(f.db, &limits, f.alice.id, f.account.id,
                                 "password", token, &s, &f.arena,
                                 &err) == STATUS_OK);
    CHECK(strlen(token) == SESSION_TOKEN_LEN);
    CHECK(strlen(s.csrf_token) == SESSION_TOKEN_LEN);
    CHECK(strcmp(s.csrf_token, token) != 0);
    CHECK(s.expires_ms - s.created_ms == limits.session_ttl_ms);

    /* Only the digest of the token is kept. */
    identity_token_hash(token, hash);
    CHECK_STR(s.token_hash, hash);
    CHECK(session_find(f.db, &f.arena, token, &found, NULL) ==
          STATUS_NOT_FOUND);

    CHECK(identity_session_resolve(f.db, &f.arena, &limits, token, &found,
                                   NULL, &err) == STATUS_OK);
    CHECK_STR(found.user_id, f.alice.id);
    CHECK_STR(found.account_id, f.account.id);
    CHECK_STR(found.csrf_token, s.csrf_token);
    fixture_close(&f);
}

static void
test_session_expires_by_ttl(void)
{
    char token[SESSION_TOKEN_LEN + 1];
    struct identity_limits none = limits;
    struct session s, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* A lifetime of zero is over at once. */
    none.session_ttl_ms = 0;
    error_clear(&err);
    CHECK(identity_session_start(f.db, &none, f.alice.id, f.account.id,
                                 "password", token, &s, &f.arena,
                                 &err) == STATUS_OK);
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, token,
                                                      &found, NULL, &err),
                             &err));

    /* A live session pushed past its end, though recently seen. */
    CHECK(identity_session_start(f.db, &limits, f.alice.id, f.account.id,
                                 "password", token, &s, &f.arena,
                                 &err) == STATUS_OK);
    CHECK(run_sql(&f, "UPDATE sessions SET expires_ms = expires_ms - "
                      "43200001, created_ms = created_ms - 43200001"));
    error_clear(&err);
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, token,
                                                      &found, NULL, &err),
                             &err));

    /* A refused session is gone, not merely refused. */
    CHECK(session_find(f.db, &f.arena, s.token_hash, &found, NULL) ==
          STATUS_NOT_FOUND);
    fixture_close(&f);
}

static void
test_session_expires_by_idle(void)
{
    char token[SESSION_TOKEN_LEN + 1];
    struct session s, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_session_start(f.db, &limits, f.alice.id, f.account.id,
                                 "password", token, &s, &f.arena,
                                 &err) == STATUS_OK);

    /* Seen 30 minutes ago: fine, and the visit is recorded. */
    CHECK(run_sql(&f, "UPDATE sessions SET last_seen_ms = last_seen_ms - "
                      "1800000"));
    CHECK(identity_session_resolve(f.db, &f.arena, &limits, token, &found,
                                   NULL, &err) == STATUS_OK);
    {
        struct subject used = {.session_hash = found.token_hash};

        identity_record_use(f.db, &used, found.last_seen_ms, clock_now_ms());
    }
    CHECK(session_find(f.db, &f.arena, s.token_hash, &found, NULL) ==
          STATUS_OK);
    CHECK(found.last_seen_ms >= s.last_seen_ms);

    /* Seen just over an hour ago: ended. */
    CHECK(run_sql(&f, "UPDATE sessions SET last_seen_ms = last_seen_ms - "
                      "3600001"));
    error_clear(&err);
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, token,
                                                      &found, NULL, &err),
                             &err));
    CHECK(session_find(f.db, &f.arena, s.token_hash, &found, NULL) ==
          STATUS_NOT_FOUND);
    fixture_close(&f);
}

static void
test_session_bad_tokens_refused(void)
{
    char token[SESSION_TOKEN_LEN + 1], other[SESSION_TOKEN_LEN + 1];
    struct session s, found;
    struct error err;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_session_start(f.db, &limits, f.alice.id, f.account.id,
                                 "password", token, &s, &f.arena,
                                 &err) == STATUS_OK);
    random_token(other, 32);
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, other,
                                                      &found, NULL, &err),
                             &err));
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, "", &found,
                                                      NULL, &err),
                             &err));
    CHECK(is_unauthenticated(identity_session_resolve(f.db, &f.arena,
                                                      &limits, s.token_hash,
                                                      &found, NULL, &err),
                             &err));
    fixture_close(&f);
}

/* ---- logins ------------------------------------------------------------ */

static enum status
login(struct fixture *f, const char *who, const char *password,
      const char *peer, int64_t *retry, struct error *err)
{
    struct user user;

    error_clear(err);
    return identity_login(f->db, &f->arena, &limits, who, password, peer,
                          &user, retry, err);
}

static void
test_login_right_and_wrong(void)
{
    struct error wrong, unknown, err;
    struct fixture f;
    struct user user;
    int64_t retry = -1;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    error_clear(&err);
    CHECK(identity_login(f.db, &f.arena, &limits, ALICE, PASSWORD,
                         "192.0.2.1", &user, &retry, &err) == STATUS_OK);
    CHECK_STR(user.id, f.alice.id);
    CHECK(retry == 0);

    /* Logins are matched without regard to case. */
    CHECK(login(&f, "ALICE@example.com", PASSWORD, "192.0.2.1", &retry,
                &err) == STATUS_OK);

    /* Nothing tells a wrong password from an unknown login. */
    CHECK(login(&f, ALICE, "Wrong-Pass1!", "192.0.2.1", &retry, &wrong) ==
          STATUS_UNAUTHENTICATED);
    CHECK(login(&f, "ghost@example.com", PASSWORD, "192.0.2.1", &retry,
                &unknown) == STATUS_UNAUTHENTICATED);
    CHECK_STR(wrong.code, "INVALID_CREDENTIALS");
    CHECK_STR(unknown.code, wrong.code);
    CHECK_STR(unknown.message, wrong.message);
    CHECK(wrong.status == unknown.status);
    CHECK(login(&f, ALICE, "", "192.0.2.1", &retry, &err) ==
          STATUS_UNAUTHENTICATED);
    fixture_close(&f);
}

static void
test_login_throttled_after_threshold(void)
{
    struct fixture f;
    struct error err;
    int64_t retry = 0;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    for (int i = 0; i < limits.lockout_threshold; i++) {
        CHECK(login(&f, ALICE, "Wrong-Pass1!", "192.0.2.2", &retry, &err) ==
              STATUS_UNAUTHENTICATED);
        CHECK(retry == 0);
    }

    /* Locked: even the right password, from any address. */
    CHECK(login(&f, ALICE, PASSWORD, "192.0.2.2", &retry, &err) ==
          STATUS_RATE_LIMITED);
    CHECK_STR(err.code, "TOO_MANY_ATTEMPTS");
    CHECK(retry > 0 && retry <= limits.lockout_duration_ms / 1000);
    CHECK(login(&f, ALICE, PASSWORD, "198.51.100.9", &retry, &err) ==
          STATUS_RATE_LIMITED);

    /* Other logins are not affected. */
    CHECK(login(&f, BOB, PASSWORD, "198.51.100.9", &retry, &err) ==
          STATUS_OK);

    /* When the lockout has passed, the right password works again. */
    CHECK(run_sql(&f, "UPDATE login_throttle SET locked_until_ms = 1"));
    CHECK(login(&f, ALICE, PASSWORD, "192.0.2.2", &retry, &err) ==
          STATUS_OK);
    fixture_close(&f);
}

static void
test_login_unknown_throttled_alike(void)
{
    struct error known, unknown;
    int64_t known_retry = 0, unknown_retry = 0;
    struct fixture f;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    for (int i = 0; i < limits.lockout_threshold; i++) {
        login(&f, ALICE, "Wrong-Pass1!", "192.0.2.3", &known_retry, &known);
        login(&f, "ghost@example.com", "Wrong-Pass1!", "192.0.2.4",
              &unknown_retry, &unknown);
    }
    CHECK(login(&f, ALICE, PASSWORD, "192.0.2.3", &known_retry, &known) ==
          STATUS_RATE_LIMITED);
    CHECK(login(&f, "ghost@example.com", PASSWORD, "192.0.2.4",
                &unknown_retry, &unknown) == STATUS_RATE_LIMITED);
    CHECK_STR(unknown.code, known.code);
    CHECK_STR(unknown.message, known.message);
    CHECK(unknown_retry > 0 && unknown_retry <= known_retry + 1);
    fixture_close(&f);
}

static void
test_login_success_resets_count(void)
{
    struct fixture f;
    struct error err;
    int64_t retry;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Two failures, a success, two more: never three in a row. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i + 1 < limits.lockout_threshold; i++) {
            CHECK(login(&f, ALICE, "Wrong-Pass1!", "192.0.2.5", &retry,
                        &err) == STATUS_UNAUTHENTICATED);
        }
        CHECK(login(&f, ALICE, PASSWORD, "192.0.2.5", &retry, &err) ==
              STATUS_OK);
    }
    fixture_close(&f);
}

static void
test_login_address_throttled(void)
{
    char who[64];
    struct fixture f;
    struct error err;
    int64_t retry;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* Spraying many logins from one address locks the address. */
    for (int i = 0; i < 4 * limits.lockout_threshold; i++) {
        snprintf(who, sizeof(who), "user%d@example.com", i);
        CHECK(login(&f, who, "Wrong-Pass1!", "203.0.113.7", &retry, &err) ==
              STATUS_UNAUTHENTICATED);
    }
    CHECK(login(&f, BOB, PASSWORD, "203.0.113.7", &retry, &err) ==
          STATUS_RATE_LIMITED);
    CHECK(retry > 0);
    CHECK(login(&f, BOB, PASSWORD, "203.0.113.8", &retry, &err) ==
          STATUS_OK);
    fixture_close(&f);
}

static void
test_login_without_password_refused(void)
{
    struct user nopass;
    struct fixture f;
    struct error err, wrong;
    int64_t retry;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    CHECK(user_create(f.db, &f.arena, "sso@example.com", "", NULL, false,
                      &nopass, NULL) == STATUS_OK);
    CHECK(login(&f, "sso@example.com", "", "192.0.2.6", &retry, &err) ==
          STATUS_UNAUTHENTICATED);
    CHECK(login(&f, ALICE, "Wrong-Pass1!", "192.0.2.6", &retry, &wrong) ==
          STATUS_UNAUTHENTICATED);
    CHECK_STR(err.message, wrong.message);
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
    struct error err;

    if (crypto_init() != 0 || mkdtemp(root) == NULL) {
        perror("setup");
        return 1;
    }
    log_init(LOG_ERROR, 2);
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
    if (password_hash(PASSWORD, password_hash_text, &err) != STATUS_OK) {
        fprintf(stderr, "could not hash: %s\n", err.message);
        return 1;
    }

    RUN(test_apikey_create_then_resolve);
    RUN(test_apikey_revoked_refused);
    RUN(test_apikey_expired_refused);
    RUN(test_apikey_bad_format_refused);
    RUN(test_apikey_gone_with_membership);
    RUN(test_session_start_then_resolve);
    RUN(test_session_expires_by_ttl);
    RUN(test_session_expires_by_idle);
    RUN(test_session_bad_tokens_refused);
    RUN(test_login_right_and_wrong);
    RUN(test_login_throttled_after_threshold);
    RUN(test_login_unknown_throttled_alike);
    RUN(test_login_success_resets_count);
    RUN(test_login_address_throttled);
    RUN(test_login_without_password_refused);

    remove_dir(root);
    return unit_finish("identity");
}

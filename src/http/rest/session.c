/*
 * session.c - password login, logout and "who am I".
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "base/jsonw.h"
#include "base/log.h"
#include "crypto/random.h"
#include "http/server.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define LOGIN_MAX 254

/* The account a login lands in: the one asked for, else the first. */
static enum status
login_account(sqlite3 *db, struct arena *arena, const struct user *user,
              const char *wanted, struct account *out, struct error *err)
{
    struct account *accounts = NULL;
    size_t count = 0;
    enum status status;

    status = account_list(db, arena, user->id, &accounts, &count, err);
    if (status != STATUS_OK) {
        return status;
    }
    for (size_t i = 0; i < count; i++) {
        if (wanted == NULL || strcmp(accounts[i].id, wanted) == 0) {
            *out = accounts[i];
            return STATUS_OK;
        }
    }
    return error_set(err, STATUS_UNAUTHENTICATED, "INVALID_CREDENTIALS",
                     "the login or password is not correct");
}

static enum status
login_cookie(struct request *req, const char *token, int64_t max_age_s)
{
    char *cookie = arena_printf(&req->arena,
                                "%s=%s; Path=/; Max-Age=%" PRId64
                                "; HttpOnly; Secure; SameSite=Strict",
                                SESSION_COOKIE, token, max_age_s);

    return cookie != NULL ? http_reply_header(req, "Set-Cookie", cookie)
                          : STATUS_NOMEM;
}

enum status
rest_login(struct request *req, struct error *err)
{
    static const char *const fields[] = {"login", "password", "account_id",
                                         NULL};
    const struct config *config = req->server->config;
    const char *login, *password, *wanted;
    char token[SESSION_TOKEN_LEN + 1];
    struct identity_limits limits;
    struct session session;
    struct account account;
    struct user user;
    int64_t retry = 0;
    enum status status;
    json_t *body;
    sqlite3 *db;

    status = rest_body(req, fields, &body, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "login", true, LOGIN_MAX, &login, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "password", true, 1024, &password,
                                  err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "account_id", false, 128, &wanted,
                                  err);
    }
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    rest_limits(config, &limits);
    status = identity_login(db, &req->arena, &limits, login, password,
                            req->peer, &user, &retry, err);
    if (status == STATUS_OK) {
        status = login_account(db, &req->arena, &user, wanted, &account, err);
    }
    if (status != STATUS_OK) {
        char retry_text[24];

        if (retry > 0) {
            snprintf(retry_text, sizeof(retry_text), "%" PRId64, retry);
            http_reply_header(req, "Retry-After", retry_text);
        }
        /* A failure is logged in every account the login belongs to. */
        log_event(LOG_INFO, "auth", "login_failed", "req", req->id, "peer",
                  req->peer, "code", err->code, NULL);
        if (user_get_by_login(db, &req->arena, login, &user, NULL) ==
            STATUS_OK) {
            struct account *accounts = NULL;
            size_t count = 0;

            account_list(db, &req->arena, user.id, &accounts, &count, NULL);
            for (size_t i = 0; i < count; i++) {
                rest_audit_as(req, db, accounts[i].id, user.id, user.login,
                              "login.failure", user.id,
                              json_pack("{s:s}", "reason", err->code), NULL);
            }
        }
        return status;
    }

    status = store_begin(db, err);
    if (status == STATUS_OK) {
        status = identity_session_start(db, &limits, user.id, account.id,
                                        "password", token, &session,
                                        &req->arena, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit_as(req, db, account.id, user.id, user.login,
                               "login.success", user.id,
                               json_pack("{s:s}", "method", "password"), err);
    }
    status = rest_finish(db, status, err);
    if (status == STATUS_OK) {
        status = login_cookie(req, token, config->session_ttl);
    }
    secret_wipe(token, sizeof(token));
    if (status != STATUS_OK) {
        return status;
    }

    return http_reply_json(
        req, 200,
        json_pack("{s:o, s:o, s:s, s:o}", "user", rest_user_json(&user),
                  "account", rest_account_json(&account), "csrf_token",
                  session.csrf_token, "expires_at",
                  rest_time(session.expires_ms)));
}

enum status
rest_logout(struct request *req, struct error *err)
{
    enum status status;
    sqlite3 *db;

    if (req->subject.session_hash == NULL) {
        return error_set(err, STATUS_INVALID, "NO_SESSION",
                         "logout ends a session; this request has none");
    }

    status = rest_begin(req, &db, err);
    if (status == STATUS_OK) {
        status = session_delete(db, req->subject.session_hash, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "logout", req->subject.user_id, NULL,
                            err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }

    http_reply_header(req, "Set-Cookie",
                      SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
                                     "Secure; SameSite=Strict");
    return http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

/* Write a user the way rest_user_json does, on the hot path of /me. */
static void
me_user(struct jsonw *w, const struct user *user)
{
    jsonw_object(w);
    jsonw_key(w, "id");
    jsonw_string(w, user->id);
    jsonw_key(w, "login");
    jsonw_string(w, user->login);
    jsonw_key(w, "name");
    jsonw_string(w, user->name ? user->name : "");
    jsonw_key(w, "is_support");
    jsonw_bool(w, user->is_support);
    jsonw_key(w, "created_at");
    jsonw_time(w, user->created_ms);
    jsonw_end(w);
}

static void
me_refs(struct jsonw *w, const char *key, const char *const *ids,
        const char *const *names, size_t count)
{
    jsonw_key(w, key);
    jsonw_array(w);
    for (size_t i = 0; i < count; i++) {
        jsonw_object(w);
        jsonw_key(w, "id");
        jsonw_string(w, ids[i]);
        jsonw_key(w, "name");
        jsonw_string(w, names[i]);
        jsonw_end(w);
    }
    jsonw_end(w);
}

/*
 * "Who am I": the most frequent call of API clients, so it is written with
 * the JSON writer rather than built as a tree.
 */
enum status
rest_me(struct request *req, struct error *err)
{
    const struct subject *subject = &req->subject;
    struct account *accounts = NULL;
    struct group *groups = NULL;
    size_t account_count = 0, group_count = 0;
    const char *current_name = NULL;
    const char **ids, **names;
    struct user user;
    enum status status;
    struct jsonw w;
    sqlite3 *db;

    status = http_db(req, &db, err);
    if (status == STATUS_OK) {
        status = user_get(db, &req->arena, subject->user_id, &user, err);
    }
    if (status == STATUS_OK) {
        status = account_list(db, &req->arena, subject->user_id, &accounts,
                              &account_count, err);
    }
    if (status == STATUS_OK) {
        status = group_memberships(db, &req->arena, subject->account_id,
                                   subject->user_id, &groups, &group_count,
                                   err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    ids = arena_alloc(&req->arena, sizeof(*ids) * (account_count +
                                                   group_count + 1));
    names = arena_alloc(&req->arena, sizeof(*names) * (account_count +
                                                       group_count + 1));
    if (ids == NULL || names == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < account_count; i++) {
        ids[i] = accounts[i].id;
        names[i] = accounts[i].name;
        if (strcmp(accounts[i].id, subject->account_id) == 0) {
            current_name = accounts[i].name;
        }
    }
    for (size_t i = 0; i < group_count; i++) {
        ids[account_count + i] = groups[i].id;
        names[account_count + i] = groups[i].name;
    }

    jsonw_init(&w, &req->arena);
    jsonw_object(&w);
    jsonw_key(&w, "user");
    me_user(&w, &user);
    jsonw_key(&w, "account");
    jsonw_object(&w);
    jsonw_key(&w, "id");
    jsonw_string(&w, subject->account_id);
    jsonw_key(&w, "name");
    jsonw_string(&w, current_name ? current_name : "");
    jsonw_end(&w);
    me_refs(&w, "groups", ids + account_count, names + account_count,
            group_count);
    jsonw_key(&w, "auth_method");
    jsonw_string(&w, auth_method_name(subject->method));
    me_refs(&w, "accounts", ids, names, account_count);
    jsonw_end(&w);
    return http_reply_jsonw(req, 200, &w);
}

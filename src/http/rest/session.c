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

static void
me_refs(struct jsonw *w, const char *key, const struct subject_ref *refs,
        size_t count)
{
    jsonw_key(w, key);
    jsonw_array(w);
    for (size_t i = 0; i < count; i++) {
        jsonw_object(w);
        jsonw_key(w, "id");
        jsonw_string(w, refs[i].id);
        jsonw_key(w, "name");
        jsonw_string(w, refs[i].name);
        jsonw_end(w);
    }
    jsonw_end(w);
}

/*
 * "Who am I": the most frequent call of API clients.  Everything it shows
 * is part of the resolved subject, so it reads nothing more, and it is
 * written with the JSON writer rather than built as a tree.
 */
enum status
rest_me(struct request *req, struct error *err)
{
    const struct subject *subject = &req->subject;
    struct jsonw w;

    jsonw_init(&w, &req->arena);
    jsonw_object(&w);
    jsonw_key(&w, "user");
    jsonw_object(&w);
    jsonw_key(&w, "id");
    jsonw_string(&w, subject->user_id);
    jsonw_key(&w, "login");
    jsonw_string(&w, subject->login);
    jsonw_key(&w, "name");
    jsonw_string(&w, subject->user_name ? subject->user_name : "");
    jsonw_key(&w, "is_support");
    jsonw_bool(&w, subject->is_support);
    jsonw_key(&w, "created_at");
    jsonw_time(&w, subject->user_created_ms);
    jsonw_end(&w);

    jsonw_key(&w, "account");
    jsonw_object(&w);
    jsonw_key(&w, "id");
    jsonw_string(&w, subject->account_id);
    jsonw_key(&w, "name");
    jsonw_string(&w, subject->account_name);
    jsonw_end(&w);

    me_refs(&w, "groups", subject->groups, subject->group_count);
    jsonw_key(&w, "auth_method");
    jsonw_string(&w, auth_method_name(subject->method));
    me_refs(&w, "accounts", subject->accounts, subject->account_count);
    jsonw_end(&w);
    return http_reply_jsonw(req, 200, &w);
}

/*
 * auth.c - resolving who is calling: an API key in the Authorization
 * header, or a session cookie, and the account named by the
 * JupiterOne-Account (or LifeOmic-Account) header.
 *
 * Every failure gives the same 401 answer, whether the key is unknown,
 * revoked, expired, or valid but for another account, and whether or not
 * the named account exists.
 */
#include "http/router.h"

#include "base/clock.h"
#include "http/server.h"
#include "http/rest/rest.h"
#include "identity/identity.h"
#include "store/sql.h"

#include <string.h>
#include <strings.h>

/* The one account the request names, or NULL; conflicting names fail. */
static enum status
auth_account_header(const struct request *req, const char **out,
                    struct error *err)
{
    static const char *const names[] = {"JupiterOne-Account",
                                        "LifeOmic-Account"};
    const char *found = NULL;

    *out = NULL;
    for (int i = 0; i < req->header_count; i++) {
        const struct http_header *h = &req->headers[i];

        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (strcasecmp(h->name, names[k]) != 0) {
                continue;
            }
            if (found != NULL && strcmp(found, h->value) != 0) {
                return error_set(err, STATUS_INVALID, "DUPLICATE_HEADER",
                                 "the request names more than one account");
            }
            found = h->value;
        }
    }
    *out = found;
    return STATUS_OK;
}

/* The value of the session cookie, copied into the arena, or NULL. */
static const char *
auth_cookie(struct request *req)
{
    const char *cookie = http_header_get(req, "Cookie");
    const size_t name_len = sizeof(SESSION_COOKIE) - 1;

    while (cookie != NULL && *cookie != '\0') {
        const char *end;

        while (*cookie == ' ' || *cookie == ';') {
            cookie++;
        }
        end = strchr(cookie, ';');
        if (end == NULL) {
            end = cookie + strlen(cookie);
        }
        if ((size_t)(end - cookie) > name_len &&
            strncmp(cookie, SESSION_COOKIE, name_len) == 0 &&
            cookie[name_len] == '=') {
            return arena_strndup(&req->arena, cookie + name_len + 1,
                                 (size_t)(end - cookie) - name_len - 1);
        }
        cookie = end;
    }
    return NULL;
}

static enum status
auth_with_key(struct request *req, sqlite3 *db, const char *secret,
              const char *account, struct error *err)
{
    struct subject_cache *cache = &req->server->subjects;
    int64_t generation = store_auth_generation(db);
    int64_t now = clock_now_ms();
    struct apikey key;
    enum status status;

    if (subject_cache_get(cache, secret, generation, now, &req->arena,
                          &req->subject)) {
        if (account != NULL && strcmp(account, req->subject.account_id)) {
            memset(&req->subject, 0, sizeof(req->subject));
            return identity_unauthenticated(err);
        }
        req->subject_last_used_ms = now; /* recorded when it was cached */
        return STATUS_OK;
    }

    status = identity_apikey_resolve(db, &req->arena, secret, &key, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (account != NULL && strcmp(account, key.account_id) != 0) {
        return identity_unauthenticated(err);
    }

    status = identity_subject_load(db, &req->arena, key.user_id,
                                   key.account_id, AUTH_METHOD_API_KEY,
                                   &req->subject, err);
    req->subject.key_id = key.id;
    req->subject_last_used_ms = key.last_used_ms;
    if (status == STATUS_OK) {
        subject_cache_put(cache, secret, generation, now, key.expires_ms,
                          &req->subject);
    }
    return status;
}

static enum status
auth_with_session(struct request *req, sqlite3 *db, const char *token,
                  const char *account, struct error *err)
{
    struct identity_limits limits;
    struct session session;
    enum status status;
    bool expired = false;

    rest_limits(req->server->config, &limits);
    status = identity_session_resolve(db, &req->arena, &limits, token,
                                      &session, &expired, err);
    if (expired) {
        rest_audit_as(req, db, session.account_id, session.user_id, "",
                      "session.expired", session.user_id, NULL, NULL);
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = identity_subject_load(db, &req->arena, session.user_id,
                                   account ? account : session.account_id,
                                   AUTH_METHOD_PASSWORD, &req->subject, err);
    req->subject.session_hash = session.token_hash;
    req->subject.csrf_token = session.csrf_token;
    req->subject_last_used_ms = session.last_seen_ms;
    return status;
}

static enum status
auth_begin_read(struct request *req, sqlite3 *db, struct error *err)
{
    if (strcmp(req->method, "GET") != 0) {
        return STATUS_OK;
    }
    return sql_exec(db, NULL, err, "BEGIN", "");
}

enum status
http_authenticate(struct request *req, struct error *err)
{
    const char *authorization, *account, *token;
    enum status status;
    sqlite3 *db;

    if (http_header_count(req, "Authorization") > 1 ||
        http_header_count(req, "Cookie") > 1) {
        return error_set(err, STATUS_INVALID, "DUPLICATE_HEADER",
                         "the request has more than one set of "
                         "credentials");
    }
    status = auth_account_header(req, &account, err);
    if (status != STATUS_OK) {
        return status;
    }
    status = http_db(req, &db, err);
    if (status != STATUS_OK) {
        return status;
    }

    /*
     * A GET reads everything in one read transaction: one snapshot, and
     * one lock instead of one per statement.  A key is resolved inside it
     * (resolving writes nothing); a session is resolved before it, since
     * an expired one is deleted and audited.
     */
    authorization = http_header_get(req, "Authorization");
    if (authorization != NULL) {
        if (strncasecmp(authorization, "Bearer ", 7) != 0) {
            return identity_unauthenticated(err);
        }
        status = auth_begin_read(req, db, err);
        if (status != STATUS_OK) {
            return status;
        }
        return auth_with_key(req, db, authorization + 7, account, err);
    }

    token = auth_cookie(req);
    if (token == NULL) {
        return identity_unauthenticated(err);
    }
    status = auth_with_session(req, db, token, account, err);
    if (status != STATUS_OK) {
        return status;
    }
    return auth_begin_read(req, db, err);
}

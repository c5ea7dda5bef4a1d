/*
 * apikeys.c - each user's own API keys; administrators may list and revoke
 * every key of the account.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "crypto/random.h"

#include <string.h>
#include <time.h>

#define APIKEY_NAME_MAX 128

/* "2027-01-31T00:00:00Z" (fractions and offsets refused) to epoch ms. */
static bool
apikey_parse_time(const char *text, int64_t *out)
{
    struct tm tm = {0};
    const char *end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);

    if (end == NULL) {
        return false;
    }
    if (*end == '.') {
        end++;
        while (*end >= '0' && *end <= '9') {
            end++;
        }
    }
    if (strcmp(end, "Z") != 0) {
        return false;
    }
    *out = (int64_t)timegm(&tm) * 1000;
    return true;
}

enum status
rest_apikeys_list(struct request *req, struct error *err)
{
    const char *all = http_query_get(req, "all");
    const char *owner = req->subject.user_id;
    struct apikey *keys = NULL;
    size_t count = 0;
    enum status status;
    json_t *list;
    sqlite3 *db;

    if (all != NULL && strcmp(all, "true") == 0) {
        status = rest_require(req, ACCESS_ACTION_READ,
                              ACCESS_RESOURCE_APIKEYS, err);
        if (status != STATUS_OK) {
            return status;
        }
        owner = NULL;
    }

    status = http_db(req, &db, err);
    if (status == STATUS_OK) {
        status = apikey_list(db, &req->arena, req->subject.account_id, owner,
                             &keys, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, rest_apikey_json(&keys[i]));
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "api_keys", list));
}

enum status
rest_apikey_create(struct request *req, struct error *err)
{
    static const char *const fields[] = {"name", "expires_at", NULL};
    char secret[APIKEY_SECRET_LEN + 1];
    const char *name = NULL, *expires = NULL;
    int64_t expires_ms = 0;
    struct apikey key;
    enum status status;
    json_t *body, *answer;
    sqlite3 *db;

    /* An empty body is a key with no name and no expiry. */
    if (req->body_len > 0) {
        status = rest_body(req, fields, &body, err);
        if (status == STATUS_OK) {
            status = http_body_string(body, "name", false, APIKEY_NAME_MAX,
                                      &name, err);
        }
        if (status == STATUS_OK) {
            status = http_body_string(body, "expires_at", false, 64,
                                      &expires, err);
        }
        if (status != STATUS_OK) {
            return status;
        }
    }
    if (expires != NULL && (!apikey_parse_time(expires, &expires_ms) ||
                            expires_ms <= clock_now_ms())) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "expires_at must be a future UTC time such as "
                         "2030-01-31T00:00:00Z");
    }

    status = rest_begin(req, &db, err);
    if (status == STATUS_OK) {
        status = identity_apikey_create(db, &req->arena,
                                        req->subject.account_id,
                                        req->subject.user_id, name,
                                        expires_ms, secret, &key, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "apikey.created", key.id,
                            json_pack("{s:s, s:s}", "prefix", key.prefix,
                                      "name", key.name),
                            err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        secret_wipe(secret, sizeof(secret));
        return status;
    }

    answer = json_pack("{s:o, s:s}", "api_key", rest_apikey_json(&key),
                       "secret", secret);
    secret_wipe(secret, sizeof(secret));
    return http_reply_json(req, 201, answer);
}

enum status
rest_apikey_revoke(struct request *req, struct error *err)
{
    const char *id = req->params[0];
    struct apikey key;
    enum status status;
    sqlite3 *db;

    status = rest_begin(req, &db, err);
    if (status == STATUS_OK &&
        apikey_get(db, &req->arena, req->subject.account_id, id, &key,
                   NULL) != STATUS_OK) {
        status = rest_not_found(err, "API key");
    }

    /* Someone else's key needs the right to manage keys. */
    if (status == STATUS_OK && strcmp(key.user_id, req->subject.user_id)) {
        status = rest_require(req, ACCESS_ACTION_DELETE,
                              ACCESS_RESOURCE_APIKEYS, err);
    }
    if (status == STATUS_OK) {
        status = apikey_revoke(db, req->subject.account_id, id,
                               clock_now_ms(), err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "apikey.revoked", id,
                            json_pack("{s:s, s:s}", "prefix", key.prefix,
                                      "owner", key.user_id),
                            err);
    }
    if (status == STATUS_OK) {
        status = apikey_get(db, &req->arena, req->subject.account_id, id,
                            &key, err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o}", "api_key",
                                     rest_apikey_json(&key)));
}

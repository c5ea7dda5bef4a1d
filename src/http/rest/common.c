/*
 * common.c - helpers shared by the REST handlers: access checks, audit
 * entries, transactions and the JSON shape of stored objects.
 */
#include "http/rest/rest.h"

#include "audit/audit.h"
#include "base/clock.h"
#include "http/server.h"

#include <string.h>

enum status
rest_require(struct request *req, enum access_action action,
             enum access_resource resource, struct error *err)
{
    if (access_check(&req->subject, action, resource)) {
        return STATUS_OK;
    }
    return error_set(err, STATUS_DENIED, "FORBIDDEN",
                     "you are not allowed to %s %s in this account",
                     access_action_name(action),
                     access_resource_name(resource));
}

void
rest_limits(const struct config *config, struct identity_limits *out)
{
    out->session_ttl_ms = config->session_ttl * 1000;
    out->session_idle_ms = config->session_idle * 1000;
    out->lockout_threshold = config->lockout_threshold;
    out->lockout_window_ms = config->lockout_window * 1000;
    out->lockout_duration_ms = config->lockout_duration * 1000;
}

enum status
rest_audit_as(struct request *req, sqlite3 *db, const char *account_id,
              const char *actor_id, const char *actor_login,
              const char *event, const char *target, json_t *detail,
              struct error *err)
{
    struct audit_entry entry = {0};
    char *text = NULL;
    enum status status;

    if (detail != NULL) {
        text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(detail);
        if (text == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
    }

    entry.account_id = account_id;
    entry.actor_id = actor_id;
    entry.actor_login = actor_login;
    entry.event = event;
    entry.target = target;
    entry.detail = text;
    entry.source_addr = req->peer;
    entry.request_id = req->id;
    status = audit_append(db, &entry, err);
    free(text);
    return status;
}

enum status
rest_audit(struct request *req, sqlite3 *db, const char *event,
           const char *target, json_t *detail, struct error *err)
{
    return rest_audit_as(req, db, req->subject.account_id,
                         req->subject.user_id, req->subject.login, event,
                         target, detail, err);
}

json_t *
rest_time(int64_t ms)
{
    char iso[CLOCK_ISO_MAX];

    if (ms == 0) {
        return json_null();
    }
    clock_format_iso(ms, iso);
    return json_string(iso);
}

json_t *
rest_user_json(const struct user *user)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:o}", "id", user->id, "login",
                     user->login, "name", user->name ? user->name : "",
                     "is_support", user->is_support, "created_at",
                     rest_time(user->created_ms));
}

json_t *
rest_account_json(const struct account *account)
{
    return json_pack("{s:s, s:s, s:o}", "id", account->id, "name",
                     account->name, "created_at",
                     rest_time(account->created_ms));
}

json_t *
rest_group_json(sqlite3 *db, struct arena *arena, const struct group *group)
{
    struct policy_ref *policies = NULL;
    size_t count = 0;
    json_t *list = json_array();

    if (group_policies(db, arena, group->id, &policies, &count, NULL) ==
        STATUS_OK) {
        for (size_t i = 0; i < count; i++) {
            json_array_append_new(list,
                                  json_pack("{s:s, s:s}", "id",
                                            policies[i].id, "name",
                                            policies[i].name));
        }
    }
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:I, s:o}", "id", group->id,
                     "name", group->name, "description", group->description,
                     "predefined", group->predefined, "policies", list,
                     "member_count", (json_int_t)group->member_count,
                     "created_at", rest_time(group->created_ms));
}

json_t *
rest_apikey_json(const struct apikey *key)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
                     key->id, "name", key->name, "prefix", key->prefix,
                     "user_id", key->user_id, "created_at",
                     rest_time(key->created_ms), "expires_at",
                     rest_time(key->expires_ms), "last_used_at",
                     rest_time(key->last_used_ms), "revoked_at",
                     rest_time(key->revoked_ms));
}

static void
rest_body_free(void *p)
{
    json_decref(p);
}

enum status
rest_body(struct request *req, const char *const *allowed, json_t **out,
          struct error *err)
{
    enum status status;

    status = http_body_object(req, out, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (arena_defer(&req->arena, rest_body_free, *out) != 0) {
        json_decref(*out);
        *out = NULL;
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return http_body_fields(*out, allowed, err);
}

enum status
rest_begin(struct request *req, sqlite3 **db, struct error *err)
{
    enum status status = http_db(req, db, err);

    if (status != STATUS_OK) {
        return status;
    }
    return store_begin(*db, err);
}

enum status
rest_finish(sqlite3 *db, enum status status, struct error *err)
{
    if (status != STATUS_OK) {
        store_rollback(db);
        return status;
    }
    status = store_commit(db, err);
    if (status != STATUS_OK) {
        store_rollback(db);
    }
    return status;
}

enum status
rest_not_found(struct error *err, const char *what)
{
    return error_set(err, STATUS_NOT_FOUND, "NOT_FOUND",
                     "no such %s in this account", what);
}

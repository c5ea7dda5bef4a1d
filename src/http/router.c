/*
 * router.c - the route table and dispatch.
 *
 * A pattern is a path whose "{}" segments each match one path segment of
 * up to ROUTER_PARAM_MAX plain characters, captured in req->params in
 * order.  When a path matches some route but not for this method, the
 * answer is 405 with an Allow header.
 */
#include "http/router.h"

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "http/rest/rest.h"
#include "http/server.h"
#include "identity/identity.h"
#include "store/sql.h"

#include <stdio.h>
#include <string.h>

#define ROUTER_PARAM_MAX 128

static const struct route router_table[] = {
    {"GET", "/healthz", rest_healthz, ROUTE_AUTH_NONE},
    {"GET", "/readyz", rest_readyz, ROUTE_AUTH_NONE},
    {"GET", "/metrics", rest_metrics, ROUTE_AUTH_NONE},
    {"POST", "/api/v1/login", rest_login, ROUTE_AUTH_NONE},
    {"POST", "/api/v1/logout", rest_logout, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/me", rest_me, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/accounts", rest_accounts_list, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/accounts/{}", rest_account_get, ROUTE_AUTH_SUBJECT},
    {"PATCH", "/api/v1/accounts/{}", rest_account_update,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/users", rest_users_list, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/users/{}", rest_user_get, ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/users/{}", rest_user_remove, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/invitations", rest_invitations_list,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/invitations", rest_invitation_create,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/invitations/accept", rest_invitation_accept,
     ROUTE_AUTH_NONE},
    {"DELETE", "/api/v1/invitations/{}", rest_invitation_revoke,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/groups", rest_groups_list, ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/groups", rest_group_create, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/groups/{}", rest_group_get, ROUTE_AUTH_SUBJECT},
    {"PATCH", "/api/v1/groups/{}", rest_group_update, ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/groups/{}", rest_group_delete, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/groups/{}/members", rest_group_members,
     ROUTE_AUTH_SUBJECT},
    {"PUT", "/api/v1/groups/{}/members/{}", rest_group_member_add,
     ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/groups/{}/members/{}", rest_group_member_remove,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/apikeys", rest_apikeys_list, ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/apikeys", rest_apikey_create, ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/apikeys/{}", rest_apikey_revoke, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/support-user", rest_support_get, ROUTE_AUTH_SUBJECT},
    {"PUT", "/api/v1/support-user", rest_support_add, ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/support-user", rest_support_remove,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/audit", rest_audit_list, ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/entities", rest_entity_create, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/entities", rest_entities_list, ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/entities/{}", rest_entity_get, ROUTE_AUTH_SUBJECT},
    {"PATCH", "/api/v1/entities/{}", rest_entity_update, ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/entities/{}", rest_entity_delete,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/entities/{}/versions", rest_entity_versions,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/relationships", rest_relationship_create,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/relationships", rest_relationships_list,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/relationships/{}", rest_relationship_get,
     ROUTE_AUTH_SUBJECT},
    {"PATCH", "/api/v1/relationships/{}", rest_relationship_update,
     ROUTE_AUTH_SUBJECT},
    {"DELETE", "/api/v1/relationships/{}", rest_relationship_delete,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/api/v1/relationships/{}/versions", rest_relationship_versions,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/graph/bulk", rest_graph_bulk, ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs", rest_sync_create,
     ROUTE_AUTH_SUBJECT},
    {"GET", "/persister/synchronization/jobs/{}", rest_sync_get,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/entities",
     rest_sync_entities, ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/relationships",
     rest_sync_relationships, ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/upload", rest_sync_upload,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/finalize",
     rest_sync_finalize, ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/abort", rest_sync_abort,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/persister/synchronization/jobs/{}/events", rest_sync_events,
     ROUTE_AUTH_SUBJECT},
    {"POST", "/api/v1/import/csv", rest_import_csv, ROUTE_AUTH_SUBJECT},
};

#define ROUTER_COUNT (sizeof(router_table) / sizeof(router_table[0]))

/*
 * Routes whose handlers hash passwords, send mail, or write thousands of
 * objects in one transaction.
 */
static const struct route_ref {
    const char *method;
    const char *path;
} router_slow[] = {
    {"POST", "/api/v1/login"},
    {"POST", "/api/v1/invitations"},
    {"POST", "/api/v1/invitations/accept"},
    {"POST", "/api/v1/graph/bulk"},
    {"POST", "/persister/synchronization/jobs/{}/entities"},
    {"POST", "/persister/synchronization/jobs/{}/relationships"},
    {"POST", "/persister/synchronization/jobs/{}/upload"},
    {"POST", "/persister/synchronization/jobs/{}/finalize"},
    {"POST", "/api/v1/import/csv"},
};

static bool router_match(const char *pattern, const char *path,
                         struct request *req, const char **params);

/* The slow list holds patterns too: "{}" stands for one segment. */
bool
router_is_slow(const struct request *req)
{
    for (size_t i = 0; i < sizeof(router_slow) / sizeof(router_slow[0]);
         i++) {
        if (strcmp(router_slow[i].method, req->method) == 0 &&
            router_match(router_slow[i].path, req->path, NULL, NULL)) {
            return true;
        }
    }
    return false;
}

const struct route *
router_routes(size_t *count)
{
    *count = ROUTER_COUNT;
    return router_table;
}

void
router_init(struct metrics *metrics)
{
    for (size_t i = 0; i < ROUTER_COUNT; i++) {
        metrics_route(metrics, router_table[i].pattern);
    }
}

static bool
router_param_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '@' || c == '+';
}

/* Match path against pattern, capturing "{}" segments into params. */
static bool
router_match(const char *pattern, const char *path, struct request *req,
             const char **params)
{
    int n = 0;

    while (*pattern != '\0' && *path != '\0') {
        if (pattern[0] == '{' && pattern[1] == '}') {
            const char *start = path;

            while (*path != '\0' && *path != '/') {
                if (!router_param_char(*path)) {
                    return false;
                }
                path++;
            }
            if (path == start || path - start > ROUTER_PARAM_MAX ||
                n == REQUEST_PARAMS_MAX) {
                return false;
            }
            if (req != NULL) {
                params[n] = arena_strndup(&req->arena, start,
                                          (size_t)(path - start));
            }
            n++;
            pattern += 2;
            continue;
        }
        if (*pattern != *path) {
            return false;
        }
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

static bool
router_is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* Cookie sessions must echo their CSRF token on every state change. */
static enum status
router_check_csrf(struct request *req, struct error *err)
{
    const char *given = http_header_get(req, "X-CSRF-Token");

    if (req->subject.session_hash == NULL || !router_is_write(req->method)) {
        return STATUS_OK;
    }
    if (given == NULL || req->subject.csrf_token == NULL ||
        !secret_equal(given, req->subject.csrf_token)) {
        return error_set(err, STATUS_DENIED, "CSRF_TOKEN_INVALID",
                         "this request needs the session's X-CSRF-Token "
                         "header");
    }
    return STATUS_OK;
}

static const struct route *
router_find(struct request *req, struct error *err)
{
    char allow[128] = "";
    size_t allow_len = 0;

    for (size_t i = 0; i < ROUTER_COUNT; i++) {
        const struct route *r = &router_table[i];

        if (!router_match(r->pattern, req->path, NULL, NULL)) {
            continue;
        }
        if (strcmp(r->method, req->method) == 0) {
            router_match(r->pattern, req->path, req, req->params);
            req->route = r->pattern;
            return r;
        }
        allow_len += (size_t)snprintf(allow + allow_len,
                                      sizeof(allow) - allow_len, "%s%s",
                                      allow_len ? ", " : "", r->method);
        if (allow_len >= sizeof(allow)) {
            allow_len = sizeof(allow) - 1;
        }
    }

    if (allow_len > 0) {
        http_reply_header(req, "Allow", allow);
        error_set(err, STATUS_INVALID, "METHOD_NOT_ALLOWED",
                  "this method is not allowed here; use %s", allow);
        err->status = STATUS_INVALID;
        return NULL;
    }
    error_set(err, STATUS_NOT_FOUND, "ROUTE_NOT_FOUND",
              "there is no such API route");
    return NULL;
}

/* Who is calling, and for a cookie session, is the CSRF token right. */
static enum status
router_authenticate(struct request *req, struct error *err)
{
    enum status status;

    req->subject_last_used_ms = -1;
    status = http_authenticate(req, err);
    if (status == STATUS_OK) {
        status = router_check_csrf(req, err);
    }
    return status;
}

/* End the read transaction, record the credential's use, give back. */
static void
router_finish(struct request *req)
{
    if (req->db == NULL) {
        return;
    }
    if (!sqlite3_get_autocommit(req->db)) {
        sql_exec(req->db, NULL, NULL, "ROLLBACK", "");
    }
    if (req->subject.authenticated && req->subject_last_used_ms >= 0) {
        identity_record_use(req->db, &req->subject,
                            req->subject_last_used_ms, clock_now_ms());
    }
    http_db_release(req);
}

void
router_dispatch(struct request *req)
{
    const struct route *route;
    struct error err;
    enum status status;

    error_clear(&err);
    req->route = "unmatched";

    if (req->headers_overflow) {
        error_set(&err, STATUS_INVALID, "TOO_MANY_HEADERS",
                  "the request has too many headers or arguments");
        goto fail;
    }

    route = router_find(req, &err);
    if (route == NULL) {
        goto fail;
    }

    if (route->auth == ROUTE_AUTH_SUBJECT) {
        status = router_authenticate(req, &err);
        if (status != STATUS_OK) {
            goto fail;
        }
    }

    status = route->handler(req, &err);
    router_finish(req);
    if (status == STATUS_OK) {
        return;
    }

fail:
    router_finish(req);
    if (err.detail[0] != '\0' || status_http(err.status) >= 500) {
        log_event(LOG_WARN, "http", "request_failed", "req", req->id, "code",
                  err.code, "detail", err.detail, NULL);
    }
    http_reply_error(req, &err);
    if (strcmp(err.code, "METHOD_NOT_ALLOWED") == 0) {
        req->status = 405;
    } else if (strcmp(err.code, "TOO_MANY_HEADERS") == 0) {
        req->status = 431;
    }
}

/*
 * support.c - letting the operator's support identity into the current
 * account, and out again.
 *
 * The support user is one user shared by every account, named by the
 * support_login setting, with no password of its own (it signs in by means
 * the operator controls) and is_support set.  It is created the first time
 * any account adds it, and it sees only the accounts that have added it,
 * like any other member.  A login of that name that belongs to an ordinary
 * user is never treated as the support user.
 */
#include "http/rest/rest.h"

#include "http/server.h"

#include <string.h>

#define SUPPORT_USER_NAME "Ganymede Support"

static const char *
support_login(const struct request *req)
{
    const char *login = req->server->config->support_login;

    return login != NULL && *login != '\0' ? login : NULL;
}

/* The support user, if it exists; *member tells whether it is in here. */
static bool
support_find(sqlite3 *db, struct request *req, struct user *out, bool *member)
{
    const char *login = support_login(req);

    *member = false;
    if (login == NULL ||
        user_get_by_login(db, &req->arena, login, out, NULL) != STATUS_OK ||
        !out->is_support) {
        return false;
    }
    *member = membership_exists(db, req->subject.account_id, out->id);
    return true;
}

enum status
rest_support_get(struct request *req, struct error *err)
{
    const char *login = support_login(req);
    bool found, member = false;
    enum status status;
    struct user user;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    found = support_find(db, req, &user, &member) && member;
    return http_reply_json(
        req, 200,
        json_pack("{s:o, s:b, s:o}", "login",
                  login != NULL ? json_string(login) : json_null(), "present",
                  found, "user", found ? rest_user_json(&user) : json_null()));
}

enum status
rest_support_add(struct request *req, struct error *err)
{
    const char *login = support_login(req);
    const char *account_id = req->subject.account_id;
    bool member = false;
    enum status status;
    struct user user;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK && login == NULL) {
        status = error_set(err, STATUS_CONFLICT, "SUPPORT_DISABLED",
                           "no support login is configured on this server");
    }
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    if (!support_find(db, req, &user, &member)) {
        if (user_get_by_login(db, &req->arena, login, &user, NULL) ==
            STATUS_OK) {
            status = error_set(err, STATUS_CONFLICT, "CONFLICT",
                               "the support login belongs to an ordinary "
                               "user");
        } else {
            status = user_create(db, &req->arena, login, SUPPORT_USER_NAME,
                                 NULL, true, &user, err);
        }
    }

    /* Adding it again changes nothing and records nothing. */
    if (status == STATUS_OK && !member) {
        status = membership_add(db, account_id, user.id, err);
        if (status == STATUS_OK) {
            status = rest_audit(req, db, "support.added", user.id,
                                json_pack("{s:s}", "login", user.login), err);
        }
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(
        req, 200,
        json_pack("{s:b, s:o}", "present", 1, "user", rest_user_json(&user)));
}

enum status
rest_support_remove(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    bool member = false;
    enum status status;
    struct user user;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    /* Removing it when it is not here is not an error. */
    if (support_find(db, req, &user, &member) && member) {
        if (group_is_last_administrator(db, account_id, user.id)) {
            status = error_set(err, STATUS_CONFLICT, "LAST_ADMINISTRATOR",
                               "the account must keep at least one "
                               "administrator");
        }
        if (status == STATUS_OK) {
            status = membership_remove(db, account_id, user.id, err);
        }
        if (status == STATUS_OK) {
            status = rest_audit(req, db, "support.removed", user.id,
                                json_pack("{s:s}", "login", user.login), err);
        }
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200, json_pack("{s:b}", "present", 0));
}

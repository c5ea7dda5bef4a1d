/*
 * accounts.c - the accounts a caller belongs to, renaming the current one,
 * and the users who are members of it.
 *
 * Only the current account (the one the credentials resolved to) can be
 * read or changed here; every other account id, whether the caller is a
 * member of it or not, is answered exactly like an id that does not exist.
 * Users are likewise looked up through their membership of the current
 * account, never by id alone.
 */
#include "http/rest/rest.h"

#include <string.h>

/* Account names count code points; the byte cap stops work before that. */
#define ACCOUNT_NAME_MAX       100
#define ACCOUNT_NAME_BYTES_MAX (ACCOUNT_NAME_MAX * 4)

/* 1..ACCOUNT_NAME_MAX code points of valid UTF-8, no control characters. */
static enum status
accounts_check_name(const char *name, struct error *err)
{
    size_t points = 0;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                             "the field \"name\" must not contain control "
                             "characters");
        }
        if ((*p & 0xc0) != 0x80) {
            points++;
        }
    }
    if (points == 0 || points > ACCOUNT_NAME_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"name\" must be 1 to %d characters",
                         ACCOUNT_NAME_MAX);
    }
    return STATUS_OK;
}

/* A user as listed here: the stored fields and its groups in the account. */
static enum status
accounts_user_json(sqlite3 *db, struct arena *arena, const char *account_id,
                   const struct user *user, json_t **out, struct error *err)
{
    struct group *groups = NULL;
    size_t count = 0;
    enum status status;
    json_t *list;

    *out = NULL;
    status = group_list(db, arena, account_id, user->id, &groups, &count, err);
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "id", groups[i].id,
                                              "name", groups[i].name));
    }
    *out = rest_user_json(user);
    if (*out == NULL || json_object_set_new(*out, "groups", list) != 0) {
        json_decref(*out);
        *out = NULL;
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/*
 * The "settings" member of an account update: an object whose only
 * setting is "validation", "warn" or "strict".  *set false when absent.
 */
static enum status
accounts_read_settings(json_t *body, bool *set,
                       enum account_validation *validation, struct error *err)
{
    static const char *const fields[] = {"validation", NULL};
    json_t *settings = json_object_get(body, "settings");
    const char *name = NULL;
    enum status status;

    *set = false;
    if (settings == NULL) {
        return STATUS_OK;
    }
    if (!json_is_object(settings)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"settings\" must be an object");
    }
    status = http_body_fields(settings, fields, err);
    if (status == STATUS_OK) {
        status = http_body_string(settings, "validation", true, 16, &name,
                                  err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    if (!account_validation_parse(name, validation)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the setting \"validation\" must be \"warn\" or "
                         "\"strict\"");
    }
    *set = true;
    return STATUS_OK;
}

/* The account as answered, with its settings. */
static json_t *
accounts_json(sqlite3 *db, const struct account *account)
{
    enum account_validation validation = ACCOUNT_VALIDATION_WARN;
    json_t *obj = rest_account_json(account);

    account_get_validation(db, account->id, &validation, NULL);
    if (obj != NULL) {
        json_object_set_new(obj, "settings",
                            json_pack("{s:s}", "validation",
                                      account_validation_name(validation)));
    }
    return obj;
}

enum status
rest_accounts_list(struct request *req, struct error *err)
{
    struct account *accounts = NULL;
    size_t count = 0;
    enum status status;
    json_t *list;
    sqlite3 *db;

    status = http_db(req, &db, err);
    if (status == STATUS_OK) {
        status = account_list(db, &req->arena, req->subject.user_id, &accounts,
                              &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, rest_account_json(&accounts[i]));
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "accounts", list));
}

enum status
rest_account_get(struct request *req, struct error *err)
{
    const char *id = req->params[0];
    struct account account;
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_ACCOUNT, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (strcmp(id, req->subject.account_id) != 0) {
        return rest_not_found(err, "account");
    }

    status = http_db(req, &db, err);
    if (status == STATUS_OK &&
        account_get(db, &req->arena, id, &account, NULL) != STATUS_OK) {
        status = rest_not_found(err, "account");
    }
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(
        req, 200, json_pack("{s:o}", "account", accounts_json(db, &account)));
}

enum status
rest_account_update(struct request *req, struct error *err)
{
    static const char *const fields[] = {"name", "settings", NULL};
    enum account_validation validation = ACCOUNT_VALIDATION_WARN;
    const char *id = req->params[0];
    struct account before, after;
    const char *name = NULL;
    bool set_validation = false;
    enum status status;
    json_t *body, *detail;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_ACCOUNT, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (strcmp(id, req->subject.account_id) != 0) {
        return rest_not_found(err, "account");
    }

    status = rest_body(req, fields, &body, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "name", false,
                                  ACCOUNT_NAME_BYTES_MAX, &name, err);
    }
    if (status == STATUS_OK && name != NULL) {
        status = accounts_check_name(name, err);
    }
    if (status == STATUS_OK) {
        status = accounts_read_settings(body, &set_validation, &validation,
                                        err);
    }
    if (status == STATUS_OK && name == NULL && !set_validation) {
        status = error_set(err, STATUS_INVALID, "MISSING_FIELD",
                           "the body needs \"name\" or \"settings\"");
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = rest_begin(req, &db, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (account_get(db, &req->arena, id, &before, NULL) != STATUS_OK) {
        status = rest_not_found(err, "account");
    }
    if (status == STATUS_OK && name != NULL) {
        status = account_rename(db, id, name, err);
    }
    if (status == STATUS_OK && set_validation) {
        status = account_set_validation(db, id, validation, err);
    }
    if (status == STATUS_OK) {
        detail = json_pack("{s:s, s:s}", "name",
                           name != NULL ? name : before.name,
                           "previous_name", before.name);
        if (detail != NULL && set_validation) {
            json_object_set_new(detail, "validation",
                                json_string(
                                    account_validation_name(validation)));
        }
        status = rest_audit(req, db, "account.updated", id, detail, err);
    }
    if (status == STATUS_OK) {
        status = account_get(db, &req->arena, id, &after, err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o}", "account",
                                     accounts_json(db, &after)));
}

enum status
rest_users_list(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    struct user *users = NULL;
    size_t count = 0;
    enum status status;
    json_t *list, *item;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status == STATUS_OK) {
        status = user_list(db, &req->arena, account_id, &users, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        status = accounts_user_json(db, &req->arena, account_id, &users[i],
                                    &item, err);
        if (status != STATUS_OK) {
            json_decref(list);
            return status;
        }
        json_array_append_new(list, item);
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "users", list));
}

enum status
rest_user_get(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    const char *id = req->params[0];
    struct user user;
    enum status status;
    json_t *item;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    /* Only members of this account exist here. */
    if (!membership_exists(db, account_id, id) ||
        user_get(db, &req->arena, id, &user, NULL) != STATUS_OK) {
        return rest_not_found(err, "user");
    }

    status = accounts_user_json(db, &req->arena, account_id, &user, &item, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "user", item));
}

enum status
rest_user_remove(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    const char *id = req->params[0];
    struct user user;
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    if (!membership_exists(db, account_id, id) ||
        user_get(db, &req->arena, id, &user, NULL) != STATUS_OK) {
        status = rest_not_found(err, "user");
    }
    if (status == STATUS_OK &&
        group_is_last_administrator(db, account_id, id)) {
        status = error_set(err, STATUS_CONFLICT, "LAST_ADMINISTRATOR",
                           "the account must keep at least one "
                           "administrator");
    }
    if (status == STATUS_OK) {
        status = membership_remove(db, account_id, id, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "member.removed", id,
                            json_pack("{s:s}", "login", user.login), err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

/*
 * groups.c - the groups of the current account and their members.
 *
 * Every account starts with two predefined groups, Users and
 * Administrators; they keep their names and cannot be deleted, though their
 * descriptions may change.  The account must always keep one member in
 * Administrators, so the last one cannot be taken out.  Group and user ids
 * from another account are not found, with the same answer as an id that
 * never existed.
 */
#include "http/rest/rest.h"

#include <string.h>

/* Limits count code points; the byte caps stop oversized input early. */
#define GROUP_NAME_MAX        100
#define GROUP_DESCRIPTION_MAX 1000

/*
 * Check that a text field has at most max code points, and a name at
 * least one and no control characters (a description may hold line
 * breaks); jansson already refused invalid UTF-8.
 */
static enum status
groups_check_text(const char *field, const char *value, size_t max,
                  bool is_name, struct error *err)
{
    size_t points = 0;

    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (is_name && (*p < 0x20 || *p == 0x7f)) {
            return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                             "the field \"%s\" must not contain control "
                             "characters",
                             field);
        }
        if ((*p & 0xc0) != 0x80) {
            points++;
        }
    }
    if ((is_name && points == 0) || points > max) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" must be %s%zu characters", field,
                         is_name ? "1 to " : "at most ", max);
    }
    return STATUS_OK;
}

/* Read and check the optional name and description of a body. */
static enum status
groups_read_body(struct request *req, bool name_required, const char **name,
                 const char **description, struct error *err)
{
    static const char *const fields[] = {"name", "description", NULL};
    enum status status;
    json_t *body;

    status = rest_body(req, fields, &body, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "name", name_required,
                                  GROUP_NAME_MAX * 4, name, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "description", false,
                                  GROUP_DESCRIPTION_MAX * 4, description, err);
    }
    if (status == STATUS_OK && *name != NULL) {
        status = groups_check_text("name", *name, GROUP_NAME_MAX, true, err);
    }
    if (status == STATUS_OK && *description != NULL) {
        status = groups_check_text("description", *description,
                                   GROUP_DESCRIPTION_MAX, false, err);
    }
    return status;
}

/* The group named in the path, within the current account. */
static enum status
groups_find(sqlite3 *db, struct request *req, struct group *out,
            struct error *err)
{
    if (group_get(db, &req->arena, req->subject.account_id, req->params[0], out,
                  NULL) != STATUS_OK) {
        return rest_not_found(err, "group");
    }
    return STATUS_OK;
}

static bool
groups_is_administrators(const struct group *group)
{
    return group->predefined && strcmp(group->name, GROUP_ADMINISTRATORS) == 0;
}

static enum status
groups_predefined(struct error *err, const char *what)
{
    return error_set(err, STATUS_CONFLICT, "PREDEFINED_GROUP",
                     "a predefined group cannot be %s", what);
}

/* Answer with one group as it now stands. */
static enum status
groups_reply(struct request *req, sqlite3 *db, int http_status,
             const struct group *group)
{
    return http_reply_json(
        req, http_status,
        json_pack("{s:o}", "group", rest_group_json(db, &req->arena, group)));
}

enum status
rest_groups_list(struct request *req, struct error *err)
{
    struct group *groups = NULL;
    size_t count = 0;
    enum status status;
    json_t *list;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status == STATUS_OK) {
        status = group_list(db, &req->arena, req->subject.account_id, NULL,
                            &groups, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list,
                              rest_group_json(db, &req->arena, &groups[i]));
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "groups", list));
}

enum status
rest_group_create(struct request *req, struct error *err)
{
    const char *name = NULL, *description = NULL;
    struct group group;
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = groups_read_body(req, true, &name, &description, err);
    }
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = group_create(db, &req->arena, req->subject.account_id, name,
                          description, false, &group, err);
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "group.created", group.id,
                            json_pack("{s:s}", "name", group.name), err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return groups_reply(req, db, 201, &group);
}

enum status
rest_group_get(struct request *req, struct error *err)
{
    struct group group;
    enum status status;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status == STATUS_OK) {
        status = groups_find(db, req, &group, err);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return groups_reply(req, db, 200, &group);
}

enum status
rest_group_update(struct request *req, struct error *err)
{
    const char *name = NULL, *description = NULL;
    struct group group;
    enum status status;
    json_t *detail;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = groups_read_body(req, false, &name, &description, err);
    }
    if (status == STATUS_OK && name == NULL && description == NULL) {
        status = error_set(err, STATUS_INVALID, "MISSING_FIELD",
                           "give \"name\", \"description\" or both");
    }
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = groups_find(db, req, &group, err);

    /* Giving a predefined group its own name again is not a rename. */
    if (status == STATUS_OK && group.predefined && name != NULL &&
        strcmp(name, group.name) != 0) {
        status = groups_predefined(err, "renamed");
    }
    if (status == STATUS_OK) {
        status = group_update(db, req->subject.account_id, group.id, name,
                              description, err);
    }
    if (status == STATUS_OK) {
        detail = json_pack("{s:s}", "previous_name", group.name);
        if (name != NULL) {
            json_object_set_new(detail, "name", json_string(name));
        }
        if (description != NULL) {
            json_object_set_new(detail, "description_changed", json_true());
        }
        status = rest_audit(req, db, "group.updated", group.id, detail, err);
    }
    if (status == STATUS_OK) {
        status = group_get(db, &req->arena, req->subject.account_id, group.id,
                           &group, err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return groups_reply(req, db, 200, &group);
}

enum status
rest_group_delete(struct request *req, struct error *err)
{
    struct group group;
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = groups_find(db, req, &group, err);
    if (status == STATUS_OK && group.predefined) {
        status = groups_predefined(err, "deleted");
    }
    if (status == STATUS_OK) {
        status = group_delete(db, req->subject.account_id, group.id, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "group.deleted", group.id,
                            json_pack("{s:s, s:I}", "name", group.name,
                                      "member_count",
                                      (json_int_t)group.member_count),
                            err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

enum status
rest_group_members(struct request *req, struct error *err)
{
    struct user *members = NULL;
    size_t count = 0;
    struct group group;
    enum status status;
    json_t *list;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status == STATUS_OK) {
        status = groups_find(db, req, &group, err);
    }
    if (status == STATUS_OK) {
        status = group_members(db, &req->arena, req->subject.account_id,
                               group.id, &members, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    list = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, rest_user_json(&members[i]));
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "members", list));
}

/* Is user_id already in the group? */
static enum status
groups_has_member(sqlite3 *db, struct request *req, const char *group_id,
                  const char *user_id, bool *out, struct error *err)
{
    struct group *groups = NULL;
    size_t count = 0;
    enum status status;

    *out = false;
    status = group_list(db, &req->arena, req->subject.account_id, user_id,
                        &groups, &count, err);
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        if (strcmp(groups[i].id, group_id) == 0) {
            *out = true;
        }
    }
    return status;
}

/*
 * What adding and removing a member share: the right to change groups, a
 * write transaction, the group and the user (both of this account), and
 * whether the user is in the group already.  On failure the transaction,
 * if begun, is left for the caller's rest_finish() to roll back.
 */
static enum status
groups_member_begin(struct request *req, sqlite3 **db, struct group *group,
                    struct user *user, bool *present, struct error *err)
{
    const char *user_id = req->params[1];
    enum status status;

    *db = NULL;
    *present = false;
    status =
        rest_require(req, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GROUPS, err);
    if (status == STATUS_OK) {
        status = rest_begin(req, db, err);
    }
    if (status == STATUS_OK) {
        status = groups_find(*db, req, group, err);
    }
    if (status == STATUS_OK &&
        (!membership_exists(*db, req->subject.account_id, user_id) ||
         user_get(*db, &req->arena, user_id, user, NULL) != STATUS_OK)) {
        status = rest_not_found(err, "user");
    }
    if (status == STATUS_OK) {
        status = groups_has_member(*db, req, group->id, user_id, present,
                                   err);
    }
    return status;
}

/* Answer a member change: commit (or roll back) and say ok. */
static enum status
groups_member_finish(struct request *req, sqlite3 *db, enum status status,
                     struct error *err)
{
    if (db == NULL) {
        return status;
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static json_t *
groups_member_detail(const struct group *group, const struct user *user)
{
    return json_pack("{s:s, s:s, s:s}", "group", group->name, "user_id",
                     user->id, "login", user->login);
}

enum status
rest_group_member_add(struct request *req, struct error *err)
{
    struct group group;
    struct user user;
    bool present;
    enum status status;
    sqlite3 *db;

    status = groups_member_begin(req, &db, &group, &user, &present, err);

    /* Adding a member twice changes nothing and records nothing. */
    if (status == STATUS_OK && !present) {
        status = group_member_add(db, req->subject.account_id, group.id,
                                  user.id, err);
        if (status == STATUS_OK) {
            status = rest_audit(req, db, "group.member_added", group.id,
                                groups_member_detail(&group, &user), err);
        }
    }
    return groups_member_finish(req, db, status, err);
}

enum status
rest_group_member_remove(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    struct group group;
    struct user user;
    bool present;
    enum status status;
    sqlite3 *db;

    status = groups_member_begin(req, &db, &group, &user, &present, err);
    if (status == STATUS_OK && !present) {
        status = rest_not_found(err, "member of the group");
    }
    if (status == STATUS_OK && groups_is_administrators(&group) &&
        group_is_last_administrator(db, account_id, user.id)) {
        status = error_set(err, STATUS_CONFLICT, "LAST_ADMINISTRATOR",
                           "the account must keep at least one "
                           "administrator");
    }
    if (status == STATUS_OK) {
        status = group_member_remove(db, account_id, group.id, user.id, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "group.member_removed", group.id,
                            groups_member_detail(&group, &user), err);
    }
    return groups_member_finish(req, db, status, err);
}

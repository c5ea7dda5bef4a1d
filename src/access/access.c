/*
 * access.c - policy documents and the access decision.
 *
 * A document is
 *
 *     {"statements": [
 *         {"effect": "ALLOW", "actions": ["read", "query"],
 *          "resources": ["graph"]},
 *         {"effect": "DENY", "actions": ["*"], "resources": ["audit"]}]}
 *
 * where "*" stands for every action or every resource.
 */
#include "access/access.h"

#include <jansson.h>
#include <string.h>

#define ACCESS_STATEMENTS_MAX 256

const char access_policy_read_only[] =
    "{\"statements\":[{\"effect\":\"ALLOW\","
    "\"actions\":[\"read\",\"query\",\"export\"],"
    "\"resources\":[\"graph\",\"questions\",\"rules\",\"integrations\","
    "\"account\"]}]}";

const char access_policy_full_access[] =
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"*\"],"
    "\"resources\":[\"*\"]}]}";

static const char *const access_action_names[ACCESS_ACTION_COUNT] = {
    "read", "create", "update", "delete", "query", "export", "administer",
};

static const char *const access_resource_names[ACCESS_RESOURCE_COUNT] = {
    "graph",     "users", "groups",       "policies", "apikeys",
    "questions", "rules", "integrations", "audit",    "account",
};

const char *
access_action_name(enum access_action action)
{
    return action < ACCESS_ACTION_COUNT ? access_action_names[action] : "?";
}

const char *
access_resource_name(enum access_resource resource)
{
    return resource < ACCESS_RESOURCE_COUNT ? access_resource_names[resource]
                                            : "?";
}

const char *
auth_method_name(enum auth_method method)
{
    switch (method) {
    case AUTH_METHOD_NONE:
        return "none";
    case AUTH_METHOD_PASSWORD:
        return "password";
    case AUTH_METHOD_SSO:
        return "sso";
    case AUTH_METHOD_API_KEY:
        return "api_key";
    case AUTH_METHOD_OAUTH:
        return "oauth";
    }
    return "none";
}

bool
access_check(const struct subject *subject, enum access_action action,
             enum access_resource resource)
{
    bool allowed = false;
    uint32_t a, r;

    if (subject == NULL || !subject->authenticated ||
        (unsigned)action >= ACCESS_ACTION_COUNT ||
        (unsigned)resource >= ACCESS_RESOURCE_COUNT) {
        return false;
    }
    a = 1u << action;
    r = 1u << resource;

    for (size_t i = 0; i < subject->statement_count; i++) {
        const struct access_statement *s = &subject->statements[i];

        if ((s->actions & a) == 0 || (s->resources & r) == 0) {
            continue;
        }
        if (s->effect == ACCESS_EFFECT_DENY) {
            return false;
        }
        allowed = true;
    }
    return allowed;
}

/* Turn a JSON array of names into a bit set over names[0..count). */
static enum status
access_names_mask(json_t *list, const char *const *names, unsigned count,
                  const char *what, uint32_t *out, struct error *err)
{
    size_t i;
    json_t *item;

    *out = 0;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        return error_set(err, STATUS_INVALID, "INVALID_POLICY",
                         "a statement needs a non-empty list of %s", what);
    }

    json_array_foreach(list, i, item)
    {
        const char *name = json_string_value(item);
        unsigned k;

        if (name == NULL) {
            return error_set(err, STATUS_INVALID, "INVALID_POLICY",
                             "%s must be strings", what);
        }
        if (strcmp(name, "*") == 0) {
            *out |= (1u << count) - 1;
            continue;
        }
        for (k = 0; k < count && strcmp(names[k], name) != 0; k++) {
        }
        if (k == count) {
            return error_set(err, STATUS_INVALID, "INVALID_POLICY",
                             "unknown entry \"%.64s\" in %s", name, what);
        }
        *out |= 1u << k;
    }
    return STATUS_OK;
}

static enum status
access_compile_statement(json_t *json, struct access_statement *out,
                         struct error *err)
{
    const char *effect = json_string_value(json_object_get(json, "effect"));
    enum status status;

    if (!json_is_object(json)) {
        return error_set(err, STATUS_INVALID, "INVALID_POLICY",
                         "each statement must be an object");
    }
    if (effect != NULL && strcmp(effect, "ALLOW") == 0) {
        out->effect = ACCESS_EFFECT_ALLOW;
    } else if (effect != NULL && strcmp(effect, "DENY") == 0) {
        out->effect = ACCESS_EFFECT_DENY;
    } else {
        return error_set(err, STATUS_INVALID, "INVALID_POLICY",
                         "a statement's effect must be ALLOW or DENY");
    }

    status = access_names_mask(json_object_get(json, "actions"),
                               access_action_names, ACCESS_ACTION_COUNT,
                               "actions", &out->actions, err);
    if (status != STATUS_OK) {
        return status;
    }
    return access_names_mask(json_object_get(json, "resources"),
                             access_resource_names, ACCESS_RESOURCE_COUNT,
                             "resources", &out->resources, err);
}

enum status
access_compile(struct arena *arena, struct subject *subject,
               const char *document, struct error *err)
{
    struct access_statement *grown;
    json_t *root = json_loads(document, 0, NULL);
    json_t *list = json_object_get(root, "statements");
    enum status status = STATUS_OK;
    size_t n = json_array_size(list);
    size_t i;
    json_t *item;

    if (!json_is_array(list)) {
        status = error_set(err, STATUS_INVALID, "INVALID_POLICY",
                           "a policy is an object with a statements list");
        goto out;
    }
    if (subject->statement_count + n > ACCESS_STATEMENTS_MAX) {
        status = error_set(err, STATUS_TOO_LARGE, "INVALID_POLICY",
                           "too many policy statements (at most %d)",
                           ACCESS_STATEMENTS_MAX);
        goto out;
    }

    grown = arena_alloc(arena, (subject->statement_count + n) *
                                   sizeof(*grown) + 1);
    if (grown == NULL) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }
    if (subject->statement_count > 0) {
        memcpy(grown, subject->statements,
               subject->statement_count * sizeof(*grown));
    }

    json_array_foreach(list, i, item)
    {
        status = access_compile_statement(
            item, &grown[subject->statement_count + i], err);
        if (status != STATUS_OK) {
            goto out;
        }
    }
    subject->statements = grown;
    subject->statement_count += n;

out:
    json_decref(root);
    return status;
}

static struct subject_ref *
subject_copy_refs(struct arena *arena, const struct subject_ref *from,
                  size_t count, bool *ok)
{
    struct subject_ref *to;

    if (count == 0) {
        return NULL;
    }
    to = arena_alloc(arena, count * sizeof(*to));
    if (to == NULL) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        to[i].id = arena_strdup(arena, from[i].id);
        to[i].name = arena_strdup(arena, from[i].name);
        *ok = *ok && to[i].id != NULL && to[i].name != NULL;
    }
    return to;
}

static const char *
subject_copy_text(struct arena *arena, const char *s, bool *ok)
{
    char *copy;

    if (s == NULL) {
        return NULL;
    }
    copy = arena_strdup(arena, s);
    *ok = *ok && copy != NULL;
    return copy;
}

enum status
subject_copy(struct arena *arena, const struct subject *from,
             struct subject *to)
{
    size_t size = from->statement_count * sizeof(*to->statements);
    bool ok = true;

    *to = *from;
    to->user_id = subject_copy_text(arena, from->user_id, &ok);
    to->login = subject_copy_text(arena, from->login, &ok);
    to->account_id = subject_copy_text(arena, from->account_id, &ok);
    to->key_id = subject_copy_text(arena, from->key_id, &ok);
    to->session_hash = subject_copy_text(arena, from->session_hash, &ok);
    to->csrf_token = subject_copy_text(arena, from->csrf_token, &ok);
    to->user_name = subject_copy_text(arena, from->user_name, &ok);
    to->account_name = subject_copy_text(arena, from->account_name, &ok);
    to->groups = subject_copy_refs(arena, from->groups, from->group_count,
                                   &ok);
    to->accounts = subject_copy_refs(arena, from->accounts,
                                     from->account_count, &ok);
    to->statements = NULL;
    if (size > 0) {
        to->statements = arena_alloc(arena, size);
        if (to->statements == NULL) {
            return STATUS_NOMEM;
        }
        memcpy(to->statements, from->statements, size);
    }
    return ok ? STATUS_OK : STATUS_NOMEM;
}

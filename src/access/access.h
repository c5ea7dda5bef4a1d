/*
 * access.h - who is calling (the subject) and the one decision every
 * handler asks for: may this subject perform this action on this resource.
 *
 * A subject carries the statements of every policy attached to the groups
 * it belongs to in the current account, compiled once when the request is
 * authenticated.  A statement ALLOWs or DENYs a set of actions on a set of
 * resource kinds; deny overrides allow, and nothing is allowed unless some
 * statement allows it.  The predefined Read-Only and Full-Access policies
 * are ordinary documents of this form (access_policy_read_only and
 * access_policy_full_access), so custom policies with conditions can slot
 * in as more statements later.
 */
#ifndef GANYMEDE_ACCESS_ACCESS_H
#define GANYMEDE_ACCESS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

enum access_action {
    ACCESS_ACTION_READ,
    ACCESS_ACTION_CREATE,
    ACCESS_ACTION_UPDATE,
    ACCESS_ACTION_DELETE,
    ACCESS_ACTION_QUERY,
    ACCESS_ACTION_EXPORT,
    ACCESS_ACTION_ADMINISTER,
    ACCESS_ACTION_COUNT,
};

enum access_resource {
    ACCESS_RESOURCE_GRAPH,
    ACCESS_RESOURCE_USERS,
    ACCESS_RESOURCE_GROUPS,
    ACCESS_RESOURCE_POLICIES,
    ACCESS_RESOURCE_APIKEYS,
    ACCESS_RESOURCE_QUESTIONS,
    ACCESS_RESOURCE_RULES,
    ACCESS_RESOURCE_INTEGRATIONS,
    ACCESS_RESOURCE_AUDIT,
    ACCESS_RESOURCE_ACCOUNT,
    ACCESS_RESOURCE_COUNT,
};

enum auth_method {
    AUTH_METHOD_NONE,
    AUTH_METHOD_PASSWORD,
    AUTH_METHOD_SSO,
    AUTH_METHOD_API_KEY,
    AUTH_METHOD_OAUTH,
};

enum access_effect {
    ACCESS_EFFECT_ALLOW,
    ACCESS_EFFECT_DENY,
};

struct access_statement {
    enum access_effect effect;
    uint32_t actions;   /* bit (1 << enum access_action) */
    uint32_t resources; /* bit (1 << enum access_resource) */
};

/* Something a subject belongs to: a group, an account. */
struct subject_ref {
    const char *id;
    const char *name;
};

/*
 * Who is calling, as resolved once per request (and cached for API keys):
 * the identity, the account acted in, what the user belongs to, and the
 * compiled statements of the policies that apply.
 */
struct subject {
    bool authenticated;
    enum auth_method method;
    bool mfa;
    bool is_support;
    const char *user_id;
    const char *login;
    const char *account_id;
    const char *key_id;       /* API key in use, or NULL */
    const char *session_hash; /* session in use, or NULL */
    const char *csrf_token;   /* the session's CSRF token, or NULL */
    struct access_statement *statements;
    size_t statement_count;
    const char *user_name;
    int64_t user_created_ms;
    const char *account_name;
    struct subject_ref *groups;   /* the user's groups in the account */
    size_t group_count;
    struct subject_ref *accounts; /* every account the user belongs to */
    size_t account_count;
};

/* The predefined policy documents, as stored in the control store. */
extern const char access_policy_read_only[];
extern const char access_policy_full_access[];
#define ACCESS_POLICY_READ_ONLY_ID   "read-only"
#define ACCESS_POLICY_FULL_ACCESS_ID "full-access"

/* The decision. */
bool access_check(const struct subject *subject, enum access_action action,
                  enum access_resource resource);

/*
 * Parse a policy document and append its statements to the subject's,
 * allocating from arena.  Unknown actions or resources are refused.
 */
enum status access_compile(struct arena *arena, struct subject *subject,
                           const char *document, struct error *err);

/* A deep copy of a subject, every string and list in arena. */
enum status subject_copy(struct arena *arena, const struct subject *from,
                         struct subject *to);

const char *access_action_name(enum access_action action);
const char *access_resource_name(enum access_resource resource);
const char *auth_method_name(enum auth_method method);

#endif

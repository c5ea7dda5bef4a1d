/*
 * access_test.c - unit tests for src/access/access.c: the decision
 * access_check() makes for the predefined Read-Only and Full-Access
 * policies, deny overriding allow, the refusals of access_compile() for
 * malformed documents, and a subject that is not authenticated.
 *
 * Each test builds its subject in an arena of its own from policy text,
 * the way identity_subject_load() does for a request.
 */
#include "access/access.h"

#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "base/status.h"
#include "unit.h"

/* Write actions: everything but read, query and export. */
static const enum access_action write_actions[] = {
    ACCESS_ACTION_CREATE,
    ACCESS_ACTION_UPDATE,
    ACCESS_ACTION_DELETE,
    ACCESS_ACTION_ADMINISTER,
};

/* What the Users group must never manage. */
static const enum access_resource admin_resources[] = {
    ACCESS_RESOURCE_USERS,    ACCESS_RESOURCE_GROUPS,
    ACCESS_RESOURCE_POLICIES, ACCESS_RESOURCE_APIKEYS,
    ACCESS_RESOURCE_AUDIT,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* An authenticated subject holding the statements of each document. */
static bool
subject_from(struct arena *arena, struct subject *subject,
             const char *const *documents, size_t count)
{
    struct error err;

    memset(subject, 0, sizeof(*subject));
    subject->authenticated = true;
    subject->method = AUTH_METHOD_API_KEY;
    for (size_t i = 0; i < count; i++) {
        error_clear(&err);
        if (access_compile(arena, subject, documents[i], &err) !=
            STATUS_OK) {
            fprintf(stderr, "compile failed: %s\n", err.message);
            return false;
        }
    }
    return true;
}

static void
test_read_only_reads_graph(void)
{
    const char *const docs[] = {access_policy_read_only};
    struct subject s;
    struct arena arena;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    CHECK(access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_QUERY, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_EXPORT, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_ACCOUNT));
    arena_release(&arena);
}

static void
test_read_only_refuses_writes(void)
{
    const char *const docs[] = {access_policy_read_only};
    struct subject s;
    struct arena arena;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    for (size_t a = 0; a < COUNT(write_actions); a++) {
        for (int r = 0; r < ACCESS_RESOURCE_COUNT; r++) {
            if (access_check(&s, write_actions[a],
                             (enum access_resource)r)) {
                fprintf(stderr, "read-only may %s %s\n",
                        access_action_name(write_actions[a]),
                        access_resource_name((enum access_resource)r));
                CHECK(false);
            }
        }
    }
    arena_release(&arena);
}

static void
test_read_only_refuses_administration(void)
{
    const char *const docs[] = {access_policy_read_only};
    struct subject s;
    struct arena arena;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));

    /* Not even reading: listing users or the audit log is for admins. */
    for (size_t r = 0; r < COUNT(admin_resources); r++) {
        for (int a = 0; a < ACCESS_ACTION_COUNT; a++) {
            if (access_check(&s, (enum access_action)a,
                             admin_resources[r])) {
                fprintf(stderr, "read-only may %s %s\n",
                        access_action_name((enum access_action)a),
                        access_resource_name(admin_resources[r]));
                CHECK(false);
            }
        }
    }
    arena_release(&arena);
}

static void
test_full_access_allows_everything(void)
{
    const char *const docs[] = {access_policy_full_access};
    struct subject s;
    struct arena arena;
    int allowed = 0;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    for (int a = 0; a < ACCESS_ACTION_COUNT; a++) {
        for (int r = 0; r < ACCESS_RESOURCE_COUNT; r++) {
            allowed += access_check(&s, (enum access_action)a,
                                    (enum access_resource)r);
        }
    }
    CHECK(allowed == ACCESS_ACTION_COUNT * ACCESS_RESOURCE_COUNT);
    arena_release(&arena);
}

static void
test_both_policies_add_up(void)
{
    const char *const docs[] = {access_policy_read_only,
                                access_policy_full_access};
    struct subject s;
    struct arena arena;

    /* An administrator is also in Users: the wider policy still holds. */
    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 2));
    CHECK(s.statement_count == 2);
    CHECK(access_check(&s, ACCESS_ACTION_ADMINISTER, ACCESS_RESOURCE_USERS));
    CHECK(access_check(&s, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH));
    arena_release(&arena);
}

static void
test_deny_overrides_allow(void)
{
    static const char deny[] =
        "{\"statements\":[{\"effect\":\"DENY\",\"actions\":[\"delete\","
        "\"update\"],\"resources\":[\"graph\"]}]}";
    const char *const after[] = {access_policy_full_access, deny};
    const char *const before[] = {deny, access_policy_full_access};
    struct subject s;
    struct arena arena;

    /* The order of the statements must not matter. */
    arena_init(&arena);
    CHECK(subject_from(&arena, &s, after, 2));
    CHECK(!access_check(&s, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH));
    CHECK(!access_check(&s, ACCESS_ACTION_UPDATE, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_RULES));

    CHECK(subject_from(&arena, &s, before, 2));
    CHECK(!access_check(&s, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_GRAPH));
    CHECK(access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH));
    arena_release(&arena);
}

static void
test_deny_wildcard_in_one_document(void)
{
    static const char doc[] =
        "{\"statements\":["
        "{\"effect\":\"ALLOW\",\"actions\":[\"*\"],\"resources\":[\"*\"]},"
        "{\"effect\":\"DENY\",\"actions\":[\"*\"],\"resources\":[\"audit\"]}"
        "]}";
    const char *const docs[] = {doc};
    struct subject s;
    struct arena arena;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    for (int a = 0; a < ACCESS_ACTION_COUNT; a++) {
        CHECK(!access_check(&s, (enum access_action)a,
                            ACCESS_RESOURCE_AUDIT));
        CHECK(access_check(&s, (enum access_action)a,
                           ACCESS_RESOURCE_APIKEYS));
    }
    arena_release(&arena);
}

/* Each must be refused with INVALID_POLICY and leave the subject alone. */
static const char *const bad_documents[] = {
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"fly\"],"
    "\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"read\"],"
    "\"resources\":[\"moon\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"READ\"],"
    "\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"read\"],"
    "\"resources\":[\"graph\"]},{\"effect\":\"ALLOW\",\"actions\":"
    "[\"read\",\"teleport\"],\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"effect\":\"MAYBE\",\"actions\":[\"read\"],"
    "\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"actions\":[\"read\"],\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[],"
    "\"resources\":[\"graph\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[\"read\"]}]}",
    "{\"statements\":[{\"effect\":\"ALLOW\",\"actions\":[7],"
    "\"resources\":[\"graph\"]}]}",
    "{\"statements\":[\"ALLOW everything\"]}",
    "{\"statements\":{}}",
    "{}",
    "[]",
    "not json",
    "",
};

static void
test_compile_refuses_bad_documents(void)
{
    struct subject s;
    struct arena arena;
    struct error err;

    arena_init(&arena);
    for (size_t i = 0; i < COUNT(bad_documents); i++) {
        memset(&s, 0, sizeof(s));
        s.authenticated = true;
        error_clear(&err);
        if (access_compile(&arena, &s, bad_documents[i], &err) !=
            STATUS_INVALID) {
            fprintf(stderr, "accepted: %s\n", bad_documents[i]);
            CHECK(false);
            continue;
        }
        CHECK_STR(err.code, "INVALID_POLICY");
        CHECK(s.statement_count == 0);
        CHECK(!access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH));
    }
    arena_release(&arena);
}

static void
test_compile_names_the_unknown_entry(void)
{
    struct subject s = {0};
    struct arena arena;
    struct error err;

    arena_init(&arena);
    error_clear(&err);
    CHECK(access_compile(&arena, &s, bad_documents[0], &err) ==
          STATUS_INVALID);
    CHECK(strstr(err.message, "fly") != NULL);
    CHECK(strstr(err.message, "actions") != NULL);

    error_clear(&err);
    CHECK(access_compile(&arena, &s, bad_documents[1], &err) ==
          STATUS_INVALID);
    CHECK(strstr(err.message, "moon") != NULL);
    CHECK(strstr(err.message, "resources") != NULL);
    arena_release(&arena);
}

static void
test_unauthenticated_gets_nothing(void)
{
    const char *const docs[] = {access_policy_full_access};
    struct subject s;
    struct arena arena;
    int allowed = 0;

    /* Statements without authentication must count for nothing. */
    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    s.authenticated = false;
    s.method = AUTH_METHOD_NONE;
    for (int a = 0; a < ACCESS_ACTION_COUNT; a++) {
        for (int r = 0; r < ACCESS_RESOURCE_COUNT; r++) {
            allowed += access_check(&s, (enum access_action)a,
                                    (enum access_resource)r);
        }
    }
    CHECK(allowed == 0);
    CHECK(!access_check(NULL, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH));
    arena_release(&arena);
}

static void
test_no_statements_no_access(void)
{
    struct subject s = {0};

    s.authenticated = true;
    CHECK(!access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_GRAPH));
}

static void
test_out_of_range_refused(void)
{
    const char *const docs[] = {access_policy_full_access};
    struct subject s;
    struct arena arena;

    arena_init(&arena);
    CHECK(subject_from(&arena, &s, docs, 1));
    CHECK(!access_check(&s, ACCESS_ACTION_COUNT, ACCESS_RESOURCE_GRAPH));
    CHECK(!access_check(&s, ACCESS_ACTION_READ, ACCESS_RESOURCE_COUNT));
    CHECK(!access_check(&s, (enum access_action)31, ACCESS_RESOURCE_GRAPH));
    arena_release(&arena);
}

static void
test_names(void)
{
    CHECK_STR(access_action_name(ACCESS_ACTION_READ), "read");
    CHECK_STR(access_action_name(ACCESS_ACTION_ADMINISTER), "administer");
    CHECK_STR(access_resource_name(ACCESS_RESOURCE_APIKEYS), "apikeys");
    CHECK_STR(access_resource_name(ACCESS_RESOURCE_AUDIT), "audit");
    CHECK_STR(access_action_name(ACCESS_ACTION_COUNT), "?");
    CHECK_STR(auth_method_name(AUTH_METHOD_API_KEY), "api_key");
    CHECK_STR(auth_method_name(AUTH_METHOD_PASSWORD), "password");
}

int
main(void)
{
    RUN(test_read_only_reads_graph);
    RUN(test_read_only_refuses_writes);
    RUN(test_read_only_refuses_administration);
    RUN(test_full_access_allows_everything);
    RUN(test_both_policies_add_up);
    RUN(test_deny_overrides_allow);
    RUN(test_deny_wildcard_in_one_document);
    RUN(test_compile_refuses_bad_documents);
    RUN(test_compile_names_the_unknown_entry);
    RUN(test_unauthenticated_gets_nothing);
    RUN(test_no_statements_no_access);
    RUN(test_out_of_range_refused);
    RUN(test_names);
    return unit_finish("access");
}

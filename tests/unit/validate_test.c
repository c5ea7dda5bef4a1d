/*
 * validate_test.c - unit tests for src/graph/validate.c against the real
 * embedded schemas of @jupiterone/data-model, and src/graph/format.c:
 * conforming entities, each
 * kind of problem the schemas raise, several classes, unknown classes,
 * extra properties, the string formats, and keeping problems in a graph
 * store.
 */
#include "graph/validate.h"

#include "unit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/graph_store.h"

#define USER_FIELDS                                                         \
    "\"_key\": \"okta-user-0001\", \"_type\": \"okta_user\", "              \
    "\"name\": \"ada\", \"displayName\": \"Ada Lovelace\", "                \
    "\"firstName\": \"Ada\", \"lastName\": \"Lovelace\", "                  \
    "\"email\": [\"ada@example.com\"], \"shortLoginId\": [\"ada\"], "       \
    "\"username\": [\"ada@example.com\"]"

#define HOST_FIELDS                                                         \
    "\"_key\": \"i-0123456789abcdef\", \"_type\": \"aws_instance\", "       \
    "\"name\": \"web-1\", \"displayName\": \"web-1\", "                     \
    "\"category\": \"server\", \"ipv4Addresses\": [\"10.0.0.5\"], "         \
    "\"ipv6Addresses\": null, \"macAddresses\": [\"0a:1b:2c:3d:4e:5f\"], "  \
    "\"publicIpAddresses\": [], \"privateIpAddresses\": [\"10.0.0.5\"], "   \
    "\"hostname\": \"web-1\", \"fqdn\": [\"web-1.example.com\"], "          \
    "\"serial\": null, \"deviceId\": null, \"lastSeenOn\": 1700000000000, " \
    "\"make\": null, \"model\": null, \"osName\": \"Ubuntu\", "             \
    "\"osType\": \"linux\", \"osDetails\": null, \"osVersion\": \"22.04\""

static struct arena arena;

/* Parse text as an entity and check it; the problem count, -1 on error. */
static int
check(const char *text, struct graph_problem **problems)
{
    json_t *json = json_loads(text, 0, NULL);
    struct graph_object object;
    struct error err;
    size_t count = 0;
    enum status status;

    error_clear(&err);
    status = json != NULL ? graph_object_parse(&arena, GRAPH_KIND_ENTITY,
                                               json, &object, &err)
                          : STATUS_INVALID;
    json_decref(json);
    if (status == STATUS_OK) {
        status = graph_validate_object(&arena, &object, problems, &count,
                                       &err);
    }
    if (status != STATUS_OK) {
        fprintf(stderr, "could not check %s: %s\n", text, err.message);
        return -1;
    }
    return (int)count;
}

/* Is there a problem of this class and property? */
static bool
has_problem(const struct graph_problem *problems, int count,
            const char *class_name, const char *property)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(problems[i].class_name, class_name) == 0 &&
            strcmp(problems[i].property, property) == 0) {
            return true;
        }
    }
    return false;
}

static void
test_schemas_are_embedded(void)
{
    CHECK(graph_schema_source_count >= 100);
    CHECK(graph_validate_has_class("User"));
    CHECK(graph_validate_has_class("GraphObject"));
    CHECK(graph_validate_has_class("RecordEntity"));
    CHECK(!graph_validate_has_class("Spaceship"));
    for (size_t i = 1; i < graph_schema_source_count; i++) {
        CHECK(strcmp(graph_schema_sources[i - 1].name,
                     graph_schema_sources[i].name) < 0);
    }
}

static void
test_valid_user(void)
{
    struct graph_problem *p;

    CHECK(check("{\"_class\": \"User\", " USER_FIELDS "}", &p) == 0);
}

static void
test_valid_host(void)
{
    struct graph_problem *p;

    CHECK(check("{\"_class\": \"Host\", " HOST_FIELDS "}", &p) == 0);
}

static void
test_valid_account(void)
{
    struct graph_problem *p;

    CHECK(check("{\"_class\": \"Account\", \"_key\": \"aws-account-1\", "
                "\"_type\": \"aws_account\", \"name\": \"prod\", "
                "\"displayName\": \"Production\", \"vendor\": \"AWS\", "
                "\"webLink\": \"https://console.aws.amazon.com/\", "
                "\"createdOn\": 1700000000000}",
                &p) == 0);
}

static void
test_missing_required(void)
{
    struct graph_problem *p;
    int n;

    n = check("{\"_class\": \"User\", \"_key\": \"okta-user-0002\", "
              "\"_type\": \"okta_user\", \"name\": \"bob\", "
              "\"displayName\": \"Bob\"}",
              &p);
    CHECK(n == 5);
    CHECK(has_problem(p, n, "User", "firstName"));
    CHECK(has_problem(p, n, "User", "lastName"));
    CHECK(has_problem(p, n, "User", "email"));
    CHECK(has_problem(p, n, "User", "shortLoginId"));
    CHECK(has_problem(p, n, "User", "username"));
    CHECK_STR(p[0].message, "is required and missing");

    /* Inherited from Entity, and through Key from Entity. */
    n = check("{\"_class\": \"AccessKey\", \"_key\": \"access-key-01\", "
              "\"_type\": \"aws_access_key\"}",
              &p);
    CHECK(n == 2);
    CHECK(has_problem(p, n, "AccessKey", "name"));
    CHECK(has_problem(p, n, "AccessKey", "displayName"));

    /* Disk inherits DataStore's classification and encrypted. */
    n = check("{\"_class\": \"Disk\", \"_key\": \"vol-000000001\", "
              "\"_type\": \"aws_ebs_volume\", \"name\": \"v\", "
              "\"displayName\": \"v\"}",
              &p);
    CHECK(has_problem(p, n, "Disk", "classification"));
    CHECK(has_problem(p, n, "Disk", "encrypted"));
}

static void
test_wrong_types(void)
{
    struct graph_problem *p;
    int n;

    n = check("{\"_class\": \"Account\", \"_key\": \"aws-account-2\", "
              "\"_type\": \"aws_account\", \"name\": \"prod\", "
              "\"displayName\": \"P\", \"vendor\": 7, \"active\": \"yes\", "
              "\"criticality\": 2.5, \"risk\": 11, \"tags\": [1, 2]}",
              &p);
    CHECK(n == 6);
    CHECK(has_problem(p, n, "Account", "vendor"));
    CHECK(has_problem(p, n, "Account", "active"));
    CHECK(has_problem(p, n, "Account", "criticality"));
    CHECK(has_problem(p, n, "Account", "risk"));
    CHECK(has_problem(p, n, "Account", "tags[0]"));
    CHECK(has_problem(p, n, "Account", "tags[1]"));
    for (int i = 0; i < n; i++) {
        if (strcmp(p[i].property, "vendor") == 0) {
            CHECK_STR(p[i].message, "must be string, not integer");
        }
        if (strcmp(p[i].property, "risk") == 0) {
            CHECK_STR(p[i].message, "must be at most 10");
        }
    }

    /* A whole number written as a real is an integer. */
    n = check("{\"_class\": \"Account\", \"_key\": \"aws-account-3\", "
              "\"_type\": \"aws_account\", \"name\": \"p\", "
              "\"displayName\": \"P\", \"vendor\": \"AWS\", "
              "\"criticality\": 3.0}",
              &p);
    CHECK(n == 0);

    /* Tags must be scalars, from GraphObject's patternProperties. */
    n = check("{\"_class\": \"Account\", \"_key\": \"aws-account-6\", "
              "\"_type\": \"aws_account\", \"name\": \"p\", "
              "\"displayName\": \"P\", \"vendor\": \"AWS\", "
              "\"tag.Env\": [\"a\", \"b\"], \"tag.Team\": \"ops\"}",
              &p);
    CHECK(n == 1 && has_problem(p, n, "Account", "tag.Env"));

    /* Short _key, from GraphObject's minLength. */
    n = check("{\"_class\": \"Account\", \"_key\": \"k1\", "
              "\"_type\": \"aws_account\", \"name\": \"p\", "
              "\"displayName\": \"P\", \"vendor\": \"AWS\"}",
              &p);
    CHECK(n == 1 && has_problem(p, n, "Account", "_key"));
}

static void
test_enum_and_formats(void)
{
    struct graph_problem *p;
    int n;

    n = check("{\"_class\": \"Port\", \"_key\": \"port-tcp-443\", "
              "\"_type\": \"port\", \"name\": \"https\", "
              "\"displayName\": \"443\", \"protocol\": \"SCTP\", "
              "\"open\": true, \"port\": 443}",
              &p);
    CHECK(n == 1 && has_problem(p, n, "Port", "protocol"));

    n = check("{\"_class\": \"User\", " USER_FIELDS
              ", \"webLink\": \"not a link\", \"createdOn\": \"yesterday\"}",
              &p);
    CHECK(n == 2);
    CHECK(has_problem(p, n, "User", "webLink"));
    CHECK(has_problem(p, n, "User", "createdOn"));
}

static void
test_one_of_with_formats(void)
{
    struct graph_problem *p;
    int n;

    n = check("{\"_class\": \"Host\", \"_key\": \"i-0123456789abcdef\", "
              "\"_type\": \"aws_instance\", \"name\": \"web-1\", "
              "\"displayName\": \"web-1\", \"category\": \"server\", "
              "\"ipv4Addresses\": [\"10.0.0.500\"], \"ipv6Addresses\": null, "
              "\"macAddresses\": [\"0A-1B\"], \"publicIpAddresses\": [], "
              "\"privateIpAddresses\": [\"fe80::1\"], \"hostname\": \"-x\", "
              "\"fqdn\": null, \"serial\": null, \"deviceId\": null, "
              "\"lastSeenOn\": -5, \"make\": null, \"model\": null, "
              "\"osName\": null, \"osType\": \"beos\", \"osDetails\": null, "
              "\"osVersion\": null}",
              &p);
    CHECK(n == 5);
    CHECK(has_problem(p, n, "Host", "ipv4Addresses"));
    CHECK(has_problem(p, n, "Host", "macAddresses"));
    CHECK(has_problem(p, n, "Host", "hostname"));
    CHECK(has_problem(p, n, "Host", "lastSeenOn"));
    CHECK(has_problem(p, n, "Host", "osType"));
    CHECK(!has_problem(p, n, "Host", "privateIpAddresses"));
}

static void
test_email_format(void)
{
    struct graph_problem *p;
    int n;

    n = check("{\"_class\": \"User\", \"_key\": \"okta-user-0003\", "
              "\"_type\": \"okta_user\", \"name\": \"c\", "
              "\"displayName\": \"C\", \"firstName\": null, "
              "\"lastName\": null, \"email\": [\"not-an-email\"], "
              "\"shortLoginId\": null, \"username\": [\"c\", \"c\"]}",
              &p);
    CHECK(n == 2);
    CHECK(has_problem(p, n, "User", "email"));
    CHECK(has_problem(p, n, "User", "username"));
}

static void
test_every_class_checked(void)
{
    struct graph_problem *p;
    int n;

    /* Valid as a User; as a DataStore it lacks two properties. */
    n = check("{\"_class\": [\"User\", \"DataStore\"], " USER_FIELDS "}",
              &p);
    CHECK(n == 2);
    CHECK(has_problem(p, n, "DataStore", "classification"));
    CHECK(has_problem(p, n, "DataStore", "encrypted"));

    n = check("{\"_class\": [\"Account\", \"User\"], "
              "\"_key\": \"okta-user-0004\", \"_type\": \"okta_user\", "
              "\"name\": \"d\", \"displayName\": \"D\"}",
              &p);
    CHECK(n == 6);
    CHECK(has_problem(p, n, "Account", "vendor"));
    CHECK(has_problem(p, n, "User", "email"));
}

static void
test_unknown_class_and_extra_properties(void)
{
    struct graph_problem *p;

    CHECK(check("{\"_class\": \"Spaceship\", \"_key\": \"ship-00001\", "
                "\"_type\": \"fleet_ship\"}",
                &p) == 0);
    CHECK(check("{\"_class\": [\"Spaceship\", \"User\"], " USER_FIELDS
                ", \"warpFactor\": 9, \"aws_id\": \"x\", "
                "\"tag.Owner\": \"ops\"}",
                &p) == 0);
}

static void
test_relationships_pass(void)
{
    struct graph_object object;
    struct graph_problem *p = NULL;
    struct error err;
    size_t count = 7;

    memset(&object, 0, sizeof(object));
    object.kind = GRAPH_KIND_RELATIONSHIP;
    object.key = "a|has|b";
    CHECK(graph_validate_object(&arena, &object, &p, &count, &err) ==
          STATUS_OK);
    CHECK(count == 0 && p == NULL);
}

static void
test_problems_json(void)
{
    struct graph_problem *p;
    json_t *list;
    int n;

    n = check("{\"_class\": \"Account\", \"_key\": \"aws-account-4\", "
              "\"_type\": \"aws_account\", \"name\": \"p\", "
              "\"displayName\": \"P\"}",
              &p);
    CHECK(n == 1);
    list = graph_problems_json(p, (size_t)n);
    CHECK(json_array_size(list) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0),
                                                "class")),
              "Account");
    CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0),
                                                "property")),
              "vendor");
    json_decref(list);
}

/* Problems kept beside an entity, replaced, and forgotten. */
static void
test_keep_problems(void)
{
    char dir[] = "/tmp/ganymede-validate-test-XXXXXX";
    const struct graph_origin origin = {.source = GRAPH_SOURCE_API,
                                        .scope = "default"};
    struct graph_store store;
    struct graph_problem problem = {"Account", "vendor", "is required"};
    struct graph_object object;
    struct graph_row row;
    struct error err;
    sqlite3 *db = NULL;
    json_t *json, *kept = NULL;
    char command[128];

    error_clear(&err);
    CHECK(mkdtemp(dir) != NULL);
    CHECK(graph_store_open(&store, dir, 4, &err) == STATUS_OK);
    CHECK(graph_store_acquire(&store, "account-v", &db, &err) == STATUS_OK);
    json = json_loads("{\"_key\": \"aws-account-5\", \"_type\": \"a_b\", "
                      "\"_class\": \"Account\"}",
                      0, NULL);
    CHECK(graph_object_parse(&arena, GRAPH_KIND_ENTITY, json, &object,
                             &err) == STATUS_OK);
    json_decref(json);

    CHECK(graph_store_begin(db, &err) == STATUS_OK);
    CHECK(graph_upsert(db, &arena, &origin, &object, 1, &row, NULL, &err) ==
          STATUS_OK);
    CHECK(graph_validation_save(db, row.id, &problem, 1, 1, &err) ==
          STATUS_OK);
    CHECK(graph_validation_save(db, row.id, &problem, 1, 2, &err) ==
          STATUS_OK);
    CHECK(graph_store_commit(db, &err) == STATUS_OK);
    CHECK(graph_validation_load(db, row.id, &kept, &err) == STATUS_OK);
    CHECK(json_array_size(kept) == 1);
    json_decref(kept);

    CHECK(graph_store_begin(db, &err) == STATUS_OK);
    CHECK(graph_validation_save(db, row.id, NULL, 0, 3, &err) == STATUS_OK);
    CHECK(graph_store_commit(db, &err) == STATUS_OK);
    CHECK(graph_validation_load(db, row.id, &kept, &err) == STATUS_OK);
    CHECK(kept == NULL);

    graph_store_release(&store, db);
    graph_store_close(&store);
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

static void
test_formats(void)
{
    CHECK(graph_format_valid("date-time", "2024-01-31T12:00:00Z"));
    CHECK(graph_format_valid("date-time", "2024-01-31T12:00:00.25+02:00"));
    CHECK(!graph_format_valid("date-time", "2024-01-31 12:00:00"));
    CHECK(!graph_format_valid("date-time", "2024-01-31T12:00:00+0200"));
    CHECK(graph_format_valid("uri", "https://example.com/a?b=c"));
    CHECK(graph_format_valid("uri", "urn:isbn:0451450523"));
    CHECK(!graph_format_valid("uri", "example.com"));
    CHECK(!graph_format_valid("uri", "https://a b"));
    CHECK(graph_format_valid("email", "ada@example.com"));
    CHECK(!graph_format_valid("email", "ada@localhost"));
    CHECK(!graph_format_valid("email", "@example.com"));
    CHECK(graph_format_valid("hostname", "web-1.example.com"));
    CHECK(!graph_format_valid("hostname", "-web.example.com"));
    CHECK(!graph_format_valid("hostname", "web..example.com"));
    CHECK(graph_format_valid("ipv4", "10.0.0.1"));
    CHECK(!graph_format_valid("ipv4", "10.0.0.256"));
    CHECK(graph_format_valid("ipv6", "fe80::1"));
    CHECK(!graph_format_valid("ipv6", "10.0.0.1"));
    CHECK(graph_format_valid("ip", "10.0.0.1"));
    CHECK(graph_format_valid("ip", "::1"));
    CHECK(graph_format_valid("ipCidr", "10.0.0.0/8"));
    CHECK(graph_format_valid("ipCidr", "2001:db8::/32"));
    CHECK(!graph_format_valid("ipCidr", "10.0.0.0/33"));
    CHECK(!graph_format_valid("ipCidr", "10.0.0.0"));
    CHECK(graph_format_valid("asn", "AS64512"));
    CHECK(!graph_format_valid("asn", "AS1"));
    CHECK(!graph_format_valid("asn", "64512"));
    CHECK(graph_format_valid("color", "anything"));
}

int
main(void)
{
    arena_init(&arena);
    RUN(test_schemas_are_embedded);
    RUN(test_valid_user);
    RUN(test_valid_host);
    RUN(test_valid_account);
    RUN(test_missing_required);
    RUN(test_wrong_types);
    RUN(test_enum_and_formats);
    RUN(test_one_of_with_formats);
    RUN(test_email_format);
    RUN(test_every_class_checked);
    RUN(test_unknown_class_and_extra_properties);
    RUN(test_relationships_pass);
    RUN(test_problems_json);
    RUN(test_keep_problems);
    RUN(test_formats);
    arena_release(&arena);
    return unit_finish("graph/validate");
}

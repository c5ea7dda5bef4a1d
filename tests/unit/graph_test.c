/*
 * graph_test.c - unit tests for src/graph (parsing, validation, digests,
 * versions, deletes, listings) and src/store/graph_store.c (per-account
 * databases and the pool of open connections).
 *
 * Every test opens a graph store under one mkdtemp root, removed at the
 * end, and works in accounts of its own.
 */
#include "graph/graph.h"

#include "unit.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "store/graph_store.h"
#include "store/sql.h"

#define NOW 1700000000000

static char root[] = "/tmp/ganymede-graph-test-XXXXXX";
static int fixture_count;

struct fixture {
    char dir[256];
    struct graph_store store;
    sqlite3 *db;
    struct arena arena;
    struct error err;
};

static const struct graph_origin api_origin = {
    .source = GRAPH_SOURCE_API,
    .scope = "default",
};

static bool
fixture_open(struct fixture *f, size_t open_max)
{
    snprintf(f->dir, sizeof(f->dir), "%s/%d", root, ++fixture_count);
    arena_init(&f->arena);
    error_clear(&f->err);
    f->db = NULL;
    if (mkdir(f->dir, 0700) != 0 ||
        graph_store_open(&f->store, f->dir, open_max, &f->err) !=
            STATUS_OK ||
        graph_store_acquire(&f->store, "account-a", &f->db, &f->err) !=
            STATUS_OK) {
        fprintf(stderr, "could not open a graph store: %s\n",
                f->err.message);
        return false;
    }
    return true;
}

static void
fixture_close(struct fixture *f)
{
    graph_store_release(&f->store, f->db);
    graph_store_close(&f->store);
    arena_release(&f->arena);
}

/* Parse JSON text as an object of kind; the status, err filled. */
static enum status
parse(struct fixture *f, enum graph_kind kind, const char *text,
      struct graph_object *out)
{
    json_t *json = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    enum status status;

    error_clear(&f->err);
    if (json == NULL) {
        return STATUS_INTERNAL;
    }
    status = graph_object_parse(&f->arena, kind, json, out, &f->err);
    json_decref(json);
    return status;
}

/* Parse and upsert in a transaction of its own; the change or -1. */
static int
put(struct fixture *f, enum graph_kind kind, const char *text,
    int64_t now, struct graph_row *row)
{
    enum graph_change change;
    struct graph_object o;
    enum status status;

    if (parse(f, kind, text, &o) != STATUS_OK ||
        graph_store_begin(f->db, &f->err) != STATUS_OK) {
        return -1;
    }
    status = graph_upsert(f->db, &f->arena, &api_origin, &o, now, row,
                          &change, &f->err);
    if (status != STATUS_OK) {
        graph_store_rollback(f->db);
        return -1;
    }
    if (graph_store_commit(f->db, &f->err) != STATUS_OK) {
        return -1;
    }
    return (int)change;
}

static enum status
delete_object(struct fixture *f, enum graph_kind kind, const char *id,
              bool hard, struct graph_delete_counts *counts)
{
    enum status status = graph_store_begin(f->db, &f->err);

    if (status == STATUS_OK) {
        status = graph_delete(f->db, &f->arena, kind, id, hard, NOW + 100,
                              counts, &f->err);
    }
    if (status == STATUS_OK) {
        return graph_store_commit(f->db, &f->err);
    }
    graph_store_rollback(f->db);
    return status;
}

/* ---- parsing ------------------------------------------------------------ */

struct parse_case {
    enum graph_kind kind;
    const char *json;
    const char *code;    /* NULL: accepted */
    const char *names;   /* a text the message must contain */
    const char *names2;  /* and another, or NULL */
};

static const struct parse_case parse_cases[] = {
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-1\",\"_type\":\"acme_user\",\"_class\":\"User\"}", NULL,
     NULL, NULL},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-1\",\"_type\":\"t\",\"_class\":[\"A\",\"B\"],"
     "\"tag.Env\":\"prod\",\"n\":1.5,\"b\":true,\"z\":null,"
     "\"list\":[\"a\",\"b\"],\"nums\":[1,2.5],\"empty\":[],"
     "\"displayName\":\"K\",\"_rawData\":[{\"name\":\"d\",\"rawData\":"
     "{\"deep\":{\"x\":1}}}]}",
     NULL, NULL, NULL},
    {GRAPH_KIND_ENTITY, "{\"_type\":\"t\",\"_class\":\"C\"}",
     "INVALID_ENTITY", "_key", NULL},
    {GRAPH_KIND_ENTITY, "{\"_key\":\"k-2\",\"_class\":\"C\"}",
     "INVALID_ENTITY", "k-2", "_type"},
    {GRAPH_KIND_ENTITY, "{\"_key\":\"k-3\",\"_type\":\"t\"}",
     "INVALID_ENTITY", "k-3", "_class"},
    {GRAPH_KIND_ENTITY, "{\"_key\":5,\"_type\":\"t\",\"_class\":\"C\"}",
     "INVALID_ENTITY", "_key", NULL},
    {GRAPH_KIND_ENTITY, "{\"_key\":\"k-4\",\"_type\":\"t\",\"_class\":[]}",
     "INVALID_ENTITY", "k-4", "_class"},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-5\",\"_type\":\"t\",\"_class\":\"C\","
     "\"tags\":{\"env\":\"prod\"}}",
     "INVALID_ENTITY", "k-5", "\"tags\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-6\",\"_type\":\"t\",\"_class\":\"C\","
     "\"mixed\":[1,\"a\"]}",
     "INVALID_ENTITY", "k-6", "\"mixed\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-7\",\"_type\":\"t\",\"_class\":\"C\","
     "\"deep\":[[1]]}",
     "INVALID_ENTITY", "k-7", "\"deep\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-8\",\"_type\":\"t\",\"_class\":\"C\","
     "\"objs\":[{\"a\":1}]}",
     "INVALID_ENTITY", "k-8", "\"objs\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-9\",\"_type\":\"t\",\"_class\":\"C\",\"_custom\":1}",
     "INVALID_ENTITY", "k-9", "\"_custom\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-10\",\"_type\":\"t\",\"_class\":\"C\",\"_id\":\"x\"}",
     "INVALID_ENTITY", "k-10", "\"_id\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-11\",\"_type\":\"t\",\"_class\":\"C\","
     "\"bad\\u0001name\":1}",
     "INVALID_ENTITY", "k-11", "control"},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-12\",\"_type\":\"t\",\"_class\":\"C\",\"\":1}",
     "INVALID_ENTITY", "k-12", "name"},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-13\",\"_type\":\"t\",\"_class\":\"C\","
     "\"_fromEntityKey\":\"a\"}",
     "INVALID_ENTITY", "k-13", "\"_fromEntityKey\""},
    {GRAPH_KIND_ENTITY,
     "{\"_key\":\"k-14\",\"_type\":\"t\",\"_class\":\"C\","
     "\"_rawData\":{\"a\":1}}",
     "INVALID_ENTITY", "k-14", "_rawData"},
    {GRAPH_KIND_ENTITY, "[1,2]", "INVALID_ENTITY", "object", NULL},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"a|has|b\",\"_type\":\"t_has_t\",\"_class\":\"has\","
     "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"b\",\"weight\":3}",
     NULL, NULL, NULL},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"r-1\",\"_type\":\"t\",\"_class\":\"HAS\","
     "\"_fromEntityKey\":\"a\"}",
     "INVALID_RELATIONSHIP", "r-1", "_toEntityKey"},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"r-2\",\"_type\":\"t\",\"_class\":[\"HAS\",\"USES\"],"
     "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"b\"}",
     "INVALID_RELATIONSHIP", "r-2", "_class"},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"r-3\",\"_type\":\"t\",\"_class\":\"HAS\","
     "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"b\",\"o\":{}}",
     "INVALID_RELATIONSHIP", "r-3", "\"o\""},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"r-4\",\"_type\":\"t\",\"_class\":\"OWNED_BY\","
     "\"_mapping\":{\"relationshipDirection\":\"FORWARD\","
     "\"sourceEntityKey\":\"s\",\"targetFilterKeys\":[[\"_type\"]],"
     "\"targetEntity\":{\"_type\":\"u\"}}}",
     NULL, NULL, NULL},
    {GRAPH_KIND_RELATIONSHIP,
     "{\"_key\":\"r-5\",\"_type\":\"t\",\"_class\":\"OWNED_BY\","
     "\"_mapping\":{\"relationshipDirection\":\"SIDEWAYS\"}}",
     "INVALID_RELATIONSHIP", "r-5", "relationshipDirection"},
};

static void
test_parse_table(void)
{
    struct graph_object o;
    struct fixture f;

    arena_init(&f.arena);
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]);
         i++) {
        const struct parse_case *c = &parse_cases[i];
        enum status status = parse(&f, c->kind, c->json, &o);

        if (c->code == NULL) {
            CHECK(status == STATUS_OK);
            if (status != STATUS_OK) {
                fprintf(stderr, "  case %zu refused: %s\n", i,
                        f.err.message);
            }
            continue;
        }
        CHECK(status == STATUS_INVALID);
        CHECK_STR(f.err.code, c->code);
        CHECK(strstr(f.err.message, c->names) != NULL);
        CHECK(c->names2 == NULL || strstr(f.err.message, c->names2) != NULL);
        if (status != STATUS_INVALID || strstr(f.err.message, c->names) ==
                                            NULL) {
            fprintf(stderr, "  case %zu: %s\n", i, f.err.message);
        }
    }
    arena_release(&f.arena);
}

static void
test_parse_shapes(void)
{
    struct graph_object o;
    struct fixture f;

    arena_init(&f.arena);
    CHECK(parse(&f, GRAPH_KIND_RELATIONSHIP,
                "{\"_key\":\"r\",\"_type\":\"t\",\"_class\":\"owned_by\","
                "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"b\"}",
                &o) == STATUS_OK);
    CHECK(o.class_count == 1);
    CHECK_STR(o.classes[0], "OWNED_BY");

    /* Properties come out sorted; a class named twice counts once. */
    CHECK(parse(&f, GRAPH_KIND_ENTITY,
                "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":[\"B\",\"A\","
                "\"B\"],\"zeta\":1,\"alpha\":\"x\",\"tag.Env\":\"p\"}",
                &o) == STATUS_OK);
    CHECK(o.class_count == 2);
    CHECK(o.property_count == 3);
    CHECK_STR(o.properties[0].name, "alpha");
    CHECK_STR(o.properties[1].name, "tag.Env");
    CHECK_STR(o.properties[2].name, "zeta");
    CHECK_STR(graph_object_property(&o, "alpha"), "\"x\"");
    CHECK(graph_object_property(&o, "nope") == NULL);
    arena_release(&f.arena);
}

static void
test_parse_limits(void)
{
    struct graph_object o;
    struct fixture f;
    size_t big = GRAPH_STRING_MAX + 64;
    char *text = malloc(big + 256);
    char *key = malloc(GRAPH_KEY_MAX + 2);
    size_t n;

    arena_init(&f.arena);

    /* A key one byte too long. */
    memset(key, 'k', GRAPH_KEY_MAX + 1);
    key[GRAPH_KEY_MAX + 1] = '\0';
    snprintf(text, big + 256,
             "{\"_key\":\"%s\",\"_type\":\"t\",\"_class\":\"C\"}", key);
    CHECK(parse(&f, GRAPH_KIND_ENTITY, text, &o) == STATUS_INVALID);
    CHECK(strstr(f.err.message, "_key") != NULL);

    /* A string value one byte too long. */
    n = (size_t)snprintf(text, big + 256,
                         "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\","
                         "\"long\":\"");
    memset(text + n, 'x', GRAPH_STRING_MAX + 1);
    strcpy(text + n + GRAPH_STRING_MAX + 1, "\"}");
    CHECK(parse(&f, GRAPH_KIND_ENTITY, text, &o) == STATUS_INVALID);
    CHECK(strstr(f.err.message, "\"long\"") != NULL);
    free(text);
    free(key);

    /* One property more than allowed. */
    {
        json_t *obj = json_pack("{s:s, s:s, s:s}", "_key", "many", "_type",
                                "t", "_class", "C");
        char name[32];

        for (int i = 0; i <= GRAPH_PROPERTIES_MAX; i++) {
            snprintf(name, sizeof(name), "p%d", i);
            json_object_set_new(obj, name, json_integer(i));
        }
        CHECK(graph_object_parse(&f.arena, GRAPH_KIND_ENTITY, obj, &o,
                                 &f.err) == STATUS_INVALID);
        CHECK(strstr(f.err.message, "many") != NULL);
        json_object_del(obj, "p0");
        CHECK(graph_object_parse(&f.arena, GRAPH_KIND_ENTITY, obj, &o,
                                 &f.err) == STATUS_OK);
        json_decref(obj);
    }
    arena_release(&f.arena);
}

static void
test_digest(void)
{
    char d1[SHA256_HEX_LEN + 1], d2[SHA256_HEX_LEN + 1];
    struct graph_object a, b;
    struct fixture f;

    arena_init(&f.arena);

    /* Order of classes and of members does not matter; _rawData neither. */
    parse(&f, GRAPH_KIND_ENTITY,
          "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":[\"A\",\"B\"],"
          "\"x\":1,\"y\":\"z\"}",
          &a);
    parse(&f, GRAPH_KIND_ENTITY,
          "{\"y\":\"z\",\"_class\":[\"B\",\"A\"],\"x\":1,\"_type\":\"t\","
          "\"_key\":\"k\",\"_rawData\":[]}",
          &b);
    graph_object_digest(&a, d1);
    graph_object_digest(&b, d2);
    CHECK_STR(d1, d2);

    /* A value moved between names does. */
    parse(&f, GRAPH_KIND_ENTITY,
          "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":[\"A\",\"B\"],"
          "\"x\":\"z\",\"y\":1}",
          &b);
    graph_object_digest(&b, d2);
    CHECK(strcmp(d1, d2) != 0);
    arena_release(&f.arena);
}

/* ---- versions ----------------------------------------------------------- */

static const char host_v1[] =
    "{\"_key\":\"host-1\",\"_type\":\"acme_host\",\"_class\":[\"Host\"],"
    "\"ip\":\"10.0.0.1\",\"tag.Env\":\"prod\"}";
static const char host_v1_reordered[] =
    "{\"tag.Env\":\"prod\",\"ip\":\"10.0.0.1\",\"_class\":\"Host\","
    "\"_type\":\"acme_host\",\"_key\":\"host-1\"}";
static const char host_v2[] =
    "{\"_key\":\"host-1\",\"_type\":\"acme_host\",\"_class\":[\"Host\"],"
    "\"ip\":\"10.0.0.2\",\"tag.Env\":\"prod\"}";

static void
test_versions(void)
{
    struct graph_row row, again, *rows = NULL;
    struct graph_object patch;
    enum graph_change change;
    size_t count = 0;
    struct fixture f;
    json_t *json;

    if (!fixture_open(&f, 0)) {
        CHECK(false);
        return;
    }

    CHECK(put(&f, GRAPH_KIND_ENTITY, host_v1, NOW, &row) ==
          GRAPH_CHANGE_CREATED);
    CHECK(row.version == 1);
    CHECK(row.created_ms == NOW && row.begin_ms == NOW && row.end_ms == 0);
    CHECK(!row.deleted);
    CHECK_STR(row.account_id, "account-a");
    CHECK(strlen(row.id) == UUID_LEN);

    CHECK(put(&f, GRAPH_KIND_ENTITY, host_v1_reordered, NOW + 10, &again) ==
          GRAPH_CHANGE_UNCHANGED);
    CHECK_STR(again.id, row.id);
    CHECK(again.version == 1 && again.begin_ms == NOW);

    CHECK(put(&f, GRAPH_KIND_ENTITY, host_v2, NOW + 20, &again) ==
          GRAPH_CHANGE_UPDATED);
    CHECK_STR(again.id, row.id);
    CHECK(again.version == 2);
    CHECK(again.begin_ms == NOW + 20 && again.created_ms == NOW);
    CHECK_STR(graph_object_property(&again.object, "ip"), "\"10.0.0.2\"");

    CHECK(graph_versions(f.db, &f.arena, GRAPH_KIND_ENTITY, row.id, 0, 10,
                         &rows, &count, &f.err) == STATUS_OK);
    CHECK(count == 2);
    if (count == 2) {
        CHECK(rows[0].version == 2 && rows[0].end_ms == 0);
        CHECK(rows[1].version == 1 && rows[1].end_ms == NOW + 20);
        CHECK(rows[1].begin_ms == NOW);
        CHECK_STR(graph_object_property(&rows[1].object, "ip"),
                  "\"10.0.0.1\"");
    }

    /* A merge update: one property changed, one added, the rest kept. */
    json = json_pack("{s:s, s:i}", "ip", "10.0.0.3", "port", 22);
    CHECK(graph_object_parse_patch(&f.arena, GRAPH_KIND_ENTITY, json,
                                   &patch, &f.err) == STATUS_OK);
    json_decref(json);
    CHECK(graph_store_begin(f.db, &f.err) == STATUS_OK);
    CHECK(graph_update(f.db, &f.arena, GRAPH_KIND_ENTITY, row.id, &patch,
                       NOW + 30, &again, &change, &f.err) == STATUS_OK);
    CHECK(graph_store_commit(f.db, &f.err) == STATUS_OK);
    CHECK(change == GRAPH_CHANGE_UPDATED);
    CHECK(again.version == 3);
    CHECK_STR(graph_object_property(&again.object, "ip"), "\"10.0.0.3\"");
    CHECK_STR(graph_object_property(&again.object, "port"), "22");
    CHECK_STR(graph_object_property(&again.object, "tag.Env"), "\"prod\"");

    /* The same update again changes nothing. */
    CHECK(graph_store_begin(f.db, &f.err) == STATUS_OK);
    CHECK(graph_update(f.db, &f.arena, GRAPH_KIND_ENTITY, row.id, &patch,
                       NOW + 40, &again, &change, &f.err) == STATUS_OK);
    CHECK(graph_store_commit(f.db, &f.err) == STATUS_OK);
    CHECK(change == GRAPH_CHANGE_UNCHANGED && again.version == 3);

    /* Paging through the versions. */
    CHECK(graph_versions(f.db, &f.arena, GRAPH_KIND_ENTITY, row.id, 3, 10,
                         &rows, &count, &f.err) == STATUS_OK);
    CHECK(count == 2 && rows[0].version == 2);

    /* An update may not change what identifies the object. */
    json = json_pack("{s:s}", "_key", "other");
    CHECK(graph_object_parse_patch(&f.arena, GRAPH_KIND_ENTITY, json,
                                   &patch, &f.err) == STATUS_INVALID);
    CHECK(strstr(f.err.message, "_key") != NULL);
    json_decref(json);

    fixture_close(&f);
}

static void
test_raw_data_alone(void)
{
    struct graph_row row, again;
    struct fixture f;

    if (!fixture_open(&f, 0)) {
        CHECK(false);
        return;
    }
    CHECK(put(&f, GRAPH_KIND_ENTITY,
              "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\","
              "\"_rawData\":[{\"name\":\"d\",\"rawData\":\"one\"}]}",
              NOW, &row) == GRAPH_CHANGE_CREATED);
    CHECK(put(&f, GRAPH_KIND_ENTITY,
              "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\","
              "\"_rawData\":[{\"name\":\"d\",\"rawData\":\"two\"}]}",
              NOW + 1, &again) == GRAPH_CHANGE_RAW_DATA);
    CHECK(again.version == 1);
    CHECK(again.object.raw_data != NULL &&
          strstr(again.object.raw_data, "two") != NULL);

    /* An upload without _rawData keeps the stored one. */
    CHECK(put(&f, GRAPH_KIND_ENTITY,
              "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\"}", NOW + 2,
              &again) == GRAPH_CHANGE_UNCHANGED);
    CHECK(again.object.raw_data != NULL &&
          strstr(again.object.raw_data, "two") != NULL);
    fixture_close(&f);
}

/* ---- relationships and deletes ------------------------------------------ */

static const char rel_ab[] =
    "{\"_key\":\"a|has|b\",\"_type\":\"t_has_t\",\"_class\":\"HAS\","
    "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"b\"}";
static const char rel_ca[] =
    "{\"_key\":\"c|uses|a\",\"_type\":\"t_uses_t\",\"_class\":\"USES\","
    "\"_fromEntityKey\":\"c\",\"_toEntityKey\":\"a\"}";
static const char rel_bc[] =
    "{\"_key\":\"b|uses|c\",\"_type\":\"t_uses_t\",\"_class\":\"USES\","
    "\"_fromEntityKey\":\"b\",\"_toEntityKey\":\"c\"}";

static bool
make_abc(struct fixture *f, struct graph_row *a, struct graph_row *b,
         struct graph_row *c)
{
    return put(f, GRAPH_KIND_ENTITY,
               "{\"_key\":\"a\",\"_type\":\"t\",\"_class\":\"C\"}", NOW,
               a) == GRAPH_CHANGE_CREATED &&
           put(f, GRAPH_KIND_ENTITY,
               "{\"_key\":\"b\",\"_type\":\"t\",\"_class\":\"C\"}", NOW,
               b) == GRAPH_CHANGE_CREATED &&
           put(f, GRAPH_KIND_ENTITY,
               "{\"_key\":\"c\",\"_type\":\"t\",\"_class\":\"C\"}", NOW,
               c) == GRAPH_CHANGE_CREATED;
}

static void
test_relationship_endpoints(void)
{
    struct graph_row a, b, c, r, *rows = NULL;
    struct graph_filter all = {0};
    char next[GRAPH_CURSOR_MAX];
    size_t count = 0;
    struct fixture f;
    char text[512];

    if (!fixture_open(&f, 0) || !make_abc(&f, &a, &b, &c)) {
        CHECK(false);
        fixture_close(&f);
        return;
    }

    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP, rel_ab, NOW, &r) ==
          GRAPH_CHANGE_CREATED);
    CHECK_STR(r.object.from_id, a.id);
    CHECK_STR(r.object.to_id, b.id);
    CHECK_STR(r.object.classes[0], "HAS");

    /* By ids, the keys are filled in. */
    snprintf(text, sizeof(text),
             "{\"_key\":\"by-id\",\"_type\":\"t\",\"_class\":\"IS\","
             "\"_fromEntityId\":\"%s\",\"_toEntityId\":\"%s\"}",
             b.id, c.id);
    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP, text, NOW, &r) ==
          GRAPH_CHANGE_CREATED);
    CHECK_STR(r.object.from_key, "b");
    CHECK_STR(r.object.to_key, "c");

    /* A key that names nothing is refused, naming the key. */
    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP,
              "{\"_key\":\"a|has|ghost\",\"_type\":\"t\",\"_class\":\"HAS\","
              "\"_fromEntityKey\":\"a\",\"_toEntityKey\":\"ghost\"}",
              NOW, &r) == -1);
    CHECK_STR(f.err.code, "INVALID_RELATIONSHIP");
    CHECK(strstr(f.err.message, "\"ghost\"") != NULL);
    CHECK(strstr(f.err.message, "a|has|ghost") != NULL);

    /* So is an id that names nothing, and a mapping without endpoints. */
    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP,
              "{\"_key\":\"x\",\"_type\":\"t\",\"_class\":\"HAS\","
              "\"_fromEntityId\":\"no-such-id\",\"_toEntityKey\":\"a\"}",
              NOW, &r) == -1);
    CHECK(strstr(f.err.message, "no-such-id") != NULL);
    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP,
              "{\"_key\":\"m\",\"_type\":\"t\",\"_class\":\"OWNED_BY\","
              "\"_mapping\":{\"relationshipDirection\":\"FORWARD\","
              "\"sourceEntityKey\":\"a\",\"targetFilterKeys\":[[\"_type\"]],"
              "\"targetEntity\":{\"_type\":\"u\"}}}",
              NOW, &r) == -1);

    /* Only the two good edges exist. */
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, &all, NULL,
                     100, &rows, &count, next, &f.err) == STATUS_OK);
    CHECK(count == 2);
    fixture_close(&f);
}

static void
test_soft_delete_cascades(void)
{
    struct graph_row a, b, c, r1, r2, r3, got, *rows = NULL;
    struct graph_delete_counts counts;
    struct graph_filter live = {0}, all = {.include_deleted = true};
    char next[GRAPH_CURSOR_MAX];
    size_t count = 0;
    struct fixture f;

    if (!fixture_open(&f, 0) || !make_abc(&f, &a, &b, &c) ||
        put(&f, GRAPH_KIND_RELATIONSHIP, rel_ab, NOW, &r1) < 0 ||
        put(&f, GRAPH_KIND_RELATIONSHIP, rel_ca, NOW, &r2) < 0 ||
        put(&f, GRAPH_KIND_RELATIONSHIP, rel_bc, NOW, &r3) < 0) {
        CHECK(false);
        fixture_close(&f);
        return;
    }

    /* a has an edge out (a|has|b) and one in (c|uses|a). */
    CHECK(delete_object(&f, GRAPH_KIND_ENTITY, a.id, false, &counts) ==
          STATUS_OK);
    CHECK(counts.entities == 1 && counts.relationships == 2);

    CHECK(graph_get(f.db, &f.arena, GRAPH_KIND_ENTITY, a.id, &got,
                    &f.err) == STATUS_OK);
    CHECK(got.deleted && got.end_ms == NOW + 100);
    CHECK(graph_get(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, r1.id, &got,
                    &f.err) == STATUS_OK);
    CHECK(got.deleted && got.end_ms == NOW + 100);
    CHECK(graph_get(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, r3.id, &got,
                    &f.err) == STATUS_OK);
    CHECK(!got.deleted);

    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, &live, NULL,
                     100, &rows, &count, next, &f.err) == STATUS_OK);
    CHECK(count == 1 && strcmp(rows[0].id, r3.id) == 0);
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, &all, NULL,
                     100, &rows, &count, next, &f.err) == STATUS_OK);
    CHECK(count == 3);

    /* A deleted entity is no endpoint; it cannot be updated either. */
    CHECK(put(&f, GRAPH_KIND_RELATIONSHIP,
              "{\"_key\":\"b|has|a\",\"_type\":\"t\",\"_class\":\"HAS\","
              "\"_fromEntityKey\":\"b\",\"_toEntityKey\":\"a\"}",
              NOW, &got) == -1);
    CHECK(strstr(f.err.message, "\"a\"") != NULL);

    /* Deleting again counts nothing; uploading it again revives it. */
    CHECK(delete_object(&f, GRAPH_KIND_ENTITY, a.id, false, &counts) ==
          STATUS_OK);
    CHECK(counts.entities == 0 && counts.relationships == 0);
    CHECK(put(&f, GRAPH_KIND_ENTITY,
              "{\"_key\":\"a\",\"_type\":\"t\",\"_class\":\"C\"}",
              NOW + 200, &got) == GRAPH_CHANGE_UPDATED);
    CHECK_STR(got.id, a.id);
    CHECK(!got.deleted && got.version == 2 && got.end_ms == 0);
    CHECK(graph_versions(f.db, &f.arena, GRAPH_KIND_ENTITY, a.id, 0, 10,
                         &rows, &count, &f.err) == STATUS_OK);
    CHECK(count == 2 && rows[1].deleted && rows[1].end_ms == NOW + 100);
    fixture_close(&f);
}

static void
test_hard_delete(void)
{
    struct graph_row a, b, c, r1, r2, got, *rows = NULL;
    struct graph_delete_counts counts;
    struct graph_filter all = {.include_deleted = true};
    char next[GRAPH_CURSOR_MAX];
    size_t count = 0;
    struct fixture f;

    if (!fixture_open(&f, 0) || !make_abc(&f, &a, &b, &c) ||
        put(&f, GRAPH_KIND_RELATIONSHIP, rel_ab, NOW, &r1) < 0 ||
        put(&f, GRAPH_KIND_RELATIONSHIP, rel_bc, NOW, &r2) < 0 ||
        put(&f, GRAPH_KIND_ENTITY,
            "{\"_key\":\"b\",\"_type\":\"t\",\"_class\":\"C\",\"v\":2}", NOW,
            &got) != GRAPH_CHANGE_UPDATED) {
        CHECK(false);
        fixture_close(&f);
        return;
    }

    CHECK(delete_object(&f, GRAPH_KIND_ENTITY, b.id, true, &counts) ==
          STATUS_OK);
    CHECK(counts.entities == 1 && counts.relationships == 2);
    CHECK(graph_get(f.db, &f.arena, GRAPH_KIND_ENTITY, b.id, &got,
                    &f.err) == STATUS_NOT_FOUND);
    CHECK(graph_versions(f.db, &f.arena, GRAPH_KIND_ENTITY, b.id, 0, 10,
                         &rows, &count, &f.err) == STATUS_NOT_FOUND);
    CHECK(graph_get(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, r1.id, &got,
                    &f.err) == STATUS_NOT_FOUND);
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_RELATIONSHIP, &all, NULL,
                     100, &rows, &count, next, &f.err) == STATUS_OK);
    CHECK(count == 0);

    /* Nothing of b remains, history included. */
    CHECK(sqlite3_exec(f.db,
                       "SELECT 1 FROM entity_versions WHERE key = 'b'",
                       NULL, NULL, NULL) == SQLITE_OK);
    {
        sqlite3_stmt *stmt;

        sqlite3_prepare_v2(f.db,
                           "SELECT (SELECT count(*) FROM entity_versions), "
                           "(SELECT count(*) FROM entity_classes)",
                           -1, &stmt, NULL);
        CHECK(sqlite3_step(stmt) == SQLITE_ROW);
        CHECK(sqlite3_column_int(stmt, 0) == 0);
        CHECK(sqlite3_column_int(stmt, 1) == 2);
        sqlite3_finalize(stmt);
    }

    /* An unknown id is not found. */
    CHECK(delete_object(&f, GRAPH_KIND_ENTITY, "no-such-id", true,
                        &counts) == STATUS_NOT_FOUND);
    fixture_close(&f);
}

static void
test_write_needs_transaction(void)
{
    struct graph_object o;
    struct graph_row row;
    struct fixture f;

    if (!fixture_open(&f, 0)) {
        CHECK(false);
        return;
    }
    CHECK(parse(&f, GRAPH_KIND_ENTITY,
                "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\"}",
                &o) == STATUS_OK);
    CHECK(graph_upsert(f.db, &f.arena, &api_origin, &o, NOW, &row, NULL,
                       &f.err) == STATUS_INTERNAL);
    fixture_close(&f);
}

/* ---- listings ----------------------------------------------------------- */

/* Walk every page of a listing; the number of rows, each id seen once. */
static size_t
walk(struct fixture *f, const struct graph_filter *filter, int limit,
     bool *once)
{
    char cursor[GRAPH_CURSOR_MAX] = "", next[GRAPH_CURSOR_MAX];
    struct graph_row *rows;
    size_t count, total = 0;
    char **seen = NULL;

    *once = true;
    for (int pages = 0; pages < 10000; pages++) {
        if (graph_list(f->db, &f->arena, GRAPH_KIND_ENTITY, filter, cursor,
                       limit, &rows, &count, next, &f->err) != STATUS_OK) {
            *once = false;
            break;
        }
        seen = realloc(seen, (total + count + 1) * sizeof(*seen));
        for (size_t i = 0; i < count; i++) {
            for (size_t j = 0; j < total; j++) {
                if (strcmp(seen[j], rows[i].id) == 0) {
                    *once = false;
                }
            }
            seen[total++] = (char *)rows[i].id;
        }
        if (next[0] == '\0') {
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", next);
    }
    free(seen);
    return total;
}

static void
test_keyset_paging(void)
{
    struct graph_filter all = {0}, hosts = {.class_name = "Host"},
                        typed = {.type = "type_1"},
                        both = {.type = "type_1", .class_name = "Host"};
    struct graph_row row, *rows;
    char text[256], next[GRAPH_CURSOR_MAX];
    size_t count;
    struct fixture f;
    bool once;

    if (!fixture_open(&f, 0)) {
        CHECK(false);
        return;
    }
    for (int i = 0; i < 250; i++) {
        snprintf(text, sizeof(text),
                 "{\"_key\":\"e-%d\",\"_type\":\"type_%d\",\"_class\":%s}",
                 i, i % 3,
                 i % 2 == 0 ? "[\"Host\",\"Device\"]" : "\"User\"");
        if (put(&f, GRAPH_KIND_ENTITY, text, NOW + i, &row) !=
            GRAPH_CHANGE_CREATED) {
            CHECK(false);
            break;
        }
    }

    CHECK(walk(&f, &all, 7, &once) == 250 && once);
    CHECK(walk(&f, &all, 1000, &once) == 250 && once);
    CHECK(walk(&f, &hosts, 9, &once) == 125 && once);
    CHECK(walk(&f, &typed, 10, &once) == 83 && once);
    CHECK(walk(&f, &both, 4, &once) == 41 && once);

    /* Newest first. */
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_ENTITY, &all, NULL, 2, &rows,
                     &count, next, &f.err) == STATUS_OK);
    CHECK(count == 2 && strcmp(rows[0].object.key, "e-249") == 0);
    CHECK(next[0] != '\0');

    /* Cursors the server did not make are refused. */
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_ENTITY, &all, "zzz", 2,
                     &rows, &count, next, &f.err) == STATUS_INVALID);
    CHECK_STR(f.err.code, "INVALID_CURSOR");
    CHECK(graph_list(f.db, &f.arena, GRAPH_KIND_ENTITY, &all,
                     "c1234567890abcdef0", 2, &rows, &count, next,
                     &f.err) == STATUS_INVALID);
    fixture_close(&f);
}

/* ---- the store ---------------------------------------------------------- */

static void
test_account_ids(void)
{
    char long_id[GRAPH_STORE_ACCOUNT_MAX + 2];

    CHECK(graph_store_is_account_id("abc-1.2_3"));
    CHECK(graph_store_is_account_id("082d4513-7c0e-4bcd-8a3a-f2d3c9e5c651"));
    CHECK(!graph_store_is_account_id(""));
    CHECK(!graph_store_is_account_id(NULL));
    CHECK(!graph_store_is_account_id(".hidden"));
    CHECK(!graph_store_is_account_id(".."));
    CHECK(!graph_store_is_account_id("../etc"));
    CHECK(!graph_store_is_account_id("a/b"));
    CHECK(!graph_store_is_account_id("a b"));
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    CHECK(!graph_store_is_account_id(long_id));
    long_id[GRAPH_STORE_ACCOUNT_MAX] = '\0';
    CHECK(graph_store_is_account_id(long_id));
}

static void
test_accounts_apart(void)
{
    struct graph_row row, got;
    struct fixture f;
    sqlite3 *other = NULL;

    if (!fixture_open(&f, 0)) {
        CHECK(false);
        return;
    }
    CHECK(put(&f, GRAPH_KIND_ENTITY, host_v1, NOW, &row) ==
          GRAPH_CHANGE_CREATED);
    CHECK(graph_store_acquire(&f.store, "account-b", &other, &f.err) ==
          STATUS_OK);
    CHECK(graph_get(other, &f.arena, GRAPH_KIND_ENTITY, row.id, &got,
                    &f.err) == STATUS_NOT_FOUND);
    CHECK(graph_store_acquire(&f.store, "../account-a", &other, &f.err) !=
          STATUS_OK);
    graph_store_release(&f.store, other);
    fixture_close(&f);
}

/*
 * While account A's writer holds its transaction open, A's readers and
 * account B's writer go on without waiting for it.
 */
static void
test_writers_apart(void)
{
    struct graph_row row, got;
    sqlite3 *reader = NULL, *writer_b = NULL, *a = NULL;
    struct fixture f;
    int64_t started;

    if (!fixture_open(&f, 0) ||
        put(&f, GRAPH_KIND_ENTITY, host_v1, NOW, &row) < 0) {
        CHECK(false);
        fixture_close(&f);
        return;
    }
    a = f.db;
    CHECK(graph_store_begin(a, &f.err) == STATUS_OK);
    CHECK(sql_exec(a, NULL, &f.err,
                   "UPDATE entities SET display_name = 'pending'", "") ==
          STATUS_OK);

    started = clock_monotonic_us();
    CHECK(graph_store_acquire(&f.store, "account-a", &reader, &f.err) ==
          STATUS_OK);
    CHECK(graph_get(reader, &f.arena, GRAPH_KIND_ENTITY, row.id, &got,
                    &f.err) == STATUS_OK);
    CHECK(got.object.display_name == NULL);

    CHECK(graph_store_acquire(&f.store, "account-b", &writer_b, &f.err) ==
          STATUS_OK);
    f.db = writer_b;
    CHECK(put(&f, GRAPH_KIND_ENTITY, host_v1, NOW, &got) ==
          GRAPH_CHANGE_CREATED);
    CHECK(clock_monotonic_us() - started < 1000000);

    graph_store_rollback(a);
    graph_store_release(&f.store, reader);
    graph_store_release(&f.store, writer_b);
    f.db = a;
    fixture_close(&f);
}

static void
test_lru(void)
{
    struct graph_row row, got;
    char account[32], text[128];
    sqlite3 *held = NULL;
    struct fixture f;
    bool all_ok = true;

    if (!fixture_open(&f, 4)) {
        CHECK(false);
        return;
    }
    graph_store_release(&f.store, f.db);
    f.db = NULL;

    /* Twenty accounts through a pool of four. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) {
            snprintf(account, sizeof(account), "lru-%d", i);
            snprintf(text, sizeof(text),
                     "{\"_key\":\"k\",\"_type\":\"t\",\"_class\":\"C\","
                     "\"round\":%d}",
                     round);
            if (graph_store_acquire(&f.store, account, &f.db, &f.err) !=
                    STATUS_OK ||
                put(&f, GRAPH_KIND_ENTITY, text, NOW + round, &row) < 0) {
                all_ok = false;
            }
            CHECK_STR(row.account_id, account);
            graph_store_release(&f.store, f.db);
            f.db = NULL;
            CHECK(graph_store_open_count(&f.store) <= 4);
        }
    }
    CHECK(all_ok);

    /* Every account kept its own object at its second version. */
    for (int i = 0; i < 20; i++) {
        snprintf(account, sizeof(account), "lru-%d", i);
        CHECK(graph_store_acquire(&f.store, account, &f.db, &f.err) ==
              STATUS_OK);
        CHECK(graph_get_by_key(f.db, &f.arena, GRAPH_KIND_ENTITY,
                               &api_origin, "k", &got, &f.err) ==
              STATUS_OK);
        CHECK(got.version == 2);
        graph_store_release(&f.store, f.db);
        f.db = NULL;
    }

    /* Connections in use are never closed under their holder. */
    CHECK(graph_store_acquire(&f.store, "lru-0", &held, &f.err) ==
          STATUS_OK);
    for (int i = 1; i < 10; i++) {
        snprintf(account, sizeof(account), "lru-%d", i);
        CHECK(graph_store_acquire(&f.store, account, &f.db, &f.err) ==
              STATUS_OK);
        graph_store_release(&f.store, f.db);
        f.db = NULL;
    }
    CHECK(graph_get_by_key(held, &f.arena, GRAPH_KIND_ENTITY, &api_origin,
                           "k", &got, &f.err) == STATUS_OK);
    graph_store_release(&f.store, held);
    CHECK(graph_store_open_count(&f.store) <= 4);
    fixture_close(&f);
}

static void
remove_tree(const char *path)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", path);
    }
}

int
main(void)
{
    if (crypto_init() != 0 || mkdtemp(root) == NULL) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    log_init(LOG_ERROR, open("/dev/null", O_WRONLY));

    RUN(test_parse_table);
    RUN(test_parse_shapes);
    RUN(test_parse_limits);
    RUN(test_digest);
    RUN(test_versions);
    RUN(test_raw_data_alone);
    RUN(test_relationship_endpoints);
    RUN(test_soft_delete_cascades);
    RUN(test_hard_delete);
    RUN(test_write_needs_transaction);
    RUN(test_keyset_paging);
    RUN(test_account_ids);
    RUN(test_accounts_apart);
    RUN(test_writers_apart);
    RUN(test_lru);

    remove_tree(root);
    return unit_finish("graph");
}

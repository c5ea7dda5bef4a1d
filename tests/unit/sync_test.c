/*
 * sync_test.c - unit tests for src/graph/sync.c and src/store/sync_store.c:
 * the finalize diff (create, update, unchanged, delete by absence,
 * partial types, PATCH, explicit deletes), failed and aborted jobs,
 * duplicate keys, and the mapper in both directions.
 *
 * Every test opens a graph store of its own under one mkdtemp root,
 * removed at the end, and drives jobs the way the HTTP handlers do: one
 * transaction per upload, one for finalize, and sync_fail() in a new one
 * when finalize finds bad data.
 */
#include "graph/sync.h"

#include "unit.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "crypto/random.h"
#include "store/graph_store.h"

#define NOW 1700000000000

static char root[] = "/tmp/ganymede-sync-test-XXXXXX";
static int fixture_count;

struct fixture {
    char dir[256];
    struct graph_store store;
    sqlite3 *db;
    struct arena arena;
    struct error err;
};

static const struct graph_origin scope_s = {
    .source = GRAPH_SOURCE_API,
    .scope = "s",
};

static const struct graph_origin scope_other = {
    .source = GRAPH_SOURCE_API,
    .scope = "other",
};

static const struct graph_origin mapper = {
    .source = GRAPH_SOURCE_SYSTEM_MAPPER,
};

static bool
fixture_open(struct fixture *f)
{
    snprintf(f->dir, sizeof(f->dir), "%s/%d", root, ++fixture_count);
    arena_init(&f->arena);
    error_clear(&f->err);
    f->db = NULL;
    if (mkdir(f->dir, 0700) != 0 ||
        graph_store_open(&f->store, f->dir, 0, &f->err) != STATUS_OK ||
        graph_store_acquire(&f->store, "account-a", &f->db, &f->err) !=
            STATUS_OK) {
        fprintf(stderr, "could not open a graph store: %s\n", f->err.message);
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

/* A new job of origin in mode; its id in the fixture's arena. */
static const char *
job_new(struct fixture *f, const struct graph_origin *origin,
        enum sync_mode mode, bool ignore_duplicates)
{
    struct sync_job job;

    memset(&job, 0, sizeof(job));
    job.origin = *origin;
    job.mode = mode;
    job.ignore_duplicates = ignore_duplicates;
    if (graph_store_begin(f->db, &f->err) != STATUS_OK ||
        sync_create(f->db, &f->arena, &job, NOW, &f->err) != STATUS_OK ||
        graph_store_commit(f->db, &f->err) != STATUS_OK) {
        graph_store_rollback(f->db);
        return NULL;
    }
    return job.id;
}

/* Check and stage one upload array given as JSON text. */
static enum status
upload(struct fixture *f, const char *id, enum sync_item item, const char *text)
{
    json_t *array = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    struct sync_problems *problems = calloc(1, sizeof(*problems));
    enum status status;

    error_clear(&f->err);
    status = array != NULL && problems != NULL ? STATUS_OK : STATUS_INTERNAL;
    if (status == STATUS_OK) {
        status = sync_check(&f->arena, item, array, problems, &f->err);
    }
    if (status == STATUS_OK && problems->refused > 0) {
        f->err = problems->list[0].error;
        status = STATUS_INVALID;
    }
    if (status == STATUS_OK) {
        status = graph_store_begin(f->db, &f->err);
    }
    if (status == STATUS_OK) {
        status = sync_stage(f->db, &f->arena, id, item, array, &f->err);
        if (status == STATUS_OK) {
            status = graph_store_commit(f->db, &f->err);
        } else {
            graph_store_rollback(f->db);
        }
    }
    json_decref(array);
    free(problems);
    return status;
}

/* Finalize as the handler does; the job after it in *job. */
static enum status
finalize(struct fixture *f, const char *id, const char *partial,
         struct sync_job *job)
{
    enum status status;
    struct error why;

    error_clear(&f->err);
    status = graph_store_begin(f->db, &f->err);
    if (status == STATUS_OK) {
        status = sync_finalize(f->db, &f->arena, id, partial, NOW + 10, job,
                               &f->err);
    }
    if (status == STATUS_OK) {
        return graph_store_commit(f->db, &f->err);
    }
    graph_store_rollback(f->db);
    if (status == STATUS_INVALID) {
        why = f->err;
        if (graph_store_begin(f->db, &f->err) == STATUS_OK &&
            sync_fail(f->db, &f->arena, id, why.message, NOW + 10, job,
                      &f->err) == STATUS_OK) {
            graph_store_commit(f->db, &f->err);
        }
        f->err = why;
    }
    return status;
}

/* The current row of an entity by origin and key, or NULL. */
static const struct graph_row *
entity(struct fixture *f, const struct graph_origin *origin, const char *key)
{
    struct graph_row *row = arena_zalloc(&f->arena, sizeof(*row));
    struct error err;

    if (row == NULL || graph_get_by_key(f->db, &f->arena, GRAPH_KIND_ENTITY,
                                        origin, key, row, &err) != STATUS_OK) {
        return NULL;
    }
    return row;
}

static const struct graph_row *
relationship(struct fixture *f, const struct graph_origin *origin,
             const char *key)
{
    struct graph_row *row = arena_zalloc(&f->arena, sizeof(*row));
    struct error err;

    if (row == NULL ||
        graph_get_by_key(f->db, &f->arena, GRAPH_KIND_RELATIONSHIP, origin, key,
                         row, &err) != STATUS_OK) {
        return NULL;
    }
    return row;
}

static bool
is_live(const struct graph_row *row)
{
    return row != NULL && !row->deleted;
}

#define E(key, type, extra)                                                    \
    "{\"_key\":\"" key "\",\"_type\":\"" type "\",\"_class\":\"Host\"" extra "}"
#define R(key, from, to)                                                       \
    "{\"_key\":\"" key "\",\"_type\":\"t_has\",\"_class\":\"HAS\","            \
    "\"_fromEntityKey\":\"" from "\",\"_toEntityKey\":\"" to "\"}"

/* clang-format off */
static const char three_of_t[] =
    "[" E("a", "t", ",\"n\":1") "," E("b", "t", ",\"n\":1") ","
        E("c", "t", "") "]";

static const char three_types[] =
    "[" E("a", "t1", "") "," E("b", "t2", "") "," E("c", "t3", "") "]";
/* clang-format on */

/* Job 1 creates; job 2 updates one, leaves one, drops one. */
static void
test_diff(void)
{
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(id != NULL);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, three_of_t) == STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP, "[" R("ab", "a", "b") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.status == SYNC_STATUS_FINISHED);
    CHECK(job.counts[GRAPH_KIND_ENTITY].uploaded == 3);
    CHECK(job.counts[GRAPH_KIND_ENTITY].created == 3);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].created == 1);

    /* Out of the scope, never touched by the scope's diff. */
    id = job_new(&f, &scope_other, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("x", "t", "") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);

    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY,
                 "[" E("a", "t", ",\"n\":1") "," E("b", "t", ",\"n\":2") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP, "[" R("ab", "a", "b") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_ENTITY].created == 0);
    CHECK(job.counts[GRAPH_KIND_ENTITY].updated == 1);
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 1);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].updated == 0);
    CHECK(entity(&f, &scope_s, "a")->version == 1);
    CHECK(entity(&f, &scope_s, "b")->version == 2);
    CHECK(entity(&f, &scope_s, "c")->deleted);
    CHECK(is_live(relationship(&f, &scope_s, "ab")));

    /* Dropping b drops its relationship too. */
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":1") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 1);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].deleted == 1);
    CHECK(entity(&f, &scope_s, "b")->deleted);
    CHECK(relationship(&f, &scope_s, "ab")->deleted);
    CHECK(is_live(entity(&f, &scope_other, "x")));
    fixture_close(&f);
}

/* Types in partialDatasets are not deleted by absence; PATCH never is. */
static void
test_partial_and_patch(void)
{
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, three_types) == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);

    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t1", "") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, "[\"t2\"]", &job) == STATUS_OK);
    CHECK(is_live(entity(&f, &scope_s, "b")));
    CHECK(entity(&f, &scope_s, "c")->deleted);
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 1);

    id = job_new(&f, &scope_s, SYNC_MODE_PATCH, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("d", "t1", "") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(is_live(entity(&f, &scope_s, "a")));
    CHECK(is_live(entity(&f, &scope_s, "b")));
    CHECK(is_live(entity(&f, &scope_s, "d")));
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 0);

    /* CREATE_OR_UPDATE: no absence, but explicit deletes. */
    id = job_new(&f, &scope_s, SYNC_MODE_CREATE_OR_UPDATE, false);
    CHECK(upload(&f, id, SYNC_ITEM_DELETE_ENTITY, "[{\"_key\":\"d\"}]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(entity(&f, &scope_s, "d")->deleted);
    CHECK(is_live(entity(&f, &scope_s, "a")));
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 1);
    fixture_close(&f);
}

/* A failed job and an aborted job leave the graph as it was. */
static void
test_failed_and_aborted(void)
{
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY,
                 "[" E("a", "t", "") "," E("b", "t", "") "]") == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);

    /* A relationship to nothing fails the whole job. */
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":5") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP,
                 "[" R("az", "a", "nowhere") "]") == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_INVALID);
    CHECK_STR(f.err.code, "ERROR_BAD_DATA");
    CHECK(sync_get(f.db, &f.arena, id, &job, &f.err) == STATUS_OK);
    CHECK(job.status == SYNC_STATUS_ERROR_BAD_DATA);
    CHECK(job.error != NULL);
    CHECK(is_live(entity(&f, &scope_s, "b")));
    CHECK(entity(&f, &scope_s, "a")->version == 1);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("q", "t", "") "]") ==
          STATUS_CONFLICT);
    CHECK_STR(f.err.code, "JOB_NOT_AWAITING_UPLOADS");

    /* Abort: nothing applied, and no more uploads or finalize. */
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":6") "]") ==
          STATUS_OK);
    CHECK(graph_store_begin(f.db, &f.err) == STATUS_OK);
    CHECK(sync_abort(f.db, &f.arena, id, "stop", NOW, &job, &f.err) ==
          STATUS_OK);
    CHECK(graph_store_commit(f.db, &f.err) == STATUS_OK);
    CHECK(job.status == SYNC_STATUS_ABORTED);
    CHECK(is_live(entity(&f, &scope_s, "b")));
    CHECK(entity(&f, &scope_s, "a")->version == 1);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("q", "t", "") "]") ==
          STATUS_CONFLICT);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_CONFLICT);
    CHECK_STR(f.err.code, "JOB_NOT_AWAITING_UPLOADS");

    /* A finished job takes nothing more either. */
    CHECK(sync_get(f.db, &f.arena, "no-such-job", &job, &f.err) ==
          STATUS_NOT_FOUND);
    fixture_close(&f);
}

/* Duplicate keys fail the job unless it ignores them: then last wins. */
static void
test_duplicates(void)
{
    const struct graph_row *row;
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":1") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":2") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_INVALID);
    CHECK_STR(f.err.code, "ERROR_BAD_DATA");
    CHECK(entity(&f, &scope_s, "a") == NULL);

    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, true);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":1") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", ",\"n\":2") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_ENTITY].uploaded == 2);
    CHECK(job.counts[GRAPH_KIND_ENTITY].created == 1);
    row = entity(&f, &scope_s, "a");
    CHECK(row != NULL && row->version == 1);
    CHECK_STR(row != NULL ? graph_object_property(&row->object, "n") : NULL,
              "2");
    fixture_close(&f);
}

#define MAPPED(key, dir, skip, target)                                         \
    "{\"_key\":\"" key "\",\"_type\":\"t_owns\",\"_class\":\"OWNS\","          \
    "\"_mapping\":{\"relationshipDirection\":\"" dir "\","                     \
    "\"sourceEntityKey\":\"a\","                                               \
    "\"targetFilterKeys\":[[\"_type\",\"email\"]],"                            \
    "\"skipTargetCreation\":" skip ",\"targetEntity\":" target "}}"

#define USER_NEW                                                               \
    "{\"_type\":\"user\",\"_class\":\"User\",\"email\":\"new@x.y\"}"
#define USER_OLD                                                               \
    "{\"_type\":\"user\",\"_class\":\"User\",\"email\":\"there@x.y\"}"
#define USER_NONE "{\"_type\":\"user\",\"email\":\"none@x.y\"}"

/* FORWARD to a new target, REVERSE to an existing one, one skipped. */
/* clang-format off */
static const char mapped_three[] =
    "[" MAPPED("m-new", "FORWARD", "false", USER_NEW) ","
        MAPPED("m-old", "REVERSE", "false", USER_OLD) ","
        MAPPED("m-skip", "FORWARD", "true", USER_NONE) "]";
/* clang-format on */

static const char mapped_new[] =
    "[" MAPPED("m-new", "FORWARD", "false", USER_NEW) "]";

#define USER_NAMED                                                             \
    "{\"_type\":\"user\",\"_class\":\"User\",\"email\":\"new@x.y\","           \
    "\"name\":\"New\"}"

#define USER_OLD_NAMED                                                         \
    "{\"_type\":\"user\",\"_class\":\"User\",\"email\":\"there@x.y\","         \
    "\"name\":\"Changed\"}"

/* clang-format off */
static const char mapped_named[] =
    "[" MAPPED("m-new", "FORWARD", "false", USER_NAMED) ","
        MAPPED("m-old", "REVERSE", "false", USER_OLD_NAMED) "]";
/* clang-format on */

/* Mapped relationships: a new target, an existing one, none at all. */
static void
test_mapper(void)
{
    const struct graph_row *source, *made, *there, *rel;
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }

    /* A user that exists elsewhere in the account. */
    id = job_new(&f, &scope_other, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY,
                 "[{\"_key\":\"u1\",\"_type\":\"user\",\"_class\":\"User\","
                 "\"email\":\"there@x.y\"}]") == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);

    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", "") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP, mapped_three) == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].created == 2);

    source = entity(&f, &scope_s, "a");
    made = entity(&f, &mapper, "_type=user:email=new@x.y");
    there = entity(&f, &scope_other, "u1");
    CHECK(source != NULL && made != NULL && there != NULL);
    if (source == NULL || made == NULL || there == NULL) {
        fixture_close(&f);
        return;
    }
    CHECK(made->origin.source == GRAPH_SOURCE_SYSTEM_MAPPER);

    /* FORWARD: source to the created target. */
    rel = relationship(&f, &scope_s, "m-new");
    CHECK(rel != NULL && strcmp(rel->object.from_id, source->id) == 0 &&
          strcmp(rel->object.to_id, made->id) == 0);

    /* REVERSE: the existing target to the source; no new entity. */
    rel = relationship(&f, &scope_s, "m-old");
    CHECK(rel != NULL && strcmp(rel->object.from_id, there->id) == 0 &&
          strcmp(rel->object.to_id, source->id) == 0);
    CHECK(entity(&f, &mapper, "_type=user:email=there@x.y") == NULL);

    /* skipTargetCreation with no match: no edge, no entity. */
    CHECK(relationship(&f, &scope_s, "m-skip") == NULL);
    CHECK(entity(&f, &mapper, "_type=user:email=none@x.y") == NULL);

    /* A second identical sync finds the mapper's target again. */
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", "") "]") ==
          STATUS_OK);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP, mapped_new) == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].created == 0);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].updated == 0);
    CHECK(job.counts[GRAPH_KIND_RELATIONSHIP].deleted == 1);

    /* The mapper updates a target it owns, and only such a target. */
    id = job_new(&f, &scope_s, SYNC_MODE_PATCH, false);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP, mapped_named) == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    made = entity(&f, &mapper, "_type=user:email=new@x.y");
    CHECK(made != NULL && made->version == 2);
    CHECK_STR(made != NULL ? graph_object_property(&made->object, "name")
                           : NULL,
              "\"New\"");
    CHECK(entity(&f, &scope_other, "u1")->version == 1);
    fixture_close(&f);
}

/* An integration job's scope is its instance: other instances stay. */
static void
test_integration_scope(void)
{
    const struct graph_origin i1 = {
        .source = GRAPH_SOURCE_INTEGRATION_MANAGED,
        .integration_instance_id = "i1",
    };
    const struct graph_origin i2 = {
        .source = GRAPH_SOURCE_INTEGRATION_MANAGED,
        .integration_instance_id = "i2",
    };
    struct fixture f;
    struct sync_job job;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &i1, SYNC_MODE_DIFF, false);
    CHECK(sync_get(f.db, &f.arena, id, &job, &f.err) == STATUS_OK);
    CHECK(job.integration_job_id != NULL);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY,
                 "[" E("a", "t", "") "," E("b", "t", "") "]") == STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    id = job_new(&f, &i2, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("b", "t", "") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);

    id = job_new(&f, &i1, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY, "[" E("a", "t", "") "]") ==
          STATUS_OK);
    CHECK(finalize(&f, id, NULL, &job) == STATUS_OK);
    CHECK(job.counts[GRAPH_KIND_ENTITY].deleted == 1);
    CHECK(is_live(entity(&f, &i1, "a")));
    CHECK(entity(&f, &i1, "b")->deleted);
    CHECK(is_live(entity(&f, &i2, "b")));
    fixture_close(&f);
}

/* Uploads are checked whole: a bad object or mapping is refused. */
static void
test_check(void)
{
    struct fixture f;
    const char *id;

    if (!fixture_open(&f)) {
        CHECK(false);
        return;
    }
    id = job_new(&f, &scope_s, SYNC_MODE_DIFF, false);
    CHECK(upload(&f, id, SYNC_ITEM_ENTITY,
                 "[{\"_key\":\"a\",\"_type\":\"t\"}]") == STATUS_INVALID);
    CHECK(upload(&f, id, SYNC_ITEM_RELATIONSHIP,
                 "[" MAPPED("m", "FORWARD", "false",
                            "{\"_type\":\"user\"}") "]") == STATUS_INVALID);
    CHECK(upload(&f, id, SYNC_ITEM_DELETE_ENTITY, "[{\"x\":1}]") ==
          STATUS_INVALID);
    CHECK(upload(&f, "no-such-job", SYNC_ITEM_ENTITY,
                 "[" E("a", "t", "") "]") == STATUS_NOT_FOUND);
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

    RUN(test_diff);
    RUN(test_partial_and_patch);
    RUN(test_failed_and_aborted);
    RUN(test_duplicates);
    RUN(test_mapper);
    RUN(test_integration_scope);
    RUN(test_check);

    remove_tree(root);
    return unit_finish("sync");
}

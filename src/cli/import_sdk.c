/*
 * import_sdk.c - `ganymede import sdk DIR --account A --instance I`: the
 * .j1-integration directory that the JupiterOne integration SDK writes
 * (reference j1-api.md, section 6) applied to an account's graph as one
 * integration-managed DIFF synchronization job, straight into the data
 * directory like the other operator commands.
 *
 * The steps are those of a client of the sync API, through graph/sync.h:
 * create the job, stage the objects of each file under graph/ (walked in
 * byte order of their paths, one file in memory at a time, each checked
 * whole before any of it is staged), then finalize with the
 * partialDatasets of summary.json.  Everything is read and sized before
 * the job is created, so a missing summary.json or an oversized file
 * leaves no trace; a bad file found later aborts the job, which never
 * deletes anything.  Finalize is one transaction, so a process killed at
 * any point leaves the graph as it was or as the directory says.
 *
 * index/ (symbolic links into graph/) and .j1-integration-cache/ are not
 * read.  Brotli-compressed files are refused (docs/import.md).
 */
#include "cli/cli.h"

#include "base/clock.h"
#include "graph/graph.h"
#include "graph/sync.h"
#include "store/graph_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SDK_DIR_NAME  ".j1-integration"
#define SDK_FILE_MAX  (64 * 1024 * 1024) /* bytes of one file */
#define SDK_FILES_MAX 1000000            /* files under graph/ */
#define SDK_DEPTH_MAX 16                 /* directories below graph/ */
#define SDK_PATH_MAX  4096

/* The files under graph/, as paths relative to the integration root. */
struct sdk_files {
    char **paths;
    size_t count;
    size_t cap;
};

struct sdk_run {
    struct cli *cli;
    struct cli_context *k;
    const char *root;          /* the .j1-integration directory */
    const char *partial_types; /* JSON array text, or NULL */
    struct sdk_files files;
    struct graph_store graphs;
    bool graphs_open;
    sqlite3 *gdb;
    struct sync_job job;
    bool job_created;
};

/* ---- files --------------------------------------------------------------- */

static void
sdk_files_release(struct sdk_files *files)
{
    for (size_t i = 0; i < files->count; i++) {
        free(files->paths[i]);
    }
    free(files->paths);
    memset(files, 0, sizeof(*files));
}

static enum status
sdk_files_add(struct sdk_files *files, const char *path, struct error *err)
{
    if (files->count == SDK_FILES_MAX) {
        return error_set(err, STATUS_TOO_LARGE, "TOO_MANY_FILES",
                         "graph/ holds more than %d files", SDK_FILES_MAX);
    }
    if (files->count == files->cap) {
        size_t cap = files->cap == 0 ? 64 : files->cap * 2;
        char **grown = realloc(files->paths, cap * sizeof(*grown));

        if (grown == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        files->paths = grown;
        files->cap = cap;
    }
    files->paths[files->count] = strdup(path);
    if (files->paths[files->count] == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    files->count++;
    return STATUS_OK;
}

static bool
sdk_is_json_name(const char *name)
{
    size_t len = strlen(name);

    return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* Names go into messages on a terminal: none may carry control bytes. */
static bool
sdk_has_control(const char *name)
{
    for (; *name != '\0'; name++) {
        if ((unsigned char)*name < 0x20 || *name == 0x7f) {
            return true;
        }
    }
    return false;
}

/* A regular file of at most SDK_FILE_MAX bytes; rel names it. */
static enum status
sdk_check_size(const char *rel, const struct stat *st, struct error *err)
{
    if (!S_ISREG(st->st_mode)) {
        return error_set(err, STATUS_INVALID, "INVALID_FILE",
                         "%s is not a regular file", rel);
    }
    if (st->st_size > SDK_FILE_MAX) {
        return error_set(err, STATUS_TOO_LARGE, "FILE_TOO_LARGE",
                         "%s is over %d MiB", rel, SDK_FILE_MAX >> 20);
    }
    return STATUS_OK;
}

/*
 * Add the *.json files below root/rel (a directory) to files, checking
 * their sizes; other entries are passed over.
 */
static enum status
sdk_walk(const char *root, const char *rel, int depth, struct sdk_files *files,
         struct error *err)
{
    char dir[SDK_PATH_MAX], path[SDK_PATH_MAX], child[SDK_PATH_MAX];
    enum status status = STATUS_OK;
    struct dirent *entry;
    struct stat st;
    DIR *d;

    if (depth > SDK_DEPTH_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_DIRECTORY",
                         "%s is nested more than %d deep", rel, SDK_DEPTH_MAX);
    }
    snprintf(dir, sizeof(dir), "%s/%s", root, rel);
    d = opendir(dir);
    if (d == NULL) {
        return error_set(err, STATUS_IO, "READ_FAILED", "could not read %s: %s",
                         rel, strerror(errno));
    }
    while (status == STATUS_OK && (entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        if (sdk_has_control(entry->d_name)) {
            status = error_set(err, STATUS_INVALID, "INVALID_FILE",
                               "a file name under %s holds control bytes", rel);
            break;
        }
        if ((size_t)snprintf(child, sizeof(child), "%s/%s", rel,
                             entry->d_name) >= sizeof(child) ||
            (size_t)snprintf(path, sizeof(path), "%s/%s", root, child) >=
                sizeof(path)) {
            status = error_set(err, STATUS_INVALID, "INVALID_FILE",
                               "a path under %s is too long", rel);
            break;
        }

        /* Symbolic links are not followed (the SDK writes none here). */
        if (lstat(path, &st) != 0) {
            status = error_set(err, STATUS_IO, "READ_FAILED",
                               "could not read %s: %s", child, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            status = sdk_walk(root, child, depth + 1, files, err);
        } else if (sdk_is_json_name(entry->d_name)) {
            status = sdk_check_size(child, &st, err);
            if (status == STATUS_OK) {
                status = sdk_files_add(files, child, err);
            }
        }
    }
    closedir(d);
    return status;
}

static int
sdk_path_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Compressed data rather than JSON text: the first byte that is not
 * white space is not '{' and the head holds bytes no JSON text has.
 */
static bool
sdk_is_binary(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && strchr(" \t\r\n", data[i]) != NULL && data[i] != '\0') {
        i++;
    }
    if (i == len || data[i] == '{') {
        return false;
    }
    for (size_t j = 0; j < len && j < 4096; j++) {
        unsigned char c = (unsigned char)data[j];

        if (c == 0 || (c < 0x20 && strchr("\t\r\n", (char)c) == NULL)) {
            return true;
        }
    }
    return false;
}

/* The JSON object in root/rel, sized and checked; *out owned by caller. */
static enum status
sdk_load(const char *root, const char *rel, json_t **out, struct error *err)
{
    char path[SDK_PATH_MAX];
    enum status status = STATUS_OK;
    json_error_t jerr;
    char *data = NULL;
    struct stat st;
    size_t got = 0;
    int fd;

    *out = NULL;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return error_set(err, STATUS_IO, "READ_FAILED", "could not open %s: %s",
                         rel, strerror(errno));
    }
    if (fstat(fd, &st) != 0) {
        status = error_set(err, STATUS_IO, "READ_FAILED",
                           "could not read %s: %s", rel, strerror(errno));
        goto out;
    }
    status = sdk_check_size(rel, &st, err);
    if (status != STATUS_OK) {
        goto out;
    }
    data = malloc((size_t)st.st_size + 1);
    if (data == NULL) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            status = error_set(err, STATUS_IO, "READ_FAILED",
                               "could not read %s: %s", rel,
                               n < 0 ? strerror(errno) : "it shrank");
            goto out;
        }
        got += (size_t)n;
    }

    if (sdk_is_binary(data, got)) {
        status = error_set(err, STATUS_INVALID, "COMPRESSED_FILE",
                           "%s is not JSON text; Brotli-compressed files "
                           "(INTEGRATION_FILE_COMPRESSION_ENABLED) are not "
                           "supported",
                           rel);
        goto out;
    }
    *out = json_loadb(data, got, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL) {
        /* jansson quotes the input near the error: keep it printable. */
        for (char *c = jerr.text; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                *c = '?';
            }
        }
        status = error_set(err, STATUS_INVALID, "INVALID_JSON",
                           "%s: invalid JSON at line %d, column %d: %s", rel,
                           jerr.line, jerr.column, jerr.text);
    } else if (!json_is_object(*out)) {
        status = error_set(err, STATUS_INVALID, "INVALID_FILE",
                           "%s must hold a JSON object", rel);
        json_decref(*out);
        *out = NULL;
    }

out:
    free(data);
    close(fd);
    return status;
}

/* ---- the directory ------------------------------------------------------- */

static bool
sdk_is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The integration root: DIR itself when it holds graph/ or summary.json,
 * else DIR/.j1-integration.
 */
static enum status
sdk_find_root(struct sdk_run *run, const char *dir, struct error *err)
{
    struct arena *arena = &run->cli->arena;
    char graph[SDK_PATH_MAX], summary[SDK_PATH_MAX], nested[SDK_PATH_MAX];
    struct stat st;

    if (strlen(dir) > SDK_PATH_MAX / 2) {
        return error_set(err, STATUS_INVALID, "INVALID_DIRECTORY",
                         "the directory path is too long");
    }
    if (!sdk_is_dir(dir)) {
        return error_set(err, STATUS_NOT_FOUND, "NOT_FOUND",
                         "%s is not a directory", cli_mask_text(arena, dir));
    }
    snprintf(graph, sizeof(graph), "%s/graph", dir);
    snprintf(summary, sizeof(summary), "%s/summary.json", dir);
    snprintf(nested, sizeof(nested), "%s/" SDK_DIR_NAME, dir);
    run->root = dir;
    if (!sdk_is_dir(graph) && lstat(summary, &st) != 0 && sdk_is_dir(nested)) {
        run->root = arena_strdup(arena, nested);
    }
    if (run->root == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* metadata.partialDatasets.types of summary.json, as JSON array text. */
static enum status
sdk_read_summary(struct sdk_run *run, struct error *err)
{
    json_t *summary = NULL, *partial, *types, *name;
    char path[SDK_PATH_MAX];
    enum status status;
    struct stat st;
    char *text;
    size_t i;

    snprintf(path, sizeof(path), "%s/summary.json", run->root);
    if (lstat(path, &st) != 0 && errno == ENOENT) {
        return error_set(err, STATUS_NOT_FOUND, "NO_SUMMARY",
                         "%s has no summary.json (the SDK does not sync "
                         "without one); run the integration first",
                         cli_mask_text(&run->cli->arena, run->root));
    }
    status = sdk_load(run->root, "summary.json", &summary, err);
    if (status != STATUS_OK) {
        return status;
    }
    partial = json_object_get(json_object_get(summary, "metadata"),
                              "partialDatasets");
    types = json_object_get(partial, "types");
    if ((partial != NULL && !json_is_object(partial)) ||
        (types != NULL && !json_is_array(types)) ||
        json_array_size(types) > SYNC_PARTIAL_MAX) {
        status = error_set(err, STATUS_INVALID, "INVALID_SUMMARY",
                           "summary.json: metadata.partialDatasets must be "
                           "{\"types\": [names]} with at most %d names",
                           SYNC_PARTIAL_MAX);
    }
    json_array_foreach(types, i, name)
    {
        if (status == STATUS_OK &&
            (!json_is_string(name) || json_string_length(name) == 0 ||
             json_string_length(name) > GRAPH_NAME_MAX)) {
            status = error_set(err, STATUS_INVALID, "INVALID_SUMMARY",
                               "summary.json: metadata.partialDatasets."
                               "types[%zu] must be a _type name",
                               i);
        }
    }
    if (status == STATUS_OK && json_array_size(types) > 0) {
        text = json_dumps(types, JSON_COMPACT);
        run->partial_types =
            text != NULL ? arena_strdup(&run->cli->arena, text) : NULL;
        free(text);
        if (run->partial_types == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
    }
    json_decref(summary);
    return status;
}

static enum status
sdk_list_files(struct sdk_run *run, struct error *err)
{
    char path[SDK_PATH_MAX];
    enum status status;

    snprintf(path, sizeof(path), "%s/graph", run->root);
    if (!sdk_is_dir(path)) {
        return error_set(err, STATUS_NOT_FOUND, "NO_GRAPH",
                         "%s has no graph directory",
                         cli_mask_text(&run->cli->arena, run->root));
    }
    status = sdk_walk(run->root, "graph", 0, &run->files, err);
    if (status == STATUS_OK && run->files.count > 1) {
        qsort(run->files.paths, run->files.count, sizeof(char *),
              sdk_path_order);
    }
    return status;
}

/* ---- the job ------------------------------------------------------------- */

/* Commit the graph transaction when status is STATUS_OK, else roll back. */
static enum status
sdk_graph_step(struct sdk_run *run, enum status status)
{
    if (status == STATUS_OK) {
        return graph_store_commit(run->gdb, &run->k->err);
    }
    graph_store_rollback(run->gdb);
    return status;
}

/* The audit entry (actor "cli"), committed before the graph is. */
static enum status
sdk_audit(struct sdk_run *run)
{
    const struct sync_counts *e = &run->job.counts[GRAPH_KIND_ENTITY];
    const struct sync_counts *r = &run->job.counts[GRAPH_KIND_RELATIONSHIP];
    struct cli_context *k = run->k;
    enum status status;

    status = store_begin(k->db, &k->err);
    if (status != STATUS_OK) {
        return status;
    }
    status = cli_append_audit(
        k, "graph.import.sdk", run->job.id,
        json_pack("{s:s, s:s, s:I, s:{s:I, s:I, s:I, s:I}, "
                  "s:{s:I, s:I, s:I, s:I}}",
                  "integrationInstanceId",
                  run->job.origin.integration_instance_id, "status",
                  sync_status_name(run->job.status), "files",
                  (json_int_t)run->files.count, "entities", "uploaded",
                  (json_int_t)e->uploaded, "created", (json_int_t)e->created,
                  "updated", (json_int_t)e->updated, "deleted",
                  (json_int_t)e->deleted, "relationships", "uploaded",
                  (json_int_t)r->uploaded, "created", (json_int_t)r->created,
                  "updated", (json_int_t)r->updated, "deleted",
                  (json_int_t)r->deleted));
    return cli_end_transaction(k, status);
}

static enum status
sdk_create_job(struct sdk_run *run, const char *instance)
{
    struct error *err = &run->k->err;
    enum status status;

    memset(&run->job, 0, sizeof(run->job));
    run->job.origin.source = GRAPH_SOURCE_INTEGRATION_MANAGED;
    run->job.origin.integration_instance_id = instance;
    run->job.mode = SYNC_MODE_DIFF;

    status = graph_store_open(&run->graphs, run->cli->config.data_dir, 1, err);
    if (status != STATUS_OK) {
        return status;
    }
    run->graphs_open = true;
    status =
        graph_store_acquire(&run->graphs, run->k->account.id, &run->gdb, err);
    if (status == STATUS_OK) {
        status = graph_store_begin(run->gdb, err);
        if (status == STATUS_OK) {
            status = sync_create(run->gdb, &run->cli->arena, &run->job,
                                 clock_now_ms(), err);
            status = sdk_graph_step(run, status);
        }
    }
    run->job_created = status == STATUS_OK;
    return status;
}

/* The array named field of the file's object, or NULL when absent. */
static enum status
sdk_array(json_t *doc, const char *rel, const char *field, json_t **out,
          struct error *err)
{
    *out = json_object_get(doc, field);
    if (*out != NULL && !json_is_array(*out)) {
        return error_set(err, STATUS_INVALID, "INVALID_FILE",
                         "%s: \"%s\" must be an array", rel, field);
    }
    return STATUS_OK;
}

/* Check one array whole; the first refused object names the error. */
static enum status
sdk_check_array(struct sdk_run *run, struct arena *scratch, const char *rel,
                enum sync_item item, json_t *array)
{
    struct error *err = &run->k->err;
    struct sync_problems *problems;
    const struct sync_problem *first;
    enum status status;

    if (array == NULL) {
        return STATUS_OK;
    }
    problems = arena_zalloc(scratch, sizeof(*problems));
    if (problems == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    status = sync_check(scratch, item, array, problems, err);
    if (status != STATUS_OK || problems->refused == 0) {
        return status;
    }
    first = &problems->list[0];
    return error_set(err, STATUS_INVALID, first->error.code,
                     "%s: %s[%zu]: %s (%zu refused in the file)", rel,
                     item == SYNC_ITEM_ENTITY ? "entities" : "relationships",
                     first->index, first->error.message, problems->refused);
}

/*
 * Check one file's objects, then stage them in one transaction; what is
 * allocated for the file goes with it, so memory does not grow with the
 * number of files.
 */
static enum status
sdk_stage_file(struct sdk_run *run, const char *rel)
{
    json_t *doc = NULL, *entities = NULL, *relationships = NULL;
    struct error *err = &run->k->err;
    struct arena scratch;
    enum status status;
    const char *name;
    json_t *value;

    arena_init(&scratch);
    status = sdk_load(run->root, rel, &doc, err);
    json_object_foreach(doc, name, value)
    {
        if (status == STATUS_OK && strcmp(name, "entities") != 0 &&
            strcmp(name, "relationships") != 0) {
            status = error_set(err, STATUS_INVALID, "INVALID_FILE",
                               "%s: unexpected member \"%.64s\"; a graph "
                               "file holds \"entities\" or \"relationships\"",
                               rel, name);
        }
    }
    if (status == STATUS_OK) {
        status = sdk_array(doc, rel, "entities", &entities, err);
    }
    if (status == STATUS_OK) {
        status = sdk_array(doc, rel, "relationships", &relationships, err);
    }
    if (status == STATUS_OK) {
        status =
            sdk_check_array(run, &scratch, rel, SYNC_ITEM_ENTITY, entities);
    }
    if (status == STATUS_OK) {
        status = sdk_check_array(run, &scratch, rel, SYNC_ITEM_RELATIONSHIP,
                                 relationships);
    }

    if (status == STATUS_OK) {
        status = graph_store_begin(run->gdb, err);
        if (status == STATUS_OK && entities != NULL) {
            status = sync_stage(run->gdb, &scratch, run->job.id,
                                SYNC_ITEM_ENTITY, entities, err);
        }
        if (status == STATUS_OK && relationships != NULL) {
            status = sync_stage(run->gdb, &scratch, run->job.id,
                                SYNC_ITEM_RELATIONSHIP, relationships, err);
        }
        status = sdk_graph_step(run, status);
    }
    json_decref(doc);
    arena_release(&scratch);
    return status;
}

/*
 * End the job in failure after err: ABORTED for a bad file, or
 * ERROR_BAD_DATA when finalize found bad data; nothing was applied.
 * err is kept for the report.
 */
static void
sdk_end_job(struct sdk_run *run, bool failed)
{
    struct error why = run->k->err, *err = &run->k->err;
    enum status status;

    status = graph_store_begin(run->gdb, err);
    if (status == STATUS_OK && failed) {
        status = sync_fail(run->gdb, &run->cli->arena, run->job.id, why.message,
                           clock_now_ms(), &run->job, err);
    } else if (status == STATUS_OK) {
        status = sync_abort(run->gdb, &run->cli->arena, run->job.id,
                            why.message, clock_now_ms(), &run->job, err);
    }
    if (status == STATUS_OK) {
        status = sdk_audit(run);
    }
    sdk_graph_step(run, status);

    /* The cause first: the message is cut at ERROR_MESSAGE_MAX. */
    error_set(err, why.status, why.code, "%s; job %s %s, nothing was changed",
              why.message, run->job.id, failed ? "failed" : "aborted");
}

static enum status
sdk_finalize(struct sdk_run *run)
{
    struct error *err = &run->k->err;
    enum status status;

    status = graph_store_begin(run->gdb, err);
    if (status == STATUS_OK) {
        status =
            sync_finalize(run->gdb, &run->cli->arena, run->job.id,
                          run->partial_types, clock_now_ms(), &run->job, err);
        if (status == STATUS_INVALID) {
            graph_store_rollback(run->gdb);
            sdk_end_job(run, true);
            return status;
        }
    }
    if (status == STATUS_OK) {
        status = sdk_audit(run);
    }
    return sdk_graph_step(run, status);
}

static enum status
sdk_import(struct sdk_run *run, const char *instance)
{
    enum status status;

    status = sdk_create_job(run, instance);
    for (size_t i = 0; status == STATUS_OK && i < run->files.count; i++) {
        status = sdk_stage_file(run, run->files.paths[i]);
    }
    if (status != STATUS_OK) {
        if (run->job_created) {
            sdk_end_job(run, false);
        }
        return status;
    }
    return sdk_finalize(run);
}

/* ---- the command --------------------------------------------------------- */

/*
 * The one argument that is not an option is the directory, into *dir;
 * the rest are checked as usual.  0, or the exit code (reported).
 */
static int
sdk_arguments(struct cli *cli, const char **dir)
{
    static const char *const options[] = {"account", "instance", NULL};
    static const char *const flags[] = {"json", NULL};
    struct cli rest = *cli;
    int n = 0;

    *dir = NULL;
    rest.argv =
        arena_alloc(&cli->arena, (size_t)(cli->argc + 1) * sizeof(*rest.argv));
    if (rest.argv == NULL) {
        fprintf(stderr, "ganymede: out of memory\n");
        return 1;
    }
    for (int i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];

        if (strncmp(arg, "--", 2) != 0 && *dir == NULL) {
            *dir = arg;
            continue;
        }
        rest.argv[n++] = cli->argv[i];
        if ((strcmp(arg, "--account") == 0 || strcmp(arg, "--instance") == 0) &&
            i + 1 < cli->argc) {
            rest.argv[n++] = cli->argv[++i];
        }
    }
    rest.argc = n;
    if (!cli_check_args(&rest, options, flags)) {
        return 2;
    }
    if (*dir == NULL) {
        return cli_fail_missing(cli, "import sdk needs a DIR");
    }
    if (!cli_has_option(cli, "account")) {
        return cli_fail_missing(cli, "import sdk needs --account");
    }
    if (!cli_has_option(cli, "instance")) {
        return cli_fail_missing(cli, "import sdk needs --instance");
    }
    return 0;
}

static int
sdk_report(struct sdk_run *run)
{
    const struct sync_counts *e = &run->job.counts[GRAPH_KIND_ENTITY];
    const struct sync_counts *r = &run->job.counts[GRAPH_KIND_RELATIONSHIP];

    if (run->cli->json) {
        return cli_print_json(sync_job_json(&run->job, run->k->account.id));
    }
    printf("job %s %s: %zu files; entities: %lld uploaded, %lld created, "
           "%lld updated, %lld deleted; relationships: %lld uploaded, "
           "%lld created, %lld updated, %lld deleted\n",
           run->job.id, sync_status_name(run->job.status), run->files.count,
           (long long)e->uploaded, (long long)e->created, (long long)e->updated,
           (long long)e->deleted, (long long)r->uploaded, (long long)r->created,
           (long long)r->updated, (long long)r->deleted);
    return 0;
}

int
cli_import_sdk(struct cli *cli)
{
    struct sdk_run run = {.cli = cli};
    const char *dir, *instance;
    enum status status;
    struct cli_context k;
    int rc;

    rc = sdk_arguments(cli, &dir);
    if (rc != 0) {
        return rc;
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }
    run.k = &k;
    instance = cli_option(cli, "instance");

    status = cli_check_text(instance, GRAPH_SCOPE_MAX, "the instance", &k.err);
    if (status == STATUS_OK) {
        status = cli_find_account(cli, &k, cli_option(cli, "account"));
    }
    if (status == STATUS_OK) {
        status = sdk_find_root(&run, dir, &k.err);
    }
    if (status == STATUS_OK) {
        status = sdk_read_summary(&run, &k.err);
    }
    if (status == STATUS_OK) {
        status = sdk_list_files(&run, &k.err);
    }
    if (status == STATUS_OK) {
        status = sdk_import(&run, instance);
    }
    rc = status == STATUS_OK ? sdk_report(&run) : cli_fail(cli, &k.err);

    if (run.gdb != NULL) {
        graph_store_release(&run.graphs, run.gdb);
    }
    if (run.graphs_open) {
        graph_store_close(&run.graphs);
    }
    sdk_files_release(&run.files);
    cli_close_store(&k);
    return rc;
}

/*
 * import.c - `ganymede import csv FILE --account A`: a CSV file of
 * entities (graph/csv.h, docs/import.md) written into an account's graph,
 * straight into the data directory like the other operator commands.
 *
 * The file is read in chunks and each row written as it is read, so
 * memory does not grow with the file; all rows go into one transaction
 * of the account's graph store, committed at the end (after the audit
 * entry, actor "cli", in the control store) or rolled back when a row
 * was invalid and --skip-invalid was not given.  One transaction means
 * the import is all or nothing even when the process is killed, at the
 * cost of holding the account's write lock for the whole import: server
 * writes to that account wait (and may time out) meanwhile.
 *
 * On a terminal, stderr shows a progress bar; bad rows are printed on
 * stderr as they are found (the first IMPORT_SHOWN_MAX), and a summary
 * closes the run, on stdout, or as one JSON object with --json.
 */
#include "cli/cli.h"

#include "base/clock.h"
#include "graph/csv.h"
#include "graph/graph.h"
#include "store/graph_store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORT_SCOPE_DEFAULT "default"
#define IMPORT_SHOWN_MAX     1000 /* bad rows printed or listed */
#define IMPORT_BAR_WIDTH     30

struct import_run {
    struct cli *cli;
    const char *path;
    uint64_t size;    /* of the file, 0 when unknown */
    bool bar;         /* drawing a progress bar on stderr */
    json_t *problems; /* with --json, the first IMPORT_SHOWN_MAX */
    int64_t shown;
    int64_t left_out;
    bool read; /* the file was read (or its header refused) */
};

/* ---- output -------------------------------------------------------------- */

static void
import_clear_bar(struct import_run *run)
{
    if (run->bar) {
        fputs("\r\033[K", stderr);
    }
}

static void
import_progress(void *ctx, const struct csv_counts *counts, uint64_t offset)
{
    struct import_run *run = ctx;
    char bar[IMPORT_BAR_WIDTH + 1];
    int percent = 0, filled;

    if (!run->bar) {
        return;
    }
    if (run->size > 0) {
        percent = (int)(offset * 100 / run->size);
    }
    if (percent > 100) {
        percent = 100;
    }
    filled = percent * IMPORT_BAR_WIDTH / 100;
    memset(bar, '#', (size_t)filled);
    memset(bar + filled, '.', (size_t)(IMPORT_BAR_WIDTH - filled));
    bar[IMPORT_BAR_WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %lld rows, %lld invalid", bar, percent,
            (long long)counts->rows, (long long)counts->invalid);
    fflush(stderr);
}

static void
import_problem(void *ctx, const struct csv_problem *problem)
{
    struct import_run *run = ctx;

    if (run->shown >= IMPORT_SHOWN_MAX) {
        run->left_out++;
        return;
    }
    run->shown++;
    if (run->cli->json) {
        json_array_append_new(run->problems,
                              json_pack("{s:I, s:I, s:s}", "line",
                                        (json_int_t)problem->line, "column",
                                        (json_int_t)problem->column, "reason",
                                        problem->reason));
        return;
    }
    import_clear_bar(run);
    fprintf(stderr, "%s: line %lld, column %zu: %s\n",
            cli_mask_text(&run->cli->arena, run->path),
            (long long)problem->line, problem->column, problem->reason);
}

static json_t *
import_counts_json(const struct csv_counts *counts)
{
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I}", "rows", (json_int_t)counts->rows,
        "created", (json_int_t)counts->created, "updated",
        (json_int_t)counts->updated, "unchanged", (json_int_t)counts->unchanged,
        "invalid", (json_int_t)counts->invalid);
}

/* The closing summary; written is whether the rows were committed. */
static int
import_summary(struct import_run *run, const struct csv_counts *counts,
               bool written)
{
    struct csv_counts shown = *counts;
    int rc;

    if (!written) {
        shown.created = shown.updated = shown.unchanged = 0;
    }
    if (run->cli->json) {
        rc = cli_print_json(
            json_pack("{s:b, s:o, s:O, s:I}", "imported", written, "counts",
                      import_counts_json(&shown), "errors", run->problems,
                      "more_errors", (json_int_t)run->left_out));
        return rc != 0 || !written ? 1 : 0;
    }
    if (run->left_out > 0) {
        fprintf(stderr, "%s: %lld more bad rows not shown\n",
                cli_mask_text(&run->cli->arena, run->path),
                (long long)run->left_out);
    }
    printf("%s: %lld rows, %lld created, %lld updated, %lld unchanged, "
           "%lld invalid%s\n",
           cli_mask_text(&run->cli->arena, run->path), (long long)shown.rows,
           (long long)shown.created, (long long)shown.updated,
           (long long)shown.unchanged, (long long)shown.invalid,
           written ? "" : "; nothing was written");
    return written ? 0 : 1;
}

/* ---- arguments ------------------------------------------------------------
 */

/*
 * The one argument that is not an option is the file, into *file; the
 * others are checked as usual.  0, or the exit code (reported).
 */
static int
import_file_argument(struct cli *cli, const char **file)
{
    static const char *const options[] = {"account", "scope", NULL};
    static const char *const flags[] = {"skip-invalid", "json", NULL};
    struct cli rest = *cli;
    char **argv;
    int n = 0;

    *file = NULL;
    argv = arena_alloc(&cli->arena, (size_t)(cli->argc + 1) * sizeof(*argv));
    if (argv == NULL) {
        fprintf(stderr, "ganymede: out of memory\n");
        return 1;
    }
    for (int i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];

        if (strncmp(arg, "--", 2) != 0 && *file == NULL) {
            *file = arg;
            continue;
        }
        argv[n++] = cli->argv[i];

        /* An option's value is not the file, whatever it looks like. */
        if ((strcmp(arg, "--account") == 0 || strcmp(arg, "--scope") == 0) &&
            i + 1 < cli->argc) {
            argv[n++] = cli->argv[++i];
        }
    }
    rest.argc = n;
    rest.argv = argv;
    if (!cli_check_args(&rest, options, flags)) {
        return 2;
    }
    if (*file == NULL) {
        return cli_fail_missing(cli, "import csv needs a FILE");
    }
    return 0;
}

static enum status
import_scope(struct cli *cli, struct graph_origin *origin, struct error *err)
{
    const char *scope = NULL;

    memset(origin, 0, sizeof(*origin));
    origin->source = GRAPH_SOURCE_API;
    if (!cli_get_optional(cli, "scope", &scope)) {
        return error_set(err, STATUS_INVALID, "INVALID_OPTION",
                         "--scope needs a value");
    }
    origin->scope = scope != NULL ? scope : IMPORT_SCOPE_DEFAULT;
    if (cli_check_text(origin->scope, GRAPH_SCOPE_MAX, "the scope", err) !=
        STATUS_OK) {
        return STATUS_INVALID;
    }
    return graph_origin_check(origin, err);
}

/* ---- the import ---------------------------------------------------------- */

/* The audit entry, then the graph commit: as the server does it. */
static enum status
import_commit(struct cli_context *k, sqlite3 *gdb, const char *scope,
              const struct csv_counts *counts)
{
    enum status status;

    status = store_begin(k->db, &k->err);
    if (status == STATUS_OK) {
        status =
            cli_append_audit(k, "graph.import.csv", "",
                             json_pack("{s:s, s:o}", "scope", scope, "counts",
                                       import_counts_json(counts)));
        status = cli_end_transaction(k, status);
    }
    if (status == STATUS_OK) {
        status = graph_store_commit(gdb, &k->err);
    }
    return status;
}

/* Open the account's graph, read and write every row, decide. */
static enum status
import_steps(struct import_run *run, struct cli_context *k, FILE *file,
             const struct graph_origin *origin, bool skip_invalid,
             struct csv_counts *counts, bool *written)
{
    struct graph_store graphs;
    struct csv_import import;
    struct csv_reader reader;
    enum status status;
    sqlite3 *gdb = NULL;

    *written = false;
    status = graph_store_open(&graphs, run->cli->config.data_dir, 1, &k->err);
    if (status != STATUS_OK) {
        return status;
    }
    status = graph_store_acquire(&graphs, k->account.id, &gdb, &k->err);
    if (status == STATUS_OK) {
        status = graph_store_begin(gdb, &k->err);
    }

    csv_reader_init_file(&reader, file);
    memset(&import, 0, sizeof(import));
    import.db = gdb;
    import.origin = origin;
    import.now_ms = clock_now_ms();
    import.on_problem = import_problem;
    import.on_progress = import_progress;
    import.ctx = run;
    if (status == STATUS_OK) {
        status = csv_import_run(&import, &reader, &k->err);
        run->read = status == STATUS_OK || status == STATUS_INVALID;
    }
    import_clear_bar(run);
    *counts = import.counts;

    if (status == STATUS_OK && (counts->invalid == 0 || skip_invalid)) {
        status = import_commit(k, gdb, origin->scope, counts);
        *written = status == STATUS_OK;
    }
    csv_reader_release(&reader);
    if (gdb != NULL) {
        graph_store_release(&graphs, gdb);
    }
    graph_store_close(&graphs);
    return status;
}

static int
cli_import_csv(struct cli *cli)
{
    struct import_run run = {.cli = cli};
    struct csv_counts counts = {0};
    struct graph_origin origin;
    bool written = false;
    enum status status;
    struct cli_context k;
    struct stat st;
    FILE *file;
    int rc;

    rc = import_file_argument(cli, &run.path);
    if (rc != 0) {
        return rc;
    }
    if (!cli_has_option(cli, "account")) {
        return cli_fail_missing(cli, "import csv needs --account");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }
    file = fopen(run.path, "rb");
    if (file == NULL) {
        error_set(&k.err, STATUS_IO, "READ_FAILED", "could not open %s: %s",
                  cli_mask_text(&cli->arena, run.path), strerror(errno));
        rc = cli_fail(cli, &k.err);
        cli_close_store(&k);
        return rc;
    }
    if (fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode)) {
        run.size = (uint64_t)st.st_size;
    }
    run.bar = isatty(STDERR_FILENO);
    run.problems = json_array();

    status = import_scope(cli, &origin, &k.err);
    if (status == STATUS_OK) {
        status = cli_find_account(cli, &k, cli_option(cli, "account"));
    }
    if (status == STATUS_OK) {
        status = import_steps(&run, &k, file, &origin,
                              cli_flag(cli, "skip-invalid"), &counts, &written);
    }

    /* A bad file is answered by the summary (its problems are shown). */
    if (run.read && (status == STATUS_OK || status == STATUS_INVALID)) {
        rc = import_summary(&run, &counts, written);
    } else {
        rc = cli_fail(cli, &k.err);
    }
    json_decref(run.problems);
    fclose(file);
    cli_close_store(&k);
    return rc;
}

int
cli_import(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"csv", cli_import_csv,
         "FILE --account ID [--scope S] [--skip-invalid] [--json]",
         "write the entities of a CSV file into an account's graph; "
         "nothing unless every row is valid, or only the valid rows",
         false},
        {"sdk", cli_import_sdk, "DIR --account ID --instance ID [--json]",
         "apply a .j1-integration directory as one DIFF sync job of an "
         "integration instance; nothing unless every file is valid",
         false},
    };

    return cli_dispatch(cli, "import", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

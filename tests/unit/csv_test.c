/*
 * csv_test.c - unit tests for src/graph/csv.c: the reader on good and bad
 * text (quoting, line ends, embedded newlines, encodings, limits, a file
 * that stops mid-row, chunk boundaries), the typing of values with and
 * without a forced type, the header, rows as entities, and the import
 * loop against a real graph store.
 */
#include "graph/csv.h"

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

static char root[] = "/tmp/ganymede-csv-test-XXXXXX";

/* A reader over a string and the row it read last. */
struct rows {
    struct csv_reader reader;
    struct csv_row row;
};

static void
rows_open(struct rows *r, const char *text)
{
    csv_reader_init_buffer(&r->reader, text, strlen(text));
}

/* The next row; false at the end or on failure. */
static bool
rows_next(struct rows *r)
{
    bool done = false;

    if (csv_reader_next(&r->reader, &r->row, &done, NULL) != STATUS_OK) {
        return false;
    }
    return !done;
}

static bool
field_is(const struct csv_row *row, size_t i, const char *want)
{
    return i < row->count && row->lens[i] == strlen(want) &&
           memcmp(row->fields[i], want, row->lens[i]) == 0;
}

/* ---- the reader ---------------------------------------------------------- */

static void
test_reader_plain_and_quoted(void)
{
    struct rows r;

    rows_open(&r, "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n,,\n");
    CHECK(rows_next(&r));
    CHECK(r.row.count == 3 && !r.row.bad && r.row.line == 1);
    CHECK(field_is(&r.row, 0, "a") && field_is(&r.row, 2, "c"));
    CHECK(rows_next(&r));
    CHECK(r.row.count == 3 && r.row.line == 2);
    CHECK(field_is(&r.row, 1, "x, y"));
    CHECK(field_is(&r.row, 2, "say \"hi\""));
    CHECK(rows_next(&r));
    CHECK(r.row.count == 3 && field_is(&r.row, 0, "") &&
          field_is(&r.row, 2, ""));
    CHECK(!rows_next(&r));
    csv_reader_release(&r.reader);
}

static void
test_reader_line_ends(void)
{
    struct rows r;

    /* CRLF, LF, a blank line, a last row without a line end, a BOM. */
    rows_open(&r, "\xef\xbb\xbf"
                  "a,b\r\n1,2\n\r\n\n3,4");
    CHECK(rows_next(&r));
    CHECK(field_is(&r.row, 0, "a") && field_is(&r.row, 1, "b"));
    CHECK(rows_next(&r));
    CHECK(field_is(&r.row, 1, "2") && r.row.line == 2);
    CHECK(rows_next(&r));
    CHECK(field_is(&r.row, 0, "3") && field_is(&r.row, 1, "4"));
    CHECK(r.row.line == 5 && !r.row.bad);
    CHECK(!rows_next(&r));
    csv_reader_release(&r.reader);

    /* A quoted empty field is a row, not a blank line. */
    rows_open(&r, "a\n\n\"\"\n");
    CHECK(rows_next(&r) && rows_next(&r));
    CHECK(r.row.count == 1 && r.row.lens[0] == 0 && r.row.line == 3);
    CHECK(!rows_next(&r));
    csv_reader_release(&r.reader);

    /* A CR alone is not a line end. */
    rows_open(&r, "a,b\rc\n");
    CHECK(rows_next(&r));
    CHECK(r.row.bad && r.row.problem.line == 1);
    CHECK(strstr(r.row.problem.reason, "carriage return") != NULL);
    csv_reader_release(&r.reader);
}

static void
test_reader_embedded_newlines(void)
{
    struct rows r;

    rows_open(&r, "k,v\n1,\"two\nlines\"\n2,\"crlf\r\ninside\"\r\n3,x\n");
    CHECK(rows_next(&r));
    CHECK(rows_next(&r));
    CHECK(r.row.line == 2 && field_is(&r.row, 1, "two\nlines"));
    CHECK(rows_next(&r));
    CHECK(r.row.line == 4 && field_is(&r.row, 1, "crlf\r\ninside"));
    CHECK(rows_next(&r));
    CHECK(r.row.line == 6 && field_is(&r.row, 0, "3") && !r.row.bad);
    csv_reader_release(&r.reader);
}

static void
test_reader_bad_quoting(void)
{
    struct rows r;

    rows_open(&r, "a,b,c\n1,x\"y,3\n1,\"ab\"c,3\n4,5,6\n");
    CHECK(rows_next(&r));
    CHECK(rows_next(&r));
    CHECK(r.row.bad && r.row.problem.line == 2 && r.row.problem.column == 2);
    CHECK(strstr(r.row.problem.reason, "quote") != NULL);
    CHECK(r.row.count == 3);
    CHECK(rows_next(&r));
    CHECK(r.row.bad && r.row.problem.line == 3 && r.row.problem.column == 2);
    CHECK(strstr(r.row.problem.reason, "closing quote") != NULL);
    CHECK(r.row.count == 3);

    /* The reader finds its feet again on the next row. */
    CHECK(rows_next(&r));
    CHECK(!r.row.bad && field_is(&r.row, 2, "6") && r.row.line == 4);
    csv_reader_release(&r.reader);
}

static void
test_reader_truncated(void)
{
    struct rows r;

    rows_open(&r, "a,b\n1,\"open\nand never\nclosed");
    CHECK(rows_next(&r));
    CHECK(rows_next(&r));
    CHECK(r.row.bad && r.row.line == 2);
    CHECK(r.row.problem.line == 4 && r.row.problem.column == 2);
    CHECK(strstr(r.row.problem.reason, "ends inside a quoted field") != NULL);
    CHECK(!rows_next(&r));
    csv_reader_release(&r.reader);
}

static void
test_reader_bad_utf8(void)
{
    static const char *const bad[] = {
        "k,v\n1,caf\xe9\n",          /* Latin-1 */
        "k,v\n1,\xc0\xaf\n",         /* overlong */
        "k,v\n1,\xed\xa0\x80\n",     /* surrogate */
        "k,v\n1,\xf4\x90\x80\x80\n", /* past U+10FFFF */
        "k,v\n1,ab\xe2\x82\n",       /* truncated */
        "k,v\n1,\x80\n",             /* a lone continuation */
    };
    struct rows r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rows_open(&r, bad[i]);
        CHECK(rows_next(&r) && !r.row.bad);
        CHECK(rows_next(&r));
        CHECK(r.row.bad && r.row.problem.line == 2 &&
              r.row.problem.column == 2);
        CHECK(strstr(r.row.problem.reason, "UTF-8") != NULL);
        csv_reader_release(&r.reader);
    }

    /* Good multi-byte text passes, and a NUL byte does not. */
    rows_open(&r, "k,v\n1,caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n");
    CHECK(rows_next(&r) && rows_next(&r) && !r.row.bad);
    csv_reader_release(&r.reader);
    csv_reader_init_buffer(&r.reader, "k,v\n1,a\0b\n", 10);
    CHECK(rows_next(&r) && rows_next(&r) && r.row.bad);
    CHECK(strstr(r.row.problem.reason, "NUL") != NULL);
    csv_reader_release(&r.reader);
}

static void
test_reader_limits(void)
{
    size_t big = CSV_FIELD_MAX + 10, n = 0;
    char *text = malloc(big + 64);
    struct rows r;

    /* A field over the limit, then a good row. */
    n += (size_t)sprintf(text, "k,v\n1,");
    memset(text + n, 'x', big);
    n += big;
    n += (size_t)sprintf(text + n, "\n2,ok\n");
    csv_reader_init_buffer(&r.reader, text, n);
    CHECK(rows_next(&r) && rows_next(&r));
    CHECK(r.row.bad && r.row.problem.column == 2);
    CHECK(strstr(r.row.problem.reason, "longer than") != NULL);
    CHECK(rows_next(&r) && !r.row.bad && field_is(&r.row, 1, "ok"));
    csv_reader_release(&r.reader);
    free(text);

    /* More fields than a row may have. */
    text = malloc(CSV_FIELDS_MAX * 2 + 16);
    n = 0;
    for (int i = 0; i <= CSV_FIELDS_MAX; i++) {
        text[n++] = 'a';
        text[n++] = ',';
    }
    text[n - 1] = '\n';
    csv_reader_init_buffer(&r.reader, text, n);
    CHECK(rows_next(&r));
    CHECK(r.row.bad && r.row.count == CSV_FIELDS_MAX);
    CHECK(r.row.problem.column == CSV_FIELDS_MAX + 1);
    csv_reader_release(&r.reader);
    free(text);
}

/* Rows that cross the reader's chunks, from a file. */
static void
test_reader_file_chunks(void)
{
    FILE *file = tmpfile();
    struct csv_reader reader;
    struct csv_row row;
    bool done = false;
    int rows = 0, bad = 0;

    if (file == NULL) {
        CHECK(file != NULL);
        return;
    }
    fputs("_key,v\r\n", file);
    for (int i = 0; i < 20000; i++) {
        fprintf(file, "k%d,\"a\"\"b\nc\"\r\n", i);
    }
    rewind(file);
    csv_reader_init_file(&reader, file);
    while (csv_reader_next(&reader, &row, &done, NULL) == STATUS_OK && !done) {
        rows++;
        bad += row.bad || row.count != 2 || !field_is(&row, 1, "a\"b\nc");
        if (rows == 20001) {
            CHECK(row.line == 1 + 2 * 20000 - 1);
        }
    }
    CHECK(done && rows == 20001 && bad == 1);
    CHECK(csv_reader_offset(&reader) > 2 * CSV_CHUNK);
    csv_reader_release(&reader);
    fclose(file);
}

/* A blank CRLF line split by the end of a chunk is still blank. */
static void
test_reader_blank_across_chunks(void)
{
    size_t fill = CSV_CHUNK - 6;
    FILE *file = tmpfile();
    struct csv_reader reader;
    struct csv_row row;
    bool done = false;
    int rows = 0, bad = 0;
    int64_t last = 0;
    char *x = malloc(fill + 1);

    if (file == NULL || x == NULL) {
        CHECK(file != NULL && x != NULL);
        free(x);
        return;
    }
    memset(x, 'x', fill);
    x[fill] = '\0';
    fprintf(file, "k\r\n%s\r\n\r\ny\r\n", x);
    rewind(file);
    csv_reader_init_file(&reader, file);
    while (csv_reader_next(&reader, &row, &done, NULL) == STATUS_OK && !done) {
        rows++;
        bad += row.bad || row.count != 1;
        last = row.line;
    }
    CHECK(done && rows == 3 && bad == 0 && last == 4);
    csv_reader_release(&reader);
    fclose(file);
    free(x);
}

/*
 * Random text from the bytes that matter to the grammar: the reader must
 * never fail, and its rows must keep to the limits and come in order.
 */
static void
test_reader_random(void)
{
    static const char alphabet[] = "ab,\"\"\r\n\n\xc3\xa9\xff";
    char text[512];
    struct csv_reader reader;
    struct csv_row row;
    unsigned seed = 12345;
    bool done;
    int faults = 0;

    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(round % (int)sizeof(text));
        int64_t last = 0;

        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        csv_reader_init_buffer(&reader, text, len);
        for (;;) {
            done = false;
            if (csv_reader_next(&reader, &row, &done, NULL) != STATUS_OK) {
                faults++;
                break;
            }
            if (done) {
                break;
            }
            faults += row.count == 0 || row.line <= last ||
                      (row.bad && row.problem.line < row.line);
            last = row.line;
        }
        faults += csv_reader_offset(&reader) != len;
        csv_reader_release(&reader);
    }
    CHECK(faults == 0);
}

/* ---- typing -------------------------------------------------------------- */

static void
test_numbers(void)
{
    static const char *const yes[] = {"0",     "-0",  "+7",   "12",       "1.5",
                                      "-0.25", "1e9", "2E-3", "6.02e+23", "10"};
    static const char *const no[] = {"",    "01",  "-",    "+",   "1.",   ".5",
                                     "1e",  "1e+", "0x10", "1,5", " 1",   "1 ",
                                     "NaN", "inf", "00",   "--1", "1.2.3"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        CHECK(csv_is_number(yes[i], strlen(yes[i])));
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        CHECK(!csv_is_number(no[i], strlen(no[i])));
    }
}

/* The JSON text of a value typed as type, or "ERROR" or "ABSENT". */
static char *
typed(const char *text, enum csv_type type)
{
    struct csv_problem problem;
    json_t *value;
    char *out;

    if (csv_value_json(text, strlen(text), type, &value, &problem) !=
        STATUS_OK) {
        return strdup("ERROR");
    }
    if (value == NULL) {
        return strdup("ABSENT");
    }
    out = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(value);
    return out;
}

static void
check_typed(const char *text, enum csv_type type, const char *want)
{
    char *got = typed(text, type);

    CHECK_STR(got, want);
    free(got);
}

static void
test_typing(void)
{
    check_typed("", CSV_TYPE_GUESS, "ABSENT");
    check_typed("", CSV_TYPE_NUMBER, "ABSENT");
    check_typed("true", CSV_TYPE_GUESS, "true");
    check_typed("false", CSV_TYPE_GUESS, "false");
    check_typed("True", CSV_TYPE_GUESS, "\"True\"");
    check_typed("42", CSV_TYPE_GUESS, "42");
    check_typed("-7", CSV_TYPE_GUESS, "-7");
    check_typed("1.5", CSV_TYPE_GUESS, "1.5");
    check_typed("01234", CSV_TYPE_GUESS, "\"01234\"");
    check_typed("1e999", CSV_TYPE_GUESS, "\"1e999\"");
    check_typed("123456789012345678901234", CSV_TYPE_GUESS,
                "\"123456789012345678901234\"");
    check_typed("hello", CSV_TYPE_GUESS, "\"hello\"");

    /* Forced types. */
    check_typed("42", CSV_TYPE_STRING, "\"42\"");
    check_typed("true", CSV_TYPE_STRING, "\"true\"");
    check_typed("42", CSV_TYPE_NUMBER, "42");
    check_typed("123456789012345678901234", CSV_TYPE_NUMBER,
                "1.2345678901234569e23");
    check_typed("01", CSV_TYPE_NUMBER, "ERROR");
    check_typed("abc", CSV_TYPE_NUMBER, "ERROR");
    check_typed("1e999", CSV_TYPE_NUMBER, "ERROR");
    check_typed("true", CSV_TYPE_BOOLEAN, "true");
    check_typed("yes", CSV_TYPE_BOOLEAN, "ERROR");
    check_typed("1", CSV_TYPE_BOOLEAN, "ERROR");
}

/* ---- header and rows ---------------------------------------------------- */

/* Parse the first row of text as a header; the status. */
static enum status
header_of(struct arena *arena, const char *text, struct csv_header *h,
          struct csv_problem *problem)
{
    struct rows r;
    enum status status = STATUS_INTERNAL;

    rows_open(&r, text);
    if (rows_next(&r)) {
        status = csv_header_parse(arena, &r.row, h, problem);
    }
    csv_reader_release(&r.reader);
    return status;
}

static void
test_header(void)
{
    struct csv_problem problem;
    struct csv_header h;
    struct arena arena;

    arena_init(&arena);
    CHECK(header_of(&arena,
                    "_key,_type,_class,count:number,flag:boolean,"
                    "name:string,displayName,tag.Env,a:b\n",
                    &h, &problem) == STATUS_OK);
    CHECK(h.count == 9);
    CHECK(h.columns[0].role == CSV_ROLE_KEY);
    CHECK(h.columns[2].role == CSV_ROLE_CLASS);
    CHECK_STR(h.columns[3].name, "count");
    CHECK(h.columns[3].type == CSV_TYPE_NUMBER);
    CHECK(h.columns[4].type == CSV_TYPE_BOOLEAN);
    CHECK(h.columns[5].type == CSV_TYPE_STRING);
    CHECK(h.columns[6].type == CSV_TYPE_STRING);
    CHECK(h.columns[7].type == CSV_TYPE_GUESS);
    CHECK_STR(h.columns[8].name, "a:b");

    CHECK(header_of(&arena, "_key,_type,name\n", &h, &problem) ==
          STATUS_INVALID);
    CHECK(strstr(problem.reason, "_class") != NULL && problem.column == 0);
    CHECK(header_of(&arena, "_key,_type,_class,a,a:string\n", &h, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 5 && strstr(problem.reason, "repeated"));
    CHECK(header_of(&arena, "_key,_type,_class,_id\n", &h, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 4);
    CHECK(header_of(&arena, "_key,_type,_class,,x\n", &h, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 4);
    CHECK(header_of(&arena, "_key,_type,_class,caf\xe9\n", &h, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 4 && problem.line == 1);
    arena_release(&arena);
}

/* The object of the second row of text; the status. */
static enum status
object_of(struct arena *arena, const char *text, struct graph_object *o,
          struct csv_problem *problem)
{
    enum status status = STATUS_INTERNAL;
    struct csv_header h;
    struct rows r;

    rows_open(&r, text);
    if (rows_next(&r) &&
        csv_header_parse(arena, &r.row, &h, problem) == STATUS_OK &&
        rows_next(&r)) {
        status = csv_row_object(arena, &h, &r.row, o, problem, NULL);
    }
    csv_reader_release(&r.reader);
    return status;
}

static void
test_rows(void)
{
    struct csv_problem problem;
    struct graph_object o;
    struct arena arena;
    char *text;

    arena_init(&arena);
    CHECK(object_of(&arena,
                    "_key,_type,_class,n,b,s:string,tag.Env,empty\n"
                    "h1,host,Host;Device,3,true,007,prod,\n",
                    &o, &problem) == STATUS_OK);
    CHECK_STR(o.key, "h1");
    CHECK(o.class_count == 2);
    CHECK_STR(graph_object_property(&o, "n"), "3");
    CHECK_STR(graph_object_property(&o, "b"), "true");
    CHECK_STR(graph_object_property(&o, "s"), "\"007\"");
    CHECK_STR(graph_object_property(&o, "tag.Env"), "\"prod\"");
    CHECK(graph_object_property(&o, "empty") == NULL);

    /* Ragged rows, both ways. */
    CHECK(object_of(&arena, "_key,_type,_class,a\nh,t,C\n", &o, &problem) ==
          STATUS_INVALID);
    CHECK(problem.line == 2 && problem.column == 4);
    CHECK(object_of(&arena, "_key,_type,_class\nh,t,C,x,y\n", &o, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 4 && strstr(problem.reason, "5 fields"));

    /* Missing identity, a bad class list, a forced type refused. */
    CHECK(object_of(&arena, "_type,_key,_class\nt,,C\n", &o, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 2 && strstr(problem.reason, "_key"));
    CHECK(object_of(&arena, "_key,_type,_class\nh,t,A;;B\n", &o, &problem) ==
          STATUS_INVALID);
    CHECK(problem.column == 3);
    CHECK(object_of(&arena, "_key,_type,_class,n:number\nh,t,C,many\n", &o,
                    &problem) == STATUS_INVALID);
    CHECK(problem.column == 4 && strstr(problem.reason, "number"));

    /* What graph_object_parse refuses is blamed on its column. */
    text = malloc(GRAPH_KEY_MAX + 64);
    strcpy(text, "_type,_class,_key\nt,C,");
    memset(text + strlen(text), 'k', GRAPH_KEY_MAX + 1);
    strcpy(text + strlen("_type,_class,_key\nt,C,") + GRAPH_KEY_MAX + 1, "\n");
    CHECK(object_of(&arena, text, &o, &problem) == STATUS_INVALID);
    CHECK(problem.column == 3 && problem.line == 2);
    free(text);
    arena_release(&arena);
}

/* ---- importing ----------------------------------------------------------- */

struct seen {
    int problems;
    int64_t first_line;
};

static void
note(void *ctx, const struct csv_problem *problem)
{
    struct seen *seen = ctx;

    if (seen->problems++ == 0) {
        seen->first_line = problem->line;
    }
}

static enum status
import_text(sqlite3 *db, const char *text, struct csv_import *import,
            struct seen *seen)
{
    static const struct graph_origin origin = {
        .source = GRAPH_SOURCE_API,
        .scope = "csv",
    };
    struct csv_reader reader;
    struct error err;
    enum status status;

    memset(import, 0, sizeof(*import));
    memset(seen, 0, sizeof(*seen));
    import->db = db;
    import->origin = &origin;
    import->now_ms = 1700000000000;
    import->on_problem = note;
    import->ctx = seen;
    csv_reader_init_buffer(&reader, text, strlen(text));
    status = graph_store_begin(db, &err);
    if (status == STATUS_OK) {
        status = csv_import_run(import, &reader, &err);
    }
    if (status == STATUS_OK) {
        status = graph_store_commit(db, &err);
    } else {
        graph_store_rollback(db);
    }
    csv_reader_release(&reader);
    return status;
}

static void
test_import(void)
{
    const char *text = "_key,_type,_class,n\nh1,host,Host,1\n"
                       "h2,host,Host,2\nh3,host,,3\n";
    struct graph_store store;
    struct csv_import import;
    struct seen seen;
    struct error err;
    sqlite3 *db = NULL;

    if (graph_store_open(&store, root, 0, &err) != STATUS_OK ||
        graph_store_acquire(&store, "account-a", &db, &err) != STATUS_OK) {
        CHECK(!"could not open a graph store");
        return;
    }
    CHECK(import_text(db, text, &import, &seen) == STATUS_OK);
    CHECK(import.counts.rows == 3 && import.counts.created == 2);
    CHECK(import.counts.invalid == 1 && seen.first_line == 4);

    /* Again: nothing changes; then one change. */
    CHECK(import_text(db, text, &import, &seen) == STATUS_OK);
    CHECK(import.counts.unchanged == 2 && import.counts.created == 0);
    CHECK(import_text(db, "_key,_type,_class,n\nh1,host,Host,5\n", &import,
                      &seen) == STATUS_OK);
    CHECK(import.counts.updated == 1 && seen.problems == 0);

    /* A bad header or an empty file is refused as a whole. */
    CHECK(import_text(db, "_key,_type\nh,t\n", &import, &seen) ==
          STATUS_INVALID);
    CHECK(seen.problems == 1 && import.counts.rows == 0);
    CHECK(import_text(db, "", &import, &seen) == STATUS_INVALID);
    CHECK(import_text(db, "\n\n", &import, &seen) == STATUS_INVALID);

    graph_store_release(&store, db);
    graph_store_close(&store);
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

    RUN(test_reader_plain_and_quoted);
    RUN(test_reader_line_ends);
    RUN(test_reader_embedded_newlines);
    RUN(test_reader_bad_quoting);
    RUN(test_reader_truncated);
    RUN(test_reader_bad_utf8);
    RUN(test_reader_limits);
    RUN(test_reader_file_chunks);
    RUN(test_reader_blank_across_chunks);
    RUN(test_reader_random);
    RUN(test_numbers);
    RUN(test_typing);
    RUN(test_header);
    RUN(test_rows);
    RUN(test_import);

    remove_tree(root);
    return unit_finish("csv");
}

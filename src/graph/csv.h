/*
 * csv.h - CSV files as entities: a streaming reader for RFC 4180 text,
 * the mapping from a header row and a data row to a graph object, and the
 * loop that writes a whole file through graph_upsert().
 *
 * The reader pulls bytes in chunks, from a buffer or a FILE, and hands
 * out one row at a time; memory stays bounded by the limits below however
 * long the file is.  A row the reader cannot make sense of (bad quoting,
 * invalid UTF-8, a field or row over the limits, a quote left open at the
 * end of the file) comes back marked bad with the first problem found, so
 * that a caller can report every bad row of a file in one pass.
 *
 * The first row is the header.  Columns _key, _type and _class are the
 * object's identity (_class may list several classes separated by ';');
 * every other column is a property, tags included ("tag.Env").  Values
 * are typed by the rules of docs/import.md: empty is absent, true and
 * false are booleans, numbers of a strict decimal grammar are numbers,
 * anything else is a string; a suffix ":string", ":number" or ":boolean"
 * on the column name forces the type.
 *
 * Lines and columns in problems count from 1.  The line is the physical
 * line where the problem was found (a row with embedded newlines spans
 * several); the column is the field's place in the row, 0 when the
 * problem is with the row as a whole.
 */
#ifndef GANYMEDE_GRAPH_CSV_H
#define GANYMEDE_GRAPH_CSV_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/status.h"
#include "graph/graph.h"

#define CSV_FIELD_MAX  (64 * 1024)   /* bytes of one field */
#define CSV_FIELDS_MAX 2000          /* fields of one row */
#define CSV_ROW_MAX    (1024 * 1024) /* bytes of one row's fields */
#define CSV_CHUNK      (64 * 1024)   /* bytes read from a file at a time */

/* What is wrong with one row, and where. */
struct csv_problem {
    int64_t line;
    size_t column;
    char reason[ERROR_MESSAGE_MAX];
};

/*
 * One row as the reader hands it out: count fields of lens[i] bytes, each
 * NUL-terminated.  Valid until the next call to csv_reader_next().  When
 * bad is set, problem says why and the fields may be incomplete.
 */
struct csv_row {
    const char *const *fields;
    const size_t *lens;
    size_t count;
    int64_t line; /* where the row begins */
    bool bad;
    struct csv_problem problem;
};

struct csv_reader {
    FILE *file;     /* NULL when reading from a buffer */
    const char *in; /* the bytes not yet consumed */
    size_t in_len;
    size_t in_pos;
    char *chunk; /* CSV_CHUNK bytes for reads from file */
    bool at_end;
    bool started;      /* past the byte order mark */
    int64_t line;      /* the physical line being read */
    uint64_t consumed; /* bytes before in, for progress */

    char *buf; /* the row's fields, each NUL-terminated */
    size_t buf_len;
    size_t buf_cap;
    size_t *starts; /* CSV_FIELDS_MAX offsets into buf */
    size_t *lens;
    const char **fields;
    size_t count;
};

/* Read from len bytes at data (not copied: they must outlive the reader). */
void csv_reader_init_buffer(struct csv_reader *reader, const char *data,
                            size_t len);

/* Read from file, CSV_CHUNK bytes at a time; the caller closes it. */
void csv_reader_init_file(struct csv_reader *reader, FILE *file);

/*
 * The next row into *row; *done is set instead at the end of the input.
 * Lines holding nothing at all are skipped.  STATUS_IO when the file
 * cannot be read, STATUS_NOMEM: problems with the text are not failures
 * but bad rows.
 */
enum status csv_reader_next(struct csv_reader *reader, struct csv_row *row,
                            bool *done, struct error *err);

/* Bytes consumed so far, for progress. */
uint64_t csv_reader_offset(const struct csv_reader *reader);

void csv_reader_release(struct csv_reader *reader);

/* ---- typing and mapping ------------------------------------------------ */

enum csv_type {
    CSV_TYPE_GUESS, /* by the value: boolean, number or string */
    CSV_TYPE_STRING,
    CSV_TYPE_NUMBER,
    CSV_TYPE_BOOLEAN,
};

enum csv_role {
    CSV_ROLE_KEY,
    CSV_ROLE_TYPE,
    CSV_ROLE_CLASS,
    CSV_ROLE_PROPERTY,
};

struct csv_column {
    const char *name; /* without the type suffix */
    enum csv_role role;
    enum csv_type type;
};

struct csv_header {
    struct csv_column *columns;
    size_t count;
};

/*
 * The value of one field as JSON, or NULL in *out for an empty field
 * (absent).  A value that does not fit a forced type is STATUS_INVALID
 * with the reason in problem->reason.
 */
enum status csv_value_json(const char *text, size_t len, enum csv_type type,
                           json_t **out, struct csv_problem *problem);

/* Whether text is a number by the strict grammar of docs/import.md. */
bool csv_is_number(const char *text, size_t len);

/*
 * Read the header row into *out (in arena).  STATUS_INVALID with problem
 * set when the row is bad, a name is empty, repeated, too long or holds
 * control characters, a column other than _key, _type and _class starts
 * with '_', or one of those three is missing.
 */
enum status csv_header_parse(struct arena *arena, const struct csv_row *row,
                             struct csv_header *out,
                             struct csv_problem *problem);

/*
 * The entity a data row describes, parsed by graph_object_parse() into
 * arena.  STATUS_INVALID with problem set when the row is bad or ragged,
 * _key, _type or _class is empty, a value does not fit its forced type,
 * or graph_object_parse() refuses the object (the column is then the
 * first one whose value alone is refused).
 */
enum status csv_row_object(struct arena *arena, const struct csv_header *header,
                           const struct csv_row *row, struct graph_object *out,
                           struct csv_problem *problem, struct error *err);

/* ---- importing --------------------------------------------------------- */

struct csv_counts {
    int64_t rows; /* data rows read, the header not counted */
    int64_t created;
    int64_t updated;
    int64_t unchanged;
    int64_t invalid;
};

/*
 * One import: where the objects go, and what to call for each problem
 * and, every few thousand rows, for progress (either may be NULL).
 */
struct csv_import {
    sqlite3 *db;
    const struct graph_origin *origin;
    int64_t now_ms;
    void (*on_problem)(void *ctx, const struct csv_problem *problem);
    void (*on_progress)(void *ctx, const struct csv_counts *counts,
                        uint64_t offset);
    void *ctx;
    struct csv_counts counts;
};

/*
 * Read the header and every row, upserting each valid row as an entity
 * of the import's origin, in the transaction the caller opened with
 * graph_store_begin().  Each bad row is counted as invalid and reported;
 * whether to commit what was written is the caller's decision.  A key
 * given on several rows is written by each in turn, so the last one
 * wins.  STATUS_OK when the input was read to its end; STATUS_INVALID
 * (after reporting it) when the header is unusable; other statuses when
 * the input or the store fails.
 */
enum status csv_import_run(struct csv_import *import, struct csv_reader *reader,
                           struct error *err);

#endif

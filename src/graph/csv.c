/*
 * csv.c - the CSV reader, the typing of values, the mapping of rows to
 * entities, and the import loop (see csv.h).
 *
 * The reader is a small state machine over bytes.  Its grammar, after
 * RFC 4180 (with LF accepted beside CRLF, and a byte order mark skipped):
 *
 *     file   = [header] *(row eol) [row]
 *     row    = field *("," field)
 *     field  = quoted / plain
 *     quoted = '"' *(any byte but '"' / '""') '"'
 *     plain  = *(any byte but '"', ',', CR, LF)
 *     eol    = CRLF / LF
 *
 * A row that breaks it is still read to its end, so that the next row is
 * found again: a quote inside a plain field is kept, a byte after a
 * closing quote continues the field as plain text, and bytes past the
 * limits are dropped.  Each of these marks the row bad with the first
 * problem.
 */
#include "graph/csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_EOF (-1)

/* ---- the reader --------------------------------------------------------- */

enum csv_state {
    CSV_STATE_START,  /* at the start of a field */
    CSV_STATE_PLAIN,  /* inside an unquoted field */
    CSV_STATE_QUOTED, /* inside quotes */
    CSV_STATE_CLOSED, /* just after a quote inside quotes */
};

void
csv_reader_init_buffer(struct csv_reader *reader, const char *data, size_t len)
{
    memset(reader, 0, sizeof(*reader));
    reader->in = data;
    reader->in_len = len;
    reader->line = 1;
}

void
csv_reader_init_file(struct csv_reader *reader, FILE *file)
{
    memset(reader, 0, sizeof(*reader));
    reader->file = file;
    reader->line = 1;
}

void
csv_reader_release(struct csv_reader *reader)
{
    if (reader == NULL) {
        return;
    }
    free(reader->chunk);
    free(reader->buf);
    free(reader->starts);
    free(reader->lens);
    free(reader->fields);
    reader->chunk = NULL;
    reader->buf = NULL;
    reader->starts = NULL;
    reader->lens = NULL;
    reader->fields = NULL;
}

uint64_t
csv_reader_offset(const struct csv_reader *reader)
{
    return reader->consumed + reader->in_pos;
}

/* Make the next bytes available; at_end when there are none. */
static enum status
csv_refill(struct csv_reader *r, struct error *err)
{
    size_t got;

    r->consumed += r->in_pos;
    r->in_pos = 0;
    r->in_len = 0;
    if (r->file == NULL) {
        r->at_end = true;
        return STATUS_OK;
    }
    if (r->chunk == NULL) {
        r->chunk = malloc(CSV_CHUNK);
        if (r->chunk == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
    }
    got = fread(r->chunk, 1, CSV_CHUNK, r->file);
    if (got == 0 && ferror(r->file)) {
        return error_set(err, STATUS_IO, "READ_FAILED",
                         "could not read the file: %s", strerror(errno));
    }
    r->in = r->chunk;
    r->in_len = got;
    r->at_end = got == 0;
    return STATUS_OK;
}

/* The next byte without consuming it, or CSV_EOF. */
static enum status
csv_peek(struct csv_reader *r, int *c, struct error *err)
{
    enum status status;

    if (r->in_pos == r->in_len && !r->at_end) {
        status = csv_refill(r, err);
        if (status != STATUS_OK) {
            return status;
        }
    }
    *c = r->in_pos < r->in_len ? (unsigned char)r->in[r->in_pos] : CSV_EOF;
    return STATUS_OK;
}

static void csv_mark(struct csv_row *row, int64_t line, size_t column,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Keep the first problem of a row. */
static void
csv_mark(struct csv_row *row, int64_t line, size_t column, const char *fmt, ...)
{
    va_list ap;

    if (row->bad) {
        return;
    }
    row->bad = true;
    row->problem.line = line;
    row->problem.column = column;
    va_start(ap, fmt);
    vsnprintf(row->problem.reason, sizeof(row->problem.reason), fmt, ap);
    va_end(ap);
}

/* Room for n more bytes in the row buffer, within CSV_ROW_MAX + NULs. */
static bool
csv_reserve(struct csv_reader *r, size_t n)
{
    size_t cap = r->buf_cap != 0 ? r->buf_cap : 4096;
    char *grown;

    if (r->buf_len + n <= r->buf_cap) {
        return true;
    }
    while (cap < r->buf_len + n) {
        cap *= 2;
    }
    grown = realloc(r->buf, cap);
    if (grown == NULL) {
        return false;
    }
    r->buf = grown;
    r->buf_cap = cap;
    return true;
}

/* Add one byte to the current field, or drop it past the limits. */
static enum status
csv_append(struct csv_reader *r, struct csv_row *row, size_t field_start,
           char c, struct error *err)
{
    size_t column = r->count + 1;

    if (r->count >= CSV_FIELDS_MAX) {
        return STATUS_OK;
    }
    if (r->buf_len - field_start >= CSV_FIELD_MAX) {
        csv_mark(row, r->line, column, "the field is longer than %d bytes",
                 CSV_FIELD_MAX);
        return STATUS_OK;
    }
    if (r->buf_len >= CSV_ROW_MAX) {
        csv_mark(row, r->line, column, "the row is longer than %d bytes",
                 CSV_ROW_MAX);
        return STATUS_OK;
    }
    if (!csv_reserve(r, 1)) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    r->buf[r->buf_len++] = c;
    return STATUS_OK;
}

/*
 * The length of the valid UTF-8 prefix of text: stops at the first
 * overlong form, surrogate, code point past U+10FFFF, truncated
 * sequence or NUL byte.
 */
static size_t
csv_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0, n;
    uint32_t cp;

    while (i < len) {
        if (s[i] != 0 && s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            n = 1;
            cp = s[i] & 0x1f;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            n = 2;
            cp = s[i] & 0x0f;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            n = 3;
            cp = s[i] & 0x07;
        } else {
            return i;
        }
        if (len - i <= n) {
            return i;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return i;
        }
        i += n + 1;
    }
    return i;
}

/* Close the current field: NUL-terminate it and check its encoding. */
static enum status
csv_end_field(struct csv_reader *r, struct csv_row *row, size_t field_start,
              struct error *err)
{
    size_t len = r->buf_len - field_start, valid;

    if (r->count >= CSV_FIELDS_MAX) {
        csv_mark(row, r->line, r->count + 1, "the row has more than %d fields",
                 CSV_FIELDS_MAX);
        return STATUS_OK;
    }
    if (!csv_reserve(r, 1)) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    r->buf[r->buf_len++] = '\0';
    r->starts[r->count] = field_start;
    r->lens[r->count] = len;
    r->count++;

    valid = csv_utf8_valid((const unsigned char *)r->buf + field_start, len);
    if (valid < len) {
        csv_mark(row, r->line, r->count,
                 r->buf[field_start + valid] == '\0'
                     ? "the field holds a NUL byte at byte %zu"
                     : "the field is not valid UTF-8 at byte %zu",
                 valid + 1);
    }
    return STATUS_OK;
}

/* Allocate what a row needs the first time; skip a byte order mark. */
static enum status
csv_start(struct csv_reader *r, struct error *err)
{
    enum status status;
    int c;

    r->starts = malloc(CSV_FIELDS_MAX * sizeof(*r->starts));
    r->lens = malloc(CSV_FIELDS_MAX * sizeof(*r->lens));
    r->fields = malloc(CSV_FIELDS_MAX * sizeof(*r->fields));
    if (r->starts == NULL || r->lens == NULL || r->fields == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    status = csv_peek(r, &c, err);
    if (status == STATUS_OK && c == 0xef && r->in_len - r->in_pos >= 3 &&
        memcmp(r->in + r->in_pos, "\xef\xbb\xbf", 3) == 0) {
        r->in_pos += 3;
    }
    r->started = true;
    return status;
}

/*
 * After a CR outside quotes: consume the LF that must follow.  A CR
 * alone ends the row all the same, marked bad.
 */
static enum status
csv_take_cr(struct csv_reader *r, struct csv_row *row, struct error *err)
{
    enum status status;
    int c;

    status = csv_peek(r, &c, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (c == '\n') {
        r->in_pos++;
    } else {
        csv_mark(row, r->line, r->count + 1,
                 "a carriage return must be followed by a line feed");
    }
    return STATUS_OK;
}

/* One byte of a row; *row_end when the row is complete. */
static enum status
csv_step(struct csv_reader *r, struct csv_row *row, enum csv_state *state,
         size_t *field_start, int c, bool *row_end, struct error *err)
{
    enum status status = STATUS_OK;
    bool eol = c == '\n' || c == '\r' || c == CSV_EOF;

    switch (*state) {
    case CSV_STATE_QUOTED:
        if (c == '"') {
            *state = CSV_STATE_CLOSED;
        } else if (c == CSV_EOF) {
            csv_mark(row, r->line, r->count + 1,
                     "the file ends inside a quoted field");
            status = csv_end_field(r, row, *field_start, err);
            *row_end = true;
        } else {
            if (c == '\n') {
                r->line++;
            }
            status = csv_append(r, row, *field_start, (char)c, err);
        }
        return status;

    case CSV_STATE_CLOSED:
        if (c == '"') {
            *state = CSV_STATE_QUOTED;
            return csv_append(r, row, *field_start, '"', err);
        }
        if (c != ',' && !eol) {
            csv_mark(row, r->line, r->count + 1,
                     "a closing quote must be followed by a comma or the "
                     "end of the line");
            *state = CSV_STATE_PLAIN;
            return csv_append(r, row, *field_start, (char)c, err);
        }
        break;

    case CSV_STATE_START:
    case CSV_STATE_PLAIN:
        if (c == '"' && *state == CSV_STATE_START) {
            *state = CSV_STATE_QUOTED;
            return STATUS_OK;
        }
        if (c == '"') {
            csv_mark(row, r->line, r->count + 1,
                     "a quote inside an unquoted field (quote the whole "
                     "field and double the quote)");
        }
        if (c != ',' && !eol) {
            *state = CSV_STATE_PLAIN;
            return csv_append(r, row, *field_start, (char)c, err);
        }
        break;
    }

    /* A comma or the end of the line closes the field. */
    status = csv_end_field(r, row, *field_start, err);
    *field_start = r->buf_len;
    *state = CSV_STATE_START;
    if (status == STATUS_OK && c == '\r') {
        status = csv_take_cr(r, row, err);
    }
    if (c != ',') {
        *row_end = true;
        if (c != CSV_EOF) {
            r->line++;
        }
    }
    return status;
}

/*
 * Read one row into the reader's buffer; *quoted tells whether it held a
 * quote, so that a line with nothing at all can be told from "".
 */
static enum status
csv_read_row(struct csv_reader *r, struct csv_row *row, bool *quoted,
             struct error *err)
{
    enum csv_state state = CSV_STATE_START;
    enum status status = STATUS_OK;
    size_t field_start = 0;
    bool row_end = false;
    int c;

    memset(row, 0, sizeof(*row));
    r->buf_len = 0;
    r->count = 0;
    row->line = r->line;
    *quoted = false;
    while (status == STATUS_OK && !row_end) {
        status = csv_peek(r, &c, err);
        if (status != STATUS_OK) {
            break;
        }
        if (c != CSV_EOF) {
            r->in_pos++;
        }
        *quoted = *quoted || c == '"';
        status = csv_step(r, row, &state, &field_start, c, &row_end, err);
    }
    return status;
}

enum status
csv_reader_next(struct csv_reader *r, struct csv_row *row, bool *done,
                struct error *err)
{
    enum status status = STATUS_OK;
    bool quoted;
    int c;

    memset(row, 0, sizeof(*row));
    *done = false;
    if (!r->started) {
        status = csv_start(r, err);
    }

    /* Lines that hold nothing at all are skipped. */
    for (;;) {
        if (status == STATUS_OK) {
            status = csv_peek(r, &c, err);
        }
        if (status != STATUS_OK || c == CSV_EOF) {
            *done = status == STATUS_OK;
            return status;
        }
        status = csv_read_row(r, row, &quoted, err);
        if (status != STATUS_OK) {
            return status;
        }
        if (row->bad || quoted || r->count != 1 || r->lens[0] != 0) {
            break;
        }
    }

    for (size_t i = 0; i < r->count; i++) {
        r->fields[i] = r->buf + r->starts[i];
    }
    row->fields = r->fields;
    row->lens = r->lens;
    row->count = r->count;
    return STATUS_OK;
}

/* ---- typing ------------------------------------------------------------- */

static bool
csv_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 *     number = [sign] int [frac] [exp]
 *     int    = "0" / digit1-9 *digit
 *     frac   = "." 1*digit
 *     exp    = ("e" / "E") [sign] 1*digit
 */
bool
csv_is_number(const char *s, size_t len)
{
    size_t i = 0;

    if (i < len && (s[i] == '+' || s[i] == '-')) {
        i++;
    }
    if (i < len && s[i] == '0') {
        i++;
    } else if (i < len && s[i] >= '1' && s[i] <= '9') {
        while (i < len && csv_digit(s[i])) {
            i++;
        }
    } else {
        return false;
    }
    if (i < len && s[i] == '.') {
        if (++i == len || !csv_digit(s[i])) {
            return false;
        }
        while (i < len && csv_digit(s[i])) {
            i++;
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i == len || !csv_digit(s[i])) {
            return false;
        }
        while (i < len && csv_digit(s[i])) {
            i++;
        }
    }
    return i == len;
}

/*
 * A number by the grammar as JSON: an integer when it has neither
 * fraction nor exponent and fits 64 bits, else a double.  With exact, an
 * integer that does not fit is NULL (guessing keeps it as a string, so
 * that long numeric identifiers keep every digit); a double that
 * overflows is always NULL.
 */
static json_t *
csv_number_json(const char *text, size_t len, bool exact)
{
    bool integral = strcspn(text, ".eE") >= len;
    long long whole;
    double real;
    char *end;

    errno = 0;
    if (integral) {
        whole = strtoll(text, &end, 10);
        if (errno == 0 && end == text + len) {
            return json_integer((json_int_t)whole);
        }
        if (exact) {
            return NULL;
        }
    }
    errno = 0;
    real = strtod(text, &end);
    if (end != text + len || !isfinite(real)) {
        return NULL;
    }
    return json_real(real);
}

enum status
csv_value_json(const char *text, size_t len, enum csv_type type, json_t **out,
               struct csv_problem *problem)
{
    bool boolean = strcmp(text, "true") == 0 || strcmp(text, "false") == 0;

    *out = NULL;
    if (len == 0) {
        return STATUS_OK;
    }
    switch (type) {
    case CSV_TYPE_GUESS:
        if (boolean) {
            *out = json_boolean(text[0] == 't');
        } else if (csv_is_number(text, len)) {
            *out = csv_number_json(text, len, true);
        }
        break;
    case CSV_TYPE_NUMBER:
        if (csv_is_number(text, len)) {
            *out = csv_number_json(text, len, false);
        }
        if (*out == NULL) {
            snprintf(problem->reason, sizeof(problem->reason),
                     "the value is not a number in range");
            return STATUS_INVALID;
        }
        return STATUS_OK;
    case CSV_TYPE_BOOLEAN:
        if (!boolean) {
            snprintf(problem->reason, sizeof(problem->reason),
                     "the value must be true or false");
            return STATUS_INVALID;
        }
        *out = json_boolean(text[0] == 't');
        return STATUS_OK;
    case CSV_TYPE_STRING:
        break;
    }
    if (*out == NULL) {
        *out = json_stringn(text, len);
    }
    return STATUS_OK;
}

/* ---- the header ---------------------------------------------------------- */

static const struct {
    const char *suffix;
    enum csv_type type;
} csv_suffixes[] = {
    {":string", CSV_TYPE_STRING},
    {":number", CSV_TYPE_NUMBER},
    {":boolean", CSV_TYPE_BOOLEAN},
};

static enum status
csv_header_refuse(struct csv_problem *problem, int64_t line, size_t column,
                  const char *reason)
{
    problem->line = line;
    problem->column = column;
    snprintf(problem->reason, sizeof(problem->reason), "%s", reason);
    return STATUS_INVALID;
}

/* One column of the header: its role, its type, its bare name. */
static bool
csv_column_parse(struct arena *arena, const char *text, size_t len,
                 struct csv_column *column)
{
    size_t suffix_len;

    column->type = CSV_TYPE_GUESS;
    for (size_t i = 0; i < sizeof(csv_suffixes) / sizeof(csv_suffixes[0]);
         i++) {
        suffix_len = strlen(csv_suffixes[i].suffix);
        if (len > suffix_len &&
            memcmp(text + len - suffix_len, csv_suffixes[i].suffix,
                   suffix_len) == 0) {
            column->type = csv_suffixes[i].type;
            len -= suffix_len;
            break;
        }
    }
    column->name = arena_strndup(arena, text, len);
    if (column->name == NULL) {
        return false;
    }
    column->role = CSV_ROLE_PROPERTY;
    if (column->type == CSV_TYPE_GUESS && strcmp(column->name, "_key") == 0) {
        column->role = CSV_ROLE_KEY;
    } else if (column->type == CSV_TYPE_GUESS &&
               strcmp(column->name, "_type") == 0) {
        column->role = CSV_ROLE_TYPE;
    } else if (column->type == CSV_TYPE_GUESS &&
               strcmp(column->name, "_class") == 0) {
        column->role = CSV_ROLE_CLASS;
    } else if (column->type == CSV_TYPE_GUESS &&
               strcmp(column->name, "displayName") == 0) {
        column->type = CSV_TYPE_STRING;
    }
    return true;
}

/* The reason a column name cannot be used, or NULL. */
static const char *
csv_column_problem(const struct csv_header *h, size_t index)
{
    const struct csv_column *column = &h->columns[index];
    size_t len = strlen(column->name);

    if (len == 0) {
        return "a column has no name";
    }
    if (len > GRAPH_NAME_MAX) {
        return "the column name is too long";
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)column->name[i] < 0x20 || column->name[i] == 0x7f) {
            return "the column name holds control characters";
        }
    }
    if (column->role == CSV_ROLE_PROPERTY && column->name[0] == '_') {
        return "only _key, _type and _class may start with '_', without "
               "a type suffix";
    }
    for (size_t i = 0; i < index; i++) {
        if (strcmp(h->columns[i].name, column->name) == 0) {
            return "the column name is repeated";
        }
    }
    return NULL;
}

enum status
csv_header_parse(struct arena *arena, const struct csv_row *row,
                 struct csv_header *out, struct csv_problem *problem)
{
    static const char *const required[] = {"_key", "_type", "_class"};
    const char *reason;
    bool found;

    memset(out, 0, sizeof(*out));
    if (row->bad) {
        *problem = row->problem;
        return STATUS_INVALID;
    }
    out->columns = arena_zalloc(arena, row->count * sizeof(*out->columns));
    if (out->columns == NULL) {
        return csv_header_refuse(problem, row->line, 0, "out of memory");
    }
    out->count = row->count;
    for (size_t i = 0; i < row->count; i++) {
        if (!csv_column_parse(arena, row->fields[i], row->lens[i],
                              &out->columns[i])) {
            return csv_header_refuse(problem, row->line, 0, "out of memory");
        }
        reason = csv_column_problem(out, i);
        if (reason != NULL) {
            return csv_header_refuse(problem, row->line, i + 1, reason);
        }
    }

    for (size_t k = 0; k < 3; k++) {
        found = false;
        for (size_t i = 0; i < out->count; i++) {
            found = found || strcmp(out->columns[i].name, required[k]) == 0;
        }
        if (!found) {
            problem->line = row->line;
            problem->column = 0;
            snprintf(problem->reason, sizeof(problem->reason),
                     "the header has no %s column", required[k]);
            return STATUS_INVALID;
        }
    }
    return STATUS_OK;
}

/* ---- rows as objects ---------------------------------------------------- */

/* _class as an array: the classes between ';', none of them empty. */
static json_t *
csv_classes_json(const char *text, size_t len)
{
    json_t *list = json_array();
    size_t start = 0;

    for (size_t i = 0; list != NULL && i <= len; i++) {
        if (i < len && text[i] != ';') {
            continue;
        }
        if (i == start ||
            json_array_append_new(list,
                                  json_stringn(text + start, i - start)) != 0) {
            json_decref(list);
            return NULL;
        }
        start = i + 1;
    }
    return list;
}

/* The JSON of one field for its column; NULL in *out when absent. */
static enum status
csv_field_json(const struct csv_column *column, const char *text, size_t len,
               json_t **out, struct csv_problem *problem)
{
    *out = NULL;
    if (column->role == CSV_ROLE_PROPERTY) {
        return csv_value_json(text, len, column->type, out, problem);
    }
    if (len == 0) {
        snprintf(problem->reason, sizeof(problem->reason), "%s is empty",
                 column->name);
        return STATUS_INVALID;
    }
    if (column->role == CSV_ROLE_CLASS) {
        *out = csv_classes_json(text, len);
        if (*out == NULL) {
            snprintf(problem->reason, sizeof(problem->reason),
                     "_class has an empty class between ';'");
            return STATUS_INVALID;
        }
        return STATUS_OK;
    }
    *out = json_stringn(text, len);
    return STATUS_OK;
}

/*
 * Which column to blame for a refused object: the first whose value,
 * alone beside a harmless identity, graph_object_parse() refuses too.
 * 0 when none does on its own.
 */
static size_t
csv_blame(struct arena *arena, const struct csv_header *header, json_t *object,
          struct error *reason)
{
    struct graph_object probe;
    json_t *one, *value;
    enum status status;

    for (size_t i = 0; i < header->count; i++) {
        value = json_object_get(object, header->columns[i].name);
        if (value == NULL) {
            continue;
        }
        one = json_pack("{s:s, s:s, s:s}", "_key", "k", "_type", "t", "_class",
                        "C");
        if (one == NULL) {
            return 0;
        }
        json_object_set(one, header->columns[i].name, value);
        status =
            graph_object_parse(arena, GRAPH_KIND_ENTITY, one, &probe, reason);
        json_decref(one);
        if (status == STATUS_INVALID) {
            return i + 1;
        }
    }
    return 0;
}

/* The row as a JSON object; STATUS_INVALID with problem set. */
static enum status
csv_row_json(const struct csv_header *header, const struct csv_row *row,
             json_t *object, struct csv_problem *problem)
{
    enum status status;
    json_t *value;

    for (size_t i = 0; i < header->count; i++) {
        status = csv_field_json(&header->columns[i], row->fields[i],
                                row->lens[i], &value, problem);
        if (status != STATUS_OK) {
            problem->column = i + 1;
            return status;
        }
        if (value != NULL &&
            json_object_set_new(object, header->columns[i].name, value) != 0) {
            problem->column = i + 1;
            snprintf(problem->reason, sizeof(problem->reason), "out of memory");
            return STATUS_NOMEM;
        }
    }
    return STATUS_OK;
}

enum status
csv_row_object(struct arena *arena, const struct csv_header *header,
               const struct csv_row *row, struct graph_object *out,
               struct csv_problem *problem, struct error *err)
{
    struct error local;
    enum status status;
    json_t *object;

    memset(problem, 0, sizeof(*problem));
    problem->line = row->line;
    if (row->bad) {
        *problem = row->problem;
        return STATUS_INVALID;
    }
    if (row->count != header->count) {
        problem->column =
            (row->count < header->count ? row->count : header->count) + 1;
        snprintf(problem->reason, sizeof(problem->reason),
                 "the row has %zu fields where the header has %zu", row->count,
                 header->count);
        return STATUS_INVALID;
    }

    object = json_object();
    if (object == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    status = csv_row_json(header, row, object, problem);
    if (status == STATUS_NOMEM) {
        error_set(err, status, NULL, "out of memory");
    }
    if (status == STATUS_OK) {
        error_clear(&local);
        status =
            graph_object_parse(arena, GRAPH_KIND_ENTITY, object, out, &local);
        if (status == STATUS_INVALID) {
            snprintf(problem->reason, sizeof(problem->reason), "%s",
                     local.message);
            problem->column = csv_blame(arena, header, object, &local);
        } else if (status != STATUS_OK && err != NULL) {
            *err = local;
        }
    }
    json_decref(object);
    return status;
}

/* ---- importing ---------------------------------------------------------- */

#define CSV_PROGRESS_ROWS 2000

static void
csv_report(struct csv_import *import, const struct csv_problem *problem)
{
    import->counts.invalid++;
    if (import->on_problem != NULL) {
        import->on_problem(import->ctx, problem);
    }
}

/* One data row: map it and write it, or report why not. */
static enum status
csv_import_row(struct csv_import *import, const struct csv_header *header,
               const struct csv_row *row, struct error *err)
{
    enum graph_change change = GRAPH_CHANGE_UNCHANGED;
    struct csv_problem problem;
    struct graph_object object;
    struct arena arena;
    struct error local;
    enum status status;

    arena_init(&arena);
    error_clear(&local);
    status = csv_row_object(&arena, header, row, &object, &problem, err);
    if (status == STATUS_OK) {
        status = graph_upsert(import->db, &arena, import->origin, &object,
                              import->now_ms, NULL, &change, &local);
        if (status == STATUS_INVALID) {
            problem.line = row->line;
            problem.column = 0;
            snprintf(problem.reason, sizeof(problem.reason), "%s",
                     local.message);
        } else if (status != STATUS_OK && err != NULL) {
            *err = local;
        }
    }
    arena_release(&arena);

    if (status == STATUS_INVALID) {
        csv_report(import, &problem);
        return STATUS_OK;
    }
    if (status == STATUS_OK && change == GRAPH_CHANGE_CREATED) {
        import->counts.created++;
    } else if (status == STATUS_OK && change == GRAPH_CHANGE_UNCHANGED) {
        import->counts.unchanged++;
    } else if (status == STATUS_OK) {
        import->counts.updated++;
    }
    return status;
}

enum status
csv_import_run(struct csv_import *import, struct csv_reader *reader,
               struct error *err)
{
    struct csv_problem problem;
    struct csv_header header;
    struct csv_row row;
    struct arena arena;
    enum status status;
    bool done = false;

    memset(&import->counts, 0, sizeof(import->counts));
    arena_init(&arena);

    status = csv_reader_next(reader, &row, &done, err);
    if (status == STATUS_OK && done) {
        problem.line = 1;
        problem.column = 0;
        snprintf(problem.reason, sizeof(problem.reason),
                 "the file is empty: it needs a header row");
        status = STATUS_INVALID;
    } else if (status == STATUS_OK) {
        status = csv_header_parse(&arena, &row, &header, &problem);
    }
    if (status == STATUS_INVALID) {
        if (import->on_problem != NULL) {
            import->on_problem(import->ctx, &problem);
        }
        error_set(err, STATUS_INVALID, "INVALID_CSV", "line %lld: %s",
                  (long long)problem.line, problem.reason);
        goto out;
    }

    while (status == STATUS_OK) {
        status = csv_reader_next(reader, &row, &done, err);
        if (status != STATUS_OK || done) {
            break;
        }
        import->counts.rows++;
        status = csv_import_row(import, &header, &row, err);
        if (import->on_progress != NULL &&
            import->counts.rows % CSV_PROGRESS_ROWS == 0) {
            import->on_progress(import->ctx, &import->counts,
                                csv_reader_offset(reader));
        }
    }
    if (status == STATUS_OK && import->on_progress != NULL) {
        import->on_progress(import->ctx, &import->counts,
                            csv_reader_offset(reader));
    }

out:
    arena_release(&arena);
    return status;
}

/*
 * base_test.c - unit tests for src/base: the escaping of log values (no
 * client value may break a line or forge a key), whole log lines as
 * written to a file descriptor, the arena's alignment and cleanup order,
 * and the error helpers with the status to HTTP mapping.
 */
#include "base/arena.h"
#include "base/log.h"
#include "base/status.h"

#include "unit.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define BUF_SIZE 512

/* log_escape's output for value, NUL-terminated. */
static const char *
escape(char *buf, const char *value)
{
    size_t len = log_escape(buf, BUF_SIZE, 0, value);

    buf[len < BUF_SIZE ? len : BUF_SIZE - 1] = '\0';
    return buf;
}

/*
 * Whether text reads back as one logfmt value and nothing more: either a
 * bare word without spaces, quotes or '=', or one quoted string whose
 * inner quotes are all escaped.  Either way, no raw control byte.
 */
static bool
is_one_value(const char *text)
{
    size_t len = strlen(text);

    for (const char *p = text; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            return false;
        }
    }
    if (text[0] != '"') {
        return len > 0 && strpbrk(text, " \"=\\") == NULL;
    }
    if (len < 2 || text[len - 1] != '"') {
        return false;
    }
    for (size_t i = 1; i + 1 < len; i++) {
        if (text[i] == '\\') {
            i++; /* the escaped byte, whatever it is */
            if (i + 1 >= len) {
                return false; /* escaped the closing quote */
            }
        } else if (text[i] == '"') {
            return false;
        }
    }
    return true;
}

static void
test_escape_plain_values_bare(void)
{
    char buf[BUF_SIZE];

    CHECK_STR(escape(buf, "plain"), "plain");
    CHECK_STR(escape(buf, "a.b-c_d/e:f"), "a.b-c_d/e:f");
    CHECK_STR(escape(buf, "200"), "200");
}

static void
test_escape_quotes_when_needed(void)
{
    char buf[BUF_SIZE];

    CHECK_STR(escape(buf, ""), "\"\"");
    CHECK_STR(escape(buf, "two words"), "\"two words\"");
    CHECK_STR(escape(buf, "say \"hi\""), "\"say \\\"hi\\\"\"");
    CHECK_STR(escape(buf, "a=b"), "\"a=b\"");
    CHECK_STR(escape(buf, "back\\slash"), "\"back\\\\slash\"");
    CHECK_STR(escape(buf, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

static void
test_escape_control_bytes(void)
{
    char buf[BUF_SIZE];

    CHECK_STR(escape(buf, "line\nbreak"), "\"line\\x0abreak\"");
    CHECK_STR(escape(buf, "cr\rlf"), "\"cr\\x0dlf\"");
    CHECK_STR(escape(buf, "tab\t"), "\"tab\\x09\"");
    CHECK_STR(escape(buf, "\x1b[31mred"), "\"\\x1b[31mred\"");
    CHECK_STR(escape(buf, "del\x7f"), "\"del\\x7f\"");
    CHECK_STR(escape(buf, "\x01"), "\"\\x01\"");
}

static void
test_escape_cannot_forge(void)
{
    static const char *const hostile[] = {
        "bob\nts=2026-01-01T00:00:00Z level=error event=forged",
        "x level=error",
        "x\" level=\"error",
        "x\\\" level=error",
        "\\",
        "\"",
        "=",
        " ",
        "a\r\nb",
        "trailing\\",
        "\"\"\"",
        "\\\"\\\"",
        "emoji \xf0\x9f\x94\x91 key=value",
    };
    char buf[BUF_SIZE];

    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        if (!is_one_value(escape(buf, hostile[i]))) {
            fprintf(stderr, "escaped to more than a value: %s\n", buf);
            CHECK(false);
        }
    }

    /* Every single byte on its own, and between two letters. */
    for (int c = 1; c < 256; c++) {
        char value[4] = {'a', (char)c, 'b', '\0'};

        CHECK(is_one_value(escape(buf, value)));
        value[0] = (char)c;
        value[1] = '\0';
        CHECK(is_one_value(escape(buf, value)));
    }
}

static void
test_escape_respects_size(void)
{
    char buf[16];
    size_t len;

    /* The length it would need comes back; nothing past size is written. */
    memset(buf, '#', sizeof(buf));
    len = log_escape(buf, 8, 0, "a value with spaces");
    CHECK(len == strlen("\"a value with spaces\""));
    CHECK(buf[7] == '#' && buf[8] == '#' && buf[15] == '#');

    memset(buf, '#', sizeof(buf));
    len = log_escape(buf, sizeof(buf), 3, "abc");
    CHECK(len == 6);
    CHECK(memcmp(buf + 3, "abc", 3) == 0);
}

/* Write one event to a temporary file and read the line back. */
static size_t
log_capture(char *out, size_t size, enum log_level min, enum log_level level,
            const char *key, const char *value)
{
    char path[] = "/tmp/ganymede-log-test-XXXXXX";
    int fd = mkstemp(path);
    ssize_t n;

    if (fd < 0) {
        return 0;
    }
    unlink(path);
    log_init(min, fd);
    log_event(level, "test", "probe", key, value, "after", "end", NULL);
    log_init(LOG_ERROR, 2);

    n = pread(fd, out, size - 1, 0);
    close(fd);
    out[n > 0 ? n : 0] = '\0';
    return n > 0 ? (size_t)n : 0;
}

static void
test_log_line_shape(void)
{
    char line[8192];

    CHECK(log_capture(line, sizeof(line), LOG_INFO, LOG_WARN, "user",
                      "bob\nts=x level=error event=forged") > 0);
    CHECK(strncmp(line, "ts=", 3) == 0);
    CHECK(strstr(line, " level=warn comp=test event=probe ") != NULL);
    CHECK(strstr(line, " user=\"bob\\x0ats=x level=error event=forged\"") !=
          NULL);
    CHECK(strstr(line, " after=end\n") != NULL);

    /* Exactly one newline, at the very end. */
    CHECK(strchr(line, '\n') == line + strlen(line) - 1);
}

static void
test_log_level_and_null_values(void)
{
    char line[8192];

    CHECK(log_capture(line, sizeof(line), LOG_INFO, LOG_DEBUG, "k", "v") ==
          0);
    CHECK(log_capture(line, sizeof(line), LOG_DEBUG, LOG_DEBUG, "k", NULL) >
          0);
    CHECK(strstr(line, " k=") == NULL);
    CHECK(strstr(line, " after=end") != NULL);
}

static void
test_log_long_line_cut(void)
{
    char *big = malloc(10000);
    char line[16384];
    size_t len;

    if (big == NULL) {
        CHECK(false);
        return;
    }
    memset(big, 'x', 9999);
    big[9999] = '\0';
    len = log_capture(line, sizeof(line), LOG_INFO, LOG_ERROR, "big", big);
    free(big);

    CHECK(len > 0 && len <= 4096);
    CHECK(strstr(line, " truncated=1\n") != NULL);
    CHECK(strchr(line, '\n') == line + len - 1);
}

static void
test_log_parse_level(void)
{
    enum log_level level = LOG_ERROR;

    CHECK(log_parse_level("debug", &level) && level == LOG_DEBUG);
    CHECK(log_parse_level("warn", &level) && level == LOG_WARN);
    CHECK(!log_parse_level("WARN", &level));
    CHECK(!log_parse_level("verbose", &level));
    CHECK(!log_parse_level("", &level));
}

static void
test_arena_alignment(void)
{
    static const size_t sizes[] = {1, 3, 7, 8, 15, 17, 100, 0, 5000, 9000,
                                   33, 20000, 1};
    enum { N = sizeof(sizes) / sizeof(sizes[0]) };
    const uintptr_t align = alignof(max_align_t);
    unsigned char *blocks[N];
    struct arena arena;

    arena_init(&arena);
    for (size_t i = 0; i < N; i++) {
        blocks[i] = arena_alloc(&arena, sizes[i]);
        CHECK(blocks[i] != NULL);
        CHECK(((uintptr_t)blocks[i] & (align - 1)) == 0);
        if (blocks[i] != NULL) {
            memset(blocks[i], (int)i + 1, sizes[i]);
        }
    }

    /* No allocation overlaps another, small, large or one-off. */
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; blocks[i] != NULL && j < sizes[i]; j++) {
            if (blocks[i][j] != (unsigned char)(i + 1)) {
                fprintf(stderr, "block %zu overwritten at %zu\n", i, j);
                CHECK(false);
                break;
            }
        }
    }

    CHECK(arena.used >= 34000);
    CHECK(arena_alloc(&arena, SIZE_MAX) == NULL);
    CHECK(arena_alloc(&arena, SIZE_MAX - 4) == NULL);
    arena_release(&arena);
    CHECK(arena.used == 0 && arena.blocks == NULL);
}

static void
test_arena_strings(void)
{
    struct arena arena;
    char *s;
    int *z;

    arena_init(&arena);
    CHECK_STR(arena_strdup(&arena, "hello"), "hello");
    CHECK(arena_strdup(&arena, NULL) == NULL);
    CHECK_STR(arena_strndup(&arena, "hello world", 5), "hello");
    s = arena_printf(&arena, "%s-%d", "id", 42);
    CHECK_STR(s, "id-42");

    z = arena_zalloc(&arena, 64 * sizeof(*z));
    CHECK(z != NULL);
    for (int i = 0; z != NULL && i < 64; i++) {
        CHECK(z[i] == 0);
    }
    arena_release(&arena);
}

static int order[8];
static int order_len;

static void
record(void *p)
{
    if (order_len < 8) {
        order[order_len++] = *(int *)p;
    }
}

static void
test_arena_cleanups_reverse(void)
{
    static int ids[] = {1, 2, 3, 4};
    struct arena arena;

    order_len = 0;
    arena_init(&arena);
    for (int i = 0; i < 4; i++) {
        CHECK(arena_defer(&arena, record, &ids[i]) == 0);

        /* Allocations in between must not disturb the list. */
        CHECK(arena_alloc(&arena, 3000) != NULL);
    }
    CHECK(order_len == 0);
    arena_release(&arena);
    CHECK(order_len == 4);
    CHECK(order[0] == 4 && order[1] == 3 && order[2] == 2 && order[3] == 1);

    /* Released means empty: a second release runs nothing again. */
    arena_release(&arena);
    CHECK(order_len == 4);
}

static void
test_error_set(void)
{
    struct error err;
    char long_text[600];

    error_clear(&err);
    CHECK(error_set(&err, STATUS_NOT_FOUND, NULL, "no such %s", "group") ==
          STATUS_NOT_FOUND);
    CHECK(err.status == STATUS_NOT_FOUND);
    CHECK_STR(err.code, "NOT_FOUND");
    CHECK_STR(err.message, "no such group");

    CHECK(error_set(&err, STATUS_INVALID, "WEAK_PASSWORD", "x") ==
          STATUS_INVALID);
    CHECK_STR(err.code, "WEAK_PASSWORD");
    CHECK(err.detail[0] == '\0');
    error_detail(&err, "row %d", 7);
    CHECK_STR(err.detail, "row 7");

    /* A NULL error only passes the status through. */
    CHECK(error_set(NULL, STATUS_IO, NULL, "x") == STATUS_IO);
    error_detail(NULL, "x");

    /* Over-long messages are cut, never overflowed. */
    memset(long_text, 'm', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    error_set(&err, STATUS_INVALID, NULL, "%s", long_text);
    CHECK(strlen(err.message) == ERROR_MESSAGE_MAX - 1);

    error_clear(&err);
    CHECK(err.status == STATUS_OK && err.code[0] == '\0');
}

static void
test_status_http(void)
{
    static const struct {
        enum status status;
        int http;
        const char *code;
    } table[] = {
        {STATUS_OK, 200, "OK"},
        {STATUS_INVALID, 400, "INVALID_REQUEST"},
        {STATUS_NOT_FOUND, 404, "NOT_FOUND"},
        {STATUS_CONFLICT, 409, "CONFLICT"},
        {STATUS_UNAUTHENTICATED, 401, "UNAUTHENTICATED"},
        {STATUS_DENIED, 403, "FORBIDDEN"},
        {STATUS_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE"},
        {STATUS_RATE_LIMITED, 429, NULL},
        {STATUS_TIMEOUT, 503, NULL},
        {STATUS_NOMEM, 500, NULL},
        {STATUS_IO, 500, NULL},
        {STATUS_CORRUPT, 500, NULL},
        {STATUS_UNAVAILABLE, 503, "UNAVAILABLE"},
        {STATUS_INTERNAL, 500, NULL},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (status_http(table[i].status) != table[i].http) {
            fprintf(stderr, "status %d maps to %d, want %d\n",
                    (int)table[i].status, status_http(table[i].status),
                    table[i].http);
            CHECK(false);
        }
        if (table[i].code != NULL) {
            CHECK_STR(status_code(table[i].status), table[i].code);
        }

        /* Every status has some stable, upper-case code. */
        CHECK(status_code(table[i].status)[0] >= 'A' &&
              status_code(table[i].status)[0] <= 'Z');
    }
    CHECK(status_http((enum status)99) == 500);
}

int
main(void)
{
    RUN(test_escape_plain_values_bare);
    RUN(test_escape_quotes_when_needed);
    RUN(test_escape_control_bytes);
    RUN(test_escape_cannot_forge);
    RUN(test_escape_respects_size);
    RUN(test_log_line_shape);
    RUN(test_log_level_and_null_values);
    RUN(test_log_long_line_cut);
    RUN(test_log_parse_level);
    RUN(test_arena_alignment);
    RUN(test_arena_strings);
    RUN(test_arena_cleanups_reverse);
    RUN(test_error_set);
    RUN(test_status_http);
    return unit_finish("base");
}

/*
 * common.c - what the subcommands share: option parsing and dispatch,
 * output for a terminal or as JSON, opening the store, looking up an
 * account or a user, and appending to the audit log as the CLI.
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/clock.h"
#include "crypto/random.h"
#include "identity/password.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
cli_print_commands(FILE *out, const char *prefix,
                   const struct cli_command *commands, size_t count)
{
    fprintf(out, "Commands:\n");
    for (size_t i = 0; i < count; i++) {
        fprintf(out, "  ganymede %s%s%s %s\n      %s\n", prefix,
                *prefix ? " " : "", commands[i].name, commands[i].usage,
                commands[i].summary);
    }
}

static bool
cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int
cli_dispatch(struct cli *cli, const char *prefix,
             const struct cli_command *commands, size_t count)
{
    const char *name = cli->argc > 0 ? cli->argv[0] : NULL;

    if (name == NULL || cli_is_help(name)) {
        fprintf(name ? stdout : stderr, "usage: ganymede %s%s<command>\n\n",
                prefix, *prefix ? " " : "");
        cli_print_commands(name ? stdout : stderr, prefix, commands, count);
        return name ? 0 : 2;
    }

    for (size_t i = 0; i < count; i++) {
        if (strcmp(commands[i].name, name) != 0) {
            continue;
        }
        if (!commands[i].nested && cli->argc > 1 && cli_is_help(cli->argv[1])) {
            printf("usage: ganymede %s%s%s %s\n  %s\n", prefix,
                   *prefix ? " " : "", name, commands[i].usage,
                   commands[i].summary);
            return 0;
        }
        cli->argc--;
        cli->argv++;
        cli->json = cli_flag(cli, "json");
        return commands[i].run(cli);
    }

    fprintf(stderr, "ganymede: unknown command '%s%s%s'; try --help\n", prefix,
            *prefix ? " " : "", name);
    return 2;
}

const char *
cli_next_option(const struct cli *cli, const char *name, int *pos)
{
    size_t len = strlen(name);

    for (int i = *pos; i < cli->argc; i++) {
        const char *arg = cli->argv[i];

        if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0) {
            continue;
        }
        if (arg[2 + len] == '=') {
            *pos = i + 1;
            return arg + 3 + len;
        }
        if (arg[2 + len] == '\0' && i + 1 < cli->argc) {
            *pos = i + 2;
            return cli->argv[i + 1];
        }
    }
    *pos = cli->argc;
    return NULL;
}

const char *
cli_option(const struct cli *cli, const char *name)
{
    int pos = 0;

    return cli_next_option(cli, name, &pos);
}

bool
cli_get_optional(const struct cli *cli, const char *name, const char **value)
{
    *value = cli_option(cli, name);
    if (*value == NULL) {
        return !cli_flag(cli, name);
    }
    return **value != '\0';
}

bool
cli_has_option(const struct cli *cli, const char *name)
{
    const char *value = cli_option(cli, name);

    return value != NULL && *value != '\0';
}

bool
cli_flag(const struct cli *cli, const char *name)
{
    for (int i = 0; i < cli->argc; i++) {
        if (strncmp(cli->argv[i], "--", 2) == 0 &&
            strcmp(cli->argv[i] + 2, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool
cli_listed(const char *arg, const char *const *names)
{
    size_t len;

    for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
        len = strlen(names[i]);
        if (strncmp(arg + 2, names[i], len) == 0 &&
            (arg[2 + len] == '\0' || arg[2 + len] == '=')) {
            return true;
        }
    }
    return false;
}

bool
cli_check_args(const struct cli *cli, const char *const *options,
               const char *const *flags)
{
    for (int i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];

        if (strncmp(arg, "--", 2) == 0 && cli_listed(arg, flags)) {
            continue;
        }
        if (strncmp(arg, "--", 2) == 0 && cli_listed(arg, options)) {
            if (strchr(arg, '=') == NULL) {
                i++;
            }
            continue;
        }
        fprintf(stderr, "ganymede: unexpected argument '%s'; try --help\n",
                arg);
        return false;
    }
    return true;
}

int
cli_fail(const struct cli *cli, const struct error *err)
{
    if (cli->json) {
        json_t *out = json_pack("{s:{s:s,s:s}}", "error", "code", err->code,
                                "message", err->message);

        json_dumpf(out, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(out);
    }
    fprintf(stderr, "ganymede: %s\n", err->message);
    return 1;
}

int
cli_fail_missing(const struct cli *cli, const char *fmt, ...)
{
    char message[ERROR_MESSAGE_MAX];
    struct error err;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    error_set(&err, STATUS_INVALID, "MISSING_OPTION", "%s; try --help",
              message);
    return cli_fail(cli, &err);
}

int
cli_print_json(json_t *out)
{
    if (out == NULL) {
        fprintf(stderr, "ganymede: could not build the JSON answer\n");
        return 1;
    }
    json_dumpf(out, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(out);
    return 0;
}

int
cli_finish_list(const struct cli *cli, enum status status,
                const struct error *err, const char *name, json_t *list)
{
    int rc = 0;

    if (status != STATUS_OK) {
        rc = cli_fail(cli, err);
    } else if (cli->json) {
        rc = cli_print_json(json_pack("{s:O}", name, list));
    }
    json_decref(list);
    return rc;
}

json_t *
cli_time_json(int64_t ms)
{
    char iso[CLOCK_ISO_MAX];

    if (ms == 0) {
        return json_null();
    }
    clock_format_iso(ms, iso);
    return json_string(iso);
}

const char *
cli_mask_text(struct arena *arena, const char *value)
{
    char *copy;

    if (value == NULL) {
        return "";
    }
    copy = arena_strdup(arena, value);
    if (copy == NULL) {
        return "?";
    }
    for (char *p = copy; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            *p = '?';
        }
    }
    return copy;
}

enum status
cli_check_text(const char *value, size_t max, const char *what,
               struct error *err)
{
    json_t *probe;

    if (strlen(value) > max) {
        return error_set(err, STATUS_INVALID, "INVALID_OPTION",
                         "%s must be at most %zu bytes", what, max);
    }
    for (const char *p = value; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            return error_set(err, STATUS_INVALID, "INVALID_OPTION",
                             "%s must not hold control characters", what);
        }
    }

    /* jansson refuses invalid UTF-8, which JSON output could not carry. */
    probe = json_string(value);
    if (probe == NULL) {
        return error_set(err, STATUS_INVALID, "INVALID_OPTION",
                         "%s must be valid UTF-8", what);
    }
    json_decref(probe);
    return STATUS_OK;
}

int
cli_open_store(struct cli *cli, struct cli_context *ctx, bool create)
{
    memset(ctx, 0, sizeof(*ctx));
    if (store_open(&ctx->store, cli->config.data_dir, create, &ctx->err) !=
        STATUS_OK) {
        return cli_fail(cli, &ctx->err);
    }
    if (store_acquire(&ctx->store, &ctx->db, &ctx->err) != STATUS_OK) {
        store_close(&ctx->store);
        return cli_fail(cli, &ctx->err);
    }
    return 0;
}

void
cli_close_store(struct cli_context *ctx)
{
    store_release(&ctx->store, ctx->db);
    store_close(&ctx->store);
    ctx->db = NULL;
}

enum status
cli_end_transaction(struct cli_context *ctx, enum status status)
{
    if (status == STATUS_OK) {
        status = store_commit(ctx->db, &ctx->err);
    }
    if (status != STATUS_OK) {
        store_rollback(ctx->db);
    }
    return status;
}

enum status
cli_find_account(struct cli *cli, struct cli_context *ctx, const char *id)
{
    enum status status;

    status = account_get(ctx->db, &cli->arena, id, &ctx->account, &ctx->err);
    if (status == STATUS_NOT_FOUND) {
        status = error_set(&ctx->err, status, "NOT_FOUND",
                           "no account with id %s", id);
    }
    return status;
}

enum status
cli_find_user(struct cli *cli, struct cli_context *ctx, const char *login,
              bool member)
{
    enum status status;

    status = user_get_by_login(ctx->db, &cli->arena, login, &ctx->user,
                               &ctx->err);
    if (status == STATUS_NOT_FOUND) {
        return error_set(&ctx->err, status, "NOT_FOUND",
                         "no user with login %s", login);
    }
    if (status == STATUS_OK && member &&
        !membership_exists(ctx->db, ctx->account.id, ctx->user.id)) {
        status = error_set(&ctx->err, STATUS_NOT_FOUND, "NOT_MEMBER",
                           "%s is not a member of account %s", login,
                           ctx->account.id);
    }
    return status;
}

enum status
cli_append_audit(struct cli_context *ctx, const char *event,
                 const char *target, json_t *detail)
{
    struct audit_entry entry = {0};
    enum status status;
    char *text;

    text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    if (text == NULL) {
        return error_set(&ctx->err, STATUS_NOMEM, NULL, "out of memory");
    }

    entry.account_id = ctx->account.id;
    entry.actor_id = "cli";
    entry.actor_login = "cli";
    entry.event = event;
    entry.target = target;
    entry.detail = text;
    status = audit_append(ctx->db, &entry, &ctx->err);
    free(text);
    return status;
}

bool
cli_apply_password_cost(const struct config *config, struct error *err)
{
    const char *cost = config->password_cost;

    if (strcmp(cost, "interactive") == 0) {
        password_set_cost(crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE);
    } else if (strcmp(cost, "moderate") == 0) {
        password_set_cost(crypto_pwhash_OPSLIMIT_MODERATE,
                          crypto_pwhash_MEMLIMIT_MODERATE);
    } else if (strcmp(cost, "min") == 0) {
        password_set_cost(crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN);
    } else {
        error_set(err, STATUS_INVALID, "BAD_CONFIG",
                  "password_cost must be interactive, moderate or min");
        return false;
    }
    return true;
}

void
cli_generate_password(char *out, const char *login)
{
    char body[32];

    /* 20 random characters plus one of each class the policy asks for. */
    do {
        random_token(body, 15);
        snprintf(out, 33, "Gm%.20s7!", body);
    } while (password_policy_failures(out, login) != 0);
    secret_wipe(body, sizeof(body));
}

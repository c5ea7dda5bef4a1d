/*
 * common.c - option parsing, dispatch and output shared by subcommands.
 */
#include "cli/cli.h"

#include "crypto/random.h"
#include "identity/password.h"

#include <jansson.h>
#include <sodium.h>
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
cli_option(const struct cli *cli, const char *name)
{
    size_t len = strlen(name);

    for (int i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];

        if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0) {
            continue;
        }
        if (arg[2 + len] == '=') {
            return arg + 3 + len;
        }
        if (arg[2 + len] == '\0' && i + 1 < cli->argc) {
            return cli->argv[i + 1];
        }
    }
    return NULL;
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
cli_open_store(struct cli *cli, struct store *store, sqlite3 **db)
{
    struct error err;

    error_clear(&err);
    if (store_open(store, cli->config.data_dir, false, &err) != STATUS_OK) {
        return cli_fail(cli, &err);
    }
    if (store_acquire(store, db, &err) != STATUS_OK) {
        store_close(store);
        return cli_fail(cli, &err);
    }
    return 0;
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

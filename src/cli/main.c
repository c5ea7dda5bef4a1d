/*
 * main.c - the ganymede binary: configuration, then one subcommand.
 *
 *     ganymede [settings] <command> [options]
 *
 * Settings (--data, --listen, ...) may stand anywhere on the line; they are
 * taken out first by config_load, and what remains names the command.
 */
#include "cli/cli.h"

#include "base/log.h"
#include "crypto/random.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_command main_commands[] = {
    {"serve", cli_serve, "[--listen HOST:PORT] [--plain-http]",
     "serve the API over HTTPS", false},
    {"init", cli_init, "[--json] [--account-name NAME] [--admin-login EMAIL]",
     "create a data directory with a first account and administrator", false},
    {"version", cli_version, "", "print the version", false},
    {"account", cli_account, "<create|list> ...", "manage accounts", true},
    {"user", cli_user, "<create|list|add|remove|passwd> ...",
     "manage users and their memberships", true},
    {"group", cli_group, "<list|add-member|remove-member> ...", "manage groups",
     true},
    {"apikey", cli_apikey, "<create|list|revoke> ...", "manage API keys", true},
    {"audit", cli_audit, "<list|verify> ...", "read and verify the audit log",
     true},
    {"import", cli_import, "csv ...", "import entities from files", true},
};

static void
main_usage(FILE *out)
{
    fprintf(out, "usage: ganymede [--data DIR] [settings] <command> "
                 "[options]\n\n");
    cli_print_commands(out, "", main_commands,
                       sizeof(main_commands) / sizeof(main_commands[0]));
    fprintf(out, "\n");
    config_describe(out);
    fprintf(out, "\nRun 'ganymede <command> --help' for a command's "
                 "options.\n");
}

int
main(int argc, char **argv)
{
    struct cli cli;
    struct error err;
    enum log_level level = LOG_INFO;
    int rc;

    memset(&cli, 0, sizeof(cli));
    error_clear(&err);
    arena_init(&cli.arena);
    config_init(&cli.config);

    if (crypto_init() != 0) {
        fprintf(stderr, "ganymede: could not initialise libsodium\n");
        return 1;
    }
    if (config_load(&cli.config, &argc, argv, &err) != STATUS_OK) {
        fprintf(stderr, "ganymede: %s\n", err.message);
        return 2;
    }
    if (!log_parse_level(cli.config.log_level, &level)) {
        fprintf(stderr, "ganymede: log_level must be debug, info, warn or "
                        "error\n");
        return 2;
    }
    log_init(level, 2);

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        main_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }

    cli.argc = argc - 1;
    cli.argv = argv + 1;
    rc = cli_dispatch(&cli, "", main_commands,
                      sizeof(main_commands) / sizeof(main_commands[0]));

    arena_release(&cli.arena);
    config_release(&cli.config);
    return rc;
}

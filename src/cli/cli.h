/*
 * cli.h - what the subcommands of the ganymede binary share: the parsed
 * configuration, the remaining arguments, and small helpers for options,
 * output and opening the store.
 *
 * Subcommands that change data work on the data directory directly, for
 * operators; they are safe to run while the server is serving the same
 * directory (SQLite serialises the writes), and they append to the audit
 * log with the actor "cli".
 */
#ifndef GANYMEDE_CLI_CLI_H
#define GANYMEDE_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/status.h"
#include "config/config.h"
#include "store/control.h"

struct cli {
    struct config config;
    int argc;      /* arguments after the subcommand words */
    char **argv;
    bool json;     /* --json: one JSON object on stdout */
    struct arena arena;
};

struct cli_command {
    const char *name;
    int (*run)(struct cli *cli);
    const char *usage;   /* "--login EMAIL [--name NAME]" */
    const char *summary; /* one line for the parent's --help */
    bool nested;         /* has subcommands, which answer --help */
};

/* Print "ganymede <prefix> <command>" usage for a table of commands. */
void cli_print_commands(FILE *out, const char *prefix,
                        const struct cli_command *commands, size_t count);

/* Run the command named by argv[0] from the table, handling --help. */
int cli_dispatch(struct cli *cli, const char *prefix,
                 const struct cli_command *commands, size_t count);

/* The value of --name VALUE or --name=VALUE, or NULL. */
const char *cli_option(const struct cli *cli, const char *name);
bool cli_flag(const struct cli *cli, const char *name);

/* Refuse arguments other than the named options (NULL-ended lists). */
bool cli_check_args(const struct cli *cli, const char *const *options,
                    const char *const *flags);

/* Report an error on stderr (and as JSON with --json); returns 1. */
int cli_fail(const struct cli *cli, const struct error *err);

/* Open the data directory's control store (must exist). */
int cli_open_store(struct cli *cli, struct store *store, sqlite3 **db);

/* Apply the password_cost setting to the hashing module. */
bool cli_apply_password_cost(const struct config *config,
                             struct error *err);

/* A random password that satisfies the policy, into out[33]. */
void cli_generate_password(char *out, const char *login);

/* Subcommand entry points. */
int cli_init(struct cli *cli);
int cli_serve(struct cli *cli);
int cli_version(struct cli *cli);
int cli_account(struct cli *cli);
int cli_user(struct cli *cli);
int cli_group(struct cli *cli);
int cli_apikey(struct cli *cli);
int cli_audit(struct cli *cli);

/* Create an account with its first administrator and an API key, and
 * print {account_id, login, password, api_key} (init, account create). */
int cli_bootstrap_account(struct cli *cli, sqlite3 *db, const char *name,
                          const char *login);

#endif

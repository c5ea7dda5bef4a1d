/*
 * cli.h - what the subcommands of the ganymede binary share: the parsed
 * configuration, the remaining arguments, and small helpers for options,
 * output, the store, lookups and the audit log.
 *
 * Subcommands that change data work on the data directory directly, for
 * operators; they are safe to run while the server is serving the same
 * directory (SQLite serialises the writes), and they append to the audit
 * log with the actor "cli".
 */
#ifndef GANYMEDE_CLI_CLI_H
#define GANYMEDE_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/status.h"
#include "config/config.h"
#include "store/accounts.h"
#include "store/control.h"

struct cli {
    struct config config;
    int argc;      /* arguments after the subcommand words */
    char **argv;
    bool json;     /* --json: one JSON object on stdout */
    struct arena arena;
};

/*
 * What one command holds open and what it has looked up: the store and one
 * connection, the error of the step that failed (cli_fail reports it), and
 * the account, user and group the cli_find_* helpers found.
 */
struct cli_context {
    struct store store;
    sqlite3 *db;
    struct error err;
    struct account account;
    struct user user;
    struct group group;
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

/*
 * The value of each --name option in turn, for options that may be
 * repeated: start with *pos 0; NULL once there are no more.
 */
const char *cli_next_option(const struct cli *cli, const char *name,
                            int *pos);

/*
 * The value of an optional option into *value (NULL when absent); false
 * when the option is there without a value.
 */
bool cli_get_optional(const struct cli *cli, const char *name,
                      const char **value);

/* Whether an option was given a value other than "". */
bool cli_has_option(const struct cli *cli, const char *name);

/* Refuse arguments other than the named options (NULL-ended lists). */
bool cli_check_args(const struct cli *cli, const char *const *options,
                    const char *const *flags);

/* Report an error on stderr (and as JSON with --json); returns 1. */
int cli_fail(const struct cli *cli, const struct error *err);

/* Report a missing option as cli_fail does (MISSING_OPTION, exit code 1):
 * the printf-style message followed by "; try --help". */
int cli_fail_missing(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print one compact JSON object on stdout and free it; 1 when out is NULL
 * (jansson could not build it), else 0. */
int cli_print_json(json_t *out);

/*
 * The end of a listing command: report the error when status failed, else
 * with --json print {name: list} (without it the rows went out one by one
 * already).  list is consumed; returns the exit code.
 */
int cli_finish_list(const struct cli *cli, enum status status,
                    const struct error *err, const char *name, json_t *list);

/* A time in milliseconds as an ISO 8601 string, or null for 0. */
json_t *cli_time_json(int64_t ms);

/*
 * A copy of a stored value fit for a terminal, in the arena: control bytes
 * shown as '?'; "" for NULL and "?" when out of memory.
 */
const char *cli_mask_text(struct arena *arena, const char *value);

/* Operator text that will be stored: at most max bytes, UTF-8, no control
 * bytes; what ("the name") leads the message. */
enum status cli_check_text(const char *value, size_t max, const char *what,
                           struct error *err);

/*
 * Zero ctx and open the data directory's control store with one
 * connection (create: make the directory and file if need be).  0 on
 * success; else the failure is reported, nothing stays open, and the exit
 * code is returned.  cli_close_store gives everything back.
 */
int cli_open_store(struct cli *cli, struct cli_context *ctx, bool create);
void cli_close_store(struct cli_context *ctx);

/* Commit when every step succeeded, else roll back; the final status. */
enum status cli_end_transaction(struct cli_context *ctx, enum status status);

/* Look up ctx->account by id; a miss is NOT_FOUND with a message. */
enum status cli_find_account(struct cli *cli, struct cli_context *ctx,
                             const char *id);

/* Look up ctx->user by login; with member, it must belong to
 * ctx->account (NOT_MEMBER otherwise). */
enum status cli_find_user(struct cli *cli, struct cli_context *ctx,
                          const char *login, bool member);

/* Append an entry by actor "cli" to ctx->account's audit log; detail is
 * consumed (NULL: out of memory). */
enum status cli_append_audit(struct cli_context *ctx, const char *event,
                             const char *target, json_t *detail);

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
int cli_import(struct cli *cli);
int cli_import_sdk(struct cli *cli); /* import sdk, in import_sdk.c */

/* Create an account (into ctx->account) with its first administrator and
 * an API key, and print {account_id, login, password, api_key} (init,
 * account create). */
int cli_bootstrap_account(struct cli *cli, struct cli_context *ctx,
                          const char *name, const char *login);

#endif

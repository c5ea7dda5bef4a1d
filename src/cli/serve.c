/*
 * serve.c - `ganymede init`, `serve`, `version` and `account`: making a
 * data directory, serving it, and creating accounts with their first
 * administrator.
 */
#include "cli/cli.h"

#include "base/log.h"
#include "crypto/cert.h"
#include "crypto/random.h"
#include "http/server.h"
#include "identity/identity.h"
#include "identity/password.h"
#include "store/accounts.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLI_DEFAULT_ADMIN "admin@ganymede.local"
#define CLI_CERT_DAYS     825

static enum status
cli_bootstrap_steps(struct cli *cli, struct cli_context *ctx, const char *name,
                    const char *login, char *password, char *secret)
{
    struct account *account = &ctx->account;
    char hash[PASSWORD_HASH_MAX];
    struct group admins;
    struct apikey key;
    struct user user;
    enum status status;

    cli_generate_password(password, login);
    status = password_hash(password, hash, &ctx->err);
    if (status == STATUS_OK) {
        status = account_create(ctx->db, &cli->arena, NULL, name, account,
                                &ctx->err);
    }
    if (status == STATUS_OK && user_get_by_login(ctx->db, &cli->arena, login,
                                                 &user, NULL) == STATUS_OK) {
        status = error_set(&ctx->err, STATUS_CONFLICT, "CONFLICT",
                           "a user with login %s already exists", login);
    }
    if (status == STATUS_OK) {
        status = user_create(ctx->db, &cli->arena, login, "Administrator",
                             hash, false, &user, &ctx->err);
    }
    if (status == STATUS_OK) {
        status = membership_add(ctx->db, account->id, user.id, &ctx->err);
    }
    if (status == STATUS_OK) {
        status = group_get_by_name(ctx->db, &cli->arena, account->id,
                                   GROUP_ADMINISTRATORS, &admins, &ctx->err);
    }
    if (status == STATUS_OK) {
        status = group_member_add(ctx->db, account->id, admins.id, user.id,
                                  &ctx->err);
    }
    if (status == STATUS_OK) {
        status = identity_apikey_create(ctx->db, &cli->arena, account->id,
                                        user.id, "first key", 0, secret, &key,
                                        &ctx->err);
    }
    if (status == STATUS_OK) {
        status = cli_append_audit(ctx, "account.created", account->id,
                                  json_object());
    }
    secret_wipe(hash, sizeof(hash));
    return status;
}

int
cli_bootstrap_account(struct cli *cli, struct cli_context *ctx,
                      const char *name, const char *login)
{
    char password[40], secret[APIKEY_SECRET_LEN + 1];
    struct account *account = &ctx->account;
    enum status status;
    int rc = 0;

    status = store_begin(ctx->db, &ctx->err);
    if (status == STATUS_OK) {
        status = cli_bootstrap_steps(cli, ctx, name, login, password, secret);
    }
    status = cli_end_transaction(ctx, status);
    if (status != STATUS_OK) {
        return cli_fail(cli, &ctx->err);
    }

    if (cli->json) {
        rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "account_id",
                                      account->id, "login", login, "password",
                                      password, "api_key", secret));
    } else {
        printf("account:  %s (%s)\n"
               "login:    %s\n"
               "password: %s\n"
               "api key:  %s\n"
               "Keep the password and the key now: neither is shown "
               "again.\n",
               account->name, account->id, login, password, secret);
    }
    secret_wipe(password, sizeof(password));
    secret_wipe(secret, sizeof(secret));
    return rc;
}

static int
cli_make_tls(struct cli *cli, struct error *err)
{
    char dir[4096], cert[4200], key[4200];

    snprintf(dir, sizeof(dir), "%s/tls", cli->config.data_dir);
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        error_set(err, STATUS_IO, "DATA_DIR_UNUSABLE",
                  "could not create %s: %s", dir, strerror(errno));
        return 1;
    }
    if (cert_generate_self_signed(cert, key, NULL, CLI_CERT_DAYS, err) !=
        STATUS_OK) {
        return 1;
    }
    log_event(LOG_WARN, "cli", "self_signed_certificate", "cert", cert, "hint",
              "configure tls_cert and tls_key for production", NULL);
    return 0;
}

int
cli_init(struct cli *cli)
{
    static const char *const options[] = {"account-name", "admin-login", NULL};
    static const char *const flags[] = {"json", NULL};
    const char *name = cli_option(cli, "account-name");
    const char *login = cli_option(cli, "admin-login");
    struct cli_context ctx;
    struct error err;
    char path[4200];
    int rc;

    error_clear(&err);
    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_apply_password_cost(&cli->config, &err)) {
        return cli_fail(cli, &err);
    }

    snprintf(path, sizeof(path), "%s/control.db", cli->config.data_dir);
    if (access(path, F_OK) == 0) {
        error_set(&err, STATUS_CONFLICT, "ALREADY_INITIALISED",
                  "%s is already initialised", cli->config.data_dir);
        return cli_fail(cli, &err);
    }

    rc = cli_open_store(cli, &ctx, true);
    if (rc != 0) {
        return rc;
    }
    if (cli->config.tls_cert == NULL && cli_make_tls(cli, &ctx.err) != 0) {
        rc = cli_fail(cli, &ctx.err);
    } else {
        rc = cli_bootstrap_account(cli, &ctx, name ? name : "Default",
                                   login ? login : CLI_DEFAULT_ADMIN);
    }
    cli_close_store(&ctx);
    return rc;
}

int
cli_serve(struct cli *cli)
{
    struct server server;
    struct error err;
    int rc = 0;

    error_clear(&err);
    if (!cli_check_args(cli, NULL, NULL)) {
        return 2;
    }
    if (!cli_apply_password_cost(&cli->config, &err) ||
        server_init(&server, &cli->config, &err) != STATUS_OK) {
        log_event(LOG_ERROR, "cli", "serve_failed", "code", err.code, "message",
                  err.message, "detail", err.detail, NULL);
        return cli_fail(cli, &err);
    }
    if (server_run(&server, &err) != STATUS_OK) {
        log_event(LOG_ERROR, "cli", "serve_failed", "code", err.code, "message",
                  err.message, NULL);
        rc = cli_fail(cli, &err);
    }
    server_release(&server);
    return rc;
}

int
cli_version(struct cli *cli)
{
    printf("ganymede %s\n", GANYMEDE_VERSION);
    return 0;
}

static int
cli_account_create(struct cli *cli)
{
    static const char *const options[] = {"name", "admin-login", NULL};
    static const char *const flags[] = {"json", NULL};
    const char *name = cli_option(cli, "name");
    const char *login = cli_option(cli, "admin-login");
    struct cli_context ctx;
    struct error err;
    int rc;

    error_clear(&err);
    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (name == NULL || login == NULL) {
        error_set(&err, STATUS_INVALID, "MISSING_OPTION",
                  "account create needs --name and --admin-login");
        return cli_fail(cli, &err);
    }
    if (!cli_apply_password_cost(&cli->config, &err)) {
        return cli_fail(cli, &err);
    }
    rc = cli_open_store(cli, &ctx, false);
    if (rc != 0) {
        return rc;
    }
    rc = cli_bootstrap_account(cli, &ctx, name, login);
    cli_close_store(&ctx);
    return rc;
}

static int
cli_account_list(struct cli *cli)
{
    static const char *const flags[] = {"json", NULL};
    struct account *accounts = NULL;
    struct cli_context ctx;
    size_t count = 0;
    json_t *list;
    int rc;

    if (!cli_check_args(cli, NULL, flags)) {
        return 2;
    }
    rc = cli_open_store(cli, &ctx, false);
    if (rc != 0) {
        return rc;
    }
    if (account_list(ctx.db, &cli->arena, NULL, &accounts, &count,
                     &ctx.err) != STATUS_OK) {
        rc = cli_fail(cli, &ctx.err);
    } else if (cli->json) {
        list = json_array();
        for (size_t i = 0; i < count; i++) {
            json_array_append_new(list,
                                  json_pack("{s:s, s:s}", "id", accounts[i].id,
                                            "name", accounts[i].name));
        }
        rc = cli_print_json(json_pack("{s:o}", "accounts", list));
    } else {
        for (size_t i = 0; i < count; i++) {
            printf("%s  %s\n", accounts[i].id, accounts[i].name);
        }
    }
    cli_close_store(&ctx);
    return rc;
}

int
cli_account(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"create", cli_account_create,
         "--name NAME --admin-login EMAIL [--json]",
         "create an account with its first administrator", false},
        {"list", cli_account_list, "[--json]", "list every account", false},
    };

    return cli_dispatch(cli, "account", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

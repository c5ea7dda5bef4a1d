/*
 * keys.c - `ganymede apikey` and `ganymede audit`: API keys an operator
 * makes, lists and revokes on a user's behalf, and reading and verifying
 * the audit chain of an account.  The people and groups are in users.c.
 *
 * A key's secret is printed once, by `apikey create`; the store keeps only
 * its digest.  Every change runs in one transaction with its audit entry
 * (actor "cli").  `audit verify` exits 1 when a chain is broken, so that
 * it can stand in a cron job or a monitoring check.
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "base/clock.h"
#include "crypto/random.h"
#include "identity/identity.h"
#include "store/accounts.h"
#include "store/credentials.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_NAME_MAX    128 /* as the REST API allows */
#define KEYS_AUDIT_LIMIT 100
#define KEYS_AUDIT_MAX   500

/* ---- apikey ------------------------------------------------------------ */

static json_t *
keys_apikey_json(const struct apikey *key, const char *login)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:o}", "id",
                     key->id, "name", key->name, "prefix", key->prefix,
                     "user_id", key->user_id, "login", login, "created_at",
                     cli_time_json(key->created_ms), "expires_at",
                     cli_time_json(key->expires_ms), "last_used_at",
                     cli_time_json(key->last_used_ms), "revoked_at",
                     cli_time_json(key->revoked_ms));
}

static const char *
keys_apikey_state(const struct apikey *key)
{
    if (key->revoked_ms != 0) {
        return "revoked";
    }
    if (key->expires_ms != 0 && key->expires_ms <= clock_now_ms()) {
        return "expired";
    }
    return "live";
}

static enum status
keys_create_steps(struct cli *cli, struct cli_context *k, const char *login,
                  const char *name, char *secret, struct apikey *key)
{
    enum status status;

    /* A key name is stored and shown: bounded, UTF-8, no control bytes. */
    if (name != NULL &&
        cli_check_text(name, KEYS_NAME_MAX, "the key name", NULL) !=
            STATUS_OK) {
        return error_set(&k->err, STATUS_INVALID, "INVALID_OPTION",
                         "the key name must be UTF-8 text of at most %d "
                         "bytes without control characters",
                         KEYS_NAME_MAX);
    }

    status = cli_find_account(cli, k, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status = cli_find_user(cli, k, login, true);
    }
    if (status == STATUS_OK) {
        status = identity_apikey_create(k->db, &cli->arena, k->account.id,
                                        k->user.id, name, 0, secret, key,
                                        &k->err);
    }
    if (status == STATUS_OK) {
        status = cli_append_audit(k, "apikey.created", key->id,
                                  json_pack("{s:s, s:s, s:s}", "name",
                                            key->name, "prefix", key->prefix,
                                            "owner", k->user.id));
    }
    return status;
}

static int
cli_apikey_create(struct cli *cli)
{
    static const char *const options[] = {"account", "login", "name", NULL};
    static const char *const flags[] = {"json", NULL};
    const char *login = cli_option(cli, "login");
    char secret[APIKEY_SECRET_LEN + 1] = "";
    enum status status;
    struct apikey key;
    struct cli_context k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_has_option(cli, "account") || !cli_has_option(cli, "login")) {
        return cli_fail_missing(cli,
                                "apikey create needs --account and --login");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(k.db, &k.err);
    if (status == STATUS_OK) {
        status = keys_create_steps(cli, &k, login, cli_option(cli, "name"),
                                   secret, &key);
        status = cli_end_transaction(&k, status);
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = cli_print_json(
            json_pack("{s:s, s:s}", "id", key.id, "secret", secret));
    } else {
        printf("api key: %s (%s)\n"
               "secret:  %s\n"
               "Keep the secret now: it is not shown again.\n",
               key.id, cli_mask_text(&cli->arena, login), secret);
    }
    secret_wipe(secret, sizeof(secret));
    cli_close_store(&k);
    return rc;
}

/* The login of each key's owner, from the account's members. */
static const char *
keys_owner_login(const struct user *users, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(users[i].id, id) == 0) {
            return users[i].login;
        }
    }
    return "";
}

static int
cli_apikey_list(struct cli *cli)
{
    static const char *const options[] = {"account", NULL};
    static const char *const flags[] = {"json", NULL};
    size_t key_count = 0, user_count = 0;
    struct apikey *keys = NULL;
    struct user *users = NULL;
    json_t *list;
    enum status status;
    const char *login;
    struct cli_context k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_has_option(cli, "account")) {
        return cli_fail_missing(cli, "apikey list needs --account");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }
    list = json_array();

    status = cli_find_account(cli, &k, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status = user_list(k.db, &cli->arena, k.account.id, &users, &user_count,
                           &k.err);
    }
    if (status == STATUS_OK) {
        status = apikey_list(k.db, &cli->arena, k.account.id, NULL, &keys,
                             &key_count, &k.err);
    }
    for (size_t i = 0; status == STATUS_OK && i < key_count; i++) {
        login = keys_owner_login(users, user_count, keys[i].user_id);
        json_array_append_new(list, keys_apikey_json(&keys[i], login));
        if (!cli->json) {
            printf("%-36s  %-12s  %-7s  %s  %s\n", keys[i].id, keys[i].prefix,
                   keys_apikey_state(&keys[i]),
                   cli_mask_text(&cli->arena, login),
                   cli_mask_text(&cli->arena, keys[i].name));
        }
    }

    rc = cli_finish_list(cli, status, &k.err, "api_keys", list);
    cli_close_store(&k);
    return rc;
}

static enum status
keys_revoke_steps(struct cli *cli, struct cli_context *k, const char *id,
                  struct apikey *key, bool *changed)
{
    enum status status;

    status = cli_find_account(cli, k, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status =
            apikey_get(k->db, &cli->arena, k->account.id, id, key, &k->err);
        if (status == STATUS_NOT_FOUND) {
            return error_set(&k->err, status, "NOT_FOUND",
                             "no API key %s in account %s", id, k->account.id);
        }
    }

    /* Revoking twice changes nothing and tells the log nothing new. */
    *changed = status == STATUS_OK && key->revoked_ms == 0;
    if (*changed) {
        status =
            apikey_revoke(k->db, k->account.id, id, clock_now_ms(), &k->err);
        if (status == STATUS_OK) {
            status = cli_append_audit(k, "apikey.revoked", id,
                                      json_pack("{s:s, s:s}", "prefix",
                                                key->prefix, "owner",
                                                key->user_id));
        }
        if (status == STATUS_OK) {
            status =
                apikey_get(k->db, &cli->arena, k->account.id, id, key, &k->err);
        }
    }
    return status;
}

static int
cli_apikey_revoke(struct cli *cli)
{
    static const char *const options[] = {"account", "id", NULL};
    static const char *const flags[] = {"json", NULL};
    const char *id = cli_option(cli, "id");
    const char *login = NULL;
    bool changed = false;
    struct user owner;
    enum status status;
    struct apikey key;
    struct cli_context k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_has_option(cli, "account") || !cli_has_option(cli, "id")) {
        return cli_fail_missing(cli, "apikey revoke needs --account and --id");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(k.db, &k.err);
    if (status == STATUS_OK) {
        status = keys_revoke_steps(cli, &k, id, &key, &changed);
        status = cli_end_transaction(&k, status);
    }

    if (status == STATUS_OK &&
        user_get(k.db, &cli->arena, key.user_id, &owner, NULL) == STATUS_OK) {
        login = owner.login;
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = cli_print_json(json_pack("{s:o, s:b}", "api_key",
                                       keys_apikey_json(&key, login), "changed",
                                       changed));
    } else {
        printf("API key %s (%s) of %s %s\n", key.id, key.prefix,
               cli_mask_text(&cli->arena, login),
               changed ? "revoked" : "was already revoked");
    }
    cli_close_store(&k);
    return rc;
}

int
cli_apikey(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"create", cli_apikey_create,
         "--account ID --login EMAIL [--name NAME] [--json]",
         "make an API key for a member; the secret is shown once", false},
        {"list", cli_apikey_list, "--account ID [--json]",
         "list every API key of an account", false},
        {"revoke", cli_apikey_revoke, "--account ID --id KEYID [--json]",
         "revoke an API key; it stops working at once", false},
    };

    return cli_dispatch(cli, "apikey", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

/* ---- audit ------------------------------------------------------------- */

static json_t *
keys_entry_json(const struct audit_entry *e)
{
    json_t *detail = json_loads(e->detail, 0, NULL);

    /* A detail that is not JSON (it always should be) stays as text. */
    if (detail == NULL) {
        detail = json_string(e->detail);
    }
    return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, "
                     "s:s}",
                     "seq", (json_int_t)e->seq, "ts", cli_time_json(e->ts_ms),
                     "actor_id", e->actor_id, "actor_login", e->actor_login,
                     "event", e->event, "target", e->target, "detail", detail,
                     "source_addr", e->source_addr, "request_id", e->request_id,
                     "prev_hash", e->prev_hash, "hash", e->hash);
}

static bool
keys_parse_limit(const char *text, int *out)
{
    char *end;
    long n;

    if (text == NULL) {
        *out = KEYS_AUDIT_LIMIT;
        return true;
    }
    errno = 0;
    n = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 1 ||
        n > KEYS_AUDIT_MAX) {
        return false;
    }
    *out = (int)n;
    return true;
}

static void
keys_entry_print(struct cli *cli, const struct audit_entry *e)
{
    char ts[CLOCK_ISO_MAX];

    clock_format_iso(e->ts_ms, ts);
    printf("%6lld  %s  %s  %s  %s  %s\n", (long long)e->seq, ts,
           cli_mask_text(&cli->arena, e->actor_login),
           cli_mask_text(&cli->arena, e->event),
           *e->target ? cli_mask_text(&cli->arena, e->target) : "-",
           cli_mask_text(&cli->arena, e->detail));
}

static int
cli_audit_list(struct cli *cli)
{
    static const char *const options[] = {"account", "limit", NULL};
    static const char *const flags[] = {"json", NULL};
    struct audit_entry *entries = NULL;
    json_t *list;
    const char *text;
    enum status status;
    size_t count = 0;
    struct cli_context k;
    int limit = KEYS_AUDIT_LIMIT;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_has_option(cli, "account")) {
        return cli_fail_missing(cli, "audit list needs --account");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }
    list = json_array();

    status = STATUS_OK;
    if (!cli_get_optional(cli, "limit", &text) ||
        !keys_parse_limit(text, &limit)) {
        status = error_set(&k.err, STATUS_INVALID, "INVALID_OPTION",
                           "--limit must be a whole number from 1 to %d",
                           KEYS_AUDIT_MAX);
    }
    if (status == STATUS_OK) {
        status = cli_find_account(cli, &k, cli_option(cli, "account"));
    }
    if (status == STATUS_OK) {
        status = audit_list(k.db, &cli->arena, k.account.id, 0, limit, &entries,
                            &count, &k.err);
    }
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        json_array_append_new(list, keys_entry_json(&entries[i]));
        if (!cli->json) {
            keys_entry_print(cli, &entries[i]);
        }
    }

    rc = cli_finish_list(cli, status, &k.err, "entries", list);
    cli_close_store(&k);
    return rc;
}

static int
keys_verify_report(struct cli *cli, const struct audit_report *report)
{
    json_t *out;

    if (cli->json) {
        out = json_pack("{s:b, s:I}", "intact", !report->broken, "checked",
                        (json_int_t)report->checked);
        if (out != NULL && report->broken) {
            json_object_set_new(out, "account_id",
                                json_string(report->account_id));
            json_object_set_new(out, "seq", json_integer(report->seq));
            json_object_set_new(out, "reason", json_string(report->reason));
        }
        cli_print_json(out);
    } else if (report->broken) {
        printf("audit chain broken: account %s entry %lld: %s\n",
               report->account_id, (long long)report->seq, report->reason);
    } else {
        printf("audit chain intact: %lld entries checked\n",
               (long long)report->checked);
    }
    return report->broken ? 1 : 0;
}

static int
cli_audit_verify(struct cli *cli)
{
    static const char *const options[] = {"account", NULL};
    static const char *const flags[] = {"json", NULL};
    struct audit_report report;
    const char *account_id;
    enum status status;
    struct cli_context k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_get_optional(cli, "account", &account_id)) {
        return cli_fail_missing(cli, "--account needs an account id");
    }
    rc = cli_open_store(cli, &k, false);
    if (rc != 0) {
        return rc;
    }

    status =
        account_id != NULL ? cli_find_account(cli, &k, account_id) : STATUS_OK;
    if (status == STATUS_OK) {
        status = audit_verify(k.db, account_id, &report, &k.err);
    }
    rc = status == STATUS_OK ? keys_verify_report(cli, &report)
                             : cli_fail(cli, &k.err);
    cli_close_store(&k);
    return rc;
}

int
cli_audit(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"list", cli_audit_list, "--account ID [--limit N] [--json]",
         "show an account's newest audit entries (default 100, at most "
         "500)",
         false},
        {"verify", cli_audit_verify, "[--account ID] [--json]",
         "check the hash chain of one account or all; exit 1 if broken", false},
    };

    return cli_dispatch(cli, "audit", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

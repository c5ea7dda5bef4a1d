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

/* What one command holds open and the account it works in. */
struct keys {
    struct store store;
    sqlite3 *db;
    struct error err;
    struct account account;
};

/* ---- plumbing ---------------------------------------------------------- */

static int
keys_open(struct cli *cli, struct keys *k)
{
    memset(k, 0, sizeof(*k));
    return cli_open_store(cli, &k->store, &k->db);
}

static void
keys_close(struct keys *k)
{
    store_release(&k->store, k->db);
    store_close(&k->store);
}

static int
keys_print_json(json_t *out)
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

static json_t *
keys_time_json(int64_t ms)
{
    char iso[CLOCK_ISO_MAX];

    if (ms == 0) {
        return json_null();
    }
    clock_format_iso(ms, iso);
    return json_string(iso);
}

/* A stored value fit for a terminal: control bytes shown as '?'. */
static const char *
keys_text(struct arena *arena, const char *value)
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

static enum status
keys_find_account(struct cli *cli, struct keys *k, const char *id)
{
    enum status status;

    status = account_get(k->db, &cli->arena, id, &k->account, &k->err);
    if (status == STATUS_NOT_FOUND) {
        status = error_set(&k->err, status, "NOT_FOUND",
                           "no account with id %s", id);
    }
    return status;
}

/* Append an audit entry for the CLI; detail is consumed. */
static enum status
keys_audit(struct keys *k, const char *event, const char *target,
           json_t *detail)
{
    struct audit_entry entry = {0};
    enum status status;
    char *text;

    text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    if (text == NULL) {
        return error_set(&k->err, STATUS_NOMEM, NULL, "out of memory");
    }

    entry.account_id = k->account.id;
    entry.actor_id = "cli";
    entry.actor_login = "cli";
    entry.event = event;
    entry.target = target;
    entry.detail = text;
    status = audit_append(k->db, &entry, &k->err);
    free(text);
    return status;
}

/*
 * The value of an optional option into *value (NULL when absent); false
 * when the option is there without a value.
 */
static bool
keys_optional(const struct cli *cli, const char *name, const char **value)
{
    *value = cli_option(cli, name);
    if (*value == NULL) {
        return !cli_flag(cli, name);
    }
    return **value != '\0';
}

/* Whether an option was given a value other than "". */
static bool
keys_has(const struct cli *cli, const char *name)
{
    const char *value = cli_option(cli, name);

    return value != NULL && *value != '\0';
}

static int
keys_missing(const struct cli *cli, const char *message)
{
    struct error err;

    error_set(&err, STATUS_INVALID, "MISSING_OPTION", "%s; try --help",
              message);
    return cli_fail(cli, &err);
}

/* ---- apikey ------------------------------------------------------------ */

static json_t *
keys_apikey_json(const struct apikey *key, const char *login)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:o}", "id",
                     key->id, "name", key->name, "prefix", key->prefix,
                     "user_id", key->user_id, "login", login, "created_at",
                     keys_time_json(key->created_ms), "expires_at",
                     keys_time_json(key->expires_ms), "last_used_at",
                     keys_time_json(key->last_used_ms), "revoked_at",
                     keys_time_json(key->revoked_ms));
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

/* A key name is stored and shown: bounded, UTF-8, no control bytes. */
static bool
keys_is_name(const char *name)
{
    json_t *probe;

    if (strlen(name) > KEYS_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f) {
            return false;
        }
    }

    /* jansson refuses invalid UTF-8, which JSON output could not carry. */
    probe = json_string(name);
    json_decref(probe);
    return probe != NULL;
}

static enum status
keys_create_steps(struct cli *cli, struct keys *k, const char *login,
                  const char *name, char *secret, struct apikey *key)
{
    enum status status;
    struct user user;

    if (name != NULL && !keys_is_name(name)) {
        return error_set(&k->err, STATUS_INVALID, "INVALID_OPTION",
                         "the key name must be UTF-8 text of at most %d "
                         "bytes without control characters",
                         KEYS_NAME_MAX);
    }

    status = keys_find_account(cli, k, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status = user_get_by_login(k->db, &cli->arena, login, &user, &k->err);
        if (status == STATUS_NOT_FOUND) {
            return error_set(&k->err, status, "NOT_FOUND",
                             "no user with login %s", login);
        }
    }
    if (status == STATUS_OK &&
        !membership_exists(k->db, k->account.id, user.id)) {
        return error_set(&k->err, STATUS_NOT_FOUND, "NOT_MEMBER",
                         "%s is not a member of account %s", login,
                         k->account.id);
    }
    if (status == STATUS_OK) {
        status = identity_apikey_create(k->db, &cli->arena, k->account.id,
                                        user.id, name, 0, secret, key, &k->err);
    }
    if (status == STATUS_OK) {
        status = keys_audit(k, "apikey.created", key->id,
                            json_pack("{s:s, s:s, s:s}", "name", key->name,
                                      "prefix", key->prefix, "owner", user.id));
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
    struct keys k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!keys_has(cli, "account") || !keys_has(cli, "login")) {
        return keys_missing(cli, "apikey create needs --account and --login");
    }
    rc = keys_open(cli, &k);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(k.db, &k.err);
    if (status == STATUS_OK) {
        status = keys_create_steps(cli, &k, login, cli_option(cli, "name"),
                                   secret, &key);
        if (status == STATUS_OK) {
            status = store_commit(k.db, &k.err);
        }
        if (status != STATUS_OK) {
            store_rollback(k.db);
        }
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = keys_print_json(
            json_pack("{s:s, s:s}", "id", key.id, "secret", secret));
    } else {
        printf("api key: %s (%s)\n"
               "secret:  %s\n"
               "Keep the secret now: it is not shown again.\n",
               key.id, keys_text(&cli->arena, login), secret);
    }
    secret_wipe(secret, sizeof(secret));
    keys_close(&k);
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
    json_t *list = json_array();
    enum status status;
    const char *login;
    struct keys k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        json_decref(list);
        return 2;
    }
    if (!keys_has(cli, "account")) {
        json_decref(list);
        return keys_missing(cli, "apikey list needs --account");
    }
    rc = keys_open(cli, &k);
    if (rc != 0) {
        json_decref(list);
        return rc;
    }

    status = keys_find_account(cli, &k, cli_option(cli, "account"));
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
                   keys_apikey_state(&keys[i]), keys_text(&cli->arena, login),
                   keys_text(&cli->arena, keys[i].name));
        }
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = keys_print_json(json_pack("{s:O}", "api_keys", list));
    }
    json_decref(list);
    keys_close(&k);
    return rc;
}

static enum status
keys_revoke_steps(struct cli *cli, struct keys *k, const char *id,
                  struct apikey *key, bool *changed)
{
    enum status status;

    status = keys_find_account(cli, k, cli_option(cli, "account"));
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
            status = keys_audit(k, "apikey.revoked", id,
                                json_pack("{s:s, s:s}", "prefix", key->prefix,
                                          "owner", key->user_id));
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
    struct keys k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!keys_has(cli, "account") || !keys_has(cli, "id")) {
        return keys_missing(cli, "apikey revoke needs --account and --id");
    }
    rc = keys_open(cli, &k);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(k.db, &k.err);
    if (status == STATUS_OK) {
        status = keys_revoke_steps(cli, &k, id, &key, &changed);
        if (status == STATUS_OK) {
            status = store_commit(k.db, &k.err);
        }
        if (status != STATUS_OK) {
            store_rollback(k.db);
        }
    }

    if (status == STATUS_OK &&
        user_get(k.db, &cli->arena, key.user_id, &owner, NULL) == STATUS_OK) {
        login = owner.login;
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = keys_print_json(json_pack("{s:o, s:b}", "api_key",
                                       keys_apikey_json(&key, login), "changed",
                                       changed));
    } else {
        printf("API key %s (%s) of %s %s\n", key.id, key.prefix,
               keys_text(&cli->arena, login),
               changed ? "revoked" : "was already revoked");
    }
    keys_close(&k);
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
                     "seq", (json_int_t)e->seq, "ts", keys_time_json(e->ts_ms),
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
           keys_text(&cli->arena, e->actor_login),
           keys_text(&cli->arena, e->event),
           *e->target ? keys_text(&cli->arena, e->target) : "-",
           keys_text(&cli->arena, e->detail));
}

static int
cli_audit_list(struct cli *cli)
{
    static const char *const options[] = {"account", "limit", NULL};
    static const char *const flags[] = {"json", NULL};
    struct audit_entry *entries = NULL;
    json_t *list = json_array();
    const char *text;
    enum status status;
    size_t count = 0;
    struct keys k;
    int limit = KEYS_AUDIT_LIMIT;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        json_decref(list);
        return 2;
    }
    if (!keys_has(cli, "account")) {
        json_decref(list);
        return keys_missing(cli, "audit list needs --account");
    }
    rc = keys_open(cli, &k);
    if (rc != 0) {
        json_decref(list);
        return rc;
    }

    status = STATUS_OK;
    if (!keys_optional(cli, "limit", &text) ||
        !keys_parse_limit(text, &limit)) {
        status = error_set(&k.err, STATUS_INVALID, "INVALID_OPTION",
                           "--limit must be a whole number from 1 to %d",
                           KEYS_AUDIT_MAX);
    }
    if (status == STATUS_OK) {
        status = keys_find_account(cli, &k, cli_option(cli, "account"));
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

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &k.err);
    } else if (cli->json) {
        rc = keys_print_json(json_pack("{s:O}", "entries", list));
    }
    json_decref(list);
    keys_close(&k);
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
        keys_print_json(out);
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
    struct keys k;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!keys_optional(cli, "account", &account_id)) {
        return keys_missing(cli, "--account needs an account id");
    }
    rc = keys_open(cli, &k);
    if (rc != 0) {
        return rc;
    }

    status =
        account_id != NULL ? keys_find_account(cli, &k, account_id) : STATUS_OK;
    if (status == STATUS_OK) {
        status = audit_verify(k.db, account_id, &report, &k.err);
    }
    rc = status == STATUS_OK ? keys_verify_report(cli, &report)
                             : cli_fail(cli, &k.err);
    keys_close(&k);
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

/*
 * users.c - `ganymede user` and `ganymede group`: the operator's tools for
 * the people of an account and the groups that give them their rights.
 * The keys and the audit log have theirs in keys.c.
 *
 * They work on the control store directly, beside a running server.  A
 * command that changes anything does all of it in one transaction with
 * its audit entries (actor "cli"), so a refusal at any step leaves the
 * store as it was.  Names are resolved the way an operator thinks of them:
 * users by login, groups by name, accounts by id.
 *
 * A password reaches stdout only when the command generated it, and then
 * once.  Values read back from the store go to a terminal with their
 * control bytes masked.
 */
#include "cli/cli.h"

#include "crypto/random.h"
#include "identity/password.h"
#include "store/accounts.h"
#include "store/credentials.h"

#include <jansson.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define ADMIN_NAME_MAX      256 /* a user's display name, in bytes */
#define ADMIN_LOGIN_MAX     254 /* the longest email address */
#define ADMIN_GROUPS_MAX    32  /* --group options to one user add */
#define ADMIN_PASSWORD_SIZE (PASSWORD_MAX_LEN + 2)

/* ---- plumbing ---------------------------------------------------------- */

/*
 * The start of a command: refuse arguments other than options and --json
 * (exit 2) and any required option without a value, then open the store
 * into a.  0, or the exit code to return.
 */
static int
admin_start(struct cli *cli, struct cli_context *a, const char *command,
            const char *const *options, const char *const *required)
{
    static const char *const flags[] = {"json", NULL};

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    for (size_t i = 0; required[i] != NULL; i++) {
        if (!cli_has_option(cli, required[i])) {
            return cli_fail_missing(cli, "%s needs --%s", command,
                                    required[i]);
        }
    }
    return cli_open_store(cli, a, false);
}

/* A login is an email address: local@domain, no spaces. */
static enum status
admin_check_login(const char *login, struct error *err)
{
    const char *at = strchr(login, '@');
    enum status status;

    status = cli_check_text(login, ADMIN_LOGIN_MAX, "the login", err);
    if (status != STATUS_OK) {
        return status;
    }
    if (at == NULL || at == login || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL || strchr(login, ' ') != NULL) {
        return error_set(err, STATUS_INVALID, "INVALID_OPTION",
                         "the login must be an email address such as "
                         "alice@example.com");
    }
    return STATUS_OK;
}

/* ---- lookups ----------------------------------------------------------- */

static enum status
admin_find_group(struct cli *cli, struct cli_context *a, const char *name)
{
    enum status status;

    status = group_get_by_name(a->db, &cli->arena, a->account.id, name,
                               &a->group, &a->err);
    if (status == STATUS_NOT_FOUND) {
        status =
            error_set(&a->err, status, "NOT_FOUND",
                      "no group named %s in account %s", name, a->account.id);
    }
    return status;
}

static bool
admin_in_group(struct cli *cli, struct cli_context *a)
{
    struct group *groups = NULL;
    size_t count = 0;

    if (group_list(a->db, &cli->arena, a->account.id, a->user.id, &groups,
                   &count, NULL) != STATUS_OK) {
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(groups[i].id, a->group.id) == 0) {
            return true;
        }
    }
    return false;
}

static bool
admin_is_admin_group(const struct group *group)
{
    return group->predefined && strcmp(group->name, GROUP_ADMINISTRATORS) == 0;
}

static enum status
admin_last_administrator(struct cli_context *a, const char *login)
{
    return error_set(&a->err, STATUS_CONFLICT, "LAST_ADMINISTRATOR",
                     "%s is the last administrator of account %s; make "
                     "another member an administrator first",
                     login, a->account.id);
}

/* ---- passwords --------------------------------------------------------- */

/*
 * Read one line of standard input into out[ADMIN_PASSWORD_SIZE], without
 * its line ending.  On a terminal the prompt goes to stderr and nothing
 * is echoed.  NUL bytes and lines over PASSWORD_MAX_LEN bytes are refused.
 */
static enum status
admin_read_line(const char *prompt, char *out, struct error *err)
{
    struct termios saved, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    bool nul = false, got = false;
    size_t len = 0, seen = 0;
    int c;

    if (tty) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        fprintf(stderr, "%s", prompt);
    }
    while ((c = getchar()) != EOF && c != '\n') {
        got = true;
        nul = nul || c == '\0';
        if (len + 1 < ADMIN_PASSWORD_SIZE) {
            out[len++] = (char)c;
        }
        seen++;
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fputc('\n', stderr);
    }
    if (len > 0 && out[len - 1] == '\r') {
        len--;
        seen--;
    }
    out[len] = '\0';

    if (!got && c == EOF) {
        return error_set(err, STATUS_INVALID, "MISSING_PASSWORD",
                         "expected the password on standard input");
    }
    if (nul) {
        return error_set(err, STATUS_INVALID, "WEAK_PASSWORD",
                         "the password must not hold a NUL byte");
    }
    if (seen > PASSWORD_MAX_LEN) {
        return error_set(err, STATUS_INVALID, "WEAK_PASSWORD",
                         "the password must be at most %d bytes",
                         PASSWORD_MAX_LEN);
    }
    return STATUS_OK;
}

/* A new password from stdin, typed twice on a terminal, policy checked. */
static enum status
admin_read_password(const char *login, char *out, struct error *err)
{
    char again[ADMIN_PASSWORD_SIZE];
    enum status status;

    status = admin_read_line("new password: ", out, err);
    if (status == STATUS_OK && isatty(STDIN_FILENO)) {
        status = admin_read_line("again: ", again, err);
        if (status == STATUS_OK && strcmp(out, again) != 0) {
            status = error_set(err, STATUS_INVALID, "PASSWORD_MISMATCH",
                               "the two passwords differ");
        }
        secret_wipe(again, sizeof(again));
    }
    if (status == STATUS_OK) {
        status = password_check_policy(out, login, err);
    }
    return status;
}

/* ---- user -------------------------------------------------------------- */

static int
admin_user_created(struct cli *cli, const struct user *user,
                   const char *generated)
{
    json_t *out;

    if (cli->json) {
        out = json_pack("{s:s, s:s, s:s}", "id", user->id, "login", user->login,
                        "name", user->name);
        if (out != NULL && generated != NULL) {
            json_object_set_new(out, "password", json_string(generated));
        }
        return cli_print_json(out);
    }
    printf("user:     %s (%s)\n", cli_mask_text(&cli->arena, user->login),
           user->id);
    if (generated != NULL) {
        printf("password: %s\n"
               "Keep the password now: it is not shown again.\n",
               generated);
    }
    return 0;
}

static int
cli_user_create(struct cli *cli)
{
    static const char *const options[] = {"login", "name", NULL};
    static const char *const required[] = {"login", NULL};
    const char *login = cli_option(cli, "login");
    const char *name = cli_option(cli, "name");
    char password[ADMIN_PASSWORD_SIZE], hash[PASSWORD_HASH_MAX];
    bool generated = isatty(STDIN_FILENO);
    enum status status;
    struct cli_context a;
    int rc;

    rc = admin_start(cli, &a, "user create", options, required);
    if (rc != 0) {
        return rc;
    }

    status = admin_check_login(login, &a.err);
    if (status == STATUS_OK && name != NULL) {
        status = cli_check_text(name, ADMIN_NAME_MAX, "the name", &a.err);
    }
    if (status == STATUS_OK && !cli_apply_password_cost(&cli->config, &a.err)) {
        status = STATUS_INVALID;
    }
    if (status == STATUS_OK && generated) {
        cli_generate_password(password, login);
    } else if (status == STATUS_OK) {
        status = admin_read_password(login, password, &a.err);
    }
    if (status == STATUS_OK) {
        status = password_hash(password, hash, &a.err);
    }

    /* Users belong to no account, so there is no audit log to write. */
    if (status == STATUS_OK) {
        status = store_begin(a.db, &a.err);
        if (status == STATUS_OK) {
            status = user_create(a.db, &cli->arena, login, name, hash, false,
                                 &a.user, &a.err);
            status = cli_end_transaction(&a, status);
        }
    }
    if (status == STATUS_OK) {
        rc = admin_user_created(cli, &a.user, generated ? password : NULL);
    } else {
        rc = cli_fail(cli, &a.err);
    }
    secret_wipe(password, sizeof(password));
    secret_wipe(hash, sizeof(hash));
    cli_close_store(&a);
    return rc;
}

/* The groups of a user in an account, as JSON and as "A, B" text. */
static json_t *
admin_user_groups(struct cli *cli, struct cli_context *a, const char *user_id,
                  const char **text)
{
    struct group *groups = NULL;
    json_t *list = json_array();
    size_t count = 0;
    const char *joined = "";

    group_list(a->db, &cli->arena, a->account.id, user_id, &groups, &count,
               NULL);
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "id", groups[i].id,
                                              "name", groups[i].name));
        joined = arena_printf(&cli->arena, "%s%s%s", joined, i > 0 ? ", " : "",
                              groups[i].name);
        if (joined == NULL) {
            joined = "";
        }
    }
    *text = cli_mask_text(&cli->arena, joined);
    return list;
}

static int
cli_user_list(struct cli *cli)
{
    static const char *const options[] = {"account", NULL};
    static const char *const flags[] = {"json", NULL};
    json_t *list, *item;
    struct user *users = NULL;
    const char *account_id;
    enum status status;
    const char *groups;
    size_t count = 0;
    struct cli_context a;
    int rc;

    if (!cli_check_args(cli, options, flags)) {
        return 2;
    }
    if (!cli_get_optional(cli, "account", &account_id)) {
        return cli_fail_missing(cli, "--account needs an account id");
    }
    rc = cli_open_store(cli, &a, false);
    if (rc != 0) {
        return rc;
    }
    list = json_array();

    status = account_id != NULL ? cli_find_account(cli, &a, account_id)
                                : STATUS_OK;
    if (status == STATUS_OK) {
        status =
            user_list(a.db, &cli->arena, account_id, &users, &count, &a.err);
    }
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        const struct user *u = &users[i];

        item = json_pack("{s:s, s:s, s:s, s:b, s:o}", "id", u->id, "login",
                         u->login, "name", u->name, "is_support", u->is_support,
                         "created_at", cli_time_json(u->created_ms));
        groups = "";
        if (account_id != NULL) {
            json_object_set_new(item, "groups",
                                admin_user_groups(cli, &a, u->id, &groups));
        }
        json_array_append_new(list, item);
        if (!cli->json) {
            printf("%-36s  %s%s%s%s%s\n", u->id,
                   cli_mask_text(&cli->arena, u->login),
                   *u->name ? "  " : "", cli_mask_text(&cli->arena, u->name),
                   *groups ? "  " : "", *groups ? groups : "");
        }
    }

    rc = cli_finish_list(cli, status, &a.err, "users", list);
    cli_close_store(&a);
    return rc;
}

static enum status
admin_user_add_steps(struct cli *cli, struct cli_context *a, const char *login)
{
    struct group groups[ADMIN_GROUPS_MAX];
    enum status status;
    const char *name;
    size_t count = 0;
    int pos = 0;

    /* Resolve every name before changing anything. */
    status = cli_find_user(cli, a, login, false);
    if (status == STATUS_OK &&
        membership_exists(a->db, a->account.id, a->user.id)) {
        status = error_set(&a->err, STATUS_CONFLICT, "ALREADY_MEMBER",
                           "%s is already a member of account %s", login,
                           a->account.id);
    }
    while (status == STATUS_OK &&
           (name = cli_next_option(cli, "group", &pos)) != NULL) {
        if (count == ADMIN_GROUPS_MAX) {
            status = error_set(&a->err, STATUS_INVALID, "INVALID_OPTION",
                               "at most %d --group options", ADMIN_GROUPS_MAX);
        } else {
            status = admin_find_group(cli, a, name);
            groups[count++] = a->group;
        }
    }

    if (status == STATUS_OK) {
        status = membership_add(a->db, a->account.id, a->user.id, &a->err);
    }
    if (status == STATUS_OK) {
        status = cli_append_audit(a, "member.added", a->user.id,
                                  json_pack("{s:s}", "login", a->user.login));
    }

    /* Joining put the user in Users already; a name given twice is one. */
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        a->group = groups[i];
        if (admin_in_group(cli, a)) {
            continue;
        }
        status = group_member_add(a->db, a->account.id, a->group.id, a->user.id,
                                  &a->err);
        if (status == STATUS_OK) {
            status = cli_append_audit(a, "group.member_added", a->group.id,
                                      json_pack("{s:s, s:s, s:s}", "group",
                                                a->group.name, "user_id",
                                                a->user.id, "login",
                                                a->user.login));
        }
    }
    return status;
}

static int
cli_user_add(struct cli *cli)
{
    static const char *const options[] = {"account", "login", "group", NULL};
    static const char *const required[] = {"account", "login", NULL};
    const char *groups = "";
    enum status status;
    struct cli_context a;
    json_t *list;
    int rc;

    rc = admin_start(cli, &a, "user add", options, required);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(a.db, &a.err);
    if (status == STATUS_OK) {
        status = cli_find_account(cli, &a, cli_option(cli, "account"));
    }
    if (status == STATUS_OK) {
        status = admin_user_add_steps(cli, &a, cli_option(cli, "login"));
    }
    status = cli_end_transaction(&a, status);

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &a.err);
    } else {
        list = admin_user_groups(cli, &a, a.user.id, &groups);
        if (cli->json) {
            rc = cli_print_json(json_pack(
                "{s:s, s:s, s:s, s:o}", "account_id", a.account.id, "user_id",
                a.user.id, "login", a.user.login, "groups", list));
        } else {
            json_decref(list);
            printf("added %s to account %s (groups: %s)\n",
                   cli_mask_text(&cli->arena, a.user.login), a.account.id,
                   groups);
        }
    }
    cli_close_store(&a);
    return rc;
}

static int
cli_user_remove(struct cli *cli)
{
    static const char *const options[] = {"account", "login", NULL};
    const char *login = cli_option(cli, "login");
    enum status status;
    struct cli_context a;
    int rc;

    rc = admin_start(cli, &a, "user remove", options, options);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(a.db, &a.err);
    if (status == STATUS_OK) {
        status = cli_find_account(cli, &a, cli_option(cli, "account"));
    }
    if (status == STATUS_OK) {
        status = cli_find_user(cli, &a, login, true);
    }
    if (status == STATUS_OK &&
        group_is_last_administrator(a.db, a.account.id, a.user.id)) {
        status = admin_last_administrator(&a, login);
    }
    if (status == STATUS_OK) {
        status = membership_remove(a.db, a.account.id, a.user.id, &a.err);
    }
    if (status == STATUS_OK) {
        status = cli_append_audit(&a, "member.removed", a.user.id,
                                  json_pack("{s:s}", "login", a.user.login));
    }
    status = cli_end_transaction(&a, status);

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &a.err);
    } else if (cli->json) {
        rc = cli_print_json(json_pack("{s:b}", "ok", 1));
    } else {
        printf("removed %s from account %s\n",
               cli_mask_text(&cli->arena, a.user.login), a.account.id);
    }
    cli_close_store(&a);
    return rc;
}

/* Set the hash, end every session, and tell each account's audit log. */
static enum status
admin_passwd_steps(struct cli *cli, struct cli_context *a, const char *hash,
                   int *ended)
{
    struct account *accounts = NULL;
    enum status status;
    size_t count = 0;

    status = user_set_password(a->db, a->user.id, hash, &a->err);
    if (status == STATUS_OK) {
        status = session_delete_for_user(a->db, a->user.id, ended, &a->err);
    }
    if (status == STATUS_OK) {
        status = account_list(a->db, &cli->arena, a->user.id, &accounts, &count,
                              &a->err);
    }
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        a->account = accounts[i];
        status = cli_append_audit(a, "password.changed", a->user.id,
                                  json_pack("{s:s}", "login", a->user.login));
    }
    return status;
}

static int
cli_user_passwd(struct cli *cli)
{
    static const char *const options[] = {"login", NULL};
    const char *login = cli_option(cli, "login");
    char password[ADMIN_PASSWORD_SIZE], hash[PASSWORD_HASH_MAX];
    enum status status;
    struct cli_context a;
    int ended = 0;
    int rc;

    rc = admin_start(cli, &a, "user passwd", options, options);
    if (rc != 0) {
        return rc;
    }

    /* Hash before the transaction: it is slow and needs no lock. */
    status = cli_find_user(cli, &a, login, false);
    if (status == STATUS_OK && !cli_apply_password_cost(&cli->config, &a.err)) {
        status = STATUS_INVALID;
    }
    if (status == STATUS_OK) {
        status = admin_read_password(a.user.login, password, &a.err);
    }
    if (status == STATUS_OK) {
        status = password_hash(password, hash, &a.err);
    }
    if (status == STATUS_OK) {
        status = store_begin(a.db, &a.err);
        if (status == STATUS_OK) {
            status = admin_passwd_steps(cli, &a, hash, &ended);
            status = cli_end_transaction(&a, status);
        }
    }

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &a.err);
    } else if (cli->json) {
        rc = cli_print_json(
            json_pack("{s:b, s:i}", "ok", 1, "sessions_ended", ended));
    } else {
        printf("password changed for %s; %d session%s ended\n",
               cli_mask_text(&cli->arena, a.user.login), ended,
               ended == 1 ? "" : "s");
    }
    secret_wipe(password, sizeof(password));
    secret_wipe(hash, sizeof(hash));
    cli_close_store(&a);
    return rc;
}

int
cli_user(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"create", cli_user_create, "--login EMAIL [--name NAME] [--json]",
         "create a user; the password is read from stdin, or generated and "
         "shown once when stdin is a terminal",
         false},
        {"list", cli_user_list, "[--account ID] [--json]",
         "list every user, or the members of an account", false},
        {"add", cli_user_add,
         "--account ID --login EMAIL [--group NAME]... [--json]",
         "make a user a member of an account (and of groups there)", false},
        {"remove", cli_user_remove, "--account ID --login EMAIL [--json]",
         "remove a user from an account, with its keys and sessions", false},
        {"passwd", cli_user_passwd, "--login EMAIL [--json]",
         "set a user's password from stdin and end its sessions", false},
    };

    return cli_dispatch(cli, "user", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

/* ---- group ------------------------------------------------------------- */

static json_t *
admin_group_json(struct cli *cli, struct cli_context *a, const struct group *g)
{
    struct policy_ref *policies = NULL;
    struct user *members = NULL;
    json_t *plist = json_array(), *mlist = json_array();
    size_t pcount = 0, mcount = 0;

    group_policies(a->db, &cli->arena, g->id, &policies, &pcount, NULL);
    for (size_t i = 0; i < pcount; i++) {
        json_array_append_new(plist,
                              json_pack("{s:s, s:s}", "id", policies[i].id,
                                        "name", policies[i].name));
    }
    group_members(a->db, &cli->arena, a->account.id, g->id, &members, &mcount,
                  NULL);
    for (size_t i = 0; i < mcount; i++) {
        json_array_append_new(mlist,
                              json_pack("{s:s, s:s}", "id", members[i].id,
                                        "login", members[i].login));
    }
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:I, s:o}", "id", g->id, "name",
                     g->name, "description", g->description, "predefined",
                     g->predefined, "policies", plist, "member_count",
                     (json_int_t)g->member_count, "members", mlist);
}

static void
admin_group_print(struct cli *cli, const struct group *g, json_t *json)
{
    json_t *members = json_object_get(json, "members");
    size_t count = json_array_size(members);
    const char *login;
    size_t i;
    json_t *m;

    printf("%s  (%zu member%s)  %s\n", cli_mask_text(&cli->arena, g->name),
           count, count == 1 ? "" : "s",
           cli_mask_text(&cli->arena, g->description));
    json_array_foreach(members, i, m)
    {
        login = json_string_value(json_object_get(m, "login"));
        printf("    %s\n", cli_mask_text(&cli->arena, login));
    }
}

static int
cli_group_list(struct cli *cli)
{
    static const char *const options[] = {"account", NULL};
    struct group *groups = NULL;
    json_t *list, *item;
    enum status status;
    size_t count = 0;
    struct cli_context a;
    int rc;

    rc = admin_start(cli, &a, "group list", options, options);
    if (rc != 0) {
        return rc;
    }
    list = json_array();

    status = cli_find_account(cli, &a, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status = group_list(a.db, &cli->arena, a.account.id, NULL, &groups,
                            &count, &a.err);
    }
    for (size_t i = 0; status == STATUS_OK && i < count; i++) {
        item = admin_group_json(cli, &a, &groups[i]);
        if (!cli->json) {
            admin_group_print(cli, &groups[i], item);
        }
        json_array_append_new(list, item);
    }

    rc = cli_finish_list(cli, status, &a.err, "groups", list);
    cli_close_store(&a);
    return rc;
}

static enum status
admin_member_steps(struct cli *cli, struct cli_context *a, bool add,
                   bool *changed)
{
    enum status status;
    json_t *detail;

    status = cli_find_account(cli, a, cli_option(cli, "account"));
    if (status == STATUS_OK) {
        status = admin_find_group(cli, a, cli_option(cli, "group"));
    }
    if (status == STATUS_OK) {
        status = cli_find_user(cli, a, cli_option(cli, "login"), add);
    }
    if (status != STATUS_OK) {
        return status;
    }

    *changed = admin_in_group(cli, a) != add;
    if (!add && !*changed) {
        return error_set(&a->err, STATUS_NOT_FOUND, "NOT_FOUND",
                         "%s is not in group %s", a->user.login, a->group.name);
    }
    if (!*changed) {
        return STATUS_OK;
    }
    if (!add && admin_is_admin_group(&a->group) &&
        group_is_last_administrator(a->db, a->account.id, a->user.id)) {
        return admin_last_administrator(a, a->user.login);
    }

    status = add ? group_member_add(a->db, a->account.id, a->group.id,
                                    a->user.id, &a->err)
                 : group_member_remove(a->db, a->account.id, a->group.id,
                                       a->user.id, &a->err);
    if (status != STATUS_OK) {
        return status;
    }
    detail = json_pack("{s:s, s:s, s:s}", "group", a->group.name, "user_id",
                       a->user.id, "login", a->user.login);
    return cli_append_audit(a,
                            add ? "group.member_added" : "group.member_removed",
                            a->group.id, detail);
}

static int
admin_member_change(struct cli *cli, bool add)
{
    static const char *const options[] = {"account", "group", "login", NULL};
    bool changed = false;
    enum status status;
    struct cli_context a;
    int rc;

    rc = admin_start(cli, &a,
                     add ? "group add-member" : "group remove-member",
                     options, options);
    if (rc != 0) {
        return rc;
    }

    status = store_begin(a.db, &a.err);
    if (status == STATUS_OK) {
        status = admin_member_steps(cli, &a, add, &changed);
    }
    status = cli_end_transaction(&a, status);

    if (status != STATUS_OK) {
        rc = cli_fail(cli, &a.err);
    } else if (cli->json) {
        rc = cli_print_json(
            json_pack("{s:b, s:b}", "ok", 1, "changed", changed));
    } else {
        printf("%s %s group %s of account %s\n",
               cli_mask_text(&cli->arena, a.user.login),
               !changed ? "is already in"
               : add    ? "added to"
                        : "removed from",
               cli_mask_text(&cli->arena, a.group.name), a.account.id);
    }
    cli_close_store(&a);
    return rc;
}

static int
cli_group_add_member(struct cli *cli)
{
    return admin_member_change(cli, true);
}

static int
cli_group_remove_member(struct cli *cli)
{
    return admin_member_change(cli, false);
}

int
cli_group(struct cli *cli)
{
    static const struct cli_command commands[] = {
        {"list", cli_group_list, "--account ID [--json]",
         "list the groups of an account with their members", false},
        {"add-member", cli_group_add_member,
         "--account ID --group NAME --login EMAIL [--json]",
         "put a member of the account in a group", false},
        {"remove-member", cli_group_remove_member,
         "--account ID --group NAME --login EMAIL [--json]",
         "take a member out of a group", false},
    };

    return cli_dispatch(cli, "group", commands,
                        sizeof(commands) / sizeof(commands[0]));
}

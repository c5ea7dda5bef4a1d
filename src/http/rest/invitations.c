/*
 * invitations.c - inviting people into the current account by email, and
 * accepting an invitation with the token it carries.
 *
 * An invitation holds a random 256-bit token that is stored only as its
 * SHA-256 digest.  When an SMTP server is configured the token goes out by
 * mail and never appears in an answer; otherwise the inviting administrator
 * gets it once, in the answer to the creation, to pass on.  The mail is
 * sent before anything is written, so that a slow mail server never holds
 * the store's write lock and a failed delivery leaves nothing behind.
 *
 * Accepting is the one public route here: the token is the credential.  A
 * new login gets the password given (under the password policy); an
 * existing login must prove itself with its current password.  Joining the
 * account, the groups named at invitation, the state change and the audit
 * entry all commit together or not at all.
 */
#include "http/rest/rest.h"

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "http/server.h"
#include "identity/password.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define INVITATION_EMAIL_MAX    254
#define INVITATION_GROUPS_MAX   64
#define INVITATION_GROUP_ID_MAX 128
#define INVITATION_TOKEN_BYTES  32
#define INVITATION_TOKEN_MAX    128  /* what a client may present */
#define INVITATION_PASSWORD_MAX 1024 /* policy says why past 128 */
#define INVITATION_NAME_MAX     200
#define INVITATION_SMTP_TIMEOUT 10L /* seconds for the whole exchange */

/* ---- validation -------------------------------------------------------- */

/*
 * A plain address: one '@', a non-empty local part, and a domain of
 * non-empty labels with at least one dot.  Spaces, control characters and
 * the characters that delimit addresses in mail headers are refused, so
 * the address can go into a header or an SMTP command unquoted.
 */
static bool
invitations_is_email(const char *email)
{
    static const char specials[] = "<>()[]\\,;:\"";
    const char *at = strchr(email, '@');
    const char *domain;
    size_t len = strlen(email);

    if (len == 0 || len > INVITATION_EMAIL_MAX || at == NULL || at == email ||
        strchr(at + 1, '@') != NULL) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)email; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || strchr(specials, *p) != NULL) {
            return false;
        }
    }

    domain = at + 1;
    if (*domain == '\0' || *domain == '.' || email[len - 1] == '.' ||
        strchr(domain, '.') == NULL || strstr(domain, "..") != NULL) {
        return false;
    }
    return true;
}

/* The optional "groups" member: an array of up to a few dozen ids. */
static enum status
invitations_read_groups(json_t *body, json_t **out, struct error *err)
{
    json_t *value = json_object_get(body, "groups");
    json_t *item;
    size_t i;

    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        return STATUS_OK;
    }
    if (!json_is_array(value)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"groups\" must be an array of group "
                         "ids");
    }
    if (json_array_size(value) > INVITATION_GROUPS_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"groups\" may name at most %d groups",
                         INVITATION_GROUPS_MAX);
    }
    json_array_foreach(value, i, item)
    {
        if (!json_is_string(item) || json_string_length(item) == 0 ||
            json_string_length(item) > INVITATION_GROUP_ID_MAX ||
            strlen(json_string_value(item)) != json_string_length(item)) {
            return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                             "the field \"groups\" must be an array of "
                             "group ids");
        }
    }
    *out = value;
    return STATUS_OK;
}

/* The state of the store an invitation needs: not a member, groups exist. */
static enum status
invitations_check(sqlite3 *db, struct request *req, const char *email,
                  json_t *groups, struct error *err)
{
    const char *account_id = req->subject.account_id;
    struct group group;
    struct user user;
    json_t *item;
    size_t i;

    if (user_get_by_login(db, &req->arena, email, &user, NULL) == STATUS_OK &&
        membership_exists(db, account_id, user.id)) {
        return error_set(err, STATUS_CONFLICT, "ALREADY_MEMBER",
                         "a user with that email is already a member of "
                         "this account");
    }
    json_array_foreach(groups, i, item)
    {
        if (group_get(db, &req->arena, account_id, json_string_value(item),
                      &group, NULL) != STATUS_OK) {
            return rest_not_found(err, "group");
        }
    }
    return STATUS_OK;
}

/* ---- answers ----------------------------------------------------------- */

static const char *
invitations_state(const struct invitation *inv, int64_t now_ms)
{
    if (inv->revoked_ms != 0) {
        return "revoked";
    }
    if (inv->accepted_ms != 0) {
        return "accepted";
    }
    if (now_ms >= inv->expires_ms) {
        return "expired";
    }
    return "pending";
}

static json_t *
invitations_json(const struct invitation *inv, int64_t now_ms)
{
    return json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "id", inv->id, "email",
        inv->email, "invited_by", inv->invited_by, "created_at",
        rest_time(inv->created_ms), "expires_at", rest_time(inv->expires_ms),
        "accepted_at", rest_time(inv->accepted_ms), "revoked_at",
        rest_time(inv->revoked_ms), "status", invitations_state(inv, now_ms));
}

/*
 * Where the invitee goes: public_url, else the listen address, then the
 * page of the web app, with the token in the fragment (never sent to a
 * server) when one is given.
 */
static char *
invitations_accept_url(struct request *req, const char *token)
{
    const struct config *config = req->server->config;
    const char *base = config->public_url;
    size_t len;

    if (base == NULL || *base == '\0') {
        base =
            arena_printf(&req->arena, "%s://%s",
                         config->plain_http ? "http" : "https", config->listen);
        if (base == NULL) {
            return NULL;
        }
    }
    len = strlen(base);
    while (len > 0 && base[len - 1] == '/') {
        len--;
    }
    return arena_printf(&req->arena, "%.*s/accept-invitation%s%s", (int)len,
                        base, token != NULL ? "#token=" : "",
                        token != NULL ? token : "");
}

/* ---- mail -------------------------------------------------------------- */

struct invitations_mail {
    const char *text;
    size_t len;
    size_t sent;
};

static size_t
invitations_mail_read(char *buffer, size_t size, size_t nitems, void *data)
{
    struct invitations_mail *mail = data;
    size_t room = size * nitems;
    size_t n = mail->len - mail->sent;

    if (n > room) {
        n = room;
    }
    memcpy(buffer, mail->text + mail->sent, n);
    mail->sent += n;
    return n;
}

/*
 * libcurl's global set-up is not safe to race with itself, and request
 * threads would otherwise each trigger it from curl_easy_init().
 */
static pthread_once_t invitations_curl_once = PTHREAD_ONCE_INIT;

static void
invitations_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The whole message, headers and body, with CRLF line ends. */
static char *
invitations_mail_text(struct request *req, const char *email, const char *url,
                      int64_t expires_ms)
{
    const struct config *config = req->server->config;
    char date[64], expires[CLOCK_ISO_MAX];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    clock_format_iso(expires_ms, expires);

    return arena_printf(&req->arena,
                        "Date: %s\r\n"
                        "From: %s\r\n"
                        "To: %s\r\n"
                        "Subject: Your invitation to Ganymede\r\n"
                        "MIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n"
                        "\r\n"
                        "You have been invited to join an account on "
                        "Ganymede.\r\n"
                        "\r\n"
                        "To accept, open this link:\r\n"
                        "\r\n"
                        "%s\r\n"
                        "\r\n"
                        "The invitation expires at %s.  If you did not "
                        "expect it, ignore this message.\r\n",
                        date, config->smtp_from, email, url, expires);
}

/*
 * Send the invitation through the configured SMTP server.  The curl error
 * goes to the log; the message, which holds the token, goes nowhere else.
 */
static enum status
invitations_send(struct request *req, const char *email, const char *url,
                 int64_t expires_ms, struct error *err)
{
    const struct config *config = req->server->config;
    char curl_error[CURL_ERROR_SIZE] = "";
    struct invitations_mail mail = {0};
    struct curl_slist *rcpt = NULL;
    const char *from = NULL, *to = NULL;
    enum status status = STATUS_OK;
    CURLcode rc = CURLE_FAILED_INIT;
    CURL *curl = NULL;

    if (config->smtp_from == NULL || *config->smtp_from == '\0') {
        snprintf(curl_error, sizeof(curl_error), "smtp_from is not set");
        goto out;
    }
    mail.text = invitations_mail_text(req, email, url, expires_ms);
    from = arena_printf(&req->arena, "<%s>", config->smtp_from);
    to = arena_printf(&req->arena, "<%s>", email);
    pthread_once(&invitations_curl_once, invitations_curl_init);
    curl = curl_easy_init();
    rcpt = to != NULL ? curl_slist_append(NULL, to) : NULL;
    if (mail.text == NULL || from == NULL || curl == NULL || rcpt == NULL) {
        snprintf(curl_error, sizeof(curl_error), "out of memory");
        goto out;
    }
    mail.len = strlen(mail.text);

    curl_easy_setopt(curl, CURLOPT_URL, config->smtp_url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, INVITATION_SMTP_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, invitations_mail_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &mail);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    if (strncasecmp(config->smtp_url, "smtp://", 7) == 0) {
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    }
    if (config->smtp_user != NULL) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, config->smtp_user);
    }
    if (config->smtp_password != NULL) {
        curl_easy_setopt(curl, CURLOPT_PASSWORD, config->smtp_password);
    }
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK && curl_error[0] == '\0') {
        snprintf(curl_error, sizeof(curl_error), "%s", curl_easy_strerror(rc));
    }

out:
    if (rc != CURLE_OK) {
        log_event(LOG_WARN, "mail", "smtp_failed", "req", req->id, "account",
                  req->subject.account_id, "error", curl_error, NULL);
        status = error_set(err, STATUS_UPSTREAM, "SMTP_FAILED",
                           "the invitation email could not be sent; no "
                           "invitation was created");
    }
    if (mail.text != NULL) {
        secret_wipe((char *)mail.text, strlen(mail.text));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return status;
}

/* ---- handlers ---------------------------------------------------------- */

enum status
rest_invitations_list(struct request *req, struct error *err)
{
    struct invitation *list = NULL;
    int64_t now = clock_now_ms();
    size_t count = 0;
    enum status status;
    json_t *items;
    sqlite3 *db;

    status = rest_require(req, ACCESS_ACTION_READ, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = http_db(req, &db, err);
    }
    if (status == STATUS_OK) {
        status = invitation_list(db, &req->arena, req->subject.account_id,
                                 &list, &count, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    items = json_array();
    for (size_t i = 0; i < count; i++) {
        json_array_append_new(items, invitations_json(&list[i], now));
    }
    return http_reply_json(req, 200, json_pack("{s:o}", "invitations", items));
}

/* The checked body of a new invitation. */
static enum status
invitations_read_create(struct request *req, const char **email,
                        json_t **groups, struct error *err)
{
    static const char *const fields[] = {"email", "groups", NULL};
    const char *support = req->server->config->support_login;
    enum status status;
    json_t *body;

    status = rest_body(req, fields, &body, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "email", true, INVITATION_EMAIL_MAX,
                                  email, err);
    }
    if (status == STATUS_OK && !invitations_is_email(*email)) {
        status = error_set(err, STATUS_INVALID, "INVALID_FIELD",
                           "the field \"email\" must be an address such as "
                           "name@example.com");
    }

    /* The operator's support identity is never an ordinary user. */
    if (status == STATUS_OK && support != NULL &&
        strcasecmp(*email, support) == 0) {
        status = error_set(err, STATUS_INVALID, "INVALID_FIELD",
                           "that address is reserved for the support user");
    }
    if (status == STATUS_OK) {
        status = invitations_read_groups(body, groups, err);
    }
    return status;
}

/* Store the invitation and its audit entry in one transaction. */
static enum status
invitations_store(struct request *req, const struct invitation *inv,
                  const char *hash, json_t *groups, const char *groups_text,
                  bool smtp, struct error *err)
{
    enum status status;
    sqlite3 *db;

    status = rest_begin(req, &db, err);
    if (status != STATUS_OK) {
        return status;
    }
    status = invitations_check(db, req, inv->email, groups, err);
    if (status == STATUS_OK) {
        status = invitation_insert(db, inv, hash, groups_text, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(
            req, db, "invitation.created", inv->id,
            json_pack("{s:s, s:o, s:s}", "email", inv->email, "groups",
                      groups != NULL ? json_incref(groups) : json_array(),
                      "delivery", smtp ? "smtp" : "none"),
            err);
    }
    return rest_finish(db, status, err);
}

enum status
rest_invitation_create(struct request *req, struct error *err)
{
    const struct config *config = req->server->config;
    bool smtp = config->smtp_url != NULL && *config->smtp_url != '\0';
    char token[INVITATION_TOKEN_MAX + 1];
    char hash[SHA256_HEX_LEN + 1];
    char id[UUID_LEN + 1];
    struct invitation inv = {0};
    char *groups_text = NULL, *url = NULL;
    const char *email = NULL;
    json_t *groups = NULL, *answer;
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_CREATE, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = invitations_read_create(req, &email, &groups, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    random_token(token, INVITATION_TOKEN_BYTES);
    identity_token_hash(token, hash);
    random_uuid(id);
    inv.id = id;
    inv.account_id = (char *)req->subject.account_id;
    inv.email = (char *)email;
    inv.invited_by = (char *)req->subject.user_id;
    inv.created_ms = clock_now_ms();
    inv.expires_ms = inv.created_ms + config->invitation_ttl * 1000;
    groups_text =
        groups != NULL ? json_dumps(groups, JSON_COMPACT) : strdup("[]");
    url = invitations_accept_url(req, token);
    if (groups_text == NULL || url == NULL) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }

    /* Mail first, checked first: a refused or failed send stores nothing. */
    if (smtp) {
        status = http_db(req, &db, err);
        if (status == STATUS_OK) {
            status = invitations_check(db, req, email, groups, err);
        }
        if (status == STATUS_OK) {
            status = invitations_send(req, email, url, inv.expires_ms, err);
        }
        if (status != STATUS_OK) {
            goto out;
        }
    }

    status = invitations_store(req, &inv, hash, groups, groups_text, smtp, err);
    if (status != STATUS_OK) {
        goto out;
    }

    /* The token is shown only when no mail carried it. */
    answer = json_pack("{s:o, s:s, s:s}", "invitation",
                       invitations_json(&inv, inv.created_ms), "delivery",
                       smtp ? "smtp" : "none", "accept_url",
                       smtp ? invitations_accept_url(req, NULL) : url);
    if (answer != NULL && !smtp) {
        json_object_set_new(answer, "token", json_string(token));
    }
    status = http_reply_json(req, 201, answer);

out:
    secret_wipe(token, sizeof(token));
    if (url != NULL) {
        secret_wipe(url, strlen(url));
    }
    free(groups_text);
    return status;
}

/* The pending, unexpired invitation a token stands for. */
static enum status
invitations_find_pending(sqlite3 *db, struct request *req, const char *token,
                         struct invitation *out, char **groups,
                         struct error *err)
{
    char hash[SHA256_HEX_LEN + 1];

    identity_token_hash(token, hash);
    if (invitation_find_by_hash(db, &req->arena, hash, out, groups, NULL) !=
            STATUS_OK ||
        strcmp(invitations_state(out, clock_now_ms()), "pending") != 0) {
        return error_set(err, STATUS_INVALID, "INVALID_INVITATION",
                         "the invitation is unknown, used, revoked or "
                         "expired");
    }
    return STATUS_OK;
}

/*
 * The user who accepts: the existing one with that login, who must give
 * the current password, or a new one with the password given.
 */
static enum status
invitations_accept_user(sqlite3 *db, struct request *req, const char *email,
                        const char *password, const char *name,
                        struct user *out, bool *created, struct error *err)
{
    char hashed[PASSWORD_HASH_MAX];
    enum status status;

    *created = false;
    if (user_get_by_login(db, &req->arena, email, out, NULL) == STATUS_OK) {
        if (!password_verify(password, out->password_hash)) {
            return error_set(err, STATUS_UNAUTHENTICATED, "INVALID_CREDENTIALS",
                             "the login or password is not correct");
        }
        return STATUS_OK;
    }

    status = password_check_policy(password, email, err);
    if (status == STATUS_OK) {
        status = password_hash(password, hashed, err);
    }
    if (status == STATUS_OK) {
        status =
            user_create(db, &req->arena, email, name, hashed, false, out, err);
        *created = status == STATUS_OK;
    }
    secret_wipe(hashed, sizeof(hashed));
    return status;
}

/* Put the user in the groups stored with the invitation that still exist. */
static enum status
invitations_join_groups(sqlite3 *db, const char *account_id,
                        const char *user_id, const char *groups_text,
                        struct error *err)
{
    enum status status = STATUS_OK;
    json_t *groups, *item;
    size_t i;

    groups = json_loads(groups_text != NULL ? groups_text : "[]", 0, NULL);
    if (!json_is_array(groups)) {
        json_decref(groups);
        return error_set(err, STATUS_CORRUPT, NULL,
                         "an invitation's groups are unreadable");
    }
    json_array_foreach(groups, i, item)
    {
        if (status == STATUS_OK && json_is_string(item)) {
            status = group_member_add(db, account_id, json_string_value(item),
                                      user_id, err);
        }
    }
    json_decref(groups);
    return status;
}

enum status
rest_invitation_accept(struct request *req, struct error *err)
{
    static const char *const fields[] = {"token", "password", "name", NULL};
    const char *token, *password, *name = NULL;
    struct invitation inv;
    struct account account;
    struct user user;
    char *groups = NULL;
    bool created = false;
    enum status status;
    json_t *body;
    sqlite3 *db;

    status = rest_body(req, fields, &body, err);
    if (status == STATUS_OK) {
        status = http_body_string(body, "token", true, INVITATION_TOKEN_MAX,
                                  &token, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "password", true,
                                  INVITATION_PASSWORD_MAX, &password, err);
    }
    if (status == STATUS_OK) {
        status = http_body_string(body, "name", false, INVITATION_NAME_MAX,
                                  &name, err);
    }
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    status = invitations_find_pending(db, req, token, &inv, &groups, err);
    if (status == STATUS_OK) {
        status = invitations_accept_user(db, req, inv.email, password, name,
                                         &user, &created, err);
    }
    if (status == STATUS_OK) {
        status = membership_add(db, inv.account_id, user.id, err);
    }
    if (status == STATUS_OK) {
        status =
            invitations_join_groups(db, inv.account_id, user.id, groups, err);
    }
    if (status == STATUS_OK) {
        status = invitation_mark(db, inv.id, true, clock_now_ms(), err);
    }
    if (status == STATUS_OK) {
        status = rest_audit_as(
            req, db, inv.account_id, user.id, user.login, "invitation.accepted",
            inv.id,
            json_pack("{s:s, s:b}", "email", inv.email, "new_user", created),
            err);
    }
    if (status == STATUS_OK) {
        status = account_get(db, &req->arena, inv.account_id, &account, err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }

    return http_reply_json(req, 200,
                           json_pack("{s:o, s:{s:s, s:s}}", "user",
                                     rest_user_json(&user), "account", "id",
                                     account.id, "name", account.name));
}

enum status
rest_invitation_revoke(struct request *req, struct error *err)
{
    const char *account_id = req->subject.account_id;
    const char *id = req->params[0];
    struct invitation inv;
    int64_t now = clock_now_ms();
    enum status status;
    sqlite3 *db;

    status =
        rest_require(req, ACCESS_ACTION_DELETE, ACCESS_RESOURCE_USERS, err);
    if (status == STATUS_OK) {
        status = rest_begin(req, &db, err);
    }
    if (status != STATUS_OK) {
        return status;
    }

    if (invitation_get(db, &req->arena, account_id, id, &inv, NULL) !=
        STATUS_OK) {
        status = rest_not_found(err, "invitation");
    }
    if (status == STATUS_OK) {
        status = invitation_mark(db, inv.id, false, now, err);
    }
    if (status == STATUS_OK) {
        status = rest_audit(req, db, "invitation.revoked", inv.id,
                            json_pack("{s:s}", "email", inv.email), err);
    }
    if (status == STATUS_OK) {
        status = invitation_get(db, &req->arena, account_id, id, &inv, err);
    }
    status = rest_finish(db, status, err);
    if (status != STATUS_OK) {
        return status;
    }
    return http_reply_json(
        req, 200,
        json_pack("{s:o}", "invitation", invitations_json(&inv, now)));
}

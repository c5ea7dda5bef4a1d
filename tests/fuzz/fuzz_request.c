/*
 * fuzz_request.c - libFuzzer target for the path from a request to its
 * handler: routing, header checks, authentication, JSON body parsing and
 * the handlers themselves, against a real control store in a temporary
 * directory.
 *
 * An input is an HTTP request in text form:
 *
 *     METHOD PATH
 *     Header-Name: value
 *     ...
 *     <blank line>
 *     body bytes
 *
 * The placeholder "@KEY@" in a header is replaced by a valid API key of the
 * store's administrator, so that the fuzzer reaches the authenticated
 * handlers too.
 */
#include "access/access.h"
#include "base/log.h"
#include "config/config.h"
#include "crypto/random.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"
#include "identity/identity.h"
#include "identity/password.h"
#include "store/accounts.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct server fuzz_server;
static struct config fuzz_config;
static char fuzz_key[APIKEY_SECRET_LEN + 1];

/* Make a store with one account, an administrator and an API key. */
static void
fuzz_setup(void)
{
    char dir[] = "/tmp/ganymede-fuzz-XXXXXX";
    struct account account;
    struct apikey key;
    struct group admins;
    struct user user;
    struct arena arena;
    sqlite3 *db;

    if (crypto_init() != 0 || mkdtemp(dir) == NULL) {
        abort();
    }
    log_init(LOG_ERROR, open("/dev/null", O_WRONLY));
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);

    config_init(&fuzz_config);
    config_set(&fuzz_config, "data_dir", dir, NULL);
    config_set(&fuzz_config, "plain_http", "true", NULL);

    arena_init(&arena);
    if (store_open(&fuzz_server.store, dir, true, NULL) != STATUS_OK ||
        graph_store_open(&fuzz_server.graphs, dir, 0, NULL) != STATUS_OK ||
        store_acquire(&fuzz_server.store, &db, NULL) != STATUS_OK ||
        account_create(db, &arena, NULL, "Fuzz", &account, NULL) !=
            STATUS_OK ||
        user_create(db, &arena, "fuzz@example.com", "Fuzz", NULL, false,
                    &user, NULL) != STATUS_OK ||
        membership_add(db, account.id, user.id, NULL) != STATUS_OK ||
        group_get_by_name(db, &arena, account.id, GROUP_ADMINISTRATORS,
                          &admins, NULL) != STATUS_OK ||
        group_member_add(db, account.id, admins.id, user.id, NULL) !=
            STATUS_OK ||
        identity_apikey_create(db, &arena, account.id, user.id, "fuzz", 0,
                               fuzz_key, &key, NULL) != STATUS_OK) {
        abort();
    }
    store_release(&fuzz_server.store, db);
    arena_release(&arena);

    fuzz_server.config = &fuzz_config;
    metrics_init(&fuzz_server.metrics);
    router_init(&fuzz_server.metrics);
}

/* Split the next line off (data, size) at *pos; NULL when none is left. */
static char *
fuzz_line(struct request *req, const uint8_t *data, size_t size, size_t *pos)
{
    size_t start = *pos;
    size_t end = start;

    if (start >= size) {
        return NULL;
    }
    while (end < size && data[end] != '\n') {
        end++;
    }
    *pos = end < size ? end + 1 : end;
    return arena_strndup(&req->arena, (const char *)data + start,
                         end - start);
}

static const char *
fuzz_expand(struct request *req, const char *value)
{
    const char *at = strstr(value, "@KEY@");

    if (at == NULL) {
        return value;
    }
    return arena_printf(&req->arena, "%.*s%s%s", (int)(at - value), value,
                        fuzz_key, at + 5);
}

/* Split "a=1&b" after '?' into the request's arguments. */
static void
fuzz_query(struct request *req, char *query)
{
    char *save = NULL;

    for (char *arg = strtok_r(query, "&", &save); arg != NULL;
         arg = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(arg, '=');

        if (req->arg_count == REQUEST_HEADERS_MAX) {
            req->headers_overflow = true;
            return;
        }
        if (eq != NULL) {
            *eq = '\0';
        }
        req->args[req->arg_count].name = arg;
        req->args[req->arg_count].value = eq != NULL ? eq + 1 : "";
        req->arg_count++;
    }
}

static void
fuzz_parse(struct request *req, const uint8_t *data, size_t size)
{
    size_t pos = 0;
    char *line = fuzz_line(req, data, size, &pos);
    char *space, *colon;

    req->method = "GET";
    req->path = "/";
    if (line != NULL && (space = strchr(line, ' ')) != NULL) {
        *space = '\0';
        req->method = line;
        req->path = space + 1;
        if ((space = strchr(space + 1, '?')) != NULL) {
            *space = '\0';
            fuzz_query(req, space + 1);
        }
    }

    while ((line = fuzz_line(req, data, size, &pos)) != NULL &&
           *line != '\0') {
        colon = strchr(line, ':');
        if (colon == NULL) {
            continue;
        }
        if (req->header_count == REQUEST_HEADERS_MAX) {
            req->headers_overflow = true;
            break;
        }
        *colon = '\0';
        req->headers[req->header_count].name = line;
        req->headers[req->header_count].value =
            fuzz_expand(req, colon[1] == ' ' ? colon + 2 : colon + 1);
        req->header_count++;
    }

    if (pos < size) {
        req->body = arena_strndup(&req->arena, (const char *)data + pos,
                                  size - pos);
        req->body_len = size - pos;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    struct request req;

    if (!ready) {
        fuzz_setup();
        ready = true;
    }
    if (size > 65536) {
        return 0;
    }

    memset(&req, 0, sizeof(req));
    arena_init(&req.arena);
    req.server = &fuzz_server;
    req.peer = "127.0.0.1";
    req.peer_loopback = true;
    req.deadline_us = INT64_MAX;
    snprintf(req.id, sizeof(req.id), "fuzz");
    fuzz_parse(&req, data, size);

    router_dispatch(&req);

    /* Every answer must be a status with a body the client can read. */
    if (req.status < 200 || req.status > 599 || req.reply == NULL) {
        abort();
    }
    arena_release(&req.arena);
    return 0;
}

/*
 * control.h - the control store: accounts, users, memberships, groups,
 * policies, API keys, sessions, invitations, login throttling and the audit
 * log, in one SQLite database at DATA/control.db.
 *
 * A struct store owns a small pool of connections so that request threads
 * do not share one handle; store_acquire() hands one out and
 * store_release() takes it back.  The typed queries live in the other
 * files of this module (store/accounts.h and friends) and take a connection.
 */
#ifndef GANYMEDE_STORE_CONTROL_H
#define GANYMEDE_STORE_CONTROL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "store/sql.h"

#define STORE_POOL_MAX 64

struct store {
    char *data_dir;
    char *control_path;
    pthread_mutex_t lock;
    struct sql_cache *idle[STORE_POOL_MAX]; /* a connection and its cache */
    int idle_len;
};

/* Open DATA/control.db, creating the directory and file if create. */
enum status store_open(struct store *store, const char *data_dir,
                       bool create, struct error *err);
void store_close(struct store *store);

enum status store_acquire(struct store *store, sqlite3 **out,
                          struct error *err);
void store_release(struct store *store, sqlite3 *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK with error mapping. */
enum status store_begin(sqlite3 *db, struct error *err);
enum status store_commit(sqlite3 *db, struct error *err);
void store_rollback(sqlite3 *db);

/*
 * The control store's auth generation: triggers move it whenever
 * something a resolved subject depends on changes (a key revoked, expired
 * or deleted; a membership, group membership or policy binding added or
 * removed; a policy edited; a user, account or group renamed).  Adding a
 * key moves nothing, since no cached subject depends on it.  -1 when it
 * cannot be read, which no cache entry matches.
 */
int64_t store_auth_generation(sqlite3 *db);

/* Check the connection can answer: for /readyz. */
bool store_is_ready(struct store *store);

#endif

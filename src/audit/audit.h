/*
 * audit.h - the per-account audit log, an append-only chain of entries in
 * which each entry's hash covers its own fields and the previous entry's
 * hash, so that changing, removing or reordering any entry breaks every
 * hash after it and audit_verify() names the first broken one.
 */
#ifndef GANYMEDE_AUDIT_AUDIT_H
#define GANYMEDE_AUDIT_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "crypto/random.h"

struct audit_entry {
    const char *account_id;
    int64_t seq;
    int64_t ts_ms;
    const char *actor_id;    /* user id, or "cli" / "system" */
    const char *actor_login; /* login at the time, for readers */
    const char *event;       /* e.g. "apikey.created" */
    const char *target;      /* id of what the event is about, or "" */
    const char *detail;      /* JSON object text, never a secret */
    const char *source_addr;
    const char *request_id;
    char prev_hash[SHA256_HEX_LEN + 1];
    char hash[SHA256_HEX_LEN + 1];
};

/*
 * Append an entry (seq, ts_ms and the hashes are filled in).  Runs inside
 * the caller's transaction when there is one, so that a change and its
 * entry commit together; otherwise in a transaction of its own.
 */
enum status audit_append(sqlite3 *db, struct audit_entry *entry,
                         struct error *err);

/* Entries of one account, newest first, with seq < before (0: newest). */
enum status audit_list(sqlite3 *db, struct arena *arena,
                       const char *account_id, int64_t before, int limit,
                       struct audit_entry **out, size_t *count,
                       struct error *err);

struct audit_report {
    int64_t checked;           /* entries verified */
    bool broken;
    char account_id[128];      /* where the chain first breaks */
    int64_t seq;
    char reason[128];
};

/* Check the chain of one account, or of all accounts if account_id NULL. */
enum status audit_verify(sqlite3 *db, const char *account_id,
                         struct audit_report *report, struct error *err);

#endif

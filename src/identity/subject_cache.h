/*
 * subject_cache.h - resolved API-key subjects kept in memory, so that a
 * request with a known key costs one small read instead of five queries.
 *
 * An entry is keyed by a SipHash of the key under a random per-process
 * key (fast, and without the process key nobody can aim at a slot or a
 * collision), and remembers the control store's
 * auth generation (store_auth_generation) at the time it was made; any
 * change to keys, memberships, groups or policies moves the generation on,
 * in this process or another, and the entry is then ignored.  Entries also
 * age out after SUBJECT_CACHE_TTL_MS so that a key's last-used time is
 * still written about once a minute.
 */
#ifndef GANYMEDE_IDENTITY_SUBJECT_CACHE_H
#define GANYMEDE_IDENTITY_SUBJECT_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "access/access.h"
#include "base/arena.h"

#define SUBJECT_CACHE_SLOTS  1024
#define SUBJECT_CACHE_TTL_MS 60000

struct subject_cache_entry;

#define SUBJECT_CACHE_DIGEST 16

struct subject_cache {
    unsigned char key[16]; /* SipHash key, random per process */
    pthread_mutex_t locks[16];
    struct subject_cache_entry *slots[SUBJECT_CACHE_SLOTS];
};

void subject_cache_init(struct subject_cache *cache);
void subject_cache_release(struct subject_cache *cache);

/* Copy a live entry for the API key secret into *out (in arena). */
bool subject_cache_get(struct subject_cache *cache, const char *secret,
                       int64_t generation, int64_t now_ms, struct arena *arena,
                       struct subject *out);

/* Remember a subject resolved at generation; expires_ms 0: never. */
void subject_cache_put(struct subject_cache *cache, const char *secret,
                       int64_t generation, int64_t now_ms, int64_t expires_ms,
                       const struct subject *subject);

#endif

/*
 * subject_cache.c - a fixed table of slots, one entry per slot (a newer
 * key simply replaces an older one in its slot), each slot guarded by one
 * of sixteen locks.  An entry owns an arena holding its copy of the
 * subject, so making and dropping one is one subject_copy() and one
 * arena_release().
 */
#include "identity/subject_cache.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct subject_cache_entry {
    unsigned char digest[SUBJECT_CACHE_DIGEST];
    int64_t generation;
    int64_t made_ms;
    int64_t expires_ms;
    struct arena arena;
    struct subject subject; /* everything it points to is in arena */
};

static void
subject_cache_free(struct subject_cache_entry *e)
{
    if (e != NULL) {
        arena_release(&e->arena);
        free(e);
    }
}

void
subject_cache_init(struct subject_cache *cache)
{
    memset(cache, 0, sizeof(*cache));
    randombytes_buf(cache->key, sizeof(cache->key));
    for (int i = 0; i < 16; i++) {
        pthread_mutex_init(&cache->locks[i], NULL);
    }
}

void
subject_cache_release(struct subject_cache *cache)
{
    for (int i = 0; i < SUBJECT_CACHE_SLOTS; i++) {
        subject_cache_free(cache->slots[i]);
        cache->slots[i] = NULL;
    }
    for (int i = 0; i < 16; i++) {
        pthread_mutex_destroy(&cache->locks[i]);
    }
}

static unsigned
subject_cache_digest(const struct subject_cache *cache, const char *secret,
                     unsigned char *digest)
{
    crypto_shorthash_siphashx24(digest, (const unsigned char *)secret,
                                strlen(secret), cache->key);
    return (unsigned)(digest[0] | digest[1] << 8) % SUBJECT_CACHE_SLOTS;
}

bool
subject_cache_get(struct subject_cache *cache, const char *secret,
                  int64_t generation, int64_t now_ms, struct arena *arena,
                  struct subject *out)
{
    unsigned char digest[SUBJECT_CACHE_DIGEST];
    unsigned slot = subject_cache_digest(cache, secret, digest);
    pthread_mutex_t *lock = &cache->locks[slot % 16];
    struct subject_cache_entry *e;
    bool hit = false;

    pthread_mutex_lock(lock);
    e = cache->slots[slot];
    if (e != NULL && sodium_memcmp(e->digest, digest, sizeof(digest)) == 0 &&
        e->generation == generation &&
        now_ms - e->made_ms < SUBJECT_CACHE_TTL_MS &&
        (e->expires_ms == 0 || now_ms < e->expires_ms)) {
        hit = subject_copy(arena, &e->subject, out) == STATUS_OK;
    }
    pthread_mutex_unlock(lock);
    return hit;
}

void
subject_cache_put(struct subject_cache *cache, const char *secret,
                  int64_t generation, int64_t now_ms, int64_t expires_ms,
                  const struct subject *subject)
{
    unsigned char digest[SUBJECT_CACHE_DIGEST];
    unsigned slot = subject_cache_digest(cache, secret, digest);
    pthread_mutex_t *lock = &cache->locks[slot % 16];
    struct subject_cache_entry *e = calloc(1, sizeof(*e));
    struct subject_cache_entry *old;

    if (e == NULL) {
        return;
    }
    arena_init(&e->arena);
    if (subject_copy(&e->arena, subject, &e->subject) != STATUS_OK) {
        subject_cache_free(e);
        return;
    }
    memcpy(e->digest, digest, sizeof(digest));
    e->generation = generation;
    e->made_ms = now_ms;
    e->expires_ms = expires_ms;

    pthread_mutex_lock(lock);
    old = cache->slots[slot];
    cache->slots[slot] = e;
    pthread_mutex_unlock(lock);
    subject_cache_free(old);
}

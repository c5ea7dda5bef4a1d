/*
 * subject_cache.c - a fixed table of slots, one entry per slot (a newer
 * key simply replaces an older one in its slot), each slot guarded by one
 * of sixteen locks.  Entries own malloc'd copies of their strings.
 */
#include "identity/subject_cache.h"

#include <stdlib.h>
#include <string.h>

struct subject_cache_entry {
    char key_hash[SHA256_HEX_LEN + 1];
    int64_t generation;
    int64_t made_ms;
    int64_t expires_ms;
    struct subject subject; /* strings and statements owned by the entry */
};

static void
subject_cache_free(struct subject_cache_entry *e)
{
    if (e == NULL) {
        return;
    }
    free((char *)e->subject.user_id);
    free((char *)e->subject.login);
    free((char *)e->subject.account_id);
    free((char *)e->subject.key_id);
    free(e->subject.statements);
    free(e);
}

void
subject_cache_init(struct subject_cache *cache)
{
    memset(cache, 0, sizeof(*cache));
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

/* The digest is uniformly random: its first hex digits pick the slot. */
static unsigned
subject_cache_slot(const char *key_hash)
{
    return (unsigned)strtoul((char[]){key_hash[0], key_hash[1], key_hash[2],
                                      '\0'},
                             NULL, 16) %
           SUBJECT_CACHE_SLOTS;
}

static bool
subject_cache_copy(const struct subject *from, struct subject *to,
                   char *(*dup)(void *ctx, const char *s), void *ctx,
                   struct access_statement *statements)
{
    *to = *from;
    to->user_id = dup(ctx, from->user_id);
    to->login = dup(ctx, from->login);
    to->account_id = dup(ctx, from->account_id);
    to->key_id = dup(ctx, from->key_id);
    to->session_hash = NULL;
    to->csrf_token = NULL;
    to->statements = statements;
    if (statements != NULL && from->statement_count > 0) {
        memcpy(statements, from->statements,
               from->statement_count * sizeof(*statements));
    }
    return to->user_id != NULL && to->login != NULL &&
           to->account_id != NULL && to->key_id != NULL &&
           (statements != NULL || from->statement_count == 0);
}

static char *
subject_cache_arena_dup(void *ctx, const char *s)
{
    return arena_strdup(ctx, s);
}

static char *
subject_cache_heap_dup(void *ctx, const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

bool
subject_cache_get(struct subject_cache *cache, const char *key_hash,
                  int64_t generation, int64_t now_ms, struct arena *arena,
                  struct subject *out)
{
    unsigned slot = subject_cache_slot(key_hash);
    pthread_mutex_t *lock = &cache->locks[slot % 16];
    struct subject_cache_entry *e;
    struct access_statement *statements;
    bool hit = false;

    pthread_mutex_lock(lock);
    e = cache->slots[slot];
    if (e != NULL && strcmp(e->key_hash, key_hash) == 0 &&
        e->generation == generation &&
        now_ms - e->made_ms < SUBJECT_CACHE_TTL_MS &&
        (e->expires_ms == 0 || now_ms < e->expires_ms)) {
        statements = arena_alloc(arena, e->subject.statement_count *
                                                sizeof(*statements) +
                                            1);
        hit = subject_cache_copy(&e->subject, out, subject_cache_arena_dup,
                                 arena, statements);
    }
    pthread_mutex_unlock(lock);
    return hit;
}

void
subject_cache_put(struct subject_cache *cache, const char *key_hash,
                  int64_t generation, int64_t now_ms, int64_t expires_ms,
                  const struct subject *subject)
{
    unsigned slot = subject_cache_slot(key_hash);
    pthread_mutex_t *lock = &cache->locks[slot % 16];
    struct subject_cache_entry *e = calloc(1, sizeof(*e));
    struct subject_cache_entry *old;
    struct access_statement *statements;

    if (e == NULL) {
        return;
    }
    statements = malloc(subject->statement_count * sizeof(*statements) + 1);
    if (!subject_cache_copy(subject, &e->subject, subject_cache_heap_dup,
                            NULL, statements)) {
        if (e->subject.statements == NULL) {
            free(statements);
        }
        subject_cache_free(e);
        return;
    }
    memcpy(e->key_hash, key_hash, sizeof(e->key_hash));
    e->generation = generation;
    e->made_ms = now_ms;
    e->expires_ms = expires_ms;

    pthread_mutex_lock(lock);
    old = cache->slots[slot];
    cache->slots[slot] = e;
    pthread_mutex_unlock(lock);
    subject_cache_free(old);
}

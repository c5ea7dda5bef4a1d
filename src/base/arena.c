/*
 * arena.c - block allocator behind struct arena.
 *
 * Blocks are at least ARENA_BLOCK bytes; a larger request gets a block of
 * its own.  Every pointer is aligned for any object type.
 */
#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192

struct arena_block {
    struct arena_block *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *ptr;
};

void
arena_init(struct arena *arena)
{
    arena_init_buffer(arena, NULL, 0);
}

void
arena_init_buffer(struct arena *arena, void *buf, size_t size)
{
    arena->blocks = NULL;
    arena->cleanups = NULL;
    arena->used = 0;
    arena->first = buf;
    arena->first_size = size;
    arena->first_used = 0;
}

void
arena_release(struct arena *arena)
{
    struct arena_cleanup *c;
    struct arena_block *b;

    /* Cleanups run before the memory goes, newest first. */
    for (c = arena->cleanups; c != NULL; c = c->next) {
        c->fn(c->ptr);
    }
    arena->cleanups = NULL;

    while ((b = arena->blocks) != NULL) {
        arena->blocks = b->next;
        free(b);
    }
    arena->used = 0;
    arena->first_used = 0;
}

void *
arena_alloc(struct arena *arena, size_t size)
{
    const size_t align = alignof(max_align_t);
    struct arena_block *b = arena->blocks;
    size_t need = (size + align - 1) & ~(align - 1);
    size_t block_size;
    void *p;

    if (size == 0) {
        need = align;
    }
    if (need < size) {
        return NULL; /* overflow */
    }

    if (arena->first_size - arena->first_used >= need) {
        p = arena->first + arena->first_used;
        arena->first_used += need;
        arena->used += need;
        return p;
    }

    if (b == NULL || b->size - b->used < need) {
        block_size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        if (block_size > SIZE_MAX - sizeof(*b)) {
            return NULL;
        }
        b = malloc(sizeof(*b) + block_size);
        if (b == NULL) {
            return NULL;
        }
        b->size = block_size;
        b->used = 0;

        /* Keep the current block in front when the new one is a one-off. */
        if (arena->blocks != NULL && need > ARENA_BLOCK) {
            b->next = arena->blocks->next;
            arena->blocks->next = b;
        } else {
            b->next = arena->blocks;
            arena->blocks = b;
        }
    }

    p = b->data + b->used;
    b->used += need;
    arena->used += need;
    return p;
}

void *
arena_zalloc(struct arena *arena, size_t size)
{
    void *p = arena_alloc(arena, size);

    if (p != NULL) {
        memset(p, 0, size);
    }
    return p;
}

char *
arena_strndup(struct arena *arena, const char *s, size_t len)
{
    char *p = arena_alloc(arena, len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *
arena_strdup(struct arena *arena, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    return arena_strndup(arena, s, strlen(s));
}

char *
arena_printf(struct arena *arena, const char *fmt, ...)
{
    va_list ap;
    int len;
    char *p;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) {
        return NULL;
    }

    p = arena_alloc(arena, (size_t)len + 1);
    if (p == NULL) {
        return NULL;
    }

    va_start(ap, fmt);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}

int
arena_defer(struct arena *arena, void (*fn)(void *), void *ptr)
{
    struct arena_cleanup *c = arena_alloc(arena, sizeof(*c));

    if (c == NULL) {
        return -1;
    }
    c->fn = fn;
    c->ptr = ptr;
    c->next = arena->cleanups;
    arena->cleanups = c;
    return 0;
}

/*
 * arena.h - a region allocator for one request or one command.
 *
 * Allocations come from large blocks and are never freed one by one; the
 * whole arena goes at once in arena_release(), which also runs the cleanup
 * callbacks registered with arena_defer() in reverse order (statements,
 * handles, wiping of secrets).  Allocation failure returns NULL; callers
 * check it like malloc.
 */
#ifndef GANYMEDE_BASE_ARENA_H
#define GANYMEDE_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *blocks;
    struct arena_cleanup *cleanups;
    size_t used; /* bytes handed out, for limits and metrics */
    unsigned char *first;  /* caller's buffer, used before any block */
    size_t first_size;
    size_t first_used;
};

void arena_init(struct arena *arena);

/*
 * Start with the caller's buffer (for example inside the request struct),
 * so that a small request allocates nothing; buf must stay valid and be
 * aligned for any type until arena_release().
 */
void arena_init_buffer(struct arena *arena, void *buf, size_t size);
void arena_release(struct arena *arena);

void *arena_alloc(struct arena *arena, size_t size);
void *arena_zalloc(struct arena *arena, size_t size);
char *arena_strdup(struct arena *arena, const char *s);
char *arena_strndup(struct arena *arena, const char *s, size_t len);
char *arena_printf(struct arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Run fn(ptr) when the arena is released; returns -1 if out of memory. */
int arena_defer(struct arena *arena, void (*fn)(void *), void *ptr);

#endif

/*
 * metrics.h - counters for GET /metrics in the Prometheus text format:
 * requests by route and status, a latency histogram, open connections.
 *
 * Updates are lock-free atomics; the set of routes is fixed by the router's
 * table, so no allocation happens per request.
 */
#ifndef GANYMEDE_HTTP_METRICS_H
#define GANYMEDE_HTTP_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

#define METRICS_ROUTES_MAX   96
#define METRICS_BUCKETS      12
#define METRICS_STATUS_SLOTS 600

struct metrics_route {
    const char *name;
    atomic_uint_fast64_t by_status[METRICS_STATUS_SLOTS];
};

struct metrics {
    struct metrics_route routes[METRICS_ROUTES_MAX];
    size_t route_count;
    atomic_uint_fast64_t latency_buckets[METRICS_BUCKETS + 1];
    atomic_uint_fast64_t latency_count;
    atomic_uint_fast64_t latency_sum_us;
    atomic_int open_connections;
};

void metrics_init(struct metrics *metrics);

/* Register a route name once at start; returns its slot or -1. */
int metrics_route(struct metrics *metrics, const char *name);

void metrics_observe(struct metrics *metrics, const char *route, int status,
                     int64_t duration_us);

/* Render the text exposition format into the arena. */
char *metrics_render(struct metrics *metrics, struct arena *arena,
                     size_t *len);

#endif

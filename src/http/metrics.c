/*
 * metrics.c - Prometheus counters and histogram.
 */
#include "http/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of the latency buckets, in seconds. */
static const double metrics_bounds[METRICS_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,   0.25,   0.5,   1.0,  5.0,
};

void
metrics_init(struct metrics *metrics)
{
    memset(metrics, 0, sizeof(*metrics));
    metrics_route(metrics, "unmatched");
}

int
metrics_route(struct metrics *metrics, const char *name)
{
    for (size_t i = 0; i < metrics->route_count; i++) {
        if (strcmp(metrics->routes[i].name, name) == 0) {
            return (int)i;
        }
    }
    if (metrics->route_count == METRICS_ROUTES_MAX) {
        return -1;
    }
    metrics->routes[metrics->route_count].name = name;
    return (int)metrics->route_count++;
}

static struct metrics_route *
metrics_find(struct metrics *metrics, const char *name)
{
    /* Route names are the router's static patterns: compare pointers. */
    for (size_t i = 0; i < metrics->route_count; i++) {
        if (metrics->routes[i].name == name) {
            return &metrics->routes[i];
        }
    }
    return &metrics->routes[0];
}

void
metrics_observe(struct metrics *metrics, const char *route, int status,
                int64_t duration_us)
{
    struct metrics_route *r = metrics_find(metrics, route);
    double secs = (double)duration_us / 1e6;
    size_t b = 0;

    if (status >= 0 && status < METRICS_STATUS_SLOTS) {
        atomic_fetch_add_explicit(&r->by_status[status], 1,
                                  memory_order_relaxed);
    }

    while (b < METRICS_BUCKETS && secs > metrics_bounds[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&metrics->latency_buckets[b], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&metrics->latency_count, 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&metrics->latency_sum_us,
                              (uint_fast64_t)duration_us,
                              memory_order_relaxed);
}

/* A growing text buffer in the arena, doubling as needed. */
struct metrics_text {
    struct arena *arena;
    char *buf;
    size_t len;
    size_t cap;
};

static void
metrics_append(struct metrics_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
metrics_append(struct metrics_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->buf == NULL) {
        return;
    }
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }

        char *grown = arena_alloc(t->arena, t->cap * 2);

        if (grown == NULL) {
            t->buf = NULL;
            return;
        }
        memcpy(grown, t->buf, t->len);
        t->buf = grown;
        t->cap *= 2;
    }
}

char *
metrics_render(struct metrics *metrics, struct arena *arena, size_t *len)
{
    struct metrics_text t = {arena, arena_alloc(arena, 16384), 0, 16384};
    uint_fast64_t cumulative = 0;

    metrics_append(&t, "# HELP ganymede_http_requests_total HTTP requests "
                       "by route and status.\n"
                       "# TYPE ganymede_http_requests_total counter\n");
    for (size_t i = 0; i < metrics->route_count; i++) {
        for (int s = 0; s < METRICS_STATUS_SLOTS; s++) {
            uint_fast64_t n = atomic_load(&metrics->routes[i].by_status[s]);

            if (n > 0) {
                metrics_append(&t,
                               "ganymede_http_requests_total{route=\"%s\","
                               "status=\"%d\"} %llu\n",
                               metrics->routes[i].name, s,
                               (unsigned long long)n);
            }
        }
    }

    metrics_append(&t, "# HELP ganymede_http_request_duration_seconds "
                       "Time from request start to answer.\n"
                       "# TYPE ganymede_http_request_duration_seconds "
                       "histogram\n");
    for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
        cumulative += atomic_load(&metrics->latency_buckets[b]);
        if (b < METRICS_BUCKETS) {
            metrics_append(&t,
                           "ganymede_http_request_duration_seconds_bucket"
                           "{le=\"%g\"} %llu\n",
                           metrics_bounds[b], (unsigned long long)cumulative);
        } else {
            metrics_append(&t,
                           "ganymede_http_request_duration_seconds_bucket"
                           "{le=\"+Inf\"} %llu\n",
                           (unsigned long long)cumulative);
        }
    }
    metrics_append(&t,
                   "ganymede_http_request_duration_seconds_sum %.6f\n"
                   "ganymede_http_request_duration_seconds_count %llu\n",
                   (double)atomic_load(&metrics->latency_sum_us) / 1e6,
                   (unsigned long long)atomic_load(&metrics->latency_count));

    metrics_append(&t,
                   "# HELP ganymede_http_open_connections Connections open "
                   "now.\n"
                   "# TYPE ganymede_http_open_connections gauge\n"
                   "ganymede_http_open_connections %d\n",
                   atomic_load(&metrics->open_connections));

    *len = t.len;
    return t.buf;
}

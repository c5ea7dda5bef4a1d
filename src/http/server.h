/*
 * server.h - the HTTPS server: libmicrohttpd with GnuTLS, TLS 1.2 and 1.3
 * only, event threads plus a worker pool for slow handlers, graceful
 * shutdown.
 *
 * server_run() serves until SIGTERM or SIGINT, then stops accepting, lets
 * requests in flight finish (up to a grace period) and returns.
 */
#ifndef GANYMEDE_HTTP_SERVER_H
#define GANYMEDE_HTTP_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "base/status.h"
#include "config/config.h"
#include "http/metrics.h"
#include "http/workers.h"
#include "identity/subject_cache.h"
#include "store/control.h"
#include "store/graph_store.h"

struct MHD_Daemon;
struct request;

struct server {
    const struct config *config;
    struct store store;
    struct graph_store graphs; /* the accounts' graph databases */
    struct metrics metrics;
    struct subject_cache subjects; /* resolved API keys */
    struct MHD_Daemon *daemon;
    struct workers workers; /* for handlers that block */
    atomic_int in_flight;
    atomic_bool stopping;
    char *tls_cert_pem;
    char *tls_key_pem;
};

/* Open the store and prepare everything short of listening. */
enum status server_init(struct server *server, const struct config *config,
                        struct error *err);
void server_release(struct server *server);

/* Listen and serve until a stop signal; returns after shutdown. */
enum status server_run(struct server *server, struct error *err);

/* Run one request through routing and handlers, as the daemon does. */
void server_handle(struct server *server, struct request *req);

#endif

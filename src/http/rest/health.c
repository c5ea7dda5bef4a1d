/*
 * health.c - liveness, readiness and metrics.
 */
#include "http/rest/rest.h"

#include "crypto/random.h"
#include "http/server.h"

#include <string.h>

enum status
rest_healthz(struct request *req, struct error *err)
{
    return http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

enum status
rest_readyz(struct request *req, struct error *err)
{
    struct server *server = req->server;

    if (atomic_load(&server->stopping) || !store_is_ready(&server->store)) {
        return error_set(err, STATUS_UNAVAILABLE, "UNAVAILABLE",
                         "the server is not ready to serve requests");
    }
    return http_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
}

/* Loopback peers may read metrics; others need the metrics token. */
enum status
rest_metrics(struct request *req, struct error *err)
{
    const char *token = req->server->config->metrics_token;
    const char *given = http_header_get(req, "Authorization");
    size_t len = 0;
    char *text;

    if (token != NULL && *token != '\0') {
        if (given == NULL || strncmp(given, "Bearer ", 7) != 0 ||
            !secret_equal(given + 7, token)) {
            return error_set(err, STATUS_DENIED, "FORBIDDEN",
                             "metrics need the configured metrics token");
        }
    } else if (!req->peer_loopback) {
        return error_set(err, STATUS_DENIED, "FORBIDDEN",
                         "metrics are served to loopback clients only");
    }

    text = metrics_render(&req->server->metrics, &req->arena, &len);
    if (text == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return http_reply_text(req, 200, "text/plain; version=0.0.4", text, len);
}

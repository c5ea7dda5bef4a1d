/*
 * router.h - the route table and the steps every request goes through
 * before its handler: matching, authentication, CSRF, then the handler.
 */
#ifndef GANYMEDE_HTTP_ROUTER_H
#define GANYMEDE_HTTP_ROUTER_H

#include "base/status.h"
#include "http/metrics.h"
#include "http/request.h"

enum route_auth {
    ROUTE_AUTH_NONE,    /* public: health, login, invitation acceptance */
    ROUTE_AUTH_SUBJECT, /* a resolved subject is required */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/groups/{}/members/{}" */
    enum status (*handler)(struct request *req, struct error *err);
    enum route_auth auth;
};

/* Register the route names with the metrics. */
void router_init(struct metrics *metrics);

/* Route, authenticate and run the handler; the answer is left in req. */
void router_dispatch(struct request *req);

/*
 * Whether the request's handler may block for long (password hashing,
 * mail), so that the server runs it on a worker thread.
 */
bool router_is_slow(const struct request *req);

/* The route table, for the fuzz target and the tests. */
const struct route *router_routes(size_t *count);

/*
 * Resolve req->subject from an API key or a session cookie and the account
 * headers (http/auth.c).  For a GET it leaves a read transaction open on
 * req->db, which the router ends after the handler.
 */
enum status http_authenticate(struct request *req, struct error *err);

#endif

/*
 * server.c - libmicrohttpd glue: TLS setup, reading requests into a
 * struct request, answering them, the access log, and shutdown.
 *
 * libmicrohttpd runs a few event threads (epoll), each serving many
 * connections; handlers that block hand their request to the worker pool
 * (http/workers.h) with the connection suspended meanwhile.
 *
 * Flow of a request: server_access() is called by libmicrohttpd first with
 * the headers (a struct request is made and the body cap checked), then once
 * per body chunk (appended, up to body_max), then a last time with no data,
 * when server_handle() routes it and the answer is queued.  When the answer
 * has been sent, server_completed() logs it, counts it and frees it.
 */
#include "http/server.h"

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "http/request.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Versions other than TLS 1.2 and 1.3 are never negotiated. */
#define SERVER_TLS_PRIORITIES                                                  \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

/* Request ids are this process's random prefix and a counter. */
static char server_id_prefix[12];
static atomic_uint_fast64_t server_id_counter;

#define SERVER_GRACE_SECONDS 25
/*
 * Each connection's memory for the request line and headers (and buffers);
 * a header block that does not fit is refused by libmicrohttpd itself.
 * Below that, a header block over SERVER_HEADER_BYTES is refused by us.
 */
#define SERVER_HEADER_MEMORY (16 * 1024)
#define SERVER_HEADER_BYTES  (8 * 1024)

static enum status
server_read_file(const char *path, char **out, struct error *err)
{
    FILE *f = fopen(path, "rb");
    long size;
    char *buf = NULL;

    *out = NULL;
    if (f == NULL) {
        return error_set(err, STATUS_NOT_FOUND, "TLS_FILE_MISSING",
                         "could not read %s: %s", path, strerror(errno));
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        size > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return error_set(err, STATUS_INVALID, "TLS_FILE_INVALID",
                         "%s is not a usable PEM file", path);
    }
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        fclose(f);
        return error_set(err, STATUS_IO, "TLS_FILE_INVALID",
                         "could not read %s", path);
    }
    buf[size] = '\0';
    fclose(f);
    *out = buf;
    return STATUS_OK;
}

enum status
server_init(struct server *server, const struct config *config,
            struct error *err)
{
    enum status status;
    char path[4096];

    memset(server, 0, sizeof(*server));
    server->config = config;
    random_token(server_id_prefix, 6);
    metrics_init(&server->metrics);
    router_init(&server->metrics);
    subject_cache_init(&server->subjects);

    status = store_open(&server->store, config->data_dir, false, err);
    if (status != STATUS_OK) {
        return status;
    }
    status = graph_store_open(&server->graphs, config->data_dir,
                              (size_t)config->graph_open_max, err);
    if (status != STATUS_OK) {
        store_close(&server->store);
        return status;
    }
    if (config->plain_http) {
        return STATUS_OK;
    }

    snprintf(path, sizeof(path), "%s/tls/cert.pem", config->data_dir);
    status = server_read_file(config->tls_cert ? config->tls_cert : path,
                              &server->tls_cert_pem, err);
    if (status == STATUS_OK) {
        snprintf(path, sizeof(path), "%s/tls/key.pem", config->data_dir);
        status = server_read_file(config->tls_key ? config->tls_key : path,
                                  &server->tls_key_pem, err);
    }
    if (status != STATUS_OK) {
        server_release(server);
    }
    return status;
}

void
server_release(struct server *server)
{
    graph_store_close(&server->graphs);
    store_close(&server->store);
    subject_cache_release(&server->subjects);
    if (server->tls_key_pem != NULL) {
        secret_wipe(server->tls_key_pem, strlen(server->tls_key_pem));
    }
    free(server->tls_key_pem);
    free(server->tls_cert_pem);
    server->tls_key_pem = NULL;
    server->tls_cert_pem = NULL;
}

static enum MHD_Result
server_collect_header(void *cls, enum MHD_ValueKind kind, const char *name,
                      const char *value)
{
    struct request *req = cls;

    if (req->header_count == REQUEST_HEADERS_MAX) {
        req->headers_overflow = true;
        return MHD_NO;
    }
    req->headers[req->header_count].name = name;
    req->headers[req->header_count].value = value != NULL ? value : "";
    req->header_count++;
    req->header_bytes += strlen(name) + (value != NULL ? strlen(value) : 0);
    return MHD_YES;
}

static enum MHD_Result
server_collect_arg(void *cls, enum MHD_ValueKind kind, const char *name,
                   const char *value)
{
    struct request *req = cls;

    if (req->arg_count == REQUEST_HEADERS_MAX) {
        req->headers_overflow = true;
        return MHD_NO;
    }
    req->args[req->arg_count].name = name;
    req->args[req->arg_count].value = value != NULL ? value : "";
    req->arg_count++;
    return MHD_YES;
}

static void
server_peer(struct request *req, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "unknown";
    const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

    if (sa != NULL && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
        req->peer_loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
        req->peer_loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    req->peer = arena_strdup(&req->arena, buf);
}

/* A client's X-Request-Id is kept when it is short and plain. */
static void
server_request_id(struct request *req)
{
    const char *given = http_header_get(req, "X-Request-Id");
    size_t len = given != NULL ? strlen(given) : 0;
    bool plain = len > 0 && len <= REQUEST_ID_MAX;

    for (size_t i = 0; plain && i < len; i++) {
        char c = given[i];

        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    }
    if (plain) {
        memcpy(req->id, given, len + 1);
    } else {
        /* A random prefix per process and a counter: unique, and cheap. */
        snprintf(req->id, sizeof(req->id), "%s-%" PRIxFAST64, server_id_prefix,
                 atomic_fetch_add(&server_id_counter, 1));
    }
}

static struct request *
server_request_new(struct server *server, struct MHD_Connection *conn,
                   const char *url, const char *method)
{
    struct request *req = malloc(sizeof(*req));

    if (req == NULL) {
        return NULL;
    }
    memset(req, 0, offsetof(struct request, arena_inline));
    arena_init_buffer(&req->arena, req->arena_inline,
                      sizeof(req->arena_inline));
    req->server = server;
    req->started_us = clock_monotonic_us();
    req->deadline_us =
        req->started_us + server->config->request_timeout * 1000000;
    req->method = arena_strdup(&req->arena, method);
    req->path = arena_strdup(&req->arena, url);
    req->tls = !server->config->plain_http;
    req->status = 500;

    MHD_get_connection_values(conn, MHD_HEADER_KIND, server_collect_header,
                              req);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, server_collect_arg,
                              req);
    server_peer(req, conn);
    server_request_id(req);
    atomic_fetch_add(&server->in_flight, 1);
    return req;
}

/* Append a chunk of body, refusing to grow past the cap. */
static bool
server_append_body(struct request *req, const char *data, size_t len,
                   int64_t cap)
{
    char *grown;

    if ((int64_t)(req->body_len + len) > cap) {
        return false;
    }
    grown = realloc(req->body, req->body_len + len + 1);
    if (grown == NULL) {
        return false;
    }
    memcpy(grown + req->body_len, data, len);
    req->body = grown;
    req->body_len += len;
    req->body[req->body_len] = '\0';
    return true;
}

static void
server_add_headers(struct server *server, struct request *req,
                   struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Type",
                            req->content_type ? req->content_type
                                              : "application/json");
    MHD_add_response_header(resp, "X-Request-Id", req->id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; frame-ancestors 'none'");
    if (req->tls) {
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
    }
    if (atomic_load(&server->stopping)) {
        MHD_add_response_header(resp, "Connection", "close");
    }
    for (int i = 0; i < req->reply_header_count; i++) {
        MHD_add_response_header(resp, req->reply_headers[i].name,
                                req->reply_headers[i].value);
    }
}

static enum MHD_Result
server_answer(struct server *server, struct MHD_Connection *conn,
              struct request *req)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(
        req->reply_len, req->reply != NULL ? req->reply : (char *)"",
        MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        return MHD_NO;
    }
    server_add_headers(server, req, resp);
    ret = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void
server_refuse(struct server *server, struct request *req, enum status status,
              const char *code, const char *message)
{
    struct error err;

    error_set(&err, status, code, "%s", message);
    req->route = "unmatched";
    http_reply_error(req, &err);
}

/* A slow request's handler, on a worker thread. */
static void
server_work(void *arg)
{
    struct request *req = arg;

    server_handle(req->server, req);
    MHD_resume_connection(req->connection);
}

static enum MHD_Result
server_access(void *cls, struct MHD_Connection *conn, const char *url,
              const char *method, const char *version, const char *upload_data,
              size_t *upload_data_size, void **con_cls)
{
    struct server *server = cls;
    struct request *req = *con_cls;
    const char *length;

    if (req == NULL) {
        req = server_request_new(server, conn, url, method);
        if (req == NULL) {
            return MHD_NO;
        }
        *con_cls = req;

        if (req->header_bytes > SERVER_HEADER_BYTES) {
            server_refuse(server, req, STATUS_TOO_LARGE,
                          "REQUEST_HEADERS_TOO_LARGE",
                          "the request headers are larger than the server "
                          "accepts");
            req->status = 431;
            return server_answer(server, conn, req);
        }

        /* A declared body over the cap is refused before it is read. */
        length = http_header_get(req, "Content-Length");
        if (length != NULL &&
            strtoll(length, NULL, 10) > server->config->body_max) {
            server_refuse(server, req, STATUS_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                          "the request body is larger than the server "
                          "accepts");
            return server_answer(server, conn, req);
        }
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        /*
         * A body without a declared length that outgrows the cap is read
         * on and dropped, so that the 413 can be answered once it ends;
         * one that goes on past twice the cap closes the connection.
         */
        req->received += *upload_data_size;
        if (req->reply == NULL &&
            !server_append_body(req, upload_data, *upload_data_size,
                                server->config->body_max)) {
            server_refuse(server, req, STATUS_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                          "the request body is larger than the server "
                          "accepts");
            free(req->body);
            req->body = NULL;
            req->body_len = 0;
        }
        *upload_data_size = 0;
        if (req->received > (uint64_t)server->config->body_max * 2) {
            return MHD_NO;
        }
        return MHD_YES;
    }

    /*
     * A handler that may block (password hashing, mail) runs on a worker
     * thread while the connection is suspended; libmicrohttpd calls again
     * once the worker resumes it, and the answer is then ready.
     */
    if (req->reply == NULL && !req->handed_over) {
        if (router_is_slow(req)) {
            req->handed_over = true;
            req->connection = conn;
            req->work.run = server_work;
            req->work.arg = req;
            MHD_suspend_connection(conn);
            if (workers_submit(&server->workers, &req->work)) {
                return MHD_YES;
            }
            MHD_resume_connection(conn);
        }
        server_handle(server, req);
    }
    return server_answer(server, conn, req);
}

/* Decimal text of n into out (at least 21 bytes), without printf. */
static void
server_format_uint(char *out, uint64_t n)
{
    char digits[21];
    int i = 0;

    do {
        digits[i++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while (i > 0) {
        *out++ = digits[--i];
    }
    *out = '\0';
}

/* Microseconds as milliseconds with three decimals: "12.345". */
static void
server_format_ms(char *out, int64_t us)
{
    uint64_t u = us > 0 ? (uint64_t)us : 0;
    size_t len;

    server_format_uint(out, u / 1000);
    len = strlen(out);
    out[len] = '.';
    out[len + 1] = (char)('0' + u % 1000 / 100);
    out[len + 2] = (char)('0' + u % 100 / 10);
    out[len + 3] = (char)('0' + u % 10);
    out[len + 4] = '\0';
}

static void
server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
    struct server *server = cls;
    struct request *req = *con_cls;
    int64_t duration = 0;
    char status[24], ms[32], bytes[24];

    if (req == NULL) {
        return;
    }
    *con_cls = NULL;

    duration = clock_monotonic_us() - req->started_us;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->reply == NULL) {
        req->status = 499; /* the client went away or timed out */
    }
    metrics_observe(&server->metrics, req->route ? req->route : "unmatched",
                    req->status, duration);

    server_format_uint(status, (uint64_t)req->status);
    server_format_ms(ms, duration);
    server_format_uint(bytes, req->reply_len);
    log_event(req->status >= 500 ? LOG_WARN : LOG_INFO, "http", "request",
              "account", req->subject.account_id, "req", req->id, "method",
              req->method, "path", req->path, "route", req->route, "status",
              status, "ms", ms, "bytes", bytes, "peer", req->peer, "user",
              req->subject.user_id, NULL);

    arena_release(&req->arena);
    free(req->body);
    free(req);
    atomic_fetch_sub(&server->in_flight, 1);
}

static void
server_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                  enum MHD_ConnectionNotificationCode code)
{
    struct server *server = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&server->metrics.open_connections, 1);
    } else {
        atomic_fetch_sub(&server->metrics.open_connections, 1);
    }
}

/* libmicrohttpd's own messages become log events like any other. */
static void server_library_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
server_library_log(void *cls, const char *fmt, va_list ap)
{
    char message[512];
    size_t len;

    vsnprintf(message, sizeof(message), fmt, ap);
    len = strlen(message);
    while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == ' ')) {
        message[--len] = '\0';
    }
    log_event(LOG_WARN, "http", "library", "message", message, NULL);
}

static bool
server_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;

        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

static enum status
server_resolve(const struct config *config, struct addrinfo **out,
               struct error *err)
{
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    char host[256], port_text[8];
    enum status status;
    unsigned port;
    int rc;

    status =
        config_split_listen(config->listen, host, sizeof(host), &port, err);
    if (status != STATUS_OK) {
        return status;
    }
    snprintf(port_text, sizeof(port_text), "%u", port);

    rc = getaddrinfo(host, port_text, &hints, out);
    if (rc != 0) {
        return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                         "cannot listen on %s: %s", config->listen,
                         gai_strerror(rc));
    }
    if (config->plain_http && !server_is_loopback((*out)->ai_addr)) {
        freeaddrinfo(*out);
        *out = NULL;
        return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                         "plain HTTP is only served on a loopback address, "
                         "not %s",
                         config->listen);
    }
    return STATUS_OK;
}

/* Event threads: the configured number, or one per processor. */
static unsigned
server_threads(const struct config *config)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (config->threads > 0) {
        return (unsigned)config->threads;
    }
    return cpus > 1 ? (unsigned)cpus : 1;
}

static void
server_wait_signal(void)
{
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigwait(&set, &sig);
}

enum status
server_run(struct server *server, struct error *err)
{
    const struct config *config = server->config;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct addrinfo *ai = NULL;
    enum status status;
    sigset_t set;
    int64_t waited = 0;

    status = server_resolve(config, &ai, err);
    if (status == STATUS_OK) {
        status = workers_start(&server->workers, (int)config->workers, err);
    }
    if (status != STATUS_OK) {
        if (ai != NULL) {
            freeaddrinfo(ai);
        }
        return status;
    }
    if (ai->ai_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    if (!config->plain_http) {
        flags |= MHD_USE_TLS;
    }

    /* Worker threads inherit a mask without the stop signals. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, server_access, server, MHD_OPTION_EXTERNAL_LOGGER,
        server_library_log, server, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_NOTIFY_COMPLETED, server_completed, server,
        MHD_OPTION_NOTIFY_CONNECTION, server_connection, server,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config->idle_timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)config->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)config->connection_limit_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_HEADER_MEMORY,
        MHD_OPTION_THREAD_POOL_SIZE, server_threads(config),
        config->plain_http ? MHD_OPTION_END : MHD_OPTION_HTTPS_MEM_CERT,
        server->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, server->tls_key_pem,
        MHD_OPTION_HTTPS_PRIORITIES, SERVER_TLS_PRIORITIES, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (server->daemon == NULL) {
        workers_stop(&server->workers);
        return error_set(err, STATUS_IO, "LISTEN_FAILED",
                         "could not serve on %s (address in use, or the TLS "
                         "certificate and key do not match)",
                         config->listen);
    }

    log_event(LOG_INFO, "http", "listening", "listen", config->listen, "tls",
              config->plain_http ? "off" : "on", NULL);
    server_wait_signal();

    /* Stop accepting, let requests in flight finish, then close. */
    atomic_store(&server->stopping, true);
    log_event(LOG_INFO, "http", "stopping", NULL);
    MHD_socket fd = MHD_quiesce_daemon(server->daemon);
    if (fd != MHD_INVALID_SOCKET) {
        close(fd);
    }
    while (atomic_load(&server->in_flight) > 0 &&
           waited < SERVER_GRACE_SECONDS * 1000) {
        usleep(10000);
        waited += 10;
    }

    /* Every handed-over request resumes its connection before this ends. */
    workers_stop(&server->workers);
    MHD_stop_daemon(server->daemon);
    server->daemon = NULL;
    log_event(LOG_INFO, "http", "stopped", NULL);
    return STATUS_OK;
}

void
server_handle(struct server *server, struct request *req)
{
    req->server = server;
    router_dispatch(req);
}

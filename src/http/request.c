/*
 * request.c - reading a request and writing its answer.
 */
#include "http/request.h"

#include "base/jsonw.h"
#include "http/server.h"
#include "store/db.h"

#include <string.h>
#include <strings.h>

const char *
http_header_get(const struct request *req, const char *name)
{
    for (int i = 0; i < req->header_count; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value;
        }
    }
    return NULL;
}

int
http_header_count(const struct request *req, const char *name)
{
    int n = 0;

    for (int i = 0; i < req->header_count; i++) {
        n += strcasecmp(req->headers[i].name, name) == 0;
    }
    return n;
}

const char *
http_query_get(const struct request *req, const char *name)
{
    for (int i = 0; i < req->arg_count; i++) {
        if (strcmp(req->args[i].name, name) == 0) {
            return req->args[i].value;
        }
    }
    return NULL;
}

enum status
http_db(struct request *req, sqlite3 **out, struct error *err)
{
    enum status status;

    if (req->db == NULL) {
        status = store_acquire(&req->server->store, &req->db, err);
        if (status != STATUS_OK) {
            return status;
        }
        db_set_deadline(req->db, &req->deadline_us);
    }
    *out = req->db;
    return STATUS_OK;
}

void
http_db_release(struct request *req)
{
    store_release(&req->server->store, req->db);
    req->db = NULL;
}

enum status
http_body_object(struct request *req, json_t **out, struct error *err)
{
    json_error_t jerr;
    const char *type = http_header_get(req, "Content-Type");
    json_t *root;

    *out = NULL;
    if (req->body == NULL || req->body_len == 0) {
        return error_set(err, STATUS_INVALID, "INVALID_JSON",
                         "this request needs a JSON object body");
    }
    if (type != NULL && strncasecmp(type, "application/json", 16) != 0) {
        return error_set(err, STATUS_INVALID, "UNSUPPORTED_MEDIA_TYPE",
                         "the body must be application/json");
    }

    /* jansson checks UTF-8 and refuses NUL bytes and duplicate keys. */
    root = json_loadb(req->body, req->body_len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return error_set(err, STATUS_INVALID, "INVALID_JSON",
                         "the body is not valid JSON: %s at line %d column "
                         "%d",
                         jerr.text, jerr.line, jerr.column);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return error_set(err, STATUS_INVALID, "INVALID_JSON",
                         "the body must be a JSON object");
    }
    *out = root;
    return STATUS_OK;
}

enum status
http_body_fields(json_t *body, const char *const *allowed, struct error *err)
{
    const char *key;
    json_t *value;

    json_object_foreach(body, key, value)
    {
        size_t i = 0;

        while (allowed[i] != NULL && strcmp(allowed[i], key) != 0) {
            i++;
        }
        if (allowed[i] == NULL) {
            return error_set(err, STATUS_INVALID, "UNKNOWN_FIELD",
                             "unknown field \"%.64s\" in the body", key);
        }
    }
    return STATUS_OK;
}

enum status
http_body_string(json_t *body, const char *name, bool required,
                 size_t max_len, const char **out, struct error *err)
{
    json_t *value = json_object_get(body, name);

    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        if (required) {
            return error_set(err, STATUS_INVALID, "MISSING_FIELD",
                             "the field \"%s\" is required", name);
        }
        return STATUS_OK;
    }
    if (!json_is_string(value)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" must be a string", name);
    }
    if (json_string_length(value) > max_len) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" is longer than %zu bytes", name,
                         max_len);
    }
    if (required && json_string_length(value) == 0) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" must not be empty", name);
    }
    if (strlen(json_string_value(value)) != json_string_length(value)) {
        return error_set(err, STATUS_INVALID, "INVALID_FIELD",
                         "the field \"%s\" contains a NUL character", name);
    }
    *out = json_string_value(value);
    return STATUS_OK;
}

enum status
http_reply_text(struct request *req, int status, const char *content_type,
                const char *text, size_t len)
{
    req->status = status;
    req->content_type = content_type;
    req->reply = arena_strndup(&req->arena, text, len);
    req->reply_len = req->reply != NULL ? len : 0;
    return STATUS_OK;
}

enum status
http_reply_json(struct request *req, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    enum status result = STATUS_OK;

    json_decref(body);
    if (text == NULL) {
        req->status = 500;
        return STATUS_NOMEM;
    }
    http_reply_text(req, status, "application/json", text, strlen(text));
    if (req->reply == NULL) {
        result = STATUS_NOMEM;
    }
    free(text);
    return result;
}

enum status
http_reply_jsonw(struct request *req, int status, struct jsonw *w)
{
    char *text;
    size_t len;

    if (!jsonw_finish(w, &text, &len)) {
        req->status = 500;
        return STATUS_NOMEM;
    }
    req->status = status;
    req->content_type = "application/json";
    req->reply = text;
    req->reply_len = len;
    return STATUS_OK;
}

void
http_reply_error(struct request *req, const struct error *err)
{
    static const char fallback[] =
        "{\"error\":{\"code\":\"INTERNAL_ERROR\","
        "\"message\":\"the error could not be described\"}}";
    json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", err->code,
                             "message", err->message);

    if (body == NULL) {
        http_reply_text(req, status_http(err->status), "application/json",
                        fallback, sizeof(fallback) - 1);
        return;
    }
    http_reply_json(req, status_http(err->status), body);
}

enum status
http_reply_header(struct request *req, const char *name, const char *value)
{
    struct http_header *h;

    if (req->reply_header_count == REPLY_HEADERS_MAX) {
        return STATUS_INTERNAL;
    }
    h = &req->reply_headers[req->reply_header_count];
    h->name = arena_strdup(&req->arena, name);
    h->value = arena_strdup(&req->arena, value);
    if (h->name == NULL || h->value == NULL) {
        return STATUS_NOMEM;
    }
    req->reply_header_count++;
    return STATUS_OK;
}

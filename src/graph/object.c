/*
 * object.c - entities and relationships as JSON: parsing and validating
 * what clients upload, the canonical digest that decides whether a write
 * changes anything, and the JSON the API answers with.
 *
 * Parsing treats the JSON as hostile: every string and array is measured
 * against the limits of graph.h before it is copied, and the first
 * problem found is reported with the object's _key and the property's
 * name, so that a client uploading thousands of objects can find it.
 */
#include "graph/graph.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Metadata the server sets; uploads may not carry them. */
static const char *const graph_server_fields[] = {
    "_id",
    "_accountId",
    "_source",
    "_scope",
    "_version",
    "_createdOn",
    "_beginOn",
    "_endOn",
    "_deleted",
    "_integrationInstanceId",
    "_integrationDefinitionId",
    "_integrationType",
    "_integrationClass",
    "_integrationName",
    NULL,
};

static const char *const graph_source_names[GRAPH_SOURCE_COUNT] = {
    [GRAPH_SOURCE_API] = "api",
    [GRAPH_SOURCE_INTEGRATION_MANAGED] = "integration-managed",
    [GRAPH_SOURCE_INTEGRATION_EXTERNAL] = "integration-external",
    [GRAPH_SOURCE_SYSTEM_MAPPER] = "system-mapper",
};

const char *
graph_source_name(enum graph_source source)
{
    if ((unsigned)source >= GRAPH_SOURCE_COUNT) {
        return "unknown";
    }
    return graph_source_names[source];
}

bool
graph_source_parse(const char *name, enum graph_source *out)
{
    for (int i = 0; i < GRAPH_SOURCE_COUNT; i++) {
        if (strcmp(graph_source_names[i], name) == 0) {
            *out = (enum graph_source)i;
            return true;
        }
    }
    return false;
}

const char *
graph_kind_name(enum graph_kind kind)
{
    return kind == GRAPH_KIND_ENTITY ? "entity" : "relationship";
}

/*
 * Whether text is fit for a name or identifier: no C0 or C1 control
 * characters and no DEL (jansson has already checked the UTF-8).
 */
static bool
graph_is_printable(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;

    for (; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            return false;
        }
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            return false;
        }
    }
    return true;
}

enum status
graph_origin_check(const struct graph_origin *origin, struct error *err)
{
    const char *field = NULL, *value = NULL;

    switch (origin->source) {
    case GRAPH_SOURCE_API:
        field = "scope";
        value = origin->scope;
        if (origin->integration_instance_id != NULL) {
            return error_set(err, STATUS_INVALID, "INVALID_ORIGIN",
                             "the api source takes a scope, not an "
                             "integration instance");
        }
        break;
    case GRAPH_SOURCE_INTEGRATION_MANAGED:
    case GRAPH_SOURCE_INTEGRATION_EXTERNAL:
        field = "integrationInstanceId";
        value = origin->integration_instance_id;
        if (origin->scope != NULL) {
            return error_set(err, STATUS_INVALID, "INVALID_ORIGIN",
                             "integration sources take an integration "
                             "instance, not a scope");
        }
        break;
    case GRAPH_SOURCE_SYSTEM_MAPPER:
        return STATUS_OK;
    default:
        return error_set(err, STATUS_INVALID, "INVALID_ORIGIN",
                         "unknown source");
    }

    if (value == NULL || value[0] == '\0' || strlen(value) > GRAPH_SCOPE_MAX ||
        !graph_is_printable(value)) {
        return error_set(err, STATUS_INVALID, "INVALID_ORIGIN",
                         "the %s must be 1 to %d printable bytes", field,
                         GRAPH_SCOPE_MAX);
    }
    return STATUS_OK;
}

char *
graph_value_text(struct arena *arena, const json_t *value)
{
    char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    char *copy;

    if (text == NULL) {
        return NULL;
    }
    copy = arena_strdup(arena, text);
    free(text);
    return copy;
}

/* ---- parsing ------------------------------------------------------------ */

/* What one parse needs to report problems and to collect properties. */
struct graph_parse {
    struct arena *arena;
    enum graph_kind kind;
    bool patch;
    const char *label; /* the _key, for messages; may be NULL */
    struct error *err;
};

static enum status graph_refuse(struct graph_parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Refuse, naming the object: 'entity "k": <what>'. */
static enum status
graph_refuse(struct graph_parse *p, const char *fmt, ...)
{
    char what[ERROR_MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);

    if (p->label != NULL) {
        return error_set(p->err, STATUS_INVALID,
                         p->kind == GRAPH_KIND_ENTITY ? "INVALID_ENTITY"
                                                      : "INVALID_RELATIONSHIP",
                         "%s \"%.64s\": %s", graph_kind_name(p->kind), p->label,
                         what);
    }
    return error_set(p->err, STATUS_INVALID,
                     p->kind == GRAPH_KIND_ENTITY ? "INVALID_ENTITY"
                                                  : "INVALID_RELATIONSHIP",
                     "%s%s: %s", graph_kind_name(p->kind),
                     p->patch ? " update" : " without a usable _key", what);
}

/* A required-format string: 1..max bytes, printable, copied. */
static enum status
graph_parse_name(struct graph_parse *p, const char *field, json_t *value,
                 size_t max, const char **out)
{
    size_t len;

    if (!json_is_string(value)) {
        return graph_refuse(p, "%s must be a string", field);
    }
    len = json_string_length(value);
    if (len == 0 || len > max) {
        return graph_refuse(p, "%s must be 1 to %zu bytes", field, max);
    }
    if (!graph_is_printable(json_string_value(value))) {
        return graph_refuse(p, "%s contains control characters", field);
    }
    *out = arena_strndup(p->arena, json_string_value(value), len);
    if (*out == NULL) {
        return error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* _class: a string or an array of them; a relationship's upper-cased. */
static enum status
graph_parse_classes(struct graph_parse *p, json_t *value,
                    struct graph_object *o)
{
    size_t count = json_is_array(value) ? json_array_size(value) : 1;
    size_t max = p->kind == GRAPH_KIND_ENTITY ? GRAPH_CLASSES_MAX : 1;
    enum status status;

    if (!json_is_string(value) && !json_is_array(value)) {
        return graph_refuse(p, "_class must be a string or an array of "
                               "strings");
    }
    if (count == 0 || count > max) {
        return graph_refuse(p, "_class must hold 1 to %zu classes", max);
    }
    o->classes = arena_zalloc(p->arena, count * sizeof(*o->classes));
    if (o->classes == NULL) {
        return error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }

    for (size_t i = 0; i < count; i++) {
        json_t *item = json_is_array(value) ? json_array_get(value, i) : value;
        const char *name;
        bool seen = false;

        status = graph_parse_name(p, "_class", item, GRAPH_NAME_MAX, &name);
        if (status != STATUS_OK) {
            return status;
        }
        if (p->kind == GRAPH_KIND_RELATIONSHIP) {
            for (char *c = (char *)name; *c != '\0'; c++) {
                if (*c >= 'a' && *c <= 'z') {
                    *c = (char)(*c - 'a' + 'A');
                }
            }
        }
        /* A class named twice counts once. */
        for (size_t j = 0; j < o->class_count; j++) {
            seen = seen || strcmp(o->classes[j], name) == 0;
        }
        if (!seen) {
            o->classes[o->class_count++] = name;
        }
    }
    return STATUS_OK;
}

/* A property value: a scalar or a homogeneous array of scalars. */
static enum status
graph_check_value(struct graph_parse *p, const char *name, json_t *value)
{
    json_type type = JSON_NULL;
    size_t i;
    json_t *item;

    if (json_is_object(value)) {
        return graph_refuse(p,
                            "property \"%.64s\" is a nested object; "
                            "values must be strings, numbers, booleans, "
                            "null or arrays of one of those",
                            name);
    }
    if (json_is_string(value) && json_string_length(value) > GRAPH_STRING_MAX) {
        return graph_refuse(p, "property \"%.64s\" is longer than %d bytes",
                            name, GRAPH_STRING_MAX);
    }
    if (!json_is_array(value)) {
        return STATUS_OK;
    }

    if (json_array_size(value) > GRAPH_ARRAY_MAX) {
        return graph_refuse(p,
                            "property \"%.64s\" has more than %d "
                            "elements",
                            name, GRAPH_ARRAY_MAX);
    }
    json_array_foreach(value, i, item)
    {
        json_type t = json_typeof(item);

        /* Integers and reals are both numbers. */
        if (t == JSON_INTEGER) {
            t = JSON_REAL;
        }
        if (t == JSON_FALSE) {
            t = JSON_TRUE;
        }
        if (t == JSON_OBJECT || t == JSON_ARRAY || t == JSON_NULL) {
            return graph_refuse(p,
                                "property \"%.64s\" holds an array with "
                                "a nested %s; arrays may hold only "
                                "strings, numbers or booleans",
                                name,
                                t == JSON_OBJECT  ? "object"
                                : t == JSON_ARRAY ? "array"
                                                  : "null");
        }
        if (i > 0 && t != type) {
            return graph_refuse(p,
                                "property \"%.64s\" holds an array of "
                                "mixed types; arrays must be "
                                "homogeneous",
                                name);
        }
        if (t == JSON_STRING && json_string_length(item) > GRAPH_STRING_MAX) {
            return graph_refuse(p,
                                "property \"%.64s\" holds a string "
                                "longer than %d bytes",
                                name, GRAPH_STRING_MAX);
        }
        type = t;
    }
    return STATUS_OK;
}

static bool
graph_is_server_field(const char *name)
{
    for (size_t i = 0; graph_server_fields[i] != NULL; i++) {
        if (strcmp(graph_server_fields[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* A custom property: check its name and value, then keep it. */
static enum status
graph_parse_property(struct graph_parse *p, const char *name, json_t *value,
                     struct graph_object *o)
{
    size_t len = strlen(name);
    struct graph_property *prop;
    enum status status;

    if (name[0] == '_') {
        if (graph_is_server_field(name)) {
            return graph_refuse(p,
                                "\"%s\" is set by the server and cannot "
                                "be uploaded",
                                name);
        }
        return graph_refuse(p,
                            "property \"%.64s\" starts with '_', which "
                            "only metadata may",
                            name);
    }
    if (len == 0 || len > GRAPH_NAME_MAX) {
        return graph_refuse(p, "a property name must be 1 to %d bytes",
                            GRAPH_NAME_MAX);
    }
    if (!graph_is_printable(name)) {
        return graph_refuse(p,
                            "property name \"%.64s\" contains control "
                            "characters",
                            name);
    }
    if (o->property_count == GRAPH_PROPERTIES_MAX) {
        return graph_refuse(p, "more than %d properties", GRAPH_PROPERTIES_MAX);
    }
    status = graph_check_value(p, name, value);
    if (status != STATUS_OK) {
        return status;
    }

    prop = &o->properties[o->property_count];
    prop->name = arena_strndup(p->arena, name, len);
    prop->value = graph_value_text(p->arena, value);
    if (prop->name == NULL || prop->value == NULL) {
        return error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }
    o->property_count++;
    return STATUS_OK;
}

/*
 * _mapping of a mapped relationship: an object with a direction, the
 * source entity's key, filter keys and the target entity.  Kept as text
 * for the mapper; only its shape is checked here.
 */
static enum status
graph_parse_mapping(struct graph_parse *p, json_t *value,
                    struct graph_object *o)
{
    json_t *dir = json_object_get(value, "relationshipDirection");
    json_t *source = json_object_get(value, "sourceEntityKey");
    json_t *filters = json_object_get(value, "targetFilterKeys");
    json_t *target = json_object_get(value, "targetEntity");

    if (!json_is_object(value)) {
        return graph_refuse(p, "_mapping must be an object");
    }
    if (!json_is_string(dir) ||
        (strcmp(json_string_value(dir), "FORWARD") != 0 &&
         strcmp(json_string_value(dir), "REVERSE") != 0)) {
        return graph_refuse(p, "_mapping.relationshipDirection must be "
                               "FORWARD or REVERSE");
    }
    if (!json_is_string(source) || json_string_length(source) == 0 ||
        json_string_length(source) > GRAPH_KEY_MAX) {
        return graph_refuse(p, "_mapping.sourceEntityKey must be a key");
    }
    if (!json_is_array(filters) || json_array_size(filters) == 0) {
        return graph_refuse(p, "_mapping.targetFilterKeys must be a "
                               "non-empty array");
    }
    if (!json_is_object(target)) {
        return graph_refuse(p, "_mapping.targetEntity must be an object");
    }
    o->mapping = graph_value_text(p->arena, value);
    if (o->mapping == NULL) {
        return error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* The metadata fields: returns true in *handled when name is one. */
static enum status
graph_parse_metadata(struct graph_parse *p, const char *name, json_t *value,
                     struct graph_object *o, bool *handled)
{
    bool rel = p->kind == GRAPH_KIND_RELATIONSHIP;

    *handled = true;
    if (strcmp(name, "_key") == 0) {
        return graph_parse_name(p, "_key", value, GRAPH_KEY_MAX, &o->key);
    }
    if (strcmp(name, "_type") == 0) {
        return graph_parse_name(p, "_type", value, GRAPH_NAME_MAX, &o->type);
    }
    if (strcmp(name, "_class") == 0) {
        return graph_parse_classes(p, value, o);
    }
    if (strcmp(name, "displayName") == 0) {
        if (json_is_null(value)) {
            return STATUS_OK;
        }
        if (!json_is_string(value) ||
            json_string_length(value) > GRAPH_STRING_MAX) {
            return graph_refuse(p,
                                "displayName must be a string of at most "
                                "%d bytes",
                                GRAPH_STRING_MAX);
        }
        o->display_name = arena_strdup(p->arena, json_string_value(value));
        return o->display_name != NULL
                   ? STATUS_OK
                   : error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }
    if (strcmp(name, "_rawData") == 0) {
        if (!json_is_array(value)) {
            return graph_refuse(p, "_rawData must be an array of "
                                   "{name, rawData} objects");
        }
        o->raw_data = graph_value_text(p->arena, value);
        return o->raw_data != NULL
                   ? STATUS_OK
                   : error_set(p->err, STATUS_NOMEM, NULL, "out of memory");
    }
    if (rel && strcmp(name, "_fromEntityKey") == 0) {
        return graph_parse_name(p, name, value, GRAPH_KEY_MAX, &o->from_key);
    }
    if (rel && strcmp(name, "_toEntityKey") == 0) {
        return graph_parse_name(p, name, value, GRAPH_KEY_MAX, &o->to_key);
    }
    if (rel && strcmp(name, "_fromEntityId") == 0) {
        return graph_parse_name(p, name, value, GRAPH_KEY_MAX, &o->from_id);
    }
    if (rel && strcmp(name, "_toEntityId") == 0) {
        return graph_parse_name(p, name, value, GRAPH_KEY_MAX, &o->to_id);
    }
    if (rel && strcmp(name, "_mapping") == 0) {
        return graph_parse_mapping(p, value, o);
    }
    *handled = false;
    return STATUS_OK;
}

/* Fields an update may not carry: what identifies the object. */
static bool
graph_is_identity(const char *name)
{
    static const char *const fields[] = {
        "_key",           "_type",        "_class",
        "_fromEntityKey", "_toEntityKey", "_fromEntityId",
        "_toEntityId",    "_mapping",     NULL,
    };

    for (size_t i = 0; fields[i] != NULL; i++) {
        if (strcmp(fields[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* What a whole object needs beyond its single fields. */
static enum status
graph_check_complete(struct graph_parse *p, const struct graph_object *o)
{
    if (p->patch) {
        return STATUS_OK;
    }
    if (o->key == NULL) {
        return graph_refuse(p, "_key is required");
    }
    if (o->type == NULL) {
        return graph_refuse(p, "_type is required");
    }
    if (o->class_count == 0) {
        return graph_refuse(p, "_class is required");
    }
    if (o->kind == GRAPH_KIND_ENTITY || o->mapping != NULL) {
        return STATUS_OK;
    }
    if (o->from_key == NULL && o->from_id == NULL) {
        return graph_refuse(p, "_fromEntityKey or _fromEntityId is required "
                               "(or a _mapping)");
    }
    if (o->to_key == NULL && o->to_id == NULL) {
        return graph_refuse(p, "_toEntityKey or _toEntityId is required "
                               "(or a _mapping)");
    }
    return STATUS_OK;
}

static int
graph_property_order(const void *a, const void *b)
{
    const struct graph_property *pa = a, *pb = b;

    return strcmp(pa->name, pb->name);
}

static enum status
graph_object_read(struct arena *arena, enum graph_kind kind, json_t *json,
                  bool patch, struct graph_object *out, struct error *err)
{
    struct graph_parse p = {arena, kind, patch, NULL, err};
    json_t *key = json_object_get(json, "_key");
    enum status status = STATUS_OK;
    size_t members;
    const char *name;
    json_t *value;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (!json_is_object(json)) {
        return graph_refuse(&p, "must be a JSON object");
    }

    /* Name the object by its key in every message, when it has one. */
    if (!patch && json_is_string(key) && json_string_length(key) > 0 &&
        json_string_length(key) <= GRAPH_KEY_MAX &&
        graph_is_printable(json_string_value(key))) {
        p.label = json_string_value(key);
    }

    members = json_object_size(json);
    if (members > GRAPH_PROPERTIES_MAX + 16) {
        return graph_refuse(&p, "more than %d properties",
                            GRAPH_PROPERTIES_MAX);
    }
    out->properties =
        arena_alloc(arena, (members + 1) * sizeof(*out->properties));
    if (out->properties == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }

    json_object_foreach(json, name, value)
    {
        bool handled = false;

        if (patch && graph_is_identity(name)) {
            return graph_refuse(&p, "%s cannot be changed by an update", name);
        }
        status = graph_parse_metadata(&p, name, value, out, &handled);
        if (status == STATUS_OK && !handled) {
            status = graph_parse_property(&p, name, value, out);
        }
        if (status != STATUS_OK) {
            return status;
        }
    }

    status = graph_check_complete(&p, out);
    if (status == STATUS_OK && out->property_count > 1) {
        qsort(out->properties, out->property_count, sizeof(*out->properties),
              graph_property_order);
    }
    return status;
}

enum status
graph_object_parse(struct arena *arena, enum graph_kind kind, json_t *json,
                   struct graph_object *out, struct error *err)
{
    return graph_object_read(arena, kind, json, false, out, err);
}

enum status
graph_object_parse_patch(struct arena *arena, enum graph_kind kind,
                         json_t *json, struct graph_object *out,
                         struct error *err)
{
    return graph_object_read(arena, kind, json, true, out, err);
}

const char *
graph_object_property(const struct graph_object *object, const char *name)
{
    size_t lo = 0, hi = object->property_count;

    /* Properties are sorted by name. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(object->properties[mid].name, name);

        if (cmp == 0) {
            return object->properties[mid].value;
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* ---- the digest --------------------------------------------------------- */

/* One field, length-prefixed so that no two contents run together. */
static void
graph_digest_field(crypto_hash_sha256_state *state, const char *text)
{
    unsigned char len[8];
    uint64_t n = text != NULL ? strlen(text) : UINT64_MAX;

    for (int i = 0; i < 8; i++) {
        len[i] = (unsigned char)(n >> (8 * i));
    }
    crypto_hash_sha256_update(state, len, sizeof(len));
    if (text != NULL) {
        crypto_hash_sha256_update(state, (const unsigned char *)text,
                                  (unsigned long long)strlen(text));
    }
}

static int
graph_class_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
graph_object_digest(const struct graph_object *object,
                    char out[SHA256_HEX_LEN + 1])
{
    const char *classes[GRAPH_CLASSES_MAX];
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state state;
    size_t count = object->class_count;

    if (count > GRAPH_CLASSES_MAX) {
        count = GRAPH_CLASSES_MAX;
    }
    memcpy(classes, object->classes, count * sizeof(*classes));
    if (count > 1) {
        qsort(classes, count, sizeof(*classes), graph_class_order);
    }

    crypto_hash_sha256_init(&state);
    graph_digest_field(&state, graph_kind_name(object->kind));
    graph_digest_field(&state, object->key);
    graph_digest_field(&state, object->type);
    for (size_t i = 0; i < count; i++) {
        graph_digest_field(&state, classes[i]);
    }
    graph_digest_field(&state, NULL); /* end of the classes */
    graph_digest_field(&state, object->display_name);
    for (size_t i = 0; i < object->property_count; i++) {
        graph_digest_field(&state, object->properties[i].name);
        graph_digest_field(&state, object->properties[i].value);
    }
    graph_digest_field(&state, NULL); /* end of the properties */
    if (object->kind == GRAPH_KIND_RELATIONSHIP) {
        graph_digest_field(&state, object->from_id);
        graph_digest_field(&state, object->to_id);
    }
    crypto_hash_sha256_final(&state, hash);
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, hash, sizeof(hash));
}

/* ---- JSON answers ------------------------------------------------------- */

/* Set key to a string, or leave it out when text is NULL. */
static void
graph_json_text(json_t *obj, const char *key, const char *text)
{
    if (text != NULL) {
        json_object_set_new(obj, key, json_string(text));
    }
}

static json_t *
graph_json_parse(const char *text)
{
    json_t *value = json_loads(text, JSON_DECODE_ANY, NULL);

    return value != NULL ? value : json_null();
}

static void
graph_json_origin(json_t *obj, const struct graph_origin *origin)
{
    json_object_set_new(obj, "_source",
                        json_string(graph_source_name(origin->source)));
    graph_json_text(obj, "_scope", origin->scope);
    graph_json_text(obj, "_integrationInstanceId",
                    origin->integration_instance_id);
    graph_json_text(obj, "_integrationDefinitionId",
                    origin->integration_definition_id);
    graph_json_text(obj, "_integrationType", origin->integration_type);
    graph_json_text(obj, "_integrationClass", origin->integration_class);
    graph_json_text(obj, "_integrationName", origin->integration_name);
}

json_t *
graph_row_json(const struct graph_row *row, bool with_raw_data)
{
    const struct graph_object *o = &row->object;
    json_t *obj = json_object(), *classes = json_array();

    if (obj == NULL || classes == NULL) {
        json_decref(obj);
        json_decref(classes);
        return NULL;
    }
    for (size_t i = 0; i < o->class_count; i++) {
        json_array_append_new(classes, json_string(o->classes[i]));
    }

    json_object_set_new(obj, "_id", json_string(row->id));
    json_object_set_new(obj, "_key", json_string(o->key));
    json_object_set_new(obj, "_type", json_string(o->type));
    json_object_set_new(obj, "_class", classes);
    json_object_set_new(obj, "_version", json_integer(row->version));
    json_object_set_new(obj, "_createdOn", json_integer(row->created_ms));
    json_object_set_new(obj, "_beginOn", json_integer(row->begin_ms));
    json_object_set_new(obj, "_endOn",
                        row->end_ms != 0 ? json_integer(row->end_ms)
                                         : json_null());
    json_object_set_new(obj, "_deleted", json_boolean(row->deleted));
    graph_json_origin(obj, &row->origin);
    graph_json_text(obj, "_accountId", row->account_id);
    if (o->kind == GRAPH_KIND_RELATIONSHIP) {
        graph_json_text(obj, "_fromEntityId", o->from_id);
        graph_json_text(obj, "_toEntityId", o->to_id);
        graph_json_text(obj, "_fromEntityKey", o->from_key);
        graph_json_text(obj, "_toEntityKey", o->to_key);
        if (o->mapping != NULL) {
            json_object_set_new(obj, "_mapping", graph_json_parse(o->mapping));
        }
    }
    graph_json_text(obj, "displayName", o->display_name);
    for (size_t i = 0; i < o->property_count; i++) {
        json_object_set_new(obj, o->properties[i].name,
                            graph_json_parse(o->properties[i].value));
    }
    if (with_raw_data && o->raw_data != NULL) {
        json_object_set_new(obj, "_rawData", graph_json_parse(o->raw_data));
    }
    return obj;
}

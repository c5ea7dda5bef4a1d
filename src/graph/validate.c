/*
 * validate.c - the data-model check of entities: loading the embedded
 * class schemas once, walking a schema over an entity's JSON form, and
 * keeping the problems found beside the entity.  The string formats are
 * in format.c.
 *
 * A check builds the JSON the schemas describe (_key, _type, _class,
 * displayName and the properties) and walks each known class schema over
 * it.  The walk either records problems or, inside anyOf and oneOf, only
 * answers whether a branch matches: one problem then names the whole
 * alternative, not each failed branch.  Schemas are the package's own
 * and finite, so the walk's depth is bounded by their nesting.
 */
#include "graph/validate.h"

#include "base/log.h"
#include "store/sql.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALIDATE_PATTERNS_MAX 32
#define VALIDATE_REGEX_MAX    256 /* bytes of a translated pattern */
#define VALIDATE_PREFIX_MAX   32

/*
 * A schema pattern and its POSIX translation; ok false: not applied.  A
 * pattern that only anchors a literal ("^tag\\.") is a prefix compare,
 * which matters because patternProperties runs for every property.
 */
struct validate_pattern {
    const char *source; /* the string inside the schema tree */
    regex_t regex;
    bool ok;
    char prefix[VALIDATE_PREFIX_MAX]; /* "" when not a plain prefix */
};

static struct {
    pthread_once_t once;
    bool loaded;
    json_t **schemas; /* parallel to graph_schema_sources */
    struct validate_pattern patterns[VALIDATE_PATTERNS_MAX];
    size_t pattern_count;
} validate_cache = {.once = PTHREAD_ONCE_INIT};

/* One walk over one entity for one class. */
struct validate_walk {
    struct arena *arena;
    const char *class_name;
    struct graph_problem *problems; /* GRAPH_PROBLEMS_MAX slots */
    size_t count;
    bool failed;                    /* out of memory */
};

/* ---- loading ------------------------------------------------------------ */

/*
 * ECMAScript to POSIX extended: \d becomes [0-9]; other escapes stay.
 * Lookaround and non-capturing groups have no POSIX form: false.
 */
static bool
validate_translate(const char *src, char *out, size_t out_size)
{
    size_t n = 0;

    for (const char *p = src; *p != '\0'; p++) {
        const char *piece = NULL;
        char pair[3] = {0, 0, 0};

        if (p[0] == '(' && p[1] == '?') {
            return false;
        }
        if (p[0] == '\\' && p[1] == 'd') {
            piece = "[0-9]";
            p++;
        } else if (p[0] == '\\' && p[1] != '\0') {
            pair[0] = p[0];
            pair[1] = p[1];
            piece = pair;
            p++;
        } else {
            pair[0] = p[0];
            piece = pair;
        }
        if (n + strlen(piece) + 1 > out_size) {
            return false;
        }
        memcpy(out + n, piece, strlen(piece));
        n += strlen(piece);
    }
    out[n] = '\0';
    return true;
}

/* "^" and literal characters (escaped punctuation too) into prefix. */
static void
validate_literal_prefix(const char *source, char *prefix, size_t size)
{
    size_t n = 0;

    prefix[0] = '\0';
    if (source[0] != '^') {
        return;
    }
    for (const char *p = source + 1; *p != '\0'; p++) {
        if (p[0] == '\\' && ispunct((unsigned char)p[1])) {
            p++;
        } else if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
                   *p != ' ' && *p != ':') {
            prefix[0] = '\0';
            return;
        }
        if (n + 1 == size) {
            prefix[0] = '\0';
            return;
        }
        prefix[n++] = *p;
    }
    prefix[n] = '\0';
}

static void
validate_add_pattern(const char *source)
{
    struct validate_pattern *p;
    char regex[VALIDATE_REGEX_MAX];

    for (size_t i = 0; i < validate_cache.pattern_count; i++) {
        if (validate_cache.patterns[i].source == source) {
            return;
        }
    }
    if (validate_cache.pattern_count == VALIDATE_PATTERNS_MAX) {
        return;
    }
    p = &validate_cache.patterns[validate_cache.pattern_count++];
    p->source = source;
    validate_literal_prefix(source, p->prefix, sizeof(p->prefix));
    p->ok = validate_translate(source, regex, sizeof(regex)) &&
            regcomp(&p->regex, regex, REG_EXTENDED | REG_NOSUB) == 0;
}

/* Compile every "pattern" and patternProperties key of a tree. */
static void
validate_collect_patterns(json_t *node)
{
    const char *key;
    json_t *child;
    size_t i;

    if (json_is_array(node)) {
        json_array_foreach(node, i, child) {
            validate_collect_patterns(child);
        }
        return;
    }
    if (!json_is_object(node)) {
        return;
    }
    json_object_foreach(node, key, child) {
        if (strcmp(key, "pattern") == 0 && json_is_string(child)) {
            validate_add_pattern(json_string_value(child));
        }
        if (strcmp(key, "patternProperties") == 0 && json_is_object(child)) {
            const char *name;
            json_t *sub;
            void *iter = json_object_iter(child);

            for (; iter != NULL; iter = json_object_iter_next(child, iter)) {
                name = json_object_iter_key(iter);
                sub = json_object_iter_value(iter);
                validate_add_pattern(name);
                validate_collect_patterns(sub);
            }
            continue;
        }
        validate_collect_patterns(child);
    }
}

static void
validate_load(void)
{
    json_t **schemas;
    json_error_t jerr;

    schemas = calloc(graph_schema_source_count + 1, sizeof(*schemas));
    if (schemas == NULL) {
        log_event(LOG_ERROR, "graph", "schemas_not_loaded", "reason",
                  "out of memory", NULL);
        return;
    }
    for (size_t i = 0; i < graph_schema_source_count; i++) {
        schemas[i] = json_loads(graph_schema_sources[i].json, 0, &jerr);
        if (!json_is_object(schemas[i])) {
            log_event(LOG_ERROR, "graph", "schemas_not_loaded", "class",
                      graph_schema_sources[i].name, "reason", jerr.text,
                      NULL);
            return;
        }
        validate_collect_patterns(schemas[i]);
    }
    validate_cache.schemas = schemas;
    validate_cache.loaded = true;
}

static bool
validate_ready(void)
{
    pthread_once(&validate_cache.once, validate_load);
    return validate_cache.loaded;
}

static int
validate_source_order(const void *key, const void *elem)
{
    return strcmp(key, ((const struct graph_schema_source *)elem)->name);
}

/* The parsed schema of a class, or NULL when the model lacks it. */
static json_t *
validate_schema(const char *class_name)
{
    const struct graph_schema_source *found;

    found = bsearch(class_name, graph_schema_sources,
                    graph_schema_source_count, sizeof(*found),
                    validate_source_order);
    if (found == NULL || !validate_ready()) {
        return NULL;
    }
    return validate_cache.schemas[found - graph_schema_sources];
}

bool
graph_validate_has_class(const char *class_name)
{
    return bsearch(class_name, graph_schema_sources,
                   graph_schema_source_count,
                   sizeof(graph_schema_sources[0]),
                   validate_source_order) != NULL;
}

static bool
validate_matches(const char *pattern, const char *text)
{
    for (size_t i = 0; i < validate_cache.pattern_count; i++) {
        const struct validate_pattern *p = &validate_cache.patterns[i];

        if (p->source != pattern) {
            continue;
        }
        if (p->prefix[0] != '\0') {
            return strncmp(text, p->prefix, strlen(p->prefix)) == 0;
        }
        return !p->ok || regexec(&p->regex, text, 0, NULL, 0) == 0;
    }
    return true;
}

/* ---- the walk ----------------------------------------------------------- */

/*
 * Where a value sits in the entity: a member name or an array index
 * below a parent.  Kept on the stack and written out only for a problem.
 */
struct validate_path {
    const struct validate_path *parent;
    const char *name; /* NULL for an array item */
    size_t index;
};

static void
validate_path_text(const struct validate_path *path, char *out, size_t size)
{
    size_t len;

    if (path == NULL) {
        out[0] = '\0';
        return;
    }
    validate_path_text(path->parent, out, size);
    len = strlen(out);
    if (path->name == NULL) {
        snprintf(out + len, size - len, "[%zu]", path->index);
    } else {
        snprintf(out + len, size - len, "%s%s", len > 0 ? "." : "",
                 path->name);
    }
}

static void
validate_note(struct validate_walk *w, const struct validate_path *path,
              const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
validate_note(struct validate_walk *w, const struct validate_path *path,
              const char *fmt, ...)
{
    char message[ERROR_MESSAGE_MAX], where[GRAPH_NAME_MAX + 32];
    struct graph_problem *p;
    va_list ap;

    if (w->count == GRAPH_PROBLEMS_MAX) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    validate_path_text(path, where, sizeof(where));

    p = &w->problems[w->count];
    p->class_name = w->class_name;
    p->property = arena_strdup(w->arena, where);
    p->message = arena_strdup(w->arena, message);
    if (p->property == NULL || p->message == NULL) {
        w->failed = true;
        return;
    }
    w->count++;
}

static const char *
validate_type_of(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

static bool
validate_is_type(const char *type, const json_t *value)
{
    if (strcmp(type, "number") == 0) {
        return json_is_number(value);
    }
    if (strcmp(type, "integer") == 0) {
        return json_is_integer(value) ||
               (json_is_real(value) &&
                floor(json_real_value(value)) == json_real_value(value));
    }
    if (strcmp(type, "boolean") == 0) {
        return json_is_boolean(value);
    }
    return strcmp(type, validate_type_of(value)) == 0;
}

static bool
validate_type(struct validate_walk *w, json_t *type, json_t *value,
              const struct validate_path *path, bool record)
{
    char names[128] = "";
    json_t *t;
    size_t i;

    if (json_is_string(type)) {
        if (validate_is_type(json_string_value(type), value)) {
            return true;
        }
        snprintf(names, sizeof(names), "%s", json_string_value(type));
    } else if (json_is_array(type)) {
        json_array_foreach(type, i, t) {
            if (json_is_string(t) &&
                validate_is_type(json_string_value(t), value)) {
                return true;
            }
            snprintf(names + strlen(names), sizeof(names) - strlen(names),
                     "%s%s", i > 0 ? " or " : "",
                     json_is_string(t) ? json_string_value(t) : "?");
        }
    } else {
        return true;
    }
    if (record) {
        validate_note(w, path, "must be %s, not %s", names,
                      validate_type_of(value));
    }
    return false;
}

/* Characters, not bytes, of a UTF-8 string. */
static size_t
validate_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        n += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return n;
}

/* One keyword's check; record says whether a failure is noted. */
struct validate_step {
    struct validate_walk *w;
    json_t *value;
    const struct validate_path *path;
    bool record;
};

static bool validate_node(struct validate_walk *w, json_t *schema,
                          json_t *value, const struct validate_path *path,
                          bool record);

/* enum, const, minimum, maximum: any value. */
static bool
validate_values(const struct validate_step *s, const char *key, json_t *k)
{
    double v = json_number_value(s->value);
    json_t *item;
    bool ok = true;
    size_t i;

    if (strcmp(key, "enum") == 0 && json_is_array(k)) {
        ok = false;
        json_array_foreach(k, i, item) {
            ok = ok || json_equal(item, s->value);
        }
        if (!ok && s->record) {
            validate_note(s->w, s->path, "must be one of the values the "
                                         "data model lists");
        }
    } else if (strcmp(key, "const") == 0) {
        ok = json_equal(k, s->value);
        if (!ok && s->record) {
            validate_note(s->w, s->path,
                          "must be the data model's fixed value");
        }
    } else if (strcmp(key, "minimum") == 0 && json_is_number(s->value) &&
               json_is_number(k)) {
        ok = v >= json_number_value(k);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "must be at least %g",
                          json_number_value(k));
        }
    } else if (strcmp(key, "maximum") == 0 && json_is_number(s->value) &&
               json_is_number(k)) {
        ok = v <= json_number_value(k);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "must be at most %g",
                          json_number_value(k));
        }
    }
    return ok;
}

/* minLength, pattern, format: strings only. */
static bool
validate_string(const struct validate_step *s, const char *key, json_t *k)
{
    const char *text = json_string_value(s->value);
    bool ok = true;

    if (text == NULL) {
        return true;
    }
    if (strcmp(key, "minLength") == 0 && json_is_integer(k)) {
        ok = validate_chars(text) >= (size_t)json_integer_value(k);
        if (!ok && s->record) {
            validate_note(s->w, s->path,
                          "must be at least %lld characters long",
                          (long long)json_integer_value(k));
        }
    } else if (strcmp(key, "pattern") == 0 && json_is_string(k)) {
        ok = validate_matches(json_string_value(k), text);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "does not match the pattern %.120s",
                          json_string_value(k));
        }
    } else if (strcmp(key, "format") == 0 && json_is_string(k)) {
        ok = graph_format_valid(json_string_value(k), text);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "is not a valid %s",
                          json_string_value(k));
        }
    }
    return ok;
}

static bool
validate_unique(json_t *array)
{
    for (size_t i = 1; i < json_array_size(array); i++) {
        for (size_t j = 0; j < i; j++) {
            if (json_equal(json_array_get(array, i),
                           json_array_get(array, j))) {
                return false;
            }
        }
    }
    return true;
}

/* items, minItems, uniqueItems: arrays only. */
static bool
validate_items(const struct validate_step *s, const char *key, json_t *k)
{
    struct validate_path sub = {s->path, NULL, 0};
    json_t *item;
    bool ok = true;

    if (!json_is_array(s->value)) {
        return true;
    }
    if (strcmp(key, "items") == 0 && json_is_object(k)) {
        json_array_foreach(s->value, sub.index, item) {
            ok = validate_node(s->w, k, item, &sub, s->record) && ok;
        }
    } else if (strcmp(key, "minItems") == 0 && json_is_integer(k)) {
        ok = json_array_size(s->value) >= (size_t)json_integer_value(k);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "must have at least %lld items",
                          (long long)json_integer_value(k));
        }
    } else if (strcmp(key, "uniqueItems") == 0 && json_is_true(k)) {
        ok = validate_unique(s->value);
        if (!ok && s->record) {
            validate_note(s->w, s->path, "must not repeat items");
        }
    }
    return ok;
}

/* Check each member of value that schemas (a name -> schema map) names. */
static bool
validate_members(const struct validate_step *s, json_t *schemas)
{
    struct validate_path sub = {s->path, NULL, 0};
    json_t *schema, *item;
    const char *name;
    bool ok = true;

    /* Walk the smaller side and look names up in the other. */
    if (json_object_size(s->value) < json_object_size(schemas)) {
        json_object_foreach(s->value, name, item) {
            schema = json_object_get(schemas, name);
            if (schema != NULL) {
                sub.name = name;
                ok = validate_node(s->w, schema, item, &sub, s->record) &&
                     ok;
            }
        }
        return ok;
    }
    json_object_foreach(schemas, name, schema) {
        item = json_object_get(s->value, name);
        if (item != NULL) {
            sub.name = name;
            ok = validate_node(s->w, schema, item, &sub, s->record) && ok;
        }
    }
    return ok;
}

/* required, properties, patternProperties: objects only. */
static bool
validate_object(const struct validate_step *s, const char *key, json_t *k)
{
    struct validate_path sub = {s->path, NULL, 0};
    const char *name, *pattern;
    json_t *schema, *item;
    bool ok = true;
    size_t i;

    if (!json_is_object(s->value) ||
        (!json_is_object(k) && !json_is_array(k))) {
        return true;
    }
    if (strcmp(key, "required") == 0) {
        json_array_foreach(k, i, item) {
            sub.name = json_string_value(item);
            if (sub.name != NULL &&
                json_object_get(s->value, sub.name) == NULL) {
                ok = false;
                if (s->record) {
                    validate_note(s->w, &sub, "is required and missing");
                }
            }
        }
    } else if (strcmp(key, "properties") == 0) {
        ok = validate_members(s, k);
    } else if (strcmp(key, "patternProperties") == 0) {
        /* A patternProperties key is its own pattern (see collect). */
        json_object_foreach(k, pattern, schema) {
            json_object_foreach(s->value, name, item) {
                if (validate_matches(pattern, name)) {
                    sub.name = name;
                    ok = validate_node(s->w, schema, item, &sub,
                                       s->record) &&
                         ok;
                }
            }
        }
    }
    return ok;
}

/* How many of the schemas in k value matches, noting nothing. */
static size_t
validate_count_matches(const struct validate_step *s, json_t *k)
{
    size_t i, matched = 0;
    json_t *sub;

    json_array_foreach(k, i, sub) {
        matched += validate_node(s->w, sub, s->value, s->path, false);
    }
    return matched;
}

/* $ref, allOf, anyOf, oneOf. */
static bool
validate_combined(const struct validate_step *s, const char *key, json_t *k)
{
    json_t *sub;
    bool ok = true;
    size_t i, matched;

    if (strcmp(key, "$ref") == 0 && json_is_string(k) &&
        json_string_value(k)[0] == '#') {
        sub = validate_schema(json_string_value(k) + 1);
        return sub == NULL ||
               validate_node(s->w, sub, s->value, s->path, s->record);
    }
    if (strcmp(key, "allOf") == 0) {
        json_array_foreach(k, i, sub) {
            ok = validate_node(s->w, sub, s->value, s->path, s->record) &&
                 ok;
        }
        return ok;
    }
    if (!json_is_array(k)) {
        return true;
    }
    matched = validate_count_matches(s, k);
    if (strcmp(key, "anyOf") == 0 && matched == 0) {
        ok = false;
    } else if (strcmp(key, "oneOf") == 0 && matched != 1) {
        ok = false;
    }
    if (!ok && s->record) {
        validate_note(s->w, s->path,
                      matched == 0 ? "matches none of the forms the data "
                                     "model allows"
                                   : "matches more than one of the forms "
                                     "the data model allows");
    }
    return ok;
}

/*
 * Does value conform to schema?  With record, every failure is noted;
 * without, nothing is, and the answer alone counts.  The schema's own
 * keys are walked once; keywords outside the subset are skipped.
 */
static bool
validate_node(struct validate_walk *w, json_t *schema, json_t *value,
              const struct validate_path *path, bool record)
{
    struct validate_step s = {w, value, path, record};
    json_t *type = json_object_get(schema, "type");
    const char *key;
    bool ok = true;
    json_t *k;

    if (!json_is_object(schema) || w->failed) {
        return true;
    }

    /* A value of the wrong type says enough on its own. */
    if (type != NULL && !validate_type(w, type, value, path, record)) {
        return false;
    }
    json_object_foreach(schema, key, k) {
        switch (key[0]) {
        case 'e':
        case 'c':
        case 'm':
            ok = validate_values(&s, key, k) && ok;
            ok = validate_string(&s, key, k) && ok;
            ok = validate_items(&s, key, k) && ok;
            break;
        case 'p':
        case 'f':
            ok = validate_string(&s, key, k) && ok;
            ok = validate_object(&s, key, k) && ok;
            break;
        case 'i':
        case 'u':
            ok = validate_items(&s, key, k) && ok;
            break;
        case 'r':
            ok = validate_object(&s, key, k) && ok;
            break;
        case '$':
        case 'a':
        case 'o':
            ok = validate_combined(&s, key, k) && ok;
            break;
        default:
            break;
        }
    }
    return ok;
}

/* ---- entities ----------------------------------------------------------- */

/* The entity as the schemas see it: metadata, displayName, properties. */
static json_t *
validate_instance(const struct graph_object *o)
{
    json_t *obj = json_object(), *classes = json_array(), *value;
    json_error_t jerr;

    if (obj == NULL || classes == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < o->class_count; i++) {
        json_array_append_new(classes, json_string(o->classes[i]));
    }
    json_object_set_new(obj, "_key", json_string(o->key));
    json_object_set_new(obj, "_type", json_string(o->type));
    if (o->class_count == 1) {
        json_object_set_new(obj, "_class", json_string(o->classes[0]));
        json_decref(classes);
    } else {
        json_object_set_new(obj, "_class", classes);
    }
    classes = NULL;
    if (o->display_name != NULL) {
        json_object_set_new(obj, "displayName",
                            json_string(o->display_name));
    }
    for (size_t i = 0; i < o->property_count; i++) {
        value = json_loads(o->properties[i].value, JSON_DECODE_ANY, &jerr);
        if (value == NULL ||
            json_object_set_new(obj, o->properties[i].name, value) != 0) {
            goto fail;
        }
    }
    return obj;

fail:
    json_decref(classes);
    json_decref(obj);
    return NULL;
}

enum status
graph_validate_object(struct arena *arena, const struct graph_object *object,
                      struct graph_problem **problems, size_t *count,
                      struct error *err)
{
    struct validate_walk w;
    enum status status = STATUS_OK;
    json_t *instance = NULL, *schema;

    *problems = NULL;
    *count = 0;
    if (object->kind != GRAPH_KIND_ENTITY) {
        return STATUS_OK;
    }
    if (!validate_ready()) {
        return error_set(err, STATUS_INTERNAL, NULL,
                         "the data model schemas could not be loaded");
    }

    memset(&w, 0, sizeof(w));
    w.arena = arena;
    w.problems = arena_alloc(arena, GRAPH_PROBLEMS_MAX * sizeof(*w.problems));
    instance = validate_instance(object);
    if (w.problems == NULL || instance == NULL) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }

    for (size_t i = 0; i < object->class_count; i++) {
        schema = validate_schema(object->classes[i]);
        if (schema != NULL) {
            w.class_name = object->classes[i];
            validate_node(&w, schema, instance, NULL, true);
        }
    }
    if (w.failed) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }
    if (w.count > 0) {
        *problems = w.problems;
        *count = w.count;
    }

out:
    json_decref(instance);
    return status;
}

json_t *
graph_problems_json(const struct graph_problem *problems, size_t count)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < count; i++) {
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s}", "class",
                            problems[i].class_name, "property",
                            problems[i].property, "message",
                            problems[i].message));
    }
    return list;
}

/* ---- keeping problems --------------------------------------------------- */

enum status
graph_validation_save(sqlite3 *db, const char *id,
                      const struct graph_problem *problems, size_t count,
                      int64_t now_ms, struct error *err)
{
    enum status status;
    json_t *list;
    char *text;

    if (count == 0) {
        return sql_exec(db, NULL, err,
                        "DELETE FROM entity_validation WHERE id = ?", "s",
                        id);
    }
    list = graph_problems_json(problems, count);
    text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    if (text == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    status = sql_exec(db, NULL, err,
                      "INSERT INTO entity_validation (id, problems, "
                      "checked_ms) VALUES (?, ?, ?) ON CONFLICT (id) DO "
                      "UPDATE SET problems = excluded.problems, "
                      "checked_ms = excluded.checked_ms",
                      "ssi", id, text, now_ms);
    free(text);
    return status;
}

enum status
graph_validation_load(sqlite3 *db, const char *id, json_t **out,
                      struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    json_error_t jerr;
    bool row = false;

    *out = NULL;
    status = sql_prepare(db, &stmt, err,
                         "SELECT problems FROM entity_validation "
                         "WHERE id = ?",
                         "s", id);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        *out = json_loads((const char *)sqlite3_column_text(stmt, 0), 0,
                          &jerr);
        if (*out == NULL) {
            status = error_set(err, STATUS_CORRUPT, NULL,
                               "kept validation problems are unreadable");
        }
    }
    sql_done(stmt);
    return status;
}

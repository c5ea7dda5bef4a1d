/*
 * graph_rows.c - the SQL of every row operation of the account graph
 * stores: reading current rows and history, inserting, replacing a
 * version (the old one moves to the history table), marking deleted,
 * removing, and the keyset listings.  The schema these queries run on is
 * in graph_store.c.
 *
 * Classes are stored as a JSON array (entities) or one verb
 * (relationships), properties as one JSON object of the values' compact
 * texts in name order.  Every query is a string literal, so that the
 * connection's statement cache keeps it compiled.
 */
#include "store/graph_store.h"

#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON text of classes and properties -------------------------------- */

struct graph_text {
    struct arena *arena;
    char *buf;
    size_t len;
    size_t cap;
    bool failed;
};

static void
graph_text_append(struct graph_text *t, const char *s, size_t n)
{
    if (t->failed) {
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap == 0 ? 256 : t->cap;
        char *grown;

        while (cap < t->len + n + 1) {
            cap *= 2;
        }
        grown = arena_alloc(t->arena, cap);
        if (grown == NULL) {
            t->failed = true;
            return;
        }
        if (t->len > 0) {
            memcpy(grown, t->buf, t->len);
        }
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

/* s as a JSON string; s is valid UTF-8 (checked when it was parsed). */
static void
graph_text_string(struct graph_text *t, const char *s)
{
    const char *run = s;
    char esc[8];

    graph_text_append(t, "\"", 1);
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        if (c != '"' && c != '\\' && c >= 0x20) {
            continue;
        }
        graph_text_append(t, run, (size_t)(p - run));
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            graph_text_append(t, esc, 2);
        } else {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            graph_text_append(t, esc, 6);
        }
        run = p + 1;
    }
    graph_text_append(t, run, strlen(run));
    graph_text_append(t, "\"", 1);
}

static char *
graph_store_classes_text(struct arena *arena, const struct graph_object *o)
{
    struct graph_text t = {.arena = arena};

    graph_text_append(&t, "[", 1);
    for (size_t i = 0; i < o->class_count; i++) {
        if (i > 0) {
            graph_text_append(&t, ",", 1);
        }
        graph_text_string(&t, o->classes[i]);
    }
    graph_text_append(&t, "]", 1);
    return t.failed ? NULL : t.buf;
}

static char *
graph_store_properties_text(struct arena *arena, const struct graph_object *o)
{
    struct graph_text t = {.arena = arena};

    graph_text_append(&t, "{", 1);
    for (size_t i = 0; i < o->property_count; i++) {
        if (i > 0) {
            graph_text_append(&t, ",", 1);
        }
        graph_text_string(&t, o->properties[i].name);
        graph_text_append(&t, ":", 1);
        graph_text_append(&t, o->properties[i].value,
                          strlen(o->properties[i].value));
    }
    graph_text_append(&t, "}", 1);
    return t.failed ? NULL : t.buf;
}

static int
graph_store_property_order(const void *a, const void *b)
{
    const struct graph_property *pa = a, *pb = b;

    return strcmp(pa->name, pb->name);
}

/* Stored JSON back into the object's class list and property array. */
static enum status
graph_store_parse_json(struct arena *arena, struct graph_object *o,
                       const char *classes, const char *properties,
                       struct error *err)
{
    json_t *list = NULL, *props = NULL, *value;
    enum status status = STATUS_OK;
    const char *name;
    size_t i = 0;

    if (o->kind == GRAPH_KIND_ENTITY) {
        list = json_loads(classes != NULL ? classes : "", 0, NULL);
        if (!json_is_array(list)) {
            status = STATUS_CORRUPT;
            goto out;
        }
        o->class_count = json_array_size(list);
        o->classes =
            arena_alloc(arena, (o->class_count + 1) * sizeof(*o->classes));
        if (o->classes == NULL) {
            status = STATUS_NOMEM;
            goto out;
        }
        for (i = 0; i < o->class_count; i++) {
            const char *cls = json_string_value(json_array_get(list, i));

            o->classes[i] = arena_strdup(arena, cls != NULL ? cls : "");
        }
    } else {
        o->class_count = 1;
        o->classes = arena_alloc(arena, sizeof(*o->classes));
        if (o->classes == NULL) {
            status = STATUS_NOMEM;
            goto out;
        }
        o->classes[0] = classes != NULL ? classes : "";
    }

    props = json_loads(properties != NULL ? properties : "", 0, NULL);
    if (!json_is_object(props)) {
        status = STATUS_CORRUPT;
        goto out;
    }
    o->property_count = json_object_size(props);
    o->properties =
        arena_alloc(arena, (o->property_count + 1) * sizeof(*o->properties));
    if (o->properties == NULL) {
        status = STATUS_NOMEM;
        goto out;
    }
    i = 0;
    json_object_foreach(props, name, value)
    {
        o->properties[i].name = arena_strdup(arena, name);
        o->properties[i].value = graph_value_text(arena, value);
        if (o->properties[i].name == NULL || o->properties[i].value == NULL) {
            status = STATUS_NOMEM;
            goto out;
        }
        i++;
    }
    if (o->property_count > 1) {
        qsort(o->properties, o->property_count, sizeof(*o->properties),
              graph_store_property_order);
    }

out:
    json_decref(list);
    json_decref(props);
    if (status == STATUS_CORRUPT) {
        return error_set(err, status, "STORE_CORRUPT",
                         "a stored graph object could not be read");
    }
    if (status == STATUS_NOMEM) {
        return error_set(err, status, NULL, "out of memory");
    }
    return STATUS_OK;
}

/* ---- reading rows ------------------------------------------------------- */

/*
 * Every query that reads rows selects these columns in this order; the
 * entity lists end in NULLs where relationships have their endpoints.
 */
#define GRAPH_ENTITY_COLUMNS                                                   \
    "seq, id, source, scope, instance, key, type, classes, display_name, "     \
    "properties, raw_data, digest, version, created_ms, begin_ms, end_ms, "    \
    "deleted, definition_id, integration_type, integration_class, "            \
    "integration_name, NULL, NULL, NULL, NULL, NULL"
#define GRAPH_ENTITY_COLUMNS_E                                                 \
    "e.seq, e.id, e.source, e.scope, e.instance, e.key, e.type, e.classes, "   \
    "e.display_name, e.properties, e.raw_data, e.digest, e.version, "          \
    "e.created_ms, e.begin_ms, e.end_ms, e.deleted, e.definition_id, "         \
    "e.integration_type, e.integration_class, e.integration_name, NULL, "      \
    "NULL, NULL, NULL, NULL"
#define GRAPH_ENTITY_HISTORY                                                   \
    "0, id, source, scope, instance, key, type, classes, display_name, "       \
    "properties, NULL, digest, version, created_ms, begin_ms, end_ms, "        \
    "deleted, definition_id, integration_type, integration_class, "            \
    "integration_name, NULL, NULL, NULL, NULL, NULL"
#define GRAPH_RELATIONSHIP_COLUMNS                                             \
    "seq, id, source, scope, instance, key, type, class, display_name, "       \
    "properties, raw_data, digest, version, created_ms, begin_ms, end_ms, "    \
    "deleted, definition_id, integration_type, integration_class, "            \
    "integration_name, from_id, to_id, from_key, to_key, mapping"
#define GRAPH_RELATIONSHIP_HISTORY                                             \
    "0, id, source, scope, instance, key, type, class, display_name, "         \
    "properties, NULL, digest, version, created_ms, begin_ms, end_ms, "        \
    "deleted, definition_id, integration_type, integration_class, "            \
    "integration_name, from_id, to_id, from_key, to_key, mapping"

static enum status
graph_store_read(struct arena *arena, enum graph_kind kind, sqlite3_stmt *stmt,
                 struct graph_row *row, struct error *err)
{
    struct graph_object *o = &row->object;
    const char *source;

    memset(row, 0, sizeof(*row));
    o->kind = kind;
    row->seq = sql_int(stmt, 0);
    row->id = sql_text(arena, stmt, 1);
    source = (const char *)sqlite3_column_text(stmt, 2);
    if (source == NULL || !graph_source_parse(source, &row->origin.source)) {
        return error_set(err, STATUS_CORRUPT, "STORE_CORRUPT",
                         "a stored graph object has an unknown source");
    }
    row->origin.scope = sql_text(arena, stmt, 3);
    row->origin.integration_instance_id = sql_text(arena, stmt, 4);
    o->key = sql_text(arena, stmt, 5);
    o->type = sql_text(arena, stmt, 6);
    o->display_name = sql_text(arena, stmt, 8);
    o->raw_data = sql_text(arena, stmt, 10);
    row->digest = sql_text(arena, stmt, 11);
    row->version = sql_int(stmt, 12);
    row->created_ms = sql_int(stmt, 13);
    row->begin_ms = sql_int(stmt, 14);
    row->end_ms = sql_int(stmt, 15);
    row->deleted = sql_int(stmt, 16) != 0;
    row->origin.integration_definition_id = sql_text(arena, stmt, 17);
    row->origin.integration_type = sql_text(arena, stmt, 18);
    row->origin.integration_class = sql_text(arena, stmt, 19);
    row->origin.integration_name = sql_text(arena, stmt, 20);
    o->from_id = sql_text(arena, stmt, 21);
    o->to_id = sql_text(arena, stmt, 22);
    o->from_key = sql_text(arena, stmt, 23);
    o->to_key = sql_text(arena, stmt, 24);
    o->mapping = sql_text(arena, stmt, 25);
    if (row->id == NULL || o->key == NULL || o->type == NULL ||
        row->digest == NULL) {
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return graph_store_parse_json(arena, o, sql_text(arena, stmt, 7),
                                  sql_text(arena, stmt, 9), err);
}

/* Read at most one row; STATUS_NOT_FOUND when there is none. */
static enum status
graph_store_read_one(sqlite3_stmt *stmt, struct arena *arena,
                     enum graph_kind kind, struct graph_row *out,
                     struct error *err)
{
    enum status status;
    bool row = false;

    status = sql_step(stmt, &row, err);
    if (status == STATUS_OK && !row) {
        status = error_set(err, STATUS_NOT_FOUND, "NOT_FOUND",
                           "no such %s in this account", graph_kind_name(kind));
    }
    if (status == STATUS_OK) {
        status = graph_store_read(arena, kind, stmt, out, err);
    }
    sql_done(stmt);
    return status;
}

/* Every row a statement gives, each with its sequence. */
static enum status
graph_store_read_all(sqlite3_stmt *stmt, struct arena *arena,
                     enum graph_kind kind, struct graph_row **rows,
                     size_t *count, struct error *err)
{
    struct graph_row *array = NULL, *grown;
    enum status status;
    size_t cap = 0;
    bool row;

    *rows = NULL;
    *count = 0;
    while ((status = sql_step(stmt, &row, err)) == STATUS_OK && row) {
        grown = sql_push(arena, array, count, &cap, sizeof(*array));
        if (grown == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
            break;
        }
        array = grown;
        status = graph_store_read(arena, kind, stmt, &array[*count - 1], err);
        if (status != STATUS_OK) {
            break;
        }
    }
    sql_done(stmt);
    *rows = array;
    return status;
}

enum status
graph_store_account_id(sqlite3 *db, struct arena *arena, const char **out,
                       struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *out = NULL;
    status = sql_prepare(db, &stmt, err,
                         "SELECT value FROM meta WHERE key = 'account_id'", "");
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        *out = sql_text(arena, stmt, 0);
    }
    sql_done(stmt);
    if (status == STATUS_OK && *out == NULL) {
        status = error_set(err, STATUS_CORRUPT, "STORE_CORRUPT",
                           "the graph store does not name its account");
    }
    return status;
}

enum status
graph_store_get(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                const char *id, struct graph_row *out, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;

    if (kind == GRAPH_KIND_ENTITY) {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " GRAPH_ENTITY_COLUMNS
                             " FROM entities WHERE id = ?",
                             "s", id);
    } else {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " GRAPH_RELATIONSHIP_COLUMNS
                             " FROM relationships WHERE id = ?",
                             "s", id);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return graph_store_read_one(stmt, arena, kind, out, err);
}

/* Where keys of an origin are unique: its scope, instance, or "". */
static const char *
graph_store_partition(const struct graph_origin *origin)
{
    if (origin->source == GRAPH_SOURCE_API && origin->scope != NULL) {
        return origin->scope;
    }
    if (origin->integration_instance_id != NULL &&
        (origin->source == GRAPH_SOURCE_INTEGRATION_MANAGED ||
         origin->source == GRAPH_SOURCE_INTEGRATION_EXTERNAL)) {
        return origin->integration_instance_id;
    }
    return "";
}

enum status
graph_store_get_by_key(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                       const struct graph_origin *origin, const char *key,
                       struct graph_row *out, struct error *err)
{
    const char *source = graph_source_name(origin->source);
    const char *partition = graph_store_partition(origin);
    sqlite3_stmt *stmt = NULL;
    enum status status;

    if (kind == GRAPH_KIND_ENTITY) {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " GRAPH_ENTITY_COLUMNS
                             " FROM entities WHERE source = ? AND "
                             "partition = ? AND key = ?",
                             "sss", source, partition, key);
    } else {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " GRAPH_RELATIONSHIP_COLUMNS
                             " FROM relationships WHERE source = ? AND "
                             "partition = ? AND key = ?",
                             "sss", source, partition, key);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return graph_store_read_one(stmt, arena, kind, out, err);
}

enum status
graph_store_find_entity_key(sqlite3 *db, struct arena *arena, const char *key,
                            const char **id, int *matches, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *id = NULL;
    *matches = 0;
    status = sql_prepare(db, &stmt, err,
                         "SELECT id FROM entities WHERE key = ? AND "
                         "deleted = 0 LIMIT 2",
                         "s", key);
    while (status == STATUS_OK &&
           (status = sql_step(stmt, &row, err)) == STATUS_OK && row) {
        if (*matches == 0) {
            *id = sql_text(arena, stmt, 0);
        }
        (*matches)++;
    }
    sql_done(stmt);
    if (status == STATUS_OK && *matches > 0 && *id == NULL) {
        status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return status;
}

enum status
graph_store_live_entity(sqlite3 *db, struct arena *arena, const char *id,
                        const char **key, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;
    bool row = false;

    *key = NULL;
    status = sql_prepare(db, &stmt, err,
                         "SELECT key FROM entities WHERE id = ? AND "
                         "deleted = 0",
                         "s", id);
    if (status == STATUS_OK) {
        status = sql_step(stmt, &row, err);
    }
    if (status == STATUS_OK && row) {
        *key = sql_text(arena, stmt, 0);
        if (*key == NULL) {
            status = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
    } else if (status == STATUS_OK) {
        status = error_set(err, STATUS_NOT_FOUND, "NOT_FOUND",
                           "no such entity in this account");
    }
    sql_done(stmt);
    return status;
}

/* ---- writing rows ------------------------------------------------------- */

/* The class rows of an entity, replaced by the object's classes. */
static enum status
graph_store_set_classes(sqlite3 *db, const char *id,
                        const struct graph_object *o, struct error *err)
{
    enum status status;

    status = sql_exec(db, NULL, err,
                      "DELETE FROM entity_classes WHERE seq = "
                      "(SELECT seq FROM entities WHERE id = ?)",
                      "s", id);
    for (size_t i = 0; status == STATUS_OK && i < o->class_count; i++) {
        status = sql_exec(db, NULL, err,
                          "INSERT OR IGNORE INTO entity_classes (class, seq) "
                          "SELECT ?, seq FROM entities WHERE id = ?",
                          "ss", o->classes[i], id);
    }
    return status;
}

/* Text forms of what a row stores; false when out of memory. */
struct graph_store_texts {
    struct arena arena;
    const char *classes;
    const char *properties;
    const char *partition;
    const char *source;
    const char *instance;
};

static enum status
graph_store_texts_make(struct graph_store_texts *t, const struct graph_row *row,
                       struct error *err)
{
    const struct graph_object *o = &row->object;

    arena_init(&t->arena);
    t->classes = o->kind == GRAPH_KIND_ENTITY
                     ? graph_store_classes_text(&t->arena, o)
                     : (o->class_count > 0 ? o->classes[0] : NULL);
    t->properties = graph_store_properties_text(&t->arena, o);
    t->partition = graph_store_partition(&row->origin);
    t->source = graph_source_name(row->origin.source);
    t->instance = row->origin.source == GRAPH_SOURCE_API
                      ? NULL
                      : row->origin.integration_instance_id;
    if (t->classes == NULL || t->properties == NULL) {
        arena_release(&t->arena);
        return error_set(err, STATUS_NOMEM, NULL, "out of memory");
    }
    return STATUS_OK;
}

enum status
graph_store_insert(sqlite3 *db, const struct graph_row *row, struct error *err)
{
    const struct graph_object *o = &row->object;
    const struct graph_origin *g = &row->origin;
    struct graph_store_texts t;
    enum status status;

    status = graph_store_texts_make(&t, row, err);
    if (status != STATUS_OK) {
        return status;
    }

    if (o->kind == GRAPH_KIND_ENTITY) {
        status = sql_exec(
            db, NULL, err,
            "INSERT INTO entities (id, source, scope, instance, partition, "
            "key, type, classes, display_name, properties, raw_data, digest, "
            "version, created_ms, begin_ms, end_ms, deleted, definition_id, "
            "integration_type, integration_class, integration_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?)",
            "ssssssssssssiiinissss", row->id, t.source, g->scope, t.instance,
            t.partition, o->key, o->type, t.classes, o->display_name,
            t.properties, o->raw_data, row->digest, row->version,
            row->created_ms, row->begin_ms, row->end_ms, (int64_t)row->deleted,
            g->integration_definition_id, g->integration_type,
            g->integration_class, g->integration_name);
        if (status == STATUS_OK) {
            status = graph_store_set_classes(db, row->id, o, err);
        }
    } else {
        status = sql_exec(
            db, NULL, err,
            "INSERT INTO relationships (id, source, scope, instance, "
            "partition, key, type, class, display_name, properties, "
            "raw_data, digest, version, created_ms, begin_ms, end_ms, "
            "deleted, definition_id, integration_type, integration_class, "
            "integration_name, from_id, to_id, from_key, to_key, mapping) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            "ssssssssssssiiinisssssssss", row->id, t.source, g->scope,
            t.instance, t.partition, o->key, o->type, t.classes,
            o->display_name, t.properties, o->raw_data, row->digest,
            row->version, row->created_ms, row->begin_ms, row->end_ms,
            (int64_t)row->deleted, g->integration_definition_id,
            g->integration_type, g->integration_class, g->integration_name,
            o->from_id, o->to_id, o->from_key, o->to_key, o->mapping);
    }
    arena_release(&t.arena);
    return status;
}

static enum status
graph_store_replace_entity(sqlite3 *db, const struct graph_row *row,
                           const struct graph_store_texts *t, int64_t end_ms,
                           struct error *err)
{
    const struct graph_object *o = &row->object;
    const struct graph_origin *g = &row->origin;
    enum status status;

    status = sql_exec(
        db, NULL, err,
        "INSERT INTO entity_versions (id, version, source, scope, instance, "
        "key, type, classes, display_name, properties, digest, created_ms, "
        "begin_ms, end_ms, deleted, definition_id, integration_type, "
        "integration_class, integration_name) "
        "SELECT id, version, source, scope, instance, key, type, classes, "
        "display_name, properties, digest, created_ms, begin_ms, "
        "CASE WHEN deleted = 1 AND end_ms IS NOT NULL THEN end_ms "
        "ELSE ?2 END, deleted, definition_id, integration_type, "
        "integration_class, integration_name FROM entities WHERE id = ?1",
        "si", row->id, end_ms);
    if (status == STATUS_OK) {
        status = sql_exec(
            db, NULL, err,
            "UPDATE entities SET type = ?2, classes = ?3, display_name = ?4, "
            "properties = ?5, raw_data = ?6, digest = ?7, version = ?8, "
            "begin_ms = ?9, end_ms = ?10, deleted = ?11, "
            "definition_id = ?12, integration_type = ?13, "
            "integration_class = ?14, integration_name = ?15, key = ?16 "
            "WHERE id = ?1",
            "sssssssiinissss"
            "s",
            row->id, o->type, t->classes, o->display_name, t->properties,
            o->raw_data, row->digest, row->version, row->begin_ms, row->end_ms,
            (int64_t)row->deleted, g->integration_definition_id,
            g->integration_type, g->integration_class, g->integration_name,
            o->key);
    }
    if (status == STATUS_OK) {
        status = graph_store_set_classes(db, row->id, o, err);
    }
    return status;
}

static enum status
graph_store_replace_relationship(sqlite3 *db, const struct graph_row *row,
                                 const struct graph_store_texts *t,
                                 int64_t end_ms, struct error *err)
{
    const struct graph_object *o = &row->object;
    const struct graph_origin *g = &row->origin;
    enum status status;

    status = sql_exec(
        db, NULL, err,
        "INSERT INTO relationship_versions (id, version, source, scope, "
        "instance, key, type, class, display_name, properties, digest, "
        "created_ms, begin_ms, end_ms, deleted, definition_id, "
        "integration_type, integration_class, integration_name, from_id, "
        "to_id, from_key, to_key, mapping) "
        "SELECT id, version, source, scope, instance, key, type, class, "
        "display_name, properties, digest, created_ms, begin_ms, "
        "CASE WHEN deleted = 1 AND end_ms IS NOT NULL THEN end_ms "
        "ELSE ?2 END, deleted, definition_id, integration_type, "
        "integration_class, integration_name, from_id, to_id, from_key, "
        "to_key, mapping FROM relationships WHERE id = ?1",
        "si", row->id, end_ms);
    if (status == STATUS_OK) {
        status = sql_exec(
            db, NULL, err,
            "UPDATE relationships SET type = ?2, class = ?3, "
            "display_name = ?4, properties = ?5, raw_data = ?6, "
            "digest = ?7, version = ?8, begin_ms = ?9, end_ms = ?10, "
            "deleted = ?11, definition_id = ?12, integration_type = ?13, "
            "integration_class = ?14, integration_name = ?15, key = ?16, "
            "from_id = ?17, to_id = ?18, from_key = ?19, to_key = ?20, "
            "mapping = ?21 WHERE id = ?1",
            "sssssssiinissss"
            "ssssss",
            row->id, o->type, t->classes, o->display_name, t->properties,
            o->raw_data, row->digest, row->version, row->begin_ms, row->end_ms,
            (int64_t)row->deleted, g->integration_definition_id,
            g->integration_type, g->integration_class, g->integration_name,
            o->key, o->from_id, o->to_id, o->from_key, o->to_key, o->mapping);
    }
    return status;
}

enum status
graph_store_replace(sqlite3 *db, const struct graph_row *row, int64_t end_ms,
                    struct error *err)
{
    struct graph_store_texts t;
    enum status status;

    status = graph_store_texts_make(&t, row, err);
    if (status != STATUS_OK) {
        return status;
    }
    if (row->object.kind == GRAPH_KIND_ENTITY) {
        status = graph_store_replace_entity(db, row, &t, end_ms, err);
    } else {
        status = graph_store_replace_relationship(db, row, &t, end_ms, err);
    }
    arena_release(&t.arena);
    return status;
}

enum status
graph_store_set_raw_data(sqlite3 *db, enum graph_kind kind, const char *id,
                         const char *raw_data, struct error *err)
{
    if (kind == GRAPH_KIND_ENTITY) {
        return sql_exec(db, NULL, err,
                        "UPDATE entities SET raw_data = ? WHERE id = ?", "ss",
                        raw_data, id);
    }
    return sql_exec(db, NULL, err,
                    "UPDATE relationships SET raw_data = ? WHERE id = ?", "ss",
                    raw_data, id);
}

enum status
graph_store_mark_deleted(sqlite3 *db, enum graph_kind kind, const char *id,
                         int64_t now_ms, struct graph_delete_counts *counts,
                         struct error *err)
{
    enum status status;
    int changes = 0;

    if (kind == GRAPH_KIND_RELATIONSHIP) {
        status = sql_exec(db, &changes, err,
                          "UPDATE relationships SET deleted = 1, "
                          "end_ms = ?1 WHERE id = ?2 AND deleted = 0",
                          "is", now_ms, id);
        counts->relationships += changes;
        return status;
    }

    status = sql_exec(db, &changes, err,
                      "UPDATE entities SET deleted = 1, end_ms = ?1 "
                      "WHERE id = ?2 AND deleted = 0",
                      "is", now_ms, id);
    counts->entities += changes;
    if (status == STATUS_OK) {
        changes = 0;
        status = sql_exec(db, &changes, err,
                          "UPDATE relationships SET deleted = 1, "
                          "end_ms = ?1 WHERE (from_id = ?2 OR to_id = ?2) "
                          "AND deleted = 0",
                          "is", now_ms, id);
        counts->relationships += changes;
    }
    return status;
}

enum status
graph_store_remove(sqlite3 *db, enum graph_kind kind, const char *id,
                   struct graph_delete_counts *counts, struct error *err)
{
    enum status status;
    int changes = 0;

    if (kind == GRAPH_KIND_RELATIONSHIP) {
        status =
            sql_exec(db, NULL, err,
                     "DELETE FROM relationship_versions WHERE id = ?", "s", id);
        if (status == STATUS_OK) {
            status =
                sql_exec(db, &changes, err,
                         "DELETE FROM relationships WHERE id = ?", "s", id);
            counts->relationships += changes;
        }
        return status;
    }

    /* The edges first: the foreign keys refuse an entity with edges. */
    status = sql_exec(db, NULL, err,
                      "DELETE FROM relationship_versions WHERE id IN "
                      "(SELECT id FROM relationships WHERE from_id = ?1 "
                      "OR to_id = ?1)",
                      "s", id);
    if (status == STATUS_OK) {
        status = sql_exec(db, &changes, err,
                          "DELETE FROM relationships WHERE from_id = ?1 OR "
                          "to_id = ?1",
                          "s", id);
        counts->relationships += changes;
    }
    if (status == STATUS_OK) {
        status = sql_exec(db, NULL, err,
                          "DELETE FROM entity_versions WHERE id = ?", "s", id);
    }
    if (status == STATUS_OK) {
        changes = 0;
        status = sql_exec(db, &changes, err,
                          "DELETE FROM entities WHERE id = ?", "s", id);
        counts->entities += changes;
    }
    return status;
}

/* ---- listing ------------------------------------------------------------ */

/*
 * Parameters of every listing query: ?1 the sequence to stay below,
 * ?2 whether deleted rows count, ?3 the limit, ?4 type, ?5 class, and
 * for relationships ?6 from and ?7 to.  Each query is driven by the
 * index of one equality and checks the other filters row by row.
 */
#define GRAPH_ENTITY_TAIL                                                      \
    " AND seq < ?1 AND (?2 OR deleted = 0) AND (?4 IS NULL OR type = ?4) "     \
    "AND ?5 IS NULL ORDER BY seq DESC LIMIT ?3"
#define GRAPH_RELATIONSHIP_TAIL                                                \
    " AND seq < ?1 AND (?2 OR deleted = 0) AND (?4 IS NULL OR type = ?4) "     \
    "AND (?5 IS NULL OR class = ?5) AND (?6 IS NULL OR from_id = ?6) "         \
    "AND (?7 IS NULL OR to_id = ?7) ORDER BY seq DESC LIMIT ?3"

static const char *
graph_store_list_sql(enum graph_kind kind, const struct graph_filter *f)
{
    if (kind == GRAPH_KIND_ENTITY) {
        if (f->class_name != NULL) {
            return "SELECT " GRAPH_ENTITY_COLUMNS_E
                   " FROM entity_classes c JOIN entities e ON e.seq = c.seq"
                   " WHERE c.class = ?5 AND c.seq < ?1 AND (?2 OR "
                   "e.deleted = 0) AND (?4 IS NULL OR e.type = ?4)"
                   " ORDER BY c.seq DESC LIMIT ?3";
        }
        if (f->type != NULL) {
            return "SELECT " GRAPH_ENTITY_COLUMNS
                   " FROM entities WHERE type = ?4" GRAPH_ENTITY_TAIL;
        }
        return "SELECT " GRAPH_ENTITY_COLUMNS
               " FROM entities WHERE 1" GRAPH_ENTITY_TAIL;
    }
    if (f->from_id != NULL) {
        return "SELECT " GRAPH_RELATIONSHIP_COLUMNS
               " FROM relationships WHERE from_id = ?6" GRAPH_RELATIONSHIP_TAIL;
    }
    if (f->to_id != NULL) {
        return "SELECT " GRAPH_RELATIONSHIP_COLUMNS
               " FROM relationships WHERE to_id = ?7" GRAPH_RELATIONSHIP_TAIL;
    }
    if (f->class_name != NULL) {
        return "SELECT " GRAPH_RELATIONSHIP_COLUMNS
               " FROM relationships WHERE class = ?5" GRAPH_RELATIONSHIP_TAIL;
    }
    if (f->type != NULL) {
        return "SELECT " GRAPH_RELATIONSHIP_COLUMNS
               " FROM relationships WHERE type = ?4" GRAPH_RELATIONSHIP_TAIL;
    }
    return "SELECT " GRAPH_RELATIONSHIP_COLUMNS
           " FROM relationships WHERE 1" GRAPH_RELATIONSHIP_TAIL;
}

enum status
graph_store_list(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                 const struct graph_filter *filter, int64_t before_seq,
                 int limit, struct graph_row **rows, size_t *count,
                 struct error *err)
{
    const char *sql = graph_store_list_sql(kind, filter);
    sqlite3_stmt *stmt = NULL;
    enum status status;

    *rows = NULL;
    *count = 0;
    if (kind == GRAPH_KIND_ENTITY) {
        status = sql_prepare(db, &stmt, err, sql, "iiiss", before_seq,
                             (int64_t)filter->include_deleted, (int64_t)limit,
                             filter->type, filter->class_name);
    } else {
        status = sql_prepare(db, &stmt, err, sql, "iiissss", before_seq,
                             (int64_t)filter->include_deleted, (int64_t)limit,
                             filter->type, filter->class_name, filter->from_id,
                             filter->to_id);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return graph_store_read_all(stmt, arena, kind, rows, count, err);
}

enum status
graph_store_versions(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                     const char *id, int64_t before_version, int limit,
                     struct graph_row **rows, size_t *count, struct error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum status status;

    *rows = NULL;
    *count = 0;
    if (kind == GRAPH_KIND_ENTITY) {
        status = sql_prepare(db, &stmt, err,
                             "SELECT " GRAPH_ENTITY_COLUMNS
                             " FROM entities WHERE id = ?1 AND version < ?2"
                             " UNION ALL SELECT " GRAPH_ENTITY_HISTORY
                             " FROM entity_versions WHERE id = ?1 AND "
                             "version < ?2 ORDER BY version DESC LIMIT ?3",
                             "sii", id, before_version, (int64_t)limit);
    } else {
        status = sql_prepare(
            db, &stmt, err,
            "SELECT " GRAPH_RELATIONSHIP_COLUMNS
            " FROM relationships WHERE id = ?1 AND "
            "version < ?2 UNION ALL SELECT " GRAPH_RELATIONSHIP_HISTORY
            " FROM relationship_versions WHERE id = ?1 AND "
            "version < ?2 ORDER BY version DESC LIMIT ?3",
            "sii", id, before_version, (int64_t)limit);
    }
    if (status != STATUS_OK) {
        return status;
    }
    return graph_store_read_all(stmt, arena, kind, rows, count, err);
}

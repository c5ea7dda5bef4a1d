/*
 * graph.h - the asset graph of one account: entities and relationships,
 * their versions, and the operations every way of writing the graph
 * (REST, synchronization jobs, CSV and SDK imports) goes through.
 *
 * An object arrives as JSON and is parsed into a struct graph_object:
 * the identifying metadata (_key, _type, _class), displayName, the flat
 * custom properties, _rawData kept apart, and for a relationship its
 * endpoints.  Writing it needs a struct graph_origin, which says who
 * owns it: an "api" scope, an integration instance, or the mapper.  An
 * object is identified within its account by (kind, origin, _key); the
 * server gives it a UUID _id on creation that never changes.
 *
 * What is stored is a struct graph_row: the object plus _id, _version,
 * the times and the deletion flag.  A write that changes what the graph
 * shows (key, type, classes, displayName, properties, and a
 * relationship's endpoints) makes a new version: the previous one is
 * kept in the history with its _endOn set, and the new one has _version
 * one higher and _beginOn now.  The decision is made by comparing a
 * SHA-256 digest of that content in a canonical form (classes as a set,
 * properties sorted by name), so an upload of the same content changes
 * nothing.  _rawData is stored with the current version but is not part
 * of the digest: a change of _rawData alone replaces it in place without
 * a new version.
 *
 * Every function takes the account's graph store connection (see
 * store/graph_store.h) and allocates what it returns from the caller's
 * arena.  The writing functions must run inside a write transaction the
 * caller opened with graph_store_begin(), so that a caller can make many
 * writes all-or-nothing; they refuse to run outside one.  Times are epoch
 * milliseconds passed in by the caller, so that one request or one job
 * stamps all its changes alike.
 */
#ifndef GANYMEDE_GRAPH_GRAPH_H
#define GANYMEDE_GRAPH_GRAPH_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "crypto/random.h"

/* Limits on one object, checked before anything is stored. */
#define GRAPH_KEY_MAX        1024        /* bytes of _key and endpoint keys */
#define GRAPH_NAME_MAX       256         /* property names, _type, _class */
#define GRAPH_CLASSES_MAX    64          /* entries of an entity's _class */
#define GRAPH_PROPERTIES_MAX 2000        /* custom properties */
#define GRAPH_STRING_MAX     (64 * 1024) /* bytes of one string value */
#define GRAPH_ARRAY_MAX      10000       /* elements of one array value */
#define GRAPH_SCOPE_MAX      256         /* bytes of a scope or instance id */

/* Limits on one listing. */
#define GRAPH_LIST_DEFAULT   100
#define GRAPH_LIST_MAX       1000
#define GRAPH_CURSOR_MAX     32          /* bytes of a cursor, with NUL */

enum graph_kind {
    GRAPH_KIND_ENTITY,
    GRAPH_KIND_RELATIONSHIP,
};

/* Who owns an object: the _source of the reference, section 5. */
enum graph_source {
    GRAPH_SOURCE_API,                  /* "api", with a scope */
    GRAPH_SOURCE_INTEGRATION_MANAGED,  /* "integration-managed" */
    GRAPH_SOURCE_INTEGRATION_EXTERNAL, /* "integration-external" */
    GRAPH_SOURCE_SYSTEM_MAPPER,        /* "system-mapper" */
    GRAPH_SOURCE_COUNT,
};

/*
 * The origin of a write.  For GRAPH_SOURCE_API, scope is required and the
 * integration fields are NULL.  For the two integration sources,
 * integration_instance_id is required and the other integration fields
 * are optional metadata copied onto the objects.  For the mapper all are
 * NULL.  Keys are unique per kind within (source, scope or instance).
 */
struct graph_origin {
    enum graph_source source;
    const char *scope;
    const char *integration_instance_id;
    const char *integration_definition_id;
    const char *integration_type;
    const char *integration_class;
    const char *integration_name;
};

/* One custom property: its name and its value as compact JSON text. */
struct graph_property {
    const char *name;
    const char *value;
};

/*
 * An entity or relationship as parsed, before the server's metadata.
 * Strings are NUL-terminated UTF-8 in the arena; optional ones are NULL
 * when absent.  properties are sorted by name (strcmp) and unique.
 *
 * A relationship has exactly one class, upper-cased, and names each
 * endpoint by _id (from_id, to_id) or by _key (from_key, to_key), or
 * carries a _mapping (the JSON text of the object, for the mapper of the
 * synchronization jobs) instead of endpoints.  When a relationship is
 * stored, both its endpoint ids and keys are filled in.
 */
struct graph_object {
    enum graph_kind kind;
    const char *key;
    const char *type;
    const char **classes;
    size_t class_count;
    const char *display_name;
    struct graph_property *properties;
    size_t property_count;
    const char *raw_data; /* JSON text of _rawData, an array */

    const char *from_key;
    const char *to_key;
    const char *from_id;
    const char *to_id;
    const char *mapping;
};

/* An object as stored: one version of it. */
struct graph_row {
    struct graph_object object;
    struct graph_origin origin;
    const char *id;         /* _id, a UUID */
    const char *account_id; /* _accountId */
    int64_t version;        /* _version, from 1 */
    int64_t created_ms;     /* _createdOn: when the _id first appeared */
    int64_t begin_ms;       /* _beginOn: when this version began */
    int64_t end_ms;         /* _endOn: 0 while current and not deleted */
    bool deleted;           /* _deleted */
    const char *digest;     /* the canonical digest, hex */
    int64_t seq;            /* place in listing order (0 in history) */
};

/* What a write did to one object. */
enum graph_change {
    GRAPH_CHANGE_UNCHANGED, /* same content: nothing written */
    GRAPH_CHANGE_CREATED,   /* a new _id, version 1 */
    GRAPH_CHANGE_UPDATED,   /* a new version (also: revived after delete) */
    GRAPH_CHANGE_RAW_DATA,  /* only _rawData replaced, same version */
};

/* Which rows a listing returns; NULL fields do not filter. */
struct graph_filter {
    const char *type;
    const char *class_name; /* for relationships, compared upper-cased */
    const char *from_id;    /* relationships only */
    const char *to_id;      /* relationships only */
    bool include_deleted;
};

/* What a delete did, the cascade included. */
struct graph_delete_counts {
    int64_t entities;
    int64_t relationships;
};

/* ---- objects (object.c) ----------------------------------------------- */

/*
 * Parse and validate one object of the given kind from JSON.  Refuses
 * with STATUS_INVALID and code INVALID_ENTITY or INVALID_RELATIONSHIP,
 * and a message naming the object by _key (when it has a usable one) and
 * the offending property: missing or mistyped _key, _type or _class;
 * custom names that start with '_' (other than the metadata fields the
 * kind accepts), are empty, longer than GRAPH_NAME_MAX or hold control
 * characters; values that are objects, mixed or nested arrays, or over
 * the limits above; server-set metadata (_id, _version, _source, ...).
 * Entities accept _key, _type, _class, displayName, _rawData and custom
 * properties (tags are flat "tag.X" names); relationships add
 * _fromEntityKey, _toEntityKey, _fromEntityId, _toEntityId and _mapping.
 * Nothing in json is kept: the result lives in arena.
 */
enum status graph_object_parse(struct arena *arena, enum graph_kind kind,
                               json_t *json, struct graph_object *out,
                               struct error *err);

/*
 * Parse a merge update: the same rules, but _key, _type, _class and the
 * endpoints may not appear (they cannot change), and nothing is
 * required.  The result holds only what the update sets.
 */
enum status graph_object_parse_patch(struct arena *arena,
                                     enum graph_kind kind, json_t *json,
                                     struct graph_object *out,
                                     struct error *err);

/*
 * The canonical digest of what the graph shows of an object (key, type,
 * classes as a sorted set, displayName, properties, and a relationship's
 * endpoint ids), as lower-case hex into out.
 */
void graph_object_digest(const struct graph_object *object,
                         char out[SHA256_HEX_LEN + 1]);

/*
 * A property value as the compact JSON text that properties hold, in the
 * arena (NULL when out of memory); parsing and reading back both use it,
 * so that equal values always give equal text and equal digests.
 */
char *graph_value_text(struct arena *arena, const json_t *value);

/* The value of a property, or NULL. */
const char *graph_object_property(const struct graph_object *object,
                                  const char *name);

/* Check an origin's fields for its source (lengths, presence). */
enum status graph_origin_check(const struct graph_origin *origin,
                               struct error *err);

/* "api", "integration-managed", ...; and back (false when unknown). */
const char *graph_source_name(enum graph_source source);
bool graph_source_parse(const char *name, enum graph_source *out);

const char *graph_kind_name(enum graph_kind kind); /* "entity", ... */

/* ---- the graph (graph.c) ---------------------------------------------- */

/*
 * Create the object, or make a new version of the existing object with
 * the same (kind, origin, _key) when its content differs, or leave it
 * alone when it does not (GRAPH_CHANGE_UNCHANGED).  A soft-deleted
 * object with that key comes back as a new version of the same _id.
 * A relationship's endpoints must name live entities of this account:
 * by _id, or by _key, looked up first among the entities of the same
 * origin and then among all of the account's entities when exactly one
 * has that key.  An endpoint that names nothing is refused with
 * STATUS_INVALID, INVALID_RELATIONSHIP and the key or id in the message;
 * a relationship with only a _mapping is refused here (the
 * synchronization jobs resolve mappings).  *out (may be NULL) gets the
 * current row after the write.
 */
enum status graph_upsert(sqlite3 *db, struct arena *arena,
                         const struct graph_origin *origin,
                         const struct graph_object *object, int64_t now_ms,
                         struct graph_row *out, enum graph_change *change,
                         struct error *err);

/*
 * Merge an update from graph_object_parse_patch() into the current
 * version of the object with this _id: the given properties replace or
 * add to the stored ones (a null value is stored as null), displayName
 * and _rawData are replaced when given.  A new version when the content
 * changed.  STATUS_NOT_FOUND for an unknown _id; STATUS_CONFLICT with
 * code OBJECT_DELETED for a soft-deleted object.  The merged object must
 * stay within GRAPH_PROPERTIES_MAX.
 */
enum status graph_update(sqlite3 *db, struct arena *arena,
                         enum graph_kind kind, const char *id,
                         const struct graph_object *patch, int64_t now_ms,
                         struct graph_row *out, enum graph_change *change,
                         struct error *err);

/*
 * Delete the object with this _id.  Soft (hard false): the current
 * version is marked _deleted with _endOn now and stays readable, with
 * its history.  Hard: the object and all its versions are removed.
 * Deleting an entity deletes, in the same way, every relationship from
 * or to it.  Soft-deleting what is already deleted counts nothing and
 * succeeds.  STATUS_NOT_FOUND for an unknown _id.  counts may be NULL.
 */
enum status graph_delete(sqlite3 *db, struct arena *arena,
                         enum graph_kind kind, const char *id, bool hard,
                         int64_t now_ms, struct graph_delete_counts *counts,
                         struct error *err);

/* The current version of the object with this _id (deleted or not). */
enum status graph_get(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                      const char *id, struct graph_row *out,
                      struct error *err);

/* The current version of the object with this origin and _key. */
enum status graph_get_by_key(sqlite3 *db, struct arena *arena,
                             enum graph_kind kind,
                             const struct graph_origin *origin,
                             const char *key, struct graph_row *out,
                             struct error *err);

/*
 * A page of current objects matching filter, newest first (in order of
 * creation).  cursor is NULL or "" for the first page, else a value
 * returned in next_cursor; an unreadable cursor is STATUS_INVALID with
 * code INVALID_CURSOR.  limit is clamped to 1..GRAPH_LIST_MAX.
 * next_cursor (GRAPH_CURSOR_MAX bytes) is "" on the last page.  Every
 * object present for the whole walk is returned exactly once; objects
 * created during the walk are not returned.
 */
enum status graph_list(sqlite3 *db, struct arena *arena, enum graph_kind kind,
                       const struct graph_filter *filter, const char *cursor,
                       int limit, struct graph_row **rows, size_t *count,
                       char next_cursor[GRAPH_CURSOR_MAX],
                       struct error *err);

/*
 * The versions of the object with this _id, newest first: the current
 * one and then the kept history, each with its own _beginOn and _endOn.
 * before_version 0 starts at the newest; otherwise only versions below
 * it are returned (for paging).  limit is clamped to 1..GRAPH_LIST_MAX.
 * STATUS_NOT_FOUND for an unknown _id.
 */
enum status graph_versions(sqlite3 *db, struct arena *arena,
                           enum graph_kind kind, const char *id,
                           int64_t before_version, int limit,
                           struct graph_row **rows, size_t *count,
                           struct error *err);

/* ---- JSON -------------------------------------------------------------- */

/*
 * A row as the API answers it: _id, _key, _type, _class (always an
 * array), _version, _createdOn, _beginOn, _endOn (epoch ms, null while
 * current), _deleted, _source, _scope or the _integration* fields,
 * _accountId, relationship endpoints, displayName, then the properties.
 * _rawData only when with_raw_data.  NULL when out of memory.
 */
json_t *graph_row_json(const struct graph_row *row, bool with_raw_data);

#endif

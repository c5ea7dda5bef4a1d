/*
 * validate.h - checking entities against the JupiterOne data model.
 *
 * The class schemas of the npm package @jupiterone/data-model (pinned by
 * package-lock.json) are embedded in the binary at build time by
 * scripts/embed-schemas, one compact JSON text per class.  The first
 * check parses them all once, under pthread_once, and keeps the trees
 * and the compiled patterns for the life of the process; they are never
 * changed afterwards, so any number of threads may check at once.
 *
 * An entity is checked against the schema of every class in its _class
 * that the data model knows.  Classes the model does not know are never
 * a problem, and neither are properties the schemas do not declare.
 * What a check finds is a list of problems, each naming the class whose
 * schema found it, the property (empty for the entity as a whole) and
 * what is wrong.  Whether problems refuse a write is the caller's policy
 * (the account setting "validation": warn or strict), not this module's.
 *
 * The draft-07 subset understood: type (with unions, null, and integer
 * as a number without fraction), required, properties,
 * patternProperties, items, uniqueItems, minItems, enum, const, pattern,
 * minLength, minimum, maximum, anyOf, oneOf (exactly one), allOf and
 * $ref to another class ("#Entity").  format applies to strings only:
 * date-time, uri, email, hostname, ipv4, ipv6, ip, ipCidr, asn; other
 * formats pass.  Annotations and unknown keywords are ignored.
 * propertyNames is deliberately not applied: the model's only use of it
 * restricts the names of undeclared properties, which are never refused
 * here (object.c has the server's own rules for names).  A pattern using
 * ECMAScript syntax POSIX regular expressions lack (lookaround) is not
 * applied.
 */
#ifndef GANYMEDE_GRAPH_VALIDATE_H
#define GANYMEDE_GRAPH_VALIDATE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "graph/graph.h"

/* Problems kept for one entity; a check stops recording past this. */
#define GRAPH_PROBLEMS_MAX 50

/* One embedded schema (the generated data_model_schemas.c). */
struct graph_schema_source {
    const char *name; /* the class, e.g. "User" */
    const char *json; /* the schema, compact JSON */
};

/* Sorted by name (strcmp). */
extern const struct graph_schema_source graph_schema_sources[];
extern const size_t graph_schema_source_count;

/* One thing wrong with an entity; strings live in the caller's arena. */
struct graph_problem {
    const char *class_name; /* the class whose schema found it */
    const char *property;   /* "email", "email[1]", or "" for the object */
    const char *message;    /* lower-case, no trailing period */
};

/*
 * Is s a valid string of the named format (date-time, uri, email,
 * hostname, ipv4, ipv6, ip, ipCidr, asn)?  Unknown formats pass.
 */
bool graph_format_valid(const char *format, const char *s);

/* Does the data model have a schema for this class? */
bool graph_validate_has_class(const char *class_name);

/*
 * Check an entity, as parsed by graph_object_parse() or as stored (for a
 * merge update, check the merged row's object), against every known class
 * in its classes.  *problems gets an arena array of *count problems (at
 * most GRAPH_PROBLEMS_MAX; *count 0 and *problems NULL when the entity
 * conforms).  Relationships have no class schemas: they always conform.
 * Fails only with STATUS_NOMEM, or STATUS_INTERNAL when the embedded
 * schemas could not be loaded (logged once); a non-conforming entity is
 * STATUS_OK with problems.  Safe from any thread; needs no database.
 */
enum status graph_validate_object(struct arena *arena,
                                  const struct graph_object *object,
                                  struct graph_problem **problems,
                                  size_t *count, struct error *err);

/* The problems as a JSON array of {class, property, message}. */
json_t *graph_problems_json(const struct graph_problem *problems,
                            size_t count);

/*
 * Keep the problems of the current version of the entity with this _id
 * in its account's graph store (db, inside the caller's write
 * transaction), replacing what was kept before; count 0 forgets them.
 * They go when the entity is hard-deleted.
 */
enum status graph_validation_save(sqlite3 *db, const char *id,
                                  const struct graph_problem *problems,
                                  size_t count, int64_t now_ms,
                                  struct error *err);

/*
 * The problems kept for the entity with this _id, as the JSON array
 * graph_problems_json() gave (a new reference), or *out NULL when none.
 */
enum status graph_validation_load(sqlite3 *db, const char *id, json_t **out,
                                  struct error *err);

#endif

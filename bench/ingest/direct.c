/*
 * direct.c - the direct loader of bench/ingest: the rows a sync job of
 * the generated estate creates, written straight into an account graph
 * database with SQLite, as fast as a plain program can.  Its rate is the
 * ceiling the server's end-to-end ingest is compared against.
 *
 * It does the work the server must do for the same bytes: parse every
 * line, split metadata from properties, encode classes, properties and
 * _rawData, digest the graph content, give each object an id, resolve
 * relationship endpoints from keys to ids.  The schema is read from a
 * graph.db the server created, so both hold the same tables and indexes.
 *
 * What makes it fast: a reader thread that parses and encodes while the
 * main thread inserts, one transaction, journal and fsync off, prepared
 * statements, secondary indexes created after the rows are in (the
 * UNIQUE and PRIMARY KEY constraints inside table definitions stay as
 * they are, maintained row by row), ids that sort in insertion order
 * (UUID version 7 layout: time, counter, random) so the id index is
 * appended to, and an in-memory hash table from key to id.
 *
 * usage: ingest-direct SCHEMA_DB OUT_DB DIR INSTANCE
 * Prints: direct_entities=E direct_relationships=R seconds=S direct_eps=..
 */
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_LEN 36
#define CLASSES_MAX 16

struct key_slot {
    char *key;
    char id[ID_LEN + 1];
};

struct key_map {
    struct key_slot *slots;
    size_t mask;
};

struct loader {
    sqlite3 *db;
    sqlite3_stmt *ins_entity;
    sqlite3_stmt *ins_class;
    sqlite3_stmt *ins_rel;
    struct key_map keys;
    const char *instance;
    int64_t now_ms;
    uint64_t id_counter;
    uint64_t rng;
    size_t entities;
    size_t relationships;
    size_t dangling;
};

static void
die(const char *what, const char *detail)
{
    fprintf(stderr, "ingest-direct: %s: %s\n", what,
            detail != NULL ? detail : "");
    exit(1);
}

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        die(sql, msg);
    }
}

/* ---- key to id ---------------------------------------------------------- */

static uint64_t
hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s != '\0') {
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    }
    return h;
}

static void
key_map_init(struct key_map *map, size_t expected)
{
    size_t cap = 1024;

    while (cap < expected * 2) {
        cap *= 2;
    }
    map->slots = calloc(cap, sizeof(*map->slots));
    if (map->slots == NULL) {
        die("out of memory", "key map");
    }
    map->mask = cap - 1;
}

static struct key_slot *
key_map_find(struct key_map *map, const char *key)
{
    size_t i = hash_text(key) & map->mask;

    /* The table is at most half full, so the probe ends. */
    while (map->slots[i].key != NULL && strcmp(map->slots[i].key, key) != 0) {
        i = (i + 1) & map->mask;
    }
    return &map->slots[i];
}

/* ---- one object --------------------------------------------------------- */

/* splitmix64: the random tail of ids, seeded once from the system. */
static uint64_t
loader_random(struct loader *ld)
{
    uint64_t z = (ld->rng += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void
loader_new_id(struct loader *ld, char out[ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t ms = (uint64_t)ld->now_ms, c = ld->id_counter++;
    uint64_t r = loader_random(ld);
    size_t o = 0;

    for (int i = 0; i < 6; i++) {
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    }
    b[6] = (unsigned char)(0x70 | ((c >> 40) & 0x0f));
    for (int i = 7; i < 12; i++) {
        b[i] = (unsigned char)(c >> (8 * (11 - i)));
    }
    for (int i = 12; i < 16; i++) {
        b[i] = (unsigned char)(r >> (8 * (i - 12)));
    }
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

static void
digest_field(crypto_hash_sha256_state *st, const char *text)
{
    unsigned char len[8];
    uint64_t n = text != NULL ? strlen(text) : UINT64_MAX;

    for (int i = 0; i < 8; i++) {
        len[i] = (unsigned char)(n >> (8 * i));
    }
    crypto_hash_sha256_update(st, len, sizeof(len));
    if (text != NULL) {
        crypto_hash_sha256_update(st, (const unsigned char *)text,
                                  strlen(text));
    }
}

static int
text_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The compact JSON text of a value, as json_dumps writes it: plain
 * strings, integers and literals are written into buf without an
 * allocation, anything else through jansson into *heap (caller frees).
 */
static const char *
value_text(json_t *value, char *buf, size_t cap, char **heap)
{
    if (json_is_string(value)) {
        const char *s = json_string_value(value);
        size_t len = json_string_length(value);
        bool plain = len + 3 <= cap;

        for (size_t i = 0; plain && i < len; i++) {
            unsigned char c = (unsigned char)s[i];

            plain = c >= 0x20 && c != '"' && c != '\\';
        }
        if (plain) {
            buf[0] = '"';
            memcpy(buf + 1, s, len);
            buf[len + 1] = '"';
            buf[len + 2] = '\0';
            return buf;
        }
    } else if (json_is_integer(value)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(value));
        return buf;
    } else if (json_is_true(value)) {
        return "true";
    } else if (json_is_false(value)) {
        return "false";
    } else if (json_is_null(value)) {
        return "null";
    }
    *heap = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    return *heap;
}

/* Digest the properties, name then value text, in name order. */
static void
digest_props(crypto_hash_sha256_state *st, json_t *props)
{
    const char *names[256], *name;
    size_t count = 0;
    json_t *value;

    json_object_foreach(props, name, value) {
        if (count == sizeof(names) / sizeof(names[0])) {
            die("too many properties", name);
        }
        names[count++] = name;
    }
    qsort(names, count, sizeof(names[0]), text_order);
    for (size_t i = 0; i < count; i++) {
        char buf[512], *heap = NULL;
        const char *text = value_text(json_object_get(props, names[i]),
                                      buf, sizeof(buf), &heap);

        digest_field(st, names[i]);
        digest_field(st, text);
        free(heap);
    }
}

/*
 * The parts of one uploaded object: the properties without metadata and
 * their digest.  The caller frees props_text and raw_text.
 */
struct parts {
    const char *key;
    const char *type;
    const char *display_name;
    const char *classes[CLASSES_MAX];
    size_t class_count;
    char *props_text;
    char *raw_text;
    char digest[crypto_hash_sha256_BYTES * 2 + 1];
};

static void
parts_make(struct parts *p, json_t *obj, bool entity, const char *from_id,
           const char *to_id)
{
    json_t *props = json_object(), *cls, *value;
    crypto_hash_sha256_state st;
    unsigned char hash[crypto_hash_sha256_BYTES];
    const char *sorted[CLASSES_MAX], *name;

    memset(p, 0, sizeof(*p));
    p->key = json_string_value(json_object_get(obj, "_key"));
    p->type = json_string_value(json_object_get(obj, "_type"));
    p->display_name = json_string_value(json_object_get(obj, "displayName"));
    if (p->key == NULL || p->type == NULL) {
        die("object without _key or _type", p->key);
    }
    cls = json_object_get(obj, "_class");
    if (json_is_string(cls)) {
        p->classes[p->class_count++] = json_string_value(cls);
    } else {
        size_t i;

        json_array_foreach(cls, i, value) {
            if (p->class_count < CLASSES_MAX && json_is_string(value)) {
                p->classes[p->class_count++] = json_string_value(value);
            }
        }
    }
    if (p->class_count == 0) {
        die("object without _class", p->key);
    }

    crypto_hash_sha256_init(&st);
    digest_field(&st, entity ? "entity" : "relationship");
    digest_field(&st, p->key);
    digest_field(&st, p->type);
    memcpy(sorted, p->classes, p->class_count * sizeof(*sorted));
    qsort(sorted, p->class_count, sizeof(*sorted), text_order);
    for (size_t i = 0; i < p->class_count; i++) {
        digest_field(&st, sorted[i]);
    }
    digest_field(&st, NULL);
    digest_field(&st, p->display_name);

    /*
     * Graph properties: every key without a leading underscore, in name
     * order as the server keeps them.
     */
    json_object_foreach(obj, name, value) {
        if (name[0] != '_' && strcmp(name, "displayName") != 0) {
            json_object_set(props, name, value);
        }
    }
    p->props_text = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
    digest_props(&st, props);
    digest_field(&st, NULL);
    if (!entity) {
        digest_field(&st, from_id);
        digest_field(&st, to_id);
    }
    crypto_hash_sha256_final(&st, hash);
    sodium_bin2hex(p->digest, sizeof(p->digest), hash, sizeof(hash));

    value = json_object_get(obj, "_rawData");
    p->raw_text = value != NULL ? json_dumps(value, JSON_COMPACT) : NULL;
    json_decref(props);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *text)
{
    sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

static void
step_reset(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        die("insert", sqlite3_errmsg(db));
    }
    sqlite3_reset(st);
}

/* Columns shared by entities and relationships, in statement order. */
static void
bind_common(struct loader *ld, sqlite3_stmt *st, const char *id,
            const struct parts *p, const char *classes)
{
    bind_text(st, 1, id);
    bind_text(st, 2, "integration-managed");
    bind_text(st, 3, ld->instance); /* instance */
    bind_text(st, 4, ld->instance); /* partition */
    bind_text(st, 5, p->key);
    bind_text(st, 6, p->type);
    bind_text(st, 7, classes);
    bind_text(st, 8, p->display_name);
    bind_text(st, 9, p->props_text);
    bind_text(st, 10, p->raw_text);
    bind_text(st, 11, p->digest);
    sqlite3_bind_int64(st, 12, ld->now_ms);
}

/* ---- the pipeline ------------------------------------------------------- */

/*
 * Two threads on this two-core machine: the reader parses lines and
 * makes every text of a row (the work that needs no database), the main
 * thread binds and inserts.  Rows travel in blocks through a small ring,
 * and each object belongs to one thread at a time.
 */
#define BLOCK_ROWS 256
#define RING_BLOCKS 8

struct row {
    bool entity;
    json_t *obj;
    struct parts p;
    char *classes; /* entity: JSON array text; relationship: the verb */
    const char *id;
    char own_id[ID_LEN + 1];
    const char *from_id;
    const char *to_id;
    const char *from_key;
    const char *to_key;
};

struct block {
    struct row rows[BLOCK_ROWS];
    size_t count;
    bool full;
};

struct ring {
    struct block blocks[RING_BLOCKS];
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool done;
};

struct reader {
    struct loader *ld;
    struct ring *ring;
    const char *dir;
};

static bool
row_make_entity(struct loader *ld, struct row *r, json_t *obj)
{
    struct key_slot *slot;
    json_t *cls = json_array();

    r->entity = true;
    r->obj = obj;
    parts_make(&r->p, obj, true, NULL, NULL);
    slot = key_map_find(&ld->keys, r->p.key);
    if (slot->key != NULL) {
        die("duplicate entity key", r->p.key);
    }
    slot->key = strdup(r->p.key);
    if (slot->key == NULL) {
        die("out of memory", "key");
    }
    loader_new_id(ld, slot->id);
    r->id = slot->id; /* slots never move: the map does not grow */
    for (size_t i = 0; i < r->p.class_count; i++) {
        json_array_append_new(cls, json_string(r->p.classes[i]));
    }
    r->classes = json_dumps(cls, JSON_COMPACT);
    json_decref(cls);
    return true;
}

static bool
row_make_relationship(struct loader *ld, struct row *r, json_t *obj)
{
    struct key_slot *from, *to;
    size_t i, len;

    r->entity = false;
    r->obj = obj;
    r->from_key = json_string_value(json_object_get(obj, "_fromEntityKey"));
    r->to_key = json_string_value(json_object_get(obj, "_toEntityKey"));
    if (r->from_key == NULL || r->to_key == NULL) {
        die("relationship without endpoint keys", NULL);
    }
    from = key_map_find(&ld->keys, r->from_key);
    to = key_map_find(&ld->keys, r->to_key);
    if (from->key == NULL || to->key == NULL) {
        ld->dangling++; /* the server reports and skips these too */
        return false;
    }
    r->from_id = from->id;
    r->to_id = to->id;
    parts_make(&r->p, obj, false, from->id, to->id);

    /* A relationship's class is its verb, upper-case. */
    len = strlen(r->p.classes[0]);
    r->classes = malloc(len + 1);
    if (r->classes == NULL) {
        die("out of memory", "verb");
    }
    for (i = 0; i < len; i++) {
        char c = r->p.classes[0][i];

        r->classes[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    r->classes[len] = '\0';
    loader_new_id(ld, r->own_id);
    r->id = r->own_id;
    return true;
}

static void
row_write(struct loader *ld, struct row *r)
{
    if (r->entity) {
        sqlite3_int64 seq;

        bind_common(ld, ld->ins_entity, r->id, &r->p, r->classes);
        step_reset(ld->db, ld->ins_entity);
        seq = sqlite3_last_insert_rowid(ld->db);
        for (size_t i = 0; i < r->p.class_count; i++) {
            bind_text(ld->ins_class, 1, r->p.classes[i]);
            sqlite3_bind_int64(ld->ins_class, 2, seq);
            step_reset(ld->db, ld->ins_class);
        }
        ld->entities++;
    } else {
        bind_common(ld, ld->ins_rel, r->id, &r->p, r->classes);
        bind_text(ld->ins_rel, 13, r->from_id);
        bind_text(ld->ins_rel, 14, r->to_id);
        bind_text(ld->ins_rel, 15, r->from_key);
        bind_text(ld->ins_rel, 16, r->to_key);
        step_reset(ld->db, ld->ins_rel);
        ld->relationships++;
    }
    free(r->classes);
    free(r->p.props_text);
    free(r->p.raw_text);
    json_decref(r->obj);
}

/* Hand a filled block over, then wait for the next one to be free. */
static void
ring_publish(struct ring *ring, size_t *at)
{
    pthread_mutex_lock(&ring->lock);
    ring->blocks[*at].full = true;
    pthread_cond_broadcast(&ring->changed);
    *at = (*at + 1) % RING_BLOCKS;
    while (ring->blocks[*at].full) {
        pthread_cond_wait(&ring->changed, &ring->lock);
    }
    pthread_mutex_unlock(&ring->lock);
    ring->blocks[*at].count = 0;
}

/* Feed every line of DIR/NAME into the ring. */
static void
reader_file(struct reader *rd, const char *name, bool entity, size_t *at)
{
    char path[4096], *line = NULL;
    size_t cap = 0;
    FILE *f;
    json_error_t jerr;

    snprintf(path, sizeof(path), "%s/%s", rd->dir, name);
    f = fopen(path, "r");
    if (f == NULL) {
        die("cannot open", path);
    }
    while (getline(&line, &cap, f) > 0) {
        struct block *b = &rd->ring->blocks[*at];
        json_t *obj = json_loads(line, 0, &jerr);
        bool keep;

        if (obj == NULL) {
            die("bad JSON line", jerr.text);
        }
        keep = entity ? row_make_entity(rd->ld, &b->rows[b->count], obj)
                      : row_make_relationship(rd->ld, &b->rows[b->count], obj);
        if (!keep) {
            json_decref(obj);
            continue;
        }
        if (++b->count == BLOCK_ROWS) {
            ring_publish(rd->ring, at);
        }
    }
    free(line);
    fclose(f);
}

static void *
reader_main(void *arg)
{
    struct reader *rd = arg;
    size_t at = 0;

    /* Entities first: relationships need their ids. */
    reader_file(rd, "entities.jsonl", true, &at);
    reader_file(rd, "relationships.jsonl", false, &at);
    if (rd->ring->blocks[at].count > 0) {
        ring_publish(rd->ring, &at);
    }
    pthread_mutex_lock(&rd->ring->lock);
    rd->ring->done = true;
    pthread_cond_broadcast(&rd->ring->changed);
    pthread_mutex_unlock(&rd->ring->lock);
    return NULL;
}

/* The main thread's side: write blocks until the reader is done. */
static void
loader_drain(struct loader *ld, struct ring *ring)
{
    size_t at = 0;

    for (;;) {
        struct block *b = &ring->blocks[at];

        pthread_mutex_lock(&ring->lock);
        while (!b->full && !ring->done) {
            pthread_cond_wait(&ring->changed, &ring->lock);
        }
        if (!b->full) {
            pthread_mutex_unlock(&ring->lock);
            return;
        }
        pthread_mutex_unlock(&ring->lock);

        for (size_t i = 0; i < b->count; i++) {
            row_write(ld, &b->rows[i]);
        }

        pthread_mutex_lock(&ring->lock);
        b->full = false;
        pthread_cond_broadcast(&ring->changed);
        pthread_mutex_unlock(&ring->lock);
        at = (at + 1) % RING_BLOCKS;
    }
}

static size_t
count_lines(const char *dir, const char *name)
{
    char path[4096], buf[1 << 16];
    size_t n = 0, got;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (f == NULL) {
        die("cannot open", path);
    }
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            n += buf[i] == '\n';
        }
    }
    fclose(f);
    return n;
}

/* ---- the schema --------------------------------------------------------- */

/*
 * Run the CREATE statements of SCHEMA_DB in OUT: tables (and the
 * version pragma) when tables is true, the CREATE INDEX statements
 * otherwise.
 */
static void
schema_copy(sqlite3 *out, sqlite3 *schema, bool tables)
{
    sqlite3_stmt *st;
    const char *sql = tables
        ? "SELECT sql FROM sqlite_master WHERE type = 'table' "
          "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        : "SELECT sql FROM sqlite_master WHERE type = 'index' "
          "AND sql IS NOT NULL ORDER BY rowid";

    if (sqlite3_prepare_v2(schema, sql, -1, &st, NULL) != SQLITE_OK) {
        die("read schema", sqlite3_errmsg(schema));
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        db_exec(out, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        die(sql, sqlite3_errmsg(db));
    }
    return st;
}

int
main(int argc, char **argv)
{
    struct loader ld;
    sqlite3 *schema;
    double t0, tr, ti, t1;
    struct reader reader;
    struct ring *ring;
    pthread_t reader_thread;
    size_t expected;

    if (argc != 5) {
        fprintf(stderr, "usage: ingest-direct SCHEMA_DB OUT_DB DIR "
                        "INSTANCE\n");
        return 2;
    }
    if (sodium_init() < 0) {
        die("sodium_init", "failed");
    }
    memset(&ld, 0, sizeof(ld));
    ld.instance = argv[4];
    ld.now_ms = (int64_t)time(NULL) * 1000;
    randombytes_buf(&ld.rng, sizeof(ld.rng));

    if (sqlite3_open_v2(argv[1], &schema, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        die("open schema database", argv[1]);
    }
    unlink(argv[2]);
    if (sqlite3_open(argv[2], &ld.db) != SQLITE_OK) {
        die("open output database", argv[2]);
    }
    db_exec(ld.db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                   "PRAGMA locking_mode = EXCLUSIVE;"
                   "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;");
    schema_copy(ld.db, schema, true);

    ring = calloc(1, sizeof(*ring));
    if (ring == NULL) {
        die("out of memory", "ring");
    }
    pthread_mutex_init(&ring->lock, NULL);
    pthread_cond_init(&ring->changed, NULL);

    expected = count_lines(argv[3], "entities.jsonl");
    key_map_init(&ld.keys, expected);

    /* The clock covers parsing, rows, index builds and the commit. */
    t0 = now_seconds();
    db_exec(ld.db, "BEGIN");
    ld.ins_entity = prepare(
        ld.db,
        "INSERT INTO entities (id, source, instance, partition, key, type,"
        " classes, display_name, properties, raw_data, digest, version,"
        " created_ms, begin_ms, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, 1, ?12, ?12, 0)");
    ld.ins_class = prepare(
        ld.db, "INSERT INTO entity_classes (class, seq) VALUES (?1, ?2)");
    ld.ins_rel = prepare(
        ld.db,
        "INSERT INTO relationships (id, source, instance, partition, key,"
        " type, class, display_name, properties, raw_data, digest,"
        " version, created_ms, begin_ms, deleted, from_id, to_id,"
        " from_key, to_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, 1, ?12, ?12, 0, ?13, ?14, ?15, ?16)");

    reader.ld = &ld;
    reader.ring = ring;
    reader.dir = argv[3];
    if (pthread_create(&reader_thread, NULL, reader_main, &reader) != 0) {
        die("pthread_create", "reader");
    }
    loader_drain(&ld, ring);
    pthread_join(reader_thread, NULL);
    tr = now_seconds();
    sqlite3_finalize(ld.ins_entity);
    sqlite3_finalize(ld.ins_class);
    sqlite3_finalize(ld.ins_rel);
    schema_copy(ld.db, schema, false);
    ti = now_seconds();
    db_exec(ld.db, "COMMIT");
    t1 = now_seconds();
    fprintf(stderr, "ingest-direct: rows %.2fs indexes %.2fs commit %.2fs\n",
            tr - t0, ti - tr, t1 - ti);

    fprintf(stderr, "ingest-direct: %zu dangling relationships skipped\n",
            ld.dangling);
    printf("direct_entities=%zu direct_relationships=%zu seconds=%.3f "
           "direct_eps=%.0f direct_rels_per_s=%.0f\n",
           ld.entities, ld.relationships, t1 - t0,
           (double)ld.entities / (t1 - t0),
           (double)ld.relationships / (t1 - t0));

    sqlite3_close(schema);
    sqlite3_close(ld.db);
    return 0;
}

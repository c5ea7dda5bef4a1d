/*
 * rest.h - the handlers of the REST API under /api/v1 and the health
 * endpoints, and the helpers they share.
 *
 * A handler reads req (params, body, subject), checks access with
 * rest_require(), changes the control store inside one transaction with
 * its audit entry, and answers with http_reply_json().  On failure it
 * returns the status and leaves the answer to the router.
 */
#ifndef GANYMEDE_HTTP_REST_REST_H
#define GANYMEDE_HTTP_REST_REST_H

#include <jansson.h>

#include "access/access.h"
#include "config/config.h"
#include "graph/graph.h"
#include "http/request.h"
#include "identity/identity.h"
#include "store/accounts.h"
#include "store/credentials.h"

/* health.c */
enum status rest_healthz(struct request *req, struct error *err);
enum status rest_readyz(struct request *req, struct error *err);
enum status rest_metrics(struct request *req, struct error *err);

/* session.c */
enum status rest_login(struct request *req, struct error *err);
enum status rest_logout(struct request *req, struct error *err);
enum status rest_me(struct request *req, struct error *err);

/* accounts.c: accounts and users */
enum status rest_accounts_list(struct request *req, struct error *err);
enum status rest_account_get(struct request *req, struct error *err);
enum status rest_account_update(struct request *req, struct error *err);
enum status rest_users_list(struct request *req, struct error *err);
enum status rest_user_get(struct request *req, struct error *err);
enum status rest_user_remove(struct request *req, struct error *err);

/* invitations.c */
enum status rest_invitations_list(struct request *req, struct error *err);
enum status rest_invitation_create(struct request *req, struct error *err);
enum status rest_invitation_accept(struct request *req, struct error *err);
enum status rest_invitation_revoke(struct request *req, struct error *err);

/* groups.c */
enum status rest_groups_list(struct request *req, struct error *err);
enum status rest_group_create(struct request *req, struct error *err);
enum status rest_group_get(struct request *req, struct error *err);
enum status rest_group_update(struct request *req, struct error *err);
enum status rest_group_delete(struct request *req, struct error *err);
enum status rest_group_members(struct request *req, struct error *err);
enum status rest_group_member_add(struct request *req, struct error *err);
enum status rest_group_member_remove(struct request *req,
                                     struct error *err);

/* apikeys.c */
enum status rest_apikeys_list(struct request *req, struct error *err);
enum status rest_apikey_create(struct request *req, struct error *err);
enum status rest_apikey_revoke(struct request *req, struct error *err);

/* support.c */
enum status rest_support_get(struct request *req, struct error *err);
enum status rest_support_add(struct request *req, struct error *err);
enum status rest_support_remove(struct request *req, struct error *err);

/* audit.c */
enum status rest_audit_list(struct request *req, struct error *err);

/* entities.c: the graph */
enum status rest_entity_create(struct request *req, struct error *err);
enum status rest_entities_list(struct request *req, struct error *err);
enum status rest_entity_get(struct request *req, struct error *err);
enum status rest_entity_update(struct request *req, struct error *err);
enum status rest_entity_delete(struct request *req, struct error *err);
enum status rest_entity_versions(struct request *req, struct error *err);
enum status rest_relationship_create(struct request *req,
                                     struct error *err);
enum status rest_relationships_list(struct request *req, struct error *err);
enum status rest_relationship_get(struct request *req, struct error *err);
enum status rest_relationship_update(struct request *req,
                                     struct error *err);
enum status rest_relationship_delete(struct request *req,
                                     struct error *err);
enum status rest_relationship_versions(struct request *req,
                                       struct error *err);
enum status rest_graph_bulk(struct request *req, struct error *err);

/* import.c: CSV files of entities */
enum status rest_import_csv(struct request *req, struct error *err);

/*
 * validation.c: the data-model check (graph/validate.h) of an entity the
 * caller just wrote in its open graph transaction gdb (for a merge
 * update, the merged row).  Under the account's setting "warn" the
 * problems are kept with the entity and *problems gets them as a JSON
 * array owned by the request (NULL when it conforms); under "strict" any
 * problem is STATUS_INVALID with code DATA_MODEL_VIOLATION and a message
 * listing them, and the caller must roll back.  Relationships pass.
 */
enum status rest_validate_entity(struct request *req, sqlite3 *gdb,
                                 const struct graph_row *row,
                                 json_t **problems, struct error *err);

/* The problems kept for a stored entity (*problems NULL when none). */
enum status rest_validation_kept(struct request *req, sqlite3 *gdb,
                                 const struct graph_row *row,
                                 json_t **problems, struct error *err);

/* sync.c: synchronization jobs at /persister/synchronization/jobs */
enum status rest_sync_create(struct request *req, struct error *err);
enum status rest_sync_get(struct request *req, struct error *err);
enum status rest_sync_entities(struct request *req, struct error *err);
enum status rest_sync_relationships(struct request *req, struct error *err);
enum status rest_sync_upload(struct request *req, struct error *err);
enum status rest_sync_finalize(struct request *req, struct error *err);
enum status rest_sync_abort(struct request *req, struct error *err);
enum status rest_sync_events(struct request *req, struct error *err);

/* ---- shared helpers (common.c) ---------------------------------------- */

/* FORBIDDEN unless the subject may do action on resource. */
enum status rest_require(struct request *req, enum access_action action,
                         enum access_resource resource, struct error *err);

/* The identity limits from the server's configuration. */
void rest_limits(const struct config *config, struct identity_limits *out);

/*
 * Append an audit entry for the subject's account in the current
 * transaction; detail may be NULL and is consumed.
 */
enum status rest_audit(struct request *req, sqlite3 *db, const char *event,
                       const char *target, json_t *detail,
                       struct error *err);

/* Same, for an explicit account and actor (logins, acceptance). */
enum status rest_audit_as(struct request *req, sqlite3 *db,
                          const char *account_id, const char *actor_id,
                          const char *actor_login, const char *event,
                          const char *target, json_t *detail,
                          struct error *err);

/* JSON of stored objects. */
json_t *rest_time(int64_t ms); /* ISO text, or null for 0 */
json_t *rest_user_json(const struct user *user);
json_t *rest_account_json(const struct account *account);
json_t *rest_group_json(sqlite3 *db, struct arena *arena,
                        const struct group *group);
json_t *rest_apikey_json(const struct apikey *key);

/* The body as an object with only the allowed fields (NULL-ended list). */
enum status rest_body(struct request *req, const char *const *allowed,
                      json_t **out, struct error *err);

/* Begin a write transaction on the request's connection. */
enum status rest_begin(struct request *req, sqlite3 **db, struct error *err);

/* Commit, or roll back when status is not OK; returns status or commit's. */
enum status rest_finish(sqlite3 *db, enum status status, struct error *err);

enum status rest_not_found(struct error *err, const char *what);

#endif

/* Temporary: handlers being written; each answers 501 until it lands. */
#include "http/rest/rest.h"

#define PENDING(name)                                                        \
    enum status name(struct request *req, struct error *err)                 \
    {                                                                        \
        return error_set(err, STATUS_INTERNAL, "NOT_IMPLEMENTED", #name);    \
    }

PENDING(rest_accounts_list)
PENDING(rest_account_get)
PENDING(rest_account_update)
PENDING(rest_users_list)
PENDING(rest_user_get)
PENDING(rest_user_remove)
PENDING(rest_invitations_list)
PENDING(rest_invitation_create)
PENDING(rest_invitation_accept)
PENDING(rest_invitation_revoke)
PENDING(rest_groups_list)
PENDING(rest_group_create)
PENDING(rest_group_get)
PENDING(rest_group_update)
PENDING(rest_group_delete)
PENDING(rest_group_members)
PENDING(rest_group_member_add)
PENDING(rest_group_member_remove)
PENDING(rest_support_get)
PENDING(rest_support_add)
PENDING(rest_support_remove)
PENDING(rest_audit_list)

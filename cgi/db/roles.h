/*
 * roles.h: role assignments as the database returns them with a person
 * (Q_SESS_LOAD, Q_SEARCH*): "role:scope,role:scope", scope '*' for the
 * organisation, else the unit's id (ROLE_SCOPE in stmts.h). One decoder
 * for every statement that carries them.
 */
#ifndef STAFFDESK_DB_ROLES_H
#define STAFFDESK_DB_ROLES_H

#include <stddef.h>

#include "authz.h"
#include "util.h"

/*
 * The assignments in list (NULL: none) into *out, in the arena; returns
 * how many. Unknown roles and malformed items, a scope that is neither
 * '*' nor a whole unit id among them, are skipped: a list cut short
 * gives fewer rights, never more.
 */
size_t	db_roles_decode(struct arena *, const char *list,
	    struct assignment **out);
/* The ids of a comma-separated list (NULL: none) into *out; how many. */
size_t	db_ids_decode(struct arena *, const char *list, const char ***out);

#endif

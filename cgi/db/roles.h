/*
 * roles.h: role assignments as the database returns them with a person
 * (Q_SESS_LOAD, Q_SEARCH*): "role:scope,role:scope", scope '*' for the
 * organisation, else the unit's id (ROLE_SCOPE in stmts.h). One decoder
 * for every statement that carries them, and one of the locations that
 * ride along with them. And the revoke of one assignment with the rule
 * that keeps the last global administrator, which the admin console and
 * staffdesk-admin both run.
 */
#ifndef STAFFDESK_DB_ROLES_H
#define STAFFDESK_DB_ROLES_H

#include <stddef.h>

#include "authz.h"
#include "db/db.h"
#include "util.h"

/*
 * The assignments in list (NULL: none) into *out, in the arena; returns
 * how many. Unknown roles and malformed items, a scope that is neither
 * '*' nor a whole unit id among them, are skipped: a list cut short
 * gives fewer rights, never more.
 */
size_t	db_roles_decode(struct arena *, const char *list,
	    struct assignment **out);

/* A location as a search hit names it (Q_SEARCH*'s unit_names). */
struct db_named {
	const char	*id;
	const char	*name;
};
/*
 * The locations of a list of "ID NAME" lines (NULL: none) into *out,
 * in the arena, in the list's order; returns how many. A line without
 * a whole id and a name (one cut short by group_concat_max_len) is
 * skipped: names are one line (location.h), so a line is one location.
 */
size_t	db_named_decode(struct arena *, const char *list,
	    struct db_named **out);

#define ROLE_DISABLED_NAMED	3	/* disabled holders a refusal names */
#define ROLE_TURNSTILE	"roles.global-administrator"	/* cluster_locks row */

/* One assignment to revoke, and what a refusal found. */
struct role_revoke {
	const char	*user_id;
	enum role	 role;
	const char	*unit_id;	/* NULL: the whole organisation */
	/* ROLE_LAST_GLOBAL: the other holders whose accounts are disabled
	 * (the first ROLE_DISABLED_NAMED by name; more: there are others) */
	const char	*disabled[ROLE_DISABLED_NAMED];
	size_t		 ndisabled;
	int		 more_disabled;
};

/* Why db_role_revoke() revoked nothing (the return rule's positive). */
enum role_refusal {
	ROLE_NOT_HELD = DB_REFUSED,	/* not held there (any more) */
	ROLE_LAST_GLOBAL,		/* the last enabled global administrator */
};

/*
 * Revokes rv inside the caller's transaction: DB_OK, a role_refusal
 * (the caller's transaction must roll back: db_txn does when it is
 * passed on), or a db_err. Global administrator for the organisation
 * is refused while nobody else enabled holds it; every org-scope
 * assignment of it is locked before counting, so of two revokes at
 * once (console or command line) the second waits for the first and
 * counts after it.
 */
int	db_role_revoke(struct db *, struct arena *, struct role_revoke *);
/*
 * The sentence about the disabled holders of a ROLE_LAST_GLOBAL
 * refusal ("Ben Smith also holds it, but the account is disabled."),
 * or "" when there are none.
 */
const char *db_role_disabled_text(struct arena *, const struct role_revoke *);

#endif

/*
 * roles.c: see roles.h.
 */
#include <string.h>

#include "db/roles.h"

/* Items in a comma-separated list: 0 for NULL or "". */
static size_t
items(const char *s)
{
	size_t	n;

	if (s == NULL || *s == '\0')
		return 0;
	for (n = 1; (s = strchr(s, ',')) != NULL; s++)
		n++;
	return n;
}

size_t
db_roles_decode(struct arena *a, const char *list, struct assignment **out)
{
	struct assignment	*as;
	char			*copy, *item, *scope;
	size_t			 n = 0;
	int			 role;

	*out = as = arena_alloc(a, sizeof(*as) * (items(list) + 1));
	if (items(list) == 0)
		return 0;
	copy = arena_strdup(a, list);
	while ((item = strsep(&copy, ",")) != NULL) {
		if ((scope = strchr(item, ':')) == NULL)
			continue;
		*scope++ = '\0';
		if ((role = authz_role_parse(item)) < 0)
			continue;
		if (strcmp(scope, "*") != 0 && !uuid_valid(scope))
			continue;
		as[n].role = (enum role)role;
		as[n++].unit_id = strcmp(scope, "*") == 0 ? NULL : scope;
	}
	return n;
}

size_t
db_named_decode(struct arena *a, const char *list, struct db_named **out)
{
	struct db_named	*u;
	const char	*p;
	char		*copy, *line;
	size_t		 n = 1;

	for (p = list; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
		n++;
	*out = u = arena_alloc(a, sizeof(*u) * n);
	if (list == NULL)
		return 0;
	copy = arena_strdup(a, list);
	n = 0;
	while ((line = strsep(&copy, "\n")) != NULL) {
		if (strlen(line) < UUID_LEN + 2 || line[UUID_LEN] != ' ')
			continue;
		line[UUID_LEN] = '\0';
		if (!uuid_valid(line))
			continue;
		u[n].id = line;
		u[n++].name = line + UUID_LEN + 1;
	}
	return n;
}

int
db_role_revoke(struct db *db, struct arena *a, struct role_revoke *rv)
{
	struct q_global_admins_lock_rows	 g;
	struct q_global_admins_disabled_rows	 d;
	struct db_val	 user = DB_TEXT(rv->user_id);
	struct db_val	 role = DB_TEXT(authz_role_id(rv->role));
	uint64_t	 n = 0;
	size_t		 i;
	int		 last = 0, rc;

	rv->ndisabled = 0;
	rv->more_disabled = 0;
	/*
	 * Lock them all, whoever is revoked, then count the others. The
	 * turnstile (sql/016) makes two revokes on two Galera nodes
	 * collide as well: row locks hold on one node only.
	 */
	if (rv->role == ROLE_GLOBAL_ADMIN && rv->unit_id == NULL) {
		if ((rc = q_turnstile(db, &(struct q_turnstile_in){
		    .name = DB_TEXT(ROLE_TURNSTILE) }, NULL)) != DB_OK)
			return rc;
		if ((rc = q_global_admins_lock(db, a,
		    &(struct q_global_admins_lock_in){ .except = user,
		    .role = role }, &g)) != DB_OK)
			return rc;
		last = g.n > 0 && g.row[0].others == 0;
	}
	if ((rc = q_role_revoke(db, &(struct q_role_revoke_in){
	    .user = user, .role = role, .scope_key = DB_TEXT(rv->unit_id !=
	    NULL ? rv->unit_id : "") }, &n)) != DB_OK)
		return rc;
	if (n == 0)
		return ROLE_NOT_HELD;
	if (!last)
		return DB_OK;
	if ((rc = q_global_admins_disabled(db, a,
	    &(struct q_global_admins_disabled_in){ .except = user,
	    .role = role, .max = DB_INT(ROLE_DISABLED_NAMED + 1) }, &d)) !=
	    DB_OK)
		return rc;
	for (i = 0; i < d.n && i < ROLE_DISABLED_NAMED; i++)
		rv->disabled[i] = d.row[i].display_name;
	rv->ndisabled = i;
	rv->more_disabled = d.n > ROLE_DISABLED_NAMED;
	return ROLE_LAST_GLOBAL;
}

_Static_assert(ROLE_DISABLED_NAMED == 3, "db_role_disabled_text() names up "
    "to three");

const char *
db_role_disabled_text(struct arena *a, const struct role_revoke *rv)
{
	const char	*who;

	if (rv->ndisabled == 0)
		return "";
	if (rv->ndisabled == 1)
		return arena_printf(a, "%s also holds it, but the account is "
		    "disabled.", rv->disabled[0]);
	if (rv->ndisabled == 2)
		who = arena_printf(a, "%s and %s", rv->disabled[0],
		    rv->disabled[1]);
	else if (rv->more_disabled)
		who = arena_printf(a, "%s, %s, %s and others", rv->disabled[0],
		    rv->disabled[1], rv->disabled[2]);
	else
		who = arena_printf(a, "%s, %s and %s", rv->disabled[0],
		    rv->disabled[1], rv->disabled[2]);
	return arena_printf(a, "%s also hold it, but their accounts are "
	    "disabled.", who);
}

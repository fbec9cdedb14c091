/*
 * locations.h: what the admin console's locations (locations.c) and
 * role assignments (roles.c) share: the outcomes of their transactions,
 * the notice a change's page shows, and the pieces both pages draw.
 */
#ifndef STAFFDESK_PAGES_LOCATIONS_H
#define STAFFDESK_PAGES_LOCATIONS_H

#include "authz.h"
#include "keys.h"

struct db_unit;
struct req;
struct tpl;

/* Transaction outcomes that roll back (db_txn passes them on). */
enum {
	TXN_GONE = DB_REFUSED,	/* the location is not there (any more) */
	TXN_DUP_NAME,		/* another location has the name */
	TXN_UNCHANGED,		/* the form changes nothing */
	TXN_IN_USE,		/* the location still has members or roles */
	TXN_ALREADY,		/* a member already, or holds the role */
	TXN_NOT_THERE,		/* not a member, or does not hold the role */
	TXN_LAST_GLOBAL,	/* the last global administrator */
	TXN_CHANGED,		/* changed since the form was shown */
};

extern const char msg_no_location[];

/* The pages a change redirects to, whose notices differ. */
enum notice_page { ON_UNITS, ON_UNIT, ON_ROLES };

/* 1 when the actor may change area (the console's table, authz.h). */
int		 admin_may_change(const struct req *, enum admin_area);
/* The "unit" input as a scope: a location's id, or NULL for the
 * organisation (not sent, or empty). */
const char	*admin_scope_in(const struct req *);
/* A JSON string, or null. */
const char	*admin_json_or_null(struct req *, const char *);
/* "Helpdesk administrator for the whole organisation" / "at Store 1". */
const char	*admin_role_held(struct req *, enum role, const char *unit_id,
		    const char *unit_name);
/*
 * The notice of the change that redirected to page on (done=, who=,
 * at=; u: the page's own location or NULL) into t: DB_OK or a db_err.
 */
int		 admin_notice(struct req *, struct tpl *, enum notice_page on,
		    const struct db_unit *u);
/*
 * A role assignment row of a list into s: role, and person or scope
 * (see locations.c); back: where its Revoke button returns to.
 */
void		 admin_assignment_row(struct req *, struct tpl *s,
		    const char *role, const char *user_id, const char *person,
		    const char *unit_id, const char *unit_name,
		    enum back_to back);
/* The roles held at location id into ROLE sections of t: DB_OK or a db_err. */
int		 admin_unit_roles(struct req *, struct tpl *, const char *id,
		    enum back_to back);

#endif

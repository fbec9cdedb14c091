/*
 * roles.c: the admin console's role assignments, /admin/roles: the
 * organisation's roles, a person's roles or a location's, assign and
 * revoke. As locations.c (whose pieces it shares through
 * pages/locations.h): the route table's gate has answered those who may
 * not read or change the area; every change is one transaction with its
 * audit row (client "admin"), then 303 to a page whose notice says what
 * was done.
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/roles.h"
#include "http.h"
#include "keys.h"
#include "location.h"
#include "pages/locations.h"
#include "pages/pager.h"
#include "pages/pages.h"
#include "pages/person.h"
#include "search.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"

#define ORG_ROLES_MAX	200	/* organisation-wide roles (Q_ORG_ROLES) */

/* The scope of an assignment for a person: a location's name, or the
 * organisation. */
static void
scope_cell(struct tpl *s, const char *unit_id, const char *unit_name)
{
	if (unit_id == NULL) {
		tpl_show(s, "ORG");
		return;
	}
	tpl_show(s, "AT_UNIT");
	tpl_set(s, "UNIT_ID", unit_id);
	tpl_set(s, "UNIT_NAME", unit_name != NULL ? unit_name : unit_id);
}

/* One option of the scope select; chosen: the one the form sent. */
static void
scope_option(struct tpl *t, const char *id, const char *name,
    const char *chosen)
{
	struct tpl	*s = tpl_section(t, "SCOPE");

	tpl_set(s, "ID", id);
	tpl_set(s, "NAME", name);
	if (chosen != NULL && strcmp(chosen, id) == 0)
		tpl_show(s, "SELECTED");
}

/*
 * The person part of /admin/roles: their roles (revoke buttons) and,
 * for those who may change roles, the assign form, whose scope offers
 * the organisation, the location picked (unit, may be NULL) and the
 * person's own locations. DB_OK or a db_err.
 */
static int
person_roles(struct req *r, struct tpl *t, const struct q_user_name_row *who,
    const struct q_unit_get_row *unit)
{
	struct q_user_roles_rows	 roles;
	struct q_user_units_rows	 mine;
	struct db_val			 id = DB_TEXT(who->id);
	const char			*chosen = admin_scope_in(r);
	struct tpl			*s;
	size_t				 i;
	int				 k, rc;

	if ((rc = q_user_roles(r->db, &r->arena, &(struct q_user_roles_in){
	    .user = id }, &roles)) != DB_OK ||
	    (rc = q_user_units(r->db, &r->arena, &(struct q_user_units_in){
	    .user = id }, &mine)) != DB_OK)
		return rc;
	tpl_show(t, "PERSON");
	tpl_set_global(t, "PERSON_ID", who->id);
	tpl_set(t, "PERSON_NAME", who->display_name);
	tpl_set(t, "PERSON_UPN", who->upn);
	for (i = 0; i < roles.n; i++) {
		s = tpl_section(t, "HELD");
		scope_cell(s, roles.row[i].unit_id, roles.row[i].unit_name);
		admin_assignment_row(r, s, roles.row[i].role, who->id,
		    who->display_name, roles.row[i].unit_id,
		    roles.row[i].unit_name, BACK_PERSON);
	}
	tpl_show(t, roles.n > 0 ? "HAS_ROLES" : "NO_ROLES");
	if (!admin_may_change(r, AREA_ROLES))
		return DB_OK;
	tpl_show(t, "ASSIGN");
	for (k = 0; k < ROLE__MAX; k++) {
		s = tpl_section(t, "ROLE_OPTION");
		tpl_set(s, "ID", authz_role_id((enum role)k));
		tpl_set(s, "NAME", authz_role_name((enum role)k));
		if (!authz_role_at_location((enum role)k))
			tpl_show(s, "ORG_ONLY");
		if (r->in[K_ROLE].text != NULL && r->in[K_ROLE].i == k)
			tpl_show(s, "SELECTED");
	}
	if (unit != NULL)
		scope_option(t, unit->unit.id, unit->unit.name, chosen);
	for (i = 0; i < mine.n; i++)
		if (unit == NULL || strcmp(mine.row[i].id, unit->unit.id) != 0)
			scope_option(t, mine.row[i].id, mine.row[i].name,
			    chosen);
	return DB_OK;
}

/*
 * Location hits of a search for uq on /admin/roles (the first page),
 * as UNIT_HIT sections. DB_OK or a db_err.
 */
static int
unit_hits(struct req *r, struct tpl *t, const char *uq)
{
	const char			*terms[SEARCH_TERMS_MAX];
	struct q_unit_search1_rows	 hits;
	struct q_unit_search1_in	 in;
	struct tpl			*s;
	size_t				 i;
	int				 nterms, rc;

	tpl_show(t, "UNIT_FOUND");
	if ((nterms = search_terms(&r->arena, uq,
	    settings_str(r->settings, SET_PHONE_COUNTRY), terms)) <= 0) {
		tpl_show(t, "NO_UNIT_HITS");
		return DB_OK;
	}
	in = (struct q_unit_search1_in){ .term = DB_TEXT(terms[0]),
	    .prev_term = DB_TEXT(terms[0]), .from_word = DB_TEXT(""),
	    .word = DB_TEXT(""), .name = DB_TEXT(""), .id = DB_TEXT(MIN_UUID) };
	if ((rc = nterms == 1 ? q_unit_search1(r->db, &r->arena, &in,
	    &hits) : q_unit_search2(r->db, &r->arena,
	    &(struct q_unit_search2_in){ .term = in.term,
	    .term2 = DB_TEXT(terms[1]), .prev_term = in.prev_term,
	    .from_word = in.from_word, .word = in.word, .name = in.name,
	    .id = in.id }, &hits)) != DB_OK)
		return rc;
	for (i = 0; i < hits.n && i < LIST_PAGE; i++) {
		s = tpl_section(t, "UNIT_HIT");
		tpl_set(s, "ID", hits.row[i].unit.id);
		tpl_set(s, "NAME", hits.row[i].unit.name);
	}
	if (hits.n == 0)
		tpl_show(t, "NO_UNIT_HITS");
	if (hits.n > LIST_PAGE) {
		tpl_show(t, "MORE_UNIT_HITS");
		tpl_set_int(t, "UNIT_HITS_SHOWN", LIST_PAGE);
	}
	return DB_OK;
}

/*
 * Who holds which role for the whole organisation, as ORG_ROLE
 * sections of t (the first ORG_ROLES_MAX, saying so when there are
 * more): "who are our global administrators?" without a search. DB_OK
 * or a db_err.
 */
static int
org_roles(struct req *r, struct tpl *t)
{
	struct q_org_roles_rows	 rows;
	struct tpl		*s;
	size_t			 i;
	int			 k, rc;

	if ((rc = q_org_roles(r->db, &r->arena, &(struct q_org_roles_in){
	    .max = DB_INT(ORG_ROLES_MAX + 1) }, &rows)) != DB_OK)
		return rc;
	tpl_show(t, "OVERVIEW");
	for (i = 0; i < rows.n && i < ORG_ROLES_MAX; i++) {
		s = tpl_section(t, "ORG_ROLE");
		k = authz_role_parse(rows.row[i].role);
		tpl_set(s, "ROLE", k >= 0 ? authz_role_name((enum role)k) :
		    rows.row[i].role);
		tpl_set(s, "PERSON_ID", rows.row[i].user_id);
		tpl_set(s, "PERSON", rows.row[i].display_name);
		tpl_set(s, "UPN", rows.row[i].upn);
		if (!rows.row[i].enabled)
			tpl_show(s, "ORG_DISABLED");
	}
	tpl_show(t, rows.n > 0 ? "HAS_ORG_ROLES" : "NO_ORG_ROLES");
	if (rows.n > ORG_ROLES_MAX) {
		tpl_show(t, "MORE_ORG_ROLES");
		tpl_set_int(t, "ORG_ROLES_SHOWN", ORG_ROLES_MAX);
	}
	return DB_OK;
}

/*
 * /admin/roles with status: a person search (q) and a location search
 * (unit_q); the roles of the person picked (user) with the assign
 * form, and the roles held at the location picked (unit); with neither
 * picked, the roles held for the whole organisation. error: a
 * sentence for a refused change, or NULL. 404 for an unknown person or
 * location.
 */
static void
roles_page(struct req *r, int status, const char *error)
{
	struct q_user_name_rows	 who;
	struct q_unit_get_rows	 unit;
	const char		*q = r->in[K_Q].text, *uq = r->in[K_UNIT_Q].text;
	const char		*user = r->in[K_USER].text;
	const char		*uid = admin_scope_in(r);
	struct tpl		*t;
	int			 rc = DB_OK;

	who.n = unit.n = 0;
	if ((user != NULL && (rc = q_user_name(r->db, &r->arena,
	    &(struct q_user_name_in){ .id = DB_TEXT(user) }, &who)) !=
	    DB_OK) || (uid != NULL && (rc = q_unit_get(r->db, &r->arena,
	    &(struct q_unit_get_in){ .id = DB_TEXT(uid) }, &unit)) != DB_OK)) {
		page_db_error(r, rc);
		return;
	}
	if ((user != NULL && who.n == 0) || (uid != NULL && unit.n == 0)) {
		page_error(r, 404, user != NULL && who.n == 0 ? "There is "
		    "no such person." : msg_no_location);
		return;
	}
	t = page_new(r, "Roles");
	tpl_set(t, "Q", q != NULL ? q : "");
	tpl_set(t, "UNIT_Q", uq != NULL ? uq : "");
	tpl_set_global(t, "CSRF", r->sess->csrf);
	if (error != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", error);
	}
	/* The finders keep what is picked already. */
	if (who.n > 0) {
		tpl_show(t, "KEEP_PERSON");
		tpl_set_global(t, "KEEP_USER", who.row[0].id);
	}
	if (unit.n > 0) {
		tpl_show(t, "KEEP_UNIT");
		tpl_set_global(t, "KEEP_UNIT_ID", unit.row[0].unit.id);
	}
	if (q != NULL && *q != '\0') {
		tpl_show(t, "FOUND");
		rc = page_pick_people(r, t, q, "CANDIDATE", NULL);
	}
	if (rc == DB_OK && uq != NULL && *uq != '\0')
		rc = unit_hits(r, t, uq);
	if (rc == DB_OK && who.n > 0)
		rc = person_roles(r, t, &who.row[0], unit.n > 0 ?
		    &unit.row[0] : NULL);
	if (rc == DB_OK && unit.n > 0) {
		tpl_show(t, "LOCATION");
		tpl_set(t, "LOCATION_NAME", unit.row[0].unit.name);
		rc = admin_unit_roles(r, t, unit.row[0].unit.id, BACK_LOCATION);
	}
	if (rc == DB_OK)
		rc = admin_notice(r, t, ON_ROLES, NULL);
	if (rc == DB_OK && who.n == 0 && unit.n == 0)
		rc = org_roles(r, t);
	if (rc != DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return;
	}
	if (who.n == 0 && unit.n == 0)
		tpl_show(t, "PICK");
	tpl_show(t, admin_may_change(r, AREA_ROLES) ? "CAN_REVOKE" :
	    "READ_ONLY");
	if (status == 422)
		page_title_refused(t);
	page_render(r, status, "admin_roles.tpl", t);
}

/* GET /admin/roles?q=&unit_q=&user=&unit=: 404 for an unknown id. */
void
page_admin_roles(struct req *r)
{
	roles_page(r, 200, NULL);
}

struct role_change {
	struct req			*r;
	const struct q_user_name_row	*who;
	enum role			 role;
	const char			*unit_id;	/* NULL: organisation */
	const char			*unit_name;	/* read under the lock */
	int				 assign;
	struct role_revoke		 rv;		/* a revoke, and its refusal */
};

/* The audit details of an assignment: the role and its scope. */
static const char *
role_json(struct req *r, const struct role_change *c)
{
	return arena_printf(&r->arena, "{\"role\":%s,\"roleName\":%s,"
	    "\"scope\":%s,\"location\":%s,\"locationId\":%s}",
	    json_string(&r->arena, authz_role_id(c->role)),
	    json_string(&r->arena, authz_role_name(c->role)),
	    c->unit_id != NULL ? "\"location\"" : "\"organisation\"",
	    admin_json_or_null(r, c->unit_name),
	    admin_json_or_null(r, c->unit_id));
}

static int
role_txn(struct db *db, void *arg)
{
	struct role_change		*c = arg;
	struct req			*r = c->r;
	struct q_unit_lock_rows		 u;
	uint64_t			 n = 0;
	int				 rc;

	if (c->unit_id != NULL) {
		if ((rc = q_unit_hold(db, &r->arena, &(struct q_unit_lock_in){
		    .id = DB_TEXT(c->unit_id) }, &u)) != DB_OK)
			return rc;
		if (u.n == 0)
			return c->assign ? TXN_GONE : TXN_NOT_THERE;
		c->unit_name = u.row[0].name;
	}
	if (c->assign) {
		rc = q_role_assign(db, &(struct q_role_assign_in){
		    .user = DB_TEXT(c->who->id),
		    .role = DB_TEXT(authz_role_id(c->role)),
		    .unit = DB_TEXT(c->unit_id) }, &n);
		if (rc == DB_DUP || (rc == DB_OK && n == 0))
			return TXN_ALREADY;
	} else {
		/* The rule the command line keeps too (db/roles.h). */
		c->rv = (struct role_revoke){ .user_id = c->who->id,
		    .role = c->role, .unit_id = c->unit_id };
		rc = db_role_revoke(db, &r->arena, &c->rv);
		if (rc == ROLE_NOT_HELD)
			return TXN_NOT_THERE;
		if (rc == ROLE_LAST_GLOBAL)
			return TXN_LAST_GLOBAL;
	}
	if (rc != DB_OK)
		return rc;
	return page_audit_row(db, r, &(struct audit){
		.action = c->assign ? "role.assign" : "role.revoke",
		.ok = 1,
		.target_id = c->who->id,
		.target_name = c->who->display_name,
		.client = "admin",
		.details = role_json(r, c),
	});
}

static int
role_refused_txn(struct db *db, void *arg)
{
	struct role_change	*c = arg;

	return page_audit_row(db, c->r, &(struct audit){
		.action = "role.revoke",
		.reason = "last_global_administrator",
		.target_id = c->who->id,
		.target_name = c->who->display_name,
		.client = "admin",
		.details = role_json(c->r, c),
	});
}

/* Reads the form of an assign or revoke: 0, or the status of the 400,
 * 404 or 422 page it sent. */
static int
role_form(struct req *r, struct role_change *c, int assign)
{
	int	rc;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->assign = assign;
	c->unit_id = admin_scope_in(r);
	if ((rc = person_of_form(r, &c->who)) != 0)
		return rc;
	if (r->in[K_ROLE].text != NULL) {
		c->role = (enum role)r->in[K_ROLE].i;
		return 0;
	}
	/* Assign's list starts at no role, so that one click gives none. */
	if (assign)
		roles_page(r, 422, "Choose the role to give.");
	else
		page_error(r, 400, "The form names no role.");
	return r->status;
}

/* The notice of c for the page it redirects to (admin_notice()); on a
 * location's own page its scope goes without saying. */
static const char *
role_done(struct req *r, const struct role_change *c, enum notice_page on)
{
	return arena_printf(&r->arena, "done=%s&who=%s&role=%s%s%s",
	    c->assign ? "assigned" : "revoked", c->who->id,
	    authz_role_id(c->role), on == ON_ROLES ? "&at=" : "",
	    on == ON_ROLES && c->unit_id != NULL ? c->unit_id : "");
}

/* The role of c and its scope, as admin_role_held() says them. */
static const char *
held(struct req *r, const struct role_change *c)
{
	return admin_role_held(r, c->role, c->unit_id, c->unit_name);
}

/*
 * POST /admin/roles (user, role, unit: a location's id, or empty for
 * the organisation): 303 to the person's roles; 422 for a role that is
 * held only for the whole organisation given at a location, or one the
 * person holds there already; 404 for an unknown person or location.
 */
void
page_admin_roles_post(struct req *r)
{
	struct role_change	c;
	int			rc;

	if (role_form(r, &c, 1) != 0)
		return;
	if (c.unit_id != NULL && !authz_role_at_location(c.role)) {
		roles_page(r, 422, arena_printf(&r->arena, "%s can only be "
		    "given for the whole organisation, not at one location.",
		    authz_role_name(c.role)));
		return;
	}
	rc = db_txn(r->db, role_txn, &c);
	if (rc == TXN_GONE) {
		page_error(r, 404, msg_no_location);
		return;
	}
	if (rc == TXN_ALREADY) {
		roles_page(r, 422, arena_printf(&r->arena, "%s already holds "
		    "%s: nothing was changed.", c.who->display_name,
		    held(r, &c)));
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, arena_printf(&r->arena, "/admin/roles?user=%s&%s",
	    c.who->id, role_done(r, &c, ON_ROLES)));
}

/*
 * POST /admin/roles/revoke (user, role, unit, back): 303 to where back
 * says; 422 when the person does not hold the role there, or it is the
 * last global administrator for the organisation held by an enabled
 * person (refused, and audited as a failure); 404 unknown person.
 */
void
page_admin_revoke_post(struct req *r)
{
	struct role_change	 c;
	enum back_to		 back = r->in[K_BACK].text != NULL ?
	    (enum back_to)r->in[K_BACK].i : BACK_PERSON;
	int			 rc;

	if (role_form(r, &c, 0) != 0)
		return;
	rc = db_txn(r->db, role_txn, &c);
	if (rc == TXN_LAST_GLOBAL) {
		if ((rc = db_txn(r->db, role_refused_txn, &c)) != DB_OK) {
			page_db_error(r, rc);
			return;
		}
		roles_page(r, 422, arena_printf(&r->arena, "%s is the last "
		    "global administrator of the organisation, so this role "
		    "stays: give it to someone else first.%s%s",
		    c.who->display_name, c.rv.ndisabled > 0 ? " " : "",
		    db_role_disabled_text(&r->arena, &c.rv)));
		return;
	}
	if (rc == TXN_NOT_THERE) {
		roles_page(r, 422, arena_printf(&r->arena, "%s does not hold "
		    "%s (perhaps it was revoked a moment ago): nothing was "
		    "changed.", c.who->display_name, held(r, &c)));
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (back == BACK_UNIT && c.unit_id != NULL)
		http_redirect(r, arena_printf(&r->arena, "/admin/units/%s?%s",
		    c.unit_id, role_done(r, &c, ON_UNIT)));
	else if (back == BACK_LOCATION && c.unit_id != NULL)
		http_redirect(r, arena_printf(&r->arena, "/admin/roles?unit=%s&"
		    "%s", c.unit_id, role_done(r, &c, ON_ROLES)));
	else
		http_redirect(r, arena_printf(&r->arena, "/admin/roles?user=%s&"
		    "%s", c.who->id, role_done(r, &c, ON_ROLES)));
}

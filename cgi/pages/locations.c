/*
 * locations.c: the admin console's locations, their members and the
 * role assignments: /admin/units (the list, a search, a new location),
 * /admin/units/{id} (rename, delete, members, the roles held there);
 * /admin/roles is roles.c, beside it (pages/locations.h).
 *
 * The route table's gate has already answered those who may not read
 * the area (GET) or change it (POST: 403, audited); here a form or a
 * button is shown only to those who may change its area. Every change
 * is one transaction with its audit row (client "admin"), then 303 to
 * a page whose notice says what was done (done=, admin_notice()); a change
 * refused for what it asks is the page again with a sentence (422, the
 * title saying "not saved") and the typed values kept.
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

#define UNIT_ROLES_MAX	100	/* roles listed for a location (Q_UNIT_ROLES) */

const char msg_no_location[] = "There is no such location.";

/* What a location form sent (trimmed) and what is wrong with it. */
struct unit_form {
	const char	*name, *desc;	/* as typed, trimmed */
	const char	*name_err;	/* a sentence, or NULL */
	const char	*desc_err;
	const char	*taken_id;	/* the location that has the name */
	const char	*taken_name;	/* as it is stored */
	const char	*error;		/* the page's sentence (delete, members) */
};

/*
 * After a duplicate name: the location that has it (its stored name,
 * which may differ from the typed one in case or accents) into f, for
 * the 422 to name and link. DB_OK or a db_err.
 */
static int
name_taken(struct req *r, struct unit_form *f)
{
	struct q_unit_by_id_rows	u;
	int				rc;

	f->name_err = "Another location has this name (names are the same "
	    "whatever their case or accents).";
	if ((rc = q_unit_by_name(r->db, &r->arena, &(struct q_unit_by_name_in){
	    .name = DB_TEXT(f->name) }, &u)) != DB_OK || u.n == 0)
		return rc;	/* gone meanwhile: the sentence alone */
	f->taken_id = u.row[0].id;
	f->taken_name = u.row[0].name;
	return DB_OK;
}

int
admin_may_change(const struct req *r, enum admin_area area)
{
	return authz_admin_ok(r->actor, area, ADMIN_CHANGE);
}

/* The "unit" input as a scope: a location's id, or NULL for the
 * organisation (not sent, or empty). */
const char *
admin_scope_in(const struct req *r)
{
	const char	*u = r->in[K_UNIT].text;

	return u != NULL && *u != '\0' ? u : NULL;
}

/* A JSON string, or null. */
const char *
admin_json_or_null(struct req *r, const char *s)
{
	return s != NULL ? json_string(&r->arena, s) : "null";
}

/* Reads and checks the name and description a form sent. */
static void
form_read(struct req *r, struct unit_form *f)
{
	int	why;

	memset(f, 0, sizeof(*f));
	f->name = location_trim(&r->arena, r->in[K_NAME].text);
	f->desc = location_trim(&r->arena, r->in[K_DESCRIPTION].text);
	if ((why = location_name_check(f->name)) != 0)
		f->name_err = location_refusal_text(why);
	if ((why = location_desc_check(f->desc)) != 0)
		f->desc_err = location_refusal_text(why);
	if (f->desc != NULL && *f->desc == '\0')
		f->desc = NULL;		/* no description */
}

/* The name and description fields of a form, with their sentences. */
static void
form_fields(struct tpl *t, const char *name, const char *desc,
    const struct unit_form *f)
{
	tpl_set(t, "NAME_VALUE", name != NULL ? name : "");
	tpl_set(t, "DESC_VALUE", desc != NULL ? desc : "");
	if (f != NULL && f->taken_id != NULL) {
		tpl_show(t, "NAME_BAD");
		tpl_show(t, "TAKEN");
		tpl_set(t, "TAKEN_ID", f->taken_id);
		tpl_set(t, "TAKEN_NAME", f->taken_name);
	} else if (f != NULL && f->name_err != NULL) {
		tpl_show(t, "NAME_BAD");
		tpl_set(t, "NAME_ERROR", f->name_err);
	}
	if (f != NULL && f->desc_err != NULL) {
		tpl_show(t, "DESC_BAD");
		tpl_set(t, "DESC_ERROR", f->desc_err);
	}
}

/* A JSON object of a location's name and description. */
static const char *
unit_json(struct req *r, const char *name, const char *desc)
{
	return arena_printf(&r->arena, "{\"name\":%s,\"description\":%s}",
	    json_string(&r->arena, name), admin_json_or_null(r, desc));
}

/* "Helpdesk administrator for the whole organisation" / "at Store 1". */
const char *
admin_role_held(struct req *r, enum role role, const char *unit_id,
    const char *unit_name)
{
	return unit_id == NULL ? arena_printf(&r->arena, "%s for the "
	    "whole organisation", authz_role_name(role)) :
	    arena_printf(&r->arena, "%s at %s", authz_role_name(role),
	    unit_name != NULL ? unit_name : unit_id);
}

/*
 * The notice (NOTICE, role="status") of the change that redirected to
 * this page: done= is one of a fixed set of words, and the names in the
 * sentence are read by id (who=, at=, the page's own location u), never
 * taken from the address. A notice about a member or a role is shown
 * only while it is still so, so a reload after someone undid the change
 * says nothing false; a word that is not this page's says nothing.
 * DB_OK or a db_err.
 */
int
admin_notice(struct req *r, struct tpl *t, enum notice_page on,
    const struct db_unit *u)
{
	struct q_user_name_rows		 who;
	struct q_member_is_rows		 is;
	struct q_role_held_rows		 holds;
	struct q_unit_by_id_rows	 at;
	const char			*msg = NULL, *scope = NULL, *sname = NULL;
	enum done			 done = (enum done)r->in[K_DONE].i;
	enum role			 role = (enum role)r->in[K_ROLE].i;
	int				 rc;

	if (r->in[K_DONE].text == NULL)
		return DB_OK;
	switch (done) {
	case DONE_CREATED:
	case DONE_SAVED:
	case DONE_UNCHANGED:
		if (on == ON_UNIT)
			msg = done == DONE_CREATED ? "Location created." :
			    done == DONE_SAVED ? "Location saved." : "Nothing "
			    "to save: the name and description were already "
			    "as shown.";
		break;
	case DONE_DELETED:
		if (on == ON_UNITS)
			msg = "Location deleted.";
		break;
	case DONE_ADDED:
	case DONE_REMOVED:
	case DONE_ASSIGNED:
	case DONE_REVOKED:
		if (r->in[K_WHO].text == NULL || on == ON_UNITS)
			break;
		if ((rc = q_user_name(r->db, &r->arena,
		    &(struct q_user_name_in){ .id = DB_TEXT(r->in[K_WHO].text) },
		    &who)) != DB_OK)
			return rc;
		if (who.n == 0)
			break;
		if (done == DONE_ADDED || done == DONE_REMOVED) {
			if (on != ON_UNIT)
				break;
			if ((rc = q_member_is(r->db, &r->arena,
			    &(struct q_member_is_in){ .unit = DB_TEXT(u->id),
			    .user = DB_TEXT(who.row[0].id) }, &is)) != DB_OK)
				return rc;
			if ((is.n > 0) == (done == DONE_ADDED))
				msg = arena_printf(&r->arena, done ==
				    DONE_ADDED ? "Added %s to %s." :
				    "Removed %s from %s.",
				    who.row[0].display_name, u->name);
			break;
		}
		if (r->in[K_ROLE].text == NULL)
			break;
		if (on == ON_UNIT) {
			scope = u->id;
			sname = u->name;
		} else if (r->in[K_AT].text != NULL &&
		    *r->in[K_AT].text != '\0') {
			if ((rc = q_unit_by_id(r->db, &r->arena,
			    &(struct q_unit_by_id_in){ .id =
			    DB_TEXT(r->in[K_AT].text) }, &at)) != DB_OK)
				return rc;
			if (at.n == 0)
				break;
			scope = at.row[0].id;
			sname = at.row[0].name;
		}
		if ((rc = q_role_held(r->db, &r->arena,
		    &(struct q_role_held_in){ .user = DB_TEXT(who.row[0].id),
		    .role = DB_TEXT(authz_role_id(role)),
		    .scope_key = DB_TEXT(scope != NULL ? scope : "") },
		    &holds)) != DB_OK)
			return rc;
		if ((holds.n > 0) == (done == DONE_ASSIGNED))
			msg = arena_printf(&r->arena, done == DONE_ASSIGNED ?
			    "%s now holds %s." : "%s no longer holds %s.",
			    who.row[0].display_name, admin_role_held(r, role,
			    scope, sname));
		break;
	case DONE__MAX:
		break;
	}
	if (msg != NULL) {
		tpl_show(t, "NOTICE");
		tpl_set(t, "NOTICE_MSG", msg);
	}
	return DB_OK;
}

/*
 * A page of locations for /admin/units: the first page, a page after
 * or before a cursor, or search hits for q (forward only). Fills t
 * (UNIT sections, the page links): 0, or the status of the 400 or 503
 * page it sent (t then freed).
 */
static int
units_list(struct req *r, struct tpl *t, const char *q)
{
	const char			*keys[2], *terms[SEARCH_TERMS_MAX], *id;
	const struct db_unit		*u[LIST_PAGE + 1];
	struct row_key			 k[LIST_PAGE + 1];
	struct row_key			 none = { { NULL }, NULL };
	struct q_units_after_rows	 all;
	struct q_unit_search1_rows	 hits;
	size_t				 order[LIST_PAGE + 1], nrows = 0, n, i;
	int				 nterms = 0, rc = DB_OK, back, search;

	search = q != NULL && *q != '\0';
	if (search && (nterms = search_terms(&r->arena, q,
	    settings_str(r->settings, SET_PHONE_COUNTRY), terms)) < 0) {
		tpl_free(t);
		page_error(r, 400, msg_search_too_long);
		return r->status;
	}
	if (page_cursor(r, keys, search ? 2 : 1, &id, &back) != 0) {
		tpl_free(t);
		return r->status;
	}
	if (search && back) {
		tpl_free(t);
		page_error(r, 400, "Search pages go forward only.");
		return r->status;
	}
	if (search && nterms > 0) {
		struct q_unit_search1_in	in1 = {
			.term = DB_TEXT(terms[0]),
			.prev_term = DB_TEXT(terms[0]),
			.from_word = DB_TEXT(keys[0]), .word = DB_TEXT(keys[0]),
			.name = DB_TEXT(keys[1]), .id = DB_TEXT(id),
		};

		rc = nterms == 1 ? q_unit_search1(r->db, &r->arena, &in1,
		    &hits) : q_unit_search2(r->db, &r->arena,
		    &(struct q_unit_search2_in){ .term = in1.term,
		    .term2 = DB_TEXT(terms[1]), .prev_term = in1.prev_term,
		    .from_word = in1.from_word, .word = in1.word,
		    .name = in1.name, .id = in1.id }, &hits);
		for (i = 0; rc == DB_OK && i < hits.n && i <= LIST_PAGE; i++) {
			u[i] = &hits.row[i].unit;
			k[i] = (struct row_key){ { hits.row[i].word,
			    hits.row[i].sort_name }, hits.row[i].unit.id };
		}
		nrows = rc == DB_OK ? hits.n : 0;
	} else if (!search) {
		rc = (back ? q_units_before : q_units_after)(r->db, &r->arena,
		    &(struct q_units_after_in){ .name = DB_TEXT(keys[0]) },
		    &all);
		for (i = 0; rc == DB_OK && i < all.n && i <= LIST_PAGE; i++) {
			u[i] = &all.row[i].unit;
			k[i] = (struct row_key){ { all.row[i].unit.name },
			    all.row[i].unit.id };
		}
		nrows = rc == DB_OK ? all.n : 0;
	}
	if (rc != DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return r->status;
	}
	n = page_order(nrows, back, order);
	page_links(r, t, search ? arena_printf(&r->arena, "/admin/units?q=%s&",
	    http_urlencode(&r->arena, q)) : "/admin/units?", nrows, n,
	    search ? 2 : 1, back, n > 0 ? &k[order[0]] : &none,
	    n > 0 ? &k[order[n - 1]] : &none);
	for (i = 0; i < n; i++) {
		struct tpl	*s = tpl_section(t, "UNIT");

		tpl_set(s, "ID", u[order[i]]->id);
		tpl_set(s, "NAME", u[order[i]]->name);
		page_desc(s, u[order[i]]->description);
		tpl_set(s, "PEOPLE", page_people(r, u[order[i]]->members));
	}
	if (n == 0)
		tpl_show(t, search ? "NO_HITS" : "EMPTY");
	return 0;
}

/*
 * /admin/units with status: the list (or the search) and, for those
 * who may change locations, the form for a new one (f: what was sent
 * and what is wrong with it, or NULL).
 */
static void
units_page(struct req *r, int status, const struct unit_form *f)
{
	struct tpl	*t = page_new(r, "Locations");
	const char	*q = r->in[K_Q].text;
	int		 rc;

	tpl_set(t, "Q", q != NULL ? q : "");
	if (units_list(r, t, q) != 0)
		return;
	if ((rc = admin_notice(r, t, ON_UNITS, NULL)) != DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return;
	}
	if (admin_may_change(r, AREA_UNITS)) {
		tpl_show(t, "CREATE");
		tpl_set(t, "CSRF", r->sess->csrf);
		form_fields(t, f ? f->name : NULL, f ? f->desc : NULL, f);
	} else
		tpl_show(t, "READ_ONLY");
	if (status == 422)
		page_title_refused(t);
	page_render(r, status, "admin_units.tpl", t);
}

/* GET /admin/units?q=&after=&before=: 400 for a damaged page link. */
void
page_admin_units(struct req *r)
{
	units_page(r, 200, NULL);
}

struct unit_change {
	struct req		*r;
	const char		*id;
	const struct unit_form	*f;
	const char		*name;		/* as it was (update, delete) */
	int64_t			 members, roles;	/* delete: what is left */
};

static int
unit_create_txn(struct db *db, void *arg)
{
	struct unit_change	*c = arg;
	struct audit		 a = {
		.action = "unit.create",
		.ok = 1,
		.target_id = c->id,
		.target_name = c->f->name,
		.client = "admin",
		.details = unit_json(c->r, c->f->name, c->f->desc),
	};
	int			 rc;

	rc = q_unit_insert(db, &(struct q_unit_insert_in){
	    .id = DB_TEXT(c->id), .name = DB_TEXT(c->f->name),
	    .description = DB_TEXT(c->f->desc) }, NULL);
	if (rc == DB_DUP)
		return TXN_DUP_NAME;
	if (rc != DB_OK ||
	    (rc = search_index(db, &c->r->arena, "unit", c->id, c->f->name,
	    NULL, NULL, NULL, 0)) != DB_OK)
		return rc;
	return page_audit_row(db, c->r, &a);
}

/*
 * POST /admin/units (name, description): a new location, 303 to its
 * page; 422 with the form (values kept, the field marked) for a name
 * that is empty, too long or taken, or a description too long.
 */
void
page_admin_units_post(struct req *r)
{
	struct unit_form	f;
	struct unit_change	c;
	char			id[UUID_LEN + 1];
	int			rc;

	form_read(r, &f);
	if (f.name_err != NULL || f.desc_err != NULL) {
		units_page(r, 422, &f);
		return;
	}
	uuid_v4(id);
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.id = id;
	c.f = &f;
	if ((rc = db_txn(r->db, unit_create_txn, &c)) == TXN_DUP_NAME &&
	    (rc = name_taken(r, &f)) == DB_OK) {
		units_page(r, 422, &f);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, arena_printf(&r->arena, "/admin/units/%s?done=created",
	    id));
}

/*
 * A role assignment row of a list: role, and person or scope; the
 * revoke button is named after what it takes from whom (unit_name:
 * NULL on a location's own list, where the scope goes without saying).
 */
void
admin_assignment_row(struct req *r, struct tpl *s, const char *role,
    const char *user_id, const char *person, const char *unit_id,
    const char *unit_name, enum back_to back)
{
	int	k = authz_role_parse(role);

	tpl_set(s, "ROLE", k >= 0 ? authz_role_name((enum role)k) : role);
	tpl_set(s, "ROLE_ID", role);
	if (!admin_may_change(r, AREA_ROLES))
		return;
	if (k < 0)
		tpl_show(s, "NO_REVOKE");	/* a role this program does not know */
	else {
		tpl_show(s, "REVOKE");
		tpl_set(s, "CSRF", r->sess->csrf);
		tpl_set(s, "USER_ID", user_id);
		tpl_set(s, "SCOPE_ID", unit_id != NULL ? unit_id : "");
		tpl_set(s, "BACK", back == BACK_UNIT ? "unit" :
		    back == BACK_LOCATION ? "location" : "person");
		tpl_set(s, "REVOKE_WHAT", arena_printf(&r->arena, "%s from %s",
		    unit_name == NULL && back != BACK_PERSON ?
		    authz_role_name((enum role)k) : admin_role_held(r,
		    (enum role)k, unit_id, unit_name), person));
	}
}

/*
 * The roles held at location id into ROLE sections of t (back: where a
 * revoke returns). DB_OK or a db_err.
 */
int
admin_unit_roles(struct req *r, struct tpl *t, const char *id,
    enum back_to back)
{
	struct q_unit_roles_rows	 rows;
	struct tpl			*s;
	size_t				 i;
	int				 rc;

	if ((rc = q_unit_roles(r->db, &r->arena, &(struct q_unit_roles_in){
	    .unit = DB_TEXT(id), .max = DB_INT(UNIT_ROLES_MAX + 1) }, &rows)) !=
	    DB_OK)
		return rc;
	for (i = 0; i < rows.n && i < UNIT_ROLES_MAX; i++) {
		s = tpl_section(t, "UNIT_ROLE");
		tpl_set(s, "PERSON_ID", rows.row[i].user_id);
		tpl_set(s, "PERSON", rows.row[i].display_name);
		tpl_set(s, "UPN", rows.row[i].upn);
		admin_assignment_row(r, s, rows.row[i].role, rows.row[i].user_id,
		    rows.row[i].display_name, id, NULL, back);
	}
	if (rows.n == 0)
		tpl_show(t, "NO_UNIT_ROLES");
	else
		tpl_show(t, "HAS_UNIT_ROLES");
	if (rows.n > UNIT_ROLES_MAX) {
		tpl_show(t, "MORE_UNIT_ROLES");
		tpl_set_int(t, "UNIT_ROLES_SHOWN", UNIT_ROLES_MAX);
	}
	return DB_OK;
}

/*
 * /admin/units/{id} with status: the location, its members (a keyset
 * page), the people a search for q found to add, the roles held there;
 * with the forms of what the actor may change. f: what the edit form
 * sent and what is wrong (or a sentence about the page), or NULL.
 * 404 for an unknown location, 400 for a damaged page link.
 */
static void
unit_page(struct req *r, int status, const struct unit_form *f)
{
	struct q_unit_get_rows		 u;
	struct q_members_after_rows	 m;
	struct row_key			 first = { { NULL }, NULL }, last = first;
	struct db_val			 unit = DB_TEXT(r->path_id);
	const struct db_unit		*un;
	const char			*name, *cid, *q = r->in[K_Q].text;
	struct tpl			*t, *s;
	size_t				 order[LIST_PAGE + 1], i, n;
	int				 rc, back, edit;

	edit = admin_may_change(r, AREA_UNITS);
	if (page_cursor(r, &name, 1, &cid, &back) != 0)
		return;
	if ((rc = q_unit_get(r->db, &r->arena, &(struct q_unit_get_in){
	    .id = unit }, &u)) != DB_OK ||
	    (rc = (back ? q_members_before : q_members_after)(r->db,
	    &r->arena, &(struct q_members_after_in){ .unit = unit,
	    .from_name = DB_TEXT(name), .name = DB_TEXT(name),
	    .id = DB_TEXT(cid) }, &m)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (u.n == 0) {
		page_error(r, 404, msg_no_location);
		return;
	}
	un = &u.row[0].unit;
	t = page_new(r, un->name);
	tpl_set_global(t, "UNIT_ID", un->id);
	tpl_set_global(t, "CSRF", r->sess->csrf);
	tpl_set(t, "DESCRIPTION", un->description ? un->description : "");
	tpl_set(t, "PEOPLE", page_people(r, un->members));
	tpl_set(t, "Q", q != NULL ? q : "");
	if (f != NULL && f->error != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", f->error);
	}
	if (edit) {
		tpl_show(t, "EDIT");
		/* After a refused edit the form shows what was typed, with
		 * the version of what it showed before. */
		if (f != NULL && (f->name_err != NULL || f->desc_err != NULL)) {
			form_fields(t, f->name, f->desc, f);
			tpl_set_int(t, "VERSION", r->in[K_VERSION].i);
		} else {
			form_fields(t, un->name, un->description, NULL);
			tpl_set_int(t, "VERSION", location_version(un->name,
			    un->description));
		}
	} else
		tpl_show(t, "READ_ONLY");
	n = page_order(m.n, back, order);
	if (n > 0) {
		first = (struct row_key){ { m.row[order[0]].sort_name },
		    m.row[order[0]].person.id };
		last = (struct row_key){ { m.row[order[n - 1]].sort_name },
		    m.row[order[n - 1]].person.id };
	}
	page_links(r, t, arena_printf(&r->arena, "/admin/units/%s?",
	    un->id), m.n, n, 1, back, &first, &last);
	for (i = 0; i < n; i++) {
		s = tpl_section(t, "MEMBER");
		tpl_set(s, "ID", m.row[order[i]].person.id);
		tpl_set(s, "NAME", m.row[order[i]].person.name);
		tpl_set(s, "UPN", m.row[order[i]].person.upn);
		if (edit)
			tpl_show(s, "REMOVE");
	}
	tpl_show(t, n > 0 ? "HAS_MEMBERS" : "NO_MEMBERS");
	if (edit) {
		tpl_show(t, "ADD");
		if (q != NULL && *q != '\0') {
			tpl_show(t, "FOUND");
			if ((rc = page_pick_people(r, t, q, "CANDIDATE",
			    &(struct pick_already){ un->id, NULL, 0 })) !=
			    DB_OK) {
				tpl_free(t);
				page_db_error(r, rc);
				return;
			}
		}
	}
	if ((rc = admin_unit_roles(r, t, un->id, BACK_UNIT)) != DB_OK ||
	    (rc = admin_notice(r, t, ON_UNIT, un)) != DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return;
	}
	if (admin_may_change(r, AREA_ROLES)) {
		tpl_show(t, "ASSIGN_HERE");
		tpl_show(t, "CAN_REVOKE");
	}
	if (status == 422)
		page_title_refused(t);
	page_render(r, status, "admin_unit.tpl", t);
}

/* GET /admin/units/{id}?q=&after=&before=: 404 unknown, 400 damaged link. */
void
page_admin_unit(struct req *r)
{
	unit_page(r, 200, NULL);
}

static int
unit_update_txn(struct db *db, void *arg)
{
	struct unit_change	*c = arg;
	struct req		*r = c->r;
	struct q_unit_lock_rows	 u;
	const char		*old_desc;
	int			 rc;

	if ((rc = q_unit_lock(db, &r->arena, &(struct q_unit_lock_in){
	    .id = DB_TEXT(c->id) }, &u)) != DB_OK)
		return rc;
	if (u.n == 0)
		return TXN_GONE;
	c->name = u.row[0].name;
	old_desc = u.row[0].description;
	/* Byte for byte: a change of case is a change. */
	if (strcmp(c->name, c->f->name) == 0 && (old_desc == NULL ?
	    c->f->desc == NULL : c->f->desc != NULL &&
	    strcmp(old_desc, c->f->desc) == 0))
		return TXN_UNCHANGED;
	/* Not over a change the form did not show (read locked above). */
	if (location_version(c->name, old_desc) !=
	    (uint32_t)r->in[K_VERSION].i)
		return TXN_CHANGED;
	rc = q_unit_update(db, &(struct q_unit_update_in){
	    .name = DB_TEXT(c->f->name), .description = DB_TEXT(c->f->desc),
	    .id = DB_TEXT(c->id) }, NULL);
	if (rc == DB_DUP)
		return TXN_DUP_NAME;
	if (rc != DB_OK)
		return rc;
	if (strcmp(c->name, c->f->name) != 0 && (rc = search_index(db,
	    &r->arena, "unit", c->id, c->f->name, NULL, NULL, NULL, 0)) !=
	    DB_OK)
		return rc;
	return page_audit_row(db, r, &(struct audit){
		.action = "unit.update",
		.ok = 1,
		.target_id = c->id,
		.target_name = c->f->name,
		.client = "admin",
		.details = arena_printf(&r->arena, "{\"old\":%s,\"new\":%s}",
		    unit_json(r, c->name, old_desc),
		    unit_json(r, c->f->name, c->f->desc)),
	});
}

/*
 * POST /admin/units/{id} (name, description, version): renames the
 * location or changes its description, 303 back to its page (also when
 * nothing changed: then no audit row); 404 unknown; 422 with the form
 * for a name that is empty, too long or another location's, or with
 * the location as it is now when it changed since the form was shown
 * (version); 400 without a version.
 */
void
page_admin_unit_post(struct req *r)
{
	struct unit_form	f;
	struct unit_change	c;
	int			rc;

	if (r->in[K_VERSION].text == NULL) {
		page_error(r, 400, "The form is missing its version. Reload "
		    "the page and try again.");
		return;
	}
	form_read(r, &f);
	if (f.name_err != NULL || f.desc_err != NULL) {
		unit_page(r, 422, &f);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.id = r->path_id;
	c.f = &f;
	rc = db_txn(r->db, unit_update_txn, &c);
	if (rc == TXN_GONE) {
		page_error(r, 404, msg_no_location);
		return;
	}
	if (rc == TXN_DUP_NAME && (rc = name_taken(r, &f)) == DB_OK) {
		unit_page(r, 422, &f);
		return;
	}
	if (rc == TXN_CHANGED) {
		/* The form as the location is now, not what was typed. */
		memset(&f, 0, sizeof(f));
		f.error = "This location was changed meanwhile (by someone "
		    "else, or on another page). Nothing was saved: here it "
		    "is as it is now. Make your change again if it is still "
		    "needed.";
		unit_page(r, 422, &f);
		return;
	}
	if (rc != DB_OK && rc != TXN_UNCHANGED) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, arena_printf(&r->arena, "/admin/units/%s?done=%s",
	    r->path_id, rc == TXN_UNCHANGED ? "unchanged" : "saved"));
}

static int
unit_delete_txn(struct db *db, void *arg)
{
	struct unit_change	*c = arg;
	struct req		*r = c->r;
	struct q_unit_lock_rows	 u;
	struct q_unit_uses_rows	 uses;
	struct db_val		 id = DB_TEXT(c->id);
	int			 rc;

	/* The lock first: no member or role can be added after it. */
	if ((rc = q_unit_lock(db, &r->arena, &(struct q_unit_lock_in){
	    .id = id }, &u)) != DB_OK)
		return rc;
	if (u.n == 0)
		return TXN_GONE;
	c->name = u.row[0].name;
	if ((rc = q_unit_uses(db, &r->arena, &(struct q_unit_uses_in){
	    .members_of = id, .roles_at = id }, &uses)) != DB_OK)
		return rc;
	c->members = uses.n > 0 ? uses.row[0].members : 0;
	c->roles = uses.n > 0 ? uses.row[0].roles : 0;
	/* Refused, not cascaded: role_assignments would go with it. */
	if (uses.n == 0 || c->members > 0 || c->roles > 0)
		return TXN_IN_USE;
	if ((rc = q_unit_delete(db, &(struct q_unit_delete_in){ .id = id },
	    NULL)) != DB_OK ||
	    (rc = q_search_forget(db, &(struct q_search_forget_in){
	    .ref = id }, NULL)) != DB_OK)
		return rc;
	return page_audit_row(db, r, &(struct audit){
		.action = "unit.delete",
		.ok = 1,
		.target_id = c->id,
		.target_name = c->name,
		.client = "admin",
		.details = unit_json(r, c->name, u.row[0].description),
	});
}

/*
 * POST /admin/units/{id}/delete: deletes an empty location, 303 to the
 * list; 422 while it has members or roles held there (nothing is
 * deleted with it); 404 unknown.
 */
void
page_admin_unit_delete_post(struct req *r)
{
	struct unit_change	c;
	struct unit_form	f;
	int			rc;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.id = r->path_id;
	rc = db_txn(r->db, unit_delete_txn, &c);
	if (rc == TXN_GONE) {
		page_error(r, 404, msg_no_location);
		return;
	}
	if (rc == TXN_IN_USE) {
		memset(&f, 0, sizeof(f));
		f.error = arena_printf(&r->arena, "%s was not deleted: it "
		    "still has %lld member%s and %lld role assignment%s. "
		    "Only an empty location can be deleted: remove its "
		    "members and revoke the roles held there first.",
		    c.name, (long long)c.members, c.members == 1 ? "" : "s",
		    (long long)c.roles, c.roles == 1 ? "" : "s");
		unit_page(r, 422, &f);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, "/admin/units?done=deleted");
}

struct member_change {
	struct req	*r;
	const char	*unit_id;
	const char	*unit_name;	/* read under the lock */
	const struct q_user_name_row *who;
	int		 add;
};

static int
member_txn(struct db *db, void *arg)
{
	struct member_change	*c = arg;
	struct req		*r = c->r;
	struct q_unit_lock_rows	 u;
	struct q_member_add_in	 in = { .unit = DB_TEXT(c->unit_id),
	    .user = DB_TEXT(c->who->id) };
	uint64_t		 n = 0;
	int			 rc;

	/*
	 * For update, not shared: the location stays while this commits,
	 * and its head count (sql/018) is written by the membership's
	 * trigger; two changes holding it shared would each wait for the
	 * other to write it.
	 */
	if ((rc = q_unit_lock(db, &r->arena, &(struct q_unit_lock_in){
	    .id = in.unit }, &u)) != DB_OK)
		return rc;
	if (u.n == 0)
		return TXN_GONE;
	c->unit_name = u.row[0].name;
	if ((rc = (c->add ? q_member_add : q_member_remove)(db, &in, &n)) !=
	    DB_OK)
		return rc;
	if (n == 0)
		return c->add ? TXN_ALREADY : TXN_NOT_THERE;
	return page_audit_row(db, r, &(struct audit){
		.action = c->add ? "unit.member.add" : "unit.member.remove",
		.ok = 1,
		.target_id = c->who->id,
		.target_name = c->who->display_name,
		.client = "admin",
		.details = arena_printf(&r->arena, "{\"location\":%s,"
		    "\"locationId\":%s}", json_string(&r->arena, c->unit_name),
		    json_string(&r->arena, c->unit_id)),
	});
}

/* POST /admin/units/{id}/members[/remove] (user). */
static void
member_post(struct req *r, int add)
{
	struct member_change	c;
	struct unit_form	f;
	const char		*q, *keep;
	int			rc;

	memset(&c, 0, sizeof(c));
	if (person_of_form(r, &c.who) != 0)
		return;
	c.r = r;
	c.unit_id = r->path_id;
	c.add = add;
	rc = db_txn(r->db, member_txn, &c);
	if (rc == TXN_GONE) {
		page_error(r, 404, msg_no_location);
		return;
	}
	if (rc == TXN_ALREADY || rc == TXN_NOT_THERE) {
		memset(&f, 0, sizeof(f));
		f.error = arena_printf(&r->arena, rc == TXN_ALREADY ?
		    "%s (%s) is already a member of %s: nothing was changed." :
		    "%s (%s) is not a member of %s (perhaps removed a moment "
		    "ago): nothing was changed.", c.who->display_name,
		    c.who->upn, c.unit_name);
		unit_page(r, 422, &f);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	/* Back with the search, to add another of the people found. */
	q = r->in[K_Q].text;
	keep = add && q != NULL && *q != '\0' ? arena_printf(&r->arena,
	    "q=%s&", http_urlencode(&r->arena, q)) : "";
	http_redirect(r, arena_printf(&r->arena, "/admin/units/%s?%sdone=%s&"
	    "who=%s", r->path_id, keep, add ? "added" : "removed",
	    c.who->id));
}

/*
 * POST /admin/units/{id}/members (user, q): adds the person, 303 back
 * with the search q kept (to add the next); 422 when they are a member
 * already; 404 for an unknown location or person; 400 without a person.
 */
void
page_admin_member_add_post(struct req *r)
{
	member_post(r, 1);
}

/*
 * POST /admin/units/{id}/members/remove (user): removes the person,
 * 303 back; 422 when they are not a member; 404, 400 as adding.
 */
void
page_admin_member_remove_post(struct req *r)
{
	member_post(r, 0);
}


/*
 * mystaff.c: the manager's pages (DESIGN.md sections 3 and 4):
 * /units, /units/{id}, /users, /users/{id} and /search. Reading is open
 * to every My Staff user; what each person may be done to is decided
 * by authz_check() per row, from what the page's own query brings
 * (never a query per row). Lists are keyset-paged (cursor.h), LIST_PAGE a page.
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "cursor.h"
#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "pages/pages.h"
#include "pages/person.h"
#include "phone.h"
#include "route.h"
#include "search.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"

#define LIST_PAGE	50
#define MIN_UUID	"00000000-0000-0000-0000-000000000000"

/* Columns of PERSON() in db/stmts.h, then the sort name. */
enum { C_ID, C_NAME, C_UPN, C_JOB, C_PHONE, C_LOCKED, C_MUST, C_ENABLED,
    C_SORT, C_KIND, C_REF, C_DESC, C_WORD, C_ROLES, C_UNITS };
/* Columns after the sort name of Q_MEMBERS_*. */
enum { C_UNIT_NAME = C_SORT + 1, C_UNIT_DESC, C_UNIT_COUNT };


static const char msg_no_access[] = "You are not authorised to see My Staff "
    "at this time. Contact your admin.";

struct gate_denial {
	struct req		*r;
	enum mystaff_verdict	 why;
};

static int
gate_audit_txn(struct db *db, void *arg)
{
	static const char *const codes[] = { "ok", "no_role", "mystaff_off",
	    "not_selected", "mfa_needed" };
	struct gate_denial	*g = arg;
	struct audit		 a = { "mystaff.access", 0, codes[g->why], NULL,
	    NULL, g->r->path_id, NULL, "mystaff", NULL };

	a.details = arena_printf(&g->r->arena, "{\"path\":%s}",
	    json_string(&g->r->arena, g->r->path));
	return audit_write(db, g->r, &a);
}

/*
 * Applies "My Staff access" (DESIGN.md section 3) on every request, from
 * the database: a revoked role or a changed setting counts at once.
 * Returns 1 to go on, or 0 after a 403 page or a 303 to verify again.
 */
int
mystaff_gate(struct req *r)
{
	struct mystaff_ctx	 c;
	struct db_rows		 rs;
	struct db_val		 p[1];
	const char		*mode;
	enum mystaff_verdict	 v;
	int			 rc;

	memset(&c, 0, sizeof(c));
	c.nroles = r->actor->nroles;
	mode = settings_str(r->settings, SET_MYSTAFF_ACCESS);
	c.mode = strcmp(mode, "none") == 0 ? MYSTAFF_NONE :
	    strcmp(mode, "selected") == 0 ? MYSTAFF_SELECTED : MYSTAFF_ALL;
	if (c.mode == MYSTAFF_SELECTED && c.nroles > 0) {
		p[0] = DB_TEXT(r->sess->user_id);
		if ((rc = db_query_one(r->db, &r->arena, Q_MYSTAFF_IS_SELECTED,
		    p, 1, &rs)) < 0) {
			page_db_error(r, rc);
			return 0;
		}
		c.selected = rc == 1;
	}
	c.require_mfa = settings_int(r->settings, SET_CA_REQUIRE_MFA);
	c.mfa_at = r->sess->mfa_at;
	c.now = now_s();
	c.frequency = settings_int(r->settings,
	    SET_CA_SIGNIN_FREQUENCY_HOURS) * 3600;
	switch ((v = mystaff_access(&c))) {
	case MYSTAFF_OK:
		return 1;
	case MYSTAFF_NEEDS_MFA:
		http_redirect(r, arena_printf(&r->arena, "%s?next=%s",
		    r->sess->has_totp ? "/login/mfa" : "/account/mfa",
		    http_urlencode(&r->arena, r->path)));
		return 0;
	default:
		/* A refused POST is audited (DESIGN.md section 3). */
		if (r->method == HTTP_POST && (rc = db_txn(r->db,
		    gate_audit_txn, &(struct gate_denial){ r, v })) != DB_OK) {
			page_db_error(r, rc);
			return 0;
		}
		page_error(r, 403, msg_no_access);
		return 0;
	}
}

/*
 * The after/before cursor of the request, of nkeys sort keys (all ""
 * and the lowest id on the first page): 0, or -1 after a 400 page.
 */
static int
page_cursor(struct req *r, const char **keys, size_t nkeys, const char **id,
    int *back)
{
	const char	*c = r->field[K_AFTER];
	size_t		 i;

	*back = 0;
	for (i = 0; i < nkeys; i++)
		keys[i] = "";
	*id = MIN_UUID;
	if (r->field[K_AFTER] != NULL && r->field[K_BEFORE] != NULL) {
		page_error(r, 400, "A page link cannot go both ways.");
		return -1;
	}
	if (r->field[K_BEFORE] != NULL) {
		c = r->field[K_BEFORE];
		*back = 1;
	}
	if (c != NULL && cursor_decode(&r->arena, c, keys, nkeys, id) == -1) {
		page_error(r, 400, "This page link is damaged. Go back to the "
		    "first page and try again.");
		return -1;
	}
	return 0;
}

/* The cursor of row i: the texts in columns sortcols[0..nkeys), the id. */
static char *
row_cursor(struct req *r, const struct db_rows *rs, size_t i,
    const size_t *sortcols, size_t nkeys, size_t idcol)
{
	const char	*keys[CURSOR_KEYS_MAX];
	size_t		 k;

	for (k = 0; k < nkeys; k++)
		keys[k] = DB_CELL(rs, i, sortcols[k]);
	return cursor_encode(&r->arena, keys, nkeys, DB_CELL(rs, i, idcol));
}

/*
 * Shows rows of a keyset page: n rows came back for LIST_PAGE + 1
 * asked, in reverse order when back. Sets the NEXT and PREV links
 * (base + "after=..." or "before=...", base ending in '?' or '&').
 * Fills order[] with the rows to show, in display order; returns how
 * many.
 */
static size_t
page_links(struct req *r, struct tpl *t, const char *base,
    const struct db_rows *rs, const size_t *sortcols, size_t nkeys,
    size_t idcol, int back, size_t *order)
{
	size_t	 n = rs->n > LIST_PAGE ? LIST_PAGE : rs->n, i;
	int	 more = rs->n > LIST_PAGE, paged = r->field[K_AFTER] != NULL;

	for (i = 0; i < n; i++)
		order[i] = back ? n - 1 - i : i;
	if (n == 0)
		return 0;
	if (nkeys > 1 && paged) {
		/* Search pages go forward only: back is to the first page. */
		tpl_show(t, "FIRST");
		tpl_set(t, "FIRST_URL", arena_strndup(&r->arena, base,
		    strlen(base) - 1));
	} else if ((back && more) || (!back && paged)) {
		tpl_show(t, "PREV");
		tpl_set(t, "PREV_URL", arena_printf(&r->arena, "%sbefore=%s",
		    base, row_cursor(r, rs, order[0], sortcols, nkeys, idcol)));
	}
	if (back || more) {
		tpl_show(t, "NEXT");
		tpl_set(t, "NEXT_URL", arena_printf(&r->arena, "%safter=%s",
		    base, row_cursor(r, rs, order[n - 1], sortcols, nkeys,
		    idcol)));
	}
	return n;
}

/* Adds a "role" (a, unit b; NULL: org scope) or a "unit" (a) to t. */
static void
target_add(struct authz_target *t, const char *kind,
    const char *a, const char *b)
{
	struct assignment	*as = (struct assignment *)t->roles;
	const char		**un = (const char **)t->units;
	int			 role;

	if (strcmp(kind, "role") == 0) {
		if ((role = authz_role_parse(a)) < 0)
			return;
		as[t->nroles].role = (enum role)role;
		as[t->nroles++].unit_id = b;
	} else if (strcmp(kind, "unit") == 0)
		un[t->nunits++] = a;
}

/* Empty rights for up to n assignments and memberships. */
static void
target_init(struct req *r, struct authz_target *t, const char *user_id,
    size_t n)
{
	memset(t, 0, sizeof(*t));
	t->user_id = user_id;
	t->roles = arena_alloc(&r->arena, sizeof(*t->roles) * (n + 1));
	t->units = arena_alloc(&r->arena, sizeof(*t->units) * (n + 1));
}

/* How many items a GROUP_CONCAT list holds (NULL: none). */
static size_t
list_len(const char *s)
{
	size_t	n = s != NULL;

	while (s != NULL && (s = strchr(s, ',')) != NULL) {
		s++;
		n++;
	}
	return n;
}

/* The rights of the person of search hit i (C_ROLES, C_UNITS) into t. */
static void
hit_target(struct req *r, const struct db_rows *rs, size_t i,
    struct authz_target *t)
{
	const char	*roles = DB_CELL(rs, i, C_ROLES);
	const char	*units = DB_CELL(rs, i, C_UNITS);
	char		*list, *w, *unit;

	target_init(r, t, DB_CELL(rs, i, C_ID), list_len(roles) +
	    list_len(units));
	list = roles != NULL ? arena_strdup(&r->arena, roles) : NULL;
	while ((w = strsep(&list, ",")) != NULL)
		if ((unit = strchr(w, ':')) != NULL) {
			*unit++ = '\0';
			target_add(t, "role", w, *unit != '\0' ? unit : NULL);
		}
	list = units != NULL ? arena_strdup(&r->arena, units) : NULL;
	while ((w = strsep(&list, ",")) != NULL)
		target_add(t, "unit", w, NULL);
}

/* One person row of a list (a PERSON section); tg NULL: no rights column. */
static void
person_row(struct req *r, struct tpl *t, const struct db_rows *rs, size_t i,
    const struct authz_target *tg)
{
	struct tpl	*s = tpl_section(t, "PERSON");
	int		 reset, phones;

	tpl_set(s, "ID", DB_CELL(rs, i, C_ID));
	tpl_set(s, "NAME", DB_CELL(rs, i, C_NAME));
	tpl_set(s, "UPN", DB_CELL(rs, i, C_UPN));
	tpl_set(s, "JOB", DB_CELL(rs, i, C_JOB) ? DB_CELL(rs, i, C_JOB) : "");
	tpl_set(s, "PHONE", db_int(rs, i, C_PHONE, 0) ? "yes" : "no");
	if (db_int(rs, i, C_LOCKED, 0))
		tpl_show(s, "LOCKED");
	if (db_int(rs, i, C_MUST, 0))
		tpl_show(s, "MUST_CHANGE");
	if (!db_int(rs, i, C_ENABLED, 1))
		tpl_show(s, "DISABLED");
	if (tg == NULL)
		return;
	tpl_show(t, "RIGHTS");
	reset = authz_check(r->actor, tg, AUTHZ_RESET_PASSWORD) == AUTHZ_OK;
	phones = authz_check(r->actor, tg, AUTHZ_MANAGE_PHONES) == AUTHZ_OK;
	if (reset || phones) {
		tpl_show(s, "CAN_ACT");
		tpl_set(s, "CAN", reset && phones ? "reset password, phones" :
		    reset ? "reset password" : "phones");
	} else
		tpl_show(s, "VIEW_ONLY");
}

/*
 * Renders rows[order[0..n)] of rs as PERSON sections; with rights (a
 * search, whose hits carry them: DESIGN.md section 4), also what the
 * actor may do to each. The lists of a location do not show it.
 */
static void
person_rows(struct req *r, struct tpl *t, const struct db_rows *rs,
    const size_t *order, size_t n, int rights)
{
	struct authz_target	 tg;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (rights)
			hit_target(r, rs, order[i], &tg);
		person_row(r, t, rs, order[i], rights ? &tg : NULL);
	}
}

static void
unit_row(struct tpl *t, const struct db_rows *rs, size_t i)
{
	struct tpl	*s = tpl_section(t, "UNIT");

	tpl_set(s, "ID", DB_CELL(rs, i, 0));
	tpl_set(s, "NAME", DB_CELL(rs, i, 1));
	tpl_set(s, "DESCRIPTION", DB_CELL(rs, i, 2) ? DB_CELL(rs, i, 2) : "");
	tpl_set(s, "COUNT", DB_CELL(rs, i, 3));
}

/*
 * GET /units: the locations the actor administers; an actor with
 * organisation scope sees them all, paged, and "All users". One
 * location: 303 straight to it. 400 for a damaged cursor.
 */
void
page_units(struct req *r)
{
	struct db_rows	 rs;
	struct db_val	 p[1];
	struct tpl	*t;
	const char	*name, *id;
	size_t		 order[LIST_PAGE + 1], i, n, sortcol = 1;
	int		 rc, back;

	if (page_cursor(r, &name, 1, &id, &back) == -1)
		return;
	if (!authz_has_org_scope(r->actor->roles, r->actor->nroles)) {
		p[0] = DB_TEXT(r->sess->user_id);
		if ((rc = db_query(r->db, &r->arena, Q_ACTOR_UNITS, p, 1,
		    &rs)) != DB_OK) {
			page_db_error(r, rc);
			return;
		}
		if (rs.n == 1) {
			http_redirect(r, arena_printf(&r->arena, "/units/%s",
			    DB_CELL(&rs, 0, 0)));
			return;
		}
		t = page_new(r, "My locations");
		for (i = 0; i < rs.n; i++)
			unit_row(t, &rs, i);
		if (rs.n == 0)
			tpl_show(t, "EMPTY");
		page_render(r, 200, "units.tpl", t);
		return;
	}
	p[0] = DB_TEXT(name);
	if ((rc = db_query(r->db, &r->arena, back ? Q_UNITS_BEFORE :
	    Q_UNITS_AFTER, p, 1, &rs)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	t = page_new(r, "Locations");
	tpl_show(t, "ALL_USERS");
	n = page_links(r, t, "/units?", &rs, &sortcol, 1, 0, back, order);
	for (i = 0; i < n; i++)
		unit_row(t, &rs, order[i]);
	if (n == 0)
		tpl_show(t, "EMPTY");
	page_render(r, 200, "units.tpl", t);
}

/*
 * The head of a location's page from its first row (name, description,
 * count), or, for a page without people, from Q_UNIT_GET: DB_OK, a
 * db_err, or 1 when there is no such location.
 */
static int
unit_head(struct req *r, struct tpl *t, const char *unit_id,
    const struct db_rows *rs)
{
	struct db_rows	 u;
	struct db_val	 p[1];
	const char	*name, *desc, *count;
	int		 rc;

	if (rs->n > 0) {
		name = DB_CELL(rs, 0, C_UNIT_NAME);
		desc = DB_CELL(rs, 0, C_UNIT_DESC);
		count = DB_CELL(rs, 0, C_UNIT_COUNT);
	} else {
		p[0] = DB_TEXT(unit_id);
		if ((rc = db_query_one(r->db, &r->arena, Q_UNIT_GET, p, 1,
		    &u)) != 1)
			return rc == 0 ? 1 : rc;
		name = DB_CELL(&u, 0, 1);
		desc = DB_CELL(&u, 0, 2);
		count = DB_CELL(&u, 0, 3);
	}
	if (name == NULL)
		return 1;
	tpl_set_global(t, "TITLE", name);
	tpl_show(t, "UNIT_HEAD");
	tpl_set(t, "DESCRIPTION", desc ? desc : "");
	tpl_set(t, "COUNT", count);
	return DB_OK;
}

/*
 * Renders t (people.tpl) with a page of people from stmt (the after or
 * before variant): a location's (unit_id) or everyone's. Or frees t and
 * answers 400 (cursor), 404 (no such location) or 503.
 */
static void
people_page(struct req *r, struct tpl *t, const char *base, enum stmt after,
    enum stmt before, const char *unit_id)
{
	struct db_rows	 rs;
	struct db_val	 p[7];
	const char	*name, *id;
	size_t		 order[LIST_PAGE + 1], n, np = 0, sortcol = C_SORT;
	int		 rc, back;

	if (page_cursor(r, &name, 1, &id, &back) == -1) {
		tpl_free(t);
		return;
	}
	if (unit_id != NULL)
		while (np < 4)
			p[np++] = DB_TEXT(unit_id);
	p[np++] = DB_TEXT(name);	/* where the range starts */
	p[np++] = DB_TEXT(name);
	p[np++] = DB_TEXT(id);
	if ((rc = db_query(r->db, &r->arena, back ? before : after, p, np,
	    &rs)) != DB_OK)
		goto fail;
	if (unit_id != NULL && (rc = unit_head(r, t, unit_id, &rs)) != DB_OK) {
		if (rc < 0)
			goto fail;
		tpl_free(t);
		page_error(r, 404, "There is no such location.");
		return;
	}
	n = page_links(r, t, base, &rs, &sortcol, 1, C_ID, back, order);
	person_rows(r, t, &rs, order, n, 0);
	if (n == 0)
		tpl_show(t, "EMPTY");
	page_render(r, 200, "people.tpl", t);
	return;
fail:
	tpl_free(t);
	page_db_error(r, rc);
}

/* GET /units/{id}: the location and its people; 404 unknown, 400 cursor. */
void
page_unit(struct req *r)
{
	people_page(r, page_new(r, "Location"), arena_printf(&r->arena,
	    "/units/%s?", r->path_id), Q_MEMBERS_AFTER, Q_MEMBERS_BEFORE,
	    r->path_id);
}

/* GET /users: everyone in the organisation, by name. */
void
page_users(struct req *r)
{
	people_page(r, page_new(r, "All users"), "/users?", Q_USERS_AFTER,
	    Q_USERS_BEFORE, NULL);
}

/* One action button, or the line saying why there is none. */
static void
action(struct req *r, struct tpl *t, const char *section,
    const struct authz_target *tg, enum authz_action act)
{
	enum authz_reason	 why = authz_check(r->actor, tg, act);
	struct tpl		*s;

	if (why == AUTHZ_OK) {
		tpl_show(t, section);
		return;
	}
	s = tpl_section(t, "DENIED");
	tpl_set(s, "WHAT", act == AUTHZ_RESET_PASSWORD ? "Reset password" :
	    "Phone numbers");
	tpl_set(s, "WHY", authz_reason_text(why));
}

int
person_load(struct req *r, const char *id, struct person *pp)
{
	struct db_val	 p[3];
	const char	*kind;
	size_t		 i;
	int		 rc, type;

	memset(pp, 0, sizeof(*pp));
	p[0] = p[1] = p[2] = DB_TEXT(id);
	if ((rc = db_query_one(r->db, &r->arena, Q_USER_BY_ID, p, 1, &pp->u)) !=
	    1)
		return rc;
	if ((rc = db_query(r->db, &r->arena, Q_USER_DETAILS, p, 3, &pp->d)) !=
	    DB_OK)
		return rc;
	pp->id = DB_CELL(&pp->u, 0, P_ID);
	pp->upn = DB_CELL(&pp->u, 0, P_UPN);
	pp->name = DB_CELL(&pp->u, 0, P_NAME);
	pp->onprem = DB_CELL(&pp->u, 0, P_SOURCE) != NULL &&
	    strcmp(DB_CELL(&pp->u, 0, P_SOURCE), "onprem") == 0;
	pp->version = db_int(&pp->u, 0, P_VERSION, 0);
	target_init(r, &pp->t, pp->id, pp->d.n);
	for (i = 0; i < pp->d.n; i++) {
		kind = DB_CELL(&pp->d, i, 0);
		target_add(&pp->t, kind, DB_CELL(&pp->d, i, 1),
		    DB_CELL(&pp->d, i, 2));
		if (strcmp(kind, "phone") == 0 &&
		    (type = phone_type_parse(DB_CELL(&pp->d, i, 1))) >= 0)
			pp->phone[type] = DB_CELL(&pp->d, i, 2);
	}
	return 1;
}

/* GET /users/{id}: the profile and the actions the actor may use; 404. */
void
page_user(struct req *r)
{
	struct person	 pp;
	struct tpl	*t, *s;
	const char	*kind;
	size_t		 i, nunit = 0;
	int		 rc, k, nphone = 0;

	if ((rc = person_load(r, r->path_id, &pp)) < 0) {
		page_db_error(r, rc);
		return;
	}
	if (rc == 0) {
		page_error(r, 404, "There is no such person.");
		return;
	}
	t = page_new(r, pp.name);
	tpl_set(t, "ID", pp.id);
	tpl_set(t, "UPN", pp.upn);
	tpl_set(t, "EMAIL", DB_CELL(&pp.u, 0, P_EMAIL) ?
	    DB_CELL(&pp.u, 0, P_EMAIL) : "none");
	tpl_set(t, "JOB", DB_CELL(&pp.u, 0, P_JOB) ?
	    DB_CELL(&pp.u, 0, P_JOB) : "none");
	tpl_set(t, "DEPARTMENT", DB_CELL(&pp.u, 0, P_DEPT) ?
	    DB_CELL(&pp.u, 0, P_DEPT) : "none");
	tpl_set(t, "SOURCE", pp.onprem ? "on-premises (synced)" : "cloud");
	tpl_set(t, "LAST_SIGNIN", page_when(r, DB_CELL(&pp.u, 0,
	    P_LAST_SIGNIN)));
	if (db_int(&pp.u, 0, P_MUST_CHANGE, 0))
		tpl_show(t, "MUST_CHANGE");
	if (!db_int(&pp.u, 0, P_ENABLED, 1))
		tpl_show(t, "DISABLED");
	if (db_int(&pp.u, 0, P_LOCKED, 0))
		tpl_show(t, "LOCKED");
	for (k = 0; k < PHONE__MAX; k++) {
		if (pp.phone[k] == NULL)
			continue;
		s = tpl_section(t, "PHONE");
		tpl_set(s, "TYPE", phone_type_name(k));
		tpl_set(s, "NUMBER", pp.phone[k]);
		nphone++;
	}
	for (i = 0; i < pp.d.n; i++) {
		kind = DB_CELL(&pp.d, i, 0);
		if (strcmp(kind, "unit") == 0) {
			s = tpl_section(t, "UNIT");
			tpl_set(s, "UNIT_ID", DB_CELL(&pp.d, i, 1));
			tpl_set(s, "UNIT_NAME", DB_CELL(&pp.d, i, 2));
			nunit++;
		} else if (strcmp(kind, "role") == 0) {
			s = tpl_section(t, "ROLE");
			tpl_set(s, "ROLE_NAME", DB_CELL(&pp.d, i, 1));
			tpl_set(s, "SCOPE", DB_CELL(&pp.d, i, 3) ?
			    DB_CELL(&pp.d, i, 3) : "whole organisation");
		}
	}
	if (nphone == 0)
		tpl_show(t, "NO_PHONE");
	if (nunit == 0)
		tpl_show(t, "NO_UNIT");
	action(r, t, "CAN_RESET", &pp.t, AUTHZ_RESET_PASSWORD);
	action(r, t, "CAN_PHONES", &pp.t, AUTHZ_MANAGE_PHONES);
	page_render(r, 200, "user.tpl", t);
}

/*
 * GET /search?q=: people and locations where q starts a word of the
 * name, or the UPN, email or a phone number; 50 a page. An empty q
 * shows the form; over SEARCH_Q_MAX characters is a 400.
 */
void
page_search(struct req *r)
{
	static const size_t	 sortcols[2] = { C_WORD, C_SORT };
	const char	*q = r->field[K_Q], *terms[SEARCH_TERMS_MAX];
	const char	*keys[2], *id;
	struct db_rows	 rs;
	struct db_val	 p[8];
	struct tpl	*t, *s;
	size_t		 order[LIST_PAGE + 1], n, i, np = 0, people = 0;
	int		 nterms, rc, back;

	if (q == NULL)
		q = "";
	if ((nterms = search_terms(&r->arena, q, terms)) < 0) {
		page_error(r, 400, "Search for at most 100 characters.");
		return;
	}
	if (page_cursor(r, keys, 2, &id, &back) == -1)
		return;
	t = page_new(r, "Search");
	tpl_set(t, "Q", q);
	if (*q == '\0') {
		page_render(r, 200, "search.tpl", t);
		return;
	}
	tpl_show(t, "RESULTS");
	rs.n = 0;
	if (nterms == 0)
		goto render;	/* only punctuation or spaces: nothing matches */
	p[np++] = DB_TEXT(terms[0]);
	if (nterms == 2)
		p[np++] = DB_TEXT(terms[1]);
	p[np++] = DB_TEXT(terms[0]);
	p[np++] = DB_TEXT(keys[0]);
	p[np++] = DB_TEXT(keys[0]);
	p[np++] = DB_TEXT(keys[1]);
	p[np++] = DB_TEXT(id);
	if ((rc = db_query(r->db, &r->arena, nterms == 2 ? Q_SEARCH2 :
	    Q_SEARCH1, p, np, &rs)) != DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return;
	}
render:
	n = page_links(r, t, arena_printf(&r->arena, "/search?q=%s&",
	    http_urlencode(&r->arena, q)), &rs, sortcols, 2, C_REF, 0, order);
	if (n == 0)
		tpl_show(t, "EMPTY");
	for (i = 0; i < n; i++) {
		if (strcmp(DB_CELL(&rs, order[i], C_KIND), "unit") == 0) {
			s = tpl_section(t, "HIT_UNIT");
			tpl_set(s, "ID", DB_CELL(&rs, order[i], C_REF));
			tpl_set(s, "NAME", DB_CELL(&rs, order[i], C_SORT));
			tpl_set(s, "DESCRIPTION", DB_CELL(&rs, order[i],
			    C_DESC) ? DB_CELL(&rs, order[i], C_DESC) : "");
		} else
			order[people++] = order[i];
	}
	person_rows(r, t, &rs, order, people, 1);
	page_render(r, 200, "search.tpl", t);
}

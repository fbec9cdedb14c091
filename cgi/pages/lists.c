/*
 * lists.c: the manager's lists: /units, /units/{id}, /users and /search.
 * Reading is open to every My Staff user; on search, what the actor may
 * do to each person is decided by authz_check() from what the search
 * query itself brings (never a query per row). Keyset-paged
 * (pager.h), LIST_PAGE a page.
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "db/db.h"
#include "db/roles.h"
#include "http.h"
#include "keys.h"
#include "pages/pager.h"
#include "pages/pages.h"
#include "pages/person.h"
#include "phone.h"
#include "search.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"

/*
 * The rights of a search hit's person from what its row carries
 * (db/roles.h): the roles they hold, and the locations they are in
 * (units, n of them, from db_named_decode()).
 */
static void
hit_target(struct req *r, const char *user_id, const char *roles,
    const struct db_named *units, size_t n, struct authz_target *t)
{
	struct assignment	*as;
	const char		**ids;
	size_t			 i;

	memset(t, 0, sizeof(*t));
	t->user_id = user_id;
	t->nroles = db_roles_decode(&r->arena, roles, &as);
	t->roles = as;
	t->units = ids = arena_alloc(&r->arena, sizeof(*ids) * (n + 1));
	for (i = 0; i < n; i++)
		ids[i] = units[i].id;
	t->nunits = n;
}

/*
 * One person row of a list (a PERSON section), returned; tg NULL: no
 * rights column. The mobile number is masked whoever looks: a list
 * tells who has one, the profile shows it whole to those who may
 * manage it.
 */
static struct tpl *
person_row(struct req *r, struct tpl *t, const struct db_person *p,
    const struct authz_target *tg)
{
	struct tpl	*s = tpl_section(t, "PERSON");
	int		 reset, phones;

	tpl_set(s, "ID", p->id);
	tpl_set(s, "NAME", p->name);
	tpl_set(s, "UPN", p->upn);
	tpl_set(s, "JOB", p->job_title ? p->job_title : "");
	if (p->mobile != NULL) {
		tpl_show(s, "MOBILE");
		tpl_set(s, "NUMBER", phone_mask(&r->arena, p->mobile));
	} else
		tpl_show(s, "NO_MOBILE");
	if (p->locked)
		tpl_show(s, "LOCKED");
	if (p->must_change)
		tpl_show(s, "MUST_CHANGE");
	if (!p->enabled)
		tpl_show(s, "DISABLED");
	if (tg == NULL)
		return s;
	tpl_show(t, "RIGHTS");
	reset = authz_check(r->actor, tg, AUTHZ_RESET_PASSWORD) == AUTHZ_OK;
	phones = authz_check(r->actor, tg, AUTHZ_MANAGE_PHONES) == AUTHZ_OK;
	if (reset || phones) {
		tpl_show(s, "CAN_ACT");
		tpl_set(s, "CAN", reset && phones ? "reset password, phones" :
		    reset ? "reset password" : "phones");
	} else
		tpl_show(s, "VIEW_ONLY");
	return s;
}

/* A search hit's locations (units, n of them) in its row s. */
static void
hit_units(struct tpl *s, const struct db_named *units, size_t n)
{
	struct tpl	*u;
	size_t		 i;

	for (i = 0; i < n; i++) {
		u = tpl_section(s, "UNIT");
		if (i > 0)
			tpl_show(u, "UNIT_SEP");
		tpl_set(u, "UNIT_ID", units[i].id);
		tpl_set(u, "UNIT_NAME", units[i].name);
	}
	if (n == 0)
		tpl_show(s, "NO_UNIT");
}

static void
unit_row(struct req *r, struct tpl *t, const struct db_unit *u)
{
	struct tpl	*s = tpl_section(t, "UNIT");

	tpl_set(s, "ID", u->id);
	tpl_set(s, "NAME", u->name);
	page_desc(s, u->description);
	tpl_set(s, "PEOPLE", page_people(r, u->members));
}

/*
 * GET /units: the locations the actor administers; an actor with
 * organisation scope sees them all, paged, and "All users". One
 * location: 303 straight to it. 400 for a damaged cursor.
 */
void
page_units(struct req *r)
{
	struct q_actor_units_rows	 mine;
	struct q_units_after_rows	 all;
	struct row_key			 first = { { NULL }, NULL }, last = first;
	struct tpl			*t;
	const char			*name, *id;
	size_t				 order[LIST_PAGE + 1], i, n;
	int				 rc, back;

	if (page_cursor(r, &name, 1, &id, &back) != 0)
		return;
	if (!authz_has_org_scope(r->actor->roles, r->actor->nroles)) {
		if ((rc = q_actor_units(r->db, &r->arena,
		    &(struct q_actor_units_in){ .user =
		    DB_TEXT(r->sess->user_id) }, &mine)) != DB_OK) {
			page_db_error(r, rc);
			return;
		}
		if (mine.n == 1) {
			http_redirect(r, arena_printf(&r->arena, "/units/%s",
			    mine.row[0].unit.id));
			return;
		}
		t = page_new(r, "My locations");
		for (i = 0; i < mine.n; i++)
			unit_row(r, t, &mine.row[i].unit);
		if (mine.n == 0)
			tpl_show(t, "EMPTY");
		page_render(r, 200, "units.tpl", t);
		return;
	}
	if ((rc = (back ? q_units_before : q_units_after)(r->db, &r->arena,
	    &(struct q_units_after_in){ .name = DB_TEXT(name) }, &all)) !=
	    DB_OK) {
		page_db_error(r, rc);
		return;
	}
	t = page_new(r, "Locations");
	tpl_show(t, "ALL_USERS");
	n = page_order(all.n, back, order);
	if (n > 0) {
		first = (struct row_key){ { all.row[order[0]].unit.name },
		    all.row[order[0]].unit.id };
		last = (struct row_key){ { all.row[order[n - 1]].unit.name },
		    all.row[order[n - 1]].unit.id };
	}
	page_links(r, t, "/units?", all.n, n, 1, back, &first, &last);
	for (i = 0; i < n; i++)
		unit_row(r, t, &all.row[order[i]].unit);
	if (n == 0)
		tpl_show(t, "EMPTY");
	page_render(r, 200, "units.tpl", t);
}

/*
 * The head of a location's page (name, description, count) from its
 * first row, or, for a page without people, from Q_UNIT_GET: DB_OK,
 * DB_NONE when there is no such location, or a db_err.
 */
static int
unit_head(struct req *r, struct tpl *t, const char *unit_id,
    const struct q_members_after_rows *rows)
{
	struct q_unit_get_rows	 u;
	const char		*name, *desc, *count;
	int			 rc;

	if (rows->n > 0) {
		name = rows->row[0].unit_name;
		desc = rows->row[0].unit_description;
		count = rows->row[0].unit_count;
	} else {
		if ((rc = q_unit_get(r->db, &r->arena, &(struct q_unit_get_in){
		    .id = DB_TEXT(unit_id) }, &u)) != DB_OK)
			return rc;
		if (u.n == 0)
			return DB_NONE;
		name = u.row[0].unit.name;
		desc = u.row[0].unit.description;
		count = u.row[0].unit.members;
	}
	if (name == NULL)
		return DB_NONE;
	tpl_set_global(t, "TITLE", name);
	tpl_show(t, "UNIT_HEAD");
	page_desc(t, desc);
	tpl_set(t, "PEOPLE", page_people(r, count));
	return DB_OK;
}

/*
 * Renders t (people.tpl) with a keyset page of people, nrows of them
 * fetched, people[i] sorted by sort[i], and order[0..n) the ones shown.
 */
static void
people_render(struct req *r, struct tpl *t, const char *base, size_t nrows,
    int back, const struct db_person *const *people,
    const char *const *sort, const size_t *order, size_t n)
{
	struct row_key	 first = { { NULL }, NULL }, last = first;
	size_t		 i;

	if (n > 0) {
		first = (struct row_key){ { sort[order[0]] },
		    people[order[0]]->id };
		last = (struct row_key){ { sort[order[n - 1]] },
		    people[order[n - 1]]->id };
	}
	page_links(r, t, base, nrows, n, 1, back, &first, &last);
	for (i = 0; i < n; i++)
		person_row(r, t, people[order[i]], NULL);
	if (n == 0)
		tpl_show(t, "EMPTY");
	page_render(r, 200, "people.tpl", t);
}

/*
 * GET /units/{id}'s view: the session and a page of the location's
 * people at once (route.h), from the cursor page_unit reads; a cursor
 * it refuses: the session alone.
 */
int
page_unit_view(struct req *r)
{
	struct v_members_after	*v;
	struct db_val		 unit = DB_TEXT(r->path_id);
	const char		*name, *id;
	int			 back, rc;

	if (page_cursor_read(r, &name, 1, &id, &back) != NULL)
		return sess_load(r);
	v = arena_alloc(&r->arena, sizeof(*v));
	memset(v, 0, sizeof(*v));
	if (!sess_view_in(r, &v->sess_load_in))
		return DB_OK;
	v->members_after_in = (struct q_members_after_in){
		.unit = unit,
		.from_name = DB_TEXT(name),	/* where the range starts */
		.name = DB_TEXT(name),
		.id = DB_TEXT(id),
	};
	if ((rc = (back ? v_members_before : v_members_after)(r->db,
	    &r->arena, v)) != DB_OK)
		return rc;
	r->view = v;
	r->view_id = back ? V_MEMBERS_BEFORE : V_MEMBERS_AFTER;
	return sess_apply(r, &v->sess_load_in, &v->sess_load);
}

/*
 * GET /units/{id}: the location and its people, LIST_PAGE a page, and
 * a link to its recent activity for those who may read it
 * (authz_activity_ok); 404 for an unknown location, 400 for a damaged
 * cursor.
 */
void
page_unit(struct req *r)
{
	struct v_members_after		*v = r->view_id == V_MEMBERS_AFTER ||
					    r->view_id == V_MEMBERS_BEFORE ?
					    r->view : NULL;
	struct q_members_after_rows	 rows;
	const struct db_person		*people[LIST_PAGE + 1];
	const char			*sort[LIST_PAGE + 1], *name, *id;
	struct tpl			*t;
	size_t				 order[LIST_PAGE + 1], i, n;
	int				 rc, back;

	if (page_cursor(r, &name, 1, &id, &back) != 0)
		return;
	if (v == NULL) {	/* the view read the page whenever this runs */
		page_db_error(r, DB_ERR);
		return;
	}
	t = page_new(r, "Location");
	rows = v->members_after;
	if ((rc = unit_head(r, t, r->path_id, &rows)) != DB_OK) {
		tpl_free(t);
		if (rc == DB_NONE)
			page_error(r, 404, "There is no such location.");
		else
			page_db_error(r, rc);
		return;
	}
	if (authz_activity_ok(r->actor, r->path_id)) {
		tpl_show(t, "ACTIVITY");
		tpl_set(t, "UNIT_ID", r->path_id);
		tpl_set_int(t, "DAYS", ACTIVITY_DAYS);
	}
	for (i = 0; i < rows.n && i <= LIST_PAGE; i++) {
		people[i] = &rows.row[i].person;
		sort[i] = rows.row[i].sort_name;
	}
	n = page_order(rows.n, back, order);
	people_render(r, t, arena_printf(&r->arena, "/units/%s?", r->path_id),
	    rows.n, back, people, sort, order, n);
}

/* GET /users: everyone in the organisation, by name; 400 cursor. */
void
page_users(struct req *r)
{
	struct q_users_after_rows	 rows;
	const struct db_person		*people[LIST_PAGE + 1];
	const char			*sort[LIST_PAGE + 1], *name, *id;
	size_t				 order[LIST_PAGE + 1], i, n;
	int				 rc, back;

	if (page_cursor(r, &name, 1, &id, &back) != 0)
		return;
	if ((rc = (back ? q_users_before : q_users_after)(r->db, &r->arena,
	    &(struct q_users_after_in){ .from_name = DB_TEXT(name),
	    .name = DB_TEXT(name), .id = DB_TEXT(id) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	for (i = 0; i < rows.n && i <= LIST_PAGE; i++) {
		people[i] = &rows.row[i].person;
		sort[i] = rows.row[i].sort_name;
	}
	n = page_order(rows.n, back, order);
	people_render(r, page_new(r, "All users"), "/users?", rows.n, back,
	    people, sort, order, n);
}

/* What GET /search's view read (page_search_view), by the terms it took. */
struct search_view {
	const char		*terms[SEARCH_TERMS_MAX];
	int			 nterms;
	struct q_search1_rows	 rows;
};

/* 1 when the view searched for terms (nterms of them). */
static int
search_view_fits(const struct search_view *sv, const char *const *terms,
    int nterms)
{
	int	i;

	if (sv == NULL || sv->nterms != nterms)
		return 0;
	for (i = 0; i < nterms; i++)
		if (strcmp(sv->terms[i], terms[i]) != 0)
			return 0;
	return 1;
}

/*
 * The parameters of a search for one term, or two (terms[1] is read
 * then only), after the cursor keys[2], id: the one place that says
 * which fills which, for the page of hits alone (search_rows), with its
 * session (page_search_view) and for a form's picker.
 */
static struct q_search1_in
search1_in(const char *const *terms, const char *const *keys, const char *id)
{
	return (struct q_search1_in){ .term = DB_TEXT(terms[0]),
	    .prev_term = DB_TEXT(terms[0]), .from_word = DB_TEXT(keys[0]),
	    .word = DB_TEXT(keys[0]), .name = DB_TEXT(keys[1]),
	    .id = DB_TEXT(id) };
}

static struct q_search2_in
search2_in(const char *const *terms, const char *const *keys, const char *id)
{
	struct q_search1_in	one = search1_in(terms, keys, id);

	return (struct q_search2_in){ .term = one.term,
	    .term2 = DB_TEXT(terms[1]), .prev_term = one.prev_term,
	    .from_word = one.from_word, .word = one.word, .name = one.name,
	    .id = one.id };
}

/*
 * GET /search's view: the session and the page of hits at once. The
 * terms depend on a setting (phone.country), which the session brings:
 * they are read with the worker's copy, and page_search searches again
 * in the rare request whose session brought other settings. Inputs
 * the page refuses, or no search: the session alone.
 */
int
page_search_view(struct req *r)
{
	struct search_view	*sv = arena_alloc(&r->arena, sizeof(*sv));
	struct settings		 cur;
	struct v_search1	*v1;
	struct v_search2	*v2;
	const char		*q = r->in[K_Q].text, *keys[2], *id;
	int			 back, rc;

	memset(sv, 0, sizeof(*sv));
	if (q == NULL || *q == '\0' || !settings_cached(&cur) ||
	    (sv->nterms = search_terms(&r->arena, q,
	    settings_str(&cur, SET_PHONE_COUNTRY), sv->terms)) < 1 ||
	    sv->nterms > 2 ||
	    page_cursor_read(r, keys, 2, &id, &back) != NULL)
		return sess_load(r);
	if (sv->nterms == 1) {
		v1 = arena_alloc(&r->arena, sizeof(*v1));
		memset(v1, 0, sizeof(*v1));
		if (!sess_view_in(r, &v1->sess_load_in))
			return DB_OK;
		v1->search1_in = search1_in(sv->terms, keys, id);
		if ((rc = v_search1(r->db, &r->arena, v1)) != DB_OK)
			return rc;
		sv->rows = v1->search1;
		rc = sess_apply(r, &v1->sess_load_in, &v1->sess_load);
	} else {
		v2 = arena_alloc(&r->arena, sizeof(*v2));
		memset(v2, 0, sizeof(*v2));
		if (!sess_view_in(r, &v2->sess_load_in))
			return DB_OK;
		v2->search2_in = search2_in(sv->terms, keys, id);
		if ((rc = v_search2(r->db, &r->arena, v2)) != DB_OK)
			return rc;
		sv->rows = v2->search2;
		rc = sess_apply(r, &v2->sess_load_in, &v2->sess_load);
	}
	r->view = sv;
	r->view_id = sv->nterms == 1 ? V_SEARCH1 : V_SEARCH2;
	return rc;
}

/*
 * One page of search hits for terms (nterms of them) after the cursor
 * keys[2], id: DB_OK or a db_err. Only punctuation or spaces (no term,
 * or more than two) match nothing.
 */
static int
search_rows(struct req *r, const char *const *terms, int nterms,
    const char *const *keys, const char *id, struct q_search1_rows *rows)
{
	struct q_search1_in	one;
	struct q_search2_in	two;

	rows->n = 0;
	if (nterms == 1) {
		one = search1_in(terms, keys, id);
		return q_search1(r->db, &r->arena, &one, rows);
	}
	if (nterms == 2) {
		two = search2_in(terms, keys, id);
		return q_search2(r->db, &r->arena, &two, rows);
	}
	return DB_OK;
}

int
page_pick_people(struct req *r, struct tpl *t, const char *q,
    const char *section, const struct pick_already *already)
{
	const char		*terms[SEARCH_TERMS_MAX];
	const char		*first[2] = { "", "" };	/* the first page */
	struct db_named		*units;
	struct q_search1_rows	 rows;
	struct q_search1_in	 in;
	struct q_search2_in	 in2;
	struct tpl		*s;
	size_t			 i, k, nunits;
	int			 nterms, rc, member;

	rows.n = 0;
	if (q != NULL && (nterms = search_terms(&r->arena, q,
	    settings_str(r->settings, SET_PHONE_COUNTRY), terms)) > 0 &&
	    nterms <= 2) {
		if (nterms == 1) {
			in = search1_in(terms, first, MIN_UUID);
			rc = q_pick1(r->db, &r->arena, &in, &rows);
		} else {
			in2 = search2_in(terms, first, MIN_UUID);
			rc = q_pick2(r->db, &r->arena, &in2, &rows);
		}
		if (rc != DB_OK)
			return rc;
	}
	if (rows.n == 0)
		tpl_show(t, "NO_HITS");
	for (i = 0; i < rows.n && i < LIST_PAGE; i++) {
		s = tpl_section(t, section);
		tpl_set(s, "ID", rows.row[i].person.id);
		tpl_set(s, "NAME", rows.row[i].person.name);
		tpl_set(s, "UPN", rows.row[i].person.upn);
		if (!rows.row[i].person.has_phone)
			tpl_show(s, "NO_PHONE");
		if (already == NULL)
			continue;
		member = 0;
		for (k = 0; k < already->nids && !member; k++)
			member = strcmp(already->ids[k],
			    rows.row[i].person.id) == 0;
		/* The person's locations ride along with the hit. */
		nunits = already->unit == NULL ? 0 : db_named_decode(&r->arena,
		    rows.row[i].unit_names, &units);
		for (k = 0; k < nunits && !member; k++)
			member = strcmp(units[k].id, already->unit) == 0;
		tpl_show(s, member ? "ALREADY" : "ADDABLE");
	}
	return DB_OK;
}

/*
 * GET /search?q=: people and locations where q starts a word of the
 * name, or the UPN, email or a phone number; 50 a page. An empty q
 * shows the form; over SEARCH_Q_MAX characters is a 400.
 */
void
page_search(struct req *r)
{
	const char		*q = r->in[K_Q].text, *terms[SEARCH_TERMS_MAX];
	const char		*keys[2], *id;
	struct search_view	*sv = r->view_id == V_SEARCH1 ||
				    r->view_id == V_SEARCH2 ? r->view : NULL;
	struct q_search1_rows	 rows;
	struct q_search1_row	*h;
	struct authz_target	 tg;
	struct db_named		*units;
	struct row_key		 first = { { NULL }, NULL }, last = first;
	struct tpl		*t, *s, *people;
	size_t			 order[LIST_PAGE + 1], n, i, nunits;
	int			 nterms, rc, back;

	if (q == NULL)
		q = "";
	if ((nterms = search_terms(&r->arena, q,
	    settings_str(r->settings, SET_PHONE_COUNTRY), terms)) < 0) {
		page_error(r, 400, msg_search_too_long);
		return;
	}
	/* Search pages go forward only (/search takes no before=). */
	if (page_cursor(r, keys, 2, &id, &back) != 0)
		return;
	t = page_new(r, "Search");
	tpl_set(t, "Q", q);
	if (*q == '\0') {
		page_render(r, 200, "search.tpl", t);
		return;
	}
	tpl_show(t, "RESULTS");
	if (search_view_fits(sv, terms, nterms))
		rows = sv->rows;
	else if ((rc = search_rows(r, terms, nterms, keys, id, &rows)) !=
	    DB_OK) {
		tpl_free(t);
		page_db_error(r, rc);
		return;
	}
	n = page_order(rows.n, 0, order);
	if (n > 0) {
		h = &rows.row[order[0]];
		first = (struct row_key){ { h->word, h->sort_name }, h->ref_id };
		h = &rows.row[order[n - 1]];
		last = (struct row_key){ { h->word, h->sort_name }, h->ref_id };
	}
	page_links(r, t, arena_printf(&r->arena, "/search?q=%s&",
	    http_urlencode(&r->arena, q)), rows.n, n, 2, 0, &first, &last);
	if (n == 0)
		tpl_show(t, "EMPTY");
	for (i = 0; i < n; i++) {
		h = &rows.row[order[i]];
		if (strcmp(h->kind, "unit") != 0)
			continue;
		s = tpl_section(t, "HIT_UNIT");
		tpl_set(s, "ID", h->ref_id);
		tpl_set(s, "NAME", h->sort_name);
		page_desc(s, h->description);
	}
	/* The people after the locations, each with what the actor may do;
	 * their table only when there is someone to put in it. */
	for (people = NULL, i = 0; i < n; i++) {
		h = &rows.row[order[i]];
		if (strcmp(h->kind, "unit") == 0)
			continue;
		if (people == NULL)
			people = tpl_section(t, "PEOPLE");
		nunits = db_named_decode(&r->arena, h->unit_names, &units);
		hit_target(r, h->person.id, h->roles, units, nunits, &tg);
		hit_units(person_row(r, people, &h->person, &tg), units,
		    nunits);
	}
	page_render(r, 200, "search.tpl", t);
}

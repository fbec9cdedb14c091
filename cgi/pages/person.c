/*
 * person.c: one person as the manager's pages see them (person.h), and
 * their profile, /users/{id}, with the actions the actor may use.
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
#include "tpl.h"

/* One action button, or the line saying why there is none (why:
 * authz_check()'s answer for act). */
static void
action(struct tpl *t, const char *section, enum authz_action act,
    enum authz_reason why)
{
	struct tpl	*s;

	if (why == AUTHZ_OK) {
		tpl_show(t, section);
		return;
	}
	s = tpl_section(t, "DENIED");
	tpl_set(s, "WHAT", act == AUTHZ_RESET_PASSWORD ? "Reset password" :
	    "Phone numbers");
	tpl_set(s, "WHY", authz_reason_text(why));
}

/* The person of the rows Q_USER_BY_ID and Q_USER_DETAILS brought. */
static int
person_from(struct req *r, const struct q_user_by_id_rows *u,
    const struct q_user_details_rows *d, struct person *pp)
{
	struct assignment	*as;
	const char		**units;
	size_t			 i;
	int			 type, role;

	memset(pp, 0, sizeof(*pp));
	if (u->n == 0)
		return DB_NONE;
	pp->d = *d;
	pp->u = u->row[0];
	pp->id = pp->u.id;
	pp->upn = pp->u.upn;
	pp->name = pp->u.display_name;
	pp->onprem = pp->u.source != NULL &&
	    strcmp(pp->u.source, "onprem") == 0;
	pp->version = pp->u.password_version;
	pp->t.user_id = pp->id;
	pp->t.roles = as = arena_alloc(&r->arena, sizeof(*as) * (pp->d.n + 1));
	pp->t.units = units = arena_alloc(&r->arena,
	    sizeof(*units) * (pp->d.n + 1));
	for (i = 0; i < pp->d.n; i++) {
		const struct q_user_details_row	*dr = &pp->d.row[i];

		if (strcmp(dr->kind, "phone") == 0 &&
		    (type = phone_type_parse(dr->a)) >= 0)
			pp->phone[type] = dr->b;
		else if (strcmp(dr->kind, "unit") == 0)
			units[pp->t.nunits++] = dr->a;
		else if (strcmp(dr->kind, "role") == 0 &&
		    (role = authz_role_parse(dr->a)) >= 0) {
			as[pp->t.nroles].role = (enum role)role;
			as[pp->t.nroles++].unit_id = dr->b;
		}
	}
	return DB_OK;
}

int
person_load(struct req *r, const char *id, struct person *pp)
{
	struct q_user_by_id_rows	 u;
	struct q_user_details_rows	 d;
	struct db_val			 who = DB_TEXT(id);
	int				 rc;

	if ((rc = q_user_by_id(r->db, &r->arena, &(struct q_user_by_id_in){
	    .id = who }, &u)) != DB_OK)
		return rc;
	if (u.n == 0)
		return DB_NONE;
	if ((rc = q_user_details(r->db, &r->arena,
	    &(struct q_user_details_in){ .phones_of = who, .units_of = who,
	    .roles_of = who }, &d)) != DB_OK)
		return rc;
	return person_from(r, &u, &d, pp);
}

int
page_user_view(struct req *r)
{
	struct v_user	*v = arena_alloc(&r->arena, sizeof(*v));
	struct db_val	 who = DB_TEXT(r->path_id);
	int		 rc;

	memset(v, 0, sizeof(*v));
	if (!sess_view_in(r, &v->sess_load_in))
		return DB_OK;
	v->user_by_id_in = (struct q_user_by_id_in){ .id = who };
	v->user_details_in = (struct q_user_details_in){ .phones_of = who,
	    .units_of = who, .roles_of = who };
	if ((rc = v_user(r->db, &r->arena, v)) != DB_OK)
		return rc;
	r->view = v;
	r->view_id = V_USER;
	return sess_apply(r, &v->sess_load_in, &v->sess_load);
}

int
person_of_url(struct req *r, struct person *pp)
{
	struct v_user	*v = r->view_id == V_USER ? r->view : NULL;
	int		 rc;

	rc = v != NULL ? person_from(r, &v->user_by_id, &v->user_details, pp) :
	    person_load(r, r->path_id, pp);
	if (rc == DB_NONE)
		page_error(r, 404, "There is no such person.");
	else if (rc != DB_OK)
		page_db_error(r, rc);
	return rc == DB_OK ? 0 : r->status;
}

int
person_of_form(struct req *r, const struct q_user_name_row **who)
{
	struct q_user_name_rows	rows;
	int			rc;

	if (r->in[K_USER].text == NULL) {
		page_error(r, 400, "The form names no person.");
		return r->status;
	}
	if ((rc = q_user_name(r->db, &r->arena, &(struct q_user_name_in){
	    .id = DB_TEXT(r->in[K_USER].text) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	if (rows.n == 0) {
		page_error(r, 404, "There is no such person.");
		return r->status;
	}
	*who = &rows.row[0];
	return 0;
}

/*
 * The notice of the phone change that redirected to the profile
 * (done=saved|removed|unchanged, type=): fixed sentences, each said
 * only while the profile still shows it so (a reload after someone
 * else's change says nothing false).
 */
static void
phone_done(struct req *r, struct tpl *t, const struct person *pp)
{
	enum phone_type	 k = (enum phone_type)r->in[K_TYPE].i;
	const char	*msg = NULL;

	if (r->in[K_DONE].text == NULL || r->in[K_TYPE].text == NULL ||
	    k >= PHONE__MAX)
		return;
	switch ((enum done)r->in[K_DONE].i) {
	case DONE_SAVED:
		if (pp->phone[k] != NULL)
			msg = arena_printf(&r->arena, "%s number saved.",
			    phone_type_name(k));
		break;
	case DONE_REMOVED:
		if (pp->phone[k] == NULL)
			msg = arena_printf(&r->arena, "%s number removed.",
			    phone_type_name(k));
		break;
	case DONE_UNCHANGED:
		msg = "Nothing to save: the number was already as shown.";
		break;
	default:
		break;
	}
	if (msg != NULL) {
		tpl_show(t, "NOTICE");
		tpl_set(t, "NOTICE_MSG", msg);
	}
}

/* GET /users/{id}: the profile and the actions the actor may use; 404. */
void
page_user(struct req *r)
{
	struct person		 pp;
	struct tpl		*t, *s;
	enum authz_reason	 why;
	size_t			 i, nunit = 0;
	int			 k, nphone = 0;

	if (person_of_url(r, &pp) != 0)
		return;
	t = page_new(r, pp.name);
	tpl_set(t, "ID", pp.id);
	tpl_set(t, "UPN", pp.upn);
	tpl_set(t, "EMAIL", pp.u.email ? pp.u.email : "none");
	tpl_set(t, "JOB", pp.u.job_title ? pp.u.job_title : "none");
	tpl_set(t, "DEPARTMENT", pp.u.department ? pp.u.department : "none");
	tpl_set(t, "SOURCE", pp.onprem ? "on-premises (synced)" : "cloud");
	tpl_set(t, "LAST_SIGNIN", page_when(r, pp.u.last_signin));
	phone_done(r, t, &pp);
	if (pp.u.must_change)
		tpl_show(t, "MUST_CHANGE");
	if (!pp.u.enabled)
		tpl_show(t, "DISABLED");
	if (pp.u.locked)
		tpl_show(t, "LOCKED");
	if (pp.u.must_change || !pp.u.enabled || pp.u.locked)
		tpl_show(t, "FLAGS");
	/* A number that signs someone in is shown whole only to whoever may
	 * change it (and to its owner); reading the directory is not that. */
	why = authz_check(r->actor, &pp.t, AUTHZ_MANAGE_PHONES);
	for (k = 0; k < PHONE__MAX; k++) {
		if (pp.phone[k] == NULL)
			continue;
		s = tpl_section(t, "PHONE");
		tpl_set(s, "TYPE", phone_type_name(k));
		tpl_set(s, "NUMBER", authz_sees_phones(why) ?
		    phone_format(&r->arena, pp.phone[k]) :
		    phone_mask(&r->arena, pp.phone[k]));
		nphone++;
	}
	for (i = 0; i < pp.d.n; i++) {
		const struct q_user_details_row	*d = &pp.d.row[i];

		if (strcmp(d->kind, "unit") == 0) {
			s = tpl_section(t, "UNIT");
			tpl_set(s, "UNIT_ID", d->a);
			tpl_set(s, "UNIT_NAME", d->b);
			nunit++;
		} else if (strcmp(d->kind, "role") == 0) {
			/* "Helpdesk administrator — Store 001", not the id */
			s = tpl_section(t, "ROLE");
			tpl_set(s, "ROLE_NAME", authz_role_label(d->a));
			tpl_set(s, "SCOPE", d->c ? d->c : "whole organisation");
		}
	}
	if (nphone == 0)
		tpl_show(t, "NO_PHONE");
	if (nunit == 0)
		tpl_show(t, "NO_UNIT");
	action(t, "CAN_RESET", AUTHZ_RESET_PASSWORD,
	    authz_check(r->actor, &pp.t, AUTHZ_RESET_PASSWORD));
	action(t, "CAN_PHONES", AUTHZ_MANAGE_PHONES, why);
	page_render(r, 200, "user.tpl", t);
}

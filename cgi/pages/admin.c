/*
 * admin.c: /admin/audit, the audit log as a plain paged table with
 * filters (actor, target, action prefix, result, dates), for people
 * holding a role of organisation scope.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "db/db.h"
#include "http.h"
#include "keys.h"
#include "pages/pages.h"
#include "search.h"
#include "session.h"
#include "tpl.h"

#define AUDIT_PAGE	50
#define DAY_SECONDS	86400

/* A LIKE prefix pattern for a filter, or NULL for an empty one. */
static const char *
prefix(struct req *r, const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return search_like_prefix(&r->arena, s);
}

/*
 * The DATETIME text of a date input's day (epoch seconds of its 00:00
 * UTC), plus days; NULL when the input was not sent.
 */
static const char *
day(struct req *r, const struct http_value *v, int days)
{
	struct tm	tm;
	time_t		t;
	char		buf[32];

	if (v->text == NULL)
		return NULL;
	t = (time_t)v->i + days * DAY_SECONDS;
	gmtime_r(&t, &tm);
	if (strftime(buf, sizeof(buf), "%Y-%m-%d 00:00:00", &tm) == 0)
		return NULL;
	return arena_strdup(&r->arena, buf);
}

/*
 * GET /admin/audit?actor=&target=&action=&result=&from=&to=&before=:
 * newest first, AUDIT_PAGE a page (the route wants an organisation-scope
 * role). The dispatcher answers 400 for a malformed date, result or
 * page link; to is inclusive.
 */
void
page_audit(struct req *r)
{
	const char	*actor = prefix(r, r->in[K_ACTOR].text);
	const char	*target = prefix(r, r->in[K_TARGET].text);
	const char	*action = prefix(r, r->in[K_AUDIT_ACTION].text);
	const char	*result = r->in[K_RESULT].text;
	const char	*from = day(r, &r->in[K_FROM], 0);
	const char	*to = day(r, &r->in[K_TO], 1);
	int64_t		 before = r->in[K_AUDIT_BEFORE].text != NULL ?
	    r->in[K_AUDIT_BEFORE].i : INT64_MAX;
	struct q_audit_page_rows	 rows;
	const struct q_audit_page_row	*row;
	struct tpl			*t, *s;
	size_t		 i, n;
	int		 rc;

	/* Each filter is off when its first parameter is NULL. */
	if ((rc = q_audit_page(r->db, &r->arena, &(struct q_audit_page_in){
		.before = DB_INT(before),
		.actor_on = DB_TEXT(actor), .actor = DB_TEXT(actor),
		.target_on = DB_TEXT(target), .target = DB_TEXT(target),
		.target_id = DB_TEXT(r->in[K_TARGET].text &&
		    *r->in[K_TARGET].text ? r->in[K_TARGET].text : NULL),
		.action_on = DB_TEXT(action), .action = DB_TEXT(action),
		.result_on = DB_TEXT(result), .result = DB_TEXT(result),
		.from_on = DB_TEXT(from), .from = DB_TEXT(from),
		.to_on = DB_TEXT(to), .to = DB_TEXT(to),
	    }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	t = page_new(r, "Audit log");
	tpl_set(t, "ACTOR", r->in[K_ACTOR].text);
	tpl_set(t, "TARGET", r->in[K_TARGET].text);
	tpl_set(t, "ACTION", r->in[K_AUDIT_ACTION].text);
	tpl_set(t, "FROM", r->in[K_FROM].text);
	tpl_set(t, "TO", r->in[K_TO].text);
	if (result != NULL)
		tpl_show(t, r->in[K_RESULT].i == RESULT_SUCCESS ?
		    "SEL_SUCCESS" : "SEL_FAILURE");
	n = rows.n > AUDIT_PAGE ? AUDIT_PAGE : rows.n;
	for (i = 0; i < n; i++) {
		row = &rows.row[i];
		s = tpl_section(t, "ROW");
		tpl_set(s, "AT", row->at);
		tpl_set(s, "ACTOR", row->actor_upn);
		tpl_set(s, "ACTION", row->action);
		tpl_set(s, "TARGET", row->target_name ? row->target_name :
		    row->target_id);
		tpl_set(s, "RESULT", row->result);
		tpl_set(s, "REASON", row->reason);
		tpl_set(s, "CLIENT", row->client);
		tpl_set(s, "IP", row->ip);
		tpl_set(s, "DETAILS", row->details);
	}
	if (n == 0)
		tpl_show(t, "EMPTY");
	if (rows.n > AUDIT_PAGE) {
		tpl_show(t, "NEXT");
		tpl_set(t, "NEXT_URL", arena_printf(&r->arena, "/admin/audit?"
		    "actor=%s&target=%s&action=%s&result=%s&from=%s&to=%s&"
		    "before=%s", http_urlencode(&r->arena, r->in[K_ACTOR].text ?
		    r->in[K_ACTOR].text : ""), http_urlencode(&r->arena,
		    r->in[K_TARGET].text ? r->in[K_TARGET].text : ""),
		    http_urlencode(&r->arena, r->in[K_AUDIT_ACTION].text ?
		    r->in[K_AUDIT_ACTION].text : ""), result ? result : "",
		    http_urlencode(&r->arena, r->in[K_FROM].text ?
		    r->in[K_FROM].text : ""), http_urlencode(&r->arena,
		    r->in[K_TO].text ? r->in[K_TO].text : ""),
		    rows.row[n - 1].id));
	}
	page_render(r, 200, "audit.tpl", t);
}

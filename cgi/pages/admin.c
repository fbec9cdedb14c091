/*
 * admin.c: /admin/audit, the audit log as a plain paged table with
 * filters (DESIGN.md section 4), for people holding a role of
 * organisation scope.
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
 * "YYYY-MM-DD" as DATETIME text: that day's start, or with end the next
 * day's (to is inclusive). *out NULL: no filter. -1: not a real date.
 */
static int
day(struct req *r, const char *s, int end, const char **out)
{
	struct tm	tm;
	time_t		t;
	int		y, m, d, n = 0;
	char		buf[32];

	*out = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || y < 1970 || y > 9998)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return -1;	/* 2026-02-30 and the like */
	t += end ? DAY_SECONDS : 0;
	gmtime_r(&t, &tm);
	if (strftime(buf, sizeof(buf), "%Y-%m-%d 00:00:00", &tm) == 0)
		return -1;
	*out = arena_strdup(&r->arena, buf);
	return 0;
}

/*
 * GET /admin/audit?actor=&target=&action=&result=&from=&to=&before=:
 * newest first, AUDIT_PAGE a page (the route wants an organisation-scope
 * role); 400 for a malformed date, result or page link.
 */
void
page_audit(struct req *r)
{
	const char	*actor = prefix(r, r->field[K_ACTOR]);
	const char	*target = prefix(r, r->field[K_TARGET]);
	const char	*action = prefix(r, r->field[K_ACTION]);
	const char	*result = r->field[K_RESULT], *from, *to;
	struct q_audit_page_rows	 rows;
	const struct q_audit_page_row	*row;
	struct tpl			*t, *s;
	int64_t		 before = INT64_MAX;
	size_t		 i, n;
	int		 rc;

	if (result != NULL && *result == '\0')
		result = NULL;
	if ((result != NULL && strcmp(result, "success") != 0 &&
	    strcmp(result, "failure") != 0) ||
	    day(r, r->field[K_FROM], 0, &from) == -1 ||
	    day(r, r->field[K_TO], 1, &to) == -1 ||
	    (r->field[K_BEFORE] != NULL && parse_int64(r->field[K_BEFORE], 1,
	    INT64_MAX, &before) == -1)) {
		page_error(r, 400, "A filter is not in the expected form: "
		    "dates are YYYY-MM-DD, result is success or failure.");
		return;
	}
	/* Each filter is off when its first parameter is NULL. */
	if ((rc = q_audit_page(r->db, &r->arena, &(struct q_audit_page_in){
		.before = DB_INT(before),
		.actor_on = DB_TEXT(actor), .actor = DB_TEXT(actor),
		.target_on = DB_TEXT(target), .target = DB_TEXT(target),
		.target_id = DB_TEXT(r->field[K_TARGET] &&
		    *r->field[K_TARGET] ? r->field[K_TARGET] : NULL),
		.action_on = DB_TEXT(action), .action = DB_TEXT(action),
		.result_on = DB_TEXT(result), .result = DB_TEXT(result),
		.from_on = DB_TEXT(from), .from = DB_TEXT(from),
		.to_on = DB_TEXT(to), .to = DB_TEXT(to),
	    }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	t = page_new(r, "Audit log");
	tpl_set(t, "ACTOR", r->field[K_ACTOR]);
	tpl_set(t, "TARGET", r->field[K_TARGET]);
	tpl_set(t, "ACTION", r->field[K_ACTION]);
	tpl_set(t, "FROM", r->field[K_FROM]);
	tpl_set(t, "TO", r->field[K_TO]);
	if (result != NULL)
		tpl_show(t, strcmp(result, "success") == 0 ? "SEL_SUCCESS" :
		    "SEL_FAILURE");
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
		    "before=%s", http_urlencode(&r->arena, r->field[K_ACTOR] ?
		    r->field[K_ACTOR] : ""), http_urlencode(&r->arena,
		    r->field[K_TARGET] ? r->field[K_TARGET] : ""),
		    http_urlencode(&r->arena, r->field[K_ACTION] ?
		    r->field[K_ACTION] : ""), result ? result : "",
		    http_urlencode(&r->arena, r->field[K_FROM] ?
		    r->field[K_FROM] : ""), http_urlencode(&r->arena,
		    r->field[K_TO] ? r->field[K_TO] : ""),
		    rows.row[n - 1].id));
	}
	page_render(r, 200, "audit.tpl", t);
}

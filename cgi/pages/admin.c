/*
 * admin.c: the audit log. In the admin console (the routes want the
 * audit area's read right): /admin/audit, a table newest first with
 * filters (actor, target, action prefix, result, client, dates) and
 * keyset pages both ways; /admin/audit/{n}, one entry with every
 * field; /admin/audit.csv, the same filters as a CSV streamed in
 * batches. In My Staff: /units/{id}/activity, the recent entries about
 * a location's members, for those who hold a role there.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "csv.h"
#include "db/audit.h"
#include "db/db.h"
#include "details.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "pages/pager.h"
#include "pages/pages.h"
#include "search.h"
#include "tpl.h"

#define AUDIT_PAGE	100	/* entries a page of /admin/audit */
#define AUDIT_CSV_BATCH	1000	/* entries fetched, then written, at a time */
#define ACTIVITY_PAGE	LIST_PAGE	/* entries a page of recent activity */
#define DAY_SECONDS	86400
#define AT_SECONDS	19	/* "2026-12-01 22:10:05": an entry's time */

/* The filters of /admin/audit and its CSV, as the statements take them. */
struct audit_filter {
	const char	*actor, *target, *target_id, *action;
	const char	*result, *client, *from, *to;
};

/* The keys of the filters, in the order their links carry them. */
static const enum key filter_keys[] = { K_ACTOR, K_TARGET, K_AUDIT_ACTION,
    K_RESULT, K_CLIENT, K_FROM, K_TO };

/* A LIKE prefix pattern for a filter, or NULL for an empty one. */
static const char *
prefix(struct req *r, const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return search_like_prefix(&r->arena, s);
}

/*
 * Into *out the DATETIME text of a typed day's 00:00 UTC plus days
 * (NULL when none was typed): 0, or -1 when it is not a date written
 * YYYY-MM-DD.
 */
static int
day(struct req *r, const char *typed, int days, const char **out)
{
	struct tm	tm;
	time_t		t;
	int64_t		at;
	char		buf[32];

	*out = NULL;
	if (typed == NULL || *typed == '\0')
		return 0;
	if (http_parse_date(typed, &at) != 0)
		return -1;
	t = (time_t)at + days * DAY_SECONDS;
	gmtime_r(&t, &tm);
	if (strftime(buf, sizeof(buf), "%Y-%m-%d 00:00:00", &tm) == 0)
		return -1;
	*out = arena_strdup(&r->arena, buf);
	return 0;
}

/*
 * An entry's time (UTC) in t: AT to the second, for people
 * ("2026-12-01 22:10:05"; the pages say UTC), and AT_ISO for <time>.
 */
static void
at_seconds(struct req *r, struct tpl *t, const char *at)
{
	size_t		 n = at != NULL ? strlen(at) : 0;
	const char	*s = arena_strndup(&r->arena, at != NULL ? at : "",
			    n < AT_SECONDS ? n : AT_SECONDS);

	tpl_set(t, "AT", s);
	tpl_set(t, "AT_ISO", strlen(s) == AT_SECONDS ? arena_printf(&r->arena,
	    "%.10sT%sZ", s, s + 11) : s);
}

/*
 * An entry's details in t: a DETAIL section per line (details.h) in a
 * shown DETAILS_LIST, or, when they are not JSON it reads, the text as
 * it is (DETAILS_TEXT in RAW_DETAILS); nothing for none.
 */
static void
details_render(struct req *r, struct tpl *t, const char *details)
{
	struct detail	 lines[DETAILS_MAX];
	struct tpl	*list, *s;
	int		 n, i;

	if ((n = details_read(&r->arena, details, lines, NELEM(lines))) < 0) {
		tpl_show(t, "RAW_DETAILS");
		tpl_set(t, "DETAILS_TEXT", details);
		return;
	}
	if (n == 0)
		return;
	list = tpl_section(t, "DETAILS_LIST");
	for (i = 0; i < n; i++) {
		s = tpl_section(list, "DETAIL");
		tpl_set(s, "LABEL", lines[i].label);
		tpl_set(s, "VALUE", lines[i].value);
	}
}

static int
ascii_only(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Where an entry came from, in the words of the filter and the table
 * (audit_log.client and the export keep the ids). */
static const char *const client_names[] = {
	[CLIENT_MYSTAFF] = "My Staff",
	[CLIENT_ACCOUNT] = "own account",
	[CLIENT_ADMIN] = "admin console",
	[CLIENT_CLI] = "command line",
};
_Static_assert(NELEM(client_names) == CLIENT_CLI + 1, "client_names[] "
    "names every enum audit_client, in keys.c's order");

/* The words for a client id; the id itself for one unknown. */
static const char *
client_name(const char *id)
{
	size_t	i;

	for (i = 0; i < NELEM(client_names); i++)
		if (id != NULL && strcmp(id,
		    route_keys[K_CLIENT].choices[i]) == 0)
			return client_names[i];
	return id;
}

/*
 * What is wrong with a date day() refused: not written year-month-day,
 * or so written but not a day of the calendar (2026-02-30).
 */
static const char *
date_refusal(struct req *r, const char *typed)
{
	size_t	i;

	/* The '\0' of a shorter one is neither a digit nor '-'. */
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? typed[i] != '-' :
		    !isdigit((unsigned char)typed[i]))
			break;
	if (i < 10 || typed[10] != '\0')
		return "Write dates as year-month-day, for example 2026-12-01.";
	return arena_printf(&r->arena, "There is no day %s in the calendar: "
	    "write year-month-day, for example 2026-12-01.", typed);
}

/*
 * The request's filters (the dispatcher has checked all but the dates
 * and the action's alphabet); to is inclusive. NULL, or what is wrong
 * with a date or the action; *f is whole either way, as the form shows
 * it again with the error.
 */
static const char *
filter_of(struct req *r, struct audit_filter *f)
{
	const char	*target = r->in[K_TARGET].text;
	int		 bad_from, bad_to;

	f->actor = prefix(r, r->in[K_ACTOR].text);
	f->target = prefix(r, target);
	f->target_id = target != NULL && *target != '\0' ? target : NULL;
	f->action = prefix(r, r->in[K_AUDIT_ACTION].text);
	f->result = r->in[K_RESULT].text;
	f->client = r->in[K_CLIENT].text;
	bad_from = day(r, r->in[K_FROM].text, 0, &f->from);
	bad_to = day(r, r->in[K_TO].text, 1, &f->to);
	/* Actions are ASCII names: the column cannot be compared with
	 * other text, and no action starts with it. */
	if (f->action != NULL && !ascii_only(r->in[K_AUDIT_ACTION].text))
		return "An action is written in plain letters and dots, for "
		    "example user.phone.";
	if (bad_from != 0 || bad_to != 0)
		return date_refusal(r, r->in[bad_from != 0 ? K_FROM : K_TO].text);
	if (f->from != NULL && f->to != NULL && strcmp(f->from, f->to) >= 0)
		return "The first day comes after the last one.";
	return NULL;
}

/*
 * The filters sent, as "name=value&" for each (URL-encoded), for the
 * links that keep them; "" when none.
 */
static const char *
filter_query(struct req *r)
{
	const char	*q = "", *v;
	size_t		 i;

	for (i = 0; i < NELEM(filter_keys); i++)
		if ((v = r->in[filter_keys[i]].text) != NULL && *v != '\0')
			q = arena_printf(&r->arena, "%s%s=%s&", q,
			    route_keys[filter_keys[i]].name,
			    http_urlencode(&r->arena, v));
	return q;
}

/*
 * Up to max entries matching f, older than edge (newest first) or, when
 * back, newer (oldest first), in arena a: DB_OK or a db_err.
 */
static int
audit_rows(struct req *r, struct arena *a, const struct audit_filter *f,
    int64_t edge, int back, size_t max, struct q_audit_older_rows *rows)
{
	/* Each filter is off when its first parameter is NULL. */
	return (back ? q_audit_newer : q_audit_older)(r->db, a,
	    &(struct q_audit_older_in){
		.edge = DB_INT(edge),
		.actor_on = DB_TEXT(f->actor), .actor = DB_TEXT(f->actor),
		.target_on = DB_TEXT(f->target), .target = DB_TEXT(f->target),
		.target_id = DB_TEXT(f->target_id),
		.action_on = DB_TEXT(f->action), .action = DB_TEXT(f->action),
		.result_on = DB_TEXT(f->result), .result = DB_TEXT(f->result),
		.client_on = DB_TEXT(f->client), .client = DB_TEXT(f->client),
		.from_on = DB_TEXT(f->from), .from = DB_TEXT(f->from),
		.to_on = DB_TEXT(f->to), .to = DB_TEXT(f->to),
		.max = DB_INT(max),
	    }, rows);
}

/*
 * The rows of a keyset page (pager.h) as sections ROW of t, newest
 * first, with its links: nrows came back for per + 1 asked.
 */
static void
entries_render(struct req *r, struct tpl *t, const char *base, size_t per,
    const struct q_audit_older_rows *rows, int back)
{
	const struct db_audit_entry	*e;
	struct tpl			*s;
	size_t				 n, i;

	n = rows->n > per ? per : rows->n;
	for (i = 0; i < n; i++) {
		e = &rows->row[back ? n - 1 - i : i].entry;
		s = tpl_section(t, "ROW");
		tpl_set_int(s, "ID", (long long)e->id);
		at_seconds(r, s, e->at);
		tpl_set(s, "ACTOR", e->actor_upn);
		tpl_set(s, "ACTION", e->action);
		tpl_set(s, "TARGET", e->target_name ? e->target_name :
		    e->target_id);
		tpl_set(s, "TARGET_ID", e->target_id);
		if (e->target_id != NULL)
			tpl_show(s, "TARGET_LINK");
		else
			tpl_show(s, "TARGET_TEXT");
		tpl_set(s, "RESULT", e->result);
		tpl_set(s, "REASON", e->reason);
		tpl_set(s, "CLIENT", client_name(e->client));
		tpl_set(s, "IP", e->ip);
		details_render(r, s, e->details);
	}
	if (n == 0)
		tpl_show(t, "EMPTY");
	page_id_links(r, t, base, per, rows->n, n, back, n == 0 ? 0 :
	    rows->row[back ? n - 1 : 0].entry.id, n == 0 ? 0 :
	    rows->row[back ? 0 : n - 1].entry.id);
}

/*
 * GET /admin/audit?actor=&target=&action=&result=&client=&from=&to=
 * [&before=|&after=]: AUDIT_PAGE entries, newest first. 422 with the
 * form as typed for a date that is not one (or days in the wrong
 * order); the dispatcher answers 400 for a malformed result, client or
 * page link; 400 here for both page links at once; 503.
 */
void
page_audit(struct req *r)
{
	struct audit_filter		 f;
	struct q_audit_older_rows	 rows;
	const char			*query, *why;
	char				*csv;
	struct tpl			*t, *s;
	int64_t				 edge;
	size_t				 i;
	int				 rc, back;

	if (page_id_cursor(r, &edge, &back) != 0)
		return;
	why = filter_of(r, &f);
	if (why == NULL && (rc = audit_rows(r, &r->arena, &f, edge, back,
	    AUDIT_PAGE + 1, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	query = filter_query(r);
	t = page_new(r, "Audit log");
	page_wide(t);
	tpl_set(t, "ACTOR", r->in[K_ACTOR].text);
	tpl_set(t, "TARGET", r->in[K_TARGET].text);
	tpl_set(t, "ACTION", r->in[K_AUDIT_ACTION].text);
	tpl_set(t, "FROM", r->in[K_FROM].text);
	tpl_set(t, "TO", r->in[K_TO].text);
	if (f.result != NULL)
		tpl_show(t, r->in[K_RESULT].i == RESULT_SUCCESS ?
		    "SEL_SUCCESS" : "SEL_FAILURE");
	for (i = 0; i < NELEM(client_names); i++) {
		s = tpl_section(t, "CLIENT_OPT");
		tpl_set(s, "VALUE", route_keys[K_CLIENT].choices[i]);
		tpl_set(s, "LABEL", client_names[i]);
		if (f.client != NULL && r->in[K_CLIENT].i == (int64_t)i)
			tpl_show(s, "SELECTED");
	}
	if (why != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", why);
		page_render(r, 422, "audit.tpl", t);
		return;
	}
	csv = arena_printf(&r->arena, "/admin/audit.csv?%s", query);
	csv[strlen(csv) - 1] = '\0';	/* the last '&', or the '?' */
	tpl_show(t, "ENTRIES");
	tpl_set(t, "CSV_URL", csv);
	entries_render(r, t, arena_printf(&r->arena, "/admin/audit?%s",
	    query), AUDIT_PAGE, &rows, back);
	page_render(r, 200, "audit.tpl", t);
}

/* GET /admin/audit/{n}: one entry, every field; 404 unknown, 503. */
void
page_audit_entry(struct req *r)
{
	struct q_audit_older_rows	 rows;
	const struct db_audit_entry	*e;
	const char			*rid;
	struct tpl			*t;
	int				 rc;

	if ((rc = q_audit_get(r->db, &r->arena, &(struct q_audit_get_in){
	    .id = DB_INT(r->path_n) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (rows.n == 0) {
		page_error(r, 404, "There is no audit entry with this "
		    "number.");
		return;
	}
	e = &rows.row[0].entry;
	t = page_new(r, arena_printf(&r->arena, "Audit entry %lld",
	    (long long)e->id));
	tpl_set_int(t, "ID", (long long)e->id);
	at_seconds(r, t, e->at);
	tpl_set(t, "ACTOR_UPN", e->actor_upn);
	tpl_set(t, "ACTOR_ID", e->actor_id);
	tpl_set(t, "ACTION", e->action);
	tpl_set(t, "TARGET_NAME", e->target_name);
	tpl_set(t, "TARGET_ID", e->target_id);
	tpl_set(t, "RESULT", e->result);
	tpl_set(t, "REASON", e->reason);
	tpl_set(t, "CLIENT", client_name(e->client));
	tpl_set(t, "IP", e->ip);
	tpl_set(t, "USER_AGENT", e->user_agent);
	details_render(r, t, e->details);
	/* The id to look the request up by in the log (log.h). */
	if ((rid = details_request_id(&r->arena, e->details)) != NULL) {
		tpl_show(t, "REQUEST");
		tpl_set(t, "REQUEST_ID", rid);
	}
	if (e->actor_upn != NULL) {
		tpl_show(t, "BY_ACTOR");
		tpl_set(t, "BY_ACTOR_URL", arena_printf(&r->arena,
		    "/admin/audit?actor=%s", http_urlencode(&r->arena,
		    e->actor_upn)));
	}
	if (e->target_id != NULL) {
		tpl_show(t, "ABOUT_TARGET");
		tpl_set(t, "ABOUT_TARGET_URL", arena_printf(&r->arena,
		    "/admin/audit?target=%s", http_urlencode(&r->arena,
		    e->target_id)));
	}
	page_render(r, 200, "audit_entry.tpl", t);
}

/* The CSV's header row. */
static const char *const csv_head[] = { "id", "at", "actor_id", "actor_upn",
    "action", "target_id", "target_name", "result", "reason", "client",
    "ip", "user_agent", "details" };

/* A CSV record of entry e, in the columns of csv_head. */
static const char *
csv_entry(struct arena *a, const struct db_audit_entry *e)
{
	const char	*cells[] = { arena_printf(a, "%lld", (long long)e->id),
	    e->at, e->actor_id, e->actor_upn, e->action, e->target_id,
	    e->target_name, e->result, e->reason, e->client, e->ip,
	    e->user_agent, e->details };

	_Static_assert(NELEM(cells) == NELEM(csv_head), "a header a column");
	return csv_record(a, cells, NELEM(cells));
}

/*
 * GET /admin/audit.csv?<the filters of /admin/audit>: every matching
 * entry, newest first, as CSV (csv.h) with a header record, named
 * staffdesk-audit-YYYYMMDD.csv (today, UTC). Streamed: AUDIT_CSV_BATCH
 * entries are read, written out and forgotten before the next, so a
 * worker holds one batch however long the log. 400 where /admin/audit
 * answers 400 or 422;
 * 503 when the database does not answer the first batch; a later
 * failure cuts the transfer (http_stream_cut).
 */
void
page_audit_csv(struct req *r)
{
	struct audit_filter		 f;
	struct q_audit_older_rows	 rows;
	struct arena			 batch = { NULL };
	const char			*line;
	char				 disp[80];
	struct tm			 tm;
	time_t				 now = time(NULL);
	int64_t				 edge = INT64_MAX;
	size_t				 i;
	int				 rc;

	if ((line = filter_of(r, &f)) != NULL) {
		page_error(r, 400, line);
		return;
	}
	/* The first batch before the head: no answer yet is still a 503. */
	if ((rc = audit_rows(r, &batch, &f, edge, 0, AUDIT_CSV_BATCH,
	    &rows)) != DB_OK) {
		arena_reset(&batch);
		page_db_error(r, rc);
		return;
	}
	gmtime_r(&now, &tm);
	if (strftime(disp, sizeof(disp), "attachment; "
	    "filename=\"staffdesk-audit-%Y%m%d.csv\"", &tm) == 0)
		memcpy(disp, "attachment", sizeof("attachment"));
	/* The byte order mark tells spreadsheets the file is UTF-8. */
	line = arena_printf(&batch, "%s%s", CSV_BOM, csv_record(&batch,
	    csv_head, NELEM(csv_head)));
	if (http_stream_begin(r, 200, "text/csv; charset=utf-8", disp) != 0 ||
	    http_stream_write(r, line, strlen(line)) != 0)
		goto done;
	while (r->method != HTTP_HEAD) {
		for (i = 0; i < rows.n; i++) {
			line = csv_entry(&batch, &rows.row[i].entry);
			if (http_stream_write(r, line, strlen(line)) != 0)
				goto done;	/* the client has gone */
		}
		if (rows.n < AUDIT_CSV_BATCH)
			break;
		edge = rows.row[rows.n - 1].entry.id;
		arena_reset(&batch);
		if ((rc = audit_rows(r, &batch, &f, edge, 0, AUDIT_CSV_BATCH,
		    &rows)) != DB_OK) {
			log_msg(LOG_ERR, "audit.csv: the database failed "
			    "below entry %lld: transfer cut", (long long)edge);
			http_stream_cut(r);
			break;
		}
	}
done:
	arena_reset(&batch);
}

/*
 * GET /units/{id}/activity[?before=|?after=]: the audit entries of the
 * last ACTIVITY_DAYS days about the location's members (as they are
 * now), newest first, ACTIVITY_PAGE a page. For those who hold a role
 * at the location or of organisation scope (authz_activity_ok); 403
 * for anyone else, 404 for an unknown location, 400, 503.
 */
void
page_unit_activity(struct req *r)
{
	struct q_unit_by_id_rows	 unit;
	struct q_audit_older_rows	 rows;
	struct tpl			*t;
	int64_t				 edge;
	int				 rc, back;

	if ((rc = q_unit_by_id(r->db, &r->arena, &(struct q_unit_by_id_in){
	    .id = DB_TEXT(r->path_id) }, &unit)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (unit.n == 0) {
		page_error(r, 404, "There is no such location.");
		return;
	}
	if (!authz_activity_ok(r->actor, r->path_id)) {
		page_forbid(r, &(struct audit){ .reason = "out_of_scope",
		    .target_id = r->path_id, .target_name = unit.row[0].name,
		    .client = "mystaff" }, "You can see the recent activity "
		    "only of the locations where you hold a role.");
		return;
	}
	if (page_id_cursor(r, &edge, &back) != 0)
		return;
	if ((rc = (back ? q_activity_newer : q_activity_older)(r->db,
	    &r->arena, &(struct q_activity_older_in){
		.unit = DB_TEXT(r->path_id),
		.days = DB_INT(ACTIVITY_DAYS),
		.edge = DB_INT(edge),
		.max = DB_INT(ACTIVITY_PAGE + 1),
	    }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	t = page_new(r, arena_printf(&r->arena, "Recent activity: %s",
	    unit.row[0].name));
	page_wide(t);
	tpl_set(t, "UNIT_ID", unit.row[0].id);
	tpl_set(t, "UNIT_NAME", unit.row[0].name);
	tpl_set_int(t, "DAYS", ACTIVITY_DAYS);
	entries_render(r, t, arena_printf(&r->arena, "/units/%s/activity?",
	    unit.row[0].id), ACTIVITY_PAGE, &rows, back);
	page_render(r, 200, "activity.tpl", t);
}

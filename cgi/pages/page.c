/*
 * page.c: the layout every page shares, and the one error page.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/onprem.h"
#include "auth/password.h"
#include "authz.h"
#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "pages/pages.h"
#include "search.h"
#include "session.h"
#include "settings.h"
#include "static.h"
#include "tpl.h"

const char *const page_templates[] = {
	"header.tpl", "footer.tpl", "error.tpl", "login.tpl", "mfa.tpl",
	"account.tpl", "password.tpl", "enrol.tpl", "units.tpl", "people.tpl",
	"user.tpl", "search.tpl", "reset.tpl", "reset_done.tpl", "phone.tpl",
	"audit.tpl", "audit_entry.tpl", "activity.tpl", "admin.tpl",
	"admin_settings.tpl", "admin_units.tpl", "admin_unit.tpl",
	"admin_roles.tpl", "sms.tpl", "sspr.tpl", NULL
};

struct tpl *
page_new(struct req *r, const char *title)
{
	struct tpl	*t = tpl_new(), *h;

	h = tpl_include(t, "HEADER", "header.tpl");
	tpl_set_global(t, "TITLE", title);
	/* Content-hashed (Makefile): nginx lets browsers keep it a year. */
	tpl_set(h, "STYLESHEET", STATIC_STYLE_CSS);
	if (r->sess != NULL) {
		tpl_show(h, "SIGNED_IN");
		tpl_set(h, "USER_NAME", r->sess->display_name);
		tpl_set(h, "USER_UPN", r->sess->upn);
		tpl_set(h, "CSRF", r->sess->csrf);
		if (!sess_needs_mfa(r->sess) && !r->sess->must_change)
			tpl_show(h, "NAV");
		if (r->sess->has_role)
			tpl_show(h, "MYSTAFF_NAV");
		if (r->actor != NULL && authz_admin_ok(r->actor, AREA_ANY,
		    ADMIN_READ))
			tpl_show(h, "ADMIN_NAV");
	}
	tpl_include(t, "FOOTER", "footer.tpl");
	return t;
}

void
page_wide(struct tpl *t)
{
	tpl_show_global(t, "WIDE");
}

void
page_title_refused(struct tpl *t)
{
	tpl_set_global(t, "TITLE_NOTE", ": not saved");
}

const char *
page_then(struct req *r, const char *path, const char *next)
{
	if (next == NULL)
		return path;
	return arena_printf(&r->arena, "%s?next=%s", path,
	    http_urlencode(&r->arena, next));
}

void
page_next_field(struct req *r, struct tpl *t)
{
	if (r->in[K_NEXT].text == NULL)
		return;
	tpl_show(t, "NEXT");
	tpl_set(t, "NEXT_PATH", r->in[K_NEXT].text);
}

void
page_render(struct req *r, int status, const char *file, struct tpl *t)
{
	char	*out = NULL;
	size_t	 len = 0;

	if (tpl_expand(file, t, &out, &len) == -1) {
		tpl_free(t);
		log_msg(LOG_ERR, "template %s failed to expand", file);
		http_text(r, 500, "A page template is missing or broken; "
		    "the administrator has been told in the log.\n");
		return;
	}
	tpl_free(t);
	http_send(r, status, "text/html; charset=utf-8", out, len, NULL);
	free(out);
}

/* An error page's title for people (the status line's words are HTTP's). */
static const char *
error_title(int status)
{
	switch (status) {
	case 400:
		return "This request could not be read";
	case 403:
		return "Not allowed";
	case 404:
		return "Page not found";
	case 413:
		return "Too much sent";
	case 429:
		return "Too many tries";
	case 503:
		return "Not available just now";
	default:
		return http_reason(status);
	}
}

void
page_error(struct req *r, int status, const char *msg)
{
	struct tpl	*t = page_new(r, error_title(status));

	if (status == 503 && r->retry_after == 0)
		r->retry_after = PAGE_RETRY_AFTER;
	tpl_set(t, "MESSAGE", msg);
	tpl_set_int(t, "STATUS", status);
	if (r->sess == NULL)
		tpl_show(t, "SIGNIN_LINK");
	/* A form refused: the way back to it (a page of its own address). */
	if (r->form_page != NULL && status != 403 && status != 404) {
		tpl_show(t, "BACK");
		tpl_set(t, "BACK_URL", r->form_page);
	}
	page_render(r, status, "error.tpl", t);
}

struct forbid {
	struct req		*r;
	const struct audit	*a;
};

static const char *
method_name(enum http_method m)
{
	return m == HTTP_POST ? "POST" : m == HTTP_HEAD ? "HEAD" : "GET";
}

static int
forbid_txn(struct db *db, void *arg)
{
	struct forbid		*f = arg;
	struct req		*r = f->r;
	struct q_rate_get_rows	 seen;
	struct audit		 a = *f->a;
	const char		*key;
	int			 rc;

	if (a.action != NULL)
		return page_audit_row(db, r, &a);
	key = arena_printf(&r->arena, "deny:%.32s", r->sess->token_hash);
	if ((rc = q_rate_hit(db, &(struct q_rate_hit_in){ .key =
	    DB_TEXT(key), .window_seconds = DB_INT(DENY_AUDIT_WINDOW) },
	    NULL)) != DB_OK || (rc = q_rate_get(db, &r->arena,
	    &(struct q_rate_get_in){ .key = DB_TEXT(key), .window_seconds =
	    DB_INT(DENY_AUDIT_WINDOW) }, &seen)) != DB_OK)
		return rc;
	if (seen.n == 1 && seen.row[0].count > DENY_AUDIT_MAX)
		return DB_OK;
	a.action = "access.denied";
	a.details = arena_printf(&r->arena, "{\"method\":\"%s\",\"path\":%s}",
	    method_name(r->method), json_string(&r->arena, r->path));
	return page_audit_row(db, r, &a);
}

void
page_forbid(struct req *r, const struct audit *a, const char *msg)
{
	int	rc;

	/* The refusal stands whether or not its row could be written. */
	if (r->sess != NULL && (rc = db_txn(r->db, forbid_txn,
	    &(struct forbid){ r, a })) != DB_OK)
		log_msg(LOG_WARN, "a refusal (%s) could not be audited "
		    "(db %d)", a->reason, rc);
	page_error(r, 403, msg);
}

const char msg_pw_not_stored[] = "The password could not be stored. Try "
    "again.";

const char msg_writeback_failed[] = "The on-premises directory did not "
    "take the password. Nothing was changed.";

struct unrecorded {
	struct req	*r;
	struct audit	*a;
};

static int
unrecorded_txn(struct db *db, void *arg)
{
	struct unrecorded	*u = arg;

	return page_audit_row(db, u->r, u->a);
}

void
page_writeback_unrecorded(struct req *r, struct audit *a, int rc)
{
	struct unrecorded	u = { r, a };
	int			arc;

	a->ok = 1;
	a->reason = NULL;
	a->details = arena_printf(&r->arena, "{\"writeback\":\"directory\","
	    "\"recorded\":false,\"error\":%d}", rc);
	if ((arc = db_txn(r->db, unrecorded_txn, &u)) != DB_OK)
		log_msg(LOG_ERR, "%s of %s: the directory has the new password; "
		    "neither the change nor its audit row could be recorded "
		    "(%d, %d)", a->action, a->target_id ? a->target_id : "?",
		    rc, arc);
	page_error(r, 503, "The on-premises directory has the new password, "
	    "and it works now. staffdesk could not record the change (its "
	    "database did not answer): do not set the password again; the "
	    "person's other sign-ins may stay open until they end.");
}

const char msg_search_too_long[] = "Search for at most "
    STR(SEARCH_Q_MAX) " characters.";

void
page_db_error(struct req *r, int rc)
{
	if (rc == DB_OK)
		return;
	if (rc == DB_READONLY)
		page_error(r, 503, "The database is not taking changes just "
		    "now (it is read-only, or its disk is full), so nothing "
		    "was changed. Try again later.");
	else
		page_error(r, 503, "The service is briefly unavailable (the "
		    "database did not answer). Try again in a minute.");
}

const char *
page_people(struct req *r, const char *count)
{
	if (count == NULL)
		return "0 people";
	if (strcmp(count, "1") == 0)
		return "1 person";
	return arena_printf(&r->arena, "%s people", count);
}

/* A location's description, in section DESC only when there is one: an
 * empty element is noise to a screen reader and to tidy. */
void
page_desc(struct tpl *t, const char *description)
{
	if (description == NULL || *description == '\0')
		return;
	tpl_show(t, "DESC");
	tpl_set(t, "DESCRIPTION", description);
}

const char *
page_when(struct req *r, const char *epoch)
{
	int64_t		t;
	time_t		tt;
	struct tm	tm;
	char		buf[32];

	if (epoch == NULL || parse_int64(epoch, 1, INT64_MAX, &t) == -1)
		return "never";
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	if (strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		return "?";
	return arena_strdup(&r->arena, buf);
}

/*
 * The sign-in events /metrics counts, read off the audit rows that
 * record them (every flow writes one), so no flow can be missed: a
 * failed step of each kind, and a lock.
 */
static const struct {
	const char	*action;
	int		 failed;	/* a failure row (else any row) */
	enum met	 m;
} audit_metrics[] = {
	{ "signin.password", 1, MET_SIGNIN_FAIL_PASSWORD },
	{ "signin.mfa", 1, MET_SIGNIN_FAIL_MFA },
	{ "signin.sms", 1, MET_SIGNIN_FAIL_SMS },
	{ "signin.lockout", 0, MET_SIGNIN_LOCKOUTS },
};

int
page_audit_row(struct db *db, const struct req *r, const struct audit *a)
{
	struct audit	row = *a;
	size_t		i;
	int		rc;

	if (row.actor_id == NULL && r->sess != NULL) {
		row.actor_id = r->sess->user_id;
		row.actor_upn = r->sess->upn;
	}
	row.ip = r->ip;
	row.user_agent = r->ua;
	row.request_id = r->request_id;
	if ((rc = audit_write(db, &row)) != DB_OK)
		return rc;
	for (i = 0; i < NELEM(audit_metrics); i++)
		if (strcmp(row.action, audit_metrics[i].action) == 0 &&
		    (!audit_metrics[i].failed || !row.ok))
			db_count(db, audit_metrics[i].m);
	return DB_OK;
}

struct audit
page_own_audit(const struct req *r, const char *action, const char *details)
{
	return (struct audit){
		.action = action,
		.ok = 1,
		.target_id = r->sess->user_id,
		.target_name = r->sess->display_name,
		.client = "account",
		.details = details,
	};
}

const char *
page_pw_refusal(struct req *r, const struct pw_person *who, int onprem,
    const char *pw)
{
	struct onprem_policy	 pol;
	struct pw_rules		 rules;
	enum pw_verdict		 v;
	char			 buf[ONPREM_MESSAGE_MAX], *why;
	unsigned		 broken;
	int			 i;

	if (!onprem) {
		rules = settings_pw_rules(r->settings);
		why = arena_alloc(&r->arena, PW_MESSAGE_MAX);
		if ((v = pw_policy_check(pw, who, &rules)) != PW_OK)
			return pw_refusal_text(v, pw, who, &rules, why);
		return NULL;
	}
	pol = settings_onprem_policy(r->settings);
	if ((broken = onprem_check(pw, who, &pol)) == 0)
		return NULL;
	why = arena_strdup(&r->arena, "");
	for (i = 0; i < ONPREM__MAX; i++)
		if (broken & (1u << i))
			why = arena_printf(&r->arena, "%s%s%s", why, *why ?
			    " " : "", onprem_refusal_text(i, &pol, pw, who, 1,
			    buf, sizeof(buf)));
	return why;
}

const char *
page_pw_hint(struct req *r, int onprem)
{
	if (onprem)
		return arena_printf(&r->arena, "At least %ld characters, with "
		    "three of: capitals, small letters, digits, symbols; not "
		    "your account name.", settings_int(r->settings,
		    SET_ONPREM_MIN_LENGTH));
	return arena_printf(&r->arena, "At least %ld characters. A long "
	    "phrase is best; common passwords and your own name are "
	    "refused.", (long)settings_pw_rules(r->settings).min_length);
}

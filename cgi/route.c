/*
 * route.c: see route.h.
 */
#include <string.h>
#include <strings.h>

#include "admit.h"
#include "authz.h"
#include "cidr.h"
#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "metrics.h"
#include "pages/pages.h"
#include "route.h"
#include "session.h"
#include "settings.h"
#include "util.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

/*
 * A page of the site; a page of the admin console, with its area and the
 * audit action a refused POST is written as.
 */
#define PAGE(pat, need, get, post, keys) \
	{ pat, need, get, post, keys, AREA_ANY, NULL, 0, NULL }
#define ADMIN(pat, area, get, post, action, keys) \
	{ pat, NEED_ADMIN, get, post, keys, area, action, 0, NULL }
/* A page whose POST checks or sets a password: admitted first. */
#define HASHING(pat, need, get, post, keys) \
	{ pat, need, get, post, keys, AREA_ANY, NULL, 1, NULL }
/* A page read with its session in one round trip (route.h: view). */
#define VIEWED(pat, need, view, get, keys) \
	{ pat, need, get, NULL, keys, AREA_ANY, NULL, 0, view }

/* The filters of the audit log, its pages and its CSV alike. */
#define AUDIT_FILTERS	(KEY(K_ACTOR) | KEY(K_TARGET) | KEY(K_AUDIT_ACTION) | \
    KEY(K_RESULT) | KEY(K_CLIENT) | KEY(K_FROM) | KEY(K_TO))

static const struct route routes[] = {
	PAGE("/", NEED_FULL, page_home, NULL, 0),
	PAGE("/healthz", NEED_NONE, page_healthz, NULL, 0),
	PAGE("/metrics", NEED_NONE, page_metrics, NULL, 0),
	HASHING("/login", NEED_NONE, page_login, page_login_post,
	    KEY(K_USERNAME) | KEY(K_PASSWORD) | KEY(K_NEXT)),
	PAGE("/login/mfa", NEED_SIGNIN, page_mfa, page_mfa_post,
	    KEY(K_CODE) | KEY(K_METHOD) | KEY(K_NEXT)),
	PAGE("/login/mfa/sms", NEED_SIGNIN, page_back_to_mfa, page_mfa_sms_post,
	    KEY(K_NEXT)),
	PAGE("/login/sms", NEED_NONE, page_sms_signin, page_sms_signin_post,
	    KEY(K_PHONE) | KEY(K_CODE)),
	PAGE("/reset", NEED_NONE, page_sspr, page_sspr_post, KEY(K_USERNAME)),
	PAGE("/reset/send", NEED_NONE, page_back_to_reset, page_sspr_send_post, KEY(K_TYPE)),
	PAGE("/reset/code", NEED_NONE, page_back_to_reset, page_sspr_code_post,
	    KEY(K_CODE) | KEY(K_TYPE)),
	PAGE("/reset/totp", NEED_NONE, page_back_to_reset, page_sspr_totp_post, KEY(K_CODE)),
	HASHING("/reset/password", NEED_NONE, page_back_to_reset,
	    page_sspr_password_post,
	    KEY(K_NEW_PASSWORD) | KEY(K_CONFIRM_PASSWORD)),
	PAGE("/logout", NEED_SIGNIN, NULL, page_logout_post, 0),
	PAGE("/account", NEED_FULL, page_account, NULL, KEY(K_DONE)),
	PAGE("/account/sessions/revoke", NEED_FULL, NULL,
	    page_sessions_revoke_post, 0),
	HASHING("/account/password", NEED_MFA, page_password,
	    page_password_post, KEY(K_CURRENT_PASSWORD) | KEY(K_NEW_PASSWORD) |
	    KEY(K_CONFIRM_PASSWORD) | KEY(K_NEXT)),
	PAGE("/account/mfa", NEED_SIGNIN, page_enrol, page_enrol_post,
	    KEY(K_CODE) | KEY(K_NEXT)),
	PAGE("/units", NEED_MYSTAFF, page_units, NULL, KEY(K_AFTER) | KEY(K_BEFORE)),
	VIEWED("/units/{id}", NEED_MYSTAFF, page_unit_view, page_unit,
	    KEY(K_AFTER) | KEY(K_BEFORE)),
	PAGE("/units/{id}/activity", NEED_MYSTAFF, page_unit_activity, NULL,
	    KEY(K_AUDIT_BEFORE) | KEY(K_AUDIT_AFTER)),
	PAGE("/users", NEED_MYSTAFF, page_users, NULL, KEY(K_AFTER) | KEY(K_BEFORE)),
	VIEWED("/users/{id}", NEED_MYSTAFF, page_user_view, page_user,
	    KEY(K_DONE) | KEY(K_TYPE)),
	VIEWED("/search", NEED_MYSTAFF, page_search_view, page_search,
	    KEY(K_Q) | KEY(K_AFTER)),
	HASHING("/users/{id}/reset-password", NEED_MYSTAFF, page_reset,
	    page_reset_post, KEY(K_NEW_PASSWORD) | KEY(K_CONFIRM_PASSWORD) |
	    KEY(K_VERSION)),
	PAGE("/users/{id}/reset-password/done", NEED_MYSTAFF, page_reset_done,
	    NULL, 0),
	PAGE("/users/{id}/phone", NEED_MYSTAFF, page_phone, page_phone_post,
	    KEY(K_TYPE) | KEY(K_NUMBER) | KEY(K_PHONE_ACTION) | KEY(K_WAS)),
	ADMIN("/admin", AREA_ANY, page_admin, NULL, NULL, 0),
	ADMIN("/admin/settings", AREA_ANY, page_settings, NULL, NULL,
	    KEY(K_Q) | KEY(K_SMS_Q) | KEY(K_SAVED) | KEY(K_DONE) | KEY(K_WHO)),
	ADMIN("/admin/settings/mystaff", AREA_MYSTAFF, page_settings_section,
	    page_settings_mystaff_post, "settings.update", KEY(K_VERSION)),
	ADMIN("/admin/settings/ca", AREA_CA, page_settings_section,
	    page_settings_ca_post, "settings.update", KEY(K_VERSION)),
	ADMIN("/admin/settings/methods", AREA_METHODS, page_settings_section,
	    page_settings_methods_post, "settings.update", KEY(K_VERSION)),
	ADMIN("/admin/settings/passwords", AREA_PASSWORDS, page_settings_section,
	    page_settings_passwords_post, "settings.update", KEY(K_VERSION)),
	ADMIN("/admin/mystaff/select", AREA_MYSTAFF, NULL,
	    page_mystaff_select_post, "mystaff.select", KEY(K_USER) | KEY(K_Q)),
	ADMIN("/admin/mystaff/unselect", AREA_MYSTAFF, NULL,
	    page_mystaff_unselect_post, "mystaff.unselect",
	    KEY(K_USER) | KEY(K_Q)),
	ADMIN("/admin/sms/select", AREA_METHODS, NULL,
	    page_sms_select_post, "sms.select", KEY(K_USER) | KEY(K_SMS_Q)),
	ADMIN("/admin/sms/unselect", AREA_METHODS, NULL,
	    page_sms_unselect_post, "sms.unselect", KEY(K_USER) | KEY(K_SMS_Q)),
	ADMIN("/admin/audit", AREA_AUDIT, page_audit, NULL, NULL,
	    AUDIT_FILTERS | KEY(K_AUDIT_BEFORE) | KEY(K_AUDIT_AFTER)),
	ADMIN("/admin/audit/{n}", AREA_AUDIT, page_audit_entry, NULL, NULL, 0),
	ADMIN("/admin/audit.csv", AREA_AUDIT, page_audit_csv, NULL, NULL,
	    AUDIT_FILTERS),
	ADMIN("/admin/units", AREA_UNITS, page_admin_units,
	    page_admin_units_post, "unit.create", KEY(K_Q) | KEY(K_AFTER) |
	    KEY(K_BEFORE) | KEY(K_NAME) | KEY(K_DESCRIPTION) | KEY(K_DONE)),
	ADMIN("/admin/units/{id}", AREA_UNITS, page_admin_unit,
	    page_admin_unit_post, "unit.update", KEY(K_Q) | KEY(K_AFTER) |
	    KEY(K_BEFORE) | KEY(K_NAME) | KEY(K_DESCRIPTION) | KEY(K_VERSION) |
	    KEY(K_DONE) | KEY(K_WHO) | KEY(K_ROLE)),
	ADMIN("/admin/units/{id}/delete", AREA_UNITS, NULL,
	    page_admin_unit_delete_post, "unit.delete", 0),
	ADMIN("/admin/units/{id}/members", AREA_UNITS, NULL,
	    page_admin_member_add_post, "unit.member.add", KEY(K_USER) |
	    KEY(K_Q)),
	ADMIN("/admin/units/{id}/members/remove", AREA_UNITS, NULL,
	    page_admin_member_remove_post, "unit.member.remove", KEY(K_USER)),
	ADMIN("/admin/roles", AREA_ROLES, page_admin_roles,
	    page_admin_roles_post, "role.assign", KEY(K_Q) | KEY(K_UNIT_Q) |
	    KEY(K_USER) | KEY(K_UNIT) | KEY(K_ROLE) | KEY(K_DONE) | KEY(K_WHO) |
	    KEY(K_AT)),
	ADMIN("/admin/roles/revoke", AREA_ROLES, NULL, page_admin_revoke_post,
	    "role.revoke", KEY(K_USER) | KEY(K_UNIT) | KEY(K_ROLE) |
	    KEY(K_BACK)),
};
#undef PAGE
#undef ADMIN
#undef AUDIT_FILTERS

/* Every route has its own row in /metrics, and unknown paths one more. */
_Static_assert(NELEM(routes) < MET_ROUTES_MAX, "MET_ROUTES_MAX is too "
    "small for the route table");

const char *
route_label(const struct route *rt)
{
	return rt != NULL ? rt->pattern : "other";
}

int
route_index(const struct route *rt)
{
	return rt != NULL ? (int)(rt - routes) : -1;
}

size_t
route_count(void)
{
	return NELEM(routes);
}

const char *
route_pattern(size_t i)
{
	return i < NELEM(routes) ? routes[i].pattern : NULL;
}

/*
 * Matches one path against a pattern: 1 or 0. {id} takes one segment
 * of UUID_LEN characters, {n} one of digits; *seg and *seglen say where
 * it stands in path (route_find checks what it holds).
 */
static int
route_match(const char *pat, const char *path, const char **seg,
    size_t *seglen)
{
	const char	*brace = strchr(pat, '{'), *rest;
	size_t		 pre, len;

	if (brace == NULL)
		return strcmp(pat, path) == 0;
	pre = (size_t)(brace - pat);
	if (strncmp(pat, path, pre) != 0)
		return 0;
	path += pre;
	if (strncmp(brace, "{id}", 4) == 0) {
		rest = brace + 4;
		if ((len = strlen(path)) < UUID_LEN)
			return 0;
		len = UUID_LEN;
	} else {
		rest = brace + 3;	/* {n} */
		if ((len = strspn(path, "0123456789")) == 0)
			return 0;
	}
	if (strcmp(path + len, rest) != 0)
		return 0;
	*seg = path;
	*seglen = len;
	return 1;
}

const struct route *
route_find(struct req *r, const char *path)
{
	const char	*seg = NULL;
	char		*id;
	size_t		 i, len = 0;

	r->route = NULL;
	for (i = 0; i < NELEM(routes); i++) {
		if (!route_match(routes[i].pattern, path, &seg, &len))
			continue;
		if (seg == NULL)
			return r->route = &routes[i];
		/* A malformed id or number is an unknown one: 404. */
		id = arena_strndup(&r->arena, seg, len);
		if (strstr(routes[i].pattern, "{id}") != NULL) {
			if (!uuid_valid(id))
				return NULL;
		} else if (len > ROUTE_N_DIGITS || id[0] == '0' ||
		    parse_int64(id, 1, INT64_MAX, &r->path_n) != 0)
			return NULL;
		r->path_id = id;
		return r->route = &routes[i];
	}
	return NULL;
}

static const char msg_no_access[] = "You are not authorised to see My Staff "
    "at this time. Contact your admin.";

/* mystaff_access()'s verdicts as audit reasons. */
static const char *const mystaff_codes[] = {
	[MYSTAFF_OK] = "ok",
	[MYSTAFF_NO_ROLE] = "no_role",
	[MYSTAFF_OFF] = "mystaff_off",
	[MYSTAFF_NOT_SELECTED] = "not_selected",
	[MYSTAFF_NEEDS_MFA] = "mfa_needed",
	[MYSTAFF_BLOCKED] = "blocked_network",
};

/* The path as audit details: where a refused change was sent. */
static const char *
path_details(struct req *r)
{
	return arena_printf(&r->arena, "{\"path\":%s}",
	    json_string(&r->arena, r->path));
}

/*
 * Applies "My Staff access" (mystaff_access() in authz.h) on every
 * request, from the database: a revoked role or a changed setting
 * counts at once.
 * Returns 0 to go on, else the status of the answer it gave (403, or
 * 303 to verify again).
 */
static int
mystaff_gate(struct req *r)
{
	struct mystaff_ctx		 c;
	struct q_mystaff_is_selected_rows sel;
	enum mystaff_verdict	 v;
	int			 rc;

	memset(&c, 0, sizeof(c));
	c.nroles = r->actor->nroles;
	c.mode = (enum mystaff_mode)settings_choice(r->settings,
	    SET_MYSTAFF_ACCESS);
	if (c.mode == MYSTAFF_SELECTED && c.nroles > 0) {
		if ((rc = q_mystaff_is_selected(r->db, &r->arena,
		    &(struct q_mystaff_is_selected_in){ .user =
		    DB_TEXT(r->sess->user_id) }, &sel)) != DB_OK) {
			page_db_error(r, rc);
			return r->status;
		}
		c.selected = sel.n == 1;
	}
	c.blocked = cidr_list_has(settings_str(r->settings,
	    SET_CA_BLOCKED_NETWORKS), r->ip);
	c.require_mfa = settings_int(r->settings, SET_CA_REQUIRE_MFA);
	c.mfa_at = r->sess->mfa_at;	/* sess_load applied trusted networks */
	c.require_totp = settings_int(r->settings, SET_CA_REQUIRE_TOTP);
	c.mfa_sms = r->sess->mfa_sms;
	c.now = now_s();
	c.frequency = settings_int(r->settings,
	    SET_CA_SIGNIN_FREQUENCY_HOURS) * 3600;
	switch ((v = mystaff_access(&c))) {
	case MYSTAFF_OK:
		return 0;
	case MYSTAFF_NEEDS_MFA:
		http_redirect(r, page_then(r, r->sess->has_totp ||
		    (!c.require_totp && settings_int(r->settings,
		    SET_SMS_MFA)) ? "/login/mfa" : "/account/mfa", r->path));
		return r->status;
	default:
		page_forbid(r, &(struct audit){
		    .action = r->method == HTTP_POST ? "mystaff.access" : NULL,
		    .reason = mystaff_codes[v],
		    .target_id = r->path_id,
		    .client = "mystaff",
		    .details = path_details(r),
		}, v == MYSTAFF_BLOCKED ? arena_printf(&r->arena, "My Staff "
		    "cannot be used from this network (%s): your "
		    "organisation has blocked it. Use a computer on one of "
		    "your organisation's networks, or contact your admin.",
		    r->ip ? r->ip : "unknown") : msg_no_access);
		return r->status;
	}
}

/*
 * The admin console's rights (authz_admin_ok): 0 to go on, else the
 * status of the 403 page; a refused change is audited as its action.
 */
static int
admin_gate(struct req *r, const struct route *rt)
{
	int	post = r->method == HTTP_POST;

	if (authz_admin_ok(r->actor, rt->area, post ? ADMIN_CHANGE :
	    ADMIN_READ))
		return 0;
	page_forbid(r, &(struct audit){
	    .action = post ? rt->action : NULL,
	    .reason = "no_role",
	    .client = "admin",
	    .details = path_details(r),
	}, post ? "Your role does not allow this change." :
	    "Your role does not open this page.");
	return r->status;
}

/* The audit's client of a route's pages. */
static const char *
route_client(const struct route *rt)
{
	return rt->need == NEED_ADMIN ? "admin" : rt->need == NEED_MYSTAFF ?
	    "mystaff" : "account";
}

/*
 * The page asked for, with its query, for a step that comes first to
 * carry as next (which the steps keep and go on to at the end): NULL
 * for a POST, home, a step itself, or one too long to carry.
 */
static const char *
page_asked(struct req *r)
{
	const char	*back = r->path;

	if (r->method == HTTP_POST || strcmp(r->path, "/") == 0 ||
	    strncmp(r->path, "/login", 6) == 0)
		return NULL;
	if (r->query != NULL && *r->query != '\0')
		back = arena_printf(&r->arena, "%s?%s", r->path, r->query);
	if (strlen(back) > HTTP_PATH_MAX ||
	    !http_valid_local_path(back, strlen(back)))
		return NULL;
	return back;
}

/*
 * Applies the route's need to the session: 0 when the handler may run,
 * else the status of the answer it gave (303 to the step owed, 403).
 */
static int
route_gate(struct req *r, const struct route *rt)
{
	struct sess	*s = r->sess;

	if (rt->need == NEED_NONE)
		return 0;
	if (s == NULL) {
		if (r->method == HTTP_POST)
			page_error(r, 403, "Your session has ended. Sign in "
			    "again.");
		else
			http_redirect(r, page_then(r, "/login",
			    page_asked(r)));
		return r->status;
	}
	if (rt->need == NEED_SIGNIN)
		return 0;
	if (sess_needs_mfa(s)) {
		if (rt->need == NEED_MFA && r->method == HTTP_POST)
			page_forbid(r, &(struct audit){ .reason =
			    "mfa_needed", .client = "account" },
			    "Verify your identity first.");
		else
			http_redirect(r, page_then(r, s->has_totp ||
			    settings_int(r->settings, SET_SMS_MFA) ?
			    "/login/mfa" : "/account/mfa", page_asked(r)));
		return r->status;
	}
	if (rt->need == NEED_MFA)
		return 0;
	if (s->must_change) {
		http_redirect(r, page_then(r, "/account/password",
		    page_asked(r)));
		return r->status;
	}
	if (rt->need == NEED_MYSTAFF)
		return mystaff_gate(r);
	if (rt->need == NEED_ADMIN)
		return admin_gate(r, rt);
	return 0;
}

/*
 * Loads the request's session, if it brings one, and with it the
 * settings (through view, the page's, when not NULL); without a
 * session the settings are read on their own when settings (else the
 * defaults stand until a page reads them), unless the caller brought
 * them (settings_loaded, as the tests do). 0, or the status of the
 * answer given (503).
 */
static int
route_session(struct req *r, int settings, int (*view)(struct req *))
{
	int	rc = DB_OK;

	if (!r->settings_loaded) {
		r->settings = arena_alloc(&r->arena, sizeof(*r->settings));
		settings_defaults(r->settings);
	}
	if (r->cookie[COOKIE_SESSION] != NULL)
		rc = view != NULL ? view(r) : sess_load(r);
	if (rc == DB_OK && !r->settings_loaded && settings &&
	    (rc = settings_fresh(r->db, &r->arena, r->settings)) == DB_OK)
		r->settings_loaded = 1;
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	return 0;
}

/*
 * 0 when a POST that hashes may go on (admit.h); else 429 with
 * Retry-After has been sent, before the session and the settings, so
 * that a refusal costs no query and no hash: the status.
 */
static int
route_admit(struct req *r)
{
	if ((r->retry_after = admit_hash(r->waited_ms)) == 0)
		return 0;
	page_error(r, 429, "Too many sign-ins at once: the site is busy "
	    "checking passwords. Nothing was done; try again in a few "
	    "seconds.");
	return r->status;
}

/* 1 when ctype is a form's: FORM_TYPE whole (any case), parameters or none. */
static int
form_type(const char *ctype)
{
	size_t	n = sizeof(FORM_TYPE) - 1;

	return ctype != NULL && strncasecmp(ctype, FORM_TYPE, n) == 0 &&
	    strchr("; \t", ctype[n]) != NULL;	/* the NUL is in it too */
}

void
route_dispatch(struct req *r, const char *method, const char *path,
    const char *query, const char *ctype, const char *body, size_t bodylen)
{
	const struct route	*rt;
	const char		*why = NULL;
	void			(*fn)(struct req *);
	int			 rc, qrc;

	if (strcmp(method, "GET") == 0)
		r->method = HTTP_GET;
	else if (strcmp(method, "HEAD") == 0)
		r->method = HTTP_HEAD;
	else if (strcmp(method, "POST") == 0)
		r->method = HTTP_POST;
	else
		r->method = HTTP_OTHER;
	r->path = path;
	r->query = query;
	r->in = arena_alloc(&r->arena, sizeof(*r->in) * K__MAX);
	memset(r->in, 0, sizeof(*r->in) * K__MAX);

	if ((rt = route_find(r, path)) == NULL) {
		admit_page();
		/* Signed in, a wrong address still shows who and the way back. */
		if (route_session(r, 0, NULL) == 0)
			page_error(r, 404, "There is no page at this address.");
		return;
	}
	fn = r->method == HTTP_POST ? rt->post : rt->get;
	if (r->method == HTTP_POST && rt->get != NULL)
		r->form_page = path;
	if (fn == NULL || r->method == HTTP_OTHER) {
		r->allow = rt->get && rt->post ? "GET, HEAD, POST" :
		    rt->get ? "GET, HEAD" : "POST";
		page_error(r, 405, "This address does not accept that "
		    "method.");
		return;
	}
	if (query != NULL && strlen(query) > HTTP_QUERY_MAX) {
		page_error(r, 400, "The address is too long.");
		return;
	}
	if (r->method == HTTP_POST && bodylen > HTTP_BODY_MAX) {
		page_error(r, 413, "The form sent is too large.");
		return;
	}
	if (r->method == HTTP_POST && bodylen > 0 && !form_type(ctype)) {
		page_error(r, 415, "Forms must be sent as "
		    "application/x-www-form-urlencoded.");
		return;
	}
	if (r->method != HTTP_POST || !rt->hashes)
		admit_page();
	else if (route_admit(r) != 0)
		return;
	/* The inputs are read before the session (a view's queries take
	 * them) and refused after it, so that a 400 page still shows who
	 * is signed in and the way back. */
	qrc = query != NULL ? http_parse_form(r, query, strlen(query),
	    route_keys, K__MAX, rt->keys, r->in, &why) : 0;
	if (route_session(r, rt->need != NEED_NONE || r->method == HTTP_POST,
	    qrc == 0 && r->method != HTTP_POST ? rt->view : NULL) != 0)
		return;
	if (qrc != 0) {
		page_error(r, qrc, why);
		return;
	}
	if (r->method == HTTP_POST) {
		if ((rc = http_parse_form(r, body, bodylen, route_keys, K__MAX,
		    rt->keys | KEY(K_CSRF), r->in, &why)) != 0) {
			page_error(r, rc, why);
			return;
		}
		r->body = body;
		r->bodylen = bodylen;
	}
	if (route_gate(r, rt) != 0)
		return;
	if (r->method == HTTP_POST && !sess_csrf_ok(r, r->in[K_CSRF].text)) {
		page_forbid(r, &(struct audit){ .reason = "csrf", .client =
		    route_client(rt) }, "This form has expired or did not "
		    "come from this site. Go back, reload the page and try "
		    "again.");
		return;
	}
	fn(r);
	if (r->status == 0)
		page_error(r, 500, "The page produced no answer.");
}

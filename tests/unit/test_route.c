/*
 * test_route.c: the dispatcher without a database. Everything
 * route_dispatch() answers before a handler runs: 404, 405 with Allow,
 * 400 (encoding, a key twice, a value over its bound), 413, 415, the
 * CSRF 403 (its audit row cannot be written: the refusal stands), and
 * each need level of the route table with the session states that meet
 * it or not. Requests are built in memory; the answer
 * is read from r.status and r.location (r.out NULL discards the body).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "conf.h"
#include "db/db.h"
#include "http.h"
#include "route.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"
#include "util.h"

#define UUID	"0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3"

static struct conf		 conf;
static struct settings		 settings;
static struct req		 r;
static struct db		*dead;	/* refusals audit into it, and fail */
static char			 no_socket[] = "build/no-such-mysqld.sock";
static struct sess		 sess;
static struct authz_actor	 actor;
static struct assignment	 org_role = { ROLE_HELPDESK_ADMIN, NULL };
static struct assignment	 unit_role = { ROLE_HELPDESK_ADMIN, UUID };
static struct assignment	 global_role = { ROLE_GLOBAL_ADMIN, NULL };
static char			 upn[] = "someone@example.com";
static char			 name[] = "Some One";

enum who { NOBODY, OWES_TOTP, OWES_ENROL, MUST_CHANGE, STAFF, UNIT_ADMIN,
    ORG_ADMIN, GLOBAL_ADMIN };

/* A request from who (no cookie: sess_load is not asked). */
static void
start(enum who who)
{
	arena_reset(&r.arena);
	memset(&r, 0, sizeof(r));
	memset(&sess, 0, sizeof(sess));
	memset(&actor, 0, sizeof(actor));
	r.conf = &conf;
	r.db = dead;
	r.ip = "192.0.2.1";
	r.ua = "cmocka";
	settings_defaults(&settings);
	r.settings = &settings;
	r.settings_loaded = 1;
	if (who == NOBODY)
		return;
	strcpy(sess.csrf, "good-token");
	strcpy(sess.user_id, UUID);
	sess.upn = upn;
	sess.display_name = name;
	sess.mfa_at = now_s();
	actor.user_id = sess.user_id;
	switch (who) {
	case OWES_TOTP:
		sess.has_role = sess.has_totp = 1;
		sess.mfa_at = 0;
		break;
	case OWES_ENROL:
		sess.has_role = 1;
		sess.mfa_at = 0;
		break;
	case MUST_CHANGE:
		sess.must_change = 1;
		break;
	case UNIT_ADMIN:
		sess.has_role = sess.has_totp = 1;
		actor.roles = &unit_role;
		actor.nroles = 1;
		break;
	case ORG_ADMIN:
	case GLOBAL_ADMIN:
		sess.has_role = sess.has_totp = 1;
		actor.roles = who == ORG_ADMIN ? &org_role : &global_role;
		actor.nroles = 1;
		break;
	default:
		break;
	}
	r.sess = &sess;
	r.actor = &actor;
}

static void
get(const char *path, const char *query)
{
	route_dispatch(&r, "GET", path, query, NULL, NULL, 0);
}

static void
post(const char *path, const char *body)
{
	route_dispatch(&r, "POST", path, NULL,
	    "application/x-www-form-urlencoded", body, strlen(body));
}

static void
want(int status, const char *location)
{
	assert_int_equal(r.status, status);
	if (location != NULL)
		assert_string_equal(r.location, location);
}

static void
test_unknown_is_404(void **state)
{
	(void)state;
	start(NOBODY);
	get("/no/such/page", NULL);
	want(404, NULL);
	start(NOBODY);
	get("/users/not-a-uuid", NULL);	/* a malformed id is unknown */
	want(404, NULL);
	start(NOBODY);
	get("/users/" UUID "/nothing", NULL);
	want(404, NULL);
	start(ORG_ADMIN);
	get("/admin/units/not-a-uuid", NULL);
	want(404, NULL);
	start(ORG_ADMIN);
	get("/admin/units/" UUID "/members/nothing", NULL);
	want(404, NULL);
}

/*
 * {n}: 1 to ROUTE_N_DIGITS digits without a leading zero, parsed into
 * path_n; anything else there is no page (404), before any gate.
 */
static void
test_number_segment(void **state)
{
	static const char *const bad[] = { "/admin/audit/0",
	    "/admin/audit/007", "/admin/audit/-1", "/admin/audit/1x",
	    "/admin/audit/x1", "/admin/audit/", "/admin/audit/1/",
	    "/admin/audit/1.0", "/admin/audit/ 1",
	    "/admin/audit/1234567890123456789",		/* 19 digits */
	    "/admin/audit/99999999999999999999999" };
	const struct route	*rt;
	size_t			 i;

	(void)state;
	start(NOBODY);
	rt = route_find(&r, "/admin/audit/42");
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/admin/audit/{n}");
	assert_int_equal(r.path_n, 42);
	assert_string_equal(r.path_id, "42");
	start(NOBODY);
	assert_non_null(route_find(&r, "/admin/audit/123456789012345678"));
	assert_int_equal(r.path_n, 123456789012345678LL);
	start(NOBODY);
	rt = route_find(&r, "/admin/audit.csv");
	assert_non_null(rt);
	assert_null(r.path_id);
	start(NOBODY);
	rt = route_find(&r, "/units/" UUID "/activity");
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/units/{id}/activity");
	assert_string_equal(r.path_id, UUID);
	for (i = 0; i < NELEM(bad); i++) {
		start(ORG_ADMIN);
		get(bad[i], NULL);
		if (r.status != 404)
			fail_msg("GET %s: %d, want 404", bad[i], r.status);
	}
}

static void
test_method_is_405_with_allow(void **state)
{
	(void)state;
	start(STAFF);
	post("/units", "csrf=good-token");
	want(405, NULL);
	assert_string_equal(r.allow, "GET, HEAD");
	start(STAFF);
	get("/logout", NULL);
	want(405, NULL);
	assert_string_equal(r.allow, "POST");
	start(NOBODY);
	route_dispatch(&r, "PUT", "/login", NULL, NULL, NULL, 0);
	want(405, NULL);
	assert_string_equal(r.allow, "GET, HEAD, POST");
	/* the admin console's changes are POSTs only */
	start(ORG_ADMIN);
	get("/admin/units/" UUID "/delete", NULL);
	want(405, NULL);
	assert_string_equal(r.allow, "POST");
	start(ORG_ADMIN);
	get("/admin/units/" UUID "/members/remove", NULL);
	want(405, NULL);
	start(ORG_ADMIN);
	get("/admin/roles/revoke", NULL);
	want(405, NULL);
	assert_string_equal(r.allow, "POST");
}

static void
test_malformed_input_is_400(void **state)
{
	static const char *const bad[] = {
		"q=%zz",			/* a bad escape */
		"q=ab%4",			/* a cut one */
		"q=a&q=b",			/* a key twice */
		"q=a%00b",			/* NUL */
		"q=%ff%fe",			/* not UTF-8 */
		"after=%0a",			/* a line break in a cursor */
	};
	char	long_q[4 * 100 + 8];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		start(ORG_ADMIN);
		get("/search", bad[i]);
		want(400, NULL);
	}
	/* q's bound is 100 characters of up to 4 bytes: 401 bytes is over */
	memcpy(long_q, "q=", 2);
	memset(long_q + 2, 'a', 401);
	long_q[403] = '\0';
	start(ORG_ADMIN);
	get("/search", long_q);
	want(400, NULL);
	/* a date typed wrong is the audit page's form again (422), and
	 * the export's 400 */
	start(GLOBAL_ADMIN);
	get("/admin/audit", "from=2026-02-30");
	want(422, NULL);
	start(GLOBAL_ADMIN);
	get("/admin/audit", "to=yesterday");
	want(422, NULL);
	start(GLOBAL_ADMIN);
	get("/admin/audit.csv", "from=2026-02-29");
	want(400, NULL);
	/* typed inputs: a word not offered, a number out of range, a date
	 * that does not exist are refused (most before any handler runs) */
	{
		static const struct { const char *method, *path, *in; } typed[] = {
			{ "GET", "/admin/audit", "result=maybe" },
			{ "GET", "/admin/audit", "before=0" },
			{ "GET", "/admin/audit", "before=12x" },
			{ "GET", "/admin/audit", "after=0" },
			{ "GET", "/admin/audit", "client=phone" },
			{ "GET", "/admin/audit.csv", "client=CLI" },
			{ "GET", "/units/" UUID "/activity", "before=x" },
			{ "POST", "/users/" UUID "/phone", "type=pager" },
			{ "POST", "/users/" UUID "/phone", "type=mobile&action=delete" },
			{ "POST", "/users/" UUID "/reset-password", "version=-1" },
			{ "POST", "/users/" UUID "/reset-password", "version=4294967296" },
			{ "POST", "/login/mfa", "method=voice&code=123456" },
			{ "POST", "/admin/roles", "role=no-such-role" },
			{ "POST", "/admin/roles", "role=global-administrator&user=x" },
			{ "POST", "/admin/roles", "unit=12345" },
			{ "POST", "/admin/roles/revoke", "back=home" },
			{ "POST", "/admin/units", "name=a%0Ab" },
			{ "POST", "/admin/units/" UUID "/members", "user=" },
			{ "GET", "/admin/roles", "user=" UUID "x" },
		};

		for (i = 0; i < NELEM(typed); i++) {
			start(ORG_ADMIN);
			if (strcmp(typed[i].method, "GET") == 0)
				get(typed[i].path, typed[i].in);
			else
				post(typed[i].path, typed[i].in);
			if (r.status != 400)
				fail_msg("%s %s %s: %d, want 400",
				    typed[i].method, typed[i].path,
				    typed[i].in, r.status);
		}
	}
	/* an undeclared key is ignored, not refused: the page runs */
	start(STAFF);
	get("/", "colour=blue");
	want(303, "/account");
}

static void
test_body_413_and_415(void **state)
{
	static char	big[HTTP_BODY_MAX + 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	start(NOBODY);
	route_dispatch(&r, "POST", "/login", NULL,
	    "application/x-www-form-urlencoded", big, sizeof(big) - 1);
	want(413, NULL);
	start(NOBODY);
	route_dispatch(&r, "POST", "/login", NULL, "text/plain",
	    "username=a&password=b", 21);
	want(415, NULL);
	start(NOBODY);
	route_dispatch(&r, "POST", "/login", NULL, NULL, "username=a", 10);
	want(415, NULL);
}

static void
test_csrf_403(void **state)
{
	static const char *const bodies[] = {
		"",				/* no token */
		"csrf=wrong-token",
		"csrf=good-token-and-more",
		"csrf=good-toke",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(bodies); i++) {
		start(STAFF);
		post("/logout", bodies[i]);
		want(403, NULL);
		start(STAFF);
		post("/account/sessions/revoke", bodies[i]);
		want(403, NULL);
	}
	/* a visitor's form wants the token of its visitor cookie */
	start(NOBODY);
	post("/login", "csrf=good-token&username=a%40b.example&password=x");
	want(403, NULL);
}

/* Each need level, for each kind of visitor that does not meet it. */
static void
test_need_levels(void **state)
{
	static const struct {
		enum who	 who;
		const char	*method, *path;
		int		 status;
		const char	*location;
	} cases[] = {
		/* NEED_SIGNIN, NEED_FULL, NEED_MYSTAFF: a session first */
		{ NOBODY, "GET", "/account", 303,
		    "/login?next=%2Faccount" },
		{ NOBODY, "GET", "/account/mfa", 303,
		    "/login?next=%2Faccount%2Fmfa" },
		{ NOBODY, "GET", "/units", 303,
		    "/login?next=%2Funits" },
		{ NOBODY, "POST", "/logout", 403, NULL },
		{ NOBODY, "POST", "/account/password", 403, NULL },
		/* NEED_FULL: the second step, then a password change, each
		 * carrying the page asked for (home: nothing) */
		{ OWES_TOTP, "GET", "/account", 303,
		    "/login/mfa?next=%2Faccount" },
		{ OWES_ENROL, "GET", "/account", 303,
		    "/account/mfa?next=%2Faccount" },
		{ OWES_TOTP, "GET", "/", 303, "/login/mfa" },
		{ MUST_CHANGE, "GET", "/account", 303,
		    "/account/password?next=%2Faccount" },
		{ MUST_CHANGE, "GET", "/units", 303,
		    "/account/password?next=%2Funits" },
		{ MUST_CHANGE, "GET", "/", 303, "/account/password" },
		/* NEED_MFA: the password change page waits for the code */
		{ OWES_TOTP, "GET", "/account/password", 303,
		    "/login/mfa?next=%2Faccount%2Fpassword" },
		{ OWES_ENROL, "GET", "/account/password", 303,
		    "/account/mfa?next=%2Faccount%2Fpassword" },
		{ OWES_TOTP, "POST", "/account/password", 403, NULL },
		/* NEED_MYSTAFF: a role (mystaff.access all, MFA fresh) */
		{ STAFF, "GET", "/units", 403, NULL },
		{ STAFF, "GET", "/users/" UUID, 403, NULL },
		{ STAFF, "GET", "/search", 403, NULL },
		/* NEED_ORG_ROLE: a role of organisation scope */
		{ STAFF, "GET", "/admin/audit", 403, NULL },
		{ UNIT_ADMIN, "GET", "/admin/audit", 403, NULL },
		{ UNIT_ADMIN, "GET", "/admin/audit/7", 403, NULL },
		{ UNIT_ADMIN, "GET", "/admin/audit.csv", 403, NULL },
		{ ORG_ADMIN, "GET", "/admin/audit.csv", 403, NULL },
		{ STAFF, "GET", "/admin/audit/7", 403, NULL },
		{ NOBODY, "GET", "/admin/audit.csv", 303,
		    "/login?next=%2Fadmin%2Faudit.csv" },
		{ STAFF, "GET", "/units/" UUID "/activity", 403, NULL },
		{ NOBODY, "GET", "/units/" UUID "/activity", 303,
		    "/login?next=%2Funits%2F" UUID "%2Factivity" },
		/* NEED_ADMIN: locations and roles want an org-scope role that
		 * reads them (a helpdesk-administrator's does not) */
		{ STAFF, "GET", "/admin/units", 403, NULL },
		{ UNIT_ADMIN, "GET", "/admin/units", 403, NULL },
		{ ORG_ADMIN, "GET", "/admin/units", 403, NULL },
		{ ORG_ADMIN, "GET", "/admin/units/" UUID, 403, NULL },
		{ UNIT_ADMIN, "GET", "/admin/roles", 403, NULL },
		{ ORG_ADMIN, "GET", "/admin/roles", 403, NULL },
		{ NOBODY, "GET", "/admin/roles", 303,
		    "/login?next=%2Fadmin%2Froles" },
		{ NOBODY, "POST", "/admin/roles", 403, NULL },
		/* and met: the handler answers (no database needed) */
		{ STAFF, "GET", "/", 303, "/account" },
		{ UNIT_ADMIN, "GET", "/", 303, "/units" },
		{ NOBODY, "GET", "/login", 200, NULL },
		{ MUST_CHANGE, "GET", "/account/password", 200, NULL },
		{ OWES_TOTP, "GET", "/login/mfa", 200, NULL },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		start(cases[i].who);
		if (strcmp(cases[i].method, "GET") == 0)
			get(cases[i].path, NULL);
		else
			post(cases[i].path, "csrf=good-token");
		if (r.status != cases[i].status)
			fail_msg("case %zu: %s %s: %d, want %d", i,
			    cases[i].method, cases[i].path, r.status,
			    cases[i].status);
		if (cases[i].location != NULL)
			assert_string_equal(r.location, cases[i].location);
	}
}

/* Conditional Access: an MFA older than the sign-in frequency. */
static void
test_mystaff_wants_recent_mfa(void **state)
{
	(void)state;
	start(UNIT_ADMIN);
	sess.mfa_at = now_s() - 13 * 3600;	/* the default is 12 hours */
	get("/units", NULL);
	want(303, "/login/mfa?next=%2Funits");
}

/* The choice settings map onto the enums the code compares. */
static void
test_setting_choices(void **state)
{
	static const struct {
		enum setting	 set;
		const char	*word;
		int		 want;
	} cases[] = {
		{ SET_MYSTAFF_ACCESS, "all", MYSTAFF_ALL },
		{ SET_MYSTAFF_ACCESS, "selected", MYSTAFF_SELECTED },
		{ SET_MYSTAFF_ACCESS, "none", MYSTAFF_NONE },
		{ SET_RESET_DELIVER, "show", DELIVER_SHOW },
		{ SET_RESET_DELIVER, "sms", DELIVER_SMS },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		settings_defaults(&settings);
		settings.value[cases[i].set] = cases[i].word;
		assert_int_equal(settings_choice(&settings, cases[i].set),
		    cases[i].want);
	}
	/* and the gate reads it: mystaff.access = none shuts everyone out */
	start(ORG_ADMIN);
	settings.value[SET_MYSTAFF_ACCESS] = "none";
	get("/units", NULL);
	want(403, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_is_404),
		cmocka_unit_test(test_number_segment),
		cmocka_unit_test(test_method_is_405_with_allow),
		cmocka_unit_test(test_malformed_input_is_400),
		cmocka_unit_test(test_body_413_and_415),
		cmocka_unit_test(test_csrf_403),
		cmocka_unit_test(test_need_levels),
		cmocka_unit_test(test_mystaff_wants_recent_mfa),
		cmocka_unit_test(test_setting_choices),
	};

	tpl_root("templates");
	conf.db_socket = no_socket;
	conf.db_timeout = 1;
	dead = db_open(&conf, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

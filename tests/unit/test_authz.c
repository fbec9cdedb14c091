/*
 * test_authz.c: every cell of the reset-tier table (as the README's
 * "Who may do what" states it) and the phone rule, written out here
 * independently of authz.c's tables; unit versus org scope, org-role
 * targets, multi-role targets, self, and an actor with roles in two
 * units. Also the My Staff access rule, the admin console and who may
 * read a location's recent activity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "util.h"

#define UA_ID	"aaaaaaaa-0000-4000-8000-000000000001"	/* the actor */
#define T_ID	"bbbbbbbb-0000-4000-8000-000000000002"	/* the target */
#define UNIT_A	"cccccccc-0000-4000-8000-00000000000a"
#define UNIT_B	"cccccccc-0000-4000-8000-00000000000b"

/* The reset-tier table as the README states it: one row per target role. */
static const struct {
	const char	*target;	/* NULL: holds no role */
	const char	*yes;		/* actors (by id) that may reset */
} reset_rows[] = {
	{ NULL, "password helpdesk authentication user priv global" },
	{ "directory-reader", "password helpdesk authentication user priv global" },
	{ "reports-reader", "password helpdesk authentication user priv global" },
	{ "password-administrator", "password helpdesk authentication user priv global" },
	{ "helpdesk-administrator", "helpdesk user priv global" },
	{ "authentication-administrator", "authentication priv global" },
	{ "user-administrator", "user priv global" },
	{ "global-administrator", "priv global" },
	{ "privileged-authentication-administrator", "priv global" },
	{ "authentication-policy-administrator", "priv global" },
	{ "conditional-access-administrator", "priv global" },
	{ "privileged-role-administrator", "priv global" },
	{ "security-reader", "priv global" },
};

static const struct {
	const char	*word;
	const char	*role;
} actors[] = {
	{ "password", "password-administrator" },
	{ "helpdesk", "helpdesk-administrator" },
	{ "authentication", "authentication-administrator" },
	{ "user", "user-administrator" },
	{ "priv", "privileged-authentication-administrator" },
	{ "global", "global-administrator" },
};

static int
has_word(const char *list, const char *w)
{
	char	pad[256], wp[64];

	snprintf(pad, sizeof(pad), " %s ", list);
	snprintf(wp, sizeof(wp), " %s ", w);
	return strstr(pad, wp) != NULL;
}

static enum role
R(const char *id)
{
	int	r = authz_role_parse(id);

	assert_true(r >= 0);
	return (enum role)r;
}

static enum authz_reason
check1(const char *actor_role, const char *actor_unit,
    const char *target_role, const char *target_role_unit,
    enum authz_action act)
{
	struct assignment	 ar, tr;
	const char		*units[] = { UNIT_A };
	struct authz_actor	 a = { UA_ID, &ar, 1 };
	struct authz_target	 t = { T_ID, &tr, target_role ? 1 : 0, units, 1 };

	ar.role = R(actor_role);
	ar.unit_id = actor_unit;
	if (target_role != NULL) {
		tr.role = R(target_role);
		tr.unit_id = target_role_unit;
	}
	return authz_check(&a, &t, act);
}

/* Every cell, at org scope and at unit scope over a direct member. */
static void
test_reset_table(void **state)
{
	size_t	r, c, cells = 0;
	int	want;

	(void)state;
	for (r = 0; r < NELEM(reset_rows); r++)
		for (c = 0; c < NELEM(actors); c++) {
			want = has_word(reset_rows[r].yes, actors[c].word);
			assert_int_equal(check1(actors[c].role, NULL,
			    reset_rows[r].target, NULL, AUTHZ_RESET_PASSWORD) ==
			    AUTHZ_OK, want);
			/* Unit scope: the target's role is unit-scoped too. */
			assert_int_equal(check1(actors[c].role, UNIT_A,
			    reset_rows[r].target, UNIT_A, AUTHZ_RESET_PASSWORD)
			    == AUTHZ_OK, want);
			if (!want)
				assert_int_equal(check1(actors[c].role, NULL,
				    reset_rows[r].target, NULL,
				    AUTHZ_RESET_PASSWORD), AUTHZ_TIER);
			cells++;
		}
	assert_int_equal(cells, 78);
}

/* Phones: authentication-administrator for its column, priv and global for anyone, nobody else. */
static void
test_phone_rule(void **state)
{
	size_t		 r, c;
	int		 want;
	const char	*a;

	(void)state;
	for (r = 0; r < NELEM(reset_rows); r++)
		for (c = 0; c < NELEM(actors); c++) {
			a = actors[c].word;
			if (strcmp(a, "priv") == 0 || strcmp(a, "global") == 0)
				want = 1;
			else if (strcmp(a, "authentication") == 0)
				want = has_word(reset_rows[r].yes, a);
			else
				want = 0;
			assert_int_equal(check1(actors[c].role, NULL,
			    reset_rows[r].target, NULL, AUTHZ_MANAGE_PHONES) ==
			    AUTHZ_OK, want);
		}
	assert_int_equal(check1("helpdesk-administrator", NULL, NULL, NULL,
	    AUTHZ_MANAGE_PHONES), AUTHZ_NO_ROLE);
	assert_int_equal(check1("authentication-administrator", NULL,
	    "helpdesk-administrator", NULL, AUTHZ_MANAGE_PHONES), AUTHZ_TIER);
}

static void
test_readers_and_policy_roles_act_on_nobody(void **state)
{
	static const char *const none[] = { "directory-reader",
	    "reports-reader", "authentication-policy-administrator",
	    "conditional-access-administrator" };
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(none); i++) {
		assert_int_equal(check1(none[i], NULL, NULL, NULL,
		    AUTHZ_RESET_PASSWORD), AUTHZ_NO_ROLE);
		assert_int_equal(check1(none[i], NULL, NULL, NULL,
		    AUTHZ_MANAGE_PHONES), AUTHZ_NO_ROLE);
	}
}

static void
test_scope(void **state)
{
	(void)state;
	/* Unit scope covers members of that unit only. */
	assert_int_equal(check1("helpdesk-administrator", UNIT_A, NULL, NULL,
	    AUTHZ_RESET_PASSWORD), AUTHZ_OK);
	assert_int_equal(check1("helpdesk-administrator", UNIT_B, NULL, NULL,
	    AUTHZ_RESET_PASSWORD), AUTHZ_OUT_OF_SCOPE);
	/* A target with an org-scope role is beyond any unit-scoped actor,
	 * even one whose tier would allow it. */
	assert_int_equal(check1("global-administrator", UNIT_A,
	    "password-administrator", NULL, AUTHZ_RESET_PASSWORD),
	    AUTHZ_TARGET_ORG_ROLE);
	assert_int_equal(check1("global-administrator", NULL,
	    "password-administrator", NULL, AUTHZ_RESET_PASSWORD), AUTHZ_OK);
	/* The same role at unit scope is fine for a unit-scoped actor. */
	assert_int_equal(check1("helpdesk-administrator", UNIT_A,
	    "password-administrator", UNIT_A, AUTHZ_RESET_PASSWORD), AUTHZ_OK);
}

static void
test_self(void **state)
{
	struct assignment	ar = { ROLE_GLOBAL_ADMIN, NULL };
	struct authz_actor	a = { UA_ID, &ar, 1 };
	struct authz_target	t = { "AAAAAAAA-0000-4000-8000-000000000001",
	    &ar, 1, NULL, 0 };

	(void)state;
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_SELF);
	assert_int_equal(authz_check(&a, &t, AUTHZ_MANAGE_PHONES), AUTHZ_SELF);
}

/* Numbers whole for who may manage them and for their owner only. */
static void
test_sees_phones(void **state)
{
	(void)state;
	assert_true(authz_sees_phones(AUTHZ_OK));
	assert_true(authz_sees_phones(AUTHZ_SELF));
	assert_false(authz_sees_phones(AUTHZ_NO_ROLE));
	assert_false(authz_sees_phones(AUTHZ_OUT_OF_SCOPE));
	assert_false(authz_sees_phones(AUTHZ_TIER));
	/* a helpdesk administrator resets but reads numbers masked */
	assert_false(authz_sees_phones(check1("helpdesk-administrator", NULL,
	    NULL, NULL, AUTHZ_MANAGE_PHONES)));
	assert_true(authz_sees_phones(check1("authentication-administrator",
	    NULL, NULL, NULL, AUTHZ_MANAGE_PHONES)));
}

/* A target holding several roles: every one must be allowed. */
static void
test_multi_role_target(void **state)
{
	struct assignment	 ar[2], tr[2];
	const char		*units[] = { UNIT_A };
	struct authz_actor	 a = { UA_ID, ar, 1 };
	struct authz_target	 t = { T_ID, tr, 2, units, 1 };

	(void)state;
	tr[0] = (struct assignment){ ROLE_PASSWORD_ADMIN, NULL };
	tr[1] = (struct assignment){ ROLE_HELPDESK_ADMIN, NULL };
	ar[0] = (struct assignment){ ROLE_HELPDESK_ADMIN, NULL };
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_OK);
	ar[0] = (struct assignment){ ROLE_PASSWORD_ADMIN, NULL };
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_TIER);
	/* Helpdesk + user-administrator target: only user-admin and up. */
	tr[0] = (struct assignment){ ROLE_USER_ADMIN, NULL };
	ar[0] = (struct assignment){ ROLE_HELPDESK_ADMIN, NULL };
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_TIER);
	ar[0] = (struct assignment){ ROLE_USER_ADMIN, NULL };
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_OK);
	/* Authentication-admin + helpdesk target: neither alone, not both. */
	tr[0] = (struct assignment){ ROLE_AUTH_ADMIN, NULL };
	ar[0] = (struct assignment){ ROLE_AUTH_ADMIN, NULL };
	ar[1] = (struct assignment){ ROLE_HELPDESK_ADMIN, NULL };
	a.nroles = 2;
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_TIER);
}

/* An actor with roles in two units, acting on a member of one. */
static void
test_two_units(void **state)
{
	struct assignment	 ar[2];
	const char		*in_b[] = { UNIT_B };
	const char		*in_none[] = { "cccccccc-0000-4000-8000-00000000000c" };
	struct authz_actor	 a = { UA_ID, ar, 2 };
	struct authz_target	 t = { T_ID, NULL, 0, in_b, 1 };

	(void)state;
	ar[0] = (struct assignment){ ROLE_HELPDESK_ADMIN, UNIT_A };
	ar[1] = (struct assignment){ ROLE_PASSWORD_ADMIN, UNIT_B };
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD), AUTHZ_OK);
	/* The unit-B role is password-admin: not enough for a helpdesk
	 * admin in B, although the actor is helpdesk-admin in A. */
	{
		struct assignment	tr = { ROLE_HELPDESK_ADMIN, UNIT_B };

		t.roles = &tr;
		t.nroles = 1;
		assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD),
		    AUTHZ_TIER);
		t.roles = NULL;
		t.nroles = 0;
	}
	t.units = in_none;
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD),
	    AUTHZ_OUT_OF_SCOPE);
	/* Neither grants phones. */
	t.units = in_b;
	assert_int_equal(authz_check(&a, &t, AUTHZ_MANAGE_PHONES),
	    AUTHZ_NO_ROLE);
}

static void
test_no_roles(void **state)
{
	struct authz_actor	a = { UA_ID, NULL, 0 };
	struct authz_target	t = { T_ID, NULL, 0, NULL, 0 };

	(void)state;
	assert_int_equal(authz_check(&a, &t, AUTHZ_RESET_PASSWORD),
	    AUTHZ_NO_ROLE);
	assert_string_equal(authz_reason_code(AUTHZ_OUT_OF_SCOPE),
	    "out_of_scope");
	assert_true(strlen(authz_reason_text(AUTHZ_TIER)) > 10);
	assert_int_equal(authz_role_parse("nobody"), -1);
	assert_string_equal(authz_role_id(ROLE_USER_ADMIN),
	    "user-administrator");
}

static void
test_mystaff_access(void **state)
{
	struct mystaff_ctx	c = { .nroles = 1, .mode = MYSTAFF_ALL,
	    .require_mfa = 1, .mfa_at = 1000, .now = 2000, .frequency = 3600 };

	(void)state;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	c.nroles = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_NO_ROLE);
	c.nroles = 2;
	c.mode = MYSTAFF_NONE;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OFF);
	c.mode = MYSTAFF_SELECTED;
	assert_int_equal(mystaff_access(&c), MYSTAFF_NOT_SELECTED);
	c.selected = 1;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	c.now = 1000 + 3600;		/* MFA exactly one frequency ago */
	assert_int_equal(mystaff_access(&c), MYSTAFF_NEEDS_MFA);
	c.mfa_at = 0;
	c.now = 2000;
	assert_int_equal(mystaff_access(&c), MYSTAFF_NEEDS_MFA);
	c.require_mfa = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	/* ca.require_totp: an MFA by a texted code does not open My Staff;
	 * one by the app does; without ca.require_mfa it does not apply. */
	c.require_mfa = 1;
	c.mfa_at = 1000;
	c.require_totp = 1;
	c.mfa_sms = 1;
	assert_int_equal(mystaff_access(&c), MYSTAFF_NEEDS_MFA);
	c.require_totp = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	c.require_totp = 1;
	c.mfa_sms = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	c.mfa_sms = 1;
	c.require_mfa = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_OK);
	c.require_totp = 0;
	c.mfa_sms = 0;
	/* A blocked network refuses whatever else holds; no role first. */
	c.blocked = 1;
	assert_int_equal(mystaff_access(&c), MYSTAFF_BLOCKED);
	c.mode = MYSTAFF_NONE;
	assert_int_equal(mystaff_access(&c), MYSTAFF_BLOCKED);
	c.nroles = 0;
	assert_int_equal(mystaff_access(&c), MYSTAFF_NO_ROLE);
}

/*
 * The admin console, as the README's table states it: who may read and
 * who may change each area, only at organisation scope.
 */
static void
test_admin_console(void **state)
{
	static const struct {
		enum admin_area	 area;
		const char	*read, *change;
	} rows[] = {
		{ AREA_MYSTAFF, "global user security", "global user" },
		{ AREA_CA, "global ca security", "global ca" },
		{ AREA_METHODS, "global policy security", "global policy" },
		{ AREA_PASSWORDS, "global security", "global" },
		{ AREA_UNITS, "global user privrole dir security",
		    "global user" },
		{ AREA_ROLES, "global privrole user dir security",
		    "global privrole" },
		{ AREA_AUDIT, "global user reports security", "" },
	};
	static const struct {
		const char	*word, *role;
	} who[] = {
		{ "global", "global-administrator" },
		{ "user", "user-administrator" },
		{ "ca", "conditional-access-administrator" },
		{ "policy", "authentication-policy-administrator" },
		{ "privrole", "privileged-role-administrator" },
		{ "dir", "directory-reader" },
		{ "reports", "reports-reader" },
		{ "security", "security-reader" },
		{ "helpdesk", "helpdesk-administrator" },
		{ "password", "password-administrator" },
		{ "authn", "authentication-administrator" },
		{ "privauth", "privileged-authentication-administrator" },
	};
	struct assignment	as;
	struct authz_actor	a = { UA_ID, &as, 1 };
	size_t			r, w;
	int			any;

	(void)state;
	for (w = 0; w < NELEM(who); w++) {
		as.role = R(who[w].role);
		any = 0;
		for (r = 0; r < NELEM(rows); r++) {
			as.unit_id = NULL;
			assert_int_equal(authz_admin_ok(&a, rows[r].area,
			    ADMIN_READ), has_word(rows[r].read, who[w].word));
			assert_int_equal(authz_admin_ok(&a, rows[r].area,
			    ADMIN_CHANGE), has_word(rows[r].change,
			    who[w].word));
			any |= has_word(rows[r].read, who[w].word);
			/* The same role held at one location opens nothing. */
			as.unit_id = UNIT_A;
			assert_false(authz_admin_ok(&a, rows[r].area,
			    ADMIN_READ));
			assert_false(authz_admin_ok(&a, rows[r].area,
			    ADMIN_CHANGE));
		}
		as.unit_id = NULL;
		assert_int_equal(authz_admin_ok(&a, AREA_ANY, ADMIN_READ), any);
	}
	a.nroles = 0;
	assert_false(authz_admin_ok(&a, AREA_ANY, ADMIN_READ));
}

/*
 * A location's recent activity: any role held there, or any role of
 * organisation scope; nothing else (another location, no role).
 */
static void
test_activity(void **state)
{
	static const char unit_a_upper[] =
	    "CCCCCCCC-0000-4000-8000-00000000000A";
	struct assignment	two[2] = { { ROLE_PASSWORD_ADMIN, UNIT_B },
	    { ROLE_SECURITY_READER, UNIT_A } };
	struct authz_actor	a = { UA_ID, two, 1 };
	int			r;

	(void)state;
	assert_true(authz_activity_ok(&a, UNIT_B));
	assert_false(authz_activity_ok(&a, UNIT_A));
	assert_false(authz_activity_ok(&a, NULL));
	a.nroles = 2;	/* and a reader at A: any role there counts */
	assert_true(authz_activity_ok(&a, UNIT_A));
	assert_true(authz_activity_ok(&a, unit_a_upper));
	assert_true(authz_activity_ok(&a, UNIT_B));
	for (r = 0; r < ROLE__MAX; r++) {
		two[0].role = (enum role)r;
		two[0].unit_id = NULL;	/* organisation scope: every location */
		a.nroles = 1;
		assert_true(authz_activity_ok(&a, UNIT_A));
		assert_true(authz_activity_ok(&a, UNIT_B));
		two[0].unit_id = UNIT_B;
		assert_false(authz_activity_ok(&a, UNIT_A));
	}
	a.nroles = 0;
	assert_false(authz_activity_ok(&a, UNIT_A));
}

/*
 * Which roles may be held for one location, as the README's "Who may do
 * what" states it: only the five that act on people.
 */
static void
test_role_scope(void **state)
{
	static const struct {
		const char	*role;
		int		 at_location;
	} rows[] = {
		{ "global-administrator", 0 },
		{ "privileged-authentication-administrator", 1 },
		{ "authentication-administrator", 1 },
		{ "user-administrator", 1 },
		{ "helpdesk-administrator", 1 },
		{ "password-administrator", 1 },
		{ "authentication-policy-administrator", 0 },
		{ "conditional-access-administrator", 0 },
		{ "privileged-role-administrator", 0 },
		{ "directory-reader", 0 },
		{ "reports-reader", 0 },
		{ "security-reader", 0 },
	};
	size_t	i;

	(void)state;
	assert_int_equal(NELEM(rows), ROLE__MAX);
	for (i = 0; i < NELEM(rows); i++)
		if (authz_role_at_location(R(rows[i].role)) !=
		    rows[i].at_location)
			fail_msg("%s at one location: %d, want %d",
			    rows[i].role, !rows[i].at_location,
			    rows[i].at_location);
	/* Out of range is no role: never at a location. */
	assert_false(authz_role_at_location(ROLE__MAX));
	assert_false(authz_role_at_location((enum role)-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_table),
		cmocka_unit_test(test_phone_rule),
		cmocka_unit_test(test_readers_and_policy_roles_act_on_nobody),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_sees_phones),
		cmocka_unit_test(test_multi_role_target),
		cmocka_unit_test(test_two_units),
		cmocka_unit_test(test_no_roles),
		cmocka_unit_test(test_mystaff_access),
		cmocka_unit_test(test_admin_console),
		cmocka_unit_test(test_activity),
		cmocka_unit_test(test_role_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

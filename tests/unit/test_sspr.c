/*
 * test_sspr.c: cmocka tests of the rules of self-service password
 * reset (sspr.h): who may start one (every refusal, and sspr.admins),
 * and the order of the steps, re-derived row by row: a step is only
 * taken from the one before it, and a role holder needs both codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "sspr.h"

static void
test_refusal(void **state)
{
	struct sspr_person	p = { 1, 1, 0, 0, 1 };

	(void)state;
	assert_null(sspr_refusal(&p, 0));
	p.known = 0;
	assert_string_equal(sspr_refusal(&p, 1), "unknown_user");
	p.known = 1, p.enabled = 0;
	assert_string_equal(sspr_refusal(&p, 1), "disabled");
	p.enabled = 1, p.phones = 0;
	assert_string_equal(sspr_refusal(&p, 1), "no_phone");
	p.phones = 2, p.has_role = 1;
	assert_string_equal(sspr_refusal(&p, 0), "role_holder");
	p.has_totp = 1;
	assert_string_equal(sspr_refusal(&p, 0), "role_holder");
	assert_null(sspr_refusal(&p, 1));
	p.has_totp = 0;
	assert_string_equal(sspr_refusal(&p, 1), "no_totp");
	p.has_role = 0;
	assert_null(sspr_refusal(&p, 1));
}

/* The order, written out on its own: what each step may be taken after. */
static int
want(enum sspr_act act, enum sspr_step step, int role)
{
	switch (act) {
	case SSPR_SEND:
		return step == SSPR_NAMED || step == SSPR_SENT;
	case SSPR_CODE:
		return step == SSPR_SENT;
	case SSPR_TOTP:
		return role && step == SSPR_CODE_OK;
	case SSPR_PASSWORD:
		return role ? step == SSPR_BOTH_OK : step == SSPR_CODE_OK;
	default:
		return 0;
	}
}

static void
test_order(void **state)
{
	int	act, step, role, allowed = 0;

	(void)state;
	for (act = 0; act < SSPR_ACT__MAX; act++)
		for (step = 0; step < SSPR__MAX; step++)
			for (role = 0; role < 2; role++) {
				assert_int_equal(sspr_may(act, step, role),
				    want(act, step, role));
				allowed += sspr_may(act, step, role);
			}
	/* send 2+2, code 1+1, totp 1, password 1+1 */
	assert_int_equal(allowed, 9);
	/* The cases the black-box tests drive. */
	assert_false(sspr_may(SSPR_PASSWORD, SSPR_NAMED, 0));
	assert_false(sspr_may(SSPR_PASSWORD, SSPR_SENT, 0));
	assert_false(sspr_may(SSPR_PASSWORD, SSPR_CODE_OK, 1));
	assert_true(sspr_may(SSPR_PASSWORD, SSPR_BOTH_OK, 1));
	assert_false(sspr_may(SSPR_CODE, SSPR_CODE_OK, 0));
	assert_false(sspr_may(SSPR_TOTP, SSPR_CODE_OK, 0));
	assert_false(sspr_may(SSPR_SEND, SSPR_NONE, 0));
	assert_false(sspr_may(SSPR_SEND, SSPR_CODE_OK, 0));
	assert_false(sspr_may(SSPR_ACT__MAX, SSPR_CODE_OK, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

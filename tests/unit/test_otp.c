/*
 * test_otp.c: cmocka tests of the pure parts of one-time codes
 * (auth/otp.h): the draw's format and spread, what a typed code
 * becomes, the keyed hash (bound to salt, user, purpose and key), the
 * text (one run of six digits, the site, "never share"), and the
 * expiry and tries arithmetic of otp_judge().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/otp.h"
#include "util.h"

#define USER	"0b6a3c1e-5f7d-4e2a-9c1b-2d3e4f5a6b7c"
#define SALT	"00112233445566778899aabbccddeeff"

static const unsigned char key[32] = { 1, 2, 3, 4 };

static void
test_new_format(void **state)
{
	char	c[OTP_SIZE];
	int	seen[OTP_DIGITS][10], i, j, draws = 2000;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < draws; i++) {
		assert_int_equal(otp_new(c), 0);
		assert_int_equal(strlen(c), OTP_DIGITS);
		for (j = 0; j < OTP_DIGITS; j++) {
			assert_true(c[j] >= '0' && c[j] <= '9');
			seen[j][c[j] - '0']++;
		}
	}
	/* Every digit turns up in every place, none wildly often (200 each
	 * expected; a uniform draw stays far inside 100..300). */
	for (j = 0; j < OTP_DIGITS; j++)
		for (i = 0; i < 10; i++)
			if (seen[j][i] < 100 || seen[j][i] > 300)
				fail_msg("digit %d at %d drawn %d times of %d",
				    i, j, seen[j][i], draws);
}

static void
test_normalise(void **state)
{
	static const struct {
		const char	*in, *want;	/* want NULL: refused */
	} t[] = {
		{ "123456", "123456" },
		{ "123 456", "123456" },
		{ "123-456", "123456" },
		{ " 0 0 0 0 0 1 ", "000001" },
		{ "12345", NULL },
		{ "1234567", NULL },
		{ "12345a", NULL },
		{ "１23456", NULL },	/* a full-width digit */
		{ "", NULL },
		{ "123456\n", NULL },
		{ "+123456", NULL },
	};
	char	out[OTP_SIZE];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		int	rc = otp_normalise(t[i].in, out);

		if (t[i].want == NULL) {
			if (rc != -1)
				fail_msg("row %zu: %s accepted", i, t[i].in);
			assert_int_equal(out[0], 0);	/* wiped */
		} else if (rc != 0 || strcmp(out, t[i].want) != 0)
			fail_msg("row %zu: %s -> rc %d %s", i, t[i].in, rc, out);
	}
	assert_int_equal(otp_normalise(NULL, out), -1);
}

static void
test_hash_binds(void **state)
{
	char		h[OTP_HASH_HEX], o[OTP_HASH_HEX];
	unsigned char	k2[32] = { 1, 2, 3, 5 };

	(void)state;
	assert_int_equal(otp_hash(key, sizeof(key), SALT, USER, OTP_MFA,
	    "123456", h), 0);
	assert_int_equal(strlen(h), 64);
	/* the same inputs, the same hash */
	assert_int_equal(otp_hash(key, sizeof(key), SALT, USER, OTP_MFA,
	    "123456", o), 0);
	assert_string_equal(h, o);
	/* each input changes it */
	assert_int_equal(otp_hash(key, sizeof(key), SALT, USER, OTP_MFA,
	    "123457", o), 0);
	assert_string_not_equal(h, o);
	assert_int_equal(otp_hash(key, sizeof(key), SALT, USER, OTP_SIGNIN,
	    "123456", o), 0);
	assert_string_not_equal(h, o);
	assert_int_equal(otp_hash(key, sizeof(key), SALT, USER, OTP_RESET,
	    "123456", o), 0);
	assert_string_not_equal(h, o);
	assert_int_equal(otp_hash(key, sizeof(key),
	    "ffeeddccbbaa99887766554433221100", USER, OTP_MFA, "123456", o),
	    0);
	assert_string_not_equal(h, o);
	assert_int_equal(otp_hash(key, sizeof(key), SALT,
	    "1b6a3c1e-5f7d-4e2a-9c1b-2d3e4f5a6b7c", OTP_MFA, "123456", o), 0);
	assert_string_not_equal(h, o);
	assert_int_equal(otp_hash(k2, sizeof(k2), SALT, USER, OTP_MFA,
	    "123456", o), 0);
	assert_string_not_equal(h, o);
}

static void
test_message(void **state)
{
	static const struct {
		const char	*site, *want_site;
	} t[] = {
		{ "staffdesk", "staffdesk" },
		{ "Contoso Retail", "Contoso Retail" },
		{ "Store 12345", "Store 12345" },	/* five digits: kept */
		{ "Store 123456", OTP_SITE },		/* six: replaced */
		{ "Store 1234567890", OTP_SITE },
		{ NULL, OTP_SITE },
	};
	char		m[480], small[20];
	size_t		i;
	int		p, n;
	char		code[OTP_SIZE];

	(void)state;
	for (p = 0; p < OTP__MAX; p++)
		for (i = 0; i < NELEM(t); i++) {
			assert_int_equal(otp_new(code), 0);
			n = otp_message(t[i].site, (enum otp_purpose)p, code, m,
			    sizeof(m));
			assert_true(n > 0 && (size_t)n == strlen(m));
			assert_true(n <= 160);	/* one SMS segment */
			assert_int_equal(strncmp(m, t[i].want_site,
			    strlen(t[i].want_site)), 0);
			assert_non_null(strstr(m, code));
			assert_int_equal(otp_digit_runs(m, OTP_DIGITS), 1);
			assert_non_null(strstr(m, "Never share this code"));
		}
	/* too small: refused and wiped */
	assert_int_equal(otp_message("staffdesk", OTP_MFA, "123456", small,
	    sizeof(small)), -1);
	assert_int_equal(small[0], 0);
}

static void
test_digit_runs(void **state)
{
	(void)state;
	assert_int_equal(otp_digit_runs("", 6), 0);
	assert_int_equal(otp_digit_runs("123456", 6), 1);
	assert_int_equal(otp_digit_runs("a12345b", 6), 0);
	assert_int_equal(otp_digit_runs("123456 and 7654321", 6), 2);
	assert_int_equal(otp_digit_runs("x1234567", 6), 1);
}

static void
test_judge(void **state)
{
	static const struct {
		int64_t			expires, tries, now;
		int			match;
		enum otp_verdict	want;
	} t[] = {
		/* made at 1000: expires at 1000 + OTP_TTL_SECONDS */
		{ 1600, 0, 1000, 1, OTP_OK },
		{ 1600, 0, 1599, 1, OTP_OK },		/* last second */
		{ 1600, 0, 1600, 1, OTP_EXPIRED },	/* on the dot */
		{ 1600, 0, 5000, 1, OTP_EXPIRED },
		{ 1600, 0, 1600, 0, OTP_EXPIRED },
		{ 1600, 0, 1000, 0, OTP_WRONG },
		{ 1600, 3, 1000, 0, OTP_WRONG },
		{ 1600, 4, 1000, 1, OTP_OK },		/* the 5th try, right */
		{ 1600, 4, 1000, 0, OTP_KILLED },	/* the 5th, wrong */
		{ 1600, 5, 1000, 1, OTP_DEAD },		/* the 6th, even right */
		{ 1600, 5, 1000, 0, OTP_DEAD },
		{ 1600, 9, 1000, 1, OTP_DEAD },
		{ 1600, 5, 2000, 1, OTP_DEAD },		/* dead before expired */
	};
	size_t	i;

	(void)state;
	assert_int_equal(OTP_TTL_SECONDS, 600);
	assert_int_equal(OTP_TRIES_MAX, 5);
	assert_int_equal(otp_expires(1000), 1600);
	for (i = 0; i < NELEM(t); i++)
		if (otp_judge(t[i].expires, t[i].tries, t[i].now, t[i].match)
		    != t[i].want)
			fail_msg("row %zu: %s, want %s", i,
			    otp_verdict_code(otp_judge(t[i].expires,
			    t[i].tries, t[i].now, t[i].match)),
			    otp_verdict_code(t[i].want));
	/* five wrong tries in a row: four WRONG, then KILLED, then DEAD */
	{
		int64_t	tries = 0;
		int	k;

		for (k = 0; k < OTP_TRIES_MAX - 1; k++)
			assert_int_equal(otp_judge(1600, tries++, 1000, 0),
			    OTP_WRONG);
		assert_int_equal(otp_judge(1600, tries++, 1000, 0),
		    OTP_KILLED);
		assert_int_equal(otp_judge(1600, tries, 1000, 1), OTP_DEAD);
	}
}

static void
test_ids(void **state)
{
	(void)state;
	assert_string_equal(otp_purpose_id(OTP_SIGNIN), "signin");
	assert_string_equal(otp_purpose_id(OTP_MFA), "mfa");
	assert_string_equal(otp_purpose_id(OTP_RESET), "reset");
	assert_string_equal(otp_purpose_id(OTP__MAX), "unknown");
	assert_string_equal(otp_verdict_code(OTP_KILLED), "code_killed");
	assert_string_equal(otp_verdict_code(OTP_EXPIRED), "code_expired");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_format),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_hash_binds),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_digit_runs),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

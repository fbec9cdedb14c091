/*
 * test_sms.c: cmocka tests of the pure parts of SMS delivery (sms.h):
 * the rate-window arithmetic, the E.164 check that guards sms_command's
 * argv, the country-code allow-list, the sealing round trip (bound to
 * the number), and the refusal codes a transaction passes on.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/crypt.h"
#include "db/db.h"
#include "sms.h"
#include "util.h"

#define S	1000000LL	/* µs in a second */

static void
test_window_wait(void **state)
{
	static const struct {
		int64_t	limit, seconds, nth, now, want;
	} t[] = {
		/* fewer than limit texts in the window: go */
		{ 5, 3600, 0, 1000 * S, 0 },
		/* the limit-th newest was 10 s ago: 3590 s to wait */
		{ 5, 3600, 990 * S, 1000 * S, 3590 },
		/* one µs before the window ends: 1 s, rounded up */
		{ 1, 60, 940 * S + 1, 1000 * S, 1 },
		/* exactly as the window ends: go */
		{ 1, 60, 940 * S, 1000 * S, 0 },
		/* and after: go */
		{ 1, 60, 900 * S, 1000 * S, 0 },
		/* half a second in: the whole minute, rounded up */
		{ 1, 60, 1000 * S - S / 2, 1000 * S, 60 },
		/* just now */
		{ 1, 60, 1000 * S, 1000 * S, 60 },
		/* a time ahead of the clock (a step back): a full window */
		{ 5, 3600, 2000 * S, 1000 * S, 3600 },
		/* no limit configured: never waits */
		{ 0, 3600, 999 * S, 1000 * S, 0 },
	};
	struct sms_window	w;
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		w = (struct sms_window){ t[i].limit, t[i].seconds, t[i].nth,
		    t[i].now };
		if (sms_window_wait(&w) != t[i].want)
			fail_msg("row %zu: waits %lld, want %lld", i,
			    (long long)sms_window_wait(&w),
			    (long long)t[i].want);
	}
}

static void
test_number_valid(void **state)
{
	static const char *const good[] = {
		"+12345678", "+14255550100", "+123456789012345",
		"+442079460000",
	};
	static const char *const bad[] = {
		"", "+", "14255550100", "+1234567", "+1234567890123456",
		"+04255550100", "+1;rm -rf /", "+1 425 555 0100",
		"+14255550100 x12", "+14255550100\n", "++14255550100",
		"+1425555010a", "-14255550100", "+1$(reboot)", "+1`id`",
		"+14255550100;", "+1\t4255550100",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		if (!sms_number_valid(good[i]))
			fail_msg("%s refused", good[i]);
	for (i = 0; i < NELEM(bad); i++)
		if (sms_number_valid(bad[i]))
			fail_msg("%s taken", bad[i]);
	assert_false(sms_number_valid(NULL));
}

static void
test_argv(void **state)
{
	const char	*argv[3];

	(void)state;
	assert_int_equal(sms_argv("/usr/local/bin/send-sms", "+14255550100",
	    argv), 0);
	assert_string_equal(argv[0], "/usr/local/bin/send-sms");
	assert_string_equal(argv[1], "+14255550100");
	assert_null(argv[2]);
	/* No number that is not E.164 gets near an exec. */
	assert_int_equal(sms_argv("/usr/local/bin/send-sms", "+1;rm -rf /",
	    argv), -1);
	assert_null(argv[0]);
	assert_null(argv[1]);
	assert_int_equal(sms_argv("/usr/local/bin/send-sms", "-v", argv), -1);
	assert_int_equal(sms_argv("/usr/local/bin/send-sms",
	    "+14255550100 x1", argv), -1);
	/* Nor a command that a PATH lookup would find. */
	assert_int_equal(sms_argv("send-sms", "+14255550100", argv), -1);
	assert_int_equal(sms_argv(NULL, "+14255550100", argv), -1);
}

static void
test_country(void **state)
{
	(void)state;
	assert_true(sms_country_allowed("", "+14255550100"));
	assert_true(sms_country_allowed(NULL, "+14255550100"));
	assert_true(sms_country_allowed("1 44 353", "+14255550100"));
	assert_true(sms_country_allowed("1 44 353", "+442079460000"));
	assert_true(sms_country_allowed("1,44,353", "+353861234567"));
	assert_true(sms_country_allowed("+44", "+442079460000"));
	assert_false(sms_country_allowed("1 44 353", "+33612345678"));
	assert_false(sms_country_allowed("44", "+14255550100"));
	assert_false(sms_country_allowed("353", "+35412345678"));
	assert_false(sms_country_allowed("44", "442079460000"));
}

static void
test_seal_round_trip(void **state)
{
	unsigned char	key[CRYPT_KEY_LEN], other[CRYPT_KEY_LEN];
	unsigned char	sealed[SMS_SEALED_MAX];
	char		text[SMS_MAX + 1], big[SMS_MAX + 2];
	const char	*msg = "Your temporary staffdesk password is "
			    "Kx7-Pq3-Zr9 - it works once.";
	int		n;

	(void)state;
	random_bytes(key, sizeof(key));
	memcpy(other, key, sizeof(key));
	other[0] ^= 1;
	n = sms_seal(key, "+14255550100", msg, sealed, sizeof(sealed));
	assert_int_equal(n, (int)strlen(msg) + CRYPT_OVERHEAD);
	assert_null(memmem(sealed, (size_t)n, "Kx7-Pq3-Zr9", 11));
	assert_int_equal(sms_open(key, "+14255550100", sealed, (size_t)n,
	    text, sizeof(text)), (int)strlen(msg));
	assert_string_equal(text, msg);
	/* Bound to its number and key; a changed byte does not open. */
	assert_int_equal(sms_open(key, "+14255550101", sealed, (size_t)n,
	    text, sizeof(text)), -1);
	assert_int_equal(sms_open(other, "+14255550100", sealed, (size_t)n,
	    text, sizeof(text)), -1);
	sealed[n - 1] ^= 1;
	assert_int_equal(sms_open(key, "+14255550100", sealed, (size_t)n,
	    text, sizeof(text)), -1);
	/* The longest text fits the column; one byte more is refused. */
	memset(big, 'a', SMS_MAX);
	big[SMS_MAX] = '\0';
	assert_int_equal(sms_seal(key, "+14255550100", big, sealed,
	    sizeof(sealed)), SMS_MAX + CRYPT_OVERHEAD);
	big[SMS_MAX] = 'a';
	big[SMS_MAX + 1] = '\0';
	assert_int_equal(sms_seal(key, "+14255550100", big, sealed,
	    sizeof(sealed)), -1);
}

static void
test_refusals(void **state)
{
	struct arena	a = { NULL };
	int		rc;

	(void)state;
	/* A transaction passes them on: none may be a db_err or DB_OK. */
	for (rc = SMS_REFUSAL_FIRST; rc < SMS_REFUSAL__END; rc++) {
		assert_true(rc > DB_REFUSED);
		assert_true(sms_is_refusal(rc));
		assert_non_null(sms_refusal_code(rc));
		assert_non_null(strstr(sms_refusal_code(rc), "sms_"));
	}
	assert_false(sms_is_refusal(DB_OK));
	assert_false(sms_is_refusal(DB_NONE));
	assert_false(sms_is_refusal(DB_REFUSED));
	assert_false(sms_is_refusal(DB_ERR));
	assert_false(sms_is_limit(SMS_COUNTRY));
	assert_true(sms_is_limit(SMS_LIMIT_MINUTE));
	assert_true(sms_is_limit(SMS_LIMIT_IP));
	assert_non_null(strstr(sms_refusal_text(&a, SMS_LIMIT_MINUTE, 42),
	    "Try again in 42 seconds."));
	assert_non_null(strstr(sms_refusal_text(&a, SMS_LIMIT_NUMBER, 61),
	    "Try again in 2 minutes."));
	assert_non_null(strstr(sms_refusal_text(&a, SMS_LIMIT_IP, 1),
	    "Try again in 1 second."));
	assert_null(strstr(sms_refusal_text(&a, SMS_COUNTRY, 0), "Try again"));
	assert_string_equal(sms_purpose_id(SMS_RESET_TEMP), "reset_temp");
	assert_string_equal(sms_purpose_id(SMS_NOTIFY), "notify");
	assert_string_equal(sms_purpose_id(SMS_CODE_SIGNIN), "code_signin");
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_wait),
		cmocka_unit_test(test_number_valid),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_actions.c: cmocka tests of what manager actions stand on: E.164
 * normalisation (and extensions), the on-premises password policy, the
 * temporary password generator, and the masked phone numbers of the
 * audit log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/codes.h"
#include "auth/onprem.h"
#include "phone.h"
#include "util.h"

static void
test_phone_good(void **state)
{
	static const struct { const char *in; int ext; const char *out; } t[] = {
		{ "+14255550100", 0, "+14255550100" },
		{ "+1 (425) 555-0100", 0, "+14255550100" },
		{ " +44 20.7946.0000", 0, "+442079460000" },
		{ "+12345678", 0, "+12345678" },			/* 8 digits */
		{ "+123456789012345", 0, "+123456789012345" },		/* 15 */
		{ "+1 425 555 0100 x123", 1, "+14255550100 x123" },
		{ "+1 425 555 0100x1", 1, "+14255550100 x1" },
		{ "+1 425 555 0100 ext 42", 1, "+14255550100 x42" },
		{ "+1 425 555 0100 Ext. 123456 ", 1, "+14255550100 x123456" },
		{ "+1 425 555 0100", 1, "+14255550100" },
	};
	char		 out[PHONE_MAX];
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		why = NULL;
		assert_int_equal(phone_normalise(t[i].in, t[i].ext, out, &why),
		    0);
		assert_string_equal(out, t[i].out);
	}
}

static void
test_phone_bad(void **state)
{
	static const struct { const char *in; int ext; } t[] = {
		{ "", 0 }, { "4255550100", 0 }, { "+", 0 },
		{ "+1234567", 0 },			/* 7 digits */
		{ "+1234567890123456", 0 },		/* 16 digits */
		{ "+0 425 555 0100", 0 },		/* country code 0 */
		{ "+1 425 CALL NOW", 0 }, { "+1/425/555/0100", 0 },
		{ "+14255550100 x123", 0 },		/* no extension on a mobile */
		{ "+14255550100 x", 1 }, { "+14255550100 x1234567", 1 },
		{ "+14255550100 x12a", 1 }, { "+14255550100 y12", 1 },
		{ "++14255550100", 0 }, { "+1 425 555 0100 x12 x3", 1 },
	};
	char		 out[PHONE_MAX];
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		why = NULL;
		assert_int_equal(phone_normalise(t[i].in, t[i].ext, out, &why),
		    -1);
		assert_non_null(why);
		assert_true(strlen(why) > 10);
	}
}

/* Numbers typed as dialled in the organisation's country (phone.country). */
static void
test_phone_local(void **state)
{
	static const struct {
		const char	*in, *country;
		int		 ext;
		const char	*want;		/* NULL: refused */
	} t[] = {
		{ "(425) 555-0100", "US", 0, "+14255550100" },
		{ "425.555.0100", "US", 0, "+14255550100" },
		{ "07700 900123", "GB", 0, "+447700900123" },
		{ "00 353 87 123 4567", "GB", 0, "+353871234567" },
		{ "087 123 4567", "IE", 0, "+353871234567" },
		{ "+353 87 123 4567", "US", 0, "+353871234567" },
		{ "425 555 0100 x12", "US", 1, "+14255550100 x12" },
		{ "425 555 0100 x12", "US", 0, NULL },
		{ "12", "US", 0, NULL },
		{ "555-0100; rm", "US", 0, NULL },
		{ "(425) 555-0100", NULL, 0, NULL },
		{ "(425) 555-0100", "", 0, NULL },
		{ "(425) 555-0100", "ZZ", 0, NULL },
	};
	char		 out[PHONE_MAX];
	const char	*why;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		why = NULL;
		rc = phone_normalise_in(t[i].in, t[i].country, t[i].ext, out,
		    &why);
		if (t[i].want == NULL) {
			if (rc != -1 || why == NULL)
				fail_msg("'%s' in %s: accepted", t[i].in,
				    t[i].country ? t[i].country : "(none)");
		} else if (rc != 0 || strcmp(out, t[i].want) != 0)
			fail_msg("'%s' in %s: %s, want %s", t[i].in,
			    t[i].country, rc == 0 ? out : why, t[i].want);
	}
	{
		/* As shown: without Parse() (kept_number()) and with it. */
		static const struct {
			const char	*in, *want;
		} f[] = {
			{ "+14255550100", "+1 425-555-0100" },
			{ "+447700900123", "+44 7700 900123" },
			{ "+33612345678", "+33 6 12 34 56 78" },
			{ "+5521987654321", "+55 21 98765-4321" },
			{ "+80012345678", "+800 1234 5678" },
			{ "+390612345678", "+39 06 1234 5678" },
			{ "+14255550199 x42", "+1 425-555-0199 ext. 42" },
			{ "not one", "not one" },
			/* A national prefix after the code: as kept. */
			{ "+84079460958 x12", "+84079460958 x12" },
			{ "+4407946095800", "+4407946095800" },
		};
		struct arena	a = { NULL };

		for (i = 0; i < NELEM(f); i++)
			assert_string_equal(phone_format(&a, f[i].in),
			    f[i].want);
		arena_reset(&a);
	}
	assert_true(phone_region_known("US"));
	assert_false(phone_region_known("us"));
	assert_false(phone_region_known("ZZ"));
	assert_false(phone_region_known(NULL));
}

static void
test_phone_types_and_mask(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_int_equal(phone_type_parse("mobile"), PHONE_MOBILE);
	assert_int_equal(phone_type_parse("alternateMobile"), PHONE_ALT_MOBILE);
	assert_int_equal(phone_type_parse("office"), PHONE_OFFICE);
	assert_int_equal(phone_type_parse("Mobile"), -1);
	assert_int_equal(phone_type_parse(""), -1);
	assert_string_equal(phone_mask(&a, "+14255550123"), "+1 ••• ••• 0123");
	assert_string_equal(phone_mask(&a, "+442079460000 x12"),
	    "+44 ••• ••• 0000");
	/* calling codes of one, two and three digits */
	assert_string_equal(phone_mask(&a, "+79161234567"), "+7 ••• ••• 4567");
	assert_string_equal(phone_mask(&a, "+353871234567"),
	    "+353 ••• ••• 4567");
	assert_string_equal(phone_mask(&a, "+9715012345678"),
	    "+971 ••• ••• 5678");
	assert_int_equal(phone_cc_len("+4915112345678"), 2);
	assert_int_equal(phone_cc_len("+1;rm -rf /"), 0);
	assert_int_equal(phone_cc_len("4255550123"), 0);
	assert_int_equal(phone_cc_len("+442079460000 x12"), 2);
	assert_int_equal(phone_cc_len("+8008080808"), 3);	/* non-geographic */
	assert_int_equal(phone_cc_len("+442079460000 x"), 0);
	assert_int_equal(phone_cc_len("+44207946x12"), 0);
	assert_int_equal(phone_cc_len("+0123456789"), 0);
	assert_int_equal(phone_cc_len(NULL), 0);
	assert_null(strstr(phone_mask(&a, "+14255550123"), "555"));
	arena_reset(&a);
}

static void
test_onprem_policy(void **state)
{
	static const struct onprem_policy ad = { 8, 1, 1 };
	static const struct pw_person who = { "jdoe@corp.example",
	    "Jane Doe-Smith", "Jane", "Doe-Smith" };
	static const struct { const char *pw; unsigned want; } t[] = {
		{ "Summer!24", 0 },
		{ "correct-HORSE-7", 0 },
		{ "Abcdef1!", 0 },				/* exactly 8 */
		{ "Abc1!", 1u << ONPREM_TOO_SHORT },
		{ "abcdefgh", 1u << ONPREM_COMPLEXITY },
		{ "abcdefg1", 1u << ONPREM_COMPLEXITY },	/* 2 classes */
		{ "abcdefG1", 0 },				/* 3 classes */
		{ "abc", (1u << ONPREM_TOO_SHORT) | (1u << ONPREM_COMPLEXITY) },
		{ "xJDOE-2024!", 1u << ONPREM_ACCOUNT_NAME },	/* username */
		{ "Smith#2024", 1u << ONPREM_ACCOUNT_NAME },	/* name part */
		{ "JaneIs#1", 1u << ONPREM_ACCOUNT_NAME },
		{ "Do3#Do3#Do3", 0 },				/* "Do" too short */
		{ "Pa\xc3", 1u << ONPREM_BAD_TEXT },
	};
	static const struct onprem_policy lax = { 4, 0, 0 };
	size_t	i;
	char	buf[128];

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		assert_int_equal(onprem_check(t[i].pw, &who, &ad), t[i].want);
	assert_int_equal(onprem_check("jdoe", &who, &lax), 0);
	assert_int_equal(onprem_check("abc", &who, &lax),
	    1u << ONPREM_TOO_SHORT);
	assert_non_null(strstr(onprem_rule_text(ONPREM_TOO_SHORT, &ad, buf,
	    sizeof(buf)), "8 characters"));
	for (i = 0; i < ONPREM__MAX; i++)
		assert_true(strlen(onprem_rule_text(i, &ad, buf,
		    sizeof(buf))) > 10);
}

/* The part of the name a refused password contains is named. */
static void
test_onprem_name_part(void **state)
{
	static const struct onprem_policy ad = { 8, 1, 1 };
	static const struct pw_person who = { "jdoe@corp.example",
	    "Jane Doe-Smith", "Jane", "Doe-Smith" };
	static const struct {
		const char *pw, *part;
		int upn;
	} t[] = {
		{ "xJDOE-2024!", "jdoe", 1 },
		{ "Smith#2024", "Smith", 0 },
		{ "JaneIs#1", "Jane", 0 },
		{ "Do3#Do3#Do3", NULL, 0 },
		{ "Summer!24", NULL, 0 },
	};
	struct onprem_part	p;
	char			buf[ONPREM_MESSAGE_MAX];
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		assert_int_equal(onprem_name_part(t[i].pw, &who, &p),
		    t[i].part != NULL);
		if (t[i].part == NULL) {
			assert_null(p.s);
			continue;
		}
		assert_int_equal(p.len, strlen(t[i].part));
		assert_memory_equal(p.s, t[i].part, p.len);
		assert_int_equal(p.upn, t[i].upn);
	}
	assert_int_equal(onprem_name_part(NULL, &who, &p), 0);
	assert_int_equal(onprem_name_part("Smith#2024", NULL, &p), 0);
	assert_string_equal(onprem_refusal_text(ONPREM_ACCOUNT_NAME, &ad,
	    "Smith#2024", &who, 0, buf, sizeof(buf)), "It must not contain "
	    "the person's username or a part of their name: it contains "
	    "\"Smith\", from their name.");
	assert_string_equal(onprem_refusal_text(ONPREM_ACCOUNT_NAME, &ad,
	    "xJDOE-2024!", &who, 1, buf, sizeof(buf)), "It must not contain "
	    "your username or a part of your name: it contains \"jdoe\", "
	    "from your username.");
	/* too small a buffer: the rule without the part */
	assert_string_equal(onprem_refusal_text(ONPREM_ACCOUNT_NAME, &ad,
	    "Smith#2024", &who, 0, buf, 40), onprem_rule_text(
	    ONPREM_ACCOUNT_NAME, &ad, buf, sizeof(buf)));
	assert_string_equal(onprem_refusal_text(ONPREM_TOO_SHORT, &ad,
	    "Smith", &who, 0, buf, sizeof(buf)), "It must be at least 8 "
	    "characters long.");
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_temp_password(void **state)
{
	enum { DRAWS = 10000 };
	char	(*pw)[TEMP_PW_LEN + 1];
	size_t	 i, k;

	(void)state;
	pw = calloc(DRAWS, sizeof(*pw));
	assert_non_null(pw);
	for (i = 0; i < DRAWS; i++) {
		assert_int_equal(code_temp_password(pw[i], sizeof(pw[i])), 0);
		assert_int_equal(strlen(pw[i]), TEMP_PW_LEN);
		assert_true(TEMP_PW_LEN >= 12);
		for (k = 0; k < TEMP_PW_LEN; k++) {
			assert_non_null(strchr(TEMP_PW_ALPHABET, pw[i][k]));
			assert_null(strchr("0Oo1lI", pw[i][k]));
		}
	}
	qsort(pw, DRAWS, sizeof(*pw), cmp);
	for (i = 1; i < DRAWS; i++)
		assert_string_not_equal(pw[i - 1], pw[i]);
	/* Too small a buffer is refused. */
	assert_int_equal(code_temp_password(pw[0], TEMP_PW_LEN), -1);
	free(pw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_good),
		cmocka_unit_test(test_phone_bad),
		cmocka_unit_test(test_phone_local),
		cmocka_unit_test(test_phone_types_and_mask),
		cmocka_unit_test(test_onprem_policy),
		cmocka_unit_test(test_onprem_name_part),
		cmocka_unit_test(test_temp_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

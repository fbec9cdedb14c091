/*
 * test_locations.c: the rules of a location's name and description
 * (location.h), as both the admin console and staffdesk-admin apply
 * them, and the role words the admin forms accept (keys.c), which must
 * be authz.h's role ids in enum order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "keys.h"
#include "location.h"
#include "util.h"

/* n copies of s (a UTF-8 character or more) in the arena. */
static const char *
repeat(struct arena *a, const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out = arena_alloc(a, len * n + 1);

	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

static void
test_trim(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_null(location_trim(&a, NULL));
	assert_string_equal(location_trim(&a, ""), "");
	assert_string_equal(location_trim(&a, "   "), "");
	assert_string_equal(location_trim(&a, "  Store 1  "), "Store 1");
	assert_string_equal(location_trim(&a, "Store  1"), "Store  1");
	assert_string_equal(location_trim(&a, "Zoë "), "Zoë");
	/* what shows nothing goes, wherever it is; space-like ends go */
	assert_string_equal(location_trim(&a, "Sto\u00adre 2"), "Store 2");
	assert_string_equal(location_trim(&a, "\u200bStore\u200b 2\ufeff"),
	    "Store 2");
	assert_string_equal(location_trim(&a, "\u202eStore 2\u202c"), "Store 2");
	assert_string_equal(location_trim(&a, "\u00a0Store\u00a02\u3000 "),
	    "Store\u00a02");
	assert_string_equal(location_trim(&a, "\u200b"), "");
	assert_string_equal(location_trim(&a, " \u2003\u00ad "), "");
	/* joiners inside a word are spelling, and stay */
	assert_string_equal(location_trim(&a, "می\u200cخواهم"), "می\u200cخواهم");
	/* a broken sequence is left whole for the check to refuse */
	assert_string_equal(location_trim(&a, "Store \xe2\x80"),
	    "Store \xe2\x80");
	arena_reset(&a);
}

static void
test_name_rules(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_int_equal(location_name_check("Store 1"), 0);
	assert_int_equal(location_name_check("A"), 0);
	assert_int_equal(location_name_check("Zoë's <b>Café</b> & Co."), 0);
	assert_int_equal(location_name_check(NULL), LOCATION_NAME_EMPTY);
	assert_int_equal(location_name_check(""), LOCATION_NAME_EMPTY);
	/* 100 characters is the most, counted as characters, not bytes */
	assert_int_equal(location_name_check(repeat(&a, "x", 100)), 0);
	assert_int_equal(location_name_check(repeat(&a, "x", 101)),
	    LOCATION_NAME_LONG);
	assert_int_equal(location_name_check(repeat(&a, "é", 100)), 0);
	assert_int_equal(location_name_check(repeat(&a, "名", 100)), 0);
	assert_int_equal(location_name_check(repeat(&a, "é", 101)),
	    LOCATION_NAME_LONG);
	/* one line of text: no controls, no broken UTF-8 */
	assert_int_equal(location_name_check("Store\n2"), LOCATION_NAME_BAD);
	assert_int_equal(location_name_check("Store\t2"), LOCATION_NAME_BAD);
	assert_int_equal(location_name_check("Store \xff"), LOCATION_NAME_BAD);
	assert_int_equal(location_name_check("Store \xc3"), LOCATION_NAME_BAD);
	/* something must show; the CSV's separator cannot be in one */
	assert_int_equal(location_name_check("\u200b"), LOCATION_NAME_EMPTY);
	assert_int_equal(location_name_check("\u00a0\u2003"), LOCATION_NAME_EMPTY);
	assert_int_equal(location_name_check("Semi;colon"),
	    LOCATION_NAME_SEMICOLON);
	assert_int_equal(location_name_check(";"), LOCATION_NAME_SEMICOLON);
	assert_int_equal(location_name_check("Store: 2, north"), 0);
	arena_reset(&a);
}

static void
test_description_rules(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_int_equal(location_desc_check(NULL), 0);
	assert_int_equal(location_desc_check(""), 0);
	assert_int_equal(location_desc_check("Open 9-5"), 0);
	assert_int_equal(location_desc_check(repeat(&a, "ü", 500)), 0);
	assert_int_equal(location_desc_check(repeat(&a, "u", 501)),
	    LOCATION_DESC_LONG);
	assert_int_equal(location_desc_check("a\rb"), LOCATION_DESC_BAD);
	arena_reset(&a);
}

/* Every refusal has its own sentence, naming the bound it broke. */
static void
test_refusal_texts(void **state)
{
	static const enum location_refusal all[] = { LOCATION_NAME_EMPTY,
	    LOCATION_NAME_LONG, LOCATION_NAME_BAD, LOCATION_NAME_SEMICOLON,
	    LOCATION_DESC_LONG, LOCATION_DESC_BAD };
	size_t	i, j;

	(void)state;
	for (i = 0; i < NELEM(all); i++) {
		assert_true(all[i] > 0);	/* the return rule: a refusal */
		for (j = 0; j < i; j++)
			assert_string_not_equal(location_refusal_text(all[i]),
			    location_refusal_text(all[j]));
	}
	assert_non_null(strstr(location_refusal_text(LOCATION_NAME_LONG),
	    "100"));
	assert_non_null(strstr(location_refusal_text(LOCATION_DESC_LONG),
	    "500"));
}

/*
 * A form's version changes with any change of the name or the
 * description (a case, a space, a text moved from one to the other),
 * and a missing description is an empty one.
 */
static void
test_version(void **state)
{
	uint32_t	v = location_version("Store 1", "Open 9-5");

	(void)state;
	assert_int_equal(location_version("Store 1", "Open 9-5"), v);
	assert_int_not_equal(location_version("store 1", "Open 9-5"), v);
	assert_int_not_equal(location_version("Store 1 ", "Open 9-5"), v);
	assert_int_not_equal(location_version("Store 1", "Open 9-6"), v);
	assert_int_not_equal(location_version("Store 1", NULL), v);
	assert_int_not_equal(location_version("Store 1Open 9-5", ""),
	    location_version("Store 1", "Open 9-5"));
	assert_int_not_equal(location_version("Store", "1"),
	    location_version("Store1", ""));
	assert_int_equal(location_version("Store 1", NULL),
	    location_version("Store 1", ""));
	/* FNV-1a (32 bits) of the bytes "a\0\0", computed apart */
	assert_int_equal(location_version("a", NULL), 0x2ef3db0cu);
}

/* The words of the role field are the role ids, in enum order. */
static void
test_role_words(void **state)
{
	const struct http_key	*k = &route_keys[K_ROLE];
	int			 i;

	(void)state;
	assert_int_equal(k->type, HTTP_CHOICE);
	for (i = 0; i < ROLE__MAX; i++) {
		assert_non_null(k->choices[i]);
		assert_string_equal(k->choices[i], authz_role_id((enum role)i));
		assert_true(strlen(k->choices[i]) <= k->max);
	}
	assert_null(k->choices[ROLE__MAX]);
	/* The form fields leave room over the rules: a name a little too
	 * long is the form's 422, not the dispatcher's 400. */
	assert_true(route_keys[K_NAME].chars > LOCATION_NAME_MAX);
	assert_true(route_keys[K_DESCRIPTION].chars > LOCATION_DESC_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_description_rules),
		cmocka_unit_test(test_refusal_texts),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_role_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_locations.c: the rules of a location's name and description
 * (location.h), as both the admin console and staffdesk-admin apply
 * them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
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
	    LOCATION_NAME_LONG, LOCATION_NAME_BAD, LOCATION_DESC_LONG,
	    LOCATION_DESC_BAD };
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_description_rules),
		cmocka_unit_test(test_refusal_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

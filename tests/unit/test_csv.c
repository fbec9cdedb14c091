/*
 * test_csv.c: cmocka tests of the CSV the audit export writes
 * (csv.h): RFC 4180 quoting and the ' in front of a cell a spreadsheet
 * would run as a formula, field by field and as whole records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "util.h"

/* Plain text passes as it is: no quotes, nothing added. */
static void
test_plain(void **state)
{
	static const char *const same[] = { "", "signin.password",
	    "ann@example.com", "2026-12-01 10:00:00.123456", "Zoë Müller",
	    "192.0.2.1", "::1", "a=b", "x+y", "1-2", "it's", "{}", "名前" };
	struct arena	a = { NULL };
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(same); i++)
		assert_string_equal(csv_field(&a, same[i]), same[i]);
	assert_string_equal(csv_field(&a, NULL), "");
	arena_reset(&a);
}

/* RFC 4180 §2.6, §2.7: quoted when it must be, quotes doubled. */
static void
test_quoting(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "line\nbreak", "\"line\nbreak\"" },
		{ "cr\rhere", "\"cr\rhere\"" },
		{ "crlf\r\n", "\"crlf\r\n\"" },
		{ "{\"initiatedBy\":\"My Staff\",\"to\":null}",
		    "\"{\"\"initiatedBy\"\":\"\"My Staff\"\",\"\"to\"\":null}\"" },
		{ "tab\tinside", "tab\tinside" },	/* only a leading one */
	};
	struct arena	a = { NULL };
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(csv_field(&a, cases[i].in), cases[i].out);
	arena_reset(&a);
}

/* A cell a spreadsheet would run gets a ' first; quoting still applies. */
static void
test_formula(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "=1+1", "'=1+1" },
		{ "+14255550100", "'+14255550100" },
		{ "-2", "'-2" },
		{ "@SUM(A1:A2)", "'@SUM(A1:A2)" },
		{ "\tx", "'\tx" },
		{ "\rx", "\"'\rx\"" },
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "=A1,B1", "\"'=A1,B1\"" },
		{ "-", "'-" },
		{ "'=1", "'=1" },		/* a ' first already: as it is */
		{ " =1", " =1" },		/* not the first character */
	};
	struct arena	a = { NULL };
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_string_equal(csv_field(&a, cases[i].in), cases[i].out);
	arena_reset(&a);
}

/* Records: fields joined with commas, CRLF at the end, NULL empty. */
static void
test_record(void **state)
{
	const char	*cells[] = { "1", "=cmd|' /C calc'!A0", NULL, "a,b",
	    "" };
	const char	*one[] = { "only" };
	struct arena	 a = { NULL };

	(void)state;
	assert_string_equal(csv_record(&a, cells, NELEM(cells)),
	    "1,'=cmd|' /C calc'!A0,,\"a,b\",\r\n");
	assert_string_equal(csv_record(&a, one, 1), "only\r\n");
	assert_string_equal(csv_record(&a, NULL, 0), "\r\n");
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

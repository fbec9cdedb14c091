/*
 * test_csv.c: cmocka tests of the audit log as it is read: the CSV the
 * export writes (csv.h): RFC 4180 quoting and the ' in front of a cell
 * a spreadsheet would run as a formula, field by field and as whole
 * records; and an entry's details as the audit pages show them
 * (details.h), with the JSON it does not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "details.h"
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
		/* blanks at an end, which a reader would cut from a bare field */
		{ " lead", "\" lead\"" },
		{ "trail ", "\"trail \"" },
		{ "trail\t", "\"trail\t\"" },
		{ " ", "\" \"" },
		{ "in side", "in side" },
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
		{ " =1", "\" =1\"" },		/* not the first character */
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
	one[0] = "";
	assert_string_equal(csv_record(&a, one, 1), "\"\"\r\n");
	one[0] = NULL;
	assert_string_equal(csv_record(&a, one, 1), "\"\"\r\n");
	assert_string_equal(csv_record(&a, NULL, 0), "\r\n");
	arena_reset(&a);
}

/* want: NULL-ended label, value pairs; the lines of json must be these. */
static void
lines_are(const char *json, const char *const *want)
{
	struct arena	 a = { NULL };
	struct detail	 d[DETAILS_MAX];
	int		 n, i;

	n = details_read(&a, json, d, NELEM(d));
	for (i = 0; want[2 * i] != NULL; i++)
		;
	if (n != i)
		fail_msg("%s: %d lines, want %d", json, n, i);
	for (i = 0; i < n; i++) {
		assert_string_equal(d[i].label, want[2 * i]);
		assert_string_equal(d[i].value, want[2 * i + 1]);
	}
	arena_reset(&a);
}

#define LINES(json, ...) \
	lines_are(json, (const char *const []){ __VA_ARGS__, NULL })

/* The details audit rows hold, as lines for people. */
static void
test_details(void **state)
{
	struct arena	 a = { NULL };
	struct detail	 d[DETAILS_MAX];

	(void)state;
	assert_int_equal(details_read(&a, NULL, d, NELEM(d)), 0);
	assert_int_equal(details_read(&a, "{}", d, NELEM(d)), 0);
	assert_int_equal(details_read(&a, " \r\n{ }\t", d, NELEM(d)), 0);
	LINES("{\"initiatedBy\":\"My Staff\",\"source\":\"cloud\","
	    "\"delivery\":\"shown\",\"to\":null}",
	    "Initiated by", "My Staff", "Source", "cloud",
	    "Delivery", "shown", "Sent to", "none");
	LINES("{\"initiatedBy\":\"My Staff\",\"type\":\"mobile\","
	    "\"old\":\"+1 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 0100\","
	    "\"new\":null,\"notice\":\"number_limit\","
	    "\"noticeRetryAfter\":120}",
	    "Initiated by", "My Staff", "Type", "mobile",
	    "Before", "+1 \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 0100",
	    "After", "none", "Notice", "number_limit",
	    "Notice retry after (seconds)", "120");
	/* settings.update: a line per change, named after the setting */
	LINES("{\"changes\":[{\"name\":\"mystaff.access\",\"old\":\"all\","
	    "\"new\":\"selected\"},{\"name\":\"ca.trusted_networks\","
	    "\"old\":\"\",\"new\":\"10.0.0.0/8\"}]}",
	    "mystaff.access", "all \xe2\x86\x92 selected",
	    "ca.trusted_networks", "(empty) \xe2\x86\x92 10.0.0.0/8");
	LINES("{\"changes\":[]}", "Changes", "none");
	/* unit.update: objects within */
	LINES("{\"old\":{\"name\":\"Store 1\",\"description\":null},"
	    "\"new\":{\"name\":\"Store <1>\",\"description\":\"a, b\"}}",
	    "Before", "Name: Store 1, Description: none",
	    "After", "Name: Store <1>, Description: a, b");
	LINES("{\"file\":\"staff.csv\",\"rows\":12,\"locationsCreated\":0,"
	    "\"skipBad\":false,\"recorded\":true,\"x\":-1.5e3,\"y\":0.25}",
	    "File", "staff.csv", "Rows", "12", "Locations created", "0",
	    "Skip bad rows", "no", "Recorded", "yes", "X", "-1.5e3",
	    "Y", "0.25");
	LINES("{\"a\":[1,\"x\",true,null,[2,3]],\"b\":[],\"c\":{},"
	    "\"d\":\"\",\"mfa\":\"remembered\"}",
	    "A", "1; x; yes; none; 2; 3", "B", "none", "C", "none",
	    "D", "(empty)", "MFA", "remembered");
	/* a change within an array of other things, and at the top */
	LINES("{\"list\":[{\"name\":\"n\",\"old\":1,\"new\":2},3]}",
	    "List", "n: 1 \xe2\x86\x92 2; 3");
	LINES("{\"name\":\"n\",\"old\":1,\"new\":2}",
	    "Name", "n", "Before", "1", "After", "2");
	/* escapes: quotes, slashes, \u (a surrogate pair is one character);
	 * control characters and lone surrogates read as U+FFFD */
	LINES("{\"path\":\"/a\\\"b\\\\c\\/d\",\"u\":\"\\u00e9\\u4E2D"
	    "\\ud83d\\ude00\",\"c\":\"x\\ny\\u0001\\t\\u007f\\ud800z\","
	    "\"\":\"no name\"}",
	    "Path", "/a\"b\\c/d", "U", "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80",
	    "C", "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbdz", "", "no name");
	/* as deep as it may be: the outer object and three within */
	LINES("{\"a\":{\"b\":{\"c\":{}}}}", "A", "B: C: none");
	arena_reset(&a);
}

/* What details_read() does not read: -1, and the page shows it as is. */
static void
test_details_bad(void **state)
{
	static const char *const bad[] = { "", " ", "[]", "\"x\"", "1",
	    "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
	    "{\"a\" 1}", "{\"a\":1} x", "{\"a\":1}{}", "{a:1}",
	    "{\"a\":tru}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
	    "{\"a\":1e}", "{\"a\":+1}", "{\"a\":\"\\x\"}",
	    "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"x",
	    "{\"a\":\"x\\", "{\"a\":\"raw\x01\"}", "{\"a\":\"tab\there\"}",
	    "{\"a\":[1,2}", "{\"a\":[1 2]}", "{'a':1}",
	    "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}",
	    "{\"a\":[[[[]]]]}" };
	struct arena	 a = { NULL };
	struct detail	 d[DETAILS_MAX];
	char		 big[16 * (DETAILS_ITEMS + 2)];
	size_t		 i, n;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		if (details_read(&a, bad[i], d, NELEM(d)) != -1)
			fail_msg("read %s", bad[i]);
	/* more members than lines given */
	assert_int_equal(details_read(&a, "{\"a\":1,\"b\":2}", d, 2), 2);
	assert_int_equal(details_read(&a, "{\"a\":1,\"b\":2,\"c\":3}", d, 2),
	    -1);
	assert_int_equal(details_read(&a, "{\"changes\":[{\"name\":\"a\","
	    "\"old\":1,\"new\":2},{\"name\":\"b\",\"old\":1,\"new\":2},"
	    "{\"name\":\"c\",\"old\":1,\"new\":2}]}", d, 2), -1);
	/* DETAILS_ITEMS items of an array, and one more */
	for (n = DETAILS_ITEMS; n <= DETAILS_ITEMS + 1; n++) {
		strcpy(big, "{\"a\":[0");
		for (i = 1; i < n; i++)
			strcat(big, ",0");
		strcat(big, "]}");
		assert_int_equal(details_read(&a, big, d, NELEM(d)),
		    n <= DETAILS_ITEMS ? 1 : -1);
	}
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
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_details_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_roster.c: cmocka tests of what staffdesk-admin import reads
 * before it touches the database: the CSV records and the line each
 * starts on (csvread.h, libcsv), the header's column names and a row
 * under it (roster_csv_header, roster_csv_row), the units list, one
 * person's checks and normalisation (roster.h), and the export's
 * formula guard read back (csv_unformula).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "csvread.h"
#include "roster.h"
#include "util.h"

/* Every column name reads back as its field, in any case, spaces cut. */
static void
test_header_names(void **state)
{
	char	buf[64];
	size_t	i, k;
	int	f;

	(void)state;
	for (f = 0; f < RF__MAX; f++) {
		assert_int_equal(roster_field_parse(roster_field_id(f)), f);
		snprintf(buf, sizeof(buf), "  %s ", roster_field_id(f));
		for (i = 0; buf[i] != '\0'; i++)
			if (i % 2)
				buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ?
				    buf[i] - 32 : buf[i]);
		assert_int_equal(roster_field_parse(buf), f);
	}
	/* The issue's header, in its order: the required six come first. */
	static const char *const req[] = { "upn", "display_name", "email",
	    "mobile", "source", "units" };
	for (k = 0; k < NELEM(req); k++)
		assert_int_equal(roster_field_parse(req[k]), (int)k);
	assert_int_equal(RF_REQUIRED, NELEM(req));
	static const char *const bad[] = { "", "name", "upn2", "display name",
	    "alternateMobile", "units;", "phone", "mobile,email" };
	for (k = 0; k < NELEM(bad); k++)
		assert_int_equal(roster_field_parse(bad[k]), -1);
}

/* ;-separated, spaces cut, empties and repeats dropped, bounded. */
static void
test_units_split(void **state)
{
	struct arena	 a = { NULL };
	const char	*u[ROSTER_UNITS_MAX], *why = NULL;
	char		 many[ROSTER_UNITS_MAX * 8 + 16], longname[200];
	size_t		 i, o = 0;

	(void)state;
	assert_int_equal(roster_units_split(&a, "", u, ROSTER_UNITS_MAX,
	    &why), 0);
	assert_int_equal(roster_units_split(&a, " ; ;", u,
	    ROSTER_UNITS_MAX, &why), 0);
	assert_int_equal(roster_units_split(&a, "Store 1", u, ROSTER_UNITS_MAX,
	    &why), 1);
	assert_string_equal(u[0], "Store 1");
	assert_int_equal(roster_units_split(&a, " Store 1 ;Harbour, Kiosk;; "
	    "Store 1;Zoë's", u, ROSTER_UNITS_MAX, &why), 3);
	assert_string_equal(u[0], "Store 1");
	assert_string_equal(u[1], "Harbour, Kiosk");
	assert_string_equal(u[2], "Zoë's");
	for (i = 0; i <= ROSTER_UNITS_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "U%zu;", i);
	why = NULL;
	assert_int_equal(roster_units_split(&a, many, u,
	    ROSTER_UNITS_MAX, &why), -1);
	assert_non_null(why);
	memset(longname, 'x', 101);
	longname[101] = '\0';
	why = NULL;
	assert_int_equal(roster_units_split(&a, longname, u, ROSTER_UNITS_MAX,
	    &why), -1);
	assert_non_null(why);
	arena_reset(&a);
}

/* A person with the required six fields (and optional ones) set. */
static struct roster_person
person(const char *upn, const char *name, const char *mobile)
{
	struct roster_person	p;

	memset(&p, 0, sizeof(p));
	p.f[RF_UPN] = upn;
	p.f[RF_NAME] = name;
	p.f[RF_EMAIL] = "";
	p.f[RF_MOBILE] = mobile;
	p.f[RF_SOURCE] = "";
	p.f[RF_UNITS] = "";
	return p;
}

static void
test_person_good(void **state)
{
	struct arena		 a = { NULL };
	struct roster_person	 p = person(" ann@example.com ", "Lee, Ann",
	    "+1 (425) 555-0100");
	const char		*why = NULL;

	(void)state;
	p.f[RF_JOB] = "Line one\r\nline two\tand three";
	p.f[RF_OFFICE] = "+1 425 555 0199 ext. 12";
	p.f[RF_UNITS] = "Store 1;Store 2";
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), 0);
	assert_string_equal(p.f[RF_UPN], "ann@example.com");
	assert_string_equal(p.f[RF_MOBILE], "+14255550100");
	assert_string_equal(p.f[RF_OFFICE], "+14255550199 x12");
	assert_string_equal(p.f[RF_SOURCE], "");	/* cloud when new */
	assert_string_equal(p.f[RF_JOB], "Line one line two and three");
	assert_int_equal(p.nunits, 2);
	/* a field the source does not carry stays NULL: kept as it is */
	assert_null(p.f[RF_GIVEN]);
	p = person("bob@example.com", "Bob", "");
	p.f[RF_SOURCE] = "onprem";
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), 0);
	assert_string_equal(p.f[RF_MOBILE], "");
	/* with phone.country, as dialled there, as the profile form reads */
	p = person("cy@example.com", "Cy", "07700 900123");
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), ROSTER_BAD);
	p = person("cy@example.com", "Cy", "07700 900123");
	assert_int_equal(roster_person_check(&a, &p, "GB", &why), 0);
	assert_string_equal(p.f[RF_MOBILE], "+447700900123");
	arena_reset(&a);
}

static void
test_person_bad(void **state)
{
	static const char *const upns[] = { "", "ann", "ann@", "@example.com",
	    "ann smith@example.com", "a@b@c", "zoë@example.com",
	    "ann@.example.com", "ann@example..com", "ann@example.com." };
	static const struct {
		enum roster_field	 f;
		const char		*v, *says;
	} bad[] = {
		{ RF_NAME, "", "display_name" },
		{ RF_MOBILE, "425 555 0100", "mobile" },
		{ RF_MOBILE, "+1 425 555 0100 x12", "mobile" },
		{ RF_OFFICE, "call me", "office" },
		{ RF_EMAIL, "not an address", "email" },
		{ RF_EMAIL, "bad@@mail.example", "email" },
		{ RF_SOURCE, "ldap", "source" },
		{ RF_GIVEN, "\x01", "given_name" },
		{ RF_UNITS, "Store 1;\xff", "units" },
	};
	struct arena		 a = { NULL };
	struct roster_person	 p;
	const char		*why;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(upns); i++) {
		p = person(upns[i], "Ann", "");
		why = NULL;
		assert_int_equal(roster_person_check(&a, &p, NULL, &why), ROSTER_BAD);
		assert_non_null(strstr(why, "upn"));
	}
	for (i = 0; i < NELEM(bad); i++) {
		p = person("ann@example.com", "Ann", "");
		p.f[bad[i].f] = bad[i].v;
		why = NULL;
		assert_int_equal(roster_person_check(&a, &p, NULL, &why), ROSTER_BAD);
		assert_non_null(strstr(why, bad[i].says));
	}
	/* the profile form's rule: no alternate mobile without a mobile */
	p = person("ann@example.com", "Ann", "");
	p.f[RF_ALT_MOBILE] = "+14255550100";
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), ROSTER_BAD);
	p.f[RF_MOBILE] = "+14255550101";
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), 0);
	/* nor one that is the mobile again, however either was typed */
	p.f[RF_MOBILE] = "+1 (425) 555-0100";
	why = NULL;
	assert_int_equal(roster_person_check(&a, &p, NULL, &why), ROSTER_BAD);
	assert_non_null(strstr(why, "mobile number again"));
	arena_reset(&a);
}

/* The records of a file and the lines they start on. */
static void
test_csvread(void **state)
{
	static const char file[] = CSV_BOM "upn,display_name\r\n"
	    "ann@x,\"Lee, Ann\"\r\n"
	    "\r\n"
	    "bob@x,\"Bob \"\"B\"\"\nSmith\"\n"
	    "cat@x,\"two\r\nbreaks\r\nhere\"\n"
	    "dan@x,last";
	static const struct { long line; const char *f0, *f1; } want[] = {
		{ 1, "upn", "display_name" },
		{ 2, "ann@x", "Lee, Ann" },
		{ 4, "bob@x", "Bob \"B\"\nSmith" },
		{ 6, "cat@x", "two\r\nbreaks\r\nhere" },
		{ 9, "dan@x", "last" },
	};
	struct arena		 a = { NULL };
	struct csvread		*r;
	struct csvread_rec	 rec;
	const char		*why;
	long			 line;
	FILE			*f;
	size_t			 i;

	(void)state;
	f = fmemopen((void *)file, sizeof(file) - 1, "r");
	r = csvread_open(f, &a);
	for (i = 0; i < NELEM(want); i++) {
		assert_int_equal(csvread_next(r, &rec, &line, &why), 0);
		assert_int_equal(rec.n, 2);
		assert_int_equal(rec.line, want[i].line);
		assert_string_equal(rec.field[0], want[i].f0);
		assert_string_equal(rec.field[1], want[i].f1);
	}
	assert_int_equal(csvread_next(r, &rec, &line, &why), 1);
	csvread_close(r);
	fclose(f);
	arena_reset(&a);
}

/*
 * What the export writes (csv_record) reads back as the same fields:
 * blanks at a field's ends, a record of one empty field, a formula
 * cell (with its '), quotes and line breaks.
 */
static void
test_written_reads_back(void **state)
{
	static const char *const recs[][3] = {
		{ " lead", "trail\t", "in side" },
		{ "", NULL, NULL },
		{ "=1+1", "say \"hi\"", "two\r\nlines" },
		{ "\t", " ", "," },
	};
	static const size_t	 n[] = { 3, 1, 3, 3 };
	struct arena		 a = { NULL };
	struct csvread		*r;
	struct csvread_rec	 rec;
	const char		*why;
	char			*file = arena_strdup(&a, CSV_BOM);
	long			 line;
	FILE			*f;
	size_t			 i, k;

	(void)state;
	for (i = 0; i < NELEM(recs); i++)
		file = arena_printf(&a, "%s%s", file, csv_record(&a, recs[i],
		    n[i]));
	f = fmemopen(file, strlen(file), "r");
	r = csvread_open(f, &a);
	for (i = 0; i < NELEM(recs); i++) {
		assert_int_equal(csvread_next(r, &rec, &line, &why), 0);
		assert_int_equal(rec.n, n[i]);
		for (k = 0; k < n[i]; k++)
			assert_string_equal(csv_unformula(rec.field[k]),
			    recs[i][k]);
	}
	assert_int_equal(csvread_next(r, &rec, &line, &why), 1);
	csvread_close(r);
	fclose(f);
	arena_reset(&a);
}

/* Not CSV: the line of the trouble, and a reason. */
static void
test_csvread_bad(void **state)
{
	static const struct {
		const char	*file;
		size_t		 len;	/* 0: strlen(file) */
		long		 line;
	} bad[] = {
		{ "a,b\nc,\"open\nd,e\n", 0, 2 },	/* never closed */
		{ "a,b\nc,d\"e\n", 0, 2 },		/* quote inside */
		{ "a,b\nc,\"d\"e\n", 0, 2 },		/* text after quote */
		{ "a,b\nc,d\0hidden\n", 14, 2 },	/* a NUL byte */
	};
	struct arena		 a = { NULL };
	struct csvread		*r;
	struct csvread_rec	 rec;
	const char		*why;
	long			 line = 0;
	FILE			*f;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		f = fmemopen((void *)bad[i].file, bad[i].len ? bad[i].len :
		    strlen(bad[i].file), "r");
		r = csvread_open(f, &a);
		why = NULL;
		while ((rc = csvread_next(r, &rec, &line, &why)) == 0)
			continue;
		assert_int_equal(rc, -1);
		assert_int_equal(line, bad[i].line);
		assert_non_null(why);
		csvread_close(r);
		fclose(f);
	}
	arena_reset(&a);
}

/* What csv_field() guards reads back as it was (export -> import). */
static void
test_unformula(void **state)
{
	static const char *const v[] = { "+14255550100", "=SUM(A1)", "-x",
	    "@home", "plain", "it's", "'quoted'", "", "\tlead" };
	struct arena	 a = { NULL };
	const char	*f;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		f = csv_field(&a, v[i]);
		assert_string_equal(csv_unformula(f), v[i]);
	}
	assert_string_equal(csv_unformula("'+1"), "+1");
	assert_string_equal(csv_unformula("'x"), "'x");
	assert_string_equal(csv_unformula("'"), "'");
	arena_reset(&a);
}

/*
 * The header names each column once, the six required among them; a
 * row has the header's count of fields, its cells read as
 * csv_unformula() reads them.
 */
static void
test_csv_header_row(void **state)
{
	static const char *const good[] = { "units", " UPN", "display_name",
	    "email", "mobile", "source", "job_title" };
	static const char *const unknown[] = { "upn", "shoe_size" };
	static const char *const twice[] = { "upn", "email", "Upn " };
	static const char *const missing[] = { "upn", "display_name",
	    "mobile", "source", "units" };
	static const char *const row[] = { "Store 1", "a@example.com",
	    "'=Sum, \"x\"", "", "", "cloud", "'-Clerk" };
	struct arena		 a = { NULL };
	struct roster_row	 r;
	const char		*why = NULL;
	int			 col[8];

	(void)state;
	assert_int_equal(roster_csv_header(&a, unknown, NELEM(unknown), 8,
	    col, &why), ROSTER_BAD);
	assert_string_equal(why, "unknown column 'shoe_size'; the columns "
	    "are: upn, display_name, email, mobile, source, units, "
	    "given_name, surname, job_title, department, office, "
	    "alternate_mobile");
	assert_int_equal(roster_csv_header(&a, twice, NELEM(twice), 8, col,
	    &why), ROSTER_BAD);
	assert_string_equal(why, "column upn twice");
	assert_int_equal(roster_csv_header(&a, missing, NELEM(missing), 8,
	    col, &why), ROSTER_BAD);
	assert_string_equal(why, "no column email (the header must have upn, "
	    "display_name, email, mobile, source, units)");
	assert_int_equal(roster_csv_header(&a, good, NELEM(good), 6, col,
	    &why), ROSTER_BAD);
	assert_string_equal(why, "more than 6 columns");
	assert_int_equal(roster_csv_header(&a, good, NELEM(good), 8, col,
	    &why), 0);
	assert_int_equal(col[0], RF_UNITS);
	assert_int_equal(col[1], RF_UPN);
	assert_int_equal(col[6], RF_JOB);

	memset(&r, 0, sizeof(r));
	roster_csv_row(&a, col, NELEM(good), row, NELEM(row) - 1, NULL, &r);
	assert_int_equal(r.bad, ROSTER_BAD);
	assert_string_equal(r.why, "6 fields; the header has 7");
	memset(&r, 0, sizeof(r));
	roster_csv_row(&a, col, NELEM(good), row, NELEM(row), NULL, &r);
	assert_int_equal(r.bad, 0);
	assert_string_equal(r.p.f[RF_UPN], "a@example.com");
	assert_string_equal(r.p.f[RF_NAME], "=Sum, \"x\"");
	assert_string_equal(r.p.f[RF_JOB], "-Clerk");
	assert_null(r.p.f[RF_DEPT]);		/* not in the file: kept */
	assert_int_equal(r.p.nunits, 1);
	assert_string_equal(r.p.units[0], "Store 1");
	arena_reset(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_names),
		cmocka_unit_test(test_units_split),
		cmocka_unit_test(test_person_good),
		cmocka_unit_test(test_person_bad),
		cmocka_unit_test(test_csvread),
		cmocka_unit_test(test_written_reads_back),
		cmocka_unit_test(test_csvread_bad),
		cmocka_unit_test(test_unformula),
		cmocka_unit_test(test_csv_header_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * explain.c: `staffdesk-admin explain`: EXPLAIN of the statements behind
 * the My Staff pages, with parameters taken from the data (the first
 * location by name and its first member), as make bench prints them.
 * Every table access should be const, eq_ref, ref or range.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"

#define MIN_UUID	"00000000-0000-0000-0000-000000000000"

static int
explain1(struct cli *c, enum stmt id, const struct db_val *p, size_t np)
{
	struct db_rows	rs;
	size_t		r;

	if (db_explain(c->db, &c->arena, id, p, np, &rs) != DB_OK)
		return fail("EXPLAIN %s failed", db_stmt_name(id));
	printf("%s\n", db_stmt_name(id));
	/* id select_type table type possible_keys key key_len ref rows Extra */
	for (r = 0; r < rs.n; r++)
		printf("  %-18s %-8s key=%-24s rows=%-6s %s\n",
		    DB_CELL(&rs, r, 2) ? DB_CELL(&rs, r, 2) : "-",
		    DB_CELL(&rs, r, 3) ? DB_CELL(&rs, r, 3) : "-",
		    DB_CELL(&rs, r, 5) ? DB_CELL(&rs, r, 5) : "-",
		    DB_CELL(&rs, r, 8) ? DB_CELL(&rs, r, 8) : "-",
		    DB_CELL(&rs, r, 9) ? DB_CELL(&rs, r, 9) : "");
	return EXIT_OK;
}

int
cli_explain(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct db_rows	 units, people;
	struct db_val	 p[7];
	const char	*unit, *user;
	int		 rc = EXIT_OK;

	(void)arg;
	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	p[0] = DB_TEXT("");
	if (db_query(c->db, &c->arena, Q_UNITS_AFTER, p, 1, &units) != DB_OK ||
	    units.n == 0)
		return fail("no locations to explain with (run demo first)");
	unit = DB_CELL(&units, 0, 0);
	p[0] = p[1] = p[2] = p[3] = DB_TEXT(unit);
	p[4] = p[5] = DB_TEXT("");
	p[6] = DB_TEXT(MIN_UUID);
	if (db_query(c->db, &c->arena, Q_MEMBERS_AFTER, p, 7, &people) !=
	    DB_OK || people.n == 0)
		return fail("the first location has nobody in it");
	user = DB_CELL(&people, 0, 0);

	p[0] = DB_TEXT("0000");
	rc |= explain1(c, Q_SESS_LOAD, p, 1);
	p[0] = DB_TEXT(unit);
	rc |= explain1(c, Q_UNIT_GET, p, 1);
	p[0] = p[1] = p[2] = p[3] = DB_TEXT(unit);
	p[4] = p[5] = DB_TEXT("M");
	p[6] = DB_TEXT(MIN_UUID);
	rc |= explain1(c, Q_MEMBERS_AFTER, p, 7);
	p[0] = p[1] = DB_TEXT("M");
	p[2] = DB_TEXT(MIN_UUID);
	rc |= explain1(c, Q_USERS_AFTER, p, 3);
	p[0] = DB_TEXT(user);
	rc |= explain1(c, Q_USER_BY_ID, p, 1);
	p[0] = p[1] = p[2] = DB_TEXT(user);
	rc |= explain1(c, Q_USER_DETAILS, p, 3);
	p[0] = p[1] = DB_TEXT("smi%");
	p[2] = p[3] = p[4] = DB_TEXT("");
	p[5] = DB_TEXT(MIN_UUID);
	rc |= explain1(c, Q_SEARCH1, p, 6);
	return rc ? EXIT_FAIL : EXIT_OK;
}

/*
 * explain.c: `staffdesk-admin explain`: EXPLAIN of the statements behind
 * the My Staff pages (a location's recent activity too), with parameters
 * taken from the data (the first location by name and its first
 * member), as make bench prints them.
 * Every table access should be const, eq_ref, ref or range.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"

#define MIN_UUID	"00000000-0000-0000-0000-000000000000"

/* The columns of MariaDB's EXPLAIN. */
enum explain_col { X_ID, X_SELECT_TYPE, X_TABLE, X_TYPE, X_POSSIBLE_KEYS,
    X_KEY, X_KEY_LEN, X_REF, X_ROWS, X_EXTRA, X__MAX };

/* A statement's parameters, from its typed struct. */
#define PARAMS(...)	(const struct db_val *)(__VA_ARGS__), \
    sizeof(*(__VA_ARGS__)) / sizeof(struct db_val)

/* Cell c of EXPLAIN row r, or dflt for NULL. */
static const char *
cell(const struct db_rows *rs, size_t r, enum explain_col c, const char *dflt)
{
	const char	*v = DB_CELL(rs, r, c);

	return v != NULL ? v : dflt;
}

static int
explain1(struct cli *c, enum stmt id, const struct db_val *p, size_t np)
{
	struct db_rows	rs;
	size_t		r;

	if (db_explain(c->db, &c->arena, id, p, np, &rs) != DB_OK ||
	    rs.ncol != X__MAX)
		return fail("EXPLAIN %s failed", db_stmt_name(id));
	printf("%s\n", db_stmt_name(id));
	for (r = 0; r < rs.n; r++)
		printf("  %-18s %-8s key=%-24s rows=%-6s %s\n",
		    cell(&rs, r, X_TABLE, "-"), cell(&rs, r, X_TYPE, "-"),
		    cell(&rs, r, X_KEY, "-"), cell(&rs, r, X_ROWS, "-"),
		    cell(&rs, r, X_EXTRA, ""));
	return EXIT_OK;
}

int
cli_explain(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct q_units_after_rows	 units;
	struct q_members_after_rows	 people;
	struct db_val			 unit, user, none = DB_TEXT("");
	struct db_val			 first = DB_TEXT(MIN_UUID);
	int				 rc = EXIT_OK;

	(void)arg;
	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	if (q_units_after(c->db, &c->arena, &(struct q_units_after_in){
	    .name = none }, &units) != DB_OK || units.n == 0)
		return fail("no locations to explain with (run demo first)");
	unit = DB_TEXT(units.row[0].unit.id);
	if (q_members_after(c->db, &c->arena, &(struct q_members_after_in){
	    .unit = unit, .from_name = none, .name = none, .id = first },
	    &people) != DB_OK || people.n == 0)
		return fail("the first location has nobody in it");
	user = DB_TEXT(people.row[0].person.id);

	rc |= explain1(c, Q_SESS_LOAD, PARAMS(&(struct q_sess_load_in){
	    .token_hash = DB_TEXT("0000") }));
	rc |= explain1(c, Q_UNIT_GET, PARAMS(&(struct q_unit_get_in){
	    .id = unit }));
	rc |= explain1(c, Q_MEMBERS_AFTER, PARAMS(&(struct q_members_after_in){
	    .unit = unit, .from_name = DB_TEXT("M"), .name = DB_TEXT("M"),
	    .id = first }));
	rc |= explain1(c, Q_USERS_AFTER, PARAMS(&(struct q_users_after_in){
	    .from_name = DB_TEXT("M"), .name = DB_TEXT("M"), .id = first }));
	rc |= explain1(c, Q_USER_BY_ID, PARAMS(&(struct q_user_by_id_in){
	    .id = user }));
	rc |= explain1(c, Q_USER_DETAILS, PARAMS(&(struct q_user_details_in){
	    .phones_of = user, .units_of = user, .roles_of = user }));
	rc |= explain1(c, Q_SEARCH1, PARAMS(&(struct q_search1_in){
	    .term = DB_TEXT("smi%"), .prev_term = DB_TEXT("smi%"),
	    .from_word = none, .word = none, .name = none, .id = first }));
	rc |= explain1(c, Q_ACTIVITY_OLDER, PARAMS(&(struct q_activity_older_in){
	    .unit = unit, .days = DB_INT(30), .edge = DB_INT(INT64_MAX),
	    .max = DB_INT(51) }));
	return rc ? EXIT_FAIL : EXIT_OK;
}

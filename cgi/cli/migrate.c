/*
 * migrate.c: applies the numbered files of sql/ (compiled into the
 * binary by the Makefile, so no path is needed at run time) in order,
 * each recorded in schema_migrations. Re-running applies nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"
#include "search.h"

#define PHONES_MAX	3

/*
 * The migrations after which every search word is rebuilt: 2 made
 * search_words, 11 changed how its words are folded (search_fold()).
 */
static const int	reindex_after[] = { 2, 11 };

struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration	migrations[];
extern const size_t		nmigrations;

/*
 * Runs each statement of a file: statements end with ';' at the end of
 * a line; lines starting with "--" are comments.
 */
static int
run_file(struct cli *c, const struct migration *m)
{
	const char	*p = m->sql, *nl;
	char		*stmt;
	size_t		 len, n = 0;
	int		 rc;

	stmt = arena_alloc(&c->arena, strlen(m->sql) + 2);
	stmt[0] = '\0';
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!(len >= 2 && p[0] == '-' && p[1] == '-')) {
			memcpy(stmt + n, p, len);
			n += len;
			while (n > 0 && (stmt[n - 1] == ' ' ||
			    stmt[n - 1] == '\t' || stmt[n - 1] == '\r'))
				n--;
			stmt[n] = '\0';
			if (n > 0 && stmt[n - 1] == ';') {
				if ((rc = db_exec_raw(c->db, stmt)) != DB_OK)
					return rc;
				n = 0;
			} else if (n > 0)
				stmt[n++] = '\n';
			stmt[n] = '\0';
		}
		p += len + (nl != NULL);
	}
	if (strspn(stmt, " \t\r\n") != n)
		return db_exec_raw(c->db, stmt);
	return DB_OK;
}

/*
 * On a Galera node, DDL goes to every node at one point of the
 * cluster's order (wsrep_OSU_method TOI, Total Order Isolation),
 * whatever the server's default says: under RSU a migration would
 * change this node's schema alone. DB_OK or a db_err.
 */
static int
migrate_toi(struct cli *c)
{
	struct q_wsrep_on_rows	rows;
	int			rc;

	if ((rc = q_wsrep_on(c->db, &c->arena, &rows)) != DB_OK)
		return rc;
	if (rows.n == 1 && rows.row[0].on == 1)
		return db_exec_raw(c->db, "SET SESSION wsrep_OSU_method = "
		    "'TOI'");
	return DB_OK;
}

int
cli_migrate(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct q_migrations_rows	 done_rows;
	size_t				 i, r, k;
	int				 rc, applied = 0, done, reindex = 0;

	(void)arg;
	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	if (migrate_toi(c) != DB_OK)
		return fail("cannot ask for DDL in TOI on this Galera node");
	if ((rc = db_exec_raw(c->db, "CREATE TABLE IF NOT EXISTS "
	    "schema_migrations (version INT NOT NULL PRIMARY KEY, "
	    "applied_at DATETIME(6) NOT NULL) ENGINE=InnoDB")) != DB_OK)
		return fail("cannot create schema_migrations");
	if ((rc = q_migrations(c->db, &c->arena, &done_rows)) != DB_OK)
		return fail("cannot read schema_migrations");
	for (i = 0; i < nmigrations; i++) {
		for (done = 0, r = 0; r < done_rows.n; r++)
			if (done_rows.row[r].version == migrations[i].version)
				done = 1;
		if (done)
			continue;
		/* DDL commits by itself in MariaDB; each file is written to be
		 * re-runnable, and is recorded only once it all went in. */
		if (run_file(c, &migrations[i]) != DB_OK)
			return fail("migration %s failed", migrations[i].name);
		if (q_migration_add(c->db, &(struct q_migration_add_in){
		    .version = DB_INT(migrations[i].version) }, NULL) != DB_OK)
			return fail("cannot record migration %s",
			    migrations[i].name);
		printf("%s\n", migrations[i].name);
		applied++;
		for (k = 0; k < NELEM(reindex_after); k++)
			reindex |= migrations[i].version == reindex_after[k];
	}
	/* This build's views (db.h), then every statement and view against
	 * the schema as it now is (db_prepare). */
	if (db_views_make(c->db) != DB_OK)
		return fail("cannot make the views' procedures: the account "
		    "migrate connects as needs CREATE ROUTINE (README: "
		    "Deploy on Debian, step 2)");
	if (db_prepare_all(c->db) != DB_OK)
		return fail("a statement does not fit the schema or its "
		    "declaration in stmts.h (see the log)");
	if (reindex)
		return cli_reindex(c, o, a, 0, 1);	/* quiet when empty */
	if (applied == 0)
		fprintf(stderr, "staffdesk-admin: schema is up to date "
		    "(%zu migrations)\n", nmigrations);
	return EXIT_OK;
}

struct reindex {
	struct cli			*c;
	struct q_reindex_units_rows	 units;	/* or, when n is 0, */
	struct q_reindex_users_rows	 users;
};

/*
 * The words of x's units or users, in the caller's transaction. What
 * the words need (folded copies, split phones) lives in an arena of
 * this call, so a reindex of many people stays in bounded memory.
 */
static int
reindex_txn(struct db *db, void *arg)
{
	struct reindex	*x = arg;
	struct arena	 scratch = { 0 };
	const char	*phones[PHONES_MAX];
	char		*list, *save, *tok;
	size_t		 i, n;
	int		 rc = DB_OK;

	for (i = 0; i < x->units.n; i++)
		if ((rc = search_index(db, &scratch, "unit",
		    x->units.row[i].id, x->units.row[i].name, NULL, NULL, NULL,
		    0)) != DB_OK)
			goto out;
	for (i = 0; i < x->users.n; i++) {
		const struct q_reindex_users_row	*u = &x->users.row[i];

		/* A copy: the rows must stay whole for a retry. */
		n = 0;
		list = u->phones ? arena_strdup(&scratch, u->phones) : NULL;
		for (tok = list ? strtok_r(list, " ", &save) : NULL;
		    tok != NULL && n < PHONES_MAX;
		    tok = strtok_r(NULL, " ", &save))
			phones[n++] = tok;
		if ((rc = search_index(db, &scratch, "user", u->id,
		    u->display_name, u->upn, u->email, phones, n)) != DB_OK)
			goto out;
	}
out:
	arena_reset(&scratch);
	return rc;
}

/*
 * reindex: rebuilds search_words from users, phones and units; arg 1
 * (after a migration) says nothing when there was nobody to index.
 */
int
cli_reindex(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct reindex	 x;
	struct arena	 batch = { 0 };	/* one batch of users' rows */
	char		 last[UUID_LEN + 1] =
			    "00000000-0000-0000-0000-000000000000";
	size_t		 total = 0;
	int		 rc = EXIT_OK;

	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	memset(&x, 0, sizeof(x));
	x.c = c;
	if (q_reindex_units(c->db, &c->arena, &x.units) != DB_OK ||
	    db_txn(c->db, reindex_txn, &x) != DB_OK)
		return fail("reindex of units failed");
	x.units.n = 0;
	for (;;) {
		arena_reset(&batch);
		if (q_reindex_users(c->db, &batch,
		    &(struct q_reindex_users_in){ .after = DB_TEXT(last) },
		    &x.users) != DB_OK) {
			rc = fail("reindex: cannot read users");
			goto out;
		}
		if (x.users.n == 0)
			break;
		if (db_txn(c->db, reindex_txn, &x) != DB_OK) {
			rc = fail("reindex of users failed");
			goto out;
		}
		total += x.users.n;
		if (snprintf(last, sizeof(last), "%s",
		    x.users.row[x.users.n - 1].id) >= (int)sizeof(last)) {
			rc = fail("reindex: an id is not a UUID");
			goto out;
		}
	}
	if (total > 0 || arg == 0)
		fprintf(stderr, "staffdesk-admin: search index rebuilt for %zu "
		    "people\n", total);
out:
	arena_reset(&batch);
	return rc;
}

/*
 * settings.c: staffdesk-admin settings get | set, and mystaff select |
 * unselect | selected (the list mystaff.access = selected uses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/audit.h"
#include "db/db.h"
#include "settings.h"

struct setting_set {
	struct cli		*c;
	const char		*name;
	struct settings		 cur, next;
};

static int
setting_txn(struct db *db, void *arg)
{
	struct setting_set	*s = arg;
	const char		*details;
	size_t			 n;
	int			 rc;

	if ((rc = settings_store(db, &s->c->arena, &s->cur, &s->next,
	    &details, &n)) != DB_OK)
		return rc;
	if (n == 0)
		return DB_NONE;
	return cli_audit(s->c, db, "settings.update", NULL, s->name, details);
}

static int
run_select(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_mystaff_select(db, &s->in.select, n);
}

static int
run_unselect(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_mystaff_unselect(db, &s->in.select, n);
}

int
cli_settings_get(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct settings	st;
	int		i, rc;

	(void)arg;
	(void)o;
	if (n != 1)
		return EXIT_USAGE;
	if ((i = settings_find(a[0])) < 0)
		return fail("unknown setting %s", a[0]);
	if ((rc = settings_load(c->db, &c->arena, &st)) != DB_OK)
		return cli_db_fail(rc);
	printf("%s\n", settings_str(&st, i));
	return EXIT_OK;
}

int
cli_settings_set(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct setting_set	 s;
	enum setting		 which;
	const char		*why;
	int			 i, rc;

	(void)arg;
	(void)o;
	if (n != 2)
		return EXIT_USAGE;
	if ((i = settings_find(a[0])) < 0)
		return fail("unknown setting %s", a[0]);
	if ((why = settings_check(&c->arena, i, a[1])) != NULL)
		return fail("%s %s", a[0], why);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.name = a[0];
	if ((rc = settings_load(c->db, &c->arena, &s.cur)) != DB_OK)
		return cli_db_fail(rc);
	s.next = s.cur;
	s.next.value[i] = settings_normalise(&c->arena, i, a[1]);
	if ((why = settings_conflict(&s.next, &which)) != NULL)
		return fail("%s %s", settings_name(which), why);
	/* Setting what is set already changes nothing and is no error. */
	if ((rc = db_txn(c->db, setting_txn, &s)) != DB_OK && rc != DB_NONE)
		return cli_db_fail(rc);
	printf("%s\n", a[0]);
	return EXIT_OK;
}

int
cli_mystaff(struct cli *c, const struct opts *o, const char *const *a, int n,
    int select)
{
	struct cli_simple	 s;
	const char	*user = opt(o, "--user"), *id, *name;
	int		 rc;

	(void)a; (void)n;
	if (user == NULL)
		return EXIT_USAGE;
	if ((rc = cli_find_user(c, user, &id, &name)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = select ? run_select : run_unselect;
	s.in.select = (struct q_mystaff_select_in){ .user = DB_TEXT(id) };
	s.action = select ? "mystaff.select" : "mystaff.unselect";
	s.target_id = id;
	s.target_name = name;
	s.must_change = !select;
	return cli_run_simple(&s, id, "that user was not selected");
}

int
cli_mystaff_selected(struct cli *c, const struct opts *o,
    const char *const *a, int n, int arg)
{
	struct q_mystaff_list_rows	rows;
	size_t				i;
	int				rc;

	(void)arg;
	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	if ((rc = q_mystaff_list(c->db, &c->arena, &rows)) != DB_OK)
		return cli_db_fail(rc);
	for (i = 0; i < rows.n; i++)
		printf("%s\n", rows.row[i].upn);
	return EXIT_OK;
}

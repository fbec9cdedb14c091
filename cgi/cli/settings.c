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

/* A refusal of setting_txn: the value clashes with the others. */
enum { TXN_CONFLICT = DB_REFUSED };

struct setting_set {
	struct cli		*c;
	enum setting		 set;
	const char		*value;		/* checked, normalised */
	enum setting		 which;		/* TXN_CONFLICT: why */
	const char		*why;
};

/* Reads the settings locked, sets one and stores it with its audit row. */
static int
setting_txn(struct db *db, void *arg)
{
	struct setting_set	*s = arg;
	struct settings		 cur, next;
	const char		*details;
	size_t			 n;
	int			 rc;

	if ((rc = settings_load(db, &s->c->arena, &cur, 1)) != DB_OK)
		return rc;
	next = cur;
	next.value[s->set] = s->value;
	if ((s->why = settings_conflict(&next, s->c->conf,
	    &s->which)) != NULL)
		return TXN_CONFLICT;
	if ((rc = settings_store(db, &s->c->arena, &cur, &next, &details,
	    &n)) != DB_OK)
		return rc;
	if (n == 0)
		return DB_NONE;
	return cli_audit(s->c, db, "settings.update", NULL,
	    settings_name(s->set), details);
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
	if ((rc = settings_load(c->db, &c->arena, &st, 0)) != DB_OK)
		return cli_db_fail(rc);
	printf("%s\n", settings_str(&st, i));
	return EXIT_OK;
}

int
cli_settings_set(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct setting_set	 s;
	const char		*why, *value;
	int			 i, rc;

	(void)arg;
	(void)o;
	if (n != 2)
		return EXIT_USAGE;
	if ((i = settings_find(a[0])) < 0)
		return fail("unknown setting %s", a[0]);
	value = settings_normalise(&c->arena, i, a[1]);
	if ((why = settings_check(&c->arena, i, value)) != NULL)
		return fail("%s %s", a[0], why);
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.set = i;
	s.value = value;
	/* Setting what is set already changes nothing and is no error. */
	if ((rc = db_txn(c->db, setting_txn, &s)) == TXN_CONFLICT)
		return fail("%s %s", settings_name(s.which), s.why);
	if (rc != DB_OK && rc != DB_NONE)
		return cli_db_fail(rc);
	printf("%s = %s%s\n", settings_name(i), value,
	    rc == DB_NONE ? " (unchanged)" : "");
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

/*
 * mystaff selected (arg 0) | sms selected (arg 1): the UPNs on the list
 * mystaff.access = selected, or sms.signin = selected, lets in.
 */
int
cli_selected(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct q_mystaff_list_rows	rows;
	size_t				i;
	int				rc;

	(void)o; (void)a;
	if (n != 0)
		return EXIT_USAGE;
	if ((rc = (arg ? q_sms_signin_list : q_mystaff_list)(c->db, &c->arena,
	    &rows)) != DB_OK)
		return cli_db_fail(rc);
	for (i = 0; i < rows.n; i++)
		printf("%s\n", rows.row[i].upn);
	return EXIT_OK;
}

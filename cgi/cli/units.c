/*
 * units.c: staffdesk-admin unit add | add-member | remove-member, and
 * role assign | revoke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "cli/cli.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/roles.h"
#include "location.h"
#include "search.h"

static int
run_member_add(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_member_add(db, &s->in.member, n);
}

static int
run_member_remove(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_member_remove(db, &s->in.member, n);
}

static int
run_role_assign(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_role_assign(db, &s->in.role, n);
}

/* A revoke, with the rule the admin console keeps (db/roles.h). */
struct revoke {
	struct cli		*c;
	struct role_revoke	 rv;
	const char		*name, *details;
};

static int
revoke_txn(struct db *db, void *arg)
{
	struct revoke	*v = arg;
	int		 rc;

	if ((rc = db_role_revoke(db, &v->c->arena, &v->rv)) != DB_OK)
		return rc;
	return cli_audit(v->c, db, "role.revoke", v->rv.user_id, v->name,
	    v->details);
}

static int
revoke_refused_txn(struct db *db, void *arg)
{
	struct revoke	*v = arg;

	return cli_audit_refusal(v->c, db, "role.revoke",
	    "last_global_administrator", v->rv.user_id, v->name, v->details);
}

/* Runs v; prints the person's id; exit 1 with a sentence if refused. */
static int
revoke_run(struct revoke *v)
{
	int	rc;

	switch ((rc = db_txn(v->c->db, revoke_txn, v))) {
	case DB_OK:
		printf("%s\n", v->rv.user_id);
		return EXIT_OK;
	case ROLE_NOT_HELD:
		return fail("that user does not hold that role there");
	case ROLE_LAST_GLOBAL:
		if ((rc = db_txn(v->c->db, revoke_refused_txn, v)) != DB_OK)
			return cli_db_fail(rc);
		return fail("%s is the last global administrator of the "
		    "organisation, so the role stays: assign another global "
		    "administrator first.%s%s", v->name,
		    v->rv.ndisabled > 0 ? " " : "",
		    db_role_disabled_text(&v->c->arena, &v->rv));
	}
	return cli_db_fail(rc);
}

struct unit_add {
	struct cli	*c;
	char		 id[UUID_LEN + 1];
	const char	*name, *desc;
};

static int
unit_add_txn(struct db *db, void *arg)
{
	struct unit_add	*u = arg;
	int		 rc;

	if ((rc = q_unit_insert(db, &(struct q_unit_insert_in){
	    .id = DB_TEXT(u->id), .name = DB_TEXT(u->name),
	    .description = DB_TEXT(u->desc) }, NULL)) != DB_OK ||
	    (rc = search_index(db, &u->c->arena, "unit", u->id, u->name, NULL,
	    NULL, NULL, 0)) != DB_OK)
		return rc;
	return cli_audit(u->c, db, "unit.create", u->id, u->name, NULL);
}

int
cli_unit_add(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct unit_add	u;
	int		rc;

	(void)arg;
	(void)a; (void)n;
	memset(&u, 0, sizeof(u));
	u.c = c;
	if (opt(o, "--name") == NULL)
		return EXIT_USAGE;
	/* The rules the admin console keeps (location.h). */
	u.name = location_trim(&c->arena, opt(o, "--name"));
	u.desc = location_trim(&c->arena, opt(o, "--description"));
	if ((rc = location_name_check(u.name)) != 0 ||
	    (rc = location_desc_check(u.desc)) != 0)
		return fail("%s", location_refusal_text(rc));
	if (u.desc != NULL && *u.desc == '\0')
		u.desc = NULL;
	uuid_v4(u.id);
	if ((rc = db_txn(c->db, unit_add_txn, &u)) != DB_OK) {
		if (rc == DB_DUP)
			return fail("a unit named %s already exists", u.name);
		return cli_db_fail(rc);
	}
	printf("%s\n", u.id);
	return EXIT_OK;
}

int
cli_unit_member(struct cli *c, const struct opts *o, const char *const *a,
    int n, int add)
{
	struct cli_simple	 s;
	const char	*unit = opt(o, "--unit"), *user = opt(o, "--user");
	const char	*uid, *uname, *nid, *nname;
	int		 rc;

	(void)a; (void)n;
	if (unit == NULL || user == NULL)
		return EXIT_USAGE;
	if ((rc = cli_find_unit(c, unit, &nid, &nname)) != 0)
		return rc;
	if ((rc = cli_find_user(c, user, &uid, &uname)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = add ? run_member_add : run_member_remove;
	s.in.member = (struct q_member_add_in){ .unit = DB_TEXT(nid),
	    .user = DB_TEXT(uid) };
	s.action = add ? "unit.member.add" : "unit.member.remove";
	s.target_id = uid;
	s.target_name = uname;
	s.details = arena_printf(&c->arena, "{\"unit\":%s}",
	    json_string(&c->arena, nname));
	s.must_change = !add;
	return cli_run_simple(&s, uid, "that user is not a member of that unit");
}

int
cli_role(struct cli *c, const struct opts *o, const char *const *a, int n,
    int assign)
{
	struct cli_simple	 s;
	struct revoke		 v;
	const char	*user = opt(o, "--user"), *role = opt(o, "--role");
	const char	*unit = opt(o, "--unit"), *uid, *uname, *details;
	const char	*nid = NULL, *nname = NULL;
	int		 rc, k;

	(void)a; (void)n;
	if (user == NULL || role == NULL)
		return EXIT_USAGE;
	if (authz_role_parse(role) < 0) {
		fprintf(stderr, "staffdesk-admin: unknown role %s; one of:", role);
		for (k = 0; k < ROLE__MAX; k++)
			fprintf(stderr, " %s", authz_role_id((enum role)k));
		fputc('\n', stderr);
		return EXIT_FAIL;
	}
	if (assign && unit != NULL &&
	    !authz_role_at_location((enum role)authz_role_parse(role)))
		return fail("%s is held for the whole organisation only "
		    "(no --unit)", role);
	if ((rc = cli_find_user(c, user, &uid, &uname)) != 0)
		return rc;
	if (unit != NULL && (rc = cli_find_unit(c, unit, &nid, &nname)) != 0)
		return rc;
	details = arena_printf(&c->arena, "{\"role\":%s,\"unit\":%s}",
	    json_string(&c->arena, role), nname != NULL ?
	    json_string(&c->arena, nname) : "null");
	if (!assign) {
		memset(&v, 0, sizeof(v));
		v.c = c;
		v.rv = (struct role_revoke){ .user_id = uid,
		    .role = (enum role)authz_role_parse(role), .unit_id = nid };
		v.name = uname;
		v.details = details;
		return revoke_run(&v);
	}
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = run_role_assign;
	s.in.role = (struct q_role_assign_in){ .user = DB_TEXT(uid),
	    .role = DB_TEXT(role), .unit = DB_TEXT(nid) };
	s.action = "role.assign";
	s.target_id = uid;
	s.target_name = uname;
	s.details = details;
	return cli_run_simple(&s, uid, "that user does not hold that role there");
}

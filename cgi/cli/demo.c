/*
 * demo.c: `staffdesk-admin demo [--units N] [--users M]`: a demo
 * organisation with known sign-ins. Every row has an id derived from
 * its number, so a re-run with larger numbers adds only what is missing.
 * All demo accounts share one password hash (one argon2 run, not M):
 * fine for a demo, never for real accounts.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "db/db.h"
#include "search.h"

#define DEMO_PASSWORD	"Staffdesk-Demo-2026"
#define DEMO_DOMAIN	"demo.example"
#define DEMO_UNITS_MAX	100000
#define DEMO_USERS_MAX	10000000
#define DEMO_BATCH	2000	/* users per transaction */

static const char *const first[] = {
	"Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hugo",
	"Isabel", "Jamal", "Kira", "Liam", "Maria", "Noah", "Olivia", "Pavel",
	"Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Xavier",
	"Yara", "Zoë", "Aiko", "Bruno", "Carmen", "Dmitri", "Elif", "José",
};
static const char *const last[] = {
	"Smith", "Johnson", "Müller", "García", "Nguyen", "Kowalski", "Brown",
	"Okafor", "Rossi", "Tanaka", "Dubois", "Silva", "Andersson", "Patel",
	"O'Brien", "Kim", "Novak", "Schmidt", "López", "Haddad", "Jensen",
	"Moreau", "Ivanova", "Costa", "Fischer", "Wright", "Yilmaz", "Chen",
	"Murphy", "Bianchi", "Eriksen", "Walker",
};
static const char *const jobs[] = {
	"Sales associate", "Cashier", "Stock clerk", "Shift lead",
	"Pharmacist", "Nurse", "Machine operator", "Baker",
};

/* A stable UUID (version 4 layout) for the n-th thing of a kind. */
static void
demo_id(const char *kind, long n, char out[UUID_LEN + 1])
{
	char	seed[64], h[65];

	snprintf(seed, sizeof(seed), "staffdesk-demo:%s:%ld", kind, n);
	sha256_hex(seed, strlen(seed), h);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	snprintf(out, UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

struct demo {
	struct cli	*c;
	long		 units, users, from, to;
	const char	*hash;
};

/* A user, their mobile (phone may be NULL) and their search words. */
static int
put_user(struct db *db, struct demo *d, const char *id, const char *upn,
    const char *name, const char *given, const char *sur, const char *job,
    const char *source, const char *phone)
{
	struct db_val	p[10];
	int		rc;

	p[0] = DB_TEXT(id);
	p[1] = DB_TEXT(upn);
	p[2] = DB_TEXT(name);
	p[3] = DB_TEXT(given);
	p[4] = DB_TEXT(sur);
	p[5] = DB_TEXT(upn);
	p[6] = DB_TEXT(job);
	p[7] = DB_NULL;
	p[8] = DB_TEXT(source);
	p[9] = DB_TEXT(d->hash);
	if ((rc = db_exec(db, Q_USER_INSERT_KEEP, p, 10, NULL)) != DB_OK)
		return rc;
	if (phone != NULL) {
		p[1] = DB_TEXT("mobile");
		p[2] = DB_TEXT(phone);
		if ((rc = db_exec(db, Q_PHONE_INSERT_KEEP, p, 3, NULL)) !=
		    DB_OK)
			return rc;
	}
	return search_index(db, &d->c->arena, "user", id, name, upn, upn,
	    &phone, phone != NULL);
}

static int
put_member(struct db *db, long unit, const char *user_id)
{
	char		uid[UUID_LEN + 1];
	struct db_val	p[2];

	demo_id("unit", unit, uid);
	p[0] = DB_TEXT(uid);
	p[1] = DB_TEXT(user_id);
	return db_exec(db, Q_MEMBER_ADD, p, 2, NULL);
}

static int
put_role(struct db *db, const char *user_id, const char *role, long unit)
{
	char		uid[UUID_LEN + 1];
	struct db_val	p[3];

	if (unit > 0)
		demo_id("unit", unit, uid);
	p[0] = DB_TEXT(user_id);
	p[1] = DB_TEXT(role);
	p[2] = unit > 0 ? DB_TEXT(uid) : DB_NULL;
	return db_exec(db, Q_ROLE_ASSIGN_KEEP, p, 3, NULL);
}

/* Units, their managers and the org-scope admins. */
static int
demo_units_txn(struct db *db, void *arg)
{
	struct demo	*d = arg;
	struct arena	*a = &d->c->arena;
	char		 id[UUID_LEN + 1];
	struct db_val	 p[3];
	long		 u;
	int		 rc;

	for (u = 1; u <= d->units; u++) {
		demo_id("unit", u, id);
		p[0] = DB_TEXT(id);
		p[1] = DB_TEXT(arena_printf(a, "Store %03ld", u));
		p[2] = DB_TEXT(arena_printf(a, "Demo location number %ld", u));
		if ((rc = db_exec(db, Q_UNIT_INSERT_KEEP, p, 3, NULL)) !=
		    DB_OK || (rc = search_index(db, a, "unit", id,
		    arena_printf(a, "Store %03ld", u), NULL, NULL, NULL, 0)) !=
		    DB_OK)
			return rc;
		demo_id("manager", u, id);
		if ((rc = put_user(db, d, id, arena_printf(a,
		    "manager%03ld@" DEMO_DOMAIN, u), arena_printf(a,
		    "Store %03ld Manager", u), "Store", "Manager",
		    "Store manager", "cloud", NULL)) != DB_OK ||
		    (rc = put_member(db, u, id)) != DB_OK ||
		    (rc = put_role(db, id, "authentication-administrator", u)) !=
		    DB_OK)
			return rc;
		arena_reset(a);
	}
	demo_id("admin", 1, id);
	if ((rc = put_user(db, d, id, "admin@" DEMO_DOMAIN, "Ada Admin", "Ada",
	    "Admin", "IT administrator", "cloud", NULL)) != DB_OK ||
	    (rc = put_role(db, id, "global-administrator", 0)) != DB_OK)
		return rc;
	demo_id("admin", 2, id);
	if ((rc = put_user(db, d, id, "helpdesk@" DEMO_DOMAIN, "Hal Helpdesk",
	    "Hal", "Helpdesk", "Helpdesk agent", "cloud", NULL)) != DB_OK ||
	    (rc = put_role(db, id, "helpdesk-administrator", 0)) != DB_OK)
		return rc;
	return cli_audit(d->c, db, "demo", NULL, NULL, arena_printf(a,
	    "{\"units\":%ld,\"users\":%ld}", d->units, d->users));
}

/* Staff d->from .. d->to, each in 1-3 locations, most with a mobile. */
static int
demo_users_txn(struct db *db, void *arg)
{
	struct demo	*d = arg;
	struct arena	*a = &d->c->arena;
	const char	*g, *s;
	char		 id[UUID_LEN + 1];
	long		 i;
	int		 rc;

	for (i = d->from; i <= d->to; i++) {
		g = first[i % NELEM(first)];
		s = last[(i / NELEM(first)) % NELEM(last)];
		demo_id("user", i, id);
		if ((rc = put_user(db, d, id, arena_printf(a,
		    "user%05ld@" DEMO_DOMAIN, i), arena_printf(a, "%s %s", g, s),
		    g, s, jobs[i % NELEM(jobs)], i % 5 == 4 ? "onprem" :
		    "cloud", i % 10 != 9 ? arena_printf(a, "+1425%07ld", i) :
		    NULL)) != DB_OK ||
		    (rc = put_member(db, 1 + i % d->units, id)) != DB_OK)
			return rc;
		if (i % 10 == 3 && d->units > 1 && (rc = put_member(db,
		    1 + (i * 7 + 1) % d->units, id)) != DB_OK)
			return rc;
		if (i % 25 == 7 && d->units > 2 && (rc = put_member(db,
		    1 + (i * 13 + 2) % d->units, id)) != DB_OK)
			return rc;
		arena_reset(a);
	}
	return DB_OK;
}

static int
parse_count(const char *s, long dflt, long max, long *out)
{
	int64_t	v;

	if (s == NULL) {
		*out = dflt;
		return 0;
	}
	if (parse_int64(s, 1, max, &v) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

int
cli_demo(struct cli *c, const struct opts *o, const char *const *a, int n, int arg)
{
	struct demo	d;
	char		hash[PW_HASH_MAX];
	int		rc;

	(void)arg;
	(void)a;
	if (n != 0)
		return EXIT_USAGE;
	memset(&d, 0, sizeof(d));
	d.c = c;
	if (parse_count(opt(o, "--units"), 3, DEMO_UNITS_MAX, &d.units) ||
	    parse_count(opt(o, "--users"), 30, DEMO_USERS_MAX, &d.users))
		return fail("--units is 1-%d and --users 1-%d", DEMO_UNITS_MAX,
		    DEMO_USERS_MAX);
	if (pw_hash(DEMO_PASSWORD, hash, sizeof(hash)) == -1)
		return fail("could not hash the demo password");
	d.hash = hash;
	if ((rc = db_txn(c->db, demo_units_txn, &d)) != DB_OK)
		return fail("demo: the database refused the units");
	for (d.from = 1; d.from <= d.users; d.from += DEMO_BATCH) {
		d.to = d.from + DEMO_BATCH - 1 < d.users ?
		    d.from + DEMO_BATCH - 1 : d.users;
		if ((rc = db_txn(c->db, demo_users_txn, &d)) != DB_OK)
			return fail("demo: the database refused users %ld-%ld",
			    d.from, d.to);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	printf("Demo organisation: %ld locations, %ld staff, one manager "
	    "per location.\n", d.units, d.users);
	printf("Every demo account's password is " DEMO_PASSWORD "\n");
	printf("  admin@" DEMO_DOMAIN "       global administrator (sets up "
	    "an authenticator app at first sign-in)\n");
	printf("  helpdesk@" DEMO_DOMAIN "    helpdesk administrator, whole "
	    "organisation\n");
	printf("  manager001@" DEMO_DOMAIN "  authentication administrator "
	    "of Store 001\n");
	printf("  user00001@" DEMO_DOMAIN "   staff, no role\n");
	return EXIT_OK;
}

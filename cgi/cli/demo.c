/*
 * demo.c: `staffdesk-admin demo [--units N] [--users M]`: a demo
 * organisation with known sign-ins. Every row has an id derived from
 * its number, so a re-run with larger numbers adds only what is missing.
 * All demo accounts share one password hash (one argon2 run, not M):
 * fine for a demo, never for real accounts. People go in DEMO_ROWS to
 * a multi-row insert, 2,000 to a transaction.
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

/* Rows waiting for the next multi-row inserts (strings in the arena). */
struct demo_rows {
	size_t			 nusers, nmobiles, nmembers;
	struct q_demo_users_in	 users;
	struct q_demo_mobiles_in mobiles;
	struct q_demo_members_in members;
	struct search_batch	 words;
};

struct demo {
	struct cli		*c;
	long			 units, users, from, to;
	const char		*hash;
	const char		*clash;	/* a location of that name, not the demo's */
	struct demo_rows	 rows;
};

/* Starts a transaction's batch (again, when db_txn retries it). */
static void
rows_init(struct demo *d)
{
	d->rows.nusers = d->rows.nmobiles = d->rows.nmembers = 0;
	search_batch_init(&d->rows.words, "user");
}

/*
 * A short batch of a multi-row insert repeats its last row (a no-op: the
 * statements keep what is there): rows[n..NELEM) = rows[n - 1].
 */
#define PAD_ROWS(rows, n) do {						\
	size_t	pad_;							\
	for (pad_ = (n); pad_ > 0 && pad_ < NELEM(rows); pad_++)	\
		(rows)[pad_] = (rows)[(n) - 1];				\
} while (0)

/*
 * Writes the waiting rows: people, then their mobiles (the trigger
 * counts them), then memberships (which copy the count), then words.
 * The arena is free again afterwards.
 */
static int
rows_flush(struct db *db, struct demo *d)
{
	struct demo_rows	*b = &d->rows;
	int			 rc;

	PAD_ROWS(b->users.rows, b->nusers);
	PAD_ROWS(b->mobiles.rows, b->nmobiles);
	PAD_ROWS(b->members.rows, b->nmembers);
	if ((b->nusers > 0 && (rc = q_demo_users(db, &b->users, NULL)) !=
	    DB_OK) || (b->nmobiles > 0 && (rc = q_demo_mobiles(db,
	    &b->mobiles, NULL)) != DB_OK) || (b->nmembers > 0 &&
	    (rc = q_demo_members(db, &b->members, NULL)) != DB_OK) ||
	    (rc = search_batch_flush(db, &b->words)) != DB_OK)
		return rc;
	b->nusers = b->nmobiles = b->nmembers = 0;
	arena_reset(&d->c->arena);
	return DB_OK;
}

/* Flushes a full batch: call before building the next person's strings. */
static int
rows_room(struct db *db, struct demo *d)
{
	return d->rows.nusers < DEMO_ROWS ? DB_OK : rows_flush(db, d);
}

/* Queues a user, their mobile (phone may be NULL) and search words. */
static int
put_user(struct db *db, struct demo *d, const char *id, const char *upn,
    const char *name, const char *given, const char *sur, const char *job,
    const char *source, const char *phone)
{
	struct demo_rows	*b = &d->rows;

	b->users.rows[b->nusers].id = DB_TEXT(id);
	b->users.rows[b->nusers].upn = DB_TEXT(upn);
	b->users.rows[b->nusers].display_name = DB_TEXT(name);
	b->users.rows[b->nusers].given_name = DB_TEXT(given);
	b->users.rows[b->nusers].surname = DB_TEXT(sur);
	b->users.rows[b->nusers].email = DB_TEXT(upn);
	b->users.rows[b->nusers].job_title = DB_TEXT(job);
	b->users.rows[b->nusers].department = DB_NULL;
	b->users.rows[b->nusers].source = DB_TEXT(source);
	b->users.rows[b->nusers].password_hash = DB_TEXT(d->hash);
	b->nusers++;
	if (phone != NULL) {
		b->mobiles.rows[b->nmobiles].user = DB_TEXT(id);
		b->mobiles.rows[b->nmobiles].number = DB_TEXT(phone);
		b->nmobiles++;
	}
	return search_batch_add(db, &d->c->arena, &b->words, id, name, upn,
	    upn, &phone, phone != NULL);
}

/* Queues a membership of the user put last (at most 3 each: DEMO_MEMBERS). */
static void
put_member(struct demo *d, long unit, const char *user_id)
{
	struct demo_rows	*b = &d->rows;
	char			*uid = arena_alloc(&d->c->arena, UUID_LEN + 1);

	demo_id("unit", unit, uid);
	b->members.rows[b->nmembers].unit = DB_TEXT(uid);
	b->members.rows[b->nmembers].user = DB_TEXT(user_id);
	b->nmembers++;
}

static int
put_role(struct db *db, const char *user_id, const char *role, long unit)
{
	char		uid[UUID_LEN + 1];

	if (unit > 0)
		demo_id("unit", unit, uid);
	return q_role_assign_keep(db, &(struct q_role_assign_in){
	    .user = DB_TEXT(user_id), .role = DB_TEXT(role),
	    .unit = unit > 0 ? DB_TEXT(uid) : DB_NULL }, NULL);
}

/* A new id from the arena: queued rows point at it until the flush. */
static char *
new_id(struct demo *d, const char *kind, long n)
{
	char	*id = arena_alloc(&d->c->arena, UUID_LEN + 1);

	demo_id(kind, n, id);
	return id;
}

/* Units, their managers and the org-scope admins. */
static int
demo_units_txn(struct db *db, void *arg)
{
	static const struct { const char *upn, *name, *given, *sur, *job,
	    *role; } admins[] = {
		{ "admin@" DEMO_DOMAIN, "Ada Admin", "Ada", "Admin",
		  "IT administrator", "global-administrator" },
		{ "helpdesk@" DEMO_DOMAIN, "Hal Helpdesk", "Hal", "Helpdesk",
		  "Helpdesk agent", "helpdesk-administrator" },
	};
	struct demo			*d = arg;
	struct arena			*a = &d->c->arena;
	struct q_unit_by_id_rows	 same;
	const char			*id, *name;
	long				 u;
	size_t				 i;
	int				 rc;

	rows_init(d);
	d->clash = NULL;
	for (u = 1; u <= d->units; u++) {
		if ((rc = rows_room(db, d)) != DB_OK)
			return rc;
		id = new_id(d, "unit", u);
		name = arena_printf(a, "Store %03ld", u);
		if ((rc = q_unit_insert_keep(db, &(struct q_unit_insert_in){
		    .id = DB_TEXT(id), .name = DB_TEXT(name),
		    .description = DB_TEXT(arena_printf(a, "Demo location "
		    "number %ld", u)) }, NULL)) != DB_OK ||
		    (rc = q_unit_by_name(db, a, &(struct q_unit_by_name_in){
		    .name = DB_TEXT(name) }, &same)) != DB_OK)
			return rc;
		/* The name kept by someone else's location: the demo's staff
		 * must not join it. */
		if (same.n != 1 || strcmp(same.row[0].id, id) != 0) {
			d->clash = name;
			return DB_NONE;
		}
		if ((rc = search_index(db, a, "unit", id, name, NULL,
		    NULL, NULL, 0)) != DB_OK)
			return rc;
		id = new_id(d, "manager", u);
		if ((rc = put_user(db, d, id, arena_printf(a,
		    "manager%03ld@" DEMO_DOMAIN, u), arena_printf(a,
		    "Store %03ld Manager", u), "Store", "Manager",
		    "Store manager", "cloud", NULL)) != DB_OK)
			return rc;
		put_member(d, u, id);
	}
	for (i = 0; i < NELEM(admins); i++)
		if ((rc = rows_room(db, d)) != DB_OK || (rc = put_user(db, d,
		    new_id(d, "admin", (long)i + 1), admins[i].upn,
		    admins[i].name, admins[i].given, admins[i].sur,
		    admins[i].job, "cloud", NULL)) != DB_OK)
			return rc;
	/* The roles, once their holders are written. */
	if ((rc = rows_flush(db, d)) != DB_OK)
		return rc;
	for (u = 1; u <= d->units; u++) {
		if ((rc = put_role(db, new_id(d, "manager", u),
		    "authentication-administrator", u)) != DB_OK)
			return rc;
		arena_reset(a);
	}
	for (i = 0; i < NELEM(admins); i++)
		if ((rc = put_role(db, new_id(d, "admin", (long)i + 1),
		    admins[i].role, 0)) != DB_OK)
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
	const char	*g, *s, *id;
	long		 i;
	int		 rc;

	rows_init(d);
	for (i = d->from; i <= d->to; i++) {
		if ((rc = rows_room(db, d)) != DB_OK)
			return rc;
		g = first[i % NELEM(first)];
		s = last[(i / NELEM(first)) % NELEM(last)];
		id = new_id(d, "user", i);
		if ((rc = put_user(db, d, id, arena_printf(a,
		    "user%05ld@" DEMO_DOMAIN, i), arena_printf(a, "%s %s", g, s),
		    g, s, jobs[i % NELEM(jobs)], i % 5 == 4 ? "onprem" :
		    "cloud", i % 10 != 9 ? arena_printf(a, "+1425%07ld", i) :
		    NULL)) != DB_OK)
			return rc;
		put_member(d, 1 + i % d->units, id);
		if (i % 10 == 3 && d->units > 1)
			put_member(d, 1 + (i * 7 + 1) % d->units, id);
		if (i % 25 == 7 && d->units > 2)
			put_member(d, 1 + (i * 13 + 2) % d->units, id);
	}
	return rows_flush(db, d);
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
	if ((rc = db_txn(c->db, demo_units_txn, &d)) != DB_OK && d.clash)
		return fail("demo: a location named %s exists and is not the "
		    "demo's; the demo adds its own Store 001..%03ld, so run it "
		    "on a database without such names", d.clash, d.units);
	if (rc != DB_OK)
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
	printf("  admin@" DEMO_DOMAIN "       global administrator\n");
	printf("  helpdesk@" DEMO_DOMAIN "    helpdesk administrator, whole "
	    "organisation\n");
	printf("  manager001@" DEMO_DOMAIN "  authentication administrator "
	    "of Store 001\n");
	printf("  user00001@" DEMO_DOMAIN "   staff, no role\n");
	printf("Everyone holding a role sets up an authenticator app at the "
	    "first sign-in.\n");
	return EXIT_OK;
}

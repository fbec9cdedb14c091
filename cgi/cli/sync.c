/*
 * sync.c: staffdesk-admin sync ldap [--dry-run]: people and locations
 * from the on-premises directory (the ldap_* keys; README "Syncing
 * people from LDAP"), through the roster core (roster.h) that import
 * uses too. The directory is read whole first, with RFC 2696 paged
 * results (SYNC_PAGE entries a page, so a directory of 100,000 people
 * needs no size limit lifted beyond a page); then the people are
 * applied SYNC_TXN_ROWS to a transaction, the enabled on-premises
 * people the directory no longer has are disabled (never deleted), and
 * one audit row of counts (cli.sync.ldap) is written after the last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "cli/cli.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "directory.h"
#include "dirmap.h"
#include "roster.h"

#define SYNC_PAGE	500	/* entries a page (AD allows 1,000) */
#define SYNC_TXN_ROWS	5000	/* people a transaction */
#define SYNC_ROWS_MAX	2000000	/* people of one directory */

/* A group's member, for ldap_units = group: who, and the group's name. */
struct member {
	const char	*dn;	/* normalised, lower case */
	const char	*unit;
};

struct sync {
	struct cli		*c;
	const struct conf	*conf;
	LDAP			*ld;
	struct roster		*d;
	struct roster_row	*rows;
	const char		**dn;		/* of each row */
	size_t			 n, cap, nbad, from, to;
	struct member		*members;	/* sorted by dn */
	size_t			 nmembers, capmembers;
	const char		*units_base;	/* normalised, lowered */
	int			 dry, tty, more;
	const char		*country;	/* phone.country */
	struct timespec		 t0;
};

/* An entry of the directory, for dirmap_value(). */
struct ldap_entry {
	struct sync	*s;
	LDAPMessage	*e;
};

/* dirmap_entry's value(): the first value of attr, in the arena. */
static const char *
entry_value(void *arg, const char *attr, size_t *len)
{
	const struct ldap_entry	*x = arg;
	struct berval		**v;
	const char		 *out = NULL;

	if ((v = ldap_get_values_len(x->s->ld, x->e, attr)) == NULL)
		return NULL;
	if (v[0] != NULL) {
		out = arena_strndup(&x->s->c->arena, v[0]->bv_val,
		    v[0]->bv_len);
		*len = v[0]->bv_len;
	}
	ldap_value_free_len(v);
	return out;
}

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->dn,
	    ((const struct member *)b)->dn);
}

/* One group: each member's DN with the group's name. */
static int
on_group(struct sync *s, LDAPMessage *e)
{
	static const char *const attrs[] = { "member", "uniqueMember" };
	struct ldap_entry	 x = { s, e };
	struct dirmap_entry	 de = { NULL, entry_value, &x, NULL, 0 };
	struct berval		**v;
	const char		 *name = dirmap_value(&de, "cn"), *dn;
	size_t			  k, i;

	if (name == NULL)
		return 0;
	for (k = 0; k < NELEM(attrs); k++) {
		if ((v = ldap_get_values_len(s->ld, e, attrs[k])) == NULL)
			continue;
		for (i = 0; v[i] != NULL; i++) {
			dn = dirmap_dn_norm(&s->c->arena, arena_strndup(
			    &s->c->arena, v[i]->bv_val, v[i]->bv_len));
			if (dn == NULL)
				continue;
			if (s->nmembers == s->capmembers) {
				s->capmembers = s->capmembers ?
				    2 * s->capmembers : 1024;
				s->members = realloc(s->members,
				    s->capmembers * sizeof(*s->members));
				if (s->members == NULL)
					abort();
			}
			s->members[s->nmembers++] = (struct member){ dn, name };
		}
		ldap_value_free_len(v);
	}
	return 0;
}

/*
 * The names of the groups that list the person at dn, in the arena (at
 * most ROSTER_UNITS_MAX: dirmap_person() takes no more); how many.
 */
static size_t
groups_of(struct sync *s, const char *dn, const char ***out)
{
	struct member	 k, *m;
	const char	*norm = dirmap_dn_norm(&s->c->arena, dn), **g;
	size_t		 n = 0;

	*out = g = arena_alloc(&s->c->arena, ROSTER_UNITS_MAX * sizeof(*g));
	if (norm == NULL)
		return 0;
	k.dn = norm;
	m = bsearch(&k, s->members, s->nmembers, sizeof(*m), member_cmp);
	if (m == NULL)
		return 0;
	while (m > s->members && strcmp(m[-1].dn, norm) == 0)
		m--;
	for (; m < s->members + s->nmembers && strcmp(m->dn, norm) == 0 &&
	    n < ROSTER_UNITS_MAX; m++)
		g[n++] = m->unit;
	return n;
}

/* One person of the directory, as a row. */
static int
on_person(struct sync *s, LDAPMessage *e)
{
	struct ldap_entry	 x = { s, e };
	struct dirmap_entry	 de = { NULL, entry_value, &x, NULL, 0 };
	struct dirmap		 m = { s->conf, s->units_base, s->country };
	struct roster_row	*row;
	const char		**groups;
	char			*dn;

	if (s->n == SYNC_ROWS_MAX)
		return fail("the directory has more than %d people",
		    SYNC_ROWS_MAX);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->rows = realloc(s->rows, s->cap * sizeof(*s->rows));
		s->dn = realloc(s->dn, s->cap * sizeof(*s->dn));
		if (s->rows == NULL || s->dn == NULL)
			abort();
	}
	row = &s->rows[s->n];
	memset(row, 0, sizeof(*row));
	dn = ldap_get_dn(s->ld, e);
	s->dn[s->n] = arena_strdup(&s->c->arena, dn ? dn : "(no DN)");
	row->origin = s->dn[s->n];	/* "also at DN", not "on line N" */
	row->line = (long)++s->n;
	de.dn = dn;
	if (s->conf->ldap_units == LDAP_UNITS_GROUP) {
		de.ngroups = groups_of(s, dn ? dn : "", &groups);
		de.groups = groups;
	}
	dirmap_person(&s->c->arena, &m, &de, row);
	ldap_memfree(dn);
	return 0;
}

/*
 * Every entry under base matching filter, SYNC_PAGE a page (RFC 2696:
 * the cookie of each page asks for the next): fn on each. 0, or the
 * exit status after saying why.
 */
static int
paged(struct sync *s, const char *base, const char *filter, char **attrs,
    int (*fn)(struct sync *, LDAPMessage *))
{
	struct berval	 cookie = { 0, NULL };
	struct timeval	 tv = { .tv_sec = s->conf->ldap_timeout };
	LDAPControl	*page, *ctrls[2] = { NULL, NULL }, **back, *pr;
	LDAPMessage	*res, *e;
	ber_int_t	 count;
	int		 rc, err, status = 0;

	do {
		page = NULL;
		res = NULL;
		if ((rc = ldap_create_page_control(s->ld, SYNC_PAGE, &cookie,
		    1, &page)) != LDAP_SUCCESS)
			return fail("ldap: %s", ldap_err2string(rc));
		ctrls[0] = page;
		rc = ldap_search_ext_s(s->ld, base, LDAP_SCOPE_SUBTREE, filter,
		    attrs, 0, ctrls, NULL, &tv, LDAP_NO_LIMIT, &res);
		ldap_control_free(page);
		ber_memfree(cookie.bv_val);
		cookie = (struct berval){ 0, NULL };
		if (rc != LDAP_SUCCESS) {
			ldap_msgfree(res);
			return fail("ldap: the search under %s for %s: %s",
			    base, filter, ldap_err2string(rc));
		}
		for (e = ldap_first_entry(s->ld, res); e != NULL && status == 0;
		    e = ldap_next_entry(s->ld, e))
			status = fn(s, e);
		back = NULL;
		if ((rc = ldap_parse_result(s->ld, res, &err, NULL, NULL, NULL,
		    &back, 0)) != LDAP_SUCCESS || err != LDAP_SUCCESS) {
			ldap_controls_free(back);
			ldap_msgfree(res);
			return fail("ldap: the search under %s: %s", base,
			    ldap_err2string(rc != LDAP_SUCCESS ? rc : err));
		}
		if ((pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, back,
		    NULL)) != NULL && ldap_parse_pageresponse_control(s->ld,
		    pr, &count, &cookie) != LDAP_SUCCESS)
			cookie = (struct berval){ 0, NULL };
		ldap_controls_free(back);
		ldap_msgfree(res);
	} while (status == 0 && cookie.bv_val != NULL && cookie.bv_len > 0);
	ber_memfree(cookie.bv_val);
	return status;
}

/* Reads the directory: the groups (ldap_units = group), then the people. */
static int
read_directory(struct sync *s)
{
	const struct conf	*cf = s->conf;
	char			*pattrs[12], *gattrs[] = { (char *)"cn",
				    (char *)"member", (char *)"uniqueMember",
				    NULL };
	size_t			 k = 0;
	int			 rc;

	if ((s->units_base = dirmap_dn_norm(&s->c->arena,
	    cf->ldap_units_base)) == NULL)
		return fail("ldap_units_base %s is not a DN",
		    cf->ldap_units_base);
	if (cf->ldap_units == LDAP_UNITS_GROUP) {
		if ((rc = paged(s, cf->ldap_units_base, "(|(objectClass="
		    "groupOfNames)(objectClass=groupOfUniqueNames)"
		    "(objectClass=group))", gattrs, on_group)) != 0)
			return rc;
		qsort(s->members, s->nmembers, sizeof(*s->members),
		    member_cmp);
	}
	pattrs[k++] = cf->ldap_attr_upn;
	pattrs[k++] = cf->ldap_attr_name;
	pattrs[k++] = cf->ldap_attr_mail;
	pattrs[k++] = cf->ldap_attr_title;
	pattrs[k++] = cf->ldap_attr_department;
	pattrs[k++] = (char *)"cn";
	pattrs[k++] = (char *)"givenName";
	pattrs[k++] = (char *)"sn";
	if (cf->ldap_sync_phones) {
		pattrs[k++] = cf->ldap_attr_mobile;
		pattrs[k++] = cf->ldap_attr_phone;
	}
	pattrs[k] = NULL;
	return paged(s, cf->ldap_base_dn, cf->ldap_people_filter, pattrs,
	    on_person);
}

static double
since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
progress(const struct sync *s, size_t done, size_t total)
{
	double	t = since(&s->t0), rate = t > 0 ? (double)done / t : 0;

	if (!s->tty)
		return;
	fprintf(stderr, "\rsync ldap: %zu/%zu people, %.0f people/s, ETA "
	    "%.0f s   ", done, total, rate, rate > 0 ? (double)(total - done) /
	    rate : 0);
	if (done == total)
		fputc('\n', stderr);
}

static int
apply_txn(struct db *db, void *arg)
{
	struct sync	*s = arg;
	size_t		 i;
	int		 rc;

	roster_txn_begin(s->d);
	for (i = s->from; i < s->to; i++)
		if (s->rows[i].bad == 0 &&
		    (rc = roster_apply(db, s->d, &s->rows[i].p)) != DB_OK)
			return rc;
	return roster_flush(db, s->d);
}

/* Disables up to SYNC_TXN_ROWS people who left; s->more when more. */
static int
disable_txn(struct db *db, void *arg)
{
	struct sync	*s = arg;
	roster_txn_begin(s->d);
	return roster_disable_missing(db, s->d, "onprem", SYNC_TXN_ROWS,
	    &s->more);
}

/* s with control characters as '?': safe for a terminal. */
static const char *
printable(struct arena *a, const char *s)
{
	char	*out = arena_strdup(a, s), *p;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

static void
say_left(void *arg, const char *upn)
{
	const struct sync	*s = arg;

	printf("%s %s: no longer in the directory\n", s->dry ?
	    "would disable" : "disabled", upn);
}

static int
run_txn(struct sync *s, int (*fn)(struct db *, void *))
{
	int	rc = s->dry ? fn(s->c->db, s) : db_txn(s->c->db, fn, s);

	if (rc == DB_OK)
		roster_txn_commit(s->d);
	else
		roster_txn_begin(s->d);	/* undone: out of the counts too */
	return rc;
}

struct sync_audit {
	struct sync	*s;
	const char	*reason;
};

static int
audit_txn(struct db *db, void *arg)
{
	struct sync_audit	*x = arg;
	struct sync		*s = x->s;
	const struct roster_stats *st = roster_stats(s->d);
	const char		*details;

	details = arena_printf(&s->c->arena, "{\"uri\":%s,\"people\":%zu,"
	    "\"bad\":%zu,\"created\":%zu,\"updated\":%zu,\"unchanged\":%zu,"
	    "\"disabled\":%zu,\"locationsCreated\":%zu}",
	    json_string(&s->c->arena, s->conf->ldap_uri), s->n, s->nbad,
	    st->created, st->updated, st->unchanged, st->disabled,
	    st->units_created);
	if (x->reason != NULL)
		return cli_audit_refusal(s->c, db, "cli.sync.ldap", x->reason,
		    NULL, s->conf->ldap_uri, details);
	return cli_audit(s->c, db, "cli.sync.ldap", NULL, s->conf->ldap_uri,
	    details);
}

static int
audit(struct sync *s, const char *reason)
{
	struct sync_audit	x = { s, reason };

	return s->dry ? DB_OK : db_txn(s->c->db, audit_txn, &x);
}

int
cli_sync_ldap(struct cli *c, const struct opts *o, const char *const *a,
    int na, int arg)
{
	struct sync			 s;
	const struct roster_stats	*st;
	size_t				 i;
	int				 rc;

	(void)a;
	(void)arg;
	if (na != 0)
		return EXIT_USAGE;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.conf = c->conf;
	s.dry = opt(o, "--dry-run") != NULL;
	s.tty = isatty(STDERR_FILENO);
	if ((rc = cli_phone_country(c, &s.country)) != DB_OK)
		return cli_db_fail(rc);
	if (s.conf->ldap_uri == NULL)
		return fail("ldap_uri is not set in the config: no directory "
		    "to sync from");
	if (dir_open(s.conf, &s.ld) != 0)
		return fail("cannot connect and bind to %s (see above)",
		    s.conf->ldap_uri);
	rc = read_directory(&s);
	dir_close(s.ld);
	if (rc != 0)
		goto out;
	if (s.n == 0) {
		/* a filter that finds nobody must not disable everyone */
		rc = fail("the directory returned no people under %s for %s: "
		    "nothing changed", s.conf->ldap_base_dn,
		    s.conf->ldap_people_filter);
		goto out;
	}
	if ((rc = roster_load(c->db, s.dry, &s.d)) != DB_OK) {
		rc = cli_db_fail(rc);
		goto out;
	}
	s.nbad = roster_check(s.d, &c->arena, s.rows, s.n);
	for (i = 0; i < s.n; i++) {
		if (s.rows[i].bad == 0)
			continue;
		/* The directory's words, controls made harmless. */
		fprintf(stderr, "%s: %s\n", printable(&c->arena, s.dn[i]),
		    printable(&c->arena, s.rows[i].why));
		/* still in the directory: not one who left */
		if (s.rows[i].p.f[RF_UPN] != NULL)
			roster_keep(s.d, s.rows[i].p.f[RF_UPN]);
	}
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	for (s.from = 0; s.from < s.n; s.from = s.to) {
		s.to = s.from + SYNC_TXN_ROWS < s.n ? s.from + SYNC_TXN_ROWS :
		    s.n;
		if ((rc = run_txn(&s, apply_txn)) != DB_OK)
			break;
		progress(&s, s.to, s.n);
	}
	if (rc == DB_OK)
		do
			rc = run_txn(&s, disable_txn);
		while (rc == DB_OK && s.more);
	if (rc != DB_OK) {
		audit(&s, "database");
		rc = fail("the database failed; what was done before stays "
		    "(run it again to finish)");
		goto out;
	}
	if ((rc = audit(&s, NULL)) != DB_OK) {
		rc = cli_db_fail(rc);
		goto out;
	}
	/* Whom it disabled, by name: a count alone hides a wrong filter. */
	roster_each_left(s.d, say_left, &s);
	st = roster_stats(s.d);
	printf("%sldap: %zu people, %zu changed (%zu created, %zu updated, "
	    "%zu disabled), %zu unchanged, %zu bad, %zu locations created\n",
	    s.dry ? "dry run, nothing written: " : "", s.n,
	    st->created + st->updated + st->disabled, st->created, st->updated,
	    st->disabled, st->unchanged, s.nbad, st->units_created);
	rc = EXIT_OK;
out:
	roster_free(s.d);
	free(s.rows);
	free(s.dn);
	free(s.members);
	return rc;
}

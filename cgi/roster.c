/*
 * roster.c: see roster.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster.h"
#include "csv.h"
#include "db/users.h"
#include "location.h"
#include "phone.h"
#include "search.h"
#include "util.h"

enum kind { K_TEXT, K_UPN, K_EMAIL, K_PHONE, K_SOURCE, K_UNITS };

static const struct field {
	const char	*id;
	enum kind	 kind;
	size_t		 max;		/* characters of K_TEXT */
	int		 required;	/* must not be empty */
	int		 phone;		/* K_PHONE: enum phone_type */
} fields[RF__MAX] = {
	[RF_UPN] = { "upn", K_UPN, ROSTER_UPN_MAX, 1, 0 },
	[RF_NAME] = { "display_name", K_TEXT, ROSTER_NAME_MAX, 1, 0 },
	[RF_EMAIL] = { "email", K_EMAIL, ROSTER_EMAIL_MAX, 0, 0 },
	[RF_MOBILE] = { "mobile", K_PHONE, 0, 0, PHONE_MOBILE },
	[RF_SOURCE] = { "source", K_SOURCE, 0, 0, 0 },
	[RF_UNITS] = { "units", K_UNITS, 0, 0, 0 },
	[RF_GIVEN] = { "given_name", K_TEXT, ROSTER_GIVEN_MAX, 0, 0 },
	[RF_SURNAME] = { "surname", K_TEXT, ROSTER_GIVEN_MAX, 0, 0 },
	[RF_JOB] = { "job_title", K_TEXT, ROSTER_JOB_MAX, 0, 0 },
	[RF_DEPT] = { "department", K_TEXT, ROSTER_JOB_MAX, 0, 0 },
	[RF_OFFICE] = { "office", K_PHONE, 0, 0, PHONE_OFFICE },
	[RF_ALT_MOBILE] = { "alternate_mobile", K_PHONE, 0, 0,
	    PHONE_ALT_MOBILE },
};

/* The phone fields, by enum phone_type. */
static const enum roster_field phone_field[PHONE__MAX] = {
	[PHONE_MOBILE] = RF_MOBILE,
	[PHONE_ALT_MOBILE] = RF_ALT_MOBILE,
	[PHONE_OFFICE] = RF_OFFICE,
};

const char *
roster_field_id(enum roster_field f)
{
	return f < RF__MAX ? fields[f].id : "unknown";
}

int
roster_field_parse(const char *s)
{
	size_t	n;
	int	i;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (i = 0; i < RF__MAX; i++)
		if (strlen(fields[i].id) == n &&
		    strncasecmp(fields[i].id, s, n) == 0)
			return i;
	return -1;
}

char *
roster_upn_key(struct arena *a, const char *upn)
{
	char	*k = arena_strdup(a, upn), *p;

	for (p = k; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

int
roster_units_split(struct arena *a, const char *list, const char **out,
    size_t max, const char **why)
{
	const char	*p = list, *end, *name;
	size_t		 n = 0, i;
	int		 rc;

	while (*p != '\0') {
		end = strchr(p, ROSTER_UNIT_SEP);
		if (end == NULL)
			end = p + strlen(p);
		name = location_trim(a, arena_strndup(a, p, (size_t)(end - p)));
		p = *end != '\0' ? end + 1 : end;
		if (*name == '\0')
			continue;
		if ((rc = location_name_check(name)) != 0) {
			*why = arena_printf(a, "location %s: %s",
			    arena_quote(a, name, strlen(name)),
			    location_refusal_text(rc));
			return -1;
		}
		for (i = 0; i < n && strcmp(out[i], name) != 0; i++)
			continue;
		if (i < n)
			continue;
		if (n == max) {
			*why = arena_printf(a, "more than %zu locations", max);
			return -1;
		}
		out[n++] = name;
	}
	return (int)n;
}

/* 1 when s is a UPN staffdesk takes: printable ASCII name@domain. */
static int
upn_ok(const char *s)
{
	const char	*at = strchr(s, '@'), *p;

	if (at == NULL || at == s || at[1] == '\0' || at[1] == '.' ||
	    strchr(at + 1, '@') != NULL || strlen(s) > ROSTER_UPN_MAX ||
	    s[strlen(s) - 1] == '.' || strstr(at, "..") != NULL)
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/*
 * s with each run of line breaks and tabs (a quoted field of a
 * spreadsheet may hold them) as one space: staffdesk keeps every
 * field on one line.
 */
static const char *
one_line(struct arena *a, const char *s)
{
	char	*o, *p;
	size_t	 k;

	if (strpbrk(s, "\r\n\t") == NULL)
		return s;
	o = p = arena_strdup(a, s);
	while (*s != '\0') {
		if ((k = strspn(s, "\r\n\t")) > 0) {
			*p++ = ' ';
			s += k;
		} else
			*p++ = *s++;
	}
	*p = '\0';
	return o;
}

/* 0 or ROSTER_BAD with *why: one field of p, trimmed and checked. */
static int
field_check(struct arena *a, struct roster_person *p, enum roster_field f,
    const char *country, const char **why)
{
	const struct field	*fd = &fields[f];
	const char		*v, *pwhy;
	char			 e164[PHONE_MAX];
	int			 n;

	if (p->f[f] == NULL)
		return 0;
	v = p->f[f] = location_trim(a, one_line(a, p->f[f]));
	if (*v == '\0') {
		if (fd->required) {
			*why = arena_printf(a, "%s is empty", fd->id);
			return ROSTER_BAD;
		}
		return 0;	/* a source left empty: see roster_apply() */
	}
	switch (fd->kind) {
	case K_TEXT:
		if (!utf8_text_valid(v, strlen(v), 0) ||
		    utf8_len(v) > fd->max) {
			*why = arena_printf(a, "%s must be one line of at most "
			    "%zu characters", fd->id, fd->max);
			return ROSTER_BAD;
		}
		return 0;
	case K_UPN:
		if (upn_ok(v))
			return 0;
		*why = arena_printf(a, "upn %s is not a user principal name "
		    "(name@domain, printable ASCII, at most %d bytes)",
		    arena_quote(a, v, strlen(v)), ROSTER_UPN_MAX);
		return ROSTER_BAD;
	case K_EMAIL:
		if (strlen(v) <= fd->max && utf8_text_valid(v, strlen(v), 0) &&
		    strchr(v, ' ') == NULL && strchr(v, '@') != NULL &&
		    strchr(v, '@') == strrchr(v, '@') &&
		    v[0] != '@' && v[strlen(v) - 1] != '@')
			return 0;
		*why = arena_printf(a, "email %s is not an address",
		    arena_quote(a, v, strlen(v)));
		return ROSTER_BAD;
	case K_PHONE:
		if (phone_normalise_in(v, country, fd->phone == PHONE_OFFICE,
		    e164, &pwhy) == 0) {
			p->f[f] = arena_strdup(a, e164);
			return 0;
		}
		*why = arena_printf(a, "%s %s: %s%s", fd->id,
		    arena_quote(a, v, strlen(v)), pwhy, (country == NULL ||
		    *country == '\0') && v[strspn(v, " ")] != '+' ? " (or set "
		    "the setting phone.country to read numbers as dialled in "
		    "your country)" : "");
		return ROSTER_BAD;
	case K_SOURCE:
		if (strcmp(v, "cloud") == 0 || strcmp(v, "onprem") == 0)
			return 0;
		*why = arena_printf(a, "source %s is neither cloud nor onprem",
		    arena_quote(a, v, strlen(v)));
		return ROSTER_BAD;
	case K_UNITS:
		if ((n = roster_units_split(a, v, p->units, ROSTER_UNITS_MAX,
		    &pwhy)) < 0) {
			*why = arena_printf(a, "units: %s", pwhy);
			return ROSTER_BAD;
		}
		p->nunits = (size_t)n;
		return 0;
	}
	return 0;
}

int
roster_person_check(struct arena *a, struct roster_person *p,
    const char *country, const char **why)
{
	int	f, rc;

	p->nunits = 0;
	for (f = 0; f < RF__MAX; f++)
		if ((rc = field_check(a, p, (enum roster_field)f, country,
		    why)) != 0)
			return rc;
	if (p->f[RF_UPN] == NULL || p->f[RF_NAME] == NULL) {
		*why = "no upn or no display_name";
		return ROSTER_BAD;
	}
	/* The profile form's rule: no alternate mobile without a mobile. */
	if (p->f[RF_MOBILE] != NULL && *p->f[RF_MOBILE] == '\0' &&
	    p->f[RF_ALT_MOBILE] != NULL && *p->f[RF_ALT_MOBILE] != '\0') {
		*why = "alternate_mobile without a mobile";
		return ROSTER_BAD;
	}
	/* ...nor one that is the mobile again (numbers as normalised). */
	if (p->f[RF_MOBILE] != NULL && *p->f[RF_MOBILE] != '\0' &&
	    p->f[RF_ALT_MOBILE] != NULL &&
	    strcmp(p->f[RF_MOBILE], p->f[RF_ALT_MOBILE]) == 0) {
		*why = "alternate_mobile is the mobile number again";
		return ROSTER_BAD;
	}
	return 0;
}

int
roster_csv_header(struct arena *a, const char *const *field, size_t n,
    size_t maxcol, int *col, const char **why)
{
	int	seen[RF__MAX] = { 0 }, f;
	size_t	k;
	char	*all;

	for (k = 0; k < n && k < maxcol; k++) {
		if ((f = roster_field_parse(field[k])) < 0) {
			all = arena_printf(a, "%s", fields[0].id);
			for (f = 1; f < RF__MAX; f++)
				all = arena_printf(a, "%s, %s", all,
				    fields[f].id);
			*why = arena_printf(a, "unknown column %s; the columns "
			    "are: %s", arena_quote(a, field[k],
			    strlen(field[k])), all);
			return ROSTER_BAD;
		}
		if (seen[f]++) {
			*why = arena_printf(a, "column %s twice", fields[f].id);
			return ROSTER_BAD;
		}
		col[k] = f;
	}
	if (n > maxcol) {
		*why = arena_printf(a, "more than %zu columns", maxcol);
		return ROSTER_BAD;
	}
	for (f = 0; f < RF_REQUIRED; f++)
		if (!seen[f]) {
			*why = arena_printf(a, "no column %s (the header must "
			    "have upn, display_name, email, mobile, source, "
			    "units)", fields[f].id);
			return ROSTER_BAD;
		}
	return 0;
}

void
roster_csv_row(struct arena *a, const int *col, size_t ncol,
    const char *const *field, size_t n, const char *country,
    struct roster_row *row)
{
	size_t	k;

	if (n != ncol) {
		row->bad = ROSTER_BAD;
		row->why = arena_printf(a, "%zu fields; the header has %zu", n,
		    ncol);
		return;
	}
	for (k = 0; k < ncol; k++)
		row->p.f[col[k]] = csv_unformula(field[k]);
	row->bad = roster_person_check(a, &row->p, country, &row->why);
}

/*
 * What staffdesk has. Every string lives in the arena; the chains
 * hang off fixed bucket arrays (grown in roster_txn_commit() only, so a
 * journalled slot never moves).
 */
struct roster_unit {
	char		 id[UUID_LEN + 1];
	const char	*name;
};

/* A name a location goes by (its own, or as a file spelt it). */
struct roster_uname {
	struct roster_uname	*next;
	const char		*name;
	struct roster_unit	*u;
};

struct roster_entry {
	struct roster_entry	 *next;		/* its key's chain */
	const char		 *key;		/* roster_upn_key() */
	char			  id[UUID_LEN + 1];
	const char		 *f[RF__MAX];	/* NULL: none */
	struct roster_unit	**units;
	size_t			  nunits;
	int			  enabled, seen;
	int			  left;		/* disabled by this run */
	unsigned		  fresh;	/* made in transaction gen */
};

/* A mobile number and who has it (NULL: given up since). */
struct roster_mobile {
	struct roster_mobile	*next;
	const char		*number;
	struct roster_entry	*who;
};

/* One change to the copy, to undo when the transaction is retried. */
struct roster_undo {
	void		*slot;
	size_t		 size;
	unsigned char	 old[sizeof(void *) > sizeof(size_t) ?
			    sizeof(void *) : sizeof(size_t)];
};

/* A phone or a membership waiting for a multi-row insert. */
struct qphone {
	struct db_val	 user, type, number;
};
struct qmember {
	struct db_val	 unit, user;
};

/*
 * Rows for the multi-row inserts. New people wait in users; their
 * phones and memberships wait beside them (wphones, wmembers) until
 * the people are written (the foreign keys), then join the rows ready
 * to go, which leave ROSTER_ROWS (ROSTER_MEMBER_ROWS) a statement, a
 * rest staying for the next. Only the end of a transaction writes
 * what is short of a statement.
 */
#define QPHONES		(ROSTER_ROWS * PHONE__MAX)
#define QMEMBERS	(ROSTER_ROWS * ROSTER_UNITS_MAX)
struct roster_queue {
	struct q_roster_users_add_in	 users;
	size_t		 nusers, nwphones, nwmembers, nphones, nmembers;
	struct qphone	 wphones[QPHONES];
	struct qmember	 wmembers[QMEMBERS];
	struct qphone	 phones[QPHONES + ROSTER_ROWS];
	struct qmember	 members[QMEMBERS + ROSTER_MEMBER_ROWS];
};

struct roster {
	struct arena		  a;
	int			  dry;
	struct roster_entry	**all;		/* in load order */
	size_t			  n, cap;
	struct roster_entry	**people;	/* buckets by key */
	struct roster_mobile	**mobiles;	/* buckets by number */
	struct roster_uname	**unames;	/* buckets by name */
	size_t			  nb, nub;	/* buckets of each */
	struct roster_stats	  st;
	struct roster_undo	 *undo;
	size_t			  nundo, capundo;
	struct search_batch	  words;	/* new people's */
	struct roster_queue	  q;		/* new people's rows */
	unsigned		  gen;		/* commits + 1 */
};

/* FNV-1a of s, in nb buckets (a power of two). */
static size_t
bucket(const char *s, size_t nb)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h & (nb - 1);
}

/* Sets *slot to the size bytes at val, remembering what was there. */
static void
jset(struct roster *d, void *slot, const void *val, size_t size)
{
	struct roster_undo	*u;

	if (d->nundo == d->capundo) {
		d->capundo = d->capundo ? 2 * d->capundo : 256;
		d->undo = realloc(d->undo, d->capundo * sizeof(*d->undo));
		if (d->undo == NULL)
			abort();
	}
	u = &d->undo[d->nundo++];
	u->slot = slot;
	u->size = size;
	memcpy(u->old, slot, size);
	memmove(slot, val, size);
}

#define JSET(d, lv, v) do {						\
	__typeof__(lv)	jv_ = (v);				\
	jset((d), &(lv), &jv_, sizeof(lv));				\
} while (0)

static void
queue_clear(struct roster_queue *q)
{
	q->nusers = q->nwphones = q->nwmembers = q->nphones = q->nmembers = 0;
}

/* The first n ready phones, in a statement when they fill one. */
static int
phones_write(struct db *db, struct roster_queue *q, size_t n)
{
	struct q_roster_phones_add_in	in;
	size_t				i;
	int				rc;

	if (n == ROSTER_ROWS) {
		for (i = 0; i < n; i++) {
			in.rows[i].user = q->phones[i].user;
			in.rows[i].type = q->phones[i].type;
			in.rows[i].number = q->phones[i].number;
		}
		rc = q_roster_phones_add(db, &in, NULL);
	} else
		for (i = 0, rc = DB_OK; i < n && rc == DB_OK; i++)
			rc = q_phone_insert(db, &(struct q_phone_insert_in){
			    .user = q->phones[i].user,
			    .type = q->phones[i].type,
			    .number = q->phones[i].number }, NULL);
	if (rc != DB_OK)
		return rc;
	q->nphones -= n;
	memmove(q->phones, q->phones + n, q->nphones * sizeof(*q->phones));
	return DB_OK;
}

/* The first n (at most ROSTER_MEMBER_ROWS) ready memberships. */
static int
members_write(struct db *db, struct roster_queue *q, size_t n)
{
	struct q_roster_members_add_in	in;
	size_t				i;
	int				rc;

	for (i = 0; i < ROSTER_MEMBER_ROWS; i++) {
		in.rows[i].unit = i < n ? q->members[i].unit : DB_NULL;
		in.rows[i].user = i < n ? q->members[i].user : DB_NULL;
	}
	if ((rc = q_roster_members_add(db, &in, NULL)) != DB_OK)
		return rc;
	q->nmembers -= n;
	memmove(q->members, q->members + n,
	    q->nmembers * sizeof(*q->members));
	return DB_OK;
}

/* Writes the ready rows that fill a statement (all of them when all). */
static int
ready_write(struct db *db, struct roster_queue *q, int all)
{
	int	rc;

	while (q->nphones >= ROSTER_ROWS)
		if ((rc = phones_write(db, q, ROSTER_ROWS)) != DB_OK)
			return rc;
	while (q->nmembers >= ROSTER_MEMBER_ROWS)
		if ((rc = members_write(db, q, ROSTER_MEMBER_ROWS)) != DB_OK)
			return rc;
	if (all && q->nphones > 0 &&
	    (rc = phones_write(db, q, q->nphones)) != DB_OK)
		return rc;
	if (all && q->nmembers > 0 &&
	    (rc = members_write(db, q, q->nmembers)) != DB_OK)
		return rc;
	return DB_OK;
}

/*
 * Writes the waiting people (in one statement when they fill it), so
 * their phones and memberships are ready; then what is ready and fills
 * a statement, or everything when all.
 */
static int
queue_flush(struct db *db, struct roster *d, int all)
{
	struct roster_queue	*q = &d->q;
	size_t			 i;
	int			 rc;

	if (q->nusers == ROSTER_ROWS) {
		if ((rc = q_roster_users_add(db, &q->users, NULL)) != DB_OK)
			return rc;
	} else
		for (i = 0; i < q->nusers; i++)
			if ((rc = q_user_insert(db, &(struct q_user_insert_in){
			    .id = q->users.rows[i].id,
			    .upn = q->users.rows[i].upn,
			    .display_name = q->users.rows[i].display_name,
			    .given_name = q->users.rows[i].given_name,
			    .surname = q->users.rows[i].surname,
			    .email = q->users.rows[i].email,
			    .job_title = q->users.rows[i].job_title,
			    .department = q->users.rows[i].department,
			    .source = q->users.rows[i].source,
			    .password_hash = DB_NULL,
			    .must_change = DB_INT(0) }, NULL)) != DB_OK)
				return rc;
	memcpy(q->phones + q->nphones, q->wphones,
	    q->nwphones * sizeof(*q->phones));
	q->nphones += q->nwphones;
	memcpy(q->members + q->nmembers, q->wmembers,
	    q->nwmembers * sizeof(*q->members));
	q->nmembers += q->nwmembers;
	q->nusers = q->nwphones = q->nwmembers = 0;
	return ready_write(db, q, all);
}

/* A membership to add: waiting with a new person, else ready. */
static int
queue_member(struct db *db, struct roster *d, const struct roster_entry *e,
    const char *unit)
{
	struct roster_queue	*q = &d->q;
	int			 rc;

	if (e->fresh == d->gen && q->nwmembers < QMEMBERS) {
		q->wmembers[q->nwmembers++] = (struct qmember){
		    DB_TEXT(unit), DB_TEXT(e->id) };
		return DB_OK;
	}
	/* Not waiting for a person (or too many): write them first. */
	if (e->fresh == d->gen && (rc = queue_flush(db, d, 0)) != DB_OK)
		return rc;
	q->members[q->nmembers++] = (struct qmember){ DB_TEXT(unit),
	    DB_TEXT(e->id) };
	return ready_write(db, q, 0);
}

void
roster_txn_begin(struct roster *d)
{
	queue_clear(&d->q);
	while (d->nundo > 0) {
		d->nundo--;
		memcpy(d->undo[d->nundo].slot, d->undo[d->nundo].old,
		    d->undo[d->nundo].size);
	}
	search_batch_init(&d->words, "user");
}

static void
rehash(struct roster *d)
{
	struct roster_entry	**pb;
	struct roster_mobile	**mb, *m, *next;
	size_t			  nb = d->nb, i, k;

	while (nb < 2 * d->n)
		nb *= 2;
	if (nb == d->nb)
		return;
	pb = xcalloc(nb, sizeof(*pb));
	mb = xcalloc(nb, sizeof(*mb));
	for (i = 0; i < d->n; i++) {
		k = bucket(d->all[i]->key, nb);
		d->all[i]->next = pb[k];
		pb[k] = d->all[i];
	}
	for (i = 0; i < d->nb; i++)
		for (m = d->mobiles[i]; m != NULL; m = next) {
			next = m->next;
			if (m->who == NULL)
				continue;
			k = bucket(m->number, nb);
			m->next = mb[k];
			mb[k] = m;
		}
	free(d->people);
	free(d->mobiles);
	d->people = pb;
	d->mobiles = mb;
	d->nb = nb;
}

void
roster_txn_commit(struct roster *d)
{
	d->nundo = 0;
	d->gen++;
	rehash(d);
}

const struct roster_stats *
roster_stats(const struct roster *d)
{
	return &d->st;
}

static struct roster_entry *
person_find(const struct roster *d, const char *key)
{
	struct roster_entry	*e;

	for (e = d->people[bucket(key, d->nb)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Appends e to the people (journalled). */
static void
person_add(struct roster *d, struct roster_entry *e)
{
	size_t	k = bucket(e->key, d->nb);

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->all = realloc(d->all, d->cap * sizeof(*d->all));
		if (d->all == NULL)
			abort();
	}
	d->all[d->n] = e;
	JSET(d, d->n, d->n + 1);
	e->next = d->people[k];
	JSET(d, d->people[k], e);
}

static struct roster_entry *
mobile_find(const struct roster *d, const char *number)
{
	struct roster_mobile	*m;

	for (m = d->mobiles[bucket(number, d->nb)]; m != NULL; m = m->next)
		if (m->who != NULL && strcmp(m->number, number) == 0)
			return m->who;
	return NULL;
}

/* Records who has number now (NULL: nobody), journalled. */
static void
mobile_set(struct roster *d, const char *number, struct roster_entry *who)
{
	struct roster_mobile	*m;
	size_t			 k = bucket(number, d->nb);

	for (m = d->mobiles[k]; m != NULL; m = m->next)
		if (m->who != NULL && strcmp(m->number, number) == 0)
			JSET(d, m->who, (struct roster_entry *)NULL);
	if (who == NULL)
		return;
	m = arena_alloc(&d->a, sizeof(*m));
	m->number = number;
	m->who = who;
	m->next = d->mobiles[k];
	JSET(d, d->mobiles[k], m);
}

static struct roster_unit *
uname_find(const struct roster *d, const char *name)
{
	struct roster_uname	*n;

	for (n = d->unames[bucket(name, d->nub)]; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n->u;
	return NULL;
}

static void
uname_add(struct roster *d, const char *name, struct roster_unit *u)
{
	struct roster_uname	*n = arena_alloc(&d->a, sizeof(*n));
	size_t			 k = bucket(name, d->nub);

	n->name = name;
	n->u = u;
	n->next = d->unames[k];
	JSET(d, d->unames[k], n);
}

/* Comparators for the load: entries and units by id. */
static int
entry_by_id(const void *a, const void *b)
{
	return strcmp((*(struct roster_entry *const *)a)->id,
	    (*(struct roster_entry *const *)b)->id);
}

static int
unit_by_id(const void *a, const void *b)
{
	return strcmp(((const struct roster_unit *)a)->id,
	    ((const struct roster_unit *)b)->id);
}

static struct roster_entry *
entry_of_id(struct roster_entry **byid, size_t n, const char *id)
{
	struct roster_entry	 k, *kp = &k, **e;

	snprintf(k.id, sizeof(k.id), "%s", id);
	e = bsearch(&kp, byid, n, sizeof(*byid), entry_by_id);
	return e != NULL ? *e : NULL;
}

int
roster_load(struct db *db, int dry, struct roster **out)
{
	struct q_roster_people_rows	 people;
	struct q_roster_phones_rows	 phones;
	struct q_roster_units_rows		 units;
	struct q_roster_members_rows	 members;
	struct roster			*d = xcalloc(1, sizeof(*d));
	struct roster_entry		*e, **byid = NULL;
	struct roster_unit			*ua, k, *u;
	size_t				 i;
	int				 rc, t;

	d->dry = dry;
	if ((rc = q_roster_people(db, &d->a, &people)) != DB_OK ||
	    (rc = q_roster_phones(db, &d->a, &phones)) != DB_OK ||
	    (rc = q_roster_units(db, &d->a, &units)) != DB_OK ||
	    (rc = q_roster_members(db, &d->a, &members)) != DB_OK) {
		roster_free(d);
		return rc;
	}
	for (d->nb = 1024; d->nb < 2 * people.n; d->nb *= 2)
		continue;
	for (d->nub = 1024; d->nub < 2 * units.n; d->nub *= 2)
		continue;
	d->people = xcalloc(d->nb, sizeof(*d->people));
	d->mobiles = xcalloc(d->nb, sizeof(*d->mobiles));
	d->unames = xcalloc(d->nub, sizeof(*d->unames));
	for (i = 0; i < people.n; i++) {
		e = arena_alloc(&d->a, sizeof(*e));
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", people.row[i].id);
		e->key = roster_upn_key(&d->a, people.row[i].upn);
		e->f[RF_UPN] = people.row[i].upn;
		e->f[RF_NAME] = people.row[i].display_name;
		e->f[RF_GIVEN] = people.row[i].given_name;
		e->f[RF_SURNAME] = people.row[i].surname;
		e->f[RF_EMAIL] = people.row[i].email;
		e->f[RF_JOB] = people.row[i].job_title;
		e->f[RF_DEPT] = people.row[i].department;
		e->f[RF_SOURCE] = people.row[i].source;
		e->enabled = people.row[i].enabled != 0;
		person_add(d, e);
	}
	byid = xcalloc(d->n + 1, sizeof(*byid));
	memcpy(byid, d->all, d->n * sizeof(*byid));
	qsort(byid, d->n, sizeof(*byid), entry_by_id);
	for (i = 0; i < phones.n; i++) {
		if ((e = entry_of_id(byid, d->n, phones.row[i].user_id)) ==
		    NULL || (t = phone_type_parse(phones.row[i].type)) < 0)
			continue;
		e->f[phone_field[t]] = phones.row[i].number;
		if (t == PHONE_MOBILE)
			mobile_set(d, e->f[RF_MOBILE], e);
	}
	ua = arena_alloc(&d->a, (units.n + 1) * sizeof(*ua));
	for (i = 0; i < units.n; i++) {
		snprintf(ua[i].id, sizeof(ua[i].id), "%s", units.row[i].id);
		ua[i].name = units.row[i].name;
		uname_add(d, ua[i].name, &ua[i]);
	}
	/* uname_add() keeps pointers into ua: sort a copy to look up ids. */
	u = arena_alloc(&d->a, (units.n + 1) * sizeof(*u));
	memcpy(u, ua, units.n * sizeof(*u));
	qsort(u, units.n, sizeof(*u), unit_by_id);
	for (i = 0; i < members.n; i++) {
		struct roster_unit	*found, **nu;

		snprintf(k.id, sizeof(k.id), "%s", members.row[i].unit_id);
		if ((e = entry_of_id(byid, d->n, members.row[i].user_id)) ==
		    NULL || (found = bsearch(&k, u, units.n, sizeof(*u),
		    unit_by_id)) == NULL)
			continue;
		found = uname_find(d, found->name);
		nu = arena_alloc(&d->a, (e->nunits + 1) * sizeof(*nu));
		if (e->nunits > 0)
			memcpy(nu, e->units, e->nunits * sizeof(*nu));
		nu[e->nunits++] = found;
		e->units = nu;
	}
	free(byid);
	roster_txn_commit(d);
	search_batch_init(&d->words, "user");
	*out = d;
	return DB_OK;
}

void
roster_free(struct roster *d)
{
	if (d == NULL)
		return;
	arena_reset(&d->a);
	free(d->all);
	free(d->people);
	free(d->mobiles);
	free(d->unames);
	free(d->undo);
	free(d);
}

/* Sort keys of roster_check(). */
struct ckey {
	const char	*key;
	size_t		 i;
};

static int
ckey_cmp(const void *a, const void *b)
{
	const struct ckey	*x = a, *y = b;
	int			 c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/* Marks the later rows of each run of equal keys bad: refusal, what. */
static void
mark_repeats(struct arena *a, struct roster_row *rows, struct ckey *k,
    size_t n, int refusal, const char *what)
{
	size_t	i, first = 0;

	for (i = 1; i < n; i++) {
		if (strcmp(k[i].key, k[first].key) != 0) {
			first = i;
			continue;
		}
		if (rows[k[i].i].bad != 0)
			continue;	/* it says its own reason */
		rows[k[i].i].bad = refusal;
		rows[k[i].i].why = rows[k[first].i].origin != NULL ?
		    arena_printf(a, "%s %s is also at %s", what,
		    arena_quote(a, k[i].key, strlen(k[i].key)),
		    rows[k[first].i].origin) :
		    arena_printf(a, "%s %s is also on line %ld", what,
		    arena_quote(a, k[i].key, strlen(k[i].key)),
		    rows[k[first].i].line);
	}
}

/* The good row of key, or NULL (k: sorted by key, then row). */
static struct roster_row *
row_of_key(struct roster_row *rows, const struct ckey *k, size_t n,
    const char *key)
{
	struct ckey	 want = { key, 0 };
	size_t		 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ckey_cmp(&k[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && strcmp(k[lo].key, key) == 0; lo++)
		if (rows[k[lo].i].bad == 0)
			return &rows[k[lo].i];
	return NULL;
}

size_t
roster_check(struct roster *d, struct arena *a, struct roster_row *rows,
    size_t n)
{
	struct ckey		*ku = xcalloc(n + 1, sizeof(*ku));
	struct ckey		*km = xcalloc(n + 1, sizeof(*km));
	struct roster_entry	*holder;
	struct roster_row		*other;
	const char		*m;
	size_t			 i, nu = 0, nm = 0, bad = 0;
	int			 again;

	/*
	 * A UPN said twice is said whatever else is wrong with the first
	 * row: otherwise fixing that row would bring a duplicate to light
	 * only on the next run.
	 */
	for (i = 0; i < n; i++) {
		if (rows[i].p.f[RF_UPN] == NULL ||
		    !upn_ok(rows[i].p.f[RF_UPN]))
			continue;
		ku[nu++] = (struct ckey){ roster_upn_key(a,
		    rows[i].p.f[RF_UPN]), i };
	}
	qsort(ku, nu, sizeof(*ku), ckey_cmp);
	mark_repeats(a, rows, ku, nu, ROSTER_DUP_UPN, "upn");
	for (i = 0; i < n; i++)
		if (rows[i].bad == 0 && (m = rows[i].p.f[RF_MOBILE]) !=
		    NULL && *m != '\0')
			km[nm++] = (struct ckey){ m, i };
	qsort(km, nm, sizeof(*km), ckey_cmp);
	mark_repeats(a, rows, km, nm, ROSTER_DUP_MOBILE, "mobile");
	/*
	 * A mobile someone staffdesk keeps has: taken only from a person
	 * whose own good row gives it up. A row found bad here may have
	 * been the one giving a number up: round again until none is.
	 */
	do {
		again = 0;
		for (i = 0; i < nm; i++) {
			struct roster_row	*r = &rows[km[i].i];

			if (r->bad != 0 || (holder = mobile_find(d,
			    km[i].key)) == NULL || strcmp(holder->key,
			    roster_upn_key(a, r->p.f[RF_UPN])) == 0)
				continue;
			other = row_of_key(rows, ku, nu, holder->key);
			if (other != NULL && other->p.f[RF_MOBILE] != NULL &&
			    strcmp(other->p.f[RF_MOBILE], km[i].key) != 0)
				continue;
			r->bad = ROSTER_MOBILE_HELD;
			r->why = arena_printf(a, "mobile %s belongs to %s",
			    km[i].key, holder->f[RF_UPN]);
			again = 1;
		}
	} while (again);
	free(ku);
	free(km);
	for (i = 0; i < n; i++)
		bad += rows[i].bad != 0;
	return bad;
}

/* Text fields compare with NULL and "" both none. */
static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *
none_null(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Replaces the search words of e, as it is now. */
static int
reindex(struct db *db, struct roster *d, const struct roster_entry *e)
{
	const char	*ph[PHONE__MAX];
	size_t		 n = 0;
	int		 t;

	if (d->dry)
		return DB_OK;
	for (t = 0; t < PHONE__MAX; t++)
		if (e->f[phone_field[t]] != NULL)
			ph[n++] = e->f[phone_field[t]];
	return search_index(db, &d->a, "user", e->id, e->f[RF_NAME],
	    e->f[RF_UPN], e->f[RF_EMAIL], ph, n);
}

/*
 * Takes number from whoever else has it as a mobile (roster_check()
 * allowed it: their row gives it up, later in the batch).
 */
static int
take_mobile(struct db *db, struct roster *d, const char *number,
    const struct roster_entry *e)
{
	struct roster_entry	*h = mobile_find(d, number);
	int			 rc;

	if (h == NULL || h == e)
		return DB_OK;
	if (!d->dry && ((rc = q_phone_delete(db, &(struct q_phone_delete_in){
	    .user = DB_TEXT(h->id), .type = DB_TEXT("mobile") }, NULL)) !=
	    DB_OK || (rc = q_sms_forget_number(db,
	    &(struct q_sms_forget_number_in){ .user = DB_TEXT(h->id),
	    .number = DB_TEXT(number) }, NULL)) != DB_OK ||
	    (rc = q_otp_forget_user(db, &(struct q_otp_forget_user_in){
	    .user = DB_TEXT(h->id) }, NULL)) != DB_OK))
		return rc;	/* and codes texted to it die, as phone_set's */
	JSET(d, h->f[RF_MOBILE], (const char *)NULL);
	mobile_set(d, number, NULL);
	return reindex(db, d, h);
}

/* Sets phone type t of e to want (NULL: none): DB_OK or a db_err. */
static int
phone_set(struct db *db, struct roster *d, struct roster_entry *e, int t,
    const char *want)
{
	enum roster_field	 f = phone_field[t];
	const char	*have = e->f[f], *type = phone_type_id(t);
	int		 rc = DB_OK;

	if (t == PHONE_MOBILE && want != NULL &&
	    (rc = take_mobile(db, d, want, e)) != DB_OK)
		return rc;
	if (!d->dry && e->fresh == d->gen) {
		if (d->q.nwphones == QPHONES &&
		    (rc = queue_flush(db, d, 0)) != DB_OK)
			return rc;
		d->q.wphones[d->q.nwphones++] = (struct qphone){ DB_TEXT(e->id),
		    DB_TEXT(type), DB_TEXT(want) };
	} else if (!d->dry) {
		if (have == NULL)
			rc = q_phone_insert(db, &(struct q_phone_insert_in){
			    .user = DB_TEXT(e->id), .type = DB_TEXT(type),
			    .number = DB_TEXT(want) }, NULL);
		else if (want == NULL)
			rc = q_phone_delete(db, &(struct q_phone_delete_in){
			    .user = DB_TEXT(e->id), .type = DB_TEXT(type) },
			    NULL);
		else
			rc = q_phone_update(db, &(struct q_phone_update_in){
			    .number = DB_TEXT(want), .user = DB_TEXT(e->id),
			    .type = DB_TEXT(type) }, NULL);
		/* Codes and texts on their way to the old number die. */
		if (rc == DB_OK && have != NULL && t != PHONE_OFFICE &&
		    ((rc = q_sms_forget_number(db,
		    &(struct q_sms_forget_number_in){ .user = DB_TEXT(e->id),
		    .number = DB_TEXT(have) }, NULL)) != DB_OK ||
		    (rc = q_otp_forget_user(db, &(struct q_otp_forget_user_in){
		    .user = DB_TEXT(e->id) }, NULL)) != DB_OK))
			return rc;
		if (rc != DB_OK)
			return rc;
	}
	if (t == PHONE_MOBILE) {
		if (have != NULL)
			mobile_set(d, have, NULL);
		if (want != NULL)
			mobile_set(d, want, e);
	}
	JSET(d, e->f[f], want);
	return DB_OK;
}

/* The location named name, created when none is: DB_OK or a db_err. */
static int
unit_get(struct db *db, struct roster *d, const char *name,
    struct roster_unit **out)
{
	struct q_unit_by_id_rows	 rows;
	struct roster_unit			*u;
	int				 rc;

	if ((*out = uname_find(d, name)) != NULL)
		return DB_OK;
	/* Another spelling of a name the database counts as one? */
	if ((rc = q_unit_by_name(db, &d->a, &(struct q_unit_by_name_in){
	    .name = DB_TEXT(name) }, &rows)) != DB_OK)
		return rc;
	if (rows.n > 0) {
		u = uname_find(d, rows.row[0].name);
		if (u == NULL || strcmp(u->id, rows.row[0].id) != 0) {
			/* made meanwhile by someone else */
			u = arena_alloc(&d->a, sizeof(*u));
			snprintf(u->id, sizeof(u->id), "%s", rows.row[0].id);
			u->name = rows.row[0].name;
			uname_add(d, u->name, u);
		}
		uname_add(d, name, u);
		*out = u;
		return DB_OK;
	}
	u = arena_alloc(&d->a, sizeof(*u));
	uuid_v4(u->id);
	u->name = name;
	if (!d->dry && ((rc = q_unit_insert(db, &(struct q_unit_insert_in){
	    .id = DB_TEXT(u->id), .name = DB_TEXT(name),
	    .description = DB_NULL }, NULL)) != DB_OK ||
	    (rc = search_index(db, &d->a, "unit", u->id, name, NULL, NULL,
	    NULL, 0)) != DB_OK))
		return rc;
	uname_add(d, name, u);
	JSET(d, d->st.units_created, d->st.units_created + 1);
	*out = u;
	return DB_OK;
}

/* Memberships of e: exactly p's locations. *changed set when any moved. */
static int
units_set(struct db *db, struct roster *d, struct roster_entry *e,
    const struct roster_person *p, int *changed)
{
	struct roster_unit	**want;
	size_t		  n = 0, i, j;
	int		  rc;

	want = arena_alloc(&d->a, (p->nunits + 1) * sizeof(*want));
	for (i = 0; i < p->nunits; i++) {
		if ((rc = unit_get(db, d, p->units[i], &want[n])) != DB_OK)
			return rc;
		for (j = 0; j < n && want[j] != want[n]; j++)
			continue;
		n += j == n;
	}
	for (i = 0; i < e->nunits; i++) {
		for (j = 0; j < n && want[j] != e->units[i]; j++)
			continue;
		if (j < n)
			continue;
		*changed = 1;
		if (!d->dry && (rc = q_member_remove(db,
		    &(struct q_member_add_in){ .unit = DB_TEXT(e->units[i]->id),
		    .user = DB_TEXT(e->id) }, NULL)) != DB_OK)
			return rc;
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < e->nunits && e->units[i] != want[j]; i++)
			continue;
		if (i < e->nunits)
			continue;
		*changed = 1;
		if (d->dry)
			continue;
		if ((rc = queue_member(db, d, e, want[j]->id)) != DB_OK)
			return rc;
	}
	if (*changed || n != e->nunits) {
		JSET(d, e->units, want);
		JSET(d, e->nunits, n);
	}
	return DB_OK;
}

/* A new person as p describes them. */
static int
person_create(struct db *db, struct roster *d, const struct roster_person *p,
    struct roster_entry **out)
{
	struct roster_entry	*e = arena_alloc(&d->a, sizeof(*e));
	const char		*ph[PHONE__MAX];
	size_t			 n = 0;
	int			 f, t, rc;

	memset(e, 0, sizeof(*e));
	uuid_v4(e->id);
	e->key = roster_upn_key(&d->a, p->f[RF_UPN]);
	for (f = 0; f < RF__MAX; f++)
		if (f != RF_UNITS && fields[f].kind != K_PHONE)
			e->f[f] = none_null(p->f[f]);
	if (e->f[RF_SOURCE] == NULL)
		e->f[RF_SOURCE] = "cloud";
	e->enabled = 1;
	e->fresh = d->gen;
	if (!d->dry) {
		struct q_roster_users_add_in	*u = &d->q.users;

		if (d->q.nusers == ROSTER_ROWS &&
		    (rc = queue_flush(db, d, 0)) != DB_OK)
			return rc;
		u->rows[d->q.nusers].id = DB_TEXT(e->id);
		u->rows[d->q.nusers].upn = DB_TEXT(e->f[RF_UPN]);
		u->rows[d->q.nusers].display_name = DB_TEXT(e->f[RF_NAME]);
		u->rows[d->q.nusers].given_name = DB_TEXT(e->f[RF_GIVEN]);
		u->rows[d->q.nusers].surname = DB_TEXT(e->f[RF_SURNAME]);
		u->rows[d->q.nusers].email = DB_TEXT(e->f[RF_EMAIL]);
		u->rows[d->q.nusers].job_title = DB_TEXT(e->f[RF_JOB]);
		u->rows[d->q.nusers].department = DB_TEXT(e->f[RF_DEPT]);
		u->rows[d->q.nusers].source = DB_TEXT(e->f[RF_SOURCE]);
		d->q.nusers++;
	}
	person_add(d, e);
	for (t = 0; t < PHONE__MAX; t++) {
		const char	*want = none_null(p->f[phone_field[t]]);

		if (want == NULL)
			continue;
		if ((rc = phone_set(db, d, e, t, want)) != DB_OK)
			return rc;
		ph[n++] = want;
	}
	if (!d->dry && (rc = search_batch_add(db, &d->a, &d->words, e->id,
	    e->f[RF_NAME], e->f[RF_UPN], e->f[RF_EMAIL], ph, n)) != DB_OK)
		return rc;
	*out = e;
	return DB_OK;
}

int
roster_apply(struct db *db, struct roster *d, const struct roster_person *p)
{
	struct roster_entry	*e;
	const char		*v;
	int			 f, t, rc, fields_changed = 0, words = 0;
	int			 changed = 0, created = 0;

	e = person_find(d, roster_upn_key(&d->a, p->f[RF_UPN]));
	if (e == NULL) {
		if ((rc = person_create(db, d, p, &e)) != DB_OK)
			return rc;
		created = 1;
	} else {
		for (f = 0; f < RF__MAX; f++) {
			if (f == RF_UNITS || fields[f].kind == K_PHONE ||
			    p->f[f] == NULL || same(p->f[f], e->f[f]))
				continue;
			/* no source: cloud for someone new, else as it is */
			if (f == RF_SOURCE && *p->f[f] == '\0')
				continue;
			/* UPN case and the rest: as the directory has it */
			JSET(d, e->f[f], none_null(p->f[f]));
			fields_changed = 1;
			words |= f == RF_UPN || f == RF_NAME ||
			    f == RF_EMAIL;
		}
		if (fields_changed && !d->dry && (rc = q_roster_user_update(db,
		    &(struct q_roster_user_update_in){
		    .upn = DB_TEXT(e->f[RF_UPN]),
		    .display_name = DB_TEXT(e->f[RF_NAME]),
		    .given_name = DB_TEXT(e->f[RF_GIVEN]),
		    .surname = DB_TEXT(e->f[RF_SURNAME]),
		    .email = DB_TEXT(e->f[RF_EMAIL]),
		    .job_title = DB_TEXT(e->f[RF_JOB]),
		    .department = DB_TEXT(e->f[RF_DEPT]),
		    .source = DB_TEXT(e->f[RF_SOURCE]),
		    .id = DB_TEXT(e->id) }, NULL)) != DB_OK)
			return rc;
		for (t = 0; t < PHONE__MAX; t++) {
			if ((v = p->f[phone_field[t]]) == NULL ||
			    same(v, e->f[phone_field[t]]))
				continue;
			if ((rc = phone_set(db, d, e, t, none_null(v))) !=
			    DB_OK)
				return rc;
			words = 1;
		}
		if (words && (rc = reindex(db, d, e)) != DB_OK)
			return rc;
		changed = fields_changed || words;
	}
	if (p->enable && !e->enabled) {
		if (!d->dry && (rc = db_user_set_enabled(db, e->id, 1,
		    NULL)) != DB_OK)
			return rc;
		JSET(d, e->enabled, 1);
		changed = 1;
	}
	if (p->f[RF_UNITS] != NULL &&
	    (rc = units_set(db, d, e, p, &changed)) != DB_OK)
		return rc;
	JSET(d, e->seen, 1);
	if (created)
		JSET(d, d->st.created, d->st.created + 1);
	else if (changed)
		JSET(d, d->st.updated, d->st.updated + 1);
	else
		JSET(d, d->st.unchanged, d->st.unchanged + 1);
	return DB_OK;
}

int
roster_flush(struct db *db, struct roster *d)
{
	int	rc;

	if (d->dry)
		return DB_OK;
	if ((rc = queue_flush(db, d, 1)) != DB_OK)
		return rc;
	return search_batch_flush(db, &d->words);
}

int
roster_disable_missing(struct db *db, struct roster *d, const char *source,
    size_t max, int *more)
{
	struct roster_entry	*e;
	size_t			 i, n = 0;
	int			 rc;

	*more = 0;
	for (i = 0; i < d->n; i++) {
		e = d->all[i];
		if (!e->enabled || e->seen || e->f[RF_SOURCE] == NULL ||
		    strcmp(e->f[RF_SOURCE], source) != 0)
			continue;
		if (n == max) {
			*more = 1;
			break;
		}
		if (!d->dry && (rc = db_user_set_enabled(db, e->id, 0,
		    NULL)) != DB_OK)
			return rc;
		JSET(d, e->enabled, 0);
		JSET(d, e->left, 1);
		JSET(d, d->st.disabled, d->st.disabled + 1);
		n++;
	}
	return DB_OK;
}

void
roster_each_left(struct roster *d, void (*fn)(void *, const char *upn),
    void *arg)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		if (d->all[i]->left)
			fn(arg, d->all[i]->f[RF_UPN]);
}

void
roster_keep(struct roster *d, const char *upn)
{
	struct roster_entry	*e;

	e = person_find(d, roster_upn_key(&d->a, upn));

	if (e != NULL)
		e->seen = 1;
}

static int
entry_by_key(const void *a, const void *b)
{
	return strcmp((*(struct roster_entry *const *)a)->key,
	    (*(struct roster_entry *const *)b)->key);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
roster_each(struct roster *d, struct arena *a,
    int (*fn)(void *, const char *const f[RF__MAX]), void *arg)
{
	struct roster_entry	**by = xcalloc(d->n + 1, sizeof(*by));
	const char		*f[RF__MAX], **names;
	char			*units;
	size_t			 i, k, len;
	int			 rc = 0;

	memcpy(by, d->all, d->n * sizeof(*by));
	qsort(by, d->n, sizeof(*by), entry_by_key);
	for (i = 0; i < d->n && rc == 0; i++) {
		memcpy(f, by[i]->f, sizeof(f));
		names = arena_alloc(a, (by[i]->nunits + 1) * sizeof(*names));
		for (k = len = 0; k < by[i]->nunits; k++) {
			names[k] = by[i]->units[k]->name;
			len += strlen(names[k]) + 1;
		}
		qsort(names, by[i]->nunits, sizeof(*names), name_cmp);
		units = arena_alloc(a, len + 1);
		for (k = len = 0; k < by[i]->nunits; k++) {
			if (k > 0)
				units[len++] = ROSTER_UNIT_SEP;
			memcpy(units + len, names[k], strlen(names[k]));
			len += strlen(names[k]);
		}
		units[len] = '\0';
		f[RF_UNITS] = units;
		rc = fn(arg, f);
	}
	free(by);
	return rc;
}

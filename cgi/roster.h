/*
 * roster.h: people and locations as a directory lists them (a roster): an
 * HR export in CSV (staffdesk-admin import) or the on-premises LDAP
 * directory (staffdesk-admin sync ldap). Both fill a struct roster_person
 * per person, check the lot with roster_check(), and hand each good one
 * to roster_apply(), which brings staffdesk to it: the person created or
 * updated by UPN, the phones given set as given (normalised as the
 * profile form does, phone.h), memberships set to exactly the listed
 * locations, a location created when none has the name.
 *
 * What staffdesk has is loaded once (roster_load(): every person, phone,
 * location and membership, a few hundred bytes a person), so deciding
 * costs no query per person and a person already as described costs
 * no statement at all: a second run of the same file writes nothing.
 *
 * roster_apply() runs inside the caller's db_txn(), a batch of people a
 * transaction. What it changes in the loaded copy is journalled: the
 * caller calls roster_txn_begin() first thing in its transaction function
 * (a retry then starts from the copy as it was before the failed
 * attempt) and roster_txn_commit() once db_txn() returned DB_OK.
 */
#ifndef STAFFDESK_ROSTER_H
#define STAFFDESK_ROSTER_H

#include <stddef.h>

#include "db/db.h"

/* The fields of a person, in the order of a CSV header staffdesk writes. */
enum roster_field {
	RF_UPN, RF_NAME, RF_EMAIL, RF_MOBILE, RF_SOURCE, RF_UNITS,
	RF_GIVEN, RF_SURNAME, RF_JOB, RF_DEPT, RF_OFFICE, RF_ALT_MOBILE,
	RF__MAX
};
#define RF_REQUIRED	6	/* RF_UPN .. RF_UNITS: in every file */

#define ROSTER_UPN_MAX	255	/* bytes, as users.upn */
#define ROSTER_NAME_MAX	256	/* characters, as display_name */
#define ROSTER_EMAIL_MAX	255
#define ROSTER_GIVEN_MAX	64	/* given name, surname */
#define ROSTER_JOB_MAX	128	/* job title, department */
#define ROSTER_UNITS_MAX	32	/* locations of one person */
#define ROSTER_UNIT_SEP	';'	/* between the units field's names */

/* The refusals of roster_person_check() and roster_check() (util.h's rule). */
enum roster_refusal {
	ROSTER_BAD = DB_REFUSED,	/* a field is not valid: see *why */
	ROSTER_DUP_UPN,		/* an earlier row has the UPN */
	ROSTER_DUP_MOBILE,		/* an earlier row has the mobile */
	ROSTER_MOBILE_HELD,	/* someone staffdesk keeps has the mobile */
};

/* The column name of a field ("display_name"). */
const char	*roster_field_id(enum roster_field);
/* The field a column name names (case and spaces at the ends aside), or -1. */
int		 roster_field_parse(const char *);

/*
 * One person as the directory has them. f[] is text as read: NULL when
 * the source does not carry the field (it stays as staffdesk has it),
 * "" when it is empty (none). roster_person_check() trims and normalises
 * f[] and splits f[RF_UNITS] into units[].
 */
struct roster_person {
	const char	*f[RF__MAX];
	const char	*units[ROSTER_UNITS_MAX];
	size_t		 nunits;
	int		 enable;	/* 1: enable if disabled; 0: keep */
};

/*
 * The locations of a units field: split at ROSTER_UNIT_SEP, spaces cut,
 * empty entries and repeats (by location_name rules' byte equality)
 * dropped. Returns how many were stored in out[max] (0 is no location),
 * or -1 with a sentence in *why (a name a location may not have, more
 * than max).
 */
int		 roster_units_split(struct arena *, const char *list,
		    const char **out, size_t max, const char **why);

/*
 * Checks one person as a row stands alone, trims its text, normalises
 * its phones to E.164 as the profile form does (country: the setting
 * phone.country, for numbers without +; NULL or "": none) and splits
 * its locations: 0, or ROSTER_BAD with a sentence in *why
 * ("display_name is empty"). Pure.
 */
int		 roster_person_check(struct arena *, struct roster_person *,
		    const char *country, const char **why);

/*
 * The columns of a CSV file's header, its first record (n fields, at
 * most maxcol of them kept: csvread.h): col[k] is the field of column
 * k. Every column must be a known field, once; the RF_REQUIRED ones
 * must be there. 0, or ROSTER_BAD with a sentence in *why ("unknown
 * column 'shoe_size'; the columns are: upn, ...").
 */
int		 roster_csv_header(struct arena *, const char *const *field,
		    size_t n, size_t maxcol, int *col, const char **why);

/* The key two UPNs share when the database counts them one (ASCII case). */
char		*roster_upn_key(struct arena *, const char *upn);

struct roster;

/* A person of a batch, with the result of the checks. */
struct roster_row {
	struct roster_person	 p;
	long			 line;	/* its first line in a file */
	const char		*origin; /* where else it came from (a DN), for
					    messages; NULL: line */
	int			 bad;	/* 0, or enum roster_refusal */
	const char		*why;	/* a sentence when bad */
};

/*
 * A record of n fields under a header of ncol columns (col[] from
 * roster_csv_header()) into row->p, each cell as csv_unformula() reads
 * it back, checked by roster_person_check(): row->bad ROSTER_BAD and a
 * sentence in row->why when it has another count of fields than the
 * header or does not pass. Leaves row->line to the caller.
 */
void		 roster_csv_row(struct arena *, const int *col, size_t ncol,
		    const char *const *field, size_t n, const char *country,
		    struct roster_row *row);

/*
 * The checks across rows, on rows that passed roster_person_check() (bad
 * 0): a UPN or mobile number an earlier row has (ROSTER_DUP_UPN,
 * ROSTER_DUP_MOBILE), a mobile number a person staffdesk keeps has unless
 * that person's own good row gives it up (ROSTER_MOBILE_HELD). Sets bad
 * and why; returns how many rows are bad in all.
 */
size_t		 roster_check(struct roster *, struct arena *,
		    struct roster_row *, size_t n);

/* What roster_apply() and roster_disable_missing() did, added up. */
struct roster_stats {
	size_t	created, updated, unchanged, disabled, units_created;
};

/*
 * Loads what staffdesk has. dry: nothing will be written (roster_apply()
 * only counts). DB_OK with *out set, or a db_err.
 */
int		 roster_load(struct db *, int dry, struct roster **out);
void		 roster_free(struct roster *);
const struct roster_stats *roster_stats(const struct roster *);

void		 roster_txn_begin(struct roster *);
void		 roster_txn_commit(struct roster *);

/*
 * Brings the person (checked) to p, inside the caller's transaction:
 * a mobile number another loaded person has is taken from them (the
 * checks allowed it: their own row gives it up). Adds to the stats.
 * DB_OK or a db_err.
 */
int		 roster_apply(struct db *, struct roster *,
		    const struct roster_person *);
/*
 * Writes what waits from roster_apply() (new people's search words): call
 * last in each transaction. DB_OK or a db_err.
 */
int		 roster_flush(struct db *, struct roster *);
/*
 * Disables the enabled people of source ("onprem") that no roster_apply()
 * of this load has seen: people who left the directory. Never deletes
 * (their audit history stays). At most max of them a call; *more is
 * set when some are left for the next. DB_OK or a db_err.
 */
int		 roster_disable_missing(struct db *, struct roster *,
		    const char *source, size_t max, int *more);

/* fn(arg, upn) for each person roster_disable_missing() disabled. */
void		 roster_each_left(struct roster *,
		    void (*fn)(void *, const char *upn), void *arg);

/*
 * Counts the person with upn as seen (in the directory still) without
 * a change: one whose entry is bad this time must not count as gone.
 */
void		 roster_keep(struct roster *, const char *upn);

/*
 * Walks the loaded people in UPN order: fn gets each person's fields
 * (f[RF_UNITS] the locations joined with ROSTER_UNIT_SEP). For the
 * export; returns fn's first non-zero value, or 0.
 */
int		 roster_each(struct roster *, struct arena *,
		    int (*fn)(void *, const char *const f[RF__MAX]), void *);

#endif

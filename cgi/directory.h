/*
 * directory.h: people and locations as a directory describes them: an
 * HR export in CSV (staffdesk-admin import) or the on-premises LDAP
 * directory (staffdesk-admin sync ldap). Both fill a struct dir_person
 * per person, check the lot with dir_check(), and hand each good one
 * to dir_apply(), which brings staffdesk to it: the person created or
 * updated by UPN, the phones given set as given (normalised as the
 * profile form does, phone.h), memberships set to exactly the listed
 * locations, a location created when none has the name.
 *
 * What staffdesk has is loaded once (dir_load(): every person, phone,
 * location and membership, a few hundred bytes a person), so deciding
 * costs no query per person and a person already as described costs
 * no statement at all: a second run of the same file writes nothing.
 *
 * dir_apply() runs inside the caller's db_txn(), a batch of people a
 * transaction. What it changes in the loaded copy is journalled: the
 * caller calls dir_txn_begin() first thing in its transaction function
 * (a retry then starts from the copy as it was before the failed
 * attempt) and dir_txn_commit() once db_txn() returned DB_OK.
 */
#ifndef STAFFDESK_DIRECTORY_H
#define STAFFDESK_DIRECTORY_H

#include <stddef.h>

#include "db/db.h"

/* The fields of a person, in the order of a CSV header staffdesk writes. */
enum dir_field {
	DIR_UPN, DIR_NAME, DIR_EMAIL, DIR_MOBILE, DIR_SOURCE, DIR_UNITS,
	DIR_GIVEN, DIR_SURNAME, DIR_JOB, DIR_DEPT, DIR_OFFICE, DIR_ALT_MOBILE,
	DIR__MAX
};
#define DIR_REQUIRED	6	/* DIR_UPN .. DIR_UNITS: a file must have them */

#define DIR_UPN_MAX	255	/* bytes, as users.upn */
#define DIR_NAME_MAX	256	/* characters, as users.display_name */
#define DIR_EMAIL_MAX	255
#define DIR_GIVEN_MAX	64	/* given name, surname */
#define DIR_JOB_MAX	128	/* job title, department */
#define DIR_UNITS_MAX	32	/* locations one person is listed in */
#define DIR_UNIT_SEP	';'	/* between the locations of the units field */

/* The refusals of dir_person_check() and dir_check() (util.h's rule). */
enum dir_refusal {
	DIR_BAD = DB_REFUSED,	/* a field is not valid: *why says which */
	DIR_DUP_UPN,		/* an earlier row has the UPN */
	DIR_DUP_MOBILE,		/* an earlier row has the mobile number */
	DIR_MOBILE_HELD,	/* someone staffdesk keeps has the mobile */
};

/* The column name of a field ("display_name"). */
const char	*dir_field_id(enum dir_field);
/* The field a column name names (case and spaces at the ends aside), or -1. */
int		 dir_field_parse(const char *);

/*
 * One person as the directory has them. f[] is text as read: NULL when
 * the source does not carry the field (it stays as staffdesk has it),
 * "" when it is empty (none). dir_person_check() trims and normalises
 * f[] and splits f[DIR_UNITS] into units[].
 */
struct dir_person {
	const char	*f[DIR__MAX];
	const char	*units[DIR_UNITS_MAX];
	size_t		 nunits;
	int		 enable;	/* 1: enabled when found disabled; 0: kept */
};

/*
 * The locations of a units field: split at DIR_UNIT_SEP, spaces cut,
 * empty entries and repeats (by location_name rules' byte equality)
 * dropped. Returns how many were stored in out[max] (0 is no location),
 * or -1 with a sentence in *why (a name a location may not have, more
 * than max).
 */
int		 dir_units_split(struct arena *, const char *list,
		    const char **out, size_t max, const char **why);

/*
 * Checks one person as a row stands alone, trims its text, normalises
 * its phones to E.164 and splits its locations: 0, or DIR_BAD with a
 * sentence in *why ("display_name is empty"). Pure.
 */
int		 dir_person_check(struct arena *, struct dir_person *,
		    const char **why);

/* The key two UPNs share when the database counts them one (ASCII case). */
char		*dir_upn_key(struct arena *, const char *upn);

struct dir;

/* A person of a batch, with the result of the checks. */
struct dir_row {
	struct dir_person	 p;
	long			 line;	/* where it came from (a file's line) */
	int			 bad;	/* 0, or an enum dir_refusal */
	const char		*why;	/* a sentence when bad */
};

/*
 * The checks across rows, on rows that passed dir_person_check() (bad
 * 0): a UPN or mobile number an earlier row has (DIR_DUP_UPN,
 * DIR_DUP_MOBILE), a mobile number a person staffdesk keeps has unless
 * that person's own good row gives it up (DIR_MOBILE_HELD). Sets bad
 * and why; returns how many rows are bad in all.
 */
size_t		 dir_check(struct dir *, struct arena *, struct dir_row *,
		    size_t n);

/* What dir_apply() and dir_disable_missing() did, added up. */
struct dir_stats {
	size_t	created, updated, unchanged, disabled, units_created;
};

/*
 * Loads what staffdesk has. dry: nothing will be written (dir_apply()
 * only counts). DB_OK with *out set, or a db_err.
 */
int		 dir_load(struct db *, int dry, struct dir **out);
void		 dir_free(struct dir *);
const struct dir_stats *dir_stats(const struct dir *);

void		 dir_txn_begin(struct dir *);
void		 dir_txn_commit(struct dir *);

/*
 * Brings the person (checked) to p, inside the caller's transaction:
 * a mobile number another loaded person has is taken from them (the
 * checks allowed it: their own row gives it up). Adds to the stats.
 * DB_OK or a db_err.
 */
int		 dir_apply(struct db *, struct dir *, const struct dir_person *);
/*
 * Writes what waits from dir_apply() (new people's search words): call
 * last in each transaction. DB_OK or a db_err.
 */
int		 dir_flush(struct db *, struct dir *);
/*
 * Disables the enabled people of source ("onprem") that no dir_apply()
 * of this load has seen: people who left the directory. Never deletes
 * (their audit history stays). At most max of them a call; *more is
 * set when some are left for the next. DB_OK or a db_err.
 */
int		 dir_disable_missing(struct db *, struct dir *,
		    const char *source, size_t max, int *more);

/*
 * Walks the loaded people in UPN order: fn gets each person's fields
 * (f[DIR_UNITS] the locations joined with DIR_UNIT_SEP). For the
 * export; returns fn's first non-zero value, or 0.
 */
int		 dir_each(struct dir *, struct arena *,
		    int (*fn)(void *, const char *const f[DIR__MAX]), void *);

#endif

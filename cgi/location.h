/*
 * location.h: the rules a location's (a unit's) name and description
 * keep, as pure functions of the text: the admin console and
 * staffdesk-admin check them the same way.
 *
 * A name is one line of text, 1-LOCATION_NAME_MAX characters once the
 * characters that show nothing are cut (location_trim), with something
 * that shows and no ';' (the CSV of people separates locations with
 * it: such a name would not come back whole). Names are unique as the
 * database compares them (without regard to case or accents: "Store 1"
 * and "store 1" are one name). A description is one line of at most
 * LOCATION_DESC_MAX characters, or none.
 */
#ifndef STAFFDESK_LOCATION_H
#define STAFFDESK_LOCATION_H

#include <stdint.h>

#define LOCATION_NAME_MAX	100	/* characters */
#define LOCATION_DESC_MAX	500	/* characters */

struct arena;

/* Why a name or description is refused (the return rule's positive). */
enum location_refusal {
	LOCATION_NAME_EMPTY = 1,	/* no name, or only spaces */
	LOCATION_NAME_LONG,		/* over LOCATION_NAME_MAX characters */
	LOCATION_NAME_BAD,		/* not one line of UTF-8 text */
	LOCATION_NAME_SEMICOLON,	/* a ';': the CSV's separator */
	LOCATION_DESC_LONG,		/* over LOCATION_DESC_MAX characters */
	LOCATION_DESC_BAD,		/* not one line of UTF-8 text */
};

/* s without invisible characters, or spaces at both ends, in the arena;
 * NULL stays NULL. */
const char	*location_trim(struct arena *, const char *s);
/* 0 when name (already trimmed) may name a location, else the refusal. */
int		 location_name_check(const char *name);
/* 0 when desc (already trimmed; NULL or "" is none) may describe one. */
int		 location_desc_check(const char *desc);
/* The refusal as a sentence for a person. */
const char	*location_refusal_text(enum location_refusal);
/*
 * The version of a location as a form showed it: FNV-1a of its name
 * and description (NULL is none, as ""). A save from a form whose
 * location has changed since is refused, so two admins cannot undo
 * each other's change unknowingly.
 */
uint32_t	 location_version(const char *name, const char *desc);

#endif

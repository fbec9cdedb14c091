/*
 * phone.h: phone numbers (/users/{id}/phone): the three types a
 * person may have, E.164 normalisation of what a manager types, and
 * the masked form shown and audited ("+1 ••• ••• 0100").
 */
#ifndef STAFFDESK_PHONE_H
#define STAFFDESK_PHONE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PHONE_MAX	32	/* "+" 15 digits " x" 6 digits, and NUL */
#define PHONE_DIGITS_MIN 8
#define PHONE_DIGITS_MAX 15
#define PHONE_EXT_MAX	6

enum phone_type { PHONE_MOBILE, PHONE_ALT_MOBILE, PHONE_OFFICE, PHONE__MAX };

struct arena;

/* The type for its id ("mobile", "alternateMobile", "office"), or -1. */
int		 phone_type_parse(const char *);
const char	*phone_type_id(enum phone_type);
const char	*phone_type_name(enum phone_type);	/* "Alternate mobile" */

/*
 * Normalises a typed number to E.164: "+", then 8-15 digits, the first
 * not 0; spaces, dots, dashes and parentheses are dropped. With ext
 * (office numbers) an extension "x123" (also "ext 123", "ext. 123";
 * 1-6 digits) may follow and is kept as " x123". Returns 0 with the
 * result in out, or -1 with a sentence for the manager in *why.
 */
int		 phone_normalise(const char *in, int ext, char out[PHONE_MAX],
		    const char **why);
/*
 * As phone_normalise(), but a number typed without "+" is read as one
 * of country (two letters, "US"; the setting phone.country), written
 * the way people there write it ("(425) 555-0100", "07700 900123",
 * "00 44 ..." with the international prefix), by libphonenumber's
 * numbering plans. NULL or "" country: as phone_normalise().
 */
int		 phone_normalise_in(const char *in, const char *country,
		    int ext, char out[PHONE_MAX], const char **why);
/*
 * The number with all but its country calling code and last four
 * digits hidden: "+1 ••• ••• 0100", "+353 ••• ••• 4567".
 */
char		*phone_mask(struct arena *, const char *e164);
/*
 * The digits of e164's country calling code (1 to 3, by the numbering
 * plans of libphonenumber: phonelib.cc), or 0 when it has none.
 */
int		 phone_cc_len(const char *e164);
/*
 * The number a person of country would mean by national (digits and
 * " .-()" only, no extension), as "+" and digits into out: 0, or -1
 * when it is not one there (libphonenumber).
 */
int		 phone_national_e164(const char *national, const char *country,
		    char out[PHONE_MAX]);
/*
 * A stored number (E.164, an office one with " x123") as people of its
 * country group it: "+1 425-555-0100", "+44 7700 900123", "+1
 * 425-555-0199 ext. 42"; as stored when libphonenumber cannot read it
 * or would show other digits (a national prefix dropped: "+84 0...").
 */
char		*phone_format(struct arena *, const char *number);
/* 1 when country is a region libphonenumber knows ("US", "GB"). */
int		 phone_region_known(const char *country);

#ifdef __cplusplus
}
#endif

#endif

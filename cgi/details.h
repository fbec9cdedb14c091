/*
 * details.h: an audit entry's details for people. The code that writes
 * an audit row gives its details as a small JSON object (db/audit.h:
 * {"initiatedBy":"My Staff","to":"+1 ••• ••• 0100"}); the audit pages
 * show them as lines "Initiated by: My Staff", "Sent to: +1 ••• •••
 * 0100". The CSV export keeps the JSON. Pure: no I/O.
 */
#ifndef STAFFDESK_DETAILS_H
#define STAFFDESK_DETAILS_H

#include <stddef.h>

#define DETAILS_MAX	32	/* lines of one entry */
#define DETAILS_DEPTH	4	/* objects and arrays within each other */
#define DETAILS_ITEMS	64	/* members or items of one object or array */

struct arena;

/* One line: a label and its value, both text for people. */
struct detail {
	const char	*label;
	const char	*value;
};

/*
 * The lines of details (a JSON object), into out[max], in the arena;
 * returns how many (0 for NULL or {}), or -1 when details is not a
 * JSON object this reads (not JSON, more than max lines, nesting deeper
 * than DETAILS_DEPTH, a container of more than DETAILS_ITEMS): show it
 * as it is.
 *
 * A member is a line: its name as words ("initiatedBy": "Initiated
 * by"; a few have names of their own: "old" is "Before", "new"
 * "After", "to" "Sent to"), its value as text: a string as it is (""
 * is "(empty)"), a number as written, null "none", true and false
 * "yes" and "no", an array's items joined by "; " ([] is "none"), an
 * object's members as "Name: value" joined by ", ". A change, an object
 * of exactly name, old and new, reads "old → new"; an array of changes
 * (settings.update's "changes") is a line per change, labelled with its
 * name. Control characters in strings read as U+FFFD. The member
 * "requestId" (which the row of every web request carries, db/audit.h)
 * is not a line: details_request_id() reads it, for the entry's page.
 */
int	 details_read(struct arena *, const char *details, struct detail *out,
	    size_t max);
/* The string member "requestId" of details (a JSON object), or NULL. */
const char *details_request_id(struct arena *, const char *details);

#endif

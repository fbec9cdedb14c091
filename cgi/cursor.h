/*
 * cursor.h: keyset pagination cursors (DESIGN.md section 7): the sort
 * key of the last row shown, (name, id), as "base64url(name).uuid" in
 * ?after= or ?before=. Never OFFSET; a tampered cursor is refused.
 */
#ifndef STAFFDESK_CURSOR_H
#define STAFFDESK_CURSOR_H

#define CURSOR_NAME_MAX	256			/* bytes of a sort name */
#define CURSOR_MAX	(CURSOR_NAME_MAX * 4 / 3 + 4 + 1 + 36)

struct arena;

/* The cursor text for (name, id), in the arena. */
char	*cursor_encode(struct arena *, const char *name, const char *id);
/*
 * Splits a cursor into its name and id (in the arena): 0, or -1 when it
 * is not one this program wrote (bad base64, bad UTF-8, bad UUID).
 */
int	 cursor_decode(struct arena *, const char *s, const char **name,
	    const char **id);

#endif

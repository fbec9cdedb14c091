/*
 * cursor.h: keyset pagination cursors: the sort key of the last row
 * shown, one or two texts and an id, as
 * "base64url(key1)[.base64url(key2)].uuid" in ?after= or ?before=.
 * Never OFFSET; a tampered cursor is refused, not trusted.
 */
#ifndef STAFFDESK_CURSOR_H
#define STAFFDESK_CURSOR_H

#include <stddef.h>

#define CURSOR_KEYS_MAX	2
#define CURSOR_KEY_MAX	1024	/* bytes: a 256-character name in UTF-8 */
#define CURSOR_MAX	(CURSOR_KEYS_MAX * (CURSOR_KEY_MAX * 4 / 3 + 4 + 1) + 36)

struct arena;

/*
 * The cursor for keys[0..n) and id, in the arena; a key over
 * CURSOR_KEY_MAX bytes is cut there, between two UTF-8 characters.
 */
char	*cursor_encode(struct arena *, const char *const *keys, size_t n,
	    const char *id);
/*
 * Splits a cursor of exactly n keys into keys[] and *id (in the arena):
 * 0, or -1 when it is not one this program wrote (wrong number of parts,
 * bad base64, bad UTF-8, bad UUID, too long).
 */
int	 cursor_decode(struct arena *, const char *s, const char **keys,
	    size_t n, const char **id);

#endif

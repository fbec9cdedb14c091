/*
 * fuzz_cursor.c: the pager's cursors (cursor.h) both ways. A cursor
 * that decodes, with one key or two, holds keys a page can show and a
 * UUID, and encodes back to the very string (one cursor per page, none
 * forged from another); keys cut from the input (at its first newline)
 * encode to a cursor that decodes, to the keys, or to a cut of a key
 * over CURSOR_KEY_MAX bytes that is still text.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "fuzz.h"
#include "util.h"

#define ID	"0b6e6c8e-3f0a-4c1b-9d2e-6f7a8b9c0d1e"

/* The keys of the text: what comes before and after its first newline. */
static size_t
split(struct arena *a, const char *s, const char **keys)
{
	const char	*nl = strchr(s, '\n');

	if (nl == NULL) {
		keys[0] = s;
		return 1;
	}
	keys[0] = arena_strndup(a, s, (size_t)(nl - s));
	keys[1] = nl + 1;
	return 2;
}

/* Encodes keys and decodes them again: the keys, whole or cut. */
static void
round_trip(struct arena *a, const char *const *keys, size_t n)
{
	const char	*back[CURSOR_KEYS_MAX], *id;
	char		*enc;
	size_t		 i, len;

	enc = cursor_encode(a, keys, n, ID);
	FUZZ_CHECK(strlen(enc) <= CURSOR_MAX);
	FUZZ_CHECK(cursor_decode(a, enc, back, n, &id) == 0);
	FUZZ_CHECK(strcmp(id, ID) == 0);
	for (i = 0; i < n; i++) {
		len = strlen(back[i]);
		if (strlen(keys[i]) <= CURSOR_KEY_MAX)
			FUZZ_CHECK(strcmp(back[i], keys[i]) == 0);
		else
			FUZZ_CHECK(len <= CURSOR_KEY_MAX &&
			    len + 4 > CURSOR_KEY_MAX &&
			    strncmp(back[i], keys[i], len) == 0);
	}
	/* The other count of keys is refused. */
	FUZZ_CHECK(cursor_decode(a, enc, back, n == 1 ? 2 : 1, &id) == -1);
}

int
fuzz_cursor(const uint8_t *data, size_t size)
{
	struct arena	 a = { NULL };
	const char	*keys[CURSOR_KEYS_MAX], *id;
	char		*s = fuzz_text(data, size), *enc;
	size_t		 n, i;

	for (n = 1; n <= CURSOR_KEYS_MAX; n++) {
		if (cursor_decode(&a, s, keys, n, &id) != 0)
			continue;
		FUZZ_CHECK(strlen(s) <= CURSOR_MAX);
		FUZZ_CHECK(uuid_valid(id));
		for (i = 0; i < n; i++)
			FUZZ_CHECK(strlen(keys[i]) <= CURSOR_KEY_MAX &&
			    utf8_text_valid(keys[i], strlen(keys[i]), 0));
		enc = cursor_encode(&a, keys, n, id);
		FUZZ_CHECK(strcmp(enc, s) == 0);
	}
	/* Keys as a page has them: one line of text each. */
	if (fuzz_no_nul(data, size)) {
		n = split(&a, s, keys);
		for (i = 0; i < n; i++)
			if (!utf8_text_valid(keys[i], strlen(keys[i]), 0))
				break;
		if (i == n)
			round_trip(&a, keys, n);
	}
	arena_reset(&a);
	free(s);
	return 0;
}

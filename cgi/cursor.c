/*
 * cursor.c: see cursor.h.
 */
#include <string.h>

#include "cursor.h"
#include "util.h"

char *
cursor_encode(struct arena *a, const char *name, const char *id)
{
	size_t	 n = strlen(name), e;
	char	*out;

	if (n > CURSOR_NAME_MAX)
		n = CURSOR_NAME_MAX;
	out = arena_alloc(a, 4 * ((n + 2) / 3) + 1 + UUID_LEN + 1);
	b64url_encode((const unsigned char *)name, n, out);
	e = strlen(out);
	out[e] = '.';
	memcpy(out + e + 1, id, UUID_LEN);
	out[e + 1 + UUID_LEN] = '\0';
	return out;
}

int
cursor_decode(struct arena *a, const char *s, const char **name,
    const char **id)
{
	const char	*dot = strrchr(s, '.');
	char		*enc, *buf;
	int		 n;

	if (dot == NULL || strlen(s) > CURSOR_MAX || !uuid_valid(dot + 1))
		return -1;
	enc = arena_strndup(a, s, (size_t)(dot - s));
	buf = arena_alloc(a, CURSOR_NAME_MAX + 1);
	if ((n = b64url_decode(enc, (unsigned char *)buf,
	    CURSOR_NAME_MAX)) < 0 || !utf8_text_valid(buf, (size_t)n, 0) ||
	    memchr(buf, '\0', (size_t)n) != NULL)
		return -1;
	buf[n] = '\0';
	*name = buf;
	*id = arena_strdup(a, dot + 1);
	return 0;
}

/*
 * cursor.c: see cursor.h.
 */
#include <string.h>

#include "cursor.h"
#include "util.h"

char *
cursor_encode(struct arena *a, const char *const *keys, size_t n,
    const char *id)
{
	size_t	 i, len, o = 0;
	char	*out;

	out = arena_alloc(a, n * (4 * ((CURSOR_KEY_MAX + 2) / 3) + 1) +
	    UUID_LEN + 1);
	for (i = 0; i < n; i++) {
		len = strlen(keys[i]);
		if (len > CURSOR_KEY_MAX) {
			/* Cut between characters: cursor_decode() wants text. */
			len = CURSOR_KEY_MAX;
			while (len > 0 && ((unsigned char)keys[i][len] &
			    0xc0) == 0x80)
				len--;
		}
		b64url_encode((const unsigned char *)keys[i], len, out + o);
		o += strlen(out + o);
		out[o++] = '.';
	}
	memcpy(out + o, id, UUID_LEN);
	out[o + UUID_LEN] = '\0';
	return out;
}

int
cursor_decode(struct arena *a, const char *s, const char **keys, size_t n,
    const char **id)
{
	const char	*p = s, *dot;
	char		*enc, *buf;
	size_t		 i;
	int		 len;

	if (strlen(s) > CURSOR_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if ((dot = strchr(p, '.')) == NULL)
			return -1;
		enc = arena_strndup(a, p, (size_t)(dot - p));
		buf = arena_alloc(a, CURSOR_KEY_MAX + 1);
		if ((len = b64url_decode(enc, (unsigned char *)buf,
		    CURSOR_KEY_MAX)) < 0 || memchr(buf, '\0', (size_t)len) ||
		    !utf8_text_valid(buf, (size_t)len, 0))
			return -1;
		buf[len] = '\0';
		keys[i] = buf;
		p = dot + 1;
	}
	if (!uuid_valid(p))
		return -1;
	*id = arena_strdup(a, p);
	return 0;
}

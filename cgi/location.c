/*
 * location.c: see location.h.
 */
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "location.h"
#include "util.h"

/*
 * What a name shows, by Unicode's properties (utf8proc): a default
 * ignorable character (soft hyphen, zero-width space, byte order mark,
 * bidirectional controls) shows nothing and means nothing, so a name
 * keeps none of them: "Sto\u00adre 2" is "Store 2", the same location,
 * and reads so. The zero-width (non-)joiners are spelling in some
 * scripts: they stay inside a name, and count as blank at its ends.
 */
enum shows { SHOWS, BLANK, INVISIBLE };

/* What the character at s, of n bytes (*len), shows; SHOWS when broken. */
static enum shows
shows(const char *s, size_t n, size_t *len)
{
	utf8proc_int32_t		 cp;
	utf8proc_ssize_t		 k;
	const utf8proc_property_t	*p;

	k = utf8proc_iterate((const utf8proc_uint8_t *)s,
	    (utf8proc_ssize_t)n, &cp);
	*len = k > 0 ? (size_t)k : 1;
	if (k <= 0)
		return SHOWS;		/* location_name_check refuses it */
	p = utf8proc_get_property(cp);
	if (p->ignorable && cp != 0x200c && cp != 0x200d)
		return INVISIBLE;
	if (p->ignorable || p->category == UTF8PROC_CATEGORY_ZS)
		return BLANK;
	return SHOWS;
}

const char *
location_trim(struct arena *a, const char *s)
{
	char		*out;
	size_t		 i, n, len, start, end = 0, k = 0;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	out = arena_alloc(a, n + 1);
	start = SIZE_MAX;
	for (i = 0; i < n; i += len)
		switch (shows(s + i, n - i, &len)) {
		case INVISIBLE:
			break;
		case SHOWS:
			if (start == SIZE_MAX)
				start = k;
			memcpy(out + k, s + i, len);
			k += len;
			end = k;
			break;
		case BLANK:
			if (start != SIZE_MAX) {
				memcpy(out + k, s + i, len);
				k += len;
			}
			break;
		}
	if (start == SIZE_MAX)
		return arena_strdup(a, "");
	out[end] = '\0';
	return out + start;
}

/* 0, or the refusal for text that is not one line or is over max. */
static int
text_check(const char *s, size_t max, int bad, int longer)
{
	if (!utf8_text_valid(s, strlen(s), 0))
		return bad;
	if (utf8_len(s) > max)
		return longer;
	return 0;
}

int
location_name_check(const char *name)
{
	size_t		 i, n, len;
	int		 rc;

	if (name == NULL)
		return LOCATION_NAME_EMPTY;
	if ((rc = text_check(name, LOCATION_NAME_MAX, LOCATION_NAME_BAD,
	    LOCATION_NAME_LONG)) != 0)
		return rc;
	n = strlen(name);
	for (i = 0; i < n && shows(name + i, n - i, &len) != SHOWS; i += len)
		continue;
	if (i == n)
		return LOCATION_NAME_EMPTY;	/* nothing that shows */
	if (strchr(name, ';') != NULL)
		return LOCATION_NAME_SEMICOLON;
	return 0;
}

int
location_desc_check(const char *desc)
{
	if (desc == NULL)
		return 0;
	return text_check(desc, LOCATION_DESC_MAX, LOCATION_DESC_BAD,
	    LOCATION_DESC_LONG);
}

const char *
location_refusal_text(enum location_refusal why)
{
	switch (why) {
	case LOCATION_NAME_EMPTY:
		return "Give the location a name.";
	case LOCATION_NAME_LONG:
		return "A location's name is at most " STR(LOCATION_NAME_MAX)
		    " characters.";
	case LOCATION_NAME_BAD:
		return "A location's name is one line of text.";
	case LOCATION_NAME_SEMICOLON:
		return "A location's name cannot hold a semicolon (;): the CSV "
		    "of people separates a person's locations with it.";
	case LOCATION_DESC_LONG:
		return "A description is at most " STR(LOCATION_DESC_MAX)
		    " characters.";
	case LOCATION_DESC_BAD:
		return "A description is one line of text.";
	}
	return "This name or description cannot be used.";
}

uint32_t
location_version(const char *name, const char *desc)
{
	const char	*p;
	uint32_t	 h = 2166136261u;
	int		 part;

	for (part = 0; part < 2; part++) {
		p = part == 0 ? name : desc;
		if (p == NULL)
			p = "";
		do
			h = (h ^ (unsigned char)*p) * 16777619u;
		while (*p++ != '\0');	/* the NUL parts them */
	}
	return h;
}

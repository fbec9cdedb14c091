/*
 * location.c: see location.h.
 */
#include <string.h>

#include "location.h"
#include "util.h"

const char *
location_trim(struct arena *a, const char *s)
{
	size_t	len;

	if (s == NULL)
		return NULL;
	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	return arena_strndup(a, s, len);
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
	if (name == NULL || *name == '\0')
		return LOCATION_NAME_EMPTY;
	return text_check(name, LOCATION_NAME_MAX, LOCATION_NAME_BAD,
	    LOCATION_NAME_LONG);
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

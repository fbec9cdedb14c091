/*
 * onprem.c: see onprem.h. Active Directory's "Password must meet
 * complexity requirements": not containing the sAMAccountName, nor any
 * part (3+ characters) of the display name split at , . - _ # space
 * tab; and characters from three of: A-Z, a-z, 0-9, anything else.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/onprem.h"
#include "util.h"

#define NAME_PART_MIN	3

/* 1 when needle (n bytes) occurs in hay, ASCII case-insensitively. */
static int
has_ci(const char *hay, const char *needle, size_t n)
{
	size_t	h = strlen(hay), i;

	for (i = 0; n > 0 && i + n <= h; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static int
has_name_part(const char *pw, const char *name)
{
	size_t	n;

	while (name != NULL && *name != '\0') {
		n = strcspn(name, ",.-_# \t");
		if (n >= NAME_PART_MIN && has_ci(pw, name, n))
			return 1;
		name += n + (name[n] != '\0');
	}
	return 0;
}

unsigned
onprem_check(const char *pw, const struct pw_person *who,
    const struct onprem_policy *pol)
{
	unsigned	 broken = 0;
	int		 up = 0, low = 0, dig = 0, other = 0;
	const char	*p, *at;
	size_t		 len = strlen(pw);

	if (!utf8_text_valid(pw, len, 0))
		return 1u << ONPREM_BAD_TEXT;
	if ((long)utf8_len(pw) < pol->min_length)
		broken |= 1u << ONPREM_TOO_SHORT;
	if (utf8_len(pw) > PW_MAX)
		broken |= 1u << ONPREM_TOO_LONG;
	for (p = pw; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			up = 1;
		else if (*p >= 'a' && *p <= 'z')
			low = 1;
		else if (*p >= '0' && *p <= '9')
			dig = 1;
		else
			other = 1;
	}
	if (pol->complexity && up + low + dig + other < 3)
		broken |= 1u << ONPREM_COMPLEXITY;
	if (pol->no_account_name && who != NULL) {
		at = who->upn != NULL ? strchr(who->upn, '@') : NULL;
		if ((at != NULL && at - who->upn >= NAME_PART_MIN &&
		    has_ci(pw, who->upn, (size_t)(at - who->upn))) ||
		    has_name_part(pw, who->display_name))
			broken |= 1u << ONPREM_ACCOUNT_NAME;
	}
	return broken;
}

const char *
onprem_rule_text(enum onprem_rule r, const struct onprem_policy *pol,
    char *buf, size_t bufsz)
{
	switch (r) {
	case ONPREM_TOO_SHORT:
		snprintf(buf, bufsz, "It must be at least %ld characters long.",
		    pol->min_length);
		return buf;
	case ONPREM_TOO_LONG:
		snprintf(buf, bufsz, "It must be at most %d characters long.",
		    PW_MAX);
		return buf;
	case ONPREM_COMPLEXITY:
		return "It must use three of these four: capital letters, "
		    "small letters, digits, other characters (such as ! or #).";
	case ONPREM_ACCOUNT_NAME:
		return "It must not contain the person's username or a part "
		    "of their name.";
	case ONPREM_BAD_TEXT:
		return "It contains characters that cannot be used.";
	case ONPREM__MAX:
		break;
	}
	return "It does not meet the policy.";
}

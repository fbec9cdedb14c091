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

/*
 * 1 when pw contains a part (NAME_PART_MIN+ bytes) of name split at AD's
 * separators, with the part in *part; else 0.
 */
static int
has_name_part(const char *pw, const char *name, struct onprem_part *part)
{
	size_t	n;

	while (name != NULL && *name != '\0') {
		n = strcspn(name, ",.-_# \t");
		if (n >= NAME_PART_MIN && has_ci(pw, name, n)) {
			part->s = name;
			part->len = n;
			part->upn = 0;
			return 1;
		}
		name += n + (name[n] != '\0');
	}
	return 0;
}

int
onprem_name_part(const char *pw, const struct pw_person *who,
    struct onprem_part *part)
{
	const char	*at;

	part->s = NULL;
	part->len = 0;
	part->upn = 0;
	if (pw == NULL || who == NULL)
		return 0;
	at = who->upn != NULL ? strchr(who->upn, '@') : NULL;
	if (at != NULL && at - who->upn >= NAME_PART_MIN &&
	    has_ci(pw, who->upn, (size_t)(at - who->upn))) {
		part->s = who->upn;
		part->len = (size_t)(at - who->upn);
		part->upn = 1;
		return 1;
	}
	return has_name_part(pw, who->display_name, part);
}

unsigned
onprem_check(const char *pw, const struct pw_person *who,
    const struct onprem_policy *pol)
{
	struct onprem_part part;
	unsigned	 broken = 0;
	int		 up = 0, low = 0, dig = 0, other = 0;
	const char	*p;
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
	if (pol->no_account_name && onprem_name_part(pw, who, &part))
		broken |= 1u << ONPREM_ACCOUNT_NAME;
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

const char *
onprem_refusal_text(enum onprem_rule r, const struct onprem_policy *pol,
    const char *pw, const struct pw_person *who, int yours, char *buf,
    size_t bufsz)
{
	struct onprem_part	part;
	int			n;

	if (r != ONPREM_ACCOUNT_NAME)
		return onprem_rule_text(r, pol, buf, bufsz);
	if (onprem_name_part(pw, who, &part) && part.len <= ONPREM_PART_MAX) {
		n = snprintf(buf, bufsz, "It must not contain %s username or "
		    "a part of %s name: it contains \"%.*s\", from %s %s.",
		    yours ? "your" : "the person's", yours ? "your" : "their",
		    (int)part.len, part.s, yours ? "your" : "their",
		    part.upn ? "username" : "name");
		if (n > 0 && (size_t)n < bufsz)
			return buf;
	}
	if (yours)
		return "It must not contain your username or a part of your "
		    "name.";
	return onprem_rule_text(r, pol, buf, bufsz);
}

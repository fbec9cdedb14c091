/*
 * phone.c: see phone.h.
 */
#include <stdio.h>
#include <string.h>

#include "phone.h"
#include "util.h"

static const struct {
	const char	*id, *name;
} types[PHONE__MAX] = {
	[PHONE_MOBILE] = { "mobile", "Mobile" },
	[PHONE_ALT_MOBILE] = { "alternateMobile", "Alternate mobile" },
	[PHONE_OFFICE] = { "office", "Office" },
};

int
phone_type_parse(const char *s)
{
	int	i;

	for (i = 0; i < PHONE__MAX; i++)
		if (strcmp(types[i].id, s) == 0)
			return i;
	return -1;
}

const char *
phone_type_id(enum phone_type t)
{
	return t < PHONE__MAX ? types[t].id : "unknown";
}

const char *
phone_type_name(enum phone_type t)
{
	return t < PHONE__MAX ? types[t].name : "Phone";
}

/* Skips an extension marker: "x", "ext", "ext." (any case); NULL if none. */
static const char *
ext_marker(const char *p)
{
	if (strncasecmp(p, "ext.", 4) == 0)
		return p + 4;
	if (strncasecmp(p, "ext", 3) == 0)
		return p + 3;
	if (*p == 'x' || *p == 'X')
		return p + 1;
	return NULL;
}

int
phone_normalise(const char *in, int ext, char out[PHONE_MAX],
    const char **why)
{
	const char	*p = in, *e;
	size_t		 n = 0, x = 0;
	char		 digits[PHONE_DIGITS_MAX + 1], xd[PHONE_EXT_MAX + 1];

	while (*p == ' ')
		p++;
	if (*p != '+') {
		*why = "Start the number with + and the country code, "
		    "for example +1 425 555 0100.";
		return -1;
	}
	for (p++; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == PHONE_DIGITS_MAX) {
				*why = "A phone number has at most 15 digits.";
				return -1;
			}
			digits[n++] = *p;
		} else if (strchr(" .-()", *p) == NULL)
			break;
	}
	digits[n] = '\0';
	if (*p != '\0') {
		if (!ext || (e = ext_marker(p)) == NULL) {
			*why = ext ? "Use only digits, spaces, dots, dashes and "
			    "parentheses, and x before an extension." :
			    "Use only digits, spaces, dots, dashes and "
			    "parentheses (no extension on a mobile number).";
			return -1;
		}
		for (p = e; *p == ' '; p++)
			continue;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (x == PHONE_EXT_MAX) {
				*why = "An extension has at most 6 digits.";
				return -1;
			}
			xd[x++] = *p;
		}
		while (*p == ' ')
			p++;
		if (x == 0 || *p != '\0') {
			*why = "An extension is x and 1 to 6 digits, for "
			    "example x123.";
			return -1;
		}
	}
	xd[x] = '\0';
	if (n < PHONE_DIGITS_MIN) {
		*why = "A phone number has at least 8 digits after the +.";
		return -1;
	}
	if (digits[0] == '0') {
		*why = "A country code does not start with 0.";
		return -1;
	}
	if (snprintf(out, PHONE_MAX, x ? "+%s x%s" : "+%s", digits, xd) >=
	    PHONE_MAX) {
		*why = "The number is too long.";
		return -1;
	}
	return 0;
}

int
phone_normalise_in(const char *in, const char *country, int ext,
    char out[PHONE_MAX], const char **why)
{
	char		 national[PHONE_MAX * 2], e164[PHONE_MAX];
	char		 whole[PHONE_MAX * 2 + 1];
	const char	*p = in;
	size_t		 n;

	while (*p == ' ')
		p++;
	if (country == NULL || *country == '\0' || *p == '+')
		return phone_normalise(in, ext, out, why);
	/* The number, then what follows it (an extension) as typed. */
	n = strspn(p, "0123456789 .-()");
	if (n >= sizeof(national) || n == 0) {
		*why = "Type the number with its country code (+1 425 555 "
		    "0100) or as it is dialled in the country.";
		return -1;
	}
	memcpy(national, p, n);
	national[n] = '\0';
	if (phone_national_e164(national, country, e164) != 0) {
		*why = "That is not a phone number as dialled in this "
		    "organisation's country: type it with + and the country "
		    "code, for example +1 425 555 0100.";
		return -1;
	}
	if (snprintf(whole, sizeof(whole), "%s%s", e164, p + n) >=
	    (int)sizeof(whole)) {
		*why = "The number is too long.";
		return -1;
	}
	return phone_normalise(whole, ext, out, why);
}

char *
phone_mask(struct arena *a, const char *e164)
{
	size_t	n = strspn(e164 + (*e164 == '+'), "0123456789");
	const char *d = e164 + (*e164 == '+');
	int	cc = phone_cc_len(e164);

	if (n < 6)
		return arena_strdup(a, "•••");
	if (cc < 1 || (size_t)cc + 4 > n)
		cc = 1;
	return arena_printf(a, "+%.*s ••• ••• %.4s", cc, d, d + n - 4);
}

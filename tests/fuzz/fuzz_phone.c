/*
 * fuzz_phone.c: the phone normaliser (phone.h, libphonenumber behind
 * phonelib.cc) on a number as typed, UTF-8 or not (an import's cell is
 * not checked first), read with no country and, when the input starts
 * with two capitals and a space ("GB 07700 900123"), as one of that
 * country. A number refused has a sentence; one taken is E.164 (an
 * office one with " x" and its extension), taken again as itself, shown
 * by phone_format() with the same digits and by phone_mask() with its
 * middle hidden.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "phone.h"
#include "util.h"

/* The digits of s, in order, into out (at least strlen(s) + 1). */
static void
digits(const char *s, char *out)
{
	for (; *s != '\0'; s++)
		if (*s >= '0' && *s <= '9')
			*out++ = *s;
	*out = '\0';
}

/* What every number taken must be, with ext (office) or not. */
static void
check_taken(struct arena *a, const char *out, const char *country, int ext)
{
	char		 again[PHONE_MAX], d1[PHONE_MAX], d2[PHONE_MAX * 4];
	const char	*why, *shown, *p;
	size_t		 n, lead;
	int		 cc;

	FUZZ_CHECK(fuzz_e164(out, ext));
	FUZZ_CHECK(phone_normalise(out, ext, again, &why) == 0);
	FUZZ_CHECK(strcmp(again, out) == 0);
	FUZZ_CHECK(phone_normalise_in(out, country, ext, again, &why) == 0);
	FUZZ_CHECK(strcmp(again, out) == 0);
	/* A profile shows the number it keeps, grouped. */
	shown = phone_format(a, out);
	FUZZ_CHECK(shown != NULL && strlen(shown) < sizeof(d2));
	digits(out, d1);
	digits(shown, d2);
	FUZZ_CHECK(strcmp(d1, d2) == 0);
	/* A list shows the country code and the last four digits only. */
	cc = phone_cc_len(out);
	FUZZ_CHECK(cc >= 0 && cc <= 3);
	shown = phone_mask(a, out);
	n = strspn(out + 1, "0123456789");
	lead = strcspn(shown, " ");
	FUZZ_CHECK(shown[0] == '+' && lead >= 2 && lead <= 4);
	FUZZ_CHECK(strncmp(shown + 1, out + 1, lead - 1) == 0);
	p = shown + strlen(shown) - 4;
	FUZZ_CHECK(strncmp(p, out + 1 + n - 4, 4) == 0);
	digits(shown, d2);
	FUZZ_CHECK(strlen(d2) == lead - 1 + 4 && strlen(d2) < n);
}

static void
check_refused(int rc, const char *why)
{
	FUZZ_CHECK(rc == -1);
	FUZZ_CHECK(why != NULL && strlen(why) > 10 &&
	    why[strlen(why) - 1] == '.');
}

int
fuzz_phone(const uint8_t *data, size_t size)
{
	struct arena	 a = { NULL };
	char		*s, out[PHONE_MAX], country[3] = "";
	const char	*typed, *why;
	int		 ext, rc;

	if (!fuzz_no_nul(data, size))
		return 0;
	s = fuzz_text(data, size);
	typed = s;
	if (size >= 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
	    s[1] <= 'Z' && s[2] == ' ') {
		memcpy(country, s, 2);
		typed = s + 3;
	}
	for (ext = 0; ext <= 1; ext++) {
		why = NULL;
		if ((rc = phone_normalise(typed, ext, out, &why)) == 0)
			check_taken(&a, out, NULL, ext);
		else
			check_refused(rc, why);
		if (country[0] == '\0')
			continue;
		why = NULL;
		if ((rc = phone_normalise_in(typed, country, ext, out,
		    &why)) == 0)
			check_taken(&a, out, country, ext);
		else
			check_refused(rc, why);
	}
	/* What a list does with any stored text: no crash, no more. */
	(void)phone_mask(&a, typed);
	(void)phone_format(&a, typed);
	arena_reset(&a);
	free(s);
	return 0;
}

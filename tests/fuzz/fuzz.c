/*
 * fuzz.c: see fuzz.h; what the harnesses share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "phone.h"

void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: property failed: %s\n", file, line, what);
	abort();
}

char *
fuzz_text(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int
fuzz_no_nul(const uint8_t *data, size_t size)
{
	return memchr(data, '\0', size) == NULL;
}

int
fuzz_e164(const char *s, int ext)
{
	size_t	n;

	if (*s++ != '+' || *s == '0')
		return 0;
	n = strspn(s, "0123456789");
	if (n < PHONE_DIGITS_MIN || n > PHONE_DIGITS_MAX)
		return 0;
	s += n;
	if (*s == '\0')
		return 1;
	if (!ext || strncmp(s, " x", 2) != 0)
		return 0;
	n = strspn(s + 2, "0123456789");
	return n >= 1 && n <= PHONE_EXT_MAX && s[2 + n] == '\0';
}

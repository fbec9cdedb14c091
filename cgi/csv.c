/*
 * csv.c: see csv.h.
 */
#include <string.h>

#include "csv.h"
#include "util.h"

char *
csv_field(struct arena *a, const char *s)
{
	size_t	 n, o = 0;
	char	*out;
	int	 quote, formula;

	if (s == NULL)
		s = "";
	n = strlen(s);
	formula = s[0] != '\0' && strchr(CSV_FORMULA_LEAD, s[0]) != NULL;
	/* A reader may cut blanks at a bare field's ends (libcsv does). */
	quote = strpbrk(s, ",\"\r\n") != NULL || (n > 0 && ((!formula &&
	    (s[0] == ' ' || s[0] == '\t')) || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'));
	/* each byte doubled at worst, a ', two quotes and the NUL */
	out = arena_alloc(a, 2 * n + 4);
	if (quote)
		out[o++] = '"';
	if (formula)
		out[o++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '"')
			out[o++] = '"';
		out[o++] = *s;
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
	return out;
}

char *
csv_record(struct arena *a, const char *const *cells, size_t n)
{
	const char	**f = arena_alloc(a, (n ? n : 1) * sizeof(*f));
	size_t		  i, len = 2, o = 0;
	char		 *out;

	for (i = 0; i < n; i++) {
		f[i] = csv_field(a, cells[i]);
		len += strlen(f[i]) + 1;
	}
	/* One empty field bare would be a blank line, which readers skip. */
	if (n == 1 && *f[0] == '\0') {
		f[0] = "\"\"";
		len += 2;
	}
	out = arena_alloc(a, len + 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			out[o++] = ',';
		memcpy(out + o, f[i], strlen(f[i]));
		o += strlen(f[i]);
	}
	memcpy(out + o, "\r\n", 3);
	return out;
}

const char *
csv_unformula(const char *s)
{
	if (s != NULL && s[0] == '\'' && s[1] != '\0' &&
	    strchr(CSV_FORMULA_LEAD, s[1]) != NULL)
		return s + 1;
	return s;
}

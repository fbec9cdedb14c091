/*
 * csvread.c: see csvread.h. libcsv is fed one line of the file at a
 * time (every record ends at a line's end), so the line a record
 * starts on is the first line after the previous record that holds
 * something other than its end.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csv.h"
#include "csvread.h"
#include "util.h"

struct csvread {
	FILE			*f;
	struct arena		*a;
	struct csv_parser	 p;
	char			 buf[CSVREAD_RECORD_MAX + 2];
	long			 line;	/* of the last line fed */
	long			 start;	/* of this record, or 0 */
	size_t			 bytes;	/* of the record read */
	const char		*field[CSVREAD_FIELDS_MAX];
	size_t			 n;
	int			 toomany; /* the record has more fields */
	struct csvread_rec	*done;	/* read, not returned yet */
	size_t			 ndone, first, capdone;
	int			 eof;
};

struct csvread *
csvread_open(FILE *f, struct arena *a)
{
	struct csvread	*r = xcalloc(1, sizeof(*r));

	r->f = f;
	r->a = a;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL) != 0)
		abort();
	return r;
}

void
csvread_close(struct csvread *r)
{
	if (r == NULL)
		return;
	csv_free(&r->p);
	free(r->done);
	free(r);
}

/* libcsv: the end of a field. */
static void
on_field(void *s, size_t len, void *arg)
{
	struct csvread	*r = arg;

	if (r->start == 0)
		r->start = r->line;
	if (r->n == CSVREAD_FIELDS_MAX) {
		r->toomany = 1;
		return;
	}
	r->field[r->n++] = arena_strndup(r->a, s != NULL ? s : "", len);
}

/* libcsv: the end of a record. */
static void
on_record(int c, void *arg)
{
	struct csvread		*r = arg;
	struct csvread_rec	*rec;

	(void)c;
	if (r->ndone == r->capdone) {
		r->capdone = r->capdone ? 2 * r->capdone : 8;
		r->done = realloc(r->done, r->capdone * sizeof(*r->done));
		if (r->done == NULL)
			abort();
	}
	rec = &r->done[r->ndone++];
	rec->field = arena_alloc(r->a, (r->n + 1) * sizeof(*rec->field));
	memcpy(rec->field, r->field, r->n * sizeof(*rec->field));
	rec->field[r->n] = NULL;
	rec->n = r->toomany ? CSVREAD_FIELDS_MAX + 1 : r->n;
	rec->line = r->start != 0 ? r->start : r->line;
	r->n = 0;
	r->toomany = 0;
	r->start = 0;
	r->bytes = 0;
}

/* Feeds the next line to libcsv: 0, 1 at the end, -1 with *why. */
static int
feed(struct csvread *r, const char **why)
{
	size_t	len = 0;
	char	*s = r->buf;
	int	ch = 0;

	/* A line as read, NUL bytes included (fgets would hide them). */
	while (len < sizeof(r->buf) - 1 && (ch = getc(r->f)) != EOF) {
		r->buf[len++] = (char)ch;
		if (ch == '\n')
			break;
	}
	r->buf[len] = '\0';
	if (len == 0) {
		if (ferror(r->f)) {
			*why = "cannot read the file";
			return -1;
		}
		r->eof = 1;
		if (csv_fini(&r->p, on_field, on_record, r) != 0) {
			*why = "a quoted field is not closed at the end of "
			    "the file";
			return -1;
		}
		return 1;
	}
	r->line++;
	if (memchr(s, '\0', len) != NULL) {
		*why = "a NUL byte: this is not a text file";
		return -1;
	}
	if (s[len - 1] != '\n' && len == sizeof(r->buf) - 1 &&
	    (ch = getc(r->f)) != EOF) {
		*why = "a line longer than " STR(CSVREAD_RECORD_MAX) " bytes";
		return -1;
	}
	if (r->line == 1 && strncmp(s, CSV_BOM, 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (r->start == 0 && r->n == 0 && strspn(s, "\r\n") < len)
		r->start = r->line;
	if ((r->bytes += len) > CSVREAD_RECORD_MAX) {
		*why = "a record longer than " STR(CSVREAD_RECORD_MAX)
		    " bytes (a quote left open?)";
		return -1;
	}
	if (csv_parse(&r->p, s, len, on_field, on_record, r) != len) {
		/* libcsv's words are about itself: say what to fix. */
		*why = csv_error(&r->p) == CSV_EPARSE ? "not CSV: a quote "
		    "inside a field that does not start with one (put the "
		    "whole field in quotes and double the quote: \"a \"\"b\"\"\")" :
		    arena_printf(r->a, "not CSV (RFC 4180): %s",
		    csv_strerror(csv_error(&r->p)));
		return -1;
	}
	return 0;
}

int
csvread_next(struct csvread *r, struct csvread_rec *rec, long *line,
    const char **why)
{
	int	rc;

	while (r->first == r->ndone) {
		r->first = r->ndone = 0;
		if (r->eof)
			return 1;
		if ((rc = feed(r, why)) < 0) {
			*line = r->start != 0 ? r->start : r->line;
			return -1;
		}
	}
	*rec = r->done[r->first++];
	return 0;
}

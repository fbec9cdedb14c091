/*
 * fuzz_csv.c: a CSV import as staffdesk-admin import reads it before
 * the database: the records (csvread.h, libcsv), the header
 * (roster_csv_header) and each row under it (roster_csv_row). Each
 * record has 1 to CSVREAD_FIELDS_MAX fields (one more says "too many")
 * and a line the file has, in order; a file not read to its end says
 * why and where. A row has the header's count of fields or says so,
 * and a row taken is a person staffdesk can keep. Records read whole
 * are written back as the export writes them (csv_record, after the
 * byte order mark) and read again as the same fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvread.h"
#include "fuzz.h"
#include "location.h"
#include "roster.h"
#include "util.h"

#define RECORDS_MAX	256	/* kept for the round trip */

struct records {
	const char	**field[RECORDS_MAX];
	size_t		  n[RECORDS_MAX];
	size_t		  count;
	int		  whole;	/* every record kept, none too wide */
};

/* Lines of the input: its newlines, and one more after the last. */
static long
lines_of(const uint8_t *data, size_t size)
{
	long	n = 1;
	size_t	i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

/* 1 when s is one line: no CR, LF or tab (one_line() in roster.c). */
static int
one_line(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n\t") == NULL;
}

/* What roster_person_check() promises of a person it takes. */
static void
check_person(const struct roster_person *p)
{
	size_t	i;
	int	f;

	FUZZ_CHECK(p->f[RF_UPN] != NULL && strchr(p->f[RF_UPN], '@') !=
	    NULL && strpbrk(p->f[RF_UPN], " \t\r\n") == NULL &&
	    strlen(p->f[RF_UPN]) <= ROSTER_UPN_MAX);
	FUZZ_CHECK(p->f[RF_NAME] != NULL && *p->f[RF_NAME] != '\0' &&
	    utf8_text_valid(p->f[RF_NAME], strlen(p->f[RF_NAME]), 0) &&
	    utf8_len(p->f[RF_NAME]) <= ROSTER_NAME_MAX);
	for (f = 0; f < RF__MAX; f++) {
		FUZZ_CHECK(one_line(p->f[f]));
		if (p->f[f] != NULL && *p->f[f] != '\0')
			FUZZ_CHECK(p->f[f][0] != ' ' &&
			    p->f[f][strlen(p->f[f]) - 1] != ' ');
	}
	FUZZ_CHECK(p->f[RF_MOBILE] == NULL || *p->f[RF_MOBILE] == '\0' ||
	    fuzz_e164(p->f[RF_MOBILE], 0));
	FUZZ_CHECK(p->f[RF_ALT_MOBILE] == NULL ||
	    *p->f[RF_ALT_MOBILE] == '\0' || fuzz_e164(p->f[RF_ALT_MOBILE], 0));
	FUZZ_CHECK(p->f[RF_OFFICE] == NULL || *p->f[RF_OFFICE] == '\0' ||
	    fuzz_e164(p->f[RF_OFFICE], 1));
	FUZZ_CHECK(p->f[RF_SOURCE] == NULL || *p->f[RF_SOURCE] == '\0' ||
	    strcmp(p->f[RF_SOURCE], "cloud") == 0 ||
	    strcmp(p->f[RF_SOURCE], "onprem") == 0);
	FUZZ_CHECK(p->nunits <= ROSTER_UNITS_MAX);
	for (i = 0; i < p->nunits; i++)
		FUZZ_CHECK(location_name_check(p->units[i]) == 0 &&
		    p->units[i][0] != ' ' &&
		    strchr(p->units[i], ROSTER_UNIT_SEP) == NULL);
}

/*
 * Reads the file; keeps its records in *rs when it is read whole. The
 * header and rows through the import's rules, with country.
 */
static void
read_file(struct arena *a, const uint8_t *data, size_t size,
    const char *country, struct records *rs)
{
	struct csvread		*r;
	struct csvread_rec	 rec;
	struct roster_row	 row;
	const char		*why = NULL;
	long			 line = 0, prev = 0, lines = lines_of(data, size);
	int			 col[CSVREAD_FIELDS_MAX], rc, header = 0;
	size_t			 ncol = 0, i;
	FILE			*f;

	memset(rs, 0, sizeof(*rs));
	rs->whole = 1;
	/* fmemopen() of nothing is refused: an empty file is "". */
	if ((f = fmemopen(size ? (void *)data : (void *)"", size ? size : 1,
	    "r")) == NULL)
		abort();
	if (size == 0)
		(void)getc(f);
	r = csvread_open(f, a);
	while ((rc = csvread_next(r, &rec, &line, &why)) == 0) {
		FUZZ_CHECK(rec.n >= 1 && rec.n <= CSVREAD_FIELDS_MAX + 1);
		FUZZ_CHECK(rec.line >= prev && rec.line >= 1 &&
		    rec.line <= lines);
		prev = rec.line;
		for (i = 0; i < rec.n && i < CSVREAD_FIELDS_MAX; i++)
			FUZZ_CHECK(rec.field[i] != NULL);
		if (rec.n <= CSVREAD_FIELDS_MAX)
			FUZZ_CHECK(rec.field[rec.n] == NULL);
		if (rec.n > CSVREAD_FIELDS_MAX || rs->count == RECORDS_MAX)
			rs->whole = 0;
		else {
			rs->field[rs->count] = rec.field;
			rs->n[rs->count++] = rec.n;
		}
		if (header == 0) {
			why = NULL;
			if (roster_csv_header(a, rec.field, rec.n,
			    CSVREAD_FIELDS_MAX, col, &why) == 0) {
				ncol = rec.n;
				header = 1;
			} else {
				FUZZ_CHECK(why != NULL && *why != '\0');
				header = -1;
			}
			continue;
		}
		if (header < 0)
			continue;
		memset(&row, 0, sizeof(row));
		roster_csv_row(a, col, ncol, rec.field, rec.n, country, &row);
		if (rec.n != ncol)
			FUZZ_CHECK(row.bad == ROSTER_BAD &&
			    strstr(row.why, " fields; the header has ") != NULL);
		else if (row.bad == 0)
			check_person(&row.p);
		else
			FUZZ_CHECK(row.bad == ROSTER_BAD && row.why != NULL &&
			    *row.why != '\0');
	}
	if (rc < 0) {
		FUZZ_CHECK(rc == -1 && why != NULL && *why != '\0');
		FUZZ_CHECK(line >= 1 && line <= lines);
		rs->whole = 0;
	} else
		FUZZ_CHECK(rc == 1);
	csvread_close(r);
	fclose(f);
}

/* The records written as the export writes a file. */
static char *
write_file(struct arena *a, const struct records *rs, size_t *len)
{
	char	*out = arena_strdup(a, CSV_BOM);
	size_t	 i;

	for (i = 0; i < rs->count; i++)
		out = arena_printf(a, "%s%s", out, csv_record(a,
		    rs->field[i], rs->n[i]));
	*len = strlen(out);
	return out;
}

/* A cell as the export writes it reads back as csv_field() made it. */
static int
same_cell(const char *wrote, const char *read)
{
	if (wrote[0] != '\0' && strchr(CSV_FORMULA_LEAD, wrote[0]) != NULL)
		return read[0] == '\'' && strcmp(read + 1, wrote) == 0;
	return strcmp(read, wrote) == 0;
}

int
fuzz_csv(const uint8_t *data, size_t size)
{
	struct arena	 a = { NULL };
	struct records	 first, again;
	const char	*text;
	size_t		 len, i, k;

	read_file(&a, data, size, NULL, &first);
	if (first.whole && size > 0) {
		text = write_file(&a, &first, &len);
		read_file(&a, (const uint8_t *)text, len, NULL, &again);
		FUZZ_CHECK(again.whole && again.count == first.count);
		for (i = 0; i < first.count; i++) {
			FUZZ_CHECK(again.n[i] == first.n[i]);
			for (k = 0; k < first.n[i]; k++)
				FUZZ_CHECK(same_cell(first.field[i][k],
				    again.field[i][k]));
		}
	}
	/* Numbers without +, as a US organisation's file has them. */
	read_file(&a, data, size, "US", &again);
	arena_reset(&a);
	return 0;
}

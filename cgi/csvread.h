/*
 * csvread.h: the records of a CSV file as RFC 4180 reads them (§2:
 * fields in double quotes may hold commas, doubled quotes, CR and LF;
 * records end with CRLF, or LF as most files do), parsed by Debian's
 * libcsv in strict mode (a quote inside an unquoted field, or a quoted
 * field still open at the end of the file, is an error). A UTF-8 byte
 * order mark at the start is skipped; blank lines are skipped. Each
 * record comes with the line of the file it starts on, for messages
 * "FILE:LINE: reason". The writer is csv.h.
 */
#ifndef STAFFDESK_CSVREAD_H
#define STAFFDESK_CSVREAD_H

#include <stddef.h>
#include <stdio.h>

#define CSVREAD_FIELDS_MAX	64		/* fields of a record */
#define CSVREAD_RECORD_MAX	65536		/* bytes of a record */

struct arena;
struct csvread;

/* A reader of f; the fields it returns live in the arena. */
struct csvread	*csvread_open(FILE *f, struct arena *);
void		 csvread_close(struct csvread *);

/* One record: its fields, how many, and the line it starts on. */
struct csvread_rec {
	const char	**field;	/* field[n] is NULL; a record of more
					   than CSVREAD_FIELDS_MAX has n one
					   more than that and only the first
					   CSVREAD_FIELDS_MAX fields */
	size_t		  n;
	long		  line;
};

/*
 * The next record: 0 with *rec filled; 1 at the end of the file; -1
 * with *line and a sentence in *why when the file cannot be read as
 * CSV from there on (not CSV, a record over a limit, a read error).
 */
int		 csvread_next(struct csvread *, struct csvread_rec *rec,
		    long *line, const char **why);

#endif

/*
 * csv.h: CSV as RFC 4180 writes it (§2: fields holding a comma, a
 * double quote, CR or LF are enclosed in double quotes, a double quote
 * inside one is doubled, records end with CRLF; one with a space or
 * tab at an end is quoted too, as readers cut those), for exports that
 * people open in a spreadsheet. A field that a spreadsheet would run
 * as a formula, one that starts with =, +, -, @, tab or CR, gets a '
 * in front ("CSV injection"): the cell then shows the text as it was.
 * Pure functions: no I/O, memory from the caller's arena.
 */
#ifndef STAFFDESK_CSV_H
#define STAFFDESK_CSV_H

#include <stddef.h>

struct arena;

/* The characters that make a spreadsheet read a cell as a formula. */
#define CSV_FORMULA_LEAD	"=+-@\t\r"
/* The UTF-8 byte order mark a file starts with, for spreadsheets. */
#define CSV_BOM			"\xef\xbb\xbf"

/* The field for s (NULL: an empty field), in the arena. */
char	*csv_field(struct arena *, const char *s);
/*
 * One record: the n fields, comma-separated, ended by CRLF; one empty
 * field is "" (bare, it would be a blank line, which readers skip).
 */
char	*csv_record(struct arena *, const char *const *cells, size_t n);
/*
 * A cell read back: s without the ' csv_field() put before a formula
 * lead (s + 1 when s is ' and one of CSV_FORMULA_LEAD), so a file
 * staffdesk wrote reads back as the values it wrote. A value that
 * itself starts with ' and a formula lead loses its '.
 */
const char *csv_unformula(const char *s);

#endif

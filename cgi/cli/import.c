/*
 * import.c: staffdesk-admin import [--users] FILE [--skip-bad]
 * [--dry-run], and export --users [FILE|-]: people in the CSV format
 * of an HR export (README "Importing and exporting people"), through
 * the roster core (roster.h) that sync ldap uses too.
 *
 * An import reads and checks the whole file first, so a file with a
 * bad row changes nothing (unless --skip-bad); then applies the good
 * rows IMPORT_TXN_ROWS to a transaction, and writes one audit row of
 * counts (cli.import) after the last.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "csv.h"
#include "csvread.h"
#include "db/audit.h"
#include "db/db.h"
#include "roster.h"

#define IMPORT_TXN_ROWS		5000	/* people a transaction */
#define IMPORT_ROWS_MAX		2000000	/* rows of one file */

struct import {
	struct cli	 *c;
	const char	 *file;
	struct roster	 *d;
	struct roster_row	 *rows;
	size_t		  n, cap, nbad, from, to;
	int		  dry, skip_bad, tty;
	const char	 *country;	/* phone.country */
	struct timespec	  t0;
};

static double
since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Rows done of total, the rate and the time left, on a terminal only. */
static void
progress(const struct import *m, const char *what, size_t done,
    size_t total)
{
	double	s = since(&m->t0), rate = s > 0 ? (double)done / s : 0;

	if (!m->tty)
		return;
	fprintf(stderr, "\r%s: %zu/%zu rows, %.0f rows/s, ETA %.0f s   ",
	    what, done, total, rate, rate > 0 ? (double)(total - done) / rate :
	    0);
	if (done == total)
		fputc('\n', stderr);
}

/* Reads and checks every row of the file: 0, or the exit status. */
static int
read_rows(struct import *m, FILE *f)
{
	struct csvread		*r = csvread_open(f, &m->c->arena);
	struct csvread_rec	 rec;
	struct roster_row	*row;
	const char		*why;
	int			 col[CSVREAD_FIELDS_MAX], rc, status = 0;
	long			 line;
	size_t			 ncol = 0;

	while ((rc = csvread_next(r, &rec, &line, &why)) == 0) {
		if (ncol == 0) {
			if (roster_csv_header(&m->c->arena, rec.field, rec.n,
			    CSVREAD_FIELDS_MAX, col, &why) != 0) {
				status = fail("%s:%ld: %s", m->file, rec.line,
				    why);
				break;
			}
			ncol = rec.n;
			continue;
		}
		if (m->n == IMPORT_ROWS_MAX) {
			status = fail("%s:%ld: more than %d rows", m->file,
			    rec.line, IMPORT_ROWS_MAX);
			break;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 1024;
			m->rows = realloc(m->rows, m->cap * sizeof(*m->rows));
			if (m->rows == NULL)
				abort();
		}
		row = &m->rows[m->n++];
		memset(row, 0, sizeof(*row));
		row->line = rec.line;
		roster_csv_row(&m->c->arena, col, ncol, rec.field, rec.n,
		    m->country, row);
	}
	csvread_close(r);
	if (status != 0)
		return status;
	if (rc < 0)
		return fail("%s:%ld: %s; nothing imported", m->file, line, why);
	if (ncol == 0)
		return fail("%s: no header (upn,display_name,email,mobile,"
		    "source,units)", m->file);
	return 0;
}

/* The rows [from, to) that are good, in one transaction. */
static int
apply_txn(struct db *db, void *arg)
{
	struct import	*m = arg;
	size_t		 i;
	int		 rc;

	roster_txn_begin(m->d);
	for (i = m->from; i < m->to; i++)
		if (m->rows[i].bad == 0 &&
		    (rc = roster_apply(db, m->d, &m->rows[i].p)) != DB_OK)
			return rc;
	return roster_flush(db, m->d);
}

/* The cli.import row: the counts; reason NULL for a success. */
struct import_audit {
	struct import	*m;
	const char	*reason;
};

static int
audit_txn(struct db *db, void *arg)
{
	struct import_audit	*x = arg;
	struct import		*m = x->m;
	const struct roster_stats	*st = roster_stats(m->d);
	const char		*details;

	details = arena_printf(&m->c->arena, "{\"file\":%s,\"rows\":%zu,"
	    "\"bad\":%zu,\"created\":%zu,\"updated\":%zu,\"unchanged\":%zu,"
	    "\"locationsCreated\":%zu,\"skipBad\":%s}",
	    json_string(&m->c->arena, m->file), m->n, m->nbad, st->created,
	    st->updated, st->unchanged, st->units_created,
	    m->skip_bad ? "true" : "false");
	if (x->reason != NULL)
		return cli_audit_refusal(m->c, db, "cli.import", x->reason,
		    NULL, m->file, details);
	return cli_audit(m->c, db, "cli.import", NULL, m->file, details);
}

static int
audit(struct import *m, const char *reason)
{
	struct import_audit	x = { m, reason };

	return m->dry ? DB_OK : db_txn(m->c->db, audit_txn, &x);
}

/* Applies the good rows, IMPORT_TXN_ROWS a transaction: DB_OK or a db_err. */
static int
apply_all(struct import *m)
{
	int	rc;

	clock_gettime(CLOCK_MONOTONIC, &m->t0);
	for (m->from = 0; m->from < m->n; m->from = m->to) {
		m->to = m->from + IMPORT_TXN_ROWS < m->n ?
		    m->from + IMPORT_TXN_ROWS : m->n;
		rc = m->dry ? apply_txn(m->c->db, m) :
		    db_txn(m->c->db, apply_txn, m);
		if (rc != DB_OK) {
			/* Undone in the database: undone in the counts too. */
			roster_txn_begin(m->d);
			return rc;
		}
		roster_txn_commit(m->d);
		progress(m, m->dry ? "dry run" : "import", m->to, m->n);
	}
	return DB_OK;
}

int
cli_import(struct cli *c, const struct opts *o, const char *const *a,
    int na, int arg)
{
	struct import		 m;
	const struct roster_stats	*st;
	FILE			*f;
	size_t			 i;
	int			 rc;

	(void)arg;
	if (na != 1)
		return EXIT_USAGE;
	memset(&m, 0, sizeof(m));
	m.c = c;
	m.file = a[0];
	m.dry = opt(o, "--dry-run") != NULL;
	m.skip_bad = opt(o, "--skip-bad") != NULL;
	m.tty = isatty(STDERR_FILENO);
	if ((rc = cli_phone_country(c, &m.country)) != DB_OK)
		return cli_db_fail(rc);
	if (strcmp(m.file, "-") == 0)
		f = stdin;
	else if ((f = fopen(m.file, "r")) == NULL)
		return fail("%s: cannot open it", m.file);
	rc = read_rows(&m, f);
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		goto out;
	if ((rc = roster_load(c->db, m.dry, &m.d)) != DB_OK) {
		rc = cli_db_fail(rc);
		goto out;
	}
	m.nbad = roster_check(m.d, &c->arena, m.rows, m.n);
	for (i = 0; i < m.n; i++)
		if (m.rows[i].bad != 0)
			fprintf(stderr, "%s:%ld: %s\n", m.file, m.rows[i].line,
			    m.rows[i].why);
	if (m.nbad > 0 && !m.skip_bad) {
		if ((rc = audit(&m, "bad_rows")) != DB_OK)
			cli_db_fail(rc);
		rc = fail("%s: %zu bad row%s: nothing %s (--skip-bad imports "
		    "the others)", m.file, m.nbad, m.nbad == 1 ? "" : "s",
		    m.dry ? "would be imported" : "imported");
		goto out;
	}
	if ((rc = apply_all(&m)) != DB_OK) {
		if (m.tty)
			fputc('\n', stderr);
		audit(&m, "database");
		rc = fail("%s: the database failed at row %zu; the rows before "
		    "it are imported (run it again to finish)", m.file,
		    m.from + 1);
		goto out;
	}
	if ((rc = audit(&m, NULL)) != DB_OK) {
		rc = cli_db_fail(rc);
		goto out;
	}
	st = roster_stats(m.d);
	printf("%s%s: %zu rows, %zu changed (%zu created, %zu updated), "
	    "%zu unchanged, %zu bad, %zu locations created\n",
	    m.dry ? "dry run, nothing written: " : "", m.file, m.n,
	    st->created + st->updated, st->created, st->updated,
	    st->unchanged, m.nbad, st->units_created);
	rc = EXIT_OK;
out:
	roster_free(m.d);
	free(m.rows);
	return rc;
}

struct export {
	struct cli	*c;
	FILE		*out;
	size_t		 n;
};

static int
export_one(void *arg, const char *const f[RF__MAX])
{
	struct export	*x = arg;

	if (fputs(csv_record(&x->c->arena, f, RF__MAX), x->out) == EOF)
		return -1;
	x->n++;
	return 0;
}

int
cli_export(struct cli *c, const struct opts *o, const char *const *a,
    int na, int arg)
{
	struct export	 x;
	struct roster	*d;
	const char	*head[RF__MAX], *file;
	int		 k, rc, fd = -1;

	(void)arg;
	if (opt(o, "--users") == NULL || na > 1)
		return EXIT_USAGE;
	file = na == 1 ? a[0] : "-";
	if ((rc = roster_load(c->db, 1, &d)) != DB_OK)
		return cli_db_fail(rc);
	memset(&x, 0, sizeof(x));
	x.c = c;
	if (strcmp(file, "-") == 0)
		x.out = stdout;
	/* Names, emails and phones of everyone: for its owner's eyes. */
	else if ((fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (x.out = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		roster_free(d);
		return fail("%s: cannot create it", file);
	}
	for (k = 0; k < RF__MAX; k++)
		head[k] = roster_field_id((enum roster_field)k);
	rc = fputs(CSV_BOM, x.out) == EOF || fputs(csv_record(&c->arena, head,
	    RF__MAX), x.out) == EOF || roster_each(d, &c->arena, export_one,
	    &x) != 0;
	if (x.out != stdout ? fclose(x.out) != 0 : fflush(x.out) != 0)
		rc = 1;
	roster_free(d);
	if (rc)
		return fail("%s: cannot write it", file);
	return EXIT_OK;
}

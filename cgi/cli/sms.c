/*
 * sms.c (cli): `staffdesk-admin sms flush` retries the texts that were
 * not sent (see sms.h: at most SMS_TRIES_MAX tries a text), `sms
 * outbox` lists the recent ones with their status, never their text,
 * and `sms select | unselect --user UPN` keeps the list that
 * sms.signin = selected lets sign in with a texted code.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "conf.h"
#include "phone.h"
#include "sms.h"

static void
flush_row(uint64_t id, int rc, void *arg)
{
	(void)arg;
	printf("%llu\t%s\n", (unsigned long long)id, rc == 0 ? "sent" :
	    rc < 0 ? "failed" : "skipped");
}

/* Exit 0 when every text tried was sent, 1 when one failed again. */
int
cli_sms_flush(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct sms_flush_report	rep;
	int			rc;

	(void)o; (void)a; (void)arg;
	if (n != 0)
		return EXIT_USAGE;
	if ((rc = sms_flush(c->db, &c->arena, c->conf, &rep, flush_row,
	    NULL)) == DB_NONE)
		return fail("another sms flush is running; nothing was done");
	if (rc != DB_OK)
		return cli_db_fail(rc);
	printf("sms flush: %u sent, %u failed, %u skipped (a text is tried "
	    "at most %d times)\n", rep.sent, rep.failed, rep.skipped,
	    SMS_TRIES_MAX);
	return rep.failed > 0 ? EXIT_FAIL : EXIT_OK;
}

#define OUTBOX_DEFAULT	50
#define OUTBOX_MAX	1000

int
cli_sms_outbox(struct cli *c, const struct opts *o, const char *const *a,
    int n, int arg)
{
	struct q_sms_recent_rows	 rows;
	const char			*lim = opt(o, "--limit");
	int64_t				 max = OUTBOX_DEFAULT;
	size_t				 i;
	int				 rc;

	(void)a; (void)arg;
	if (n != 0)
		return EXIT_USAGE;
	if (lim != NULL && parse_int64(lim, 1, OUTBOX_MAX, &max) == -1)
		return fail("--limit must be 1-%d", OUTBOX_MAX);
	if ((rc = q_sms_recent(c->db, &c->arena, &(struct q_sms_recent_in){
	    .max = DB_INT(max) }, &rows)) != DB_OK)
		return cli_db_fail(rc);
	printf("id\tqueued (UTC)\tnumber\tpurpose\tfor\tstatus\ttries\t"
	    "exit\tsent (UTC)\n");
	for (i = 0; i < rows.n; i++)
		printf("%lld\t%s\t%s\t%s\t%s\t%s\t%lld\t%s\t%s\n",
		    (long long)rows.row[i].id, rows.row[i].created_at,
		    phone_mask(&c->arena, rows.row[i].number),
		    rows.row[i].purpose, rows.row[i].user_upn ?
		    rows.row[i].user_upn : "-", rows.row[i].status,
		    (long long)rows.row[i].tries, rows.row[i].exit_status ?
		    rows.row[i].exit_status : "-", rows.row[i].sent_at ?
		    rows.row[i].sent_at : "-");
	return EXIT_OK;
}

static int
run_sms_select(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_sms_signin_select(db, &s->in.select, n);
}

static int
run_sms_unselect(struct db *db, const struct cli_simple *s, uint64_t *n)
{
	return q_sms_signin_unselect(db, &s->in.select, n);
}

/* sms select | unselect --user UPN: audited as sms.select / sms.unselect. */
int
cli_sms_select(struct cli *c, const struct opts *o, const char *const *a,
    int n, int select)
{
	struct cli_simple	 s;
	const char		*user = opt(o, "--user"), *id, *name;
	int			 rc;

	(void)a;
	if (n != 0 || user == NULL)
		return EXIT_USAGE;
	if ((rc = cli_find_user(c, user, &id, &name)) != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.run = select ? run_sms_select : run_sms_unselect;
	s.in.select = (struct q_mystaff_select_in){ .user = DB_TEXT(id) };
	s.action = select ? "sms.select" : "sms.unselect";
	s.target_id = id;
	s.target_name = name;
	s.must_change = !select;
	return cli_run_simple(&s, id, "that user was not selected");
}

/*
 * sms.c (cli): `staffdesk-admin sms flush` retries the texts that were
 * not sent (see sms.h: at most SMS_TRIES_MAX tries a text), `sms
 * outbox` lists the recent ones with their status, never their text.
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
	    NULL)) != 0)
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

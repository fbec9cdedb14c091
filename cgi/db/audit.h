/*
 * audit.h: the audit log (table audit_log). Every state change and
 * every sign-in attempt writes one row in the same transaction as the
 * change. No password, code or token is ever passed here.
 */
#ifndef STAFFDESK_DB_AUDIT_H
#define STAFFDESK_DB_AUDIT_H

struct db;
struct arena;

/*
 * One row. Fill it with designated initializers: a field left out is
 * NULL (or, for ok, a failure). Pages fill actor, ip and user agent from
 * the request with page_audit(); the CLI leaves ip and user agent NULL.
 */
struct audit {
	const char	*action;	/* e.g. "signin.password" */
	int		 ok;		/* result: success / failure */
	const char	*reason;	/* a code, NULL on success */
	const char	*actor_id;	/* NULL: nobody signed in */
	const char	*actor_upn;
	const char	*target_id;
	const char	*target_name;
	const char	*client;	/* mystaff, account, admin, cli */
	const char	*details;	/* a JSON object, or NULL */
	const char	*ip;
	const char	*user_agent;
	const char	*request_id;	/* the HTTP request's, or NULL */
};

/*
 * Inserts the row: DB_OK or a db_err. A request id goes into the
 * details as "requestId" (audit_details), where the request's log line
 * and X-Request-Id carry the same.
 */
int	 audit_write(struct db *, const struct audit *);
/*
 * details (a JSON object, or NULL) with "requestId": request_id added
 * as its last member, in the arena; details as they are when
 * request_id is NULL or "", or when details are not an object. Pure.
 */
const char *audit_details(struct arena *, const char *details,
	    const char *request_id);
/* s as a JSON string literal (quoted and escaped) in the arena. */
char	*json_string(struct arena *, const char *s);

#endif

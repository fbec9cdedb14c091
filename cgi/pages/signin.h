/*
 * signin.h: what the password and second-factor steps (signin.c) and
 * sign-in by a texted code (textcode.c) share.
 */
#ifndef STAFFDESK_PAGES_SIGNIN_H
#define STAFFDESK_PAGES_SIGNIN_H

struct audit;
struct db;
struct req;

/*
 * Where a session goes next: /login/mfa when it owes a second step it
 * can pass here, /account/mfa when it cannot, /account/password when a
 * password is owed, else home.
 */
const char	*next_step(int needs_mfa, int can_verify, int must_change);
/*
 * Counts a failed sign-in step inside the caller's transaction, after
 * its audit row a: the address's failures and, for user_id (NULL:
 * none), the account's, with the lock that follows. DB_OK or a db_err.
 */
int		 count_failure(struct db *, struct req *, struct audit *a,
		    const char *user_id, int failures);
/*
 * 0 when this address may try to sign in again; else the status of the
 * answer given (429, audited; 503).
 */
int		 signin_rate_gate(struct req *);
/* 1 when sms.signin is on at all (the pages exist); reads the settings. */
int		 sms_signin_on(struct req *);

#endif

/*
 * session.h: the session cookie, CSRF tokens and sign-in state. A
 * session is a row keyed by the SHA-256 of a 256-bit random token; the
 * browser holds only the token.
 */
#ifndef STAFFDESK_SESSION_H
#define STAFFDESK_SESSION_H

#include <stdint.h>

#include "util.h"

#define SESS_TOKEN_BYTES	32
#define SESS_TOKEN_LEN		43	/* base64url of 32 bytes */
#define SESS_TOUCH_SECONDS	60	/* last_seen_at is written at most this often */
#define SESS_FLASH_MAX		1024
#define SESS_ENROL_MAX		64	/* bytes of a secret being set up */

struct req;
struct db;

struct sess {
	char	 token_hash[65];
	char	 csrf[SESS_TOKEN_LEN + 1];
	char	 user_id[UUID_LEN + 1];
	char	*upn;
	char	*display_name;
	int64_t	 created_at, last_seen_at, mfa_at;	/* mfa_at 0: not done */
	int	 mfa_remembered;	/* mfa_at is a trusted network's */
	int	 mfa_sms;	/* the second factor was a texted code */
	int	 signin_sms;	/* the first factor was a texted code */
	int	 mfa_attempts;
	int	 must_change;
	int	 has_totp;
	int	 has_role;
	int	 onprem;	/* synced: the on-premises password policy */
	char	*flash;		/* sealed one-time message, or NULL */
	size_t	 flashlen;
	char	*enrol;		/* sealed secret being set up, or NULL */
	size_t	 enrollen;
};

/*
 * 1 when a session created at `created` and last seen at `seen` has
 * expired at `now` under the idle and absolute limits (seconds).
 */
int	 sess_expired(int64_t created, int64_t seen, int64_t now,
	    long idle, long absolute);

/*
 * Reads the session cookie and loads req->sess (NULL when there is no
 * valid, unexpired session of an enabled user), with the settings (the
 * worker's copy, read again when the table's version moved) and the
 * user's roles (req->actor): one statement, Q_SESS_LOAD. DB_OK or a
 * db_err.
 */
int	 sess_load(struct req *);
/*
 * The same in a page's own view (db.h), whose first statement is the
 * session's: sess_view_in() fills its parameter from the cookie (0:
 * the request has no session token, and the view need not run);
 * sess_apply() does what sess_load() does with the rows it brought.
 */
struct q_sess_load_in;
struct q_sess_load_rows;
int	 sess_view_in(struct req *, struct q_sess_load_in *);
int	 sess_apply(struct req *, const struct q_sess_load_in *,
	    const struct q_sess_load_rows *);
/* A new session's second factor (the values Q_SESS_INSERT knows). */
enum sess_mfa {
	SESS_MFA_OWED,		/* not passed (yet) */
	SESS_MFA_DONE,		/* passed now */
	SESS_MFA_REMEMBERED,	/* passed lately, and this is a trusted network */
	SESS_MFA_SMS,		/* passed now with a texted code (not TOTP) */
	SESS_MFA_OWED_SMS,	/* owed, and the first factor was a texted
				   code: the second may not be one */
};

/* A session made inside a transaction, adopted by the request after it commits. */
struct sess_new {
	char		token[SESS_TOKEN_LEN + 1];
	char		hash[65];
	char		csrf[SESS_TOKEN_LEN + 1];
	char		user_id[UUID_LEN + 1];
	enum sess_mfa	mfa;
};

/*
 * Inserts a new session for user_id (a new token: no fixation) and
 * deletes the request's current one, inside the caller's transaction;
 * SESS_MFA_DONE also records that the user passed a second factor now
 * (users.last_mfa_at); SESS_MFA_SMS does not (a texted code is not
 * remembered on a trusted network, where only the app counts). The request is not touched, so a retried
 * transaction starts again from the same state. DB_OK, DB_NONE when
 * the user is gone, or a db_err.
 */
int	 sess_start(struct db *, struct req *, const char *user_id,
	    enum sess_mfa, struct sess_new *);
/* After the commit: sets the cookie; the rest of the request acts on the new session. */
void	 sess_adopt(struct req *, struct sess_new *);
/* Ends the request's session (row and cookie). */
int	 sess_end(struct db *, struct req *);
/* The CSRF token forms of this request carry (session or visitor). */
const char *sess_csrf(struct req *);
/* 1 when token is this request's CSRF token (constant time). */
int	 sess_csrf_ok(struct req *, const char *token);
/* 1 when the user must pass MFA for this session before going on. */
int	 sess_needs_mfa(const struct sess *);

/* What a one-time message says; its text is what the comment names. */
enum sess_flash {
	FLASH_RECOVERY_CODES,	/* the new recovery codes, one a line */
	FLASH_RESET_SHOWN,	/* the temporary password, to show once */
	FLASH_RESET_SMS,	/* the masked number it was texted to */
	FLASH_RESET_SMS_FAILED,	/* the masked number it did not reach */
	FLASH_RESET_TYPED,	/* "": the manager typed an on-premises one */
	FLASH__MAX
};

/*
 * A one-time message for the next page of this session (a secret shown
 * once: recovery codes, a temporary password), sealed with the data key,
 * about a person (their id; NULL: the session's own user).
 * sess_flash_take returns the waiting message about that person (in the
 * arena) with its kind, and clears it; NULL when there is none.
 */
int	 sess_flash_put(struct db *, struct req *, const char *token_hash,
	    enum sess_flash, const char *about, const char *text);
char	*sess_flash_take(struct req *, const char *about, enum sess_flash *);
/* 1 when a message about that person waits (it stays), as committed now. */
int	 sess_flash_waiting(struct req *, const char *about);

/*
 * The authenticator secret this session is setting up (sealed in its
 * own row): sess_enrol_get fills secret[max] and returns its length, 0
 * when there is none; sess_enrol_put stores one (NULL clears it) inside
 * the caller's transaction or on its own. DB errors are negative.
 */
int	 sess_enrol_get(struct req *, unsigned char *secret, size_t max);
int	 sess_enrol_put(struct db *, struct req *, const unsigned char *secret,
	    size_t len);

/* The session and visitor cookie names for this configuration. */
const char *const *sess_cookie_names(int secure);

#endif

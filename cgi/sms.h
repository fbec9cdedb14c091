/*
 * sms.h: the one way staffdesk sends a text message.
 *
 *  1. Inside the caller's transaction (with the change the text is
 *     about, and its audit row), sms_queue() checks the destination and
 *     the limits and writes an sms_outbox row whose message is sealed
 *     with the data key (AES-256-GCM, the number as associated data).
 *     The message is never stored in clear, nor written to the log or
 *     an audit row: a row shows its purpose, not its text.
 *  2. After the commit, sms_send() delivers the row to the configured
 *     channel (sms_command or sms_log) and records how it went. The
 *     sealed copy is dropped once the text is sent, superseded, or has
 *     had its SMS_TRIES_MAX tries.
 *  3. `staffdesk-admin sms flush` (cron, a systemd timer) runs
 *     sms_flush(): sms_send() on every row not yet sent that has a try
 *     left.
 *
 * A flow to come (one-time codes, SMS sign-in, SSPR) does:
 *
 *	struct sms_msg m = { SMS_CODE_SIGNIN, user_id, number, text, r->ip };
 *	rc = sms_queue(db, r->settings, r->conf->data_key, &m, &id, &wait);
 *	  (in the transaction that stores the code; a positive rc is a
 *	   refusal: return it so that the code is rolled back, then answer
 *	   429 with sms_refusal_text(); see page_reset_post)
 *	after the commit: sms_send(r->db, r->conf, id) == 0, or say the
 *	   text could not be sent.
 *
 * Limits, over every text whatever its purpose (README "SMS delivery"):
 * per number SMS_PER_NUMBER_MINUTE in SMS_MINUTE seconds and the setting
 * sms.per_number_per_hour; per account (the user it is for)
 * SMS_PER_USER_PER_HOUR; per client address the setting
 * sms.per_ip_per_hour. A text refused by a limit is not queued and
 * does not count. The setting sms.allowed_country_codes (empty: any)
 * names the country calling codes a text may go to.
 */
#ifndef STAFFDESK_SMS_H
#define STAFFDESK_SMS_H

#include <stddef.h>
#include <stdint.h>

#include "phone.h"

#define SMS_MAX			480	/* bytes: three SMS segments */
#define SMS_SEALED_MAX		640	/* sms_outbox.sealed: SMS_MAX + 28 */
#define SMS_COMMAND_SECONDS	10	/* sms_command is killed after this */
#define SMS_TRIES_MAX		5	/* deliveries of one row, first included */
#define SMS_MINUTE		60	/* seconds: the per-number pacing window */
#define SMS_PER_NUMBER_MINUTE	1	/* texts per number per SMS_MINUTE */
#define SMS_HOUR		3600	/* seconds: the hourly windows */
#define SMS_PER_USER_PER_HOUR	10	/* texts per account per hour */
#define SMS_FLUSH_SETTLE	30	/* s: a queued row younger is the worker's */
#define SMS_FLUSH_MAX		500	/* rows per sms flush */
#define SMS_LEASE		"sms.flush"	/* its row of cluster_locks */
#define SMS_LEASE_SECONDS	60	/* renewed before each text: > SMS_COMMAND_SECONDS */
#define SMS_LEASE_HOLDER	16	/* random bytes naming a flush */

struct arena;
struct conf;
struct db;
struct settings;

/* What a text is for: sms_outbox.purpose, and how long it is worth sending. */
enum sms_purpose {
	SMS_RESET_TEMP,		/* a manager's reset: the temporary password */
	SMS_NOTIFY,		/* a notice (the phone number was changed) */
	SMS_CODE_SIGNIN,	/* one-time codes (cgi/auth/otp.h) */
	SMS_CODE_MFA,
	SMS_CODE_RESET,
	SMS_NOTIFY_RESET,	/* "your password was changed" after a
				   self-service reset: not held back by the
				   1-per-minute rule (it follows the code) */
	SMS__MAX
};

/* "reset_temp", "notify", "code_signin", ...: the outbox column. */
const char	*sms_purpose_id(enum sms_purpose);

/* A text to queue. */
struct sms_msg {
	enum sms_purpose	 purpose;
	const char		*user_id;	/* the account it is for, or NULL */
	const char		*number;	/* E.164: "+" and 8-15 digits */
	const char		*text;		/* at most SMS_MAX bytes */
	const char		*ip;		/* who asked; NULL: not counted */
};

/*
 * Why sms_queue() refused (positive, per util.h). They start at
 * SMS_REFUSAL_FIRST so that they do not meet a caller's own refusals
 * (DB_REFUSED and up, below 64) when a transaction passes one on.
 */
#define SMS_REFUSAL_FIRST	64
enum sms_refusal {
	SMS_BAD_NUMBER = SMS_REFUSAL_FIRST,	/* not E.164 */
	SMS_COUNTRY,		/* not in sms.allowed_country_codes */
	SMS_TOO_LONG,		/* over SMS_MAX bytes */
	SMS_LIMIT_MINUTE,	/* this number had a text within SMS_MINUTE */
	SMS_LIMIT_NUMBER,	/* sms.per_number_per_hour */
	SMS_LIMIT_USER,		/* SMS_PER_USER_PER_HOUR */
	SMS_LIMIT_IP,		/* sms.per_ip_per_hour */
	SMS_REFUSAL__END
};

/* 1 when rc is one of enum sms_refusal. */
int		 sms_is_refusal(int rc);
/* 1 when rc is a limit (retry later), not a destination refused for good. */
int		 sms_is_limit(int rc);
/* The audit reason: "sms_limit_number", "sms_country", ... */
const char	*sms_refusal_code(int rc);
/*
 * A sentence for the person who asked: what was refused and, for a
 * limit, in how long a text may go ("Try again in 3 minutes.").
 */
char		*sms_refusal_text(struct arena *, int rc, int64_t retry_after);

/*
 * Inside the caller's transaction: checks the number (E.164), its
 * country, the length and the limits, supersedes an unsent text of the
 * same user and purpose (codes, temporary passwords: not notices),
 * seals the text with key and writes the outbox row. Returns 0 with
 * *id; a positive enum sms_refusal when the text may not go (nothing
 * written; *retry_after: seconds until a limit lets a text go, 0 for a
 * destination refused for good); or a negative db_err. The caller
 * wipes its copy of the text.
 */
int		 sms_queue(struct db *, const struct settings *,
		    const unsigned char *key, const struct sms_msg *,
		    uint64_t *id, int64_t *retry_after);

/*
 * Into *wait the seconds until the per-address limit lets a text from ip
 * go (0: now), for a page that must say so before it knows whom a text
 * would be for. DB_OK or a db_err.
 */
int		 sms_ip_wait(struct db *, const struct settings *,
		    const char *ip, int64_t *wait);

/*
 * After the commit: takes one try of row id (unless another process
 * just took it), opens the message and delivers it; the row becomes
 * sent, or failed with the exit status and the try counted (the
 * sealed copy dropped after SMS_TRIES_MAX tries or past the purpose's
 * useful age). Returns 0 when sent, 1 (DB_NONE) when the row has
 * nothing to send (sent, cancelled, given up, taken by another
 * process), -1 when it was not sent (delivery failed, or the database
 * did not answer: logged). Nothing of the message is logged.
 */
int		 sms_send(struct db *, const struct conf *, uint64_t id);

/* What sms_flush() did. */
struct sms_flush_report {
	unsigned	 sent, failed, skipped;
};
/*
 * Retries every row that is failed, or queued and older than
 * SMS_FLUSH_SETTLE seconds, with fewer than SMS_TRIES_MAX tries (at
 * most SMS_FLUSH_MAX rows); each through sms_send(). out(id, rc, arg)
 * is told each row's outcome (sms_send()'s answer). One flush runs at
 * a time in the whole cluster (two could deliver a text twice): it
 * holds the lease SMS_LEASE (sql/016), renewed for SMS_LEASE_SECONDS
 * before each text and given back at the end; one that dies frees it
 * when that runs out. Then drops the rate_limits rows (limit windows,
 * their locks) no limit has looked at for two hours. DB_OK, DB_NONE
 * when another one is running (nothing done), or a db_err when the
 * rows could not be read or the lease ran out.
 */
int		 sms_flush(struct db *, struct arena *, const struct conf *,
		    struct sms_flush_report *,
		    void (*out)(uint64_t id, int rc, void *), void *arg);

/*
 * 1 when a text may go to number at all under the settings: E.164 and
 * in sms.allowed_country_codes (limits aside). Pages offer only such
 * numbers.
 */
int		 sms_may_text(const struct settings *, const char *number);

/* Pure parts, for the tests. */

/* 1 when s is "+" and 8-15 digits, the first not 0 (nothing else). */
int		 sms_number_valid(const char *s);
/*
 * 1 when number (E.164) starts with one of the country calling codes of
 * list ("1 44 353"; spaces or commas); an empty or NULL list allows all.
 */
int		 sms_country_allowed(const char *list, const char *number);

/*
 * A rate window: at most limit texts in seconds. nth_us is the time
 * (µs) of the limit-th newest text sent within the window, 0 when
 * fewer than limit were.
 */
struct sms_window {
	int64_t	 limit;
	int64_t	 seconds;
	int64_t	 nth_us;
	int64_t	 now_us;	/* the clock nth_us was read by */
};
/*
 * Seconds (rounded up) until the window lets one more text go at
 * w->now_us: 0 when it does now; never more than the window (a time in
 * the future counts as now).
 */
int64_t		 sms_window_wait(const struct sms_window *w);

/*
 * The argument vector sms_command runs with: { cmd, number, NULL }.
 * 0, or -1 when number is not E.164 (then nothing may be run).
 */
int		 sms_argv(const char *cmd, const char *number,
		    const char *argv[3]);
/*
 * Seals text for number into out (SMS_SEALED_MAX bytes): the length,
 * or -1. sms_open() reverses it into out (SMS_MAX + 1 bytes, NUL
 * terminated): the length, or -1 (wrong key or number, tampered).
 */
int		 sms_seal(const unsigned char *key, const char *number,
		    const char *text, unsigned char *out, size_t outsz);
int		 sms_open(const unsigned char *key, const char *number,
		    const unsigned char *in, size_t inlen, char *out,
		    size_t outsz);

/*
 * Delivers text to the configured channel: sms_command (argv as
 * sms_argv() makes it, the text on stdin, no shell, killed after
 * SMS_COMMAND_SECONDS) or the sms_log file. 0 when delivered, else -1;
 * *status: the command's exit status, 0 for the log, -1 when it did
 * not run or was killed.
 */
int		 sms_deliver(const struct conf *, const char *number,
		    const char *text, int *status);

#endif

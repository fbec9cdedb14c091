/*
 * sms.c: see sms.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/crypt.h"
#include "conf.h"
#include "db/db.h"
#include "log.h"
#include "metrics.h"
#include "settings.h"
#include "sms.h"
#include "util.h"

/*
 * The limits per number and per account count texts of one pool: those
 * anyone may ask for with a number or a username (a sign-in or reset
 * code), and those asked by someone who proved more (a manager's reset,
 * a second-factor code after the password). Whoever floods /login/sms
 * or /reset with someone's number so uses up only that pool: their
 * second factor and their manager's reset still get through.
 */
enum { POOL_NONE, POOL_ANYONE, POOL_PROVEN, POOL__MAX };

/* Each purpose: its outbox id, whether a new text supersedes an unsent
 * one of the same user, how long after queuing a try is worth it, and
 * the pool it is limited in (POOL_NONE: not limited). */
static const struct {
	const char	*id;
	int		 supersedes;
	int64_t		 max_age;	/* seconds */
	int		 pool;
} purposes[SMS__MAX] = {
	[SMS_RESET_TEMP] =	{ "reset_temp", 1, 24 * 3600, POOL_PROVEN },
	/*
	 * A notice is never refused by a limit: otherwise texts that fill
	 * a person's quota first could change their number unnoticed. Only
	 * a manager's audited change sends one.
	 */
	[SMS_NOTIFY] =		{ "notify", 0, 24 * 3600, POOL_NONE },
	[SMS_CODE_SIGNIN] =	{ "code_signin", 1, 600, POOL_ANYONE },
	[SMS_CODE_MFA] =	{ "code_mfa", 1, 600, POOL_PROVEN },
	[SMS_CODE_RESET] =	{ "code_reset", 1, 600, POOL_ANYONE },
	/* "Your password was changed": a notice too, never refused. */
	[SMS_NOTIFY_RESET] =	{ "notify_reset", 0, 24 * 3600, POOL_NONE },
};

/* The purposes of each pool, as the limit queries take them. */
static const char *const pool_purposes[POOL__MAX][2] = {
	[POOL_ANYONE] = { "code_signin", "code_reset" },
	[POOL_PROVEN] = { "reset_temp", "code_mfa" },
};

const char *
sms_purpose_id(enum sms_purpose p)
{
	return (unsigned)p < SMS__MAX ? purposes[p].id : "unknown";
}

static int
sms_purpose_parse(const char *s)
{
	int	i;

	for (i = 0; i < SMS__MAX; i++)
		if (strcmp(purposes[i].id, s) == 0)
			return i;
	return -1;
}

static const char *const refusal_codes[] = {
	[SMS_BAD_NUMBER - SMS_REFUSAL_FIRST] = "sms_bad_number",
	[SMS_COUNTRY - SMS_REFUSAL_FIRST] = "sms_country",
	[SMS_TOO_LONG - SMS_REFUSAL_FIRST] = "sms_too_long",
	[SMS_LIMIT_MINUTE - SMS_REFUSAL_FIRST] = "sms_limit_minute",
	[SMS_LIMIT_NUMBER - SMS_REFUSAL_FIRST] = "sms_limit_number",
	[SMS_LIMIT_USER - SMS_REFUSAL_FIRST] = "sms_limit_user",
	[SMS_LIMIT_IP - SMS_REFUSAL_FIRST] = "sms_limit_ip",
};

int
sms_is_refusal(int rc)
{
	return rc >= SMS_REFUSAL_FIRST && rc < SMS_REFUSAL__END;
}

int
sms_is_limit(int rc)
{
	return rc >= SMS_LIMIT_MINUTE && rc <= SMS_LIMIT_IP;
}

const char *
sms_refusal_code(int rc)
{
	return sms_is_refusal(rc) ? refusal_codes[rc - SMS_REFUSAL_FIRST] :
	    "sms_error";
}

char *
sms_refusal_text(struct arena *a, int rc, int64_t wait)
{
	const char	*what;
	char		*when;

	switch (rc) {
	case SMS_BAD_NUMBER:
		return arena_strdup(a, "This number cannot receive text "
		    "messages: it is not a full international number (+ and "
		    "the country code).");
	case SMS_COUNTRY:
		return arena_strdup(a, "Text messages may not be sent to this "
		    "country: its calling code is not one your admin allows "
		    "(Authentication methods, allowed country codes).");
	case SMS_TOO_LONG:
		return arena_strdup(a, "The text message would be too long.");
	case SMS_LIMIT_MINUTE:
		/* Not "its code still works": a reset started again from
		 * the username has no field to type that code in. */
		what = "A text message was sent to this number less than a "
		    "minute ago.";
		break;
	case SMS_LIMIT_NUMBER:
		what = "Too many text messages were sent to this number in the "
		    "last hour.";
		break;
	case SMS_LIMIT_USER:
		what = "Too many text messages were sent to this person in the "
		    "last hour.";
		break;
	case SMS_LIMIT_IP:
		what = "Too many text messages were sent from this network in "
		    "the last hour.";
		break;
	default:
		return arena_strdup(a, "The text message could not be sent.");
	}
	if (wait < 1)
		wait = 1;
	if (wait < 60)
		when = arena_printf(a, "%lld second%s", (long long)wait,
		    wait == 1 ? "" : "s");
	else
		when = arena_printf(a, "%lld minute%s", (long long)(wait + 59) /
		    60, (wait + 59) / 60 == 1 ? "" : "s");
	return arena_printf(a, "%s Try again in %s.", what,
	    when);
}

int
sms_number_valid(const char *s)
{
	size_t	n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	n = strspn(s + 1, "0123456789");
	return s[1 + n] == '\0' && n >= PHONE_DIGITS_MIN &&
	    n <= PHONE_DIGITS_MAX;
}

int
sms_may_text(const struct settings *st, const char *number)
{
	return number != NULL && sms_number_valid(number) &&
	    sms_country_allowed(settings_str(st,
	    SET_SMS_ALLOWED_COUNTRY_CODES), number);
}

int
sms_country_allowed(const char *list, const char *number)
{
	const char	*p = list, *w;
	size_t		 n;
	int		 any = 0;

	if (list == NULL || number == NULL || number[0] != '+')
		return list == NULL || *list == '\0';
	while ((n = list_next(&p, &w)) > 0) {
		any = 1;
		if (*w == '+')
			w++, n--;
		if (n > 0 && strncmp(number + 1, w, n) == 0)
			return 1;
	}
	return !any;
}

int64_t
sms_window_wait(const struct sms_window *w)
{
	int64_t	ends, left, now_us = w->now_us;

	if (w->limit < 1 || w->nth_us <= 0)
		return 0;
	ends = w->nth_us + w->seconds * 1000000;
	if (w->nth_us > now_us)		/* a clock step back: a full window */
		return w->seconds;
	if (ends <= now_us)
		return 0;
	left = (ends - now_us + 999999) / 1000000;
	return left > w->seconds ? w->seconds : left;
}

int
sms_argv(const char *cmd, const char *number, const char *argv[3])
{
	argv[0] = argv[1] = argv[2] = NULL;
	if (cmd == NULL || *cmd != '/' || !sms_number_valid(number))
		return -1;
	argv[0] = cmd;
	argv[1] = number;
	return 0;
}

/* The associated data of a sealed text: its number, so it goes nowhere else. */
#define SMS_AAD(n)	(const unsigned char *)(n), strlen(n)

int
sms_seal(const unsigned char *key, const char *number, const char *text,
    unsigned char *out, size_t outsz)
{
	size_t	len = strlen(text);

	if (len > SMS_MAX)
		return -1;
	return crypt_seal(key, SMS_AAD(number), (const unsigned char *)text,
	    len, out, outsz);
}

int
sms_open(const unsigned char *key, const char *number,
    const unsigned char *in, size_t inlen, char *out, size_t outsz)
{
	int	n;

	if (outsz < 1)
		return -1;
	n = crypt_open(key, SMS_AAD(number), in, inlen, (unsigned char *)out,
	    outsz - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	if (strlen(out) != (size_t)n) {		/* a NUL inside */
		OPENSSL_cleanse(out, (size_t)n);
		return -1;
	}
	return n;
}

/* Appends "NUMBER<TAB>MESSAGE\n" (message on one line) in one write. */
static int
sms_log_write(const char *path, const char *number, const char *text)
{
	char	line[SMS_MAX + 64], *p;
	int	fd, n, rc = -1;

	n = snprintf(line, sizeof(line), "%s\t%s\n", number, text);
	if (n < 0 || (size_t)n >= sizeof(line))
		goto out;
	for (p = line + strlen(number) + 1; p < line + n - 1; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		log_msg(LOG_ERR, "sms_log %s: %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, line, (size_t)n) != n)
		log_msg(LOG_ERR, "sms_log %s: short write", path);
	else
		rc = 0;
	close(fd);
out:
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

/*
 * Runs argv (sms_argv()) with the text on stdin, no shell; the exit
 * status in *status (-1: not run, or killed after SMS_COMMAND_SECONDS).
 */
static int
sms_command_run(const char *const argv[3], const char *text, int *status)
{
	struct sigaction	 ign, old;
	int			 fds[2], ws, waited;
	pid_t			 pid, got;
	size_t			 len = strlen(text);

	*status = -1;
	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* Its own process group (a timeout kills all of it), and
		 * the signals as a program expects them. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[0], STDIN_FILENO);
		/* Not the worker's database and FastCGI connections. */
		closefrom(STDERR_FILENO + 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	/* A command that does not read its stdin must not kill the worker;
	 * SIGPIPE is ignored for this write only. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	if (write(fds[1], text, len) != (ssize_t)len)
		log_msg(LOG_WARN, "sms_command: could not write the message");
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	for (waited = 0; waited < SMS_COMMAND_SECONDS * 10; waited++) {
		if ((got = waitpid(pid, &ws, WNOHANG)) == pid) {
			if (WIFEXITED(ws))
				*status = WEXITSTATUS(ws);
			return *status == 0 ? 0 : -1;
		}
		if (got == -1 && errno != EINTR)
			return -1;
		usleep(100000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &ws, 0) == -1 && errno == EINTR)
		continue;
	log_msg(LOG_WARN, "sms_command took longer than %d s; killed",
	    SMS_COMMAND_SECONDS);
	return -1;
}

int
sms_deliver(const struct conf *c, const char *number, const char *text,
    int *status)
{
	const char	*argv[3];

	*status = -1;
	if (strlen(text) > SMS_MAX || !sms_number_valid(number)) {
		log_msg(LOG_WARN, "sms: refused a text to a number that is not "
		    "E.164, or too long");
		return -1;
	}
	if (c->sms_command != NULL) {
		if (sms_argv(c->sms_command, number, argv) == -1)
			return -1;
		return sms_command_run(argv, text, status);
	}
	if (c->sms_log != NULL) {
		if (sms_log_write(c->sms_log, number, text) == -1)
			return -1;
		*status = 0;
		return 0;
	}
	log_msg(LOG_WARN, "no sms_command or sms_log configured");
	return -1;
}

/* Locks key for the rest of the transaction (the limit checks of one key). */
static int
sms_lock(struct db *db, struct arena *a, const char *what, const char *v)
{
	return q_sms_lock(db, &(struct q_sms_lock_in){
	    .key = DB_TEXT(arena_printf(a, "sms:%s:%s", what, v)) }, NULL);
}

/*
 * Fills w from rows of one of the Q_SMS_NTH_* statements: the time
 * and the clock both the database's, whatever the worker's says.
 */
static void
sms_nth(struct sms_window *w, const struct q_sms_nth_number_rows *rows)
{
	w->nth_us = rows->n > 0 ? rows->row[0].at_us : 0;
	w->now_us = rows->n > 0 ? rows->row[0].now_us : 0;
}

/* Fills w (the per-address window) for ip: DB_OK or a db_err. */
static int
ip_window(struct db *db, struct arena *a, const char *ip,
    struct sms_window *w)
{
	struct q_sms_nth_number_rows	rows;
	int				rc;

	if ((rc = q_sms_nth_ip(db, a, &(struct q_sms_nth_ip_in){
	    .ip = DB_TEXT(ip), .window_seconds = DB_INT(w->seconds),
	    .offset = DB_INT(w->limit - 1) }, &rows)) != DB_OK)
		return rc;
	sms_nth(w, &rows);
	return DB_OK;
}

int
sms_ip_wait(struct db *db, const struct settings *st, const char *ip,
    int64_t *wait)
{
	struct arena		a = { NULL };
	struct sms_window	w = { settings_int(st, SET_SMS_PER_IP_PER_HOUR),
				    SMS_HOUR, 0, 0 };
	int			rc;

	*wait = 0;
	if ((rc = ip_window(db, &a, ip, &w)) == DB_OK)
		*wait = sms_window_wait(&w);
	arena_reset(&a);
	return rc;
}

int
sms_queue(struct db *db, const struct settings *st, const unsigned char *key,
    const struct sms_msg *m, uint64_t *id, int64_t *retry_after)
{
	struct arena			 a = { NULL };
	struct q_sms_nth_number_rows	 rows;
	struct sms_window		 w[4];
	unsigned char			 sealed[SMS_SEALED_MAX];
	static const int		 why[4] = { SMS_LIMIT_MINUTE,
					    SMS_LIMIT_NUMBER, SMS_LIMIT_USER,
					    SMS_LIMIT_IP };
	int64_t				 wait, most = 0;
	int				 rc, n, i, pool, worst = 0;

	*id = 0;
	*retry_after = 0;
	if ((unsigned)m->purpose >= SMS__MAX)
		return DB_ERR;		/* a caller's mistake, not the number's */
	if (!sms_number_valid(m->number))
		return SMS_BAD_NUMBER;
	if (!sms_country_allowed(settings_str(st,
	    SET_SMS_ALLOWED_COUNTRY_CODES), m->number))
		return SMS_COUNTRY;
	if (strlen(m->text) > SMS_MAX)
		return SMS_TOO_LONG;
	if ((pool = purposes[m->purpose].pool) == POOL_NONE)
		goto queue;
	/* One check at a time per number, account and address. */
	if ((rc = sms_lock(db, &a, "n", m->number)) != DB_OK ||
	    (m->user_id && (rc = sms_lock(db, &a, "u", m->user_id)) != DB_OK) ||
	    (m->ip && (rc = sms_lock(db, &a, "ip", m->ip)) != DB_OK))
		goto out;
	w[0] = (struct sms_window){ SMS_PER_NUMBER_MINUTE, SMS_MINUTE, 0, 0 };
	w[1] = (struct sms_window){ settings_int(st,
	    SET_SMS_PER_NUMBER_PER_HOUR), SMS_HOUR, 0, 0 };
	w[2] = (struct sms_window){ SMS_PER_USER_PER_HOUR, SMS_HOUR, 0, 0 };
	w[3] = (struct sms_window){ settings_int(st,
	    SET_SMS_PER_IP_PER_HOUR), SMS_HOUR, 0, 0 };
	for (i = 0; i < 2; i++) {
		if ((rc = q_sms_nth_number(db, &a, &(struct q_sms_nth_number_in){
		    .number = DB_TEXT(m->number),
		    .purpose1 = DB_TEXT(pool_purposes[pool][0]),
		    .purpose2 = DB_TEXT(pool_purposes[pool][1]),
		    .window_seconds = DB_INT(w[i].seconds),
		    .offset = DB_INT(w[i].limit - 1) }, &rows)) != DB_OK)
			goto out;
		sms_nth(&w[i], &rows);
	}
	if (m->user_id != NULL) {
		if ((rc = q_sms_nth_user(db, &a, &(struct q_sms_nth_user_in){
		    .user = DB_TEXT(m->user_id),
		    .purpose1 = DB_TEXT(pool_purposes[pool][0]),
		    .purpose2 = DB_TEXT(pool_purposes[pool][1]),
		    .window_seconds = DB_INT(w[2].seconds),
		    .offset = DB_INT(w[2].limit - 1) },
		    &rows)) != DB_OK)
			goto out;
		sms_nth(&w[2], &rows);
	}
	if (m->ip != NULL && (rc = ip_window(db, &a, m->ip, &w[3])) != DB_OK)
		goto out;
	for (i = 0; i < 4; i++)
		if ((wait = sms_window_wait(&w[i])) > most) {
			most = wait;
			worst = why[i];
		}
	if (most > 0) {
		*retry_after = most;
		rc = worst;
		goto out;
	}
queue:
	if (m->user_id != NULL && purposes[m->purpose].supersedes &&
	    (rc = q_sms_supersede(db, &(struct q_sms_supersede_in){
	    .user = DB_TEXT(m->user_id),
	    .purpose = DB_TEXT(purposes[m->purpose].id) }, NULL)) != DB_OK)
		goto out;
	if ((n = sms_seal(key, m->number, m->text, sealed, sizeof(sealed))) <
	    0) {
		rc = DB_ERR;
		goto out;
	}
	if ((rc = q_sms_queue(db, &(struct q_sms_queue_in){
	    .number = DB_TEXT(m->number),
	    .purpose = DB_TEXT(purposes[m->purpose].id),
	    .user = DB_TEXT(m->user_id),
	    .ip = DB_TEXT(m->ip),
	    .sealed = DB_BYTES((const char *)sealed, (size_t)n) }, NULL)) ==
	    DB_OK)
		*id = db_last_id(db);
out:
	arena_reset(&a);
	return rc;
}

int
sms_send(struct db *db, const struct conf *c, uint64_t id)
{
	struct arena		 a = { NULL };
	struct q_sms_get_rows	 rows;
	struct q_sms_get_row	*row;
	char			 text[SMS_MAX + 1];
	int			 rc, n, p, status = -1, sent, keep;
	uint64_t		 claimed = 0;

	if ((rc = q_sms_get(db, &a, &(struct q_sms_get_in){
	    .id = DB_INT(id) }, &rows)) != DB_OK)
		goto out;
	if (rows.n == 0) {
		rc = DB_NONE;
		goto out;
	}
	row = &rows.row[0];
	p = sms_purpose_parse(row->purpose);
	if (row->tries >= SMS_TRIES_MAX || p < 0 ||
	    row->age > purposes[p].max_age) {
		/* Given up: no more tries, or too old to be of use. */
		rc = q_sms_done(db, &(struct q_sms_done_in){
		    .status = DB_TEXT("failed"), .exit_status = DB_NULL,
		    .keep = DB_INT(0), .id = DB_INT(id) }, NULL);
		rc = rc == DB_OK ? DB_NONE : rc;
		goto out;
	}
	if ((rc = q_sms_claim(db, &(struct q_sms_claim_in){
	    .id = DB_INT(id), .tries = DB_INT(row->tries) }, &claimed)) !=
	    DB_OK)
		goto out;
	if (claimed != 1) {		/* another process took this try */
		rc = DB_NONE;
		goto out;
	}
	n = sms_open(c->data_key, row->number,
	    (const unsigned char *)row->sealed, row->sealed_len, text,
	    sizeof(text));
	if (n < 0) {
		log_msg(LOG_ERR, "sms_outbox %llu: the message does not open "
		    "with the data key", (unsigned long long)id);
		sent = 0;
	} else
		sent = sms_deliver(c, row->number, text, &status) == 0;
	OPENSSL_cleanse(text, sizeof(text));
	keep = !sent && n >= 0 && row->tries + 1 < SMS_TRIES_MAX;
	metrics_sms((enum sms_purpose)p, sent);
	if (!sent)
		log_msg(LOG_WARN, "sms_outbox %llu (%s): try %lld of %d "
		    "failed, exit status %d", (unsigned long long)id,
		    row->purpose, (long long)row->tries + 1, SMS_TRIES_MAX,
		    status);
	if (q_sms_done(db, &(struct q_sms_done_in){
	    .status = DB_TEXT(sent ? "sent" : "failed"),
	    .exit_status = status >= 0 ? DB_INT(status) : DB_NULL,
	    .keep = DB_INT(keep), .id = DB_INT(id) }, NULL) != DB_OK)
		log_msg(LOG_WARN, "sms_outbox %llu: status not saved",
		    (unsigned long long)id);
	rc = sent ? 0 : -1;
out:
	if (rc < 0 && rc != -1)
		rc = -1;
	arena_reset(&a);
	return rc;
}

/* The lease one `sms flush` holds (sql/016), and whose it is. */
struct flush_lease {
	char		holder[SMS_LEASE_HOLDER * 2 + 1];
	uint64_t	n;		/* rows the statement changed */
};

static int
lease_take_txn(struct db *db, void *arg)
{
	struct flush_lease	*l = arg;

	return q_lease_take(db, &(struct q_lease_take_in){
	    .holder = DB_TEXT(l->holder), .seconds = DB_INT(SMS_LEASE_SECONDS),
	    .name = DB_TEXT(SMS_LEASE) }, &l->n);
}

static int
lease_keep_txn(struct db *db, void *arg)
{
	struct flush_lease	*l = arg;

	return q_lease_keep(db, &(struct q_lease_keep_in){
	    .seconds = DB_INT(SMS_LEASE_SECONDS), .name = DB_TEXT(SMS_LEASE),
	    .holder = DB_TEXT(l->holder) }, &l->n);
}

static int
lease_give_txn(struct db *db, void *arg)
{
	struct flush_lease	*l = arg;

	return q_lease_give(db, &(struct q_lease_give_in){
	    .name = DB_TEXT(SMS_LEASE), .holder = DB_TEXT(l->holder) }, &l->n);
}

int
sms_flush(struct db *db, struct arena *a, const struct conf *c,
    struct sms_flush_report *rep, void (*out)(uint64_t, int, void *),
    void *arg)
{
	struct q_sms_pending_rows	rows;
	struct flush_lease		lease;
	unsigned char			raw[SMS_LEASE_HOLDER];
	size_t				i;
	int				rc;

	memset(rep, 0, sizeof(*rep));
	random_bytes(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), lease.holder);
	if ((rc = db_txn(db, lease_take_txn, &lease)) != DB_OK)
		return rc;
	if (lease.n != 1)
		return DB_NONE;		/* another flush is running */
	rc = q_sms_pending(db, a, &(struct q_sms_pending_in){
	    .settle_seconds = DB_INT(SMS_FLUSH_SETTLE),
	    .tries_max = DB_INT(SMS_TRIES_MAX),
	    .max = DB_INT(SMS_FLUSH_MAX) }, &rows);
	for (i = 0; rc == DB_OK && i < rows.n; i++) {
		/* Each text under the lease: one that ran out stops here. */
		if ((rc = db_txn(db, lease_keep_txn, &lease)) != DB_OK)
			break;
		if (lease.n != 1) {
			log_msg(LOG_WARN, "sms flush: the lease ran out; "
			    "stopped");
			rc = DB_ERR;
			break;
		}
		rc = sms_send(db, c, (uint64_t)rows.row[i].id);
		if (rc == 0)
			rep->sent++;
		else if (rc < 0)
			rep->failed++;
		else
			rep->skipped++;
		if (out != NULL)
			out((uint64_t)rows.row[i].id, rc, arg);
		rc = DB_OK;
	}
	/* The limits' windows and locks, once no limit looks at them. */
	if (rc == DB_OK)
		rc = q_rate_purge(db, &(struct q_rate_purge_in){
		    .older_seconds = DB_INT(2 * SMS_HOUR) }, NULL);
	(void)db_txn(db, lease_give_txn, &lease);
	return rc;
}

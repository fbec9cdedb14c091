/*
 * signin.c: /login (password), /login/mfa (TOTP, recovery code or a
 * texted code, /login/mfa/sms to text one), /logout, / and /healthz.
 * Sign-in by a texted code, and the texting of every code, are
 * textcode.c (pages/signin.h is what the two share).
 * Every sign-in attempt, and every code texted, writes an audit row in
 * the transaction that records its outcome.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/codes.h"
#include "auth/otp.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "cidr.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/mfa.h"
#include "db/otp.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "pages/pages.h"
#include "pages/signin.h"
#include "phone.h"
#include "session.h"
#include "settings.h"
#include "sms.h"
#include "tpl.h"
#include "writeback.h"

#define RATE_WINDOW	3600	/* seconds: per-IP sign-in failures */

static const char msg_signin_failed[] = "The username or password is "
    "incorrect, or the account is locked for a while. Try again, or ask "
    "your manager to reset your password.";

/* A hash of a password nobody knows: unknown users cost the same. */
static char dummy_hash[PW_HASH_MAX];

int
page_signin_init(void)
{
	unsigned char	raw[32];
	char		pw[65];

	random_bytes(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), pw);
	OPENSSL_cleanse(raw, sizeof(raw));
	return pw_hash(pw, dummy_hash, sizeof(dummy_hash));
}

/* GET /healthz: 200 "ok" when the database answers, else 503. */
void
page_healthz(struct req *r)
{
	if (db_ping(r->db) == DB_OK)
		http_text(r, 200, "ok\n");
	else
		http_text(r, 503, "database unavailable\n");
}

/* GET /: My Staff for people who hold a role, else their account. */
void
page_home(struct req *r)
{
	http_redirect(r, r->sess->has_role ? "/units" : "/account");
}


static void
login_form(struct req *r, int status, const char *msg)
{
	struct tpl	*t = page_new(r, "Sign in");

	if (sms_signin_on(r))
		tpl_show(t, "SMS_SIGNIN");
	tpl_show(t, settings_int(r->settings, SET_SMS_SSPR) ? "SSPR" :
	    "NO_SSPR");
	tpl_set(t, "CSRF", sess_csrf(r));
	tpl_set(t, "USERNAME", r->in[K_USERNAME].text);
	page_next_field(r, t);
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	page_render(r, status, "login.tpl", t);
}

/* GET /login: the form; a signed-in session goes home (303). */
void
page_login(struct req *r)
{
	if (r->sess != NULL && !sess_needs_mfa(r->sess) && !r->sess->must_change) {
		http_redirect(r, r->in[K_NEXT].text != NULL ?
		    r->in[K_NEXT].text : "/");
		return;
	}
	login_form(r, 200, NULL);
}

/*
 * Where a session goes next: the step it owes, or home. A second step
 * is passed at /login/mfa with the app, or a texted code when sms.mfa
 * is on (page_mfa sends on to /account/mfa when it has neither).
 */
const char *
next_step(int needs_mfa, int can_verify, int must_change)
{
	if (needs_mfa)
		return can_verify ? "/login/mfa" : "/account/mfa";
	return must_change ? "/account/password" : "/";
}

/*
 * step (next_step's) with the page the person asked for before signing
 * in (next): gone on to instead of home, or carried through the steps
 * that come first (the second step, a forced password change, an app
 * to set up) to be gone on to after them.
 */
static const char *
step_then_next(struct req *r, const char *step)
{
	const char	*next = r->in[K_NEXT].text;

	if (next != NULL && strcmp(step, "/") == 0)
		return next;
	return page_then(r, step, next);
}

/*
 * 1 when the person signing in need not pass their second factor again:
 * they use an authenticator app, this address is on one of
 * ca.trusted_networks, and they passed it less than
 * ca.signin_frequency_hours ago.
 */
static int
mfa_remembered(struct req *r, const struct q_user_signin_row *u)
{
	return u->has_totp && u->mfa_age >= 0 && u->mfa_age <
	    settings_int(r->settings, SET_CA_SIGNIN_FREQUENCY_HOURS) * 3600 &&
	    cidr_list_has(settings_str(r->settings, SET_CA_TRUSTED_NETWORKS),
	    r->ip);
}

/* 1 when s has the form name@domain.tld (one '@', no spaces). */
static int
looks_like_upn(const char *s)
{
	const char	*at = strchr(s, '@');

	return at != NULL && at != s && strchr(at + 1, '@') == NULL &&
	    strchr(at + 1, '.') != NULL && at[1] != '.' &&
	    strpbrk(s, " \t") == NULL && strlen(s) <= 255;
}

/* The rate_limits key of this address's failed sign-ins. */
static const char *
rate_key(struct req *r)
{
	return arena_printf(&r->arena, "signin-fail:%s", r->ip);
}

/*
 * Counts a failed sign-in step (a password or a code) inside the
 * caller's transaction, after its audit row a: the address's hourly
 * failures and, for user_id (NULL: none), the account's, with the lock
 * that follows (audited as signin.lockout). DB_OK or a db_err.
 */
int
count_failure(struct db *db, struct req *r, struct audit *a,
    const char *user_id, int failures)
{
	long		delay;
	int		rc;

	if ((rc = q_rate_hit(db, &(struct q_rate_hit_in){
	    .key = DB_TEXT(rate_key(r)),
	    .window_seconds = DB_INT(RATE_WINDOW) }, NULL)) != DB_OK ||
	    user_id == NULL)
		return rc;
	delay = lockout_delay(failures + 1, (int)settings_int(r->settings,
	    SET_LOCKOUT_THRESHOLD), settings_int(r->settings,
	    SET_LOCKOUT_SECONDS));
	if ((rc = q_user_fail(db, &(struct q_user_fail_in){
	    .lock_if = DB_INT(delay), .lock_seconds = DB_INT(delay),
	    .id = DB_TEXT(user_id) }, NULL)) != DB_OK)
		return rc;
	if (delay > 0) {
		a->action = "signin.lockout";
		a->reason = arena_printf(&r->arena, "locked_%lds", delay);
		return page_audit_row(db, r, a);
	}
	return DB_OK;
}

struct signin {
	struct req	*r;
	const char	*upn;		/* as typed */
	const char	*user_id;	/* NULL: no such user */
	const char	*name;
	int		 failures;	/* before this attempt */
	const char	*reason;	/* NULL: success */
	int		 mfa;		/* a second factor is owed */
	int		 remembered;	/* and was passed lately, here */
	int		 directory;	/* the directory checked the password */
	struct sess_new	 next;
};

static int
signin_txn(struct db *db, void *arg)
{
	struct signin	*s = arg;
	struct req	*r = s->r;
	struct audit	 a = {
		.action = "signin.password",
		.ok = s->reason == NULL,
		.reason = s->reason,
		.actor_id = s->user_id,
		.target_id = s->user_id,
		.target_name = s->name,
		.client = "account",
	};
	int		 rc;

	/* What was typed is kept only when it has the form of a username:
	 * a password typed into the wrong box must not reach the log. */
	a.actor_upn = looks_like_upn(s->upn) ? s->upn : "(not a username)";
	if (s->reason == NULL) {
		/* With MFA owed, failures and lockout stand until it is done:
		 * a known password alone must not reset the count. */
		if (((!s->mfa || s->remembered) && (rc = q_user_signin_ok(db,
		    &(struct q_user_signin_ok_in){ .id = DB_TEXT(s->user_id) },
		    NULL)) != DB_OK) ||
		    (rc = sess_start(db, r, s->user_id, s->remembered ?
		    SESS_MFA_REMEMBERED : SESS_MFA_OWED, &s->next)) != DB_OK)
			return rc;
		if (s->remembered)
			a.details = "{\"mfa\":\"remembered on a trusted "
			    "network\"}";
		/* A hash kept from before the directory held it goes. */
		if (s->directory && (rc = q_user_drop_hash(db,
		    &(struct q_user_drop_hash_in){ .id = DB_TEXT(s->user_id) },
		    NULL)) != DB_OK)
			return rc;
		if ((rc = q_sess_purge(db, &(struct q_sess_purge_in){
		    .idle_seconds = DB_INT(settings_int(r->settings,
		    SET_SESSION_IDLE_MINUTES) * 60),
		    .absolute_seconds = DB_INT(settings_int(r->settings,
		    SET_SESSION_ABSOLUTE_HOURS) * 3600) }, NULL)) != DB_OK)
			return rc;
		return page_audit_row(db, r, &a);
	}
	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	/* A locked or disabled account is not counted further. */
	return count_failure(db, r, &a, s->user_id == NULL ||
	    strcmp(s->reason, "locked") == 0 || strcmp(s->reason,
	    "disabled") == 0 ? NULL : s->user_id, s->failures);
}

/* A sign-in refused before any password was judged, and why. */
struct refusal {
	struct req	*r;
	const char	*upn;
	const char	*reason;	/* the audit row's */
};

static int
refusal_txn(struct db *db, void *arg)
{
	struct refusal	*f = arg;
	struct audit	 a = {
		.action = "signin.password",
		.reason = f->reason,
		.actor_upn = f->upn != NULL && looks_like_upn(f->upn) ? f->upn :
		    "(not a username)",
		.client = "account",
	};

	return page_audit_row(db, f->r, &a);
}

/*
 * 0 when this address may try again; else the status of the answer
 * given: 429 (the attempt audited) when it has failed too often this
 * hour, or 503.
 */
int
signin_rate_gate(struct req *r)
{
	struct refusal		f = { r, r->sess ? r->sess->upn :
	    r->in[K_USERNAME].text, "rate_limited" };
	struct q_rate_get_rows	rows;
	int			rc;

	if ((rc = q_rate_get(r->db, &r->arena, &(struct q_rate_get_in){
	    .key = DB_TEXT(rate_key(r)),
	    .window_seconds = DB_INT(RATE_WINDOW) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	if (rows.n == 0 || rows.row[0].count < settings_int(r->settings,
	    SET_SIGNIN_IP_FAILURES_PER_HOUR))
		return 0;
	if ((rc = db_txn(r->db, refusal_txn, &f)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	login_form(r, 429, "Too many failed sign-ins from this network in the "
	    "last hour. Wait a while and try again.");
	return r->status;
}

/*
 * The password of an on-premises person whose directory holds it
 * (onprem.writeback = ldap), checked by a bind as them: 0 right, 1
 * wrong (or the account is disabled or locked here: no bind is tried),
 * or -1 after answering 503 when the directory cannot answer.
 */
static int
directory_match(struct req *r, enum wb_backend_id backend,
    const struct q_user_signin_row *u, const char *pw)
{
	int	rc;

	/* No bind for them; the hash work keeps their answer as slow. */
	if (u->enabled != 1 || u->locked != 0) {
		(void)pw_verify(dummy_hash, pw);
		return 1;
	}
	switch (wb_check_password(backend, r->conf, &(struct wb_user){ u->id,
	    u->upn }, pw)) {
	case WB_OK:
		return 0;
	case WB_REFUSED:
		return 1;
	default:
		log_msg(LOG_WARN, "sign-in of %s: the directory cannot answer",
		    u->id);
		/* Audited, not counted: the person may have typed it right. */
		if ((rc = db_txn(r->db, refusal_txn, &(struct refusal){ r,
		    u->upn, "directory_unavailable" })) != DB_OK) {
			page_db_error(r, rc);
			return -1;
		}
		page_error(r, 503, "The on-premises directory cannot be reached "
		    "just now, so your password cannot be checked. Try again "
		    "later.");
		return -1;
	}
}

/*
 * POST /login: 303 to the next step; 422 with one generic message for
 * an unknown user, a wrong password or a locked account; 429 when this
 * address has failed too often; 503 without the database, or for an
 * on-premises person when their directory cannot answer
 * (directory_match; cloud people are not affected).
 */
void
page_login_post(struct req *r)
{
	const char			*upn = r->in[K_USERNAME].text;
	const char			*pw = r->in[K_PASSWORD].text;
	struct signin			 s;
	struct q_user_signin_rows	 rows;
	const struct q_user_signin_row	*u = NULL;
	enum wb_backend_id		 backend;
	int				 rc, match;

	if (upn == NULL || *upn == '\0' || pw == NULL || *pw == '\0') {
		login_form(r, 422, "Enter your username and your password.");
		return;
	}
	if (signin_rate_gate(r) != 0)
		return;
	if ((rc = q_user_signin(r->db, &r->arena, &(struct q_user_signin_in){
	    .upn = DB_TEXT(upn) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (rows.n > 0)
		u = &rows.row[0];
	backend = (enum wb_backend_id)settings_choice(r->settings,
	    SET_ONPREM_WRITEBACK);
	if (u != NULL && u->onprem && wb_is_remote(backend)) {
		if ((match = directory_match(r, backend, u, pw)) < 0)
			return;
	/* One argon2 verification (or a bind) whatever the account's
	 * state; a bind is faster, so on-premises people answer sooner. */
	} else if (u != NULL && u->password_hash != NULL)
		match = pw_verify(u->password_hash, pw);
	else
		match = pw_verify(dummy_hash, pw), match = 1;
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.upn = upn;
	s.directory = u != NULL && u->onprem && wb_is_remote(backend);
	if (u == NULL)
		s.reason = "unknown_user";
	else {
		s.user_id = u->id;
		s.name = u->display_name;
		s.failures = (int)u->failed_signins;
		s.mfa = u->has_totp || u->has_role;
		s.remembered = s.mfa && mfa_remembered(r, u);
		if (u->enabled != 1)
			s.reason = "disabled";
		else if (u->locked != 0)
			s.reason = "locked";
		else if (match != 0)
			s.reason = match < 0 ? "hash_error" : "bad_password";
		else if (u->temp_expired != 0)
			s.reason = "temp_password_expired";
	}
	if ((rc = db_txn(r->db, signin_txn, &s)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (s.reason == NULL) {
		sess_adopt(r, &s.next);
		http_redirect(r, step_then_next(r, next_step(s.mfa &&
		    !s.remembered, u->has_totp != 0 || settings_int(
		    r->settings, SET_SMS_MFA), u->must_change != 0)));
	} else if (strcmp(s.reason, "temp_password_expired") == 0)
		login_form(r, 422, "Your temporary password has expired. Ask "
		    "your manager to reset your password again.");
	else
		login_form(r, 422, msg_signin_failed);
}

/* What the MFA page offers besides the app, and what just happened. */
struct mfa_view {
	const char	*sms_number;	/* E.164 a code may go to, or NULL */
	int		 sent;		/* a code was texted just now */
};

static void
mfa_form(struct req *r, int status, const char *msg,
    const struct mfa_view *v)
{
	struct tpl	*t = page_new(r, "Verify your identity");
	int		 first = 0;

	tpl_set(t, "CSRF", sess_csrf(r));
	page_next_field(r, t);
	if (r->sess->has_totp || v->sms_number != NULL)
		tpl_show(t, "METHODS");	/* none: no empty list */
	/* A recovery code has letters: no number pad when it may be one. */
	if (r->sess->has_totp)
		tpl_show(t, "TOTP");
	else
		tpl_show(t, "DIGITS");
	if (v->sms_number != NULL) {
		tpl_show(t, "SMS");
		tpl_set(t, "SMS_TO", phone_mask(&r->arena, v->sms_number));
		/* Without the app, a text is the way: its button comes first
		 * (and the code box waits for the code: no keyboard yet). */
		first = !r->sess->has_totp && !v->sent && msg == NULL;
		tpl_show(t, first ? "SEND_FIRST" : "SEND_AFTER");
		tpl_set(t, "SEND_LABEL", v->sent ? "Text me a new code" :
		    "Text me a code");
	}
	if (!first)
		tpl_show(t, "FOCUS_CODE");
	/* The method chosen first: the one the person just asked for (a
	 * wrong recovery code keeps "recovery code" chosen). */
	if (v->sms_number != NULL && (v->sent || !r->sess->has_totp ||
	    (r->in[K_METHOD].text != NULL && r->in[K_METHOD].i == MFA_SMS)))
		tpl_show(t, "CHECK_SMS");
	else if (r->in[K_METHOD].text != NULL &&
	    r->in[K_METHOD].i == MFA_RECOVERY)
		tpl_show(t, "CHECK_RECOVERY");
	else
		tpl_show(t, "CHECK_TOTP");
	if (v->sent) {
		tpl_show(t, "SENT");
		tpl_set_int(t, "MINUTES", OTP_TTL_SECONDS / 60);
	}
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	page_render(r, status, "mfa.tpl", t);
}

/*
 * Fills v: the number a second-factor code may be texted to (the
 * mobile, else the alternate mobile; never the office number, which
 * may be a landline), when sms.mfa is on and a texted code would do:
 * not when a page asks again under ca.require_totp (?next=), which
 * only the app satisfies, nor after a sign-in by text (the same factor
 * twice). DB_OK or a db_err.
 */
static int
mfa_sms_number(struct req *r, struct mfa_view *v)
{
	struct q_user_phones_rows	rows;
	size_t				i;
	int				rc;

	memset(v, 0, sizeof(*v));
	/* A step-up for a page (next, once signed in) that wants the app;
	 * at sign-in, next is only where to go after it. */
	if (!settings_int(r->settings, SET_SMS_MFA) || r->sess->signin_sms ||
	    (r->in[K_NEXT].text != NULL && !sess_needs_mfa(r->sess) &&
	    settings_int(r->settings, SET_CA_REQUIRE_TOTP)))
		return DB_OK;
	if ((rc = q_user_phones(r->db, &r->arena, &(struct q_user_phones_in){
	    .user = DB_TEXT(r->sess->user_id) }, &rows)) != DB_OK)
		return rc;
	for (i = 0; i < rows.n; i++) {
		if (rows.row[i].type == NULL ||
		    !sms_may_text(r->settings, rows.row[i].number))
			continue;
		if (strcmp(rows.row[i].type, phone_type_id(PHONE_MOBILE)) == 0)
			v->sms_number = rows.row[i].number;
		else if (v->sms_number == NULL && strcmp(rows.row[i].type,
		    phone_type_id(PHONE_ALT_MOBILE)) == 0)
			v->sms_number = rows.row[i].number;
	}
	return DB_OK;
}

/*
 * 1 when this session may (or must) pass the second step now: during
 * sign-in, or again when a page sent it here with ?next= because its
 * Conditional Access wants a more recent one (ca.signin_frequency_hours)
 * or the app (ca.require_totp).
 */
static int
mfa_wanted(struct req *r)
{
	return sess_needs_mfa(r->sess) || (r->in[K_NEXT].text != NULL &&
	    (r->sess->has_totp || settings_int(r->settings, SET_SMS_MFA)));
}

/*
 * A second step due now, and the number a code may be texted to, into
 * v: 0; else the status of the answer given (303 home when none is
 * due, 503).
 */
static int
mfa_begin(struct req *r, struct mfa_view *v)
{
	int	rc;

	if (!mfa_wanted(r)) {
		http_redirect(r, "/");
		return r->status;
	}
	if ((rc = mfa_sms_number(r, v)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	return 0;
}

/*
 * GET /login/mfa: the code form (the app, and a texted code when
 * mfa_sms_number() finds a number), or 303: home when no second step
 * is due, /account/mfa to set up the app when there is no way to pass
 * one here.
 */
void
page_mfa(struct req *r)
{
	struct mfa_view	v;

	if (mfa_begin(r, &v) != 0)
		return;
	if (!r->sess->has_totp && v.sms_number == NULL) {
		http_redirect(r, page_then(r, "/account/mfa",
		    r->in[K_NEXT].text));
		return;
	}
	mfa_form(r, 200, NULL, &v);
}

/*
 * POST /login/mfa/sms ("Text me a code"): texts a new second-factor
 * code to the number mfa_sms_number() picks (it supersedes the last
 * one) and answers 200 with the code form saying where it went; 303 to
 * / when no second step is due, to /login/mfa when no text can be
 * offered; 429 past an SMS limit (Retry-After), 422 for a number that
 * may not be texted, 503 when the text could not go or without the
 * database. Every code sent, or refused, is audited (sms.code.send).
 */
void
page_mfa_sms_post(struct req *r)
{
	struct mfa_view		 v;
	struct code_send	 c;
	const char		*msg;
	int			 status;

	if (mfa_begin(r, &v) != 0)
		return;
	if (v.sms_number == NULL) {
		http_redirect(r, "/login/mfa");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.purpose = OTP_MFA;
	c.sms_purpose = SMS_CODE_MFA;
	c.user_id = r->sess->user_id;
	c.name = r->sess->display_name;
	c.number = v.sms_number;
	if ((status = page_code_send(r, &c, &msg)) < 0) {
		page_db_error(r, status);
		return;
	}
	v.sent = status == 0;
	mfa_form(r, status == 0 ? 200 : status, msg, &v);
}

struct mfa_try {
	struct req	*r;
	enum mfa_method	 method;
	int64_t		 step;		/* TOTP: the step the code matched */
	int		 failures;	/* the account's, before this attempt */
	int		 ok;		/* verified before the transaction */
	int		 last;		/* this failure ends the session */
	enum otp_verdict verdict;	/* SMS: how the code was judged */
	struct sess_new	 next;
};

static const char *const mfa_details[] = {
	[MFA_TOTP] = "{\"method\":\"totp\"}",
	[MFA_RECOVERY] = "{\"method\":\"recovery\"}",
	[MFA_SMS] = "{\"method\":\"sms\"}",
};

static int
mfa_txn(struct db *db, void *arg)
{
	struct mfa_try	*m = arg;
	struct req	*r = m->r;
	struct audit	 a = {
		.action = "signin.mfa",
		.reason = "bad_code",
		.target_id = r->sess->user_id,
		.target_name = r->sess->display_name,
		.client = "account",
		.details = mfa_details[m->method],
	};
	struct db_val	 user = DB_TEXT(r->sess->user_id);
	uint64_t	 n = 0;
	int		 rc, ok = m->ok;

	if (ok && m->method == MFA_TOTP) {
		/* RFC 6238 §5.2: a step at or below the last one is a replay. */
		if ((rc = q_totp_step(db, &(struct q_totp_step_in){
		    .step = DB_INT(m->step), .user = user,
		    .step_again = DB_INT(m->step) }, &n)) != DB_OK)
			return rc;
		if (n != 1) {
			ok = 0;
			a.reason = "code_reused";
		}
	} else if (ok && m->method == MFA_SMS) {
		/* Judged and spent (or its try counted) with the row locked;
		 * a code killed by this try says so in its reason. */
		if ((rc = db_otp_check(db, r->conf->otp_key,
		    r->sess->user_id, OTP_MFA, r->in[K_CODE].text,
		    &m->verdict)) != DB_OK)
			return rc;
		ok = m->verdict == OTP_OK;
		if (!ok)
			a.reason = otp_verdict_code(m->verdict);
	} else if (ok) {
		if ((rc = db_recovery_use(db, r->sess->user_id,
		    r->in[K_CODE].text)) < 0)
			return rc;
		ok = rc == DB_OK;
	}
	if (ok) {
		a.ok = 1;
		a.reason = NULL;
		if ((rc = q_user_signin_ok(db, &(struct q_user_signin_ok_in){
		    .id = user }, NULL)) != DB_OK ||
		    (rc = page_audit_row(db, r, &a)) != DB_OK ||
		    (rc = sess_start(db, r, r->sess->user_id,
		    m->method == MFA_SMS ? SESS_MFA_SMS : SESS_MFA_DONE,
		    &m->next)) != DB_OK)
			return rc;
		return DB_OK;
	}
	/* A wrong code counts like a wrong password: lockout, per-IP. */
	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	if (m->last && (rc = q_sess_delete(db, &(struct q_sess_delete_in){
	    .token_hash = DB_TEXT(r->sess->token_hash) }, NULL)) != DB_OK)
		return rc;
	return count_failure(db, r, &a, r->sess->user_id, m->failures);
}

/* Ends a half-signed-in session and says why on the sign-in page. */
static void
mfa_give_up(struct req *r, int status, const char *msg)
{
	http_cookie(r, sess_cookie_names(r->conf->cookie_secure)
	    [COOKIE_SESSION], "", 0, r->conf->cookie_secure);
	r->sess = NULL;
	login_form(r, status, msg);
}

/*
 * 1 when code has the shape of a recovery code (code_recovery_normalise:
 * twelve of its letters and digits, dashes and spaces aside), which an
 * app's 6-digit code never has; else 0.
 */
static int
looks_like_recovery(const char *code)
{
	char	norm[CODE_RECOVERY_SIZE];
	int	n;

	n = code_recovery_normalise(code, norm, sizeof(norm));
	OPENSSL_cleanse(norm, sizeof(norm));
	return n == CODE_RECOVERY_CHARS;
}

/*
 * What the form says after a refused code. A recovery code sent as an
 * app code was still a wrong try (counted and audited as one): the
 * sentence only says which choice takes it.
 */
static const char *
mfa_refusal(const struct mfa_try *m, const char *code)
{
	if (m->method == MFA_TOTP && looks_like_recovery(code))
		return "That looks like one of your recovery codes, not a "
		    "code from your authenticator app. Choose \"One of my "
		    "recovery codes\" and enter it again.";
	if (m->method == MFA_RECOVERY)
		return "That recovery code is not right, or it was already "
		    "used. Check it against your list, or use the code from "
		    "your authenticator app.";
	if (m->method != MFA_SMS)
		return "That code is not right, or it was already used. Wait "
		    "for the next code and try again.";
	switch (m->verdict) {
	case OTP_EXPIRED:
		return "That code has expired. Text yourself a new one.";
	case OTP_KILLED:
	case OTP_DEAD:
		return "That code was tried too many times and no longer "
		    "works. Text yourself a new one.";
	case OTP_NONE:
		return "That code is not right, or it was already used. Text "
		    "yourself a new one.";
	default:
		return "That code is not right. Check the text and try "
		    "again.";
	}
}

/*
 * POST /login/mfa: 303 onwards on a good code (to next when given);
 * 422 on a wrong, reused, expired or malformed one, or a texted code
 * when none can be offered. Every attempt is counted before the code
 * is looked at (one UPDATE, so parallel requests cannot share an
 * attempt); after mfa.max_attempts the session ends (429). Wrong codes
 * count toward the account's lockout and the address's limit like
 * wrong passwords, and a locked account is not tried. A texted code
 * (method=sms) has its own tries (OTP_TRIES_MAX) and time; passing
 * with one marks the session (sessions.mfa_sms) for ca.require_totp.
 */
void
page_mfa_post(struct req *r)
{
	const char	*code = r->in[K_CODE].text;
	enum mfa_method	 method = r->in[K_METHOD].text != NULL ?
	    (enum mfa_method)r->in[K_METHOD].i : MFA_TOTP;
	struct totp_row			 t;
	struct mfa_try			 m;
	struct mfa_view			 v;
	struct q_user_signin_rows	 u;
	struct db_val			 hash = DB_TEXT(r->sess->token_hash);
	uint64_t			 n = 0;
	long		 max = settings_int(r->settings, SET_MFA_MAX_ATTEMPTS);
	int				 rc, must_change = r->sess->must_change;

	if (!mfa_wanted(r)) {
		http_redirect(r, "/");
		return;
	}
	if ((rc = mfa_sms_number(r, &v)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (method == MFA_SMS && v.sms_number == NULL) {
		mfa_form(r, 422, "A code by text is not available here. Use "
		    "your authenticator app.", &v);
		return;
	}
	if (code == NULL || *code == '\0') {
		mfa_form(r, 422, "Enter the code.", &v);
		return;
	}
	if (signin_rate_gate(r) != 0)
		return;
	if ((rc = q_sess_mfa_try(r->db, &(struct q_sess_mfa_try_in){
	    .token_hash = hash, .max = DB_INT(max) }, &n)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (n != 1) {
		(void)q_sess_delete(r->db, &(struct q_sess_delete_in){
		    .token_hash = hash }, NULL);
		mfa_give_up(r, 429, "Too many wrong codes. Sign in again.");
		return;
	}
	if ((rc = q_user_signin(r->db, &r->arena, &(struct q_user_signin_in){
	    .upn = DB_TEXT(r->sess->upn) }, &u)) != DB_OK || u.n == 0) {
		page_db_error(r, rc != DB_OK ? rc : DB_ERR);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.r = r;
	m.method = method;
	m.failures = (int)u.row[0].failed_signins;
	m.last = r->sess->mfa_attempts + 1 >= max;
	if (u.row[0].locked != 0) {
		mfa_give_up(r, 422, msg_signin_failed);	/* locked */
		return;
	}
	if (method == MFA_TOTP) {
		rc = db_totp_get(r->db, &r->arena, r->conf->data_key,
		    r->sess->user_id, &t);
		if (rc < 0) {
			page_db_error(r, rc);
			return;
		}
		m.ok = rc == DB_OK && t.confirmed && totp_verify(t.secret, t.len,
		    code, now_s(), t.last_step, &m.step) == 0;
		OPENSSL_cleanse(&t, sizeof(t));
	} else
		m.ok = 1;	/* checked and spent inside the transaction */
	if ((rc = db_txn(r->db, mfa_txn, &m)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (m.next.hash[0] != '\0') {
		sess_adopt(r, &m.next);
		http_redirect(r, step_then_next(r, next_step(0, 1,
		    must_change)));
	} else if (m.last)
		mfa_give_up(r, 429, "Too many wrong codes. Sign in again.");
	else
		mfa_form(r, 422, mfa_refusal(&m, code), &v);
}


static int
logout_txn(struct db *db, void *arg)
{
	struct req	*r = arg;
	struct audit	 a = page_own_audit(r, "signout", NULL);
	int		 rc;

	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	return sess_end(db, r);
}

/* POST /logout: ends the session on the server; 303 to /login. */
void
page_logout_post(struct req *r)
{
	int	rc;

	if ((rc = db_txn(r->db, logout_txn, r)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, "/login");
}

void
page_back_to_mfa(struct req *r)
{
	http_redirect(r, "/login/mfa");
}

void
page_back_to_reset(struct req *r)
{
	http_redirect(r, "/reset");
}

/*
 * signin.c: /login (password), /login/mfa (TOTP or recovery code),
 * /logout, / and /healthz. Every sign-in attempt writes an audit row in
 * the transaction that records its outcome.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/codes.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/mfa.h"
#include "http.h"
#include "pages/pages.h"
#include "route.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"

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

	tpl_set(t, "CSRF", sess_csrf(r));
	tpl_set(t, "USERNAME", r->field[K_USERNAME]);
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
		http_redirect(r, "/");
		return;
	}
	login_form(r, 200, NULL);
}

/* Where a session goes next: the step it owes, or home. */
static const char *
next_step(int needs_mfa, int has_totp, int must_change)
{
	if (needs_mfa)
		return has_totp ? "/login/mfa" : "/account/mfa";
	return must_change ? "/account/password" : "/";
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

/*
 * Counts a failed sign-in step (a password or a code) inside the
 * caller's transaction, after its audit row a: the address's hourly
 * failures and, for user_id (NULL: none), the account's, with the lock
 * that follows (audited as signin.lockout). DB_OK or a db_err.
 */
static int
count_failure(struct db *db, struct req *r, struct audit *a,
    const char *user_id, int failures)
{
	struct db_val	p[3];
	long		delay;
	int		rc;

	p[0] = DB_TEXT(arena_printf(&r->arena, "signin-fail:%s", r->ip));
	p[1] = DB_INT(RATE_WINDOW);
	if ((rc = db_exec(db, Q_RATE_HIT, p, 2, NULL)) != DB_OK ||
	    user_id == NULL)
		return rc;
	delay = lockout_delay(failures + 1);
	p[0] = DB_INT(delay);
	p[1] = DB_INT(delay);
	p[2] = DB_TEXT(user_id);
	if ((rc = db_exec(db, Q_USER_FAIL, p, 3, NULL)) != DB_OK)
		return rc;
	if (delay > 0) {
		a->action = "signin.lockout";
		a->reason = arena_printf(&r->arena, "locked_%lds", delay);
		return audit_write(db, r, a);
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
	int		 mfa;
	struct sess_new	 next;
};

static int
signin_txn(struct db *db, void *arg)
{
	struct signin	*s = arg;
	struct req	*r = s->r;
	struct audit	 a = { "signin.password", s->reason == NULL, s->reason,
	    s->user_id, NULL, s->user_id, s->name, "account", NULL };
	struct db_val	 p[3];
	int		 rc;

	/* What was typed is kept only when it has the form of a username:
	 * a password typed into the wrong box must not reach the log. */
	a.actor_upn = looks_like_upn(s->upn) ? s->upn : "(not a username)";
	if (s->reason == NULL) {
		/* With MFA owed, failures and lockout stand until it is done:
		 * a known password alone must not reset the count. */
		p[0] = DB_TEXT(s->user_id);
		if ((!s->mfa && (rc = db_exec(db, Q_USER_SIGNIN_OK, p, 1,
		    NULL)) != DB_OK) ||
		    (rc = sess_start(db, r, s->user_id, 0, &s->next)) != DB_OK)
			return rc;
		p[0] = DB_INT(settings_int(r->settings,
		    SET_SESSION_IDLE_MINUTES) * 60);
		p[1] = DB_INT(settings_int(r->settings,
		    SET_SESSION_ABSOLUTE_HOURS) * 3600);
		if ((rc = db_exec(db, Q_SESS_PURGE, p, 2, NULL)) != DB_OK)
			return rc;
		return audit_write(db, r, &a);
	}
	if ((rc = audit_write(db, r, &a)) != DB_OK)
		return rc;
	/* A locked or disabled account is not counted further. */
	return count_failure(db, r, &a, s->user_id == NULL ||
	    strcmp(s->reason, "locked") == 0 || strcmp(s->reason,
	    "disabled") == 0 ? NULL : s->user_id, s->failures);
}

struct refusal {
	struct req	*r;
	const char	*upn;
};

static int
refusal_txn(struct db *db, void *arg)
{
	struct refusal	*f = arg;
	struct audit	 a = { "signin.password", 0, "rate_limited", NULL, NULL,
	    NULL, NULL, "account", NULL };

	a.actor_upn = f->upn != NULL && looks_like_upn(f->upn) ? f->upn :
	    "(not a username)";
	return audit_write(db, f->r, &a);
}

/*
 * 1 when this address has failed too often this hour; the attempt is
 * then audited and answered (429). 0: go on.
 */
static int
signin_rate_limited(struct req *r)
{
	struct refusal	f = { r, r->sess ? r->sess->upn : r->field[K_USERNAME] };
	struct db_rows	rs;
	struct db_val	p[2];
	int		rc;

	p[0] = DB_TEXT(arena_printf(&r->arena, "signin-fail:%s", r->ip));
	p[1] = DB_INT(RATE_WINDOW);
	if ((rc = db_query_one(r->db, &r->arena, Q_RATE_GET, p, 2, &rs)) < 0) {
		page_db_error(r, rc);
		return 1;
	}
	if (rc == 0 || db_int(&rs, 0, 0, 0) < settings_int(r->settings,
	    SET_SIGNIN_IP_FAILURES_PER_HOUR))
		return 0;
	if ((rc = db_txn(r->db, refusal_txn, &f)) != DB_OK) {
		page_db_error(r, rc);
		return 1;
	}
	login_form(r, 429, "Too many failed sign-ins from this network in the "
	    "last hour. Wait a while and try again.");
	return 1;
}

/*
 * POST /login: 303 to the next step; 422 with one generic message for
 * an unknown user, a wrong password or a locked account; 429 when this
 * address has failed too often; 503 without the database.
 */
void
page_login_post(struct req *r)
{
	const char	*upn = r->field[K_USERNAME];
	const char	*pw = r->field[K_PASSWORD];
	struct signin	 s;
	struct db_rows	 rs;
	struct db_val	 p[1];
	int		 rc, match, found;

	if (upn == NULL || *upn == '\0' || pw == NULL || *pw == '\0') {
		login_form(r, 422, "Enter your username and your password.");
		return;
	}
	if (signin_rate_limited(r))
		return;
	p[0] = DB_TEXT(upn);
	if ((found = db_query_one(r->db, &r->arena, Q_USER_SIGNIN, p, 1,
	    &rs)) < 0) {
		page_db_error(r, found);
		return;
	}
	/* Always one argon2 verification, whatever the account's state. */
	if (found && DB_CELL(&rs, 0, 3) != NULL)
		match = pw_verify(DB_CELL(&rs, 0, 3), pw);
	else
		match = pw_verify(dummy_hash, pw), match = 1;
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.upn = upn;
	if (!found)
		s.reason = "unknown_user";
	else {
		s.user_id = DB_CELL(&rs, 0, 0);
		s.name = DB_CELL(&rs, 0, 2);
		s.failures = (int)db_int(&rs, 0, 5, 0);
		s.mfa = db_int(&rs, 0, 9, 0) || db_int(&rs, 0, 10, 0);
		if (db_int(&rs, 0, 4, 0) != 1)
			s.reason = "disabled";
		else if (db_int(&rs, 0, 6, 0) != 0)
			s.reason = "locked";
		else if (match != 0)
			s.reason = match < 0 ? "hash_error" : "bad_password";
		else if (db_int(&rs, 0, 8, 0) != 0)
			s.reason = "temp_password_expired";
	}
	if ((rc = db_txn(r->db, signin_txn, &s)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (s.reason == NULL) {
		sess_adopt(r, &s.next);
		http_redirect(r, next_step(s.mfa, db_int(&rs, 0, 9, 0) != 0,
		    db_int(&rs, 0, 7, 0) != 0));
	} else if (strcmp(s.reason, "temp_password_expired") == 0)
		login_form(r, 422, "Your temporary password has expired. Ask "
		    "your manager to reset your password again.");
	else
		login_form(r, 422, msg_signin_failed);
}

static void
mfa_form(struct req *r, int status, const char *msg)
{
	struct tpl	*t = page_new(r, "Verify your identity");

	tpl_set(t, "CSRF", sess_csrf(r));
	if (r->field[K_NEXT] != NULL) {
		tpl_show(t, "NEXT");
		tpl_set(t, "NEXT_PATH", r->field[K_NEXT]);
	}
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	page_render(r, status, "mfa.tpl", t);
}

/*
 * 1 when this session may (or must) pass the second step now: during
 * sign-in, or again when a page sent it here with ?next= because its
 * Conditional Access wants a more recent one (DESIGN.md section 3).
 */
static int
mfa_wanted(struct req *r)
{
	return sess_needs_mfa(r->sess) || (r->sess->has_totp &&
	    r->field[K_NEXT] != NULL);
}

/* GET /login/mfa: the code form, or 303 when no second step is due. */
void
page_mfa(struct req *r)
{
	if (!mfa_wanted(r)) {
		http_redirect(r, "/");
		return;
	}
	if (!r->sess->has_totp) {
		http_redirect(r, "/account/mfa");
		return;
	}
	mfa_form(r, 200, NULL);
}

struct mfa_try {
	struct req	*r;
	const char	*method;
	int64_t		 step;		/* TOTP: the step the code matched */
	int		 failures;	/* the account's, before this attempt */
	int		 ok;		/* verified before the transaction */
	int		 last;		/* this failure ends the session */
	struct sess_new	 next;
};

static int
mfa_txn(struct db *db, void *arg)
{
	struct mfa_try	*m = arg;
	struct req	*r = m->r;
	struct audit	 a = { "signin.mfa", 0, "bad_code", NULL, NULL,
	    r->sess->user_id, r->sess->display_name, "account", NULL };
	struct db_val	 p[3];
	uint64_t	 n = 0;
	int		 rc, ok = m->ok;

	a.details = arena_printf(&r->arena, "{\"method\":%s}",
	    json_string(&r->arena, m->method));
	p[0] = DB_TEXT(r->sess->user_id);
	if (ok && strcmp(m->method, "totp") == 0) {
		/* RFC 6238 §5.2: a step at or below the last one is a replay. */
		p[0] = DB_INT(m->step);
		p[1] = DB_TEXT(r->sess->user_id);
		p[2] = DB_INT(m->step);
		if ((rc = db_exec(db, Q_TOTP_STEP, p, 3, &n)) != DB_OK)
			return rc;
		if (n != 1) {
			ok = 0;
			a.reason = "code_reused";
		}
	} else if (ok) {
		if ((rc = db_recovery_use(db, r->sess->user_id,
		    r->field[K_CODE])) < 0)
			return rc;
		ok = rc == 1;
	}
	if (ok) {
		a.ok = 1;
		a.reason = NULL;
		p[0] = DB_TEXT(r->sess->user_id);
		if ((rc = db_exec(db, Q_USER_SIGNIN_OK, p, 1, NULL)) != DB_OK ||
		    (rc = audit_write(db, r, &a)) != DB_OK ||
		    (rc = sess_start(db, r, r->sess->user_id, 1, &m->next)) !=
		    DB_OK)
			return rc;
		return DB_OK;
	}
	/* A wrong code counts like a wrong password: lockout, per-IP. */
	if ((rc = audit_write(db, r, &a)) != DB_OK)
		return rc;
	if (m->last) {
		p[0] = DB_TEXT(r->sess->token_hash);
		if ((rc = db_exec(db, Q_SESS_DELETE, p, 1, NULL)) != DB_OK)
			return rc;
	}
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
 * POST /login/mfa: 303 onwards on a good code (to next when given);
 * 422 on a wrong, reused or malformed one. Every attempt is counted
 * before the code is looked at (one UPDATE, so parallel requests cannot
 * share an attempt); after mfa.max_attempts the session ends (429).
 * Wrong codes count toward the account's lockout and the address's
 * limit like wrong passwords, and a locked account is not tried.
 */
void
page_mfa_post(struct req *r)
{
	const char	*method = r->field[K_METHOD], *code = r->field[K_CODE];
	struct totp_row	 t;
	struct mfa_try	 m;
	struct db_rows	 u;
	struct db_val	 p[2];
	uint64_t	 n = 0;
	long		 max = settings_int(r->settings, SET_MFA_MAX_ATTEMPTS);
	int		 rc, must_change = r->sess->must_change;

	if (!mfa_wanted(r)) {
		http_redirect(r, "/");
		return;
	}
	if (method == NULL || *method == '\0')
		method = "totp";
	if (strcmp(method, "totp") != 0 && strcmp(method, "recovery") != 0) {
		mfa_form(r, 422, "Choose the authenticator app or a recovery "
		    "code.");
		return;
	}
	if (code == NULL || *code == '\0') {
		mfa_form(r, 422, "Enter the code.");
		return;
	}
	if (signin_rate_limited(r))
		return;
	p[0] = DB_TEXT(r->sess->token_hash);
	p[1] = DB_INT(max);
	if ((rc = db_exec(r->db, Q_SESS_MFA_TRY, p, 2, &n)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (n != 1) {
		(void)db_exec(r->db, Q_SESS_DELETE, p, 1, NULL);
		mfa_give_up(r, 429, "Too many wrong codes. Sign in again.");
		return;
	}
	p[0] = DB_TEXT(r->sess->upn);
	if ((rc = db_query_one(r->db, &r->arena, Q_USER_SIGNIN, p, 1, &u)) <= 0) {
		page_db_error(r, rc < 0 ? rc : DB_ERR);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.r = r;
	m.method = method;
	m.failures = (int)db_int(&u, 0, 5, 0);
	m.last = r->sess->mfa_attempts + 1 >= max;
	if (db_int(&u, 0, 6, 0) != 0) {
		mfa_give_up(r, 422, msg_signin_failed);	/* locked */
		return;
	}
	if (strcmp(method, "totp") == 0) {
		rc = db_totp_get(r->db, &r->arena, r->conf->data_key,
		    r->sess->user_id, &t);
		if (rc < 0) {
			page_db_error(r, rc);
			return;
		}
		m.ok = rc == 1 && t.confirmed && totp_verify(t.secret, t.len,
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
		http_redirect(r, must_change || r->field[K_NEXT] == NULL ?
		    next_step(0, 1, must_change) : r->field[K_NEXT]);
	} else if (m.last)
		mfa_give_up(r, 429, "Too many wrong codes. Sign in again.");
	else
		mfa_form(r, 422, "That code is not right, or it was already "
		    "used. Wait for the next code and try again.");
}

static int
logout_txn(struct db *db, void *arg)
{
	struct req	*r = arg;
	struct audit	 a = { "signout", 1, NULL, NULL, NULL,
	    r->sess->user_id, r->sess->display_name, "account", NULL };
	int		 rc;

	if ((rc = audit_write(db, r, &a)) != DB_OK)
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

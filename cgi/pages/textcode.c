/*
 * textcode.c: one-time codes by text. page_code_send() (pages.h) texts
 * a code for any flow (second factor, sign-in, self-service reset);
 * /login/sms signs in with one, for the people sms.signin lets in.
 * Every code texted, and every try, writes an audit row in the
 * transaction that records its outcome.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/otp.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
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

/*
 * Draws the code (superseding the last one of that user and purpose),
 * queues its text through the SMS limits and writes the audit row
 * (sms.code.send, without the code). A positive rc is sms_queue()'s
 * refusal: the code is rolled back with it.
 */
static int
code_send_txn(struct db *db, void *arg)
{
	struct code_send	*c = arg;
	struct req		*r = c->r;
	struct audit		 a = {
		.action = "sms.code.send",
		.ok = 1,
		.target_id = c->user_id,
		.target_name = c->name,
		.client = "account",
		.details = arena_printf(&r->arena, "{\"purpose\":\"%s\","
		    "\"to\":%s}", otp_purpose_id(c->purpose),
		    json_string(&r->arena, phone_mask(&r->arena, c->number))),
	};
	char			 code[OTP_SIZE], text[SMS_MAX + 1];
	int			 rc;

	if ((rc = db_otp_issue(db, r->conf->otp_key, c->user_id,
	    c->purpose, code)) != DB_OK)
		return rc;
	if (otp_message(OTP_SITE, c->purpose, code, text, sizeof(text)) < 0)
		rc = DB_ERR;
	else
		rc = sms_queue(db, r->settings, r->conf->data_key,
		    &(struct sms_msg){ c->sms_purpose, c->user_id, c->number,
		    text, r->ip }, &c->sms_id, &c->retry_after);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != 0)
		return rc;
	if (c->also != NULL && (rc = c->also(db, c->also_arg)) != DB_OK)
		return rc;
	return page_audit_row(db, r, &a);
}

/* The audit row of a code the SMS limits (or the destination) refused. */
static int
code_refused_txn(struct db *db, void *arg)
{
	struct code_send	*c = arg;
	struct req		*r = c->r;
	struct audit		 a = {
		.action = "sms.code.send",
		.reason = sms_refusal_code(c->refusal),
		.target_id = c->user_id,
		.target_name = c->name,
		.client = "account",
	};

	a.details = arena_printf(&r->arena, "{\"purpose\":\"%s\",\"to\":%s,"
	    "\"retryAfter\":%lld}", otp_purpose_id(c->purpose),
	    json_string(&r->arena, phone_mask(&r->arena, c->number)),
	    (long long)c->retry_after);
	return page_audit_row(db, r, &a);
}

/* Texts a new code of c (db_txn(code_send_txn), then sms_send()): pages.h. */
int
page_code_send(struct req *r, struct code_send *c, const char **why)
{
	int	rc;

	*why = NULL;
	rc = db_txn(r->db, code_send_txn, c);
	if (sms_is_refusal(rc)) {
		c->refusal = rc;
		if ((rc = db_txn(r->db, code_refused_txn, c)) != DB_OK)
			return rc;
		r->retry_after = sms_is_limit(c->refusal) ? c->retry_after : 0;
		*why = arena_printf(&r->arena, "No code was sent. %s",
		    sms_refusal_text(&r->arena, c->refusal, c->retry_after));
		return sms_is_limit(c->refusal) ? 429 : 422;
	}
	if (rc != DB_OK)
		return rc;
	if (c->after_answer)
		r->sms_after = c->sms_id;	/* the worker sends it next */
	else if (sms_send(r->db, r->conf, c->sms_id) < 0) {
		*why = "The text with your code could not be sent. Try again "
		    "in a few minutes, or ask your admin.";
		return 503;
	}
	return 0;
}

/*
 * SMS sign-in (/login/sms): one factor, for the people sms.signin lets
 * in (all, or the selected list) who have a mobile number.
 */

static void
sms_form(struct req *r, int status, const char *msg, const char *number)
{
	struct tpl	*t = page_new(r, "Sign in with a code by text");

	tpl_set(t, "CSRF", sess_csrf(r));
	if (number != NULL) {
		tpl_show(t, "STEP2");
		if (msg == NULL)
			tpl_show(t, "SENT");
		tpl_set(t, "PHONE", number);
		tpl_set_int(t, "MINUTES", OTP_TTL_SECONDS / 60);
	} else {
		tpl_show(t, "STEP1");
		tpl_set(t, "PHONE_TYPED", r->in[K_PHONE].text);
		if (*settings_str(r->settings, SET_PHONE_COUNTRY) == '\0')
			tpl_show(t, "WITH_CODE");
	}
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	page_render(r, status, "sms.tpl", t);
}

/*
 * 1 when sms.signin is on at all (the pages exist). A visitor's GET
 * comes without the settings (route_dispatch reads them for POSTs and
 * sessions): they are read here then; a database that does not answer
 * counts as off.
 */
int
sms_signin_on(struct req *r)
{
	if (!r->settings_loaded) {
		if (settings_load(r->db, &r->arena, r->settings, 0) != DB_OK)
			return 0;
		r->settings_loaded = 1;
	}
	return settings_choice(r->settings, SET_SMS_SIGNIN) !=
	    SMS_SIGNIN_NONE;
}

/*
 * The person whose mobile number is e164 when sms.signin lets them sign
 * in with a texted code (all, or selected and on the list) and their
 * account is enabled; NULL otherwise. *rc: DB_OK or a db_err.
 */
static const struct q_user_by_mobile_row *
sms_signin_user(struct req *r, const char *e164, int *rc)
{
	struct q_user_by_mobile_rows	rows;
	const struct q_user_by_mobile_row *u;

	if ((*rc = q_user_by_mobile(r->db, &r->arena,
	    &(struct q_user_by_mobile_in){ .number = DB_TEXT(e164) }, &rows))
	    != DB_OK || rows.n == 0)
		return NULL;
	u = &rows.row[0];
	if (u->enabled != 1)
		return NULL;
	/*
	 * A texted code is one factor, the phone. Someone holding a role
	 * must then pass a second one that is not the phone: without an
	 * authenticator app they sign in with their password instead.
	 */
	if (u->has_role && !u->has_totp)
		return NULL;
	switch (settings_choice(r->settings, SET_SMS_SIGNIN)) {
	case SMS_SIGNIN_ALL:
		return u;
	case SMS_SIGNIN_SELECTED:
		return u->selected ? u : NULL;
	default:
		return NULL;
	}
}

/* GET /login/sms: step 1 (the number); 404 when sms.signin is none. */
void
page_sms_signin(struct req *r)
{
	if (!sms_signin_on(r)) {
		page_error(r, 404, "There is no page at this address.");
		return;
	}
	if (r->sess != NULL && !sess_needs_mfa(r->sess) && !r->sess->must_change) {
		http_redirect(r, "/");
		return;
	}
	sms_form(r, 200, NULL, NULL);
}

struct sms_login {
	struct req	*r;
	const struct q_user_by_mobile_row *u;	/* NULL: nobody to sign in */
	const char	*number;
	enum otp_verdict verdict;
	int		 mfa;		/* a second factor is owed */
	struct sess_new	 next;
};

static int
sms_signin_txn(struct db *db, void *arg)
{
	struct sms_login	*s = arg;
	struct req		*r = s->r;
	struct audit		 a = {
		.action = "signin.sms",
		.reason = "no_code",
		.client = "account",
		.actor_upn = "(by phone)",
		.details = arena_printf(&r->arena, "{\"to\":%s}",
		    json_string(&r->arena, phone_mask(&r->arena, s->number))),
	};
	int			 rc;

	s->verdict = OTP_NONE;
	if (s->u != NULL) {
		a.actor_id = s->u->id;
		a.actor_upn = s->u->upn;
		a.target_id = s->u->id;
		a.target_name = s->u->display_name;
		if (s->u->locked != 0)
			a.reason = "locked";
		else {
			if ((rc = db_otp_check(db, r->conf->otp_key, s->u->id,
			    OTP_SIGNIN, r->in[K_CODE].text, &s->verdict)) !=
			    DB_OK)
				return rc;
			a.reason = s->verdict == OTP_OK ? NULL :
			    otp_verdict_code(s->verdict);
		}
	}
	if (s->verdict == OTP_OK) {
		a.ok = 1;
		if ((!s->mfa && (rc = q_user_signin_ok(db,
		    &(struct q_user_signin_ok_in){ .id = DB_TEXT(s->u->id) },
		    NULL)) != DB_OK) ||
		    (rc = sess_start(db, r, s->u->id, SESS_MFA_OWED_SMS,
		    &s->next)) != DB_OK)
			return rc;
		return page_audit_row(db, r, &a);
	}
	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	/*
	 * Only a wrong try at a code that was sent counts against the
	 * account: a guess with no code out needs only the number, and must
	 * not lock its owner out. Every failure counts against the address.
	 */
	return count_failure(db, r, &a, s->u == NULL || s->u->locked ||
	    (s->verdict != OTP_WRONG && s->verdict != OTP_KILLED) ? NULL :
	    s->u->id, s->u == NULL ? 0 : (int)s->u->failed_signins);
}

/*
 * POST /login/sms. Step 1 (phone): texts a sign-in code when the number
 * is a mobile number sms.signin lets in, and answers the same 200 page
 * whether it is or not ("if this number is registered, a code was
 * sent"): an unknown number, one not allowed, and a text the SMS limits
 * refused (audited as sms.code.send) look alike. Step 2 (phone and
 * code): 303 to the next step (/login/mfa for a role holder,
 * /account/password for a password to change, else /); 422 with one
 * sentence for a wrong, used, expired, dead or unknown code; the try is
 * audited (signin.sms) and counted like a wrong password. 422 for a
 * number that is not one; 429 when this address has failed too often;
 * 404 when sms.signin is none; 503 without the database.
 */
void
page_sms_signin_post(struct req *r)
{
	const char			*typed = r->in[K_PHONE].text;
	const char			*code = r->in[K_CODE].text;
	const char			*why = NULL;
	const struct q_user_by_mobile_row *u;
	struct code_send		 c;
	struct sms_login		 s;
	char				 e164[PHONE_MAX];
	int				 rc, status;

	if (!sms_signin_on(r)) {
		page_error(r, 404, "There is no page at this address.");
		return;
	}
	if (typed == NULL || phone_normalise_in(typed, settings_str(r->settings,
	    SET_PHONE_COUNTRY), 0, e164, &why) != 0) {
		sms_form(r, 422, *settings_str(r->settings,
		    SET_PHONE_COUNTRY) != '\0' ? "Enter your mobile number as "
		    "you dial it, or with + and its country code." : "Enter "
		    "your mobile number with its country code, for example "
		    "+1 425 555 0100.", NULL);
		return;
	}
	if (signin_rate_gate(r) != 0)
		return;
	/*
	 * The per-address limit says nothing about the number: told to
	 * everyone alike, before the number is looked up, rather than
	 * hidden behind "if this number is registered".
	 */
	if ((code == NULL || *code == '\0') && (rc = sms_ip_wait(r->db,
	    r->settings, r->ip, &r->retry_after)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (r->retry_after > 0 && (code == NULL || *code == '\0')) {
		sms_form(r, 429, arena_printf(&r->arena, "No code was sent. %s",
		    sms_refusal_text(&r->arena, SMS_LIMIT_IP, r->retry_after)),
		    NULL);
		return;
	}
	u = sms_signin_user(r, e164, &rc);
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (code == NULL || *code == '\0') {
		if (u != NULL && u->locked == 0) {
			memset(&c, 0, sizeof(c));
			c.r = r;
			c.purpose = OTP_SIGNIN;
			c.sms_purpose = SMS_CODE_SIGNIN;
			c.user_id = u->id;
			c.name = u->display_name;
			c.number = e164;
			/* A known number must not answer later than another. */
			c.after_answer = 1;
			/* Refused or not: the same page (see above). */
			if ((status = page_code_send(r, &c, &why)) < 0) {
				page_db_error(r, status);
				return;
			}
		}
		sms_form(r, 200, NULL, e164);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.u = u;
	s.number = e164;
	s.mfa = u != NULL && (u->has_totp || u->has_role);
	if ((rc = db_txn(r->db, sms_signin_txn, &s)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (s.verdict != OTP_OK) {
		sms_form(r, 422, "That code is not right, has expired or was "
		    "already used. After 5 wrong tries a code stops working "
		    "and signing in is paused for a while. Check the text, or "
		    "ask for a new code below.", e164);
		return;
	}
	sess_adopt(r, &s.next);
	http_redirect(r, next_step(s.mfa, u->has_totp != 0,
	    u->must_change != 0));
}

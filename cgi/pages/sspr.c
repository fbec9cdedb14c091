/*
 * sspr.c: self-service password reset (/reset), when sms.sspr is on
 * (every page is a 404 when it is off). Four steps by one browser:
 * the username (POST /reset), the number to text a code to (POST
 * /reset/send), the code (POST /reset/code; for a role holder, and only
 * with sspr.admins on, the authenticator app's code too: POST
 * /reset/totp), the new password (POST /reset/password).
 *
 * What a visitor has passed is kept in one sspr_flows row keyed by the
 * SHA-256 of their visitor cookie (the cookie their CSRF token is bound
 * to), never in the form: sspr_may() (sspr.h) says which step a flow
 * may take, and a step out of order is a 403. Every code texted
 * (sms.code.send), every try (sspr.verify) and the reset
 * (user.password.reset, client account) is audited in the transaction
 * of its change; no code or password reaches a log.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/onprem.h"
#include "auth/otp.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/mfa.h"
#include "db/otp.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "pages/pages.h"
#include "phone.h"
#include "session.h"
#include "settings.h"
#include "sms.h"
#include "sspr.h"
#include "tpl.h"
#include "writeback.h"

#define VISITOR_LEN	22	/* the visitor cookie's length (session.c) */

/* A transaction's refusals (util.h: positive, rolled back). */
enum { TXN_OUT_OF_ORDER = DB_REFUSED, TXN_WRITEBACK };

static const char msg_order[] = "These steps must be done in order, in "
    "one browser, within 15 minutes. Start again from the username.";

static const char notice_text[] = "Your staffdesk password was changed. "
    "If this was not you, tell your manager.";

/* What a page of the flow shows. */
enum view { V_USERNAME, V_NEUTRAL, V_PICK, V_CODE, V_TOTP, V_PASSWORD,
    V_DONE };

/* The person a flow is about, and what step 1 needs of them. */
struct who {
	struct q_user_by_id_row	 u;
	int			 onprem;
	struct sspr_person	 p;
	const char		*phone[PHONE__MAX];	/* E.164 or NULL */
};

/* A visitor's flow: the SHA-256 of their cookie, and the row. */
struct flow {
	char		 visitor[65];
	const char	*user_id;	/* NULL: no live flow */
	enum sspr_step	 step;
	int64_t		 attempts;
};

static int
sspr_on(struct req *r)
{
	if (!r->settings_loaded) {
		if (settings_load(r->db, &r->arena, r->settings, 0) != DB_OK)
			return 0;
		r->settings_loaded = 1;
	}
	return settings_int(r->settings, SET_SMS_SSPR) != 0;
}

/*
 * The number a code form is about: the type the form carries when the
 * person has that number, else their first mobile one; -1 for none.
 */
static int
code_type(struct req *r, const struct who *w)
{
	int	t;

	if (r->in[K_TYPE].text != NULL && (t = (int)r->in[K_TYPE].i) >= 0 &&
	    t < PHONE__MAX && w->phone[t] != NULL)
		return t;
	for (t = PHONE_MOBILE; t <= PHONE_ALT_MOBILE; t++)
		if (w->phone[t] != NULL)
			return t;
	return -1;
}

/*
 * One page of the flow. The code form (V_CODE) names the number the
 * code went to and offers a new one; without msg it says one was sent.
 */
static void
sspr_form(struct req *r, int status, enum view v, const char *msg,
    const struct who *w)
{
	static const char *const sections[] = { "USERNAME", "NEUTRAL",
	    "PICK", "CODE", "TOTP", "PASSWORD", "DONE" };
	struct tpl	*t = page_new(r, "Reset your password"), *n;
	int		 i, first = 1;

	tpl_show(t, sections[v]);
	if (v == V_CODE && w != NULL && (i = code_type(r, w)) >= 0) {
		tpl_set(t, "TYPE", phone_type_id(i));
		tpl_set(t, "MASKED", phone_mask(&r->arena, w->phone[i]));
		if (msg == NULL)
			tpl_show(t, "SENT");
	}
	if (v != V_DONE)
		tpl_show(t, "BACK");
	tpl_set(t, "CSRF", sess_csrf(r));
	tpl_set(t, "USERNAME_TYPED", r->in[K_USERNAME].text);
	tpl_set_int(t, "MINUTES", OTP_TTL_SECONDS / 60);
	if (v == V_PICK && w != NULL)
		for (i = PHONE_MOBILE; i <= PHONE_ALT_MOBILE; i++) {
			if (w->phone[i] == NULL)
				continue;
			n = tpl_section(t, "NUMBER");
			tpl_set(n, "TYPE", phone_type_id(i));
			tpl_set(n, "KIND", phone_type_name(i));
			tpl_set(n, "MASKED", phone_mask(&r->arena, w->phone[i]));
			if (first)
				tpl_show(n, "FIRST");
			first = 0;
		}
	if (v == V_PASSWORD && w != NULL)
		tpl_set(t, "HINT", page_pw_hint(r, w->onprem));
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	page_render(r, status, "sspr.tpl", t);
}

/*
 * Loads the person by id (upn NULL) or by username into w. DB_OK,
 * DB_NONE when there is no such person, or a db_err.
 */
static int
who_load(struct req *r, const char *id, const char *upn, struct who *w)
{
	struct q_user_signin_rows	s;
	struct q_user_by_id_rows	u;
	struct q_user_phones_rows	ph;
	size_t				i;
	int				rc, t;

	memset(w, 0, sizeof(*w));
	if (upn != NULL) {
		if ((rc = q_user_signin(r->db, &r->arena,
		    &(struct q_user_signin_in){ .upn = DB_TEXT(upn) }, &s)) !=
		    DB_OK)
			return rc;
		if (s.n == 0)
			return DB_NONE;
		id = s.row[0].id;
	}
	if ((rc = q_user_by_id(r->db, &r->arena, &(struct q_user_by_id_in){
	    .id = DB_TEXT(id) }, &u)) != DB_OK)
		return rc;
	if (u.n == 0)
		return DB_NONE;
	w->u = u.row[0];
	if (upn == NULL && ((rc = q_user_signin(r->db, &r->arena,
	    &(struct q_user_signin_in){ .upn = DB_TEXT(w->u.upn) }, &s)) !=
	    DB_OK || s.n == 0))
		return rc != DB_OK ? rc : DB_NONE;
	if ((rc = q_user_phones(r->db, &r->arena, &(struct q_user_phones_in){
	    .user = DB_TEXT(w->u.id) }, &ph)) != DB_OK)
		return rc;
	w->onprem = w->u.source != NULL && strcmp(w->u.source, "onprem") == 0;
	w->p.known = 1;
	w->p.enabled = w->u.enabled == 1;
	w->p.has_role = s.row[0].has_role != 0;
	w->p.has_totp = s.row[0].has_totp != 0;
	/*
	 * Only mobile numbers are texted (an office one may be a
	 * landline), and only those the settings let a text go to.
	 */
	for (i = 0; i < ph.n; i++)
		if (ph.row[i].type != NULL &&
		    sms_may_text(r->settings, ph.row[i].number) &&
		    (t = phone_type_parse(ph.row[i].type)) >= 0 &&
		    t != PHONE_OFFICE && w->phone[t] == NULL) {
			w->phone[t] = ph.row[i].number;
			w->p.phones++;
		}
	return DB_OK;
}

/*
 * The visitor's live flow into f (f->user_id NULL: none). 0, or the
 * status of the answer given (403 without a visitor cookie, 503).
 */
static int
flow_get(struct req *r, struct flow *f)
{
	const char		*cookie = r->cookie[COOKIE_PRE];
	struct q_sspr_lock_rows	 rows;
	int			 rc;

	memset(f, 0, sizeof(*f));
	if (cookie == NULL || strlen(cookie) != VISITOR_LEN) {
		page_error(r, 403, msg_order);
		return r->status;
	}
	sha256_hex(cookie, strlen(cookie), f->visitor);
	if ((rc = q_sspr_lock(r->db, &r->arena, &(struct q_sspr_lock_in){
	    .visitor = DB_TEXT(f->visitor) }, &rows)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	if (rows.n > 0) {
		f->user_id = rows.row[0].user_id;
		f->step = rows.row[0].step > 0 && rows.row[0].step < SSPR__MAX ?
		    (enum sspr_step)rows.row[0].step : SSPR_NONE;
		f->attempts = rows.row[0].attempts;
	}
	return 0;
}

/*
 * The flow and its person when the flow may do act now: 0; else the
 * status of the answer given (403 out of order or without a flow, the
 * person gone or no longer allowed; 404 when sms.sspr is off; 503).
 */
static int
flow_for(struct req *r, enum sspr_act act, struct flow *f, struct who *w)
{
	int	rc;

	if (!sspr_on(r)) {
		page_error(r, 404, "There is no page at this address.");
		return r->status;
	}
	if (flow_get(r, f) != 0)
		return r->status;
	if (f->user_id == NULL) {
		page_error(r, 403, msg_order);
		return r->status;
	}
	if ((rc = who_load(r, f->user_id, NULL, w)) < 0) {
		page_db_error(r, rc);
		return r->status;
	}
	if (rc != DB_OK || sspr_refusal(&w->p, (int)settings_int(r->settings,
	    SET_SSPR_ADMINS)) != NULL || !sspr_may(act, f->step,
	    w->p.has_role)) {
		page_error(r, 403, msg_order);
		return r->status;
	}
	return 0;
}

/* GET /reset: step 1, the username; 404 when sms.sspr is off. */
void
page_sspr(struct req *r)
{
	if (!sspr_on(r)) {
		page_error(r, 404, "There is no page at this address.");
		return;
	}
	sspr_form(r, 200, V_USERNAME, NULL, NULL);
}

struct start {
	struct req	*r;
	struct flow	*f;
	struct who	*w;		/* NULL: no such person */
	const char	*upn;
	const char	*refusal;	/* NULL: the flow starts */
};

static int
start_txn(struct db *db, void *arg)
{
	struct start	*s = arg;
	struct req	*r = s->r;
	struct audit	 a = {
		.action = "sspr.start",
		.ok = s->refusal == NULL,
		.reason = s->refusal,
		.client = "account",
		.actor_upn = s->w != NULL ? s->w->u.upn : "(unknown username)",
	};
	int		 rc;

	if (s->w != NULL) {
		a.target_id = s->w->u.id;
		a.target_name = s->w->u.display_name;
	}
	if (s->refusal == NULL)
		rc = q_sspr_put(db, &(struct q_sspr_put_in){
		    .visitor = DB_TEXT(s->f->visitor),
		    .user = DB_TEXT(s->w->u.id),
		    .ttl_seconds = DB_INT(SSPR_TTL_SECONDS) }, NULL);
	else
		rc = q_sspr_end(db, &(struct q_sspr_end_in){
		    .visitor = DB_TEXT(s->f->visitor) }, NULL);
	if (rc != DB_OK)
		return rc;
	return page_audit_row(db, r, &a);
}

/*
 * POST /reset (username): 200 with the numbers to pick from when the
 * person may reset here; else the same 200 page for an unknown
 * username, a disabled account, one without a mobile number and a role
 * holder (unless sspr.admins is on and they have the app): ask the
 * manager. 422 without a username; 403 without a visitor cookie; 404
 * when sms.sspr is off; 503.
 */
void
page_sspr_post(struct req *r)
{
	const char	*upn = r->in[K_USERNAME].text;
	struct start	 s;
	struct flow	 f;
	struct who	 w;
	int		 rc;

	if (!sspr_on(r)) {
		page_error(r, 404, "There is no page at this address.");
		return;
	}
	if (upn == NULL || *upn == '\0') {
		sspr_form(r, 422, V_USERNAME, "Enter your username.", NULL);
		return;
	}
	if (flow_get(r, &f) != 0)
		return;
	if ((rc = who_load(r, NULL, upn, &w)) < 0) {
		page_db_error(r, rc);
		return;
	}
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.f = &f;
	s.upn = upn;
	s.w = rc == DB_OK ? &w : NULL;
	s.refusal = sspr_refusal(&w.p, (int)settings_int(r->settings,
	    SET_SSPR_ADMINS));
	if ((rc = db_txn(r->db, start_txn, &s)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (s.refusal != NULL)
		sspr_form(r, 200, V_NEUTRAL, NULL, NULL);
	else
		sspr_form(r, 200, V_PICK, NULL, &w);
}

/* In the code's transaction: the flow has sent a code. */
static int
sent_also(struct db *db, void *arg)
{
	struct flow	*f = arg;

	return q_sspr_step(db, &(struct q_sspr_step_in){
	    .step = DB_INT(SSPR_SENT), .visitor = DB_TEXT(f->visitor),
	    .from_step = DB_INT(f->step) }, NULL);
}

/*
 * POST /reset/send (type: mobile or alternateMobile): texts a reset
 * code to that number (superseding the last one) and answers 200 with
 * the code form; 422 for the office number or a type the person has
 * no number of; 403 out of order; 429 past an SMS limit (Retry-After),
 * 503 when the text could not go; 404 when off.
 */
void
page_sspr_send_post(struct req *r)
{
	struct code_send	 c;
	struct flow		 f;
	struct who		 w;
	const char		*msg;
	int			 type, status;

	if (flow_for(r, SSPR_SEND, &f, &w) != 0)
		return;
	type = r->in[K_TYPE].text != NULL ? (int)r->in[K_TYPE].i : -1;
	if ((type != PHONE_MOBILE && type != PHONE_ALT_MOBILE) ||
	    w.phone[type] == NULL) {
		sspr_form(r, 422, V_PICK, "Pick one of these numbers.", &w);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.purpose = OTP_RESET;
	c.sms_purpose = SMS_CODE_RESET;
	c.user_id = w.u.id;
	c.name = w.u.display_name;
	c.number = w.phone[type];
	c.also = sent_also;
	c.also_arg = &f;
	if ((status = page_code_send(r, &c, &msg)) < 0) {
		page_db_error(r, status);
		return;
	}
	/*
	 * Refused: back to the numbers, unless a code went before (the
	 * flow was at SSPR_SENT): then its form, for the code in hand.
	 * Not delivered (503): the row waits for sms flush; its form.
	 */
	/* An hour is long at the till: the other way out. */
	if (status == 429)
		msg = arena_printf(&r->arena, "%s Or ask your manager to reset "
		    "your password.", msg);
	if (status != 0 && status != 503 && f.step != SSPR_SENT) {
		sspr_form(r, status, V_PICK, msg, &w);
		return;
	}
	sspr_form(r, status == 0 ? 200 : status, V_CODE, msg, &w);
}

/* A try of a code: which, the flow, and how it went. */
struct try {
	struct req	*r;
	struct flow	*f;
	struct who	*w;
	enum sspr_act	 act;		/* SSPR_CODE or SSPR_TOTP */
	int		 ok;		/* TOTP: right before the transaction */
	int64_t		 step;		/* TOTP: the step it matched */
	enum otp_verdict verdict;
	int		 ended;		/* the flow ended: too many tries */
};

static int
try_txn(struct db *db, void *arg)
{
	struct try	*x = arg;
	struct req	*r = x->r;
	struct audit	 a = {
		.action = "sspr.verify",
		.client = "account",
		.actor_id = x->w->u.id,
		.actor_upn = x->w->u.upn,
		.target_id = x->w->u.id,
		.target_name = x->w->u.display_name,
		.details = x->act == SSPR_CODE ? "{\"method\":\"sms\"}" :
		    "{\"method\":\"totp\"}",
	};
	struct db_val	 visitor = DB_TEXT(x->f->visitor);
	struct q_sspr_lock_rows rows;
	uint64_t	 n = 0;
	int		 rc, ok;

	x->ended = 0;
	x->verdict = OTP_NONE;
	if ((rc = q_sspr_lock(db, &r->arena, &(struct q_sspr_lock_in){
	    .visitor = visitor }, &rows)) != DB_OK)
		return rc;
	/* A parallel try moved the flow on (or ended it) meanwhile. */
	if (rows.n == 0 || strcmp(rows.row[0].user_id, x->w->u.id) != 0 ||
	    rows.row[0].step != x->f->step || !sspr_may(x->act,
	    (enum sspr_step)rows.row[0].step, x->w->p.has_role))
		return TXN_OUT_OF_ORDER;
	if (x->act == SSPR_CODE) {
		if ((rc = db_otp_check(db, r->conf->otp_key, x->w->u.id,
		    OTP_RESET, r->in[K_CODE].text, &x->verdict)) != DB_OK)
			return rc;
		ok = x->verdict == OTP_OK;
		a.reason = ok ? NULL : otp_verdict_code(x->verdict);
	} else {
		ok = x->ok;
		a.reason = "bad_code";
		/* RFC 6238 §5.2: a step at or below the last one is a replay. */
		if (ok && (rc = q_totp_step(db, &(struct q_totp_step_in){
		    .step = DB_INT(x->step), .user = DB_TEXT(x->w->u.id),
		    .step_again = DB_INT(x->step) }, &n)) != DB_OK)
			return rc;
		if (ok && n != 1) {
			ok = 0;
			a.reason = "code_reused";
		}
	}
	if (ok) {
		a.ok = 1;
		a.reason = NULL;
		if ((rc = q_sspr_step(db, &(struct q_sspr_step_in){
		    .step = DB_INT(x->act == SSPR_CODE ? SSPR_CODE_OK :
		    SSPR_BOTH_OK), .visitor = visitor,
		    .from_step = DB_INT(x->f->step) }, NULL)) != DB_OK)
			return rc;
	} else if (x->act == SSPR_TOTP) {
		/* The app's code has no tries of its own: the flow's. */
		if (rows.row[0].attempts + 1 >= OTP_TRIES_MAX) {
			x->ended = 1;
			rc = q_sspr_end(db, &(struct q_sspr_end_in){
			    .visitor = visitor }, NULL);
		} else
			rc = q_sspr_wrong(db, &(struct q_sspr_wrong_in){
			    .visitor = visitor }, NULL);
		if (rc != DB_OK)
			return rc;
	}
	x->ok = ok;
	return page_audit_row(db, r, &a);
}

/* What the form says after a refused texted code. */
static const char *
code_refusal(enum otp_verdict v)
{
	switch (v) {
	case OTP_EXPIRED:
		return "That code has expired. Text yourself a new one "
		    "below.";
	case OTP_KILLED:
	case OTP_DEAD:
		return "That code was tried too many times and no longer "
		    "works. Text yourself a new one below.";
	case OTP_NONE:
		return "That code is not right, or it was already used. "
		    "Text yourself a new one below.";
	default:
		return "That code is not right. Check the text and try "
		    "again.";
	}
}

/* Runs a try and answers it: the next step's form, 422 or 403. */
static void
try_answer(struct req *r, struct try *x)
{
	int	rc;

	if ((rc = db_txn(r->db, try_txn, x)) == TXN_OUT_OF_ORDER) {
		page_error(r, 403, msg_order);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (x->ok)
		sspr_form(r, 200, x->act == SSPR_CODE && x->w->p.has_role ?
		    V_TOTP : V_PASSWORD, NULL, x->w);
	else if (x->act == SSPR_CODE)
		sspr_form(r, 422, V_CODE, code_refusal(x->verdict), x->w);
	else if (x->ended)
		page_error(r, 403, "Too many wrong codes. Start again from "
		    "the username.");
	else
		sspr_form(r, 422, V_TOTP, "That code is not right, or it was "
		    "already used. Wait for the next code and try again.",
		    x->w);
}

/*
 * The flow, its person and a try of act with the typed code: 0; else
 * the status of the answer given (flow_for()'s, or 422 on form v when
 * no code was typed).
 */
static int
try_begin(struct req *r, enum sspr_act act, enum view v, struct flow *f,
    struct who *w, struct try *x)
{
	if (flow_for(r, act, f, w) != 0)
		return r->status;
	if (r->in[K_CODE].text == NULL || *r->in[K_CODE].text == '\0') {
		sspr_form(r, 422, v, "Enter the code.", w);
		return r->status;
	}
	memset(x, 0, sizeof(*x));
	x->r = r;
	x->f = f;
	x->w = w;
	x->act = act;
	return 0;
}

/*
 * POST /reset/code (code): 200 with the password form (or, for a role
 * holder, the app's code form) when the texted reset code is right;
 * 422 for a wrong, used, expired, dead or sign-in code (5 wrong tries
 * kill it); 403 out of order; 404 when off; 503.
 */
void
page_sspr_code_post(struct req *r)
{
	struct flow	f;
	struct who	w;
	struct try	x;

	if (try_begin(r, SSPR_CODE, V_CODE, &f, &w, &x) == 0)
		try_answer(r, &x);
}

/*
 * POST /reset/totp (code): a role holder's second method. 200 with the
 * password form when the app's code is right and new; 422 when not
 * (OTP_TRIES_MAX wrong ones end the flow: 403); 403 out of order; 404
 * when off; 503.
 */
void
page_sspr_totp_post(struct req *r)
{
	struct totp_row	t;
	struct flow	f;
	struct who	w;
	struct try	x;
	int		rc;

	if (try_begin(r, SSPR_TOTP, V_TOTP, &f, &w, &x) != 0)
		return;
	rc = db_totp_get(r->db, &r->arena, r->conf->data_key, w.u.id, &t);
	if (rc < 0) {
		page_db_error(r, rc);
		return;
	}
	x.ok = rc == DB_OK && t.confirmed && totp_verify(t.secret, t.len,
	    r->in[K_CODE].text, now_s(), t.last_step, &x.step) == 0;
	OPENSSL_cleanse(&t, sizeof(t));
	try_answer(r, &x);
}

struct move {
	const struct flow	*f;
	enum sspr_step		 from, to;
	uint64_t		 n;	/* 1: moved */
};

static int
move_txn(struct db *db, void *arg)
{
	struct move	*m = arg;

	return q_sspr_step(db, &(struct q_sspr_step_in){
	    .step = DB_INT(m->to), .visitor = DB_TEXT(m->f->visitor),
	    .from_step = DB_INT(m->from) }, &m->n);
}

struct change {
	struct req	*r;
	struct flow	*f;
	struct who	*w;
	const char	*password;	/* in clear: writeback only */
	const char	*hash;
	const char	*why;		/* writeback's refusal */
	int		 written;	/* a remote directory has it */
	const char	*notice_to;	/* the number told, or NULL */
	uint64_t	 sms_id;
	int		 notice;	/* sms_queue()'s answer */
	int64_t		 retry_after;
};

static int
change_txn(struct db *db, void *arg)
{
	struct change	*c = arg;
	struct req	*r = c->r;
	struct db_val	 id = DB_TEXT(c->w->u.id);
	struct audit	 a = {
		.action = "user.password.reset",
		.ok = 1,
		.client = "account",
		.actor_id = c->w->u.id,
		.actor_upn = c->w->u.upn,
		.target_id = c->w->u.id,
		.target_name = c->w->u.display_name,
	};
	struct wb_user	 wu = { c->w->u.id, c->w->u.upn };
	struct q_sspr_lock_rows rows;
	const char	*notice;
	int		 rc;

	if ((rc = q_sspr_lock(db, &r->arena, &(struct q_sspr_lock_in){
	    .visitor = DB_TEXT(c->f->visitor) }, &rows)) != DB_OK)
		return rc;
	/* A second submit, or a flow moved on meanwhile: judged again on
	 * the locked row, not only on what flow_for() read before it. */
	if (rows.n == 0 || strcmp(rows.row[0].user_id, c->w->u.id) != 0 ||
	    rows.row[0].step != c->f->step || (c->f->step != SSPR_WRITING &&
	    !sspr_may(SSPR_PASSWORD, (enum sspr_step)rows.row[0].step,
	    c->w->p.has_role)))
		return TXN_OUT_OF_ORDER;
	/* Lockout and a password owed end with the new password. */
	if ((rc = q_user_set_password(db, &(struct q_user_set_password_in){
	    .password_hash = DB_TEXT(c->hash), .must_change = DB_INT(0),
	    .ttl_seconds = DB_NULL, .id = id }, NULL)) != DB_OK)
		return rc;
	/* A remote directory was written once, before: only recorded here. */
	if (c->w->onprem && !c->written && wb_set_password((enum wb_backend_id)
	    settings_choice(r->settings, SET_ONPREM_WRITEBACK), r->conf, &wu,
	    c->password, WB_FINAL, &r->arena, &c->why) != WB_OK)
		return TXN_WRITEBACK;
	if ((rc = q_sess_delete_user(db, &(struct q_sess_delete_user_in){
	    .user = id }, NULL)) != DB_OK ||
	    (rc = q_sspr_end(db, &(struct q_sspr_end_in){
	    .visitor = DB_TEXT(c->f->visitor) }, NULL)) != DB_OK)
		return rc;
	/* Over an SMS limit the change still happens, without the notice. */
	c->notice = sms_queue(db, r->settings, r->conf->data_key,
	    &(struct sms_msg){ SMS_NOTIFY_RESET, c->w->u.id, c->notice_to,
	    notice_text, r->ip }, &c->sms_id, &c->retry_after);
	if (c->notice < 0)
		return c->notice;
	if (c->notice == 0)
		notice = "\"queued\"";
	else
		notice = arena_printf(&r->arena, "%s,\"noticeRetryAfter\":%lld",
		    json_string(&r->arena, sms_refusal_code(c->notice)),
		    (long long)c->retry_after);
	a.details = arena_printf(&r->arena, "{\"initiatedBy\":\"self-service\","
	    "\"source\":\"%s\",\"methods\":\"%s\",\"to\":%s,\"notice\":%s%s}",
	    c->w->onprem ? "onprem" : "cloud", c->w->p.has_role ? "sms+totp" :
	    "sms", json_string(&r->arena, phone_mask(&r->arena,
	    c->notice_to)), notice, c->written ?
	    ",\"writeback\":\"directory\"" : "");
	return page_audit_row(db, r, &a);
}

/*
 * Moves the visitor's flow from step from to step to, in a transaction
 * of its own: 0, or the status of the answer given (403 when the flow
 * is not at from: a second submit; 503).
 */
static int
flow_move(struct req *r, const struct flow *f, enum sspr_step from,
    enum sspr_step to)
{
	struct move	 m = { f, from, to, 0 };
	int		 rc;

	if ((rc = db_txn(r->db, move_txn, &m)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	if (m.n != 1) {
		page_error(r, 403, msg_order);
		return r->status;
	}
	return 0;
}

/*
 * POST /reset/password (new_password, confirm_password): sets the new
 * password when the flow passed its codes (the SMS code; and the app's
 * for a role holder): every session of the person ends, lockout and a
 * password owed clear, the reset is audited and the number on file
 * (the mobile, else the alternate mobile) is told by text (over an SMS
 * limit the change still happens; the audit row says so). 200 with
 * the result; 422 for a mismatch or a password the policy refuses;
 * 403 out of order (a crafted POST, a second submit); 404 when off;
 * 422 with its reason when the on-premises directory refuses it
 * (onprem.writeback = ldap: written once, before the transaction);
 * 503 when writeback or the database is unavailable (nothing changed),
 * or when the directory took it and the database then failed (said:
 * page_writeback_unrecorded).
 */
void
page_sspr_password_post(struct req *r)
{
	const char	*pw = r->in[K_NEW_PASSWORD].text;
	const char	*again = r->in[K_CONFIRM_PASSWORD].text;
	const char	*why;
	struct change	 c;
	struct flow	 f;
	struct who	 w;
	enum wb_backend_id backend;
	enum wb_result	 wr;
	char		 hash[PW_HASH_MAX] = "";
	int		 rc;

	if (flow_for(r, SSPR_PASSWORD, &f, &w) != 0)
		return;
	if (pw == NULL || *pw == '\0' || again == NULL) {
		sspr_form(r, 422, V_PASSWORD, "Enter a new password twice.",
		    &w);
		return;
	}
	if (strcmp(pw, again) != 0) {
		sspr_form(r, 422, V_PASSWORD, "The two passwords do not "
		    "match.", &w);
		return;
	}
	if ((why = page_pw_refusal(r, &(struct pw_person){ w.u.upn,
	    w.u.display_name, w.u.given_name, w.u.surname }, w.onprem, pw)) !=
	    NULL) {
		sspr_form(r, 422, V_PASSWORD, why, &w);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.f = &f;
	c.w = &w;
	c.password = pw;
	c.notice_to = w.phone[PHONE_MOBILE] != NULL ? w.phone[PHONE_MOBILE] :
	    w.phone[PHONE_ALT_MOBILE];
	backend = (enum wb_backend_id)settings_choice(r->settings,
	    SET_ONPREM_WRITEBACK);
	if (w.onprem && wb_is_remote(backend)) {
		/*
		 * Once, outside db_txn; staffdesk keeps no copy. The flow
		 * is claimed first, so that a second submit meanwhile is
		 * out of order rather than a second write; a write that
		 * does not happen gives the step back.
		 */
		if ((rc = flow_move(r, &f, f.step, SSPR_WRITING)) != 0)
			return;
		wr = wb_set_password(backend, r->conf, &(struct wb_user){
		    w.u.id, w.u.upn }, pw, WB_FINAL, &r->arena, &c.why);
		if (wr != WB_OK && flow_move(r, &f, SSPR_WRITING, f.step) != 0)
			return;
		switch (wr) {
		case WB_OK:
			c.written = 1;
			f.step = SSPR_WRITING;
			break;
		case WB_REFUSED:
			sspr_form(r, 422, V_PASSWORD, c.why, &w);
			return;
		default:
			page_error(r, 503, c.why != NULL ? c.why :
			    msg_writeback_failed);
			return;
		}
	} else if (pw_hash(pw, hash, sizeof(hash)) == -1) {
		page_error(r, 503, msg_pw_not_stored);
		return;
	} else
		c.hash = hash;
	rc = db_txn(r->db, change_txn, &c);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (c.written && rc != DB_OK) {
		page_writeback_unrecorded(r, &(struct audit){
		    .action = "user.password.reset", .client = "account",
		    .actor_id = w.u.id, .actor_upn = w.u.upn,
		    .target_id = w.u.id, .target_name = w.u.display_name },
		    rc);
		return;
	}
	if (rc == TXN_OUT_OF_ORDER) {
		page_error(r, 403, msg_order);
		return;
	}
	if (rc == TXN_WRITEBACK) {
		page_error(r, 503, c.why != NULL ? c.why :
		    msg_writeback_failed);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	if (c.notice == 0 && sms_send(r->db, r->conf, c.sms_id) < 0)
		log_msg(LOG_WARN, "sspr of %s: the notice could not be sent; "
		    "it waits for sms flush", w.u.id);
	sspr_form(r, 200, V_DONE, NULL, &w);
}

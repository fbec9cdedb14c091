/*
 * account.c: the signed-in user's own pages: /account (profile,
 * methods, sessions), /account/password and /account/mfa (enrolment).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/password.h"
#include "auth/totp.h"
#include "authz.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "db/mfa.h"
#include "http.h"
#include "keys.h"
#include "pages/pages.h"
#include "pages/qr.h"
#include "phone.h"
#include "session.h"
#include "settings.h"
#include "tpl.h"
#include "writeback.h"

#define ISSUER	"staffdesk"

/* GET /account: the person's own profile, methods and sessions; 503. */
void
page_account(struct req *r)
{
	struct db_val			 me = DB_TEXT(r->sess->user_id);
	struct q_user_by_id_rows	 u;
	struct q_user_phones_rows	 phones;
	struct q_user_units_rows	 units;
	struct q_user_roles_rows	 roles;
	struct q_recovery_left_rows	 left;
	struct q_sess_list_rows		 sessions;
	const struct q_user_by_id_row	*p;
	struct tpl			*t, *s;
	size_t				 i, nhalf = 0;
	int				 rc, half;

	if ((rc = q_user_by_id(r->db, &r->arena, &(struct q_user_by_id_in){
	    .id = me }, &u)) != DB_OK || u.n == 0) {
		page_db_error(r, rc != DB_OK ? rc : DB_ERR);
		return;
	}
	p = &u.row[0];
	t = page_new(r, "My account");
	if (r->in[K_DONE].text != NULL && (r->in[K_DONE].i == DONE_SAVED ||
	    r->in[K_DONE].i == DONE_REVOKED)) {
		tpl_show(t, "NOTICE");
		tpl_set(t, "NOTICE_MSG", r->in[K_DONE].i == DONE_SAVED ?
		    "Your password was changed." : "You are signed out "
		    "everywhere else: only this browser is still signed in.");
	}
	tpl_set(t, "CSRF", r->sess->csrf);
	tpl_set(t, "NAME", p->display_name);
	tpl_set(t, "UPN", p->upn);
	tpl_set(t, "EMAIL", p->email ? p->email : "none");
	tpl_set(t, "JOB_TITLE", p->job_title ? p->job_title : "none");
	tpl_set(t, "SOURCE", p->source && strcmp(p->source, "onprem") == 0 ?
	    "on-premises (synced)" : "cloud");
	tpl_set(t, "LAST_SIGNIN", page_when(r, p->last_signin));
	if ((rc = q_user_phones(r->db, &r->arena, &(struct q_user_phones_in){
	    .user = me }, &phones)) != DB_OK)
		goto fail;
	for (i = 0; i < phones.n; i++) {
		int	k = phone_type_parse(phones.row[i].type);

		/* as a manager's profile shows them: "Mobile: +1 425-..." */
		s = tpl_section(t, "PHONE");
		tpl_set(s, "TYPE", k >= 0 ? phone_type_name((enum phone_type)k) :
		    phones.row[i].type);
		tpl_set(s, "NUMBER", phone_format(&r->arena,
		    phones.row[i].number));
	}
	if (phones.n == 0)
		tpl_show(t, "NO_PHONE");
	if ((rc = q_user_units(r->db, &r->arena, &(struct q_user_units_in){
	    .user = me }, &units)) != DB_OK)
		goto fail;
	for (i = 0; i < units.n; i++)
		tpl_set(tpl_section(t, "UNIT"), "UNIT_NAME", units.row[i].name);
	if (units.n == 0)
		tpl_show(t, "NO_UNIT");
	if ((rc = q_user_roles(r->db, &r->arena, &(struct q_user_roles_in){
	    .user = me }, &roles)) != DB_OK)
		goto fail;
	for (i = 0; i < roles.n; i++) {
		s = tpl_section(t, "ROLE");
		tpl_set(s, "ROLE_NAME", authz_role_label(roles.row[i].role));
		tpl_set(s, "SCOPE", roles.row[i].unit_name ?
		    roles.row[i].unit_name : "whole organisation");
	}
	tpl_show(t, r->sess->has_totp ? "TOTP_ON" : "TOTP_OFF");
	if ((rc = q_recovery_left(r->db, &r->arena,
	    &(struct q_recovery_left_in){ .user = me }, &left)) != DB_OK)
		goto fail;
	tpl_set_int(t, "RECOVERY_LEFT", left.n > 0 ? left.row[0].left : 0);
	if ((rc = q_sess_list(r->db, &r->arena, &(struct q_sess_list_in){
	    .user = me }, &sessions)) != DB_OK)
		goto fail;
	/*
	 * Signed in, or only half: a session that passed the password but
	 * never the second step a person with one owes is listed apart,
	 * as someone who knows the password.
	 */
	for (i = 0; i < sessions.n; i++) {
		half = (r->sess->has_role || r->sess->has_totp) &&
		    !sessions.row[i].mfa_done;
		s = tpl_section(t, half ? "HALF" : "SESSION");
		tpl_set(s, "STARTED", page_when(r, sessions.row[i].created));
		tpl_set(s, "SEEN", page_when(r, sessions.row[i].last_seen));
		tpl_set(s, "IP", sessions.row[i].ip);
		tpl_set(s, "AGENT", ua_summary(&r->arena,
		    sessions.row[i].user_agent));
		if (strcmp(sessions.row[i].token_hash, r->sess->token_hash) == 0)
			tpl_show(s, "CURRENT");
		nhalf += half;
	}
	if (nhalf > 0)
		tpl_show(t, "HALF_SIGNED_IN");
	if (sessions.n > 1)
		tpl_show(t, "OTHER_SESSIONS");
	page_render(r, 200, "account.tpl", t);
	return;
fail:
	tpl_free(t);
	page_db_error(r, rc);
}

static int
revoke_txn(struct db *db, void *arg)
{
	struct req	*r = arg;
	struct audit	 a = page_own_audit(r, "signout",
	    "{\"scope\":\"other sessions\"}");
	int		 rc;

	if ((rc = q_sess_delete_others(db, &(struct q_sess_delete_others_in){
	    .user = DB_TEXT(r->sess->user_id),
	    .token_hash = DB_TEXT(r->sess->token_hash) }, NULL)) != DB_OK)
		return rc;
	return page_audit_row(db, r, &a);
}

/* POST /account/sessions/revoke: signs out every other session; 303 to
 * My account, which says so (done=revoked). */
void
page_sessions_revoke_post(struct req *r)
{
	int	rc;

	if ((rc = db_txn(r->db, revoke_txn, r)) != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, "/account?done=revoked");
}

/* The form; onprem: the person's password follows the on-premises policy. */
static void
password_form(struct req *r, int status, const char *msg, int onprem)
{
	struct tpl	*t = page_new(r, "Change your password");

	tpl_set(t, "CSRF", r->sess->csrf);
	page_next_field(r, t);
	if (r->sess->must_change)
		tpl_show(t, "MUST_CHANGE");
	else
		tpl_show(t, "ASK_CURRENT");
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	tpl_set(t, "HINT", page_pw_hint(r, onprem));
	page_render(r, status, "password.tpl", t);
}

/* A refused change of one's own password, and its audit row. */
struct pwrefused {
	struct req	*r;
	struct audit	 a;
};

static int
pwrefused_txn(struct db *db, void *arg)
{
	struct pwrefused	*x = arg;

	return page_audit_row(db, x->r, &x->a);
}

/*
 * The form again with msg (422) after auditing the refusal (reason):
 * r->status.
 */
static int
password_refused(struct req *r, const char *reason, const char *msg,
    int onprem)
{
	struct pwrefused	x = { r, page_own_audit(r,
				    "account.password.change", NULL) };
	int			rc;

	x.a.ok = 0;
	x.a.reason = reason;
	if ((rc = db_txn(r->db, pwrefused_txn, &x)) != DB_OK)
		page_db_error(r, rc);
	else
		password_form(r, 422, msg, onprem);
	return r->status;
}

/* GET /account/password: the form (no current password when owed). */
void
page_password(struct req *r)
{
	password_form(r, 200, NULL, r->sess->onprem);
}

struct pwchange {
	struct req	*r;
	const char	*hash;
};

static int
pwchange_txn(struct db *db, void *arg)
{
	struct pwchange	*c = arg;
	struct req	*r = c->r;
	struct audit	 a = page_own_audit(r, "account.password.change",
	    r->sess->must_change ? "{\"after\":\"reset\"}" : NULL);
	int		 rc;

	if ((rc = q_user_set_password(db, &(struct q_user_set_password_in){
	    .password_hash = DB_TEXT(c->hash), .must_change = DB_INT(0),
	    .ttl_seconds = DB_NULL, .id = DB_TEXT(r->sess->user_id) },
	    NULL)) != DB_OK)
		return rc;
	/* A new password ends every other session of the user. */
	if ((rc = q_sess_delete_others(db, &(struct q_sess_delete_others_in){
	    .user = DB_TEXT(r->sess->user_id),
	    .token_hash = DB_TEXT(r->sess->token_hash) }, NULL)) != DB_OK)
		return rc;
	return page_audit_row(db, r, &a);
}

/*
 * An on-premises person's password with a remote writeback
 * (onprem.writeback = ldap): checks cur by the directory (unless the
 * session owes a new one), then writes pw there, once, before any
 * transaction. 0 when written; else the status of the page answered:
 * 422 (wrong current password; the directory's refusal with its
 * reason), 503 (the directory cannot answer).
 */
static int
password_to_directory(struct req *r, enum wb_backend_id backend,
    const struct q_user_by_id_row *me, const char *cur, const char *pw)
{
	struct wb_user	 wu = { me->id, me->upn };
	const char	*why = NULL;

	if (!r->sess->must_change) {
		switch (cur == NULL ? WB_REFUSED : wb_check_password(backend,
		    r->conf, &wu, cur)) {
		case WB_OK:
			break;
		case WB_REFUSED:
			return password_refused(r, "bad_current_password",
			    "Your current password is not right.", 1);
		default:
			page_error(r, 503, "The on-premises directory cannot "
			    "be reached just now: your password was not "
			    "changed. Try again later.");
			return r->status;
		}
	}
	switch (wb_set_password(backend, r->conf, &wu, pw, WB_FINAL,
	    &r->arena, &why)) {
	case WB_OK:
		return 0;
	case WB_REFUSED:
		return password_refused(r, "writeback_refused", why, 1);
	default:
		page_error(r, 503, why != NULL ? why : msg_writeback_failed);
		return r->status;
	}
}

/*
 * POST /account/password: 303 to / when changed; 422 with the reason
 * (wrong current password, mismatch, policy, same as the temporary);
 * for an on-premises person with onprem.writeback = ldap the directory
 * checks the current password and takes the new one
 * (password_to_directory: 422 with its reason, 503 when it cannot
 * answer; a database failure after it, 503 that says so).
 */
void
page_password_post(struct req *r)
{
	const char	*cur = r->in[K_CURRENT_PASSWORD].text;
	const char	*pw = r->in[K_NEW_PASSWORD].text;
	const char	*again = r->in[K_CONFIRM_PASSWORD].text;
	struct pw_person who;
	struct pwchange	 c;
	struct q_user_by_id_rows u;
	const struct q_user_by_id_row *me;
	enum wb_backend_id backend;
	const char	*msg;
	char		 hash[PW_HASH_MAX] = "";
	int		 rc, remote, onprem;

	if ((rc = q_user_by_id(r->db, &r->arena, &(struct q_user_by_id_in){
	    .id = DB_TEXT(r->sess->user_id) }, &u)) != DB_OK || u.n == 0) {
		page_db_error(r, rc != DB_OK ? rc : DB_ERR);
		return;
	}
	me = &u.row[0];
	backend = (enum wb_backend_id)settings_choice(r->settings,
	    SET_ONPREM_WRITEBACK);
	onprem = me->source != NULL && strcmp(me->source, "onprem") == 0;
	remote = onprem && wb_is_remote(backend);
	if (pw == NULL || *pw == '\0' || again == NULL) {
		password_form(r, 422, "Enter a new password twice.", onprem);
		return;
	}
	if (!remote && !r->sess->must_change && (cur == NULL ||
	    me->password_hash == NULL ||
	    pw_verify(me->password_hash, cur) != 0)) {
		password_refused(r, "bad_current_password", "Your current "
		    "password is not right.", onprem);
		return;
	}
	if (strcmp(pw, again) != 0) {
		password_form(r, 422, "The two new passwords do not match.",
		    onprem);
		return;
	}
	who.upn = me->upn;
	who.display_name = me->display_name;
	who.given_name = me->given_name;
	who.surname = me->surname;
	if ((msg = page_pw_refusal(r, &who, onprem, pw)) != NULL) {
		password_refused(r, "policy", msg, onprem);
		return;
	}
	if (!remote && me->password_hash != NULL &&
	    pw_verify(me->password_hash, pw) == 0) {
		password_form(r, 422, "Choose a password different from the "
		    "one you have now.", onprem);
		return;
	}
	c.r = r;
	c.hash = NULL;
	if (remote) {
		/* The directory's history refuses the one it has now. */
		if (password_to_directory(r, backend, me, cur, pw) != 0)
			return;
	} else if (pw_hash(pw, hash, sizeof(hash)) == -1) {
		page_error(r, 503, msg_pw_not_stored);
		return;
	} else
		c.hash = hash;
	rc = db_txn(r->db, pwchange_txn, &c);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (remote && rc != DB_OK) {
		struct audit	a = page_own_audit(r, "account.password.change",
		    NULL);

		page_writeback_unrecorded(r, &a, rc);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	/* My account says it worked (a fixed sentence, done=saved), unless
	 * a page waits that the change came before (next). */
	http_redirect(r, r->in[K_NEXT].text != NULL ? r->in[K_NEXT].text :
	    "/account?done=saved");
}

/*
 * 1 when the session's user has a mobile or alternate mobile number, so
 * a texted code would do instead of the app when sms.mfa is on (a
 * database error counts as no: the page only words its advice on it).
 */
static int
has_sms_number(struct req *r)
{
	struct q_user_phones_rows	rows;
	size_t				i;

	if (q_user_phones(r->db, &r->arena, &(struct q_user_phones_in){
	    .user = DB_TEXT(r->sess->user_id) }, &rows) != DB_OK)
		return 0;
	for (i = 0; i < rows.n; i++)
		if (rows.row[i].type != NULL && (strcmp(rows.row[i].type,
		    phone_type_id(PHONE_MOBILE)) == 0 || strcmp(rows.row[i].type,
		    phone_type_id(PHONE_ALT_MOBILE)) == 0))
			return 1;
	return 0;
}

/* The enrolment page for a pending secret (status 200 or 422). */
static void
enrol_form(struct req *r, int status, const struct totp_row *row,
    const char *msg)
{
	struct tpl	*t;
	char		 b32[64], *uri, *path, *grouped;
	size_t		 i;
	int		 size;

	if (base32_encode(row->secret, row->len, b32, sizeof(b32)) < 0) {
		page_error(r, 503, "The secret could not be shown.");
		return;
	}
	uri = arena_printf(&r->arena, "otpauth://totp/%s:%s?secret=%s&"
	    "issuer=%s&algorithm=SHA1&digits=6&period=30", ISSUER,
	    http_urlencode(&r->arena, r->sess->upn), b32, ISSUER);
	t = page_new(r, "Set up your authenticator app");
	tpl_show(t, "FORM");
	tpl_set(t, "CSRF", r->sess->csrf);
	page_next_field(r, t);
	tpl_set(t, "SECRET", b32);
	/* The QR code's URI as a link, for the phone that shows the page. */
	tpl_set(t, "OTPAUTH_URL", uri);
	/* Groups of four to type from; the key in one piece to copy. */
	for (grouped = arena_strdup(&r->arena, ""), i = 0; b32[i] != '\0';
	    i += 4)
		grouped = arena_printf(&r->arena, "%s%s%.4s", grouped,
		    i > 0 ? " " : "", b32 + i);
	tpl_set(t, "SECRET_GROUPED", grouped);
	if ((path = qr_svg_path(&r->arena, uri, &size)) != NULL) {
		tpl_show(t, "QR");
		tpl_set(t, "QR_PATH", path);
		tpl_set_int(t, "QR_SIZE", size);
	}
	if (sess_needs_mfa(r->sess))
		tpl_show(t, "REQUIRED");
	/* With texted codes off, a number would not help: no word of it. */
	if (sess_needs_mfa(r->sess) && settings_int(r->settings, SET_SMS_MFA) &&
	    !has_sms_number(r))
		tpl_show(t, "NO_PHONE");
	if (msg != NULL) {
		tpl_show(t, "ERROR");
		tpl_set(t, "MESSAGE", msg);
	}
	OPENSSL_cleanse(b32, sizeof(b32));
	page_render(r, status, "enrol.tpl", t);
}

/*
 * A session signed in with a texted code alone may not add an
 * authenticator app: the app would then stand for a second factor that
 * only the phone proved. 0 to go on, else the status of the 403.
 */
static int
enrol_by_text(struct req *r)
{
	if (!r->sess->signin_sms)
		return 0;
	page_forbid(r, &(struct audit){ .reason = "signin_sms",
	    .client = "account" }, "To set up an authenticator app, sign in "
	    "with your password: a texted code alone cannot add one.");
	return r->status;
}

/*
 * GET /account/mfa: the recovery codes once right after enrolment, else
 * the state of the authenticator, else the secret this session is
 * setting up (made on the first visit, kept in the session: stable
 * across reloads, invisible to the user's other sessions).
 */
void
page_enrol(struct req *r)
{
	struct totp_row	 row;
	struct tpl	*t;
	enum sess_flash	 kind;
	char		*codes, *line, *save;
	size_t		 len;
	int		 rc, n;

	if (enrol_by_text(r) != 0)
		return;
	if ((codes = sess_flash_take(r, NULL, &kind)) != NULL &&
	    kind == FLASH_RECOVERY_CODES) {
		len = strlen(codes);	/* strtok_r cuts it into lines */
		t = page_new(r, "Your recovery codes");
		tpl_show(t, "RECOVERY");
		tpl_set(t, "CONTINUE", r->in[K_NEXT].text != NULL ?
		    r->in[K_NEXT].text : "/");
		for (line = strtok_r(codes, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			tpl_set(tpl_section(t, "CODE"), "CODE_TEXT", line);
		page_render(r, 200, "enrol.tpl", t);
		OPENSSL_cleanse(codes, len);
		return;
	}
	if (r->sess->has_totp) {
		if (sess_needs_mfa(r->sess)) {
			http_redirect(r, page_then(r, "/login/mfa",
			    r->in[K_NEXT].text));
			return;
		}
		t = page_new(r, "Authenticator app");
		tpl_show(t, "ENROLLED");
		page_render(r, 200, "enrol.tpl", t);
		return;
	}
	memset(&row, 0, sizeof(row));
	if ((n = sess_enrol_get(r, row.secret, sizeof(row.secret))) > 0)
		row.len = (size_t)n;
	else {
		random_bytes(row.secret, TOTP_SECRET_BYTES);
		row.len = TOTP_SECRET_BYTES;
		if ((rc = sess_enrol_put(r->db, r, row.secret, row.len)) !=
		    DB_OK) {
			OPENSSL_cleanse(&row, sizeof(row));
			page_db_error(r, rc);
			return;
		}
	}
	enrol_form(r, 200, &row, NULL);
	OPENSSL_cleanse(&row, sizeof(row));
}

struct enrol {
	struct req	*r;
	const unsigned char *secret;
	size_t		 len;
	int64_t		 step;
	char		 codes[RECOVERY_CODES][CODE_RECOVERY_SIZE];
	struct sess_new	 next;
};

static int
enrol_txn(struct db *db, void *arg)
{
	struct enrol	*e = arg;
	struct req	*r = e->r;
	struct audit	 a = page_own_audit(r, "account.mfa.enroll",
	    "{\"method\":\"totp\"}");
	char		*all;
	size_t		 i;
	int		 rc;

	memset(&e->next, 0, sizeof(e->next));
	if ((rc = db_totp_enrol(db, r->conf->data_key, r->sess->user_id,
	    e->secret, e->len, e->step)) != DB_OK)
		return rc;	/* DB_NONE: set up meanwhile */
	if ((rc = sess_enrol_put(db, r, NULL, 0)) != DB_OK ||
	    (rc = page_audit_row(db, r, &a)) != DB_OK ||
	    (rc = db_recovery_new(db, r->sess->user_id, e->codes)) != DB_OK)
		return rc;
	/* Set up during sign-in: this completes it, as MFA would. */
	if (sess_needs_mfa(r->sess) && ((rc = q_user_signin_ok(db,
	    &(struct q_user_signin_ok_in){ .id = DB_TEXT(r->sess->user_id) },
	    NULL)) != DB_OK || (rc = sess_start(db, r, r->sess->user_id,
	    SESS_MFA_DONE, &e->next)) != DB_OK))
		return rc;
	all = arena_strdup(&r->arena, "");
	for (i = 0; i < RECOVERY_CODES; i++)
		all = arena_printf(&r->arena, "%s%s\n", all, e->codes[i]);
	/* For the page after this one: the new session's, if there is one. */
	return sess_flash_put(db, r, e->next.hash[0] != '\0' ? e->next.hash :
	    r->sess->token_hash, FLASH_RECOVERY_CODES, NULL, all);
}

/* A wrong code at enrolment, audited as the MFA prompt's are. */
static int
enrol_wrong_txn(struct db *db, void *arg)
{
	struct req	*r = arg;
	struct audit	 a = page_own_audit(r, "account.mfa.enroll",
	    "{\"method\":\"totp\"}");

	a.ok = 0;
	a.reason = "bad_code";
	return page_audit_row(db, r, &a);
}

/*
 * POST /account/mfa: confirms this session's secret with a code; 303 to
 * the page that shows the recovery codes once; 422 on a wrong code
 * (audited).
 */
void
page_enrol_post(struct req *r)
{
	struct totp_row	 row;
	struct enrol	 e;
	int		 rc, n;

	if (enrol_by_text(r) != 0)
		return;
	memset(&row, 0, sizeof(row));
	if (r->sess->has_totp ||
	    (n = sess_enrol_get(r, row.secret, sizeof(row.secret))) <= 0) {
		http_redirect(r, page_then(r, "/account/mfa",
		    r->in[K_NEXT].text));
		return;
	}
	row.len = (size_t)n;
	memset(&e, 0, sizeof(e));
	e.r = r;
	e.secret = row.secret;
	e.len = row.len;
	if (r->in[K_CODE].text == NULL || totp_verify(row.secret, row.len,
	    r->in[K_CODE].text, now_s(), -1, &e.step) != 0) {
		if ((rc = db_txn(r->db, enrol_wrong_txn, r)) != DB_OK)
			page_db_error(r, rc);
		else
			enrol_form(r, 422, &row, "That code is not right. Enter "
			    "the 6-digit code your app shows now.");
		OPENSSL_cleanse(&row, sizeof(row));
		return;
	}
	rc = db_txn(r->db, enrol_txn, &e);
	OPENSSL_cleanse(&row, sizeof(row));
	OPENSSL_cleanse(e.codes, sizeof(e.codes));
	if (rc < 0) {
		page_db_error(r, rc);
		return;
	}
	if (rc == DB_OK && e.next.hash[0] != '\0')
		sess_adopt(r, &e.next);
	http_redirect(r, page_then(r, "/account/mfa", r->in[K_NEXT].text));
}

/*
 * actions.c: what a manager comes for:
 * /users/{id}/reset-password (and its .../done result page) and
 * /users/{id}/phone. authz_check() decides, as it does for the buttons;
 * every change and its audit row commit together, and a refusal is
 * audited too.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/codes.h"
#include "auth/onprem.h"
#include "auth/password.h"
#include "authz.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "http.h"
#include "keys.h"
#include "log.h"
#include "pages/pages.h"
#include "pages/person.h"
#include "phone.h"
#include "search.h"
#include "session.h"
#include "settings.h"
#include "sms.h"
#include "tpl.h"
#include "writeback.h"

/* Transaction outcomes that roll back (db_txn passes them on). */
enum { TXN_CONFLICT = DB_REFUSED, TXN_WRITEBACK, TXN_DUP_MOBILE,
    TXN_WB_REFUSED };


/*
 * Checks act on the person: 0 when allowed, else the status of the 403
 * page that gave the reason, audited (page_forbid).
 */
static int
allowed(struct req *r, const struct person *pp, enum authz_action act,
    const char *action)
{
	enum authz_reason	why;

	if ((why = authz_check(r->actor, &pp->t, act)) == AUTHZ_OK)
		return 0;
	page_forbid(r, &(struct audit){
	    .action = r->method == HTTP_POST ? action : NULL,
	    .reason = authz_reason_code(why),
	    .target_id = pp->id,
	    .target_name = pp->name,
	    .client = "mystaff",
	    .details = "{\"initiatedBy\":\"My Staff\"}",
	}, authz_reason_text(why));
	return r->status;
}

/* The reset form: cloud (confirm) or on-premises (password twice). */
static void
reset_form(struct req *r, int status, const struct person *pp,
    const char *const *errors, size_t nerrors)
{
	struct tpl	*t = page_new(r, "Reset password");
	const char	*mobile = pp->phone[PHONE_MOBILE];
	size_t		 i;

	tpl_set(t, "CSRF", r->sess->csrf);
	tpl_set(t, "ID", pp->id);
	tpl_set(t, "NAME", pp->name);
	tpl_set(t, "UPN", pp->upn);
	tpl_set_int(t, "VERSION", pp->version);
	tpl_set_int(t, "TTL", settings_int(r->settings,
	    SET_RESET_TEMP_TTL_HOURS));
	if (pp->onprem) {
		tpl_show(t, "ONPREM");
		tpl_set_int(t, "MIN_LENGTH", settings_int(r->settings,
		    SET_ONPREM_MIN_LENGTH));
		if (settings_int(r->settings, SET_ONPREM_COMPLEXITY))
			tpl_show(t, "COMPLEXITY");
		if (settings_int(r->settings, SET_ONPREM_NO_ACCOUNT_NAME))
			tpl_show(t, "NO_ACCOUNT_NAME");
	} else if (settings_choice(r->settings, SET_RESET_DELIVER) ==
	    DELIVER_SMS) {
		tpl_show(t, "CLOUD_SMS");
		tpl_set(t, "MOBILE", mobile ? phone_mask(&r->arena, mobile) :
		    "");
		if (mobile == NULL)
			tpl_show(t, "NO_MOBILE");
	} else
		tpl_show(t, "CLOUD_SHOW");
	/* A disabled account: what to do instead, and no button to press. */
	if (!pp->u.enabled && nerrors == 0)
		tpl_show(t, "DISABLED");
	else if (pp->u.enabled)
		tpl_show(t, "FORM");
	if (nerrors > 0)
		tpl_show(t, "ERRORS");	/* one box, one id, every reason */
	for (i = 0; i < nerrors; i++)
		tpl_set(tpl_section(t, "ERROR"), "MESSAGE", errors[i]);
	page_render(r, status, "reset.tpl", t);
}

/* GET /users/{id}/reset-password: the confirm page; 403 when not allowed. */
void
page_reset(struct req *r)
{
	struct person	pp;

	if (person_of_url(r, &pp) != 0 || allowed(r, &pp, AUTHZ_RESET_PASSWORD,
	    "user.password.reset") != 0)
		return;
	reset_form(r, 200, &pp, NULL, 0);
}

struct reset {
	struct req		*r;
	const struct person	*pp;
	const char		*password;	/* the new one, in clear */
	const char		*hash;
	int64_t			 version;
	const char		*delivery;	/* shown, sms, typed */
	const char		*mobile;
	char			*text;		/* the SMS, with the password */
	const char		*why;		/* writeback's refusal */
	int			 written;	/* a remote directory has it */
	uint64_t		 sms_id;
	int64_t			 retry_after;	/* an SMS limit's, seconds */
};

/* The audit details of a reset. */
static const char *
reset_details(struct req *r, const struct reset *x)
{
	return arena_printf(&r->arena, "{\"initiatedBy\":\"My Staff\","
	    "\"source\":\"%s\",\"delivery\":\"%s\",\"to\":%s%s}",
	    x->pp->onprem ? "onprem" : "cloud", x->delivery, x->mobile ?
	    json_string(&r->arena, phone_mask(&r->arena, x->mobile)) : "null",
	    x->written ? ",\"writeback\":\"directory\"" : "");
}

static int
reset_txn(struct db *db, void *arg)
{
	struct reset	*x = arg;
	struct req	*r = x->r;
	struct audit	 a = {
		.action = "user.password.reset",
		.ok = 1,
		.target_id = x->pp->id,
		.target_name = x->pp->name,
		.client = "mystaff",
	};
	struct wb_user	 wu = { x->pp->id, x->pp->upn };
	uint64_t	 n = 0;
	int		 rc;

	/* A remote directory was written once, before: only recorded here. */
	if ((rc = q_user_reset(db, &(struct q_user_reset_in){
	    .password_hash = DB_TEXT(x->hash),
	    .ttl_seconds = DB_INT(settings_int(r->settings,
	    SET_RESET_TEMP_TTL_HOURS) * 3600),
	    .id = DB_TEXT(x->pp->id),
	    .version = DB_INT(x->version) }, &n)) != DB_OK)
		return rc;
	if (n != 1 && !x->written)
		return TXN_CONFLICT;
	if (x->pp->onprem && !x->written && wb_set_password((enum wb_backend_id)
	    settings_choice(r->settings, SET_ONPREM_WRITEBACK), r->conf, &wu,
	    x->password, WB_MUST_CHANGE, &r->arena, &x->why) != WB_OK)
		return TXN_WRITEBACK;
	/* Every session of the person ends. */
	if ((rc = q_sess_delete_user(db, &(struct q_sess_delete_user_in){
	    .user = DB_TEXT(x->pp->id) }, NULL)) != DB_OK)
		return rc;
	/* The text goes through the limits: refused, nothing happened. */
	if (x->mobile != NULL && (rc = sms_queue(db, r->settings,
	    r->conf->data_key, &(struct sms_msg){ SMS_RESET_TEMP, x->pp->id,
	    x->mobile, x->text, r->ip }, &x->sms_id, &x->retry_after)) != 0)
		return rc;
	a.details = reset_details(r, x);
	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	/* What the result page shows, once. */
	if (strcmp(x->delivery, "shown") == 0)
		return sess_flash_put(db, r, r->sess->token_hash,
		    FLASH_RESET_SHOWN, x->pp->id, x->password);
	if (x->mobile != NULL)
		return sess_flash_put(db, r, r->sess->token_hash,
		    FLASH_RESET_SMS, x->pp->id, phone_mask(&r->arena,
		    x->mobile));
	return sess_flash_put(db, r, r->sess->token_hash, FLASH_RESET_TYPED,
	    x->pp->id, "");
}

struct failure {
	struct req		*r;
	const struct person	*pp;
	const char		*action, *reason, *details;
};

static int
failure_txn(struct db *db, void *arg)
{
	struct failure	*f = arg;
	struct audit	 a = {
		.action = f->action,
		.reason = f->reason,
		.target_id = f->pp->id,
		.target_name = f->pp->name,
		.client = "mystaff",
		.details = f->details,
	};

	return page_audit_row(db, f->r, &a);
}

/* Audits a refusal that changed nothing: 0, or 503 (answered). */
static int
audit_failure_details(struct req *r, const struct person *pp,
    const char *action, const char *reason, const char *details)
{
	struct failure	f = { r, pp, action, reason, details };
	int		rc;

	if ((rc = db_txn(r->db, failure_txn, &f)) != DB_OK) {
		page_db_error(r, rc);
		return r->status;
	}
	return 0;
}

static int
audit_failure(struct req *r, const struct person *pp, const char *action,
    const char *reason)
{
	return audit_failure_details(r, pp, action, reason,
	    "{\"initiatedBy\":\"My Staff\"}");
}

/*
 * The remote directory's write of an on-premises reset, once, before
 * any transaction (writeback.h): 0 and x->written; TXN_CONFLICT when
 * the form is out of date (nothing written); TXN_WB_REFUSED with the
 * directory's reason in x->why; TXN_WRITEBACK when it is unavailable.
 */
static int
reset_writeback(struct req *r, enum wb_backend_id backend, struct reset *x)
{
	struct wb_user	wu = { x->pp->id, x->pp->upn };

	if (x->version != x->pp->version)
		return TXN_CONFLICT;
	switch (wb_set_password(backend, r->conf, &wu, x->password,
	    WB_MUST_CHANGE, &r->arena, &x->why)) {
	case WB_OK:
		x->written = 1;
		return 0;
	case WB_REFUSED:
		return TXN_WB_REFUSED;
	default:
		return TXN_WRITEBACK;
	}
}

/*
 * POST /users/{id}/reset-password: 303 to the result page; 403 when not
 * allowed (audited); 422 for a refused on-premises password (each
 * broken rule listed, the part of the name it contains named; audited
 * as a failure, reason policy) or when the password changed since the form was
 * shown (a second manager, a double submit: nothing is changed twice);
 * 429 (with Retry-After) when the text of reset.deliver=sms is over an
 * SMS limit, 422 when its number may not be texted (nothing changed,
 * the refusal audited); 422 with its reason when the on-premises
 * directory refuses the password (onprem.writeback = ldap: ppolicy's
 * length, history, quality; audited, nothing changed); 503 when
 * writeback or the database is unavailable (nothing changed), or when
 * the directory took the password and the database then failed (the
 * page says so: page_writeback_unrecorded). A text that was queued
 * but could not be delivered is said on the result page (the row
 * waits for `staffdesk-admin sms flush`).
 */
void
page_reset_post(struct req *r)
{
	struct person		 pp;
	struct reset		 x;
	struct onprem_policy	 pol;
	struct pw_person	 who;
	const char		*errors[ONPREM__MAX + 1];
	char			 temp[TEMP_PW_LEN + 1], hash[PW_HASH_MAX];
	char			 buf[ONPREM__MAX][ONPREM_MESSAGE_MAX];
	const char		*pw = r->in[K_NEW_PASSWORD].text;
	enum wb_backend_id	 backend;
	unsigned		 broken;
	size_t			 nerr = 0;
	int			 rc, i;

	if (person_of_url(r, &pp) != 0 || allowed(r, &pp, AUTHZ_RESET_PASSWORD,
	    "user.password.reset") != 0)
		return;
	if (r->in[K_VERSION].text == NULL) {
		page_error(r, 400, "The form is missing its version. Reload "
		    "the page and try again.");
		return;
	}
	/* No password signs a disabled person in: a reset would only
	 * send them and their manager round in a loop. */
	if (!pp.u.enabled) {
		if (audit_failure(r, &pp, "user.password.reset",
		    "disabled") != 0)
			return;
		errors[0] = arena_printf(&r->arena, "The password was not "
		    "reset: %s's account is disabled, and no password signs "
		    "in to it. An administrator must enable it first.",
		    pp.name);
		reset_form(r, 422, &pp, errors, 1);
		return;
	}
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.pp = &pp;
	x.version = r->in[K_VERSION].i;
	if (pp.onprem) {
		pol = settings_onprem_policy(r->settings);
		who.upn = pp.upn;
		who.display_name = pp.name;
		who.given_name = pp.u.given_name;
		who.surname = pp.u.surname;
		if (pw == NULL || *pw == '\0')
			errors[nerr++] = "Type the new password twice.";
		else if (r->in[K_CONFIRM_PASSWORD].text == NULL ||
		    strcmp(pw, r->in[K_CONFIRM_PASSWORD].text) != 0)
			errors[nerr++] = "The two passwords do not match.";
		else if ((broken = onprem_check(pw, &who, &pol)) != 0) {
			for (i = 0; i < ONPREM__MAX; i++)
				if (broken & (1u << i))
					errors[nerr++] = onprem_refusal_text(i,
					    &pol, pw, &who, 0, buf[i],
					    sizeof(buf[i]));
			/* Audited as a person's own refused change is. */
			if (audit_failure(r, &pp, "user.password.reset",
			    "policy") != 0)
				return;
		}
		if (nerr > 0) {
			reset_form(r, 422, &pp, errors, nerr);
			return;
		}
		x.password = pw;
		x.delivery = "typed";
	} else {
		if (code_temp_password(temp, sizeof(temp)) == -1) {
			page_error(r, 503, "No temporary password could be "
			    "made. Try again.");
			return;
		}
		x.password = temp;
		x.delivery = "shown";
		if (settings_choice(r->settings, SET_RESET_DELIVER) ==
		    DELIVER_SMS) {
			if ((x.mobile = pp.phone[PHONE_MOBILE]) == NULL) {
				errors[0] = "This person has no mobile "
				    "number to send the password to.";
				reset_form(r, 422, &pp, errors, 1);
				return;
			}
			x.delivery = "sms";
			x.text = arena_printf(&r->arena, "Your temporary "
			    "staffdesk password is %s - it works once and "
			    "must be changed.", temp);
		}
	}
	backend = (enum wb_backend_id)settings_choice(r->settings,
	    SET_ONPREM_WRITEBACK);
	if (pp.onprem && wb_is_remote(backend)) {
		/* The directory holds it; staffdesk keeps no copy. */
		rc = reset_writeback(r, backend, &x);
		hash[0] = '\0';
	} else if (pw_hash(x.password, hash, sizeof(hash)) == -1) {
		OPENSSL_cleanse(temp, sizeof(temp));
		page_error(r, 503, msg_pw_not_stored);
		return;
	} else {
		x.hash = hash;
		rc = DB_OK;
	}
	if (rc == DB_OK)
		rc = db_txn(r->db, reset_txn, &x);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (x.written && rc != DB_OK) {
		page_writeback_unrecorded(r, &(struct audit){
		    .action = "user.password.reset", .target_id = pp.id,
		    .target_name = pp.name, .client = "mystaff" }, rc);
		return;
	}
	if (x.text != NULL)
		OPENSSL_cleanse(x.text, strlen(x.text));
	if (rc == DB_OK && x.mobile != NULL) {
		int	sent = sms_send(r->db, r->conf, x.sms_id) == 0;

		/* The result page must not say "sent" when it was not. */
		if (!sent && sess_flash_put(r->db, r, r->sess->token_hash,
		    FLASH_RESET_SMS_FAILED, pp.id, phone_mask(&r->arena,
		    x.mobile)) != DB_OK)
			log_msg(LOG_WARN, "reset of %s: SMS failed, and the "
			    "result page could not be told", pp.id);
	}
	OPENSSL_cleanse(temp, sizeof(temp));
	if (sms_is_refusal(rc)) {
		if (audit_failure_details(r, &pp, "user.password.reset",
		    sms_refusal_code(rc), arena_printf(&r->arena,
		    "{\"initiatedBy\":\"My Staff\",\"delivery\":\"sms\","
		    "\"to\":%s,\"retryAfter\":%lld}", json_string(&r->arena,
		    phone_mask(&r->arena, x.mobile)),
		    (long long)x.retry_after)) != 0)
			return;
		errors[0] = arena_printf(&r->arena, "The password was not "
		    "reset. %s", sms_refusal_text(&r->arena, rc,
		    x.retry_after));
		r->retry_after = x.retry_after;
		reset_form(r, sms_is_limit(rc) ? 429 : 422, &pp, errors, 1);
		return;
	}
	if (rc == TXN_CONFLICT) {
		if (audit_failure(r, &pp, "user.password.reset",
		    "changed_meanwhile") != 0)
			return;
		/* A double submit: the first one's result is waiting. */
		if (sess_flash_waiting(r, pp.id)) {
			http_redirect(r, arena_printf(&r->arena,
			    "/users/%s/reset-password/done", pp.id));
			return;
		}
		errors[0] = "This password was changed a moment ago (by "
		    "another manager, or by this form sent twice). Nothing "
		    "was changed now: the temporary password given then is "
		    "the one that works.";
		if (person_of_url(r, &pp) != 0)
			return;
		reset_form(r, 422, &pp, errors, 1);
		return;
	}
	if (rc == TXN_WB_REFUSED) {
		if (audit_failure_details(r, &pp, "user.password.reset",
		    "writeback_refused", arena_printf(&r->arena,
		    "{\"initiatedBy\":\"My Staff\",\"why\":%s}",
		    json_string(&r->arena, x.why))) != 0)
			return;
		errors[0] = x.why;
		reset_form(r, 422, &pp, errors, 1);
		return;
	}
	if (rc == TXN_WRITEBACK) {
		if (audit_failure(r, &pp, "user.password.reset",
		    "writeback_unavailable") != 0)
			return;
		page_error(r, 503, x.why != NULL ? x.why :
		    msg_writeback_failed);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	http_redirect(r, arena_printf(&r->arena,
	    "/users/%s/reset-password/done", pp.id));
}

/*
 * GET /users/{id}/reset-password/done: the result of this manager's
 * reset, once (a reload shows that it was shown, not the password).
 */
void
page_reset_done(struct req *r)
{
	struct person	 pp;
	struct tpl	*t;
	enum sess_flash	 kind;
	char		*flash;

	if (person_of_url(r, &pp) != 0 || allowed(r, &pp, AUTHZ_RESET_PASSWORD,
	    NULL) != 0)
		return;
	t = page_new(r, "Password reset");
	tpl_set(t, "ID", pp.id);
	tpl_set(t, "NAME", pp.name);
	tpl_set_int(t, "TTL", settings_int(r->settings,
	    SET_RESET_TEMP_TTL_HOURS));
	flash = sess_flash_take(r, pp.id, &kind);
	if (flash == NULL)
		tpl_show(t, "GONE");
	else if (kind == FLASH_RESET_SHOWN) {
		tpl_show(t, "SHOWN");
		tpl_set(t, "TEMP", flash);
	} else if (kind == FLASH_RESET_SMS) {
		tpl_show(t, "SMS");
		tpl_set(t, "MOBILE", flash);
	} else if (kind == FLASH_RESET_SMS_FAILED) {
		tpl_show(t, "SMS_FAILED");
		tpl_set(t, "MOBILE", flash);
	} else
		tpl_show(t, "TYPED");
	page_render(r, 200, "reset_done.tpl", t);
	if (flash != NULL)
		OPENSSL_cleanse(flash, strlen(flash));
}

/*
 * The phone page, with a message and the typed value kept for one type.
 * A refusal (msg) also says so where a phone shows it first: the title's
 * note and a summary above the forms, linking to the refused field.
 */
static void
phone_form(struct req *r, int status, const struct person *pp, int bad_type,
    const char *typed, const char *msg)
{
	struct tpl	*t = page_new(r, "Phone numbers");
	struct tpl	*s;
	int		 k;

	if (msg != NULL && bad_type >= 0 && bad_type < PHONE__MAX) {
		page_title_refused(t);
		tpl_show(t, "SUMMARY");
		tpl_set(t, "SUMMARY_TYPE_ID", phone_type_id(bad_type));
		tpl_set(t, "SUMMARY_FIELD", arena_printf(&r->arena,
		    "%s number", phone_type_name(bad_type)));
		tpl_set(t, "SUMMARY_MESSAGE", msg);
	}
	tpl_set(t, "ID", pp->id);
	tpl_set(t, "NAME", pp->name);
	tpl_set(t, "COUNTRY", settings_str(r->settings, SET_PHONE_COUNTRY));
	tpl_show(t, *settings_str(r->settings, SET_PHONE_COUNTRY) != '\0' ?
	    "LOCAL" : "INTL");
	for (k = 0; k < PHONE__MAX; k++) {
		s = tpl_section(t, "TYPE");
		tpl_set(s, "CSRF", r->sess->csrf);
		tpl_set(s, "TYPE_ID", phone_type_id(k));
		tpl_set(s, "TYPE_NAME", phone_type_name(k));
		tpl_set(s, "NUMBER", k == bad_type ? typed : pp->phone[k]);
		tpl_set(s, "WAS", pp->phone[k] != NULL ? pp->phone[k] : "");
		if (k == PHONE_OFFICE)
			tpl_show(s, "EXT_HINT");
		if (pp->phone[k] != NULL)
			tpl_show(s, "CAN_REMOVE");
		if (k == bad_type && msg != NULL) {
			tpl_show(s, "ERROR");
			tpl_set(s, "MESSAGE", msg);
		}
	}
	page_render(r, status, "phone.tpl", t);
}

/* GET /users/{id}/phone: the three numbers; 403 when not allowed. */
void
page_phone(struct req *r)
{
	struct person	pp;

	if (person_of_url(r, &pp) != 0 || allowed(r, &pp, AUTHZ_MANAGE_PHONES,
	    "user.phone.update") != 0)
		return;
	phone_form(r, 200, &pp, -1, NULL, NULL);
}

struct phone_change {
	struct req		*r;
	struct person		*pp;
	enum phone_type		 type;
	const char		*number;	/* NULL: remove */
	uint64_t		 notice_id;	/* the text to the old number */
};

#define PHONE_NOTICE	"Your staffdesk phone number was changed by your " \
    "manager. If this was not expected, tell them."

/*
 * When a mobile (or alternate mobile) number is added over, changed or
 * removed, the previous number is told, so that a manager cannot take
 * over someone's texts unnoticed. Over an SMS limit (or to a country
 * not allowed) the notice is not sent but the change still happens:
 * the audit row's "notice" says which ("queued", or the refusal code
 * with "noticeRetryAfter"). DB_OK with *json the members for the
 * audit row's details (with a leading comma; "" when there is nothing
 * to tell), or a db_err.
 */
static int
phone_notice(struct db *db, struct phone_change *c, const char *old,
    const char **json)
{
	struct req	*r = c->r;
	int64_t		 wait = 0;
	int		 rc;

	*json = "";
	if (old == NULL || c->type == PHONE_OFFICE)
		return DB_OK;
	rc = sms_queue(db, r->settings, r->conf->data_key, &(struct sms_msg){
	    SMS_NOTIFY, c->pp->id, old, PHONE_NOTICE, r->ip }, &c->notice_id,
	    &wait);
	if (rc < 0)
		return rc;
	if (rc == 0)
		*json = ",\"notice\":\"queued\"";
	else {
		c->notice_id = 0;
		*json = arena_printf(&r->arena, ",\"notice\":\"%s\","
		    "\"noticeRetryAfter\":%lld", sms_refusal_code(rc),
		    (long long)wait);
	}
	return DB_OK;
}

/*
 * DB_OK when the person's phones, locked, are still those the form was
 * checked against (c->pp): else TXN_CONFLICT, as two changes at once
 * would each have been checked against the numbers before the other
 * (an alternate mobile left without a mobile, a notice to the wrong
 * number, search words and audit rows of numbers that were not so).
 */
static int
phones_as_read(struct db *db, const struct phone_change *c)
{
	struct q_user_phones_rows	 rows;
	const char			*now[PHONE__MAX] = { NULL };
	const char			*was;
	size_t				 i;
	int				 rc, k;

	if ((rc = q_user_phones_lock(db, &c->r->arena,
	    &(struct q_user_phones_lock_in){ .user = DB_TEXT(c->pp->id) },
	    &rows)) != DB_OK)
		return rc;
	if (rows.n == 0)
		return TXN_CONFLICT;	/* gone since */
	for (i = 0; i < rows.n; i++)
		if (rows.row[i].type != NULL &&
		    (k = phone_type_parse(rows.row[i].type)) >= 0)
			now[k] = rows.row[i].number;
	for (k = 0; k < PHONE__MAX; k++) {
		was = c->pp->phone[k];
		if ((now[k] == NULL) != (was == NULL) ||
		    (was != NULL && strcmp(now[k], was) != 0))
			return TXN_CONFLICT;
	}
	return DB_OK;
}

static int
phone_txn(struct db *db, void *arg)
{
	struct phone_change	*c = arg;
	struct req		*r = c->r;
	const char		*old = c->pp->phone[c->type];
	const char		*phones[PHONE__MAX];
	struct db_val		 user = DB_TEXT(c->pp->id);
	struct db_val		 type = DB_TEXT(phone_type_id(c->type));
	struct audit		 a = {
		.action = c->number == NULL ? "user.phone.remove" :
		    old == NULL ? "user.phone.add" : "user.phone.update",
		.ok = 1,
		.target_id = c->pp->id,
		.target_name = c->pp->name,
		.client = "mystaff",
	};
	const char		*notice;
	uint64_t		 n = 0;
	size_t			 np = 0;
	int			 rc, k;

	if ((rc = phones_as_read(db, c)) != DB_OK)
		return rc;
	if (c->number != NULL && old != NULL)
		rc = q_phone_update(db, &(struct q_phone_update_in){
		    .number = DB_TEXT(c->number), .user = user, .type = type },
		    &n);
	else if (c->number != NULL)
		rc = q_phone_insert(db, &(struct q_phone_insert_in){
		    .user = user, .type = type, .number = DB_TEXT(c->number) },
		    &n);
	else
		rc = q_phone_delete(db, &(struct q_phone_delete_in){
		    .user = user, .type = type }, &n);
	if (rc == DB_DUP)
		return TXN_DUP_MOBILE;
	if (rc != DB_OK)
		return rc;
	if (n != 1)
		return TXN_CONFLICT;	/* changed since the page was read */
	/* Texts waiting for the old number, and codes sent to it, die. */
	if (old != NULL && ((rc = q_sms_forget_number(db,
	    &(struct q_sms_forget_number_in){ .user = user,
	    .number = DB_TEXT(old) }, NULL)) != DB_OK ||
	    (rc = q_otp_forget_user(db, &(struct q_otp_forget_user_in){
	    .user = user }, NULL)) != DB_OK))
		return rc;
	if ((rc = phone_notice(db, c, old, &notice)) != DB_OK)
		return rc;
	a.details = arena_printf(&r->arena, "{\"initiatedBy\":\"My Staff\","
	    "\"type\":\"%s\",\"old\":%s,\"new\":%s%s}",
	    phone_type_id(c->type), old ? json_string(&r->arena,
	    phone_mask(&r->arena, old)) : "null", c->number ?
	    json_string(&r->arena, phone_mask(&r->arena, c->number)) : "null",
	    notice);
	if ((rc = page_audit_row(db, r, &a)) != DB_OK)
		return rc;
	/* The search words: the numbers as they are after this change. */
	for (k = 0; k < PHONE__MAX; k++)
		if (k == (int)c->type ? c->number != NULL :
		    c->pp->phone[k] != NULL)
			phones[np++] = k == (int)c->type ? c->number :
			    c->pp->phone[k];
	return search_index(db, &r->arena, "user", c->pp->id, c->pp->name,
	    c->pp->upn, c->pp->u.email, phones, np);
}

/* 303 to the profile, whose notice says what was done (person.c). */
static void
phone_done_redirect(struct req *r, const struct person *pp, int type,
    enum done done)
{
	http_redirect(r, arena_printf(&r->arena, "/users/%s?done=%s&type=%s",
	    pp->id, route_keys[K_DONE].choices[done], phone_type_id(type)));
}

/*
 * The phone page again, 422, for a change made to a number other than
 * the one it is now (changed in another window since, or at the same
 * moment): says what the number is now. A save keeps what was typed,
 * to save again; a remove shows the number it would now remove.
 */
static void
phone_changed(struct req *r, const struct person *pp, int t,
    enum phone_action action, const char *typed)
{
	const char	*now = pp->phone[t], *is, *todo;
	char		*type;

	if (now != NULL)
		is = arena_printf(&r->arena, "this one is now %s",
		    phone_format(&r->arena, now));
	else {
		type = arena_strdup(&r->arena, phone_type_name(t));
		type[0] = (char)tolower((unsigned char)type[0]);
		is = arena_printf(&r->arena, "there is no %s number now", type);
	}
	todo = action == PHONE_REMOVE ? "Nothing was removed." : now != NULL ?
	    "Save again to put the number below in its place." :
	    "Save again to add the number below.";
	phone_form(r, 422, pp, t, action == PHONE_REMOVE ? now : typed,
	    arena_printf(&r->arena, "The numbers were changed since this page "
	    "was opened, perhaps in another window: %s. %s", is, todo));
}

/*
 * POST /users/{id}/phone (type, number, was, action = save | remove):
 * 303 to the profile; 403 when not allowed (audited); 422 with the
 * typed value kept for a number that is not E.164, an alternate mobile
 * without a mobile, a mobile and alternate mobile that are one number, a
 * mobile registered to someone else, nothing to remove, or a number
 * that is no longer the one the form showed (was: a change from an older
 * page would silently undo a newer one). The previous mobile or
 * alternate mobile number is texted PHONE_NOTICE (phone_notice(): over
 * a limit, the change happens without it).
 */
void
page_phone_post(struct req *r)
{
	enum phone_action	 action = r->in[K_PHONE_ACTION].text != NULL ?
	    (enum phone_action)r->in[K_PHONE_ACTION].i : PHONE_SAVE;
	const char		*number = r->in[K_NUMBER].text, *why = NULL;
	const char		*was = r->in[K_WAS].text;
	struct phone_change	 c;
	struct person		 pp;
	char			 norm[PHONE_MAX];
	int			 t, rc;

	if (person_of_url(r, &pp) != 0)
		return;
	if (r->in[K_TYPE].text == NULL) {
		page_error(r, 400, "The form names no phone type.");
		return;
	}
	t = (int)r->in[K_TYPE].i;
	if (allowed(r, &pp, AUTHZ_MANAGE_PHONES, action == PHONE_REMOVE ?
	    "user.phone.remove" : pp.phone[t] ? "user.phone.update" :
	    "user.phone.add") != 0)
		return;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.pp = &pp;
	c.type = (enum phone_type)t;
	if (action == PHONE_REMOVE) {
		if (pp.phone[t] == NULL)
			why = "There is no number of this type to remove.";
		else if (t == PHONE_MOBILE && pp.phone[PHONE_ALT_MOBILE])
			why = "Remove the alternate mobile number first, or "
			    "make it the mobile number.";
	} else if (number == NULL || *number == '\0')
		why = "Type the number.";
	else if (phone_normalise_in(number, settings_str(r->settings,
	    SET_PHONE_COUNTRY), t == PHONE_OFFICE, norm, &why) == 0) {
		c.number = norm;
		if (t == PHONE_ALT_MOBILE && pp.phone[PHONE_MOBILE] == NULL)
			why = "Add a mobile number before an alternate one.";
		else if (t == PHONE_ALT_MOBILE &&
		    strcmp(norm, pp.phone[PHONE_MOBILE]) == 0)
			why = "This is the mobile number already: an "
			    "alternate mobile number is a second one.";
		else if (t == PHONE_MOBILE && pp.phone[PHONE_ALT_MOBILE] &&
		    strcmp(norm, pp.phone[PHONE_ALT_MOBILE]) == 0)
			why = "This is the alternate mobile number already: "
			    "remove it there first.";
	}
	if (why != NULL) {
		phone_form(r, 422, &pp, t, number, why);
		return;
	}
	if (c.number != NULL && pp.phone[t] != NULL &&
	    strcmp(c.number, pp.phone[t]) == 0) {
		phone_done_redirect(r, &pp, t, DONE_UNCHANGED);
		return;		/* the same number: nothing to change */
	}
	/* Checked against the numbers as they are now, the change may
	 * still be one to a number the page did not show. */
	if (was != NULL && (pp.phone[t] == NULL ? *was != '\0' :
	    strcmp(was, pp.phone[t]) != 0)) {
		phone_changed(r, &pp, t, action, number);
		return;
	}
	if ((rc = db_txn(r->db, phone_txn, &c)) == TXN_DUP_MOBILE) {
		phone_form(r, 422, &pp, t, number, "This mobile number is "
		    "already registered to another account. Each mobile "
		    "number signs in one person.");
		return;
	}
	if (rc == TXN_CONFLICT) {
		if (person_of_url(r, &pp) == 0)
			phone_changed(r, &pp, t, action, number);
		return;
	}
	if (rc != DB_OK) {
		page_db_error(r, rc);
		return;
	}
	/* A notice that fails now waits in the outbox for sms flush. */
	if (c.notice_id != 0)
		(void)sms_send(r->db, r->conf, c.notice_id);
	phone_done_redirect(r, &pp, t, c.number != NULL ? DONE_SAVED :
	    DONE_REMOVED);
}

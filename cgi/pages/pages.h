/*
 * pages.h: the handlers of the route table and the page helpers they
 * share. A handler answers exactly once: a page, a redirect or an error.
 */
#ifndef STAFFDESK_PAGES_H
#define STAFFDESK_PAGES_H

struct audit;
struct db;
struct req;
struct tpl;

/* A page dictionary with the layout (title, who is signed in, nav). */
struct tpl	*page_new(struct req *, const char *title);
/* The page's main box spans the window, for a table of many columns. */
void		 page_wide(struct tpl *);
/* The title of a page whose form was refused says so ("X: not saved"),
 * for those who hear the title first. */
void		 page_title_refused(struct tpl *);
/*
 * The page a person asked for before a step came first (sign-in, the
 * second step, a forced password change, an app to set up): path with
 * "?next=" and it, or path alone when next is NULL. page_next_field
 * carries the request's next (K_NEXT) in a form: section NEXT,
 * NEXT_PATH.
 */
const char	*page_then(struct req *, const char *path, const char *next);
void		 page_next_field(struct req *, struct tpl *);
/* Expands file and sends it with status; frees t. */
void		 page_render(struct req *, int status, const char *file,
		    struct tpl *t);
/*
 * The one error page: status and a sentence for a person. A 503 says
 * when to try again (Retry-After: r->retry_after, else PAGE_RETRY_AFTER).
 */
#define PAGE_RETRY_AFTER	60	/* seconds: "try again in a minute" */
void		 page_error(struct req *, int status, const char *msg);
/* "1 person" or "N people" for a head count as text (NULL: 0). */
const char	*page_people(struct req *, const char *count);
void		 page_desc(struct tpl *, const char *description);
/* "2026-11-27 14:03 UTC" for epoch seconds as text, or "never". */
const char	*page_when(struct req *, const char *epoch);
/*
 * Writes audit row a with what the request knows: the signed-in user as
 * the actor (unless a names one), the address, the user agent and the
 * request id; a failed sign-in step or a lockout is counted for
 * /metrics once the transaction commits. DB_OK or a db_err.
 */
int		 page_audit_row(struct db *, const struct req *,
		    const struct audit *);
/*
 * Refuses the request with a 403 and msg, audited (a row that cannot
 * be written is logged; the refusal stands): a refused change as
 * its own action (a->action: every one, with a's details), anything
 * else (a page, a form whose token failed) as an "access.denied" row of
 * a's reason, target and client, naming the method and path, at most
 * DENY_AUDIT_MAX a session in DENY_AUDIT_WINDOW seconds so that a
 * refresh loop cannot flood the log. Without a session nothing is
 * written: there is nobody to name.
 */
#define DENY_AUDIT_MAX		10
#define DENY_AUDIT_WINDOW	600
void		 page_forbid(struct req *, const struct audit *a,
		    const char *msg);
/* A successful row of action about the signed-in person's own account. */
/*
 * The reasons pw breaks the policy of a person's account: the password
 * policy for cloud people, the on-premises one (onprem.policy.*) for
 * synced people; one sentence, NULL when it meets it. The directory
 * may refuse more (writeback says why).
 */
struct pw_person;
const char	*page_pw_refusal(struct req *, const struct pw_person *,
		    int onprem, const char *pw);
/* The hint under a new-password field, for such an account. */
const char	*page_pw_hint(struct req *, int onprem);
struct audit	 page_own_audit(const struct req *, const char *action,
		    const char *details);
/* The 503 when the on-premises directory did not take a password. */
extern const char msg_writeback_failed[];
extern const char msg_pw_not_stored[];	/* pw_hash() failed: a 503 */
/*
 * After the directory took a password (a remote writeback: once,
 * before the transaction) and the transaction that records it failed
 * with rc: writes the audit row a alone in its own transaction (its
 * details say "recorded":false), logs when even that fails, and
 * answers 503 saying the directory has the new password.
 */
void		 page_writeback_unrecorded(struct req *, struct audit *a,
		    int rc);
/* The 400 of a search longer than SEARCH_Q_MAX characters. */
extern const char msg_search_too_long[];
/* 503 for a database error code (its own sentence for DB_READONLY),
 * nothing for DB_OK. */
void		 page_db_error(struct req *, int rc);
/* Every template a worker loads at start; NULL-terminated. */
extern const char *const page_templates[];

#include <stdint.h>

#include "auth/otp.h"
#include "sms.h"

/* A code to text: what it is for, to whom, and how the queueing went. */
struct code_send {
	struct req		*r;
	enum otp_purpose	 purpose;
	enum sms_purpose	 sms_purpose;
	const char		*user_id;
	const char		*name;
	const char		*number;
	/* More of the same transaction, before the audit row (NULL: none);
	 * DB_OK or what the transaction returns. */
	int			(*also)(struct db *, void *);
	void			*also_arg;
	/* Deliver after the answer is sent (r->sms_after): for a page that
	 * must look the same and take as long whether a text went or not. */
	int			 after_answer;
	uint64_t		 sms_id;
	int64_t			 retry_after;
	int			 refusal;	/* sms_queue()'s, or 0 */
};

/*
 * Texts a new code of c: draws it (superseding the last one of that
 * user and purpose), queues its text through the SMS limits, runs
 * c->also and writes the audit row (sms.code.send, without the code) in
 * one transaction, then sends it. 0 when it went (or, with
 * after_answer, will go); else the status to answer with and in *why
 * the sentence to tell the person: 429 past an SMS limit
 * (r->retry_after set), 422 for a number that may not be texted, 503
 * when it could not be sent; or a negative db_err (nothing answered).
 */
int	 page_code_send(struct req *, struct code_send *, const char **why);

/* signin.c; page_signin_init runs once per worker (0 or -1) */
int	 page_signin_init(void);
void	 page_home(struct req *);
void	 page_healthz(struct req *);
void	 page_login(struct req *);
void	 page_login_post(struct req *);
void	 page_mfa(struct req *);
void	 page_mfa_post(struct req *);
void	 page_mfa_sms_post(struct req *);
void	 page_sms_signin(struct req *);
void	 page_sms_signin_post(struct req *);
void	 page_logout_post(struct req *);

/* observe.c */
void	 page_metrics(struct req *);

/* sspr.c: self-service password reset, /reset */
void	 page_sspr(struct req *);
void	 page_sspr_post(struct req *);
void	 page_sspr_send_post(struct req *);
void	 page_sspr_code_post(struct req *);
void	 page_sspr_totp_post(struct req *);
void	 page_sspr_password_post(struct req *);

/* account.c */
void	 page_account(struct req *);
void	 page_sessions_revoke_post(struct req *);
void	 page_password(struct req *);
void	 page_password_post(struct req *);
void	 page_enrol(struct req *);
void	 page_enrol_post(struct req *);

/* lists.c, person.c */
void	 page_units(struct req *);
void	 page_unit(struct req *);
int	 page_unit_view(struct req *);
void	 page_users(struct req *);
void	 page_user(struct req *);
int	 page_user_view(struct req *);
void	 page_search(struct req *);
int	 page_search_view(struct req *);

/* actions.c */
void	 page_reset(struct req *);
void	 page_reset_post(struct req *);
void	 page_reset_done(struct req *);
void	 page_phone(struct req *);
void	 page_phone_post(struct req *);

/* Whom a pick has already: the members of unit, or the people ids. */
struct pick_already {
	const char		*unit;	/* as the database spells it; NULL */
	const char *const	*ids;
	size_t			 nids;
};

/*
 * lists.c: the people whose names (UPN, email, phone) q starts a word
 * of, as /search finds them, for an admin form that picks one: up to a
 * page of sections named section, each with ID, NAME and UPN (and
 * NO_PHONE for someone without a phone number), or the section NO_HITS
 * when there is nobody. With already, each also shows ALREADY when the
 * pick has the person, else ADDABLE. DB_OK or a db_err.
 */
int	 page_pick_people(struct req *, struct tpl *, const char *q,
	    const char *section, const struct pick_already *already);

/* console.c: the admin console's home */
void	 page_admin(struct req *);

/* settings.c: /admin/settings */
void	 page_settings(struct req *);
void	 page_settings_section(struct req *);
/*
 * GET of an address only a form posts to (a phone reloading the tab
 * while the person reads their text): 303 to the step's own page.
 */
void	 page_back_to_mfa(struct req *);
void	 page_back_to_reset(struct req *);
void	 page_settings_mystaff_post(struct req *);
void	 page_settings_ca_post(struct req *);
void	 page_settings_methods_post(struct req *);
void	 page_settings_passwords_post(struct req *);
void	 page_mystaff_select_post(struct req *);
void	 page_mystaff_unselect_post(struct req *);
void	 page_sms_select_post(struct req *);
void	 page_sms_unselect_post(struct req *);

/* admin.c: the audit log, and a location's recent activity */
#define ACTIVITY_DAYS	30	/* how far back recent activity goes */
void	 page_audit(struct req *);
void	 page_audit_entry(struct req *);
void	 page_audit_csv(struct req *);
void	 page_unit_activity(struct req *);

/* locations.c: the admin console's locations, members and roles */
void	 page_admin_units(struct req *);
void	 page_admin_units_post(struct req *);
void	 page_admin_unit(struct req *);
void	 page_admin_unit_post(struct req *);
void	 page_admin_unit_delete_post(struct req *);
void	 page_admin_member_add_post(struct req *);
void	 page_admin_member_remove_post(struct req *);
void	 page_admin_roles(struct req *);
void	 page_admin_roles_post(struct req *);
void	 page_admin_revoke_post(struct req *);

#endif

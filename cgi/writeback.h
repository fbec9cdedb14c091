/*
 * writeback.h: setting an on-premises (synced) user's password in the
 * directory it comes from. One table of backends, in the order of the
 * onprem.writeback setting's words: "local" (staffdesk's own database
 * is the directory: nothing more to do once the hash is stored),
 * "none" (no directory reachable: every attempt is unavailable) and
 * "ldap" (the directory of the ldap_* config keys, cgi/directory.h,
 * holds the password: staffdesk keeps no copy and signs the person in
 * by a bind).
 *
 * Exactly once: a backend that writes elsewhere (wb_is_remote) is
 * called before the database transaction, never inside db_txn's
 * retried function, and its success is recorded even when the
 * transaction then fails (README: Password writeback).
 */
#ifndef STAFFDESK_WRITEBACK_H
#define STAFFDESK_WRITEBACK_H

struct arena;
struct conf;

enum wb_backend_id { WB_LOCAL, WB_NONE, WB_LDAP, WB__MAX };

enum wb_result {
	WB_OK,
	WB_REFUSED,	/* the directory said no: *why says what to fix */
	WB_UNAVAILABLE,	/* not reachable; nothing was changed */
};

struct wb_user {
	const char	*id;
	const char	*upn;
};

/* What the password is for: a reset to change at next sign-in, or not. */
enum wb_kind { WB_FINAL, WB_MUST_CHANGE };

/*
 * 1 when backend keeps the password outside staffdesk: it is written
 * once before the transaction, no hash is stored, and the password is
 * checked by wb_check_password(); 0 for local and none.
 */
int		 wb_is_remote(enum wb_backend_id);

/*
 * Sets the password of u through backend (the onprem.writeback
 * setting); must-change too when kind says so. For local and none it
 * runs inside the caller's transaction, which rolls back unless WB_OK;
 * for a remote backend, before it. *why: the reason of WB_REFUSED or
 * WB_UNAVAILABLE in plain words (static, or in a). The password is not
 * kept or logged.
 */
enum wb_result	 wb_set_password(enum wb_backend_id, const struct conf *,
		    const struct wb_user *u, const char *password,
		    enum wb_kind, struct arena *a, const char **why);

/*
 * Checks the password of u with a remote backend: WB_OK when right,
 * WB_REFUSED when wrong (or u is not in the directory), WB_UNAVAILABLE
 * when the directory cannot answer. Local and none: WB_UNAVAILABLE
 * (staffdesk checks its own hash).
 */
enum wb_result	 wb_check_password(enum wb_backend_id, const struct conf *,
		    const struct wb_user *u, const char *password);

#endif

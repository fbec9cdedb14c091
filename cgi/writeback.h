/*
 * writeback.h: setting an on-premises (synced) user's password in the
 * directory it comes from. One function, one table of backends: "local"
 * (staffdesk's own database is the directory: nothing more to do once
 * the hash is stored) and "none" (no directory reachable: every attempt
 * is unavailable). An LDAP backend plugs in here later.
 */
#ifndef STAFFDESK_WRITEBACK_H
#define STAFFDESK_WRITEBACK_H

/* The backends, in the order of the onprem.writeback setting's words. */
enum wb_backend_id { WB_LOCAL, WB_NONE, WB__MAX };

enum wb_result {
	WB_OK,
	WB_REFUSED,	/* the directory said no: *why says what to fix */
	WB_UNAVAILABLE,	/* not reachable; nothing was changed */
};

struct wb_user {
	const char	*id;
	const char	*upn;
};

/*
 * Sets the password of u through backend (the onprem.writeback setting)
 * during the caller's transaction; the caller rolls back unless WB_OK.
 * The password is not kept or logged.
 */
enum wb_result	 wb_set_password(enum wb_backend_id, const struct wb_user *u,
		    const char *password, const char **why);

#endif

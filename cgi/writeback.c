/*
 * writeback.c: see writeback.h.
 */
#include <string.h>

#include "directory.h"
#include "writeback.h"

struct wb_backend {
	const char	*name;
	int		 remote;
	enum wb_result	(*set_password)(const struct conf *,
			    const struct wb_user *, const char *,
			    enum wb_kind, struct arena *, const char **);
	enum wb_result	(*check_password)(const struct conf *,
			    const struct wb_user *, const char *);
};

static enum wb_result
wb_local(const struct conf *c, const struct wb_user *u, const char *pw,
    enum wb_kind kind, struct arena *a, const char **why)
{
	(void)c;
	(void)u;
	(void)pw;
	(void)kind;
	(void)a;
	*why = NULL;
	return WB_OK;
}

static enum wb_result
wb_none(const struct conf *c, const struct wb_user *u, const char *pw,
    enum wb_kind kind, struct arena *a, const char **why)
{
	(void)c;
	(void)u;
	(void)pw;
	(void)kind;
	(void)a;
	*why = "No on-premises directory is configured for password writeback.";
	return WB_UNAVAILABLE;
}

static enum wb_result
wb_ldap(const struct conf *c, const struct wb_user *u, const char *pw,
    enum wb_kind kind, struct arena *a, const char **why)
{
	switch (dir_set_password(c, u->upn, pw, kind == WB_MUST_CHANGE, a,
	    why)) {
	case 0:
		return WB_OK;
	case DIR_REFUSED:
		return WB_REFUSED;
	case DIR_NONE:
		*why = "This person was not found in the on-premises "
		    "directory (or more than one entry has their username): "
		    "nothing was changed.";
		return WB_REFUSED;
	default:
		*why = "The on-premises directory cannot be reached just "
		    "now: the password was not changed. Try again later.";
		return WB_UNAVAILABLE;
	}
}

static enum wb_result
wb_ldap_check(const struct conf *c, const struct wb_user *u, const char *pw)
{
	switch (dir_check_password(c, u->upn, pw)) {
	case 0:
		return WB_OK;
	case DIR_WRONG_PASSWORD:
	case DIR_NONE:
		return WB_REFUSED;
	default:
		return WB_UNAVAILABLE;
	}
}

static const struct wb_backend backends[WB__MAX] = {
	[WB_LOCAL] = { "local", 0, wb_local, NULL },
	[WB_NONE] = { "none", 0, wb_none, NULL },
	[WB_LDAP] = { "ldap", 1, wb_ldap, wb_ldap_check },
};

int
wb_is_remote(enum wb_backend_id backend)
{
	return backend < WB__MAX && backends[backend].remote;
}

enum wb_result
wb_set_password(enum wb_backend_id backend, const struct conf *c,
    const struct wb_user *u, const char *password, enum wb_kind kind,
    struct arena *a, const char **why)
{
	if (backend >= WB__MAX) {
		*why = "The configured password writeback is not known.";
		return WB_UNAVAILABLE;
	}
	return backends[backend].set_password(c, u, password, kind, a, why);
}

enum wb_result
wb_check_password(enum wb_backend_id backend, const struct conf *c,
    const struct wb_user *u, const char *password)
{
	if (backend >= WB__MAX || backends[backend].check_password == NULL)
		return WB_UNAVAILABLE;
	return backends[backend].check_password(c, u, password);
}

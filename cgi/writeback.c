/*
 * writeback.c: see writeback.h.
 */
#include <string.h>

#include "writeback.h"

struct wb_backend {
	const char	*name;
	enum wb_result	(*set_password)(const struct wb_user *, const char *,
			    const char **);
};

static enum wb_result
wb_local(const struct wb_user *u, const char *pw, const char **why)
{
	(void)u;
	(void)pw;
	*why = NULL;
	return WB_OK;
}

static enum wb_result
wb_none(const struct wb_user *u, const char *pw, const char **why)
{
	(void)u;
	(void)pw;
	*why = "No on-premises directory is configured for password writeback.";
	return WB_UNAVAILABLE;
}

static const struct wb_backend backends[WB__MAX] = {
	[WB_LOCAL] = { "local", wb_local },
	[WB_NONE] = { "none", wb_none },
};

enum wb_result
wb_set_password(enum wb_backend_id backend, const struct wb_user *u,
    const char *password, const char **why)
{
	if (backend >= WB__MAX) {
		*why = "The configured password writeback is not known.";
		return WB_UNAVAILABLE;
	}
	return backends[backend].set_password(u, password, why);
}

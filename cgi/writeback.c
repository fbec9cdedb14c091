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

static const struct wb_backend backends[] = {
	{ "local", wb_local },
	{ "none", wb_none },
};

enum wb_result
wb_set_password(const char *backend, const struct wb_user *u,
    const char *password, const char **why)
{
	size_t	i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i].name, backend) == 0)
			return backends[i].set_password(u, password, why);
	*why = "The configured password writeback is not known.";
	return WB_UNAVAILABLE;
}

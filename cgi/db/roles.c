/*
 * roles.c: see roles.h.
 */
#include <string.h>

#include "db/roles.h"

/* Items in a comma-separated list: 0 for NULL or "". */
static size_t
items(const char *s)
{
	size_t	n;

	if (s == NULL || *s == '\0')
		return 0;
	for (n = 1; (s = strchr(s, ',')) != NULL; s++)
		n++;
	return n;
}

size_t
db_roles_decode(struct arena *a, const char *list, struct assignment **out)
{
	struct assignment	*as;
	char			*copy, *item, *scope;
	size_t			 n = 0;
	int			 role;

	*out = as = arena_alloc(a, sizeof(*as) * (items(list) + 1));
	if (items(list) == 0)
		return 0;
	copy = arena_strdup(a, list);
	while ((item = strsep(&copy, ",")) != NULL) {
		if ((scope = strchr(item, ':')) == NULL)
			continue;
		*scope++ = '\0';
		if ((role = authz_role_parse(item)) < 0)
			continue;
		if (strcmp(scope, "*") != 0 && !uuid_valid(scope))
			continue;
		as[n].role = (enum role)role;
		as[n++].unit_id = strcmp(scope, "*") == 0 ? NULL : scope;
	}
	return n;
}

size_t
db_ids_decode(struct arena *a, const char *list, const char ***out)
{
	const char	**ids;
	char		*copy, *id;
	size_t		 n = 0;

	*out = ids = arena_alloc(a, sizeof(*ids) * (items(list) + 1));
	if (items(list) == 0)
		return 0;
	copy = arena_strdup(a, list);
	while ((id = strsep(&copy, ",")) != NULL)
		if (*id != '\0')
			ids[n++] = id;
	return n;
}

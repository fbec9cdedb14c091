/*
 * settings.c: see settings.h.
 */
#include <stdint.h>
#include <string.h>

#include "db/db.h"
#include "settings.h"

enum setting_type { ST_INT, ST_BOOL, ST_CHOICE };

struct setting_def {
	const char		*name;
	enum setting_type	 type;
	long			 min, max;
	const char		*dflt;
	const char		*choices[4];
};

static const struct setting_def defs[SET__MAX] = {
	[SET_SESSION_IDLE_MINUTES] =
	    { "session.idle_minutes", ST_INT, 1, 24 * 60, "30", { NULL } },
	[SET_SESSION_ABSOLUTE_HOURS] =
	    { "session.absolute_hours", ST_INT, 1, 24 * 30, "12", { NULL } },
	[SET_SIGNIN_IP_FAILURES_PER_HOUR] =
	    { "signin.ip_failures_per_hour", ST_INT, 10, 1000000, "500",
	    { NULL } },
	[SET_MFA_MAX_ATTEMPTS] =
	    { "mfa.max_attempts", ST_INT, 1, 20, "5", { NULL } },
	[SET_MYSTAFF_ACCESS] =
	    { "mystaff.access", ST_CHOICE, 0, 0, "all",
	    { "all", "selected", "none", NULL } },
	[SET_CA_REQUIRE_MFA] =
	    { "ca.require_mfa", ST_BOOL, 0, 1, "on", { NULL } },
	[SET_CA_SIGNIN_FREQUENCY_HOURS] =
	    { "ca.signin_frequency_hours", ST_INT, 1, 24 * 30, "12", { NULL } },
	[SET_RESET_TEMP_TTL_HOURS] =
	    { "reset.temp_password_ttl_hours", ST_INT, 1, 24 * 14, "24",
	    { NULL } },
	[SET_RESET_DELIVER] =
	    { "reset.deliver", ST_CHOICE, 0, 0, "show",
	    { "show", "sms", NULL } },
	[SET_ONPREM_MIN_LENGTH] =
	    { "onprem.policy.min_length", ST_INT, 1, 256, "8", { NULL } },
	[SET_ONPREM_COMPLEXITY] =
	    { "onprem.policy.complexity", ST_BOOL, 0, 1, "on", { NULL } },
	[SET_ONPREM_NO_ACCOUNT_NAME] =
	    { "onprem.policy.no_account_name", ST_BOOL, 0, 1, "on", { NULL } },
	[SET_ONPREM_WRITEBACK] =
	    { "onprem.writeback", ST_CHOICE, 0, 0, "local",
	    { "local", "none", NULL } },
};

int
settings_find(const char *name)
{
	int	i;

	for (i = 0; i < SET__MAX; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

const char *
settings_name(enum setting s)
{
	return defs[s].name;
}

const char *
settings_check(enum setting s, const char *v)
{
	const struct setting_def	*d = &defs[s];
	int64_t				 n;
	size_t				 i;

	if (strchr(v, '\n') != NULL)
		return "must be one line";
	switch (d->type) {
	case ST_INT:
		if (parse_int64(v, d->min, d->max, &n) == -1)
			return "must be a whole number in its range";
		return NULL;
	case ST_BOOL:
		if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
			return NULL;
		return "must be on or off";
	case ST_CHOICE:
		for (i = 0; d->choices[i] != NULL; i++)
			if (strcmp(d->choices[i], v) == 0)
				return NULL;
		return "is not one of the allowed values";
	}
	return "unknown setting type";
}

void
settings_defaults(struct settings *s)
{
	int	i;

	for (i = 0; i < SET__MAX; i++)
		s->value[i] = defs[i].dflt;
}

int
settings_load(struct db *db, struct arena *a, struct settings *s)
{
	struct q_settings_all_rows	rows;
	size_t				r;
	int				i, rc;

	settings_defaults(s);
	if ((rc = q_settings_all(db, a, &rows)) != DB_OK)
		return rc;
	for (r = 0; r < rows.n; r++) {
		i = settings_find(rows.row[r].name);
		/* A row a newer version wrote, or a bad one, keeps the default. */
		if (i >= 0 && settings_check(i, rows.row[r].value) == NULL)
			s->value[i] = rows.row[r].value;
	}
	return DB_OK;
}

int
settings_parse(struct arena *a, struct settings *s, const char *blob)
{
	char	*copy, *line, *save, *eq;
	int	 i;

	settings_defaults(s);
	if (blob == NULL)
		return 0;
	copy = arena_strdup(a, blob);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		i = settings_find(line);
		if (i >= 0 && settings_check(i, eq + 1) == NULL)
			s->value[i] = eq + 1;
	}
	return 0;
}

const char *
settings_str(const struct settings *s, enum setting i)
{
	return s->value[i];
}

int
settings_choice(const struct settings *s, enum setting i)
{
	int	c;

	for (c = 0; defs[i].choices[c] != NULL; c++)
		if (strcmp(defs[i].choices[c], s->value[i]) == 0)
			return c;
	return 0;	/* values are checked when stored: the default */
}

long
settings_int(const struct settings *s, enum setting i)
{
	int64_t	n;

	if (defs[i].type == ST_BOOL)
		return strcmp(s->value[i], "on") == 0;
	if (parse_int64(s->value[i], defs[i].min, defs[i].max, &n) == -1)
		return defs[i].min;
	return (long)n;
}

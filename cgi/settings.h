/*
 * settings.h: the settings table (README: Configuration): every name with
 * its type, bounds and default in one table. Read once per request,
 * so a change takes effect on the next request.
 */
#ifndef STAFFDESK_SETTINGS_H
#define STAFFDESK_SETTINGS_H

struct db;
struct arena;

enum setting {
	SET_SESSION_IDLE_MINUTES,
	SET_SESSION_ABSOLUTE_HOURS,
	SET_SIGNIN_IP_FAILURES_PER_HOUR,
	SET_MFA_MAX_ATTEMPTS,
	SET_MYSTAFF_ACCESS,
	SET_CA_REQUIRE_MFA,
	SET_CA_SIGNIN_FREQUENCY_HOURS,
	SET_RESET_TEMP_TTL_HOURS,
	SET_RESET_DELIVER,
	SET_ONPREM_MIN_LENGTH,
	SET_ONPREM_COMPLEXITY,
	SET_ONPREM_NO_ACCOUNT_NAME,
	SET_ONPREM_WRITEBACK,
	SET__MAX
};

struct settings {
	const char	*value[SET__MAX];
};

/* The index of name, or -1. */
int		 settings_find(const char *name);
const char	*settings_name(enum setting);
/* NULL when value suits the setting, else a sentence saying why not. */
const char	*settings_check(enum setting, const char *value);
void		 settings_defaults(struct settings *);
/* Fills s from the table, defaults where a row is absent: DB_OK or error. */
int		 settings_load(struct db *, struct arena *, struct settings *);
/* Fills s from "name=value" lines (the session query's column). */
int		 settings_parse(struct arena *, struct settings *,
		    const char *blob);
const char	*settings_str(const struct settings *, enum setting);
long		 settings_int(const struct settings *, enum setting);
/*
 * A choice setting's value as the index of its word in the table (the
 * enums below follow that order).
 */
int		 settings_choice(const struct settings *, enum setting);

/* The words of the choice settings, in the table's order. */
enum reset_deliver { DELIVER_SHOW, DELIVER_SMS };	/* reset.deliver */

#endif

/*
 * settings.h: the settings table (README: Configuration): every name with
 * its type, bounds and default in one table. Read once per request,
 * so a change takes effect on the next request.
 */
#ifndef STAFFDESK_SETTINGS_H
#define STAFFDESK_SETTINGS_H

#include <stdint.h>

#include "auth/onprem.h"
#include "auth/password.h"

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
	SET_CA_TRUSTED_NETWORKS,
	SET_CA_BLOCKED_NETWORKS,
	SET_CA_REQUIRE_TOTP,
	SET_SMS_SIGNIN,
	SET_SMS_MFA,
	SET_SMS_SSPR,
	SET_SSPR_ADMINS,
	SET_TOTP,
	SET_SMS_PER_NUMBER_PER_HOUR,
	SET_SMS_PER_IP_PER_HOUR,
	SET_SMS_ALLOWED_COUNTRY_CODES,
	SET_PASSWORD_MIN_LENGTH,
	SET_PASSWORD_BANNED_WORDS,
	SET_LOCKOUT_THRESHOLD,
	SET_LOCKOUT_SECONDS,
	SET_PHONE_COUNTRY,
	SET__MAX
};

#define SETTING_VALUE_MAX	1024	/* bytes, as the table's column */

/* The sections of /admin/settings (their words are keys.c's "saved"). */
enum settings_section { SEC_MYSTAFF, SEC_CA, SEC_METHODS, SEC_PASSWORDS,
    SEC__MAX };

struct conf;

struct settings {
	const char	*value[SET__MAX];
};

enum setting_type {
	ST_INT,			/* a whole number from min to max */
	ST_BOOL,		/* "on" or "off" */
	ST_CHOICE,		/* one of choices */
	ST_NETS,		/* networks: cidr.h */
	ST_TRUSTED_NETS,	/* networks, none too wide to trust */
	ST_CODES,		/* country calling codes: "1 44 353" */
	ST_WORDS,		/* words of 3-64 letters or digits */
	ST_REGION,		/* a country as two capitals ("US"), or "" */
};

/* A setting: its name, its type and bounds, its default. */
struct setting_def {
	const char		*name;
	enum setting_type	 type;
	long			 min, max;
	const char		*dflt;
	const char		*choices[4];	/* NULL-terminated */
};

const struct setting_def *settings_def(enum setting);
/* 1 for a type whose values are lists (spaces, commas, new lines). */
int		 settings_is_list(enum setting_type);

/* The index of name, or -1. */
int		 settings_find(const char *name);
const char	*settings_name(enum setting);
/*
 * NULL when value suits the setting, else a sentence saying why not
 * (in the arena: it may quote the bad part). Lists (networks, country
 * codes, words) may be separated by spaces, commas or new lines.
 */
const char	*settings_check(struct arena *, enum setting, const char *value);
/*
 * The value as it is stored (check that): a list with single spaces,
 * each entry once, country codes without "+"; others without spaces
 * around them.
 */
const char	*settings_normalise(struct arena *, enum setting,
		    const char *value);
/*
 * NULL when the settings s, taken together, leave staffdesk usable;
 * else a sentence, with *which set to the setting to change.
 */
const char	*settings_conflict(const struct settings *, const struct conf *,
		    enum setting *which);
void		 settings_defaults(struct settings *);
/*
 * Fills s from the table, defaults where a row is absent; lock: inside
 * a transaction, until it ends (SELECT ... FOR UPDATE). DB_OK or error.
 */
int		 settings_load(struct db *, struct arena *, struct settings *,
		    int lock);
/*
 * Stores the values of next that differ from cur, inside the caller's
 * transaction; *details is the audit row's JSON ({"changes":[{"name":
 * ..., "old": ..., "new": ...}]}) and *n how many changed (0: none).
 * DB_OK or a db_err.
 */
int		 settings_store(struct db *, struct arena *,
		    const struct settings *cur, const struct settings *next,
		    const char **details, size_t *n);
/*
 * A worker keeps one copy of the settings, with the version of the
 * table it was read at (sql/017: triggers move it at every change).
 * settings_current() fills out from the copy, reading the table again
 * first when version (a session query brought it) is not the copy's,
 * or is -1; settings_fresh() reads the version itself (a request
 * without a session). out's strings stay valid until the next call.
 * DB_OK or a db_err.
 */
int		 settings_current(struct db *, int64_t version,
		    struct settings *out);
int		 settings_fresh(struct db *, struct arena *, struct settings *out);
/* The copy as it stands, unchecked (1), or 0 when there is none yet. */
int		 settings_cached(struct settings *out);
const char	*settings_str(const struct settings *, enum setting);
long		 settings_int(const struct settings *, enum setting);
/*
 * A choice setting's value as the index of its word in the table (the
 * enums below follow that order).
 */
int		 settings_choice(const struct settings *, enum setting);

/* The organisation's password rules (password.min_length, .banned_words). */
struct pw_rules	 settings_pw_rules(const struct settings *);
/* The on-premises directory's policy (onprem.policy.*). */
struct onprem_policy settings_onprem_policy(const struct settings *);

/* The words of the choice settings, in the table's order. */
enum reset_deliver { DELIVER_SHOW, DELIVER_SMS };	/* reset.deliver */
enum sms_signin { SMS_SIGNIN_ALL, SMS_SIGNIN_SELECTED, SMS_SIGNIN_NONE };

#endif

/*
 * settings.c: see settings.h.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "auth/codes.h"
#include "auth/password.h"
#include "cidr.h"
#include "conf.h"
#include "db/audit.h"
#include "db/db.h"
#include "phone.h"
#include "settings.h"
#include "writeback.h"

#define CODES_MAX	64	/* country codes in a list */
#define WORDS_MAX	100	/* banned words */
#define WORD_MIN	3
#define WORD_MAX	64

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
	    { "local", "none", "ldap", NULL } },
	[SET_CA_TRUSTED_NETWORKS] =
	    { "ca.trusted_networks", ST_TRUSTED_NETS, 0, 0, "", { NULL } },
	[SET_CA_BLOCKED_NETWORKS] =
	    { "ca.blocked_networks", ST_NETS, 0, 0, "", { NULL } },
	[SET_CA_REQUIRE_TOTP] =
	    { "ca.require_totp", ST_BOOL, 0, 1, "off", { NULL } },
	[SET_SMS_SIGNIN] =
	    { "sms.signin", ST_CHOICE, 0, 0, "none",
	    { "all", "selected", "none", NULL } },
	[SET_SMS_MFA] =
	    { "sms.mfa", ST_BOOL, 0, 1, "off", { NULL } },
	[SET_SMS_SSPR] =
	    { "sms.sspr", ST_BOOL, 0, 1, "off", { NULL } },
	[SET_SSPR_ADMINS] =
	    { "sspr.admins", ST_BOOL, 0, 1, "off", { NULL } },
	[SET_TOTP] =
	    { "totp", ST_BOOL, 0, 1, "on", { NULL } },
	[SET_SMS_PER_NUMBER_PER_HOUR] =
	    { "sms.per_number_per_hour", ST_INT, 1, 100, "5", { NULL } },
	[SET_SMS_PER_IP_PER_HOUR] =
	    { "sms.per_ip_per_hour", ST_INT, 1, 100000, "100", { NULL } },
	[SET_SMS_ALLOWED_COUNTRY_CODES] =
	    { "sms.allowed_country_codes", ST_CODES, 0, 0, "", { NULL } },
	[SET_PASSWORD_MIN_LENGTH] =
	    { "password.min_length", ST_INT, PW_MIN, PW_MAX, "8", { NULL } },
	[SET_PASSWORD_BANNED_WORDS] =
	    { "password.banned_words", ST_WORDS, 0, 0, "", { NULL } },
	[SET_LOCKOUT_THRESHOLD] =
	    { "lockout.threshold", ST_INT, 3, 50, "5", { NULL } },
	[SET_LOCKOUT_SECONDS] =
	    { "lockout.seconds", ST_INT, 1, LOCKOUT_MAX_SECONDS, "60",
	    { NULL } },
	[SET_PHONE_COUNTRY] =
	    { "phone.country", ST_REGION, 0, 0, "", { NULL } },
};

/* 1 when the space-separated list (its first n bytes) holds entry e. */
static int
list_has(const char *list, size_t n, const char *e, size_t len)
{
	const char	*p, *end = list + n;

	for (p = list; p < end && p + len <= end; p += strcspn(p, " ") + 1)
		if (strncmp(p, e, len) == 0 && (p + len == end ||
		    p[len] == ' '))
			return 1;
	return 0;
}

/* NULL when list is country calling codes ("1 44 +353"), else why not. */
static const char *
codes_check(struct arena *a, const char *list)
{
	const char	*p = list, *s;
	size_t		 len, i, count = 0;

	while ((len = list_next(&p, &s)) > 0) {
		if (++count > CODES_MAX)
			return arena_printf(a, "holds more than %d codes",
			    CODES_MAX);
		i = *s == '+';
		if (len - i < 1 || len - i > 3 || s[i] == '0' ||
		    strspn(s + i, "0123456789") != len - i)
			return arena_printf(a, "%s is not a country calling "
			    "code (1 to 3 digits, such as 44)",
			    arena_quote(a, s, len));
	}
	return NULL;
}

/* NULL when list is words of letters and digits, else why not. */
static const char *
words_check(struct arena *a, const char *list)
{
	const char	*p = list, *s;
	size_t		 len, i, chars, count = 0;

	while ((len = list_next(&p, &s)) > 0) {
		if (++count > WORDS_MAX)
			return arena_printf(a, "holds more than %d words",
			    WORDS_MAX);
		for (i = chars = 0; i < len; i++) {
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				chars++;
			if ((unsigned char)s[i] < 0x80 &&
			    !isalnum((unsigned char)s[i]))
				return arena_printf(a, "%s holds a character "
				    "that is not a letter or a digit",
				    arena_quote(a, s, len));
		}
		if (chars < WORD_MIN || chars > WORD_MAX)
			return arena_printf(a, "%s is not %d to %d characters "
			    "long", arena_quote(a, s, len), WORD_MIN, WORD_MAX);
	}
	return NULL;
}

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

const struct setting_def *
settings_def(enum setting s)
{
	return &defs[s];
}

int
settings_is_list(enum setting_type t)
{
	switch (t) {
	case ST_NETS:
	case ST_TRUSTED_NETS:
	case ST_CODES:
	case ST_WORDS:
		return 1;
	case ST_INT:
	case ST_BOOL:
	case ST_CHOICE:
	case ST_REGION:
		break;
	}
	return 0;
}

const char *
settings_check(struct arena *a, enum setting s, const char *v)
{
	const struct setting_def	*d = &defs[s];
	int64_t				 n;
	size_t				 i;

	if (strlen(v) > SETTING_VALUE_MAX)
		return arena_printf(a, "is longer than %d bytes",
		    SETTING_VALUE_MAX);
	if (!utf8_text_valid(v, strlen(v), settings_is_list(d->type)))
		return "must be plain text";
	switch (d->type) {
	case ST_INT:
		if (parse_int64(v, d->min, d->max, &n) == -1)
			return arena_printf(a, "must be a whole number from "
			    "%ld to %ld", d->min, d->max);
		return NULL;
	case ST_BOOL:
		if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)
			return NULL;
		return "must be on or off";
	case ST_CHOICE:
		for (i = 0; d->choices[i] != NULL; i++)
			if (strcmp(d->choices[i], v) == 0)
				return NULL;
		return arena_printf(a, "must be one of: %s%s%s%s%s",
		    d->choices[0], d->choices[1] ? ", " : "",
		    d->choices[1] ? d->choices[1] : "",
		    d->choices[2] ? ", " : "",
		    d->choices[2] ? d->choices[2] : "");
	case ST_NETS:
		return cidr_list_check(a, v, CIDR_ANY);
	case ST_TRUSTED_NETS:
		return cidr_list_check(a, v, CIDR_TRUSTED);
	case ST_CODES:
		return codes_check(a, v);
	case ST_WORDS:
		return words_check(a, v);
	case ST_REGION:
		if (*v == '\0' || phone_region_known(v))
			return NULL;
		return "must be a country as two letters (US, GB, IE...), or "
		    "empty";
	}
	return "has an unknown type";
}

const char *
settings_normalise(struct arena *a, enum setting s, const char *v)
{
	char		*out, *o;
	const char	*p = v, *e;
	size_t		 len;

	if (!settings_is_list(defs[s].type)) {
		p = v + strspn(v, " \t");
		for (len = strlen(p); len > 0 && (p[len - 1] == ' ' ||
		    p[len - 1] == '\t'); len--)
			continue;
		out = arena_strndup(a, p, len);
		if (defs[s].type == ST_REGION)	/* "us" is "US" */
			for (o = out; *o != '\0'; o++)
				*o = (char)toupper((unsigned char)*o);
		return out;
	}
	o = out = arena_alloc(a, strlen(v) + 1);
	*o = '\0';
	while ((len = list_next(&p, &e)) > 0) {
		/* A country code is stored without its "+". */
		if (defs[s].type == ST_CODES && *e == '+' && len > 1) {
			e++;
			len--;
		}
		if (list_has(out, (size_t)(o - out), e, len))
			continue;	/* said twice: once is enough */
		if (o != out)
			*o++ = ' ';
		memcpy(o, e, len);
		o += len;
		*o = '\0';
	}
	return out;
}

const char *
settings_conflict(const struct settings *st, const struct conf *c,
    enum setting *which)
{
	/*
	 * This version has no way to switch authenticator apps off for
	 * people who use one (they sign in with it): refuse to pretend.
	 */
	if (!settings_int(st, SET_TOTP)) {
		*which = SET_TOTP;
		return "cannot be turned off in this version of staffdesk: "
		    "people who set up an authenticator app sign in with it";
	}
	if (settings_int(st, SET_SESSION_IDLE_MINUTES) >
	    settings_int(st, SET_SESSION_ABSOLUTE_HOURS) * 60) {
		*which = SET_SESSION_IDLE_MINUTES;
		return "is longer than the absolute session length "
		    "(session.absolute_hours), so it would never apply";
	}
	/* Every on-premises reset and sign-in would be a 503 at once. */
	if (settings_choice(st, SET_ONPREM_WRITEBACK) == WB_LDAP &&
	    (c == NULL || c->ldap_uri == NULL)) {
		*which = SET_ONPREM_WRITEBACK;
		return "cannot be ldap while no directory is configured: set "
		    "ldap_uri and the other ldap_ keys in staffdesk.conf first";
	}
	return NULL;
}

void
settings_defaults(struct settings *s)
{
	int	i;

	for (i = 0; i < SET__MAX; i++)
		s->value[i] = defs[i].dflt;
}

int
settings_load(struct db *db, struct arena *a, struct settings *s,
    int lock)
{
	struct q_settings_all_rows	rows;
	size_t				r;
	int				i, rc;

	settings_defaults(s);
	if ((rc = (lock ? q_settings_lock : q_settings_all)(db, a,
	    &rows)) != DB_OK)
		return rc;
	for (r = 0; r < rows.n; r++) {
		i = settings_find(rows.row[r].name);
		/* A row a newer version wrote, or a bad one, keeps the default. */
		if (i >= 0 && settings_check(a, i, rows.row[r].value) == NULL)
			s->value[i] = rows.row[r].value;
	}
	return DB_OK;
}

int
settings_store(struct db *db, struct arena *a, const struct settings *cur,
    const struct settings *next, const char **details, size_t *n)
{
	const char	*list = "";
	int		 i, rc;

	*n = 0;
	for (i = 0; i < SET__MAX; i++) {
		if (strcmp(cur->value[i], next->value[i]) == 0)
			continue;
		if ((rc = q_setting_set(db, &(struct q_setting_set_in){
		    .name = DB_TEXT(defs[i].name),
		    .value = DB_TEXT(next->value[i]) }, NULL)) != DB_OK)
			return rc;
		list = arena_printf(a, "%s%s{\"name\":%s,\"old\":%s,"
		    "\"new\":%s}", list, *n > 0 ? "," : "",
		    json_string(a, defs[i].name), json_string(a, cur->value[i]),
		    json_string(a, next->value[i]));
		(*n)++;
	}
	*details = arena_printf(a, "{\"changes\":[%s]}", list);
	return DB_OK;
}

/* The worker's copy (settings_current), and what it was read at. */
static struct settings	cur_settings;
static struct arena	cur_arena;
static int64_t		cur_version = -1;	/* -1: none read yet */

int
settings_current(struct db *db, int64_t version, struct settings *out)
{
	int	rc;

	if (version != cur_version || version < 0) {
		arena_reset(&cur_arena);
		cur_version = -1;
		if ((rc = settings_load(db, &cur_arena, &cur_settings, 0)) !=
		    DB_OK)
			return rc;
		cur_version = version;
	}
	*out = cur_settings;
	return DB_OK;
}

int
settings_cached(struct settings *out)
{
	if (cur_version < 0)
		return 0;
	*out = cur_settings;
	return 1;
}

int
settings_fresh(struct db *db, struct arena *a, struct settings *out)
{
	struct q_settings_version_rows	rows;
	int				rc;

	if ((rc = q_settings_version(db, a, &rows)) != DB_OK)
		return rc;
	return settings_current(db, rows.n == 1 ? rows.row[0].version : -1,
	    out);
}

const char *
settings_str(const struct settings *s, enum setting i)
{
	return s->value[i];
}

struct pw_rules
settings_pw_rules(const struct settings *s)
{
	return (struct pw_rules){
		.min_length = settings_int(s, SET_PASSWORD_MIN_LENGTH),
		.banned = settings_str(s, SET_PASSWORD_BANNED_WORDS),
	};
}

struct onprem_policy
settings_onprem_policy(const struct settings *s)
{
	return (struct onprem_policy){
		.min_length = settings_int(s, SET_ONPREM_MIN_LENGTH),
		.complexity = (int)settings_int(s, SET_ONPREM_COMPLEXITY),
		.no_account_name = (int)settings_int(s,
		    SET_ONPREM_NO_ACCOUNT_NAME),
	};
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
